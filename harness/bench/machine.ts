// Machine figures for `npm run bench`: boot time, snapshot save/restore,
// one scenario run from the snapshot, switch points per second.
import { bootKernel } from "../boot/boot.ts";
import { makeDisk } from "../block/images.ts";
import { runScenario } from "../scenario/run.ts";
import { seed001 } from "../scenario/bundled/001-ext4-dio-fallback.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 1000) / 1000;
}

export function machineBench(wasmPath: string): Record<string, unknown> {
  const boots: number[] = [];
  let booted = bootKernel(wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
  for (let i = 0; i < 3; i++) {
    booted = bootKernel(wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
    boots.push(booted.bootMs);
  }
  const m = booted.machine;
  const saves: number[] = [];
  const loads: number[] = [];
  let snap = m.save();
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    snap = m.save();
    saves.push(performance.now() - t0);
    const t1 = performance.now();
    m.load(snap);
    loads.push(performance.now() - t1);
  }
  // One mount from the snapshot: switch points per second of real kernel work.
  const t2 = performance.now();
  const s0 = m.steps;
  booted.agent.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
  booted.agent.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
  const mountMs = performance.now() - t2;
  const mountSteps = m.steps - s0;
  // A 4 KiB O_DIRECT write + read round trip (host time), and context switches during it.
  const a = booted.agent;
  const fd = a.ok(0, { op: "OPEN", path: "/mnt/rt", flags: 0o2 | 0o100 | 0o40000, mode: 0o644 });
  const buf = a.alloc(0, 4096);
  a.call(0, { op: "WRITE", fd, buf, len: 4096, off: 0 });
  const rts: number[] = [];
  m.trace = [];
  const t3 = performance.now();
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    a.call(0, { op: "WRITE", fd, buf, len: 4096, off: 0 });
    a.call(0, { op: "READ", fd, buf, len: 4096, off: 0 });
    rts.push(performance.now() - t);
  }
  const rtTotal = performance.now() - t3;
  const switches = m.trace.filter((e) => e.kind === "switch").length;
  m.trace = null;
  runScenario(seed001, wasmPath); // boot + set-up + snapshot, once
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    runScenario(seed001, wasmPath);
    runs.push(performance.now() - t);
  }
  return {
    bootMsMedian: median(boots),
    bootSwitchPoints: booted.machine.steps,
    bootSimulatedMs: booted.machine.clock.now / 1e6,
    ramMiB: m.kernel.memory.buffer.byteLength / 2 ** 20,
    snapshotBytes: snap.memory.byteLength,
    snapshotSaveMsMedian: median(saves),
    snapshotRestoreMsMedian: median(loads),
    ext4MountMs: Math.round(mountMs * 1000) / 1000,
    ext4MountSwitchPoints: mountSteps,
    switchPointsPerSecond: Math.round(mountSteps / (mountMs / 1000)),
    odirect4kRoundTripMsMedian: median(rts),
    contextSwitchesPerRoundTrip: switches / 20,
    hostMsPerContextSwitchUpperBound: Math.round((rtTotal / Math.max(1, switches)) * 1000) / 1000,
    scenario001RunMsMedian: median(runs),
  };
}
