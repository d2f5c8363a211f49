// Benchmarks of user-mode tasks (issue 4): system call and page fault costs
// in host time. Wall-clock time is measured here for the report only; it
// never enters a run.
import { bootKernel } from "../boot/boot.ts";
import { makeDisk } from "../block/images.ts";
import { O, PAGE_SIZE, UserTask } from "../user/index.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const us = (ms: number) => Math.round(ms * 1000 * 10) / 10;

export function userBench(wasmPath: string): Record<string, number> {
  const { agent, machine } = bootKernel(wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
  agent.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
  agent.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
  const u = UserTask.spawn(agent, { name: "bench" });

  // One host command per call: queue, doorbell interrupt, wake-up, syscall, exit work, report.
  const rtt: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    u.syscall("getpid");
    rtt.push(performance.now() - t);
  }

  // The same call in a loop inside the task: dispatch through the table and the exit-to-user work only.
  const loops = 20_000;
  const inTask: number[] = [];
  let t = 0;
  for (let round = 0; round < 5; round++) {
    t = performance.now();
    u.repeat("getpid", [], loops);
    inTask.push(((performance.now() - t) * 1000) / loops);
  }

  // Page faults: one write access to each page of a fresh anonymous mapping, minus the same accesses once resident
  // (median of several rounds; each mapping is unmapped again so memory stays bounded).
  const pages = 256;
  const perFault: number[] = [];
  for (let round = 0; round < 7; round++) {
    const buf = u.buffer(pages * PAGE_SIZE, { resident: "none" });
    t = performance.now();
    u.touch(buf.addr, pages * PAGE_SIZE);
    const faulting = performance.now() - t;
    t = performance.now();
    u.touch(buf.addr, pages * PAGE_SIZE);
    const resident = performance.now() - t;
    perFault.push(((faulting - resident) * 1000) / pages);
    u.munmap(buf.addr, buf.len);
  }

  // A 4 KiB O_DIRECT pread from a user task, host time per call.
  const fd = u.open("/mnt/bench", O.RDWR | O.CREAT | O.DIRECT);
  const io = u.buffer(PAGE_SIZE);
  u.pwrite(fd, io.addr, PAGE_SIZE, 0);
  const reads: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    u.pread(fd, io.addr, PAGE_SIZE, 0);
    reads.push(performance.now() - t0);
  }
  return {
    syscallRoundTripUs: us(median(rtt)),
    syscallInTaskUs: Math.round(median(inTask) * 1000) / 1000,
    pageFaultUs: Math.round(median(perFault) * 100) / 100,
    userDirectRead4kRoundTripUs: us(median(reads)),
    simulatedNs: machine.clock.now,
  };
}
