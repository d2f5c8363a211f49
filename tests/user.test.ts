// User-mode tasks on the booted kernel: real processes with their own mm,
// real system calls with pt_regs on their stacks, user memory only through
// their page tables, AIO and io_uring. Every assertion is on what the
// compiled kernel did.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bootKernel, type Booted } from "../harness/boot/boot.ts";
import { makeDisk } from "../harness/block/images.ts";
import { HangError } from "../harness/machine/errors.ts";
import { RunToBlock, SeededRandom } from "../harness/machine/scheduler.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { AioContext, FALLOC, IoUring, MAP, NR, O, PAGE_SIZE, SIG, UserTask } from "../harness/user/index.ts";
import { builtKernels } from "./support/built.ts";

const EIO = -5;
const EFAULT = -14;

function pattern(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 13 + seed * 101 + (i >> 12) * 7) & 0xff;
  return b;
}

/** Lets the machine run for `ns` of simulated time (nothing left to do is fine too). */
function settle(b: Booted, ns: number): void {
  try {
    b.machine.run(() => false, { untilNs: b.machine.clock.now + ns });
  } catch (e) {
    if (!(e instanceof HangError)) throw e;
  }
}

for (const k of builtKernels()) {
  describe(`user tasks: kernel ${k.tree}`, function () {
    this.timeout(300_000);

    let booted: Booted;
    /** After boot: ext4 on /mnt (disk 0), btrfs on /btr (disk 1), one user task `u`. */
    let base: ReturnType<Booted["machine"]["save"]>;
    let u: UserTask;

    before(() => {
      booted = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16), makeDisk("wdb", "btrfs", 128)] });
      const a = booted.agent;
      a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
      a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
      u = UserTask.spawn(a, { name: "scenario" });
      base = booted.machine.save();
    });

    afterEach(() => {
      booted.machine.load(base);
      booted.machine.scheduler = new RunToBlock();
      booted.block.setRules([]);
    });

    it("uses the generic syscall numbers of the tree", () => {
      const unistd = readFileSync(join(resolveTree(k.tree).root, "include/uapi/asm-generic/unistd.h"), "utf8");
      const number = (name: string) => {
        const m = new RegExp(`#define __NR(?:3264)?_${name} (\\d+)`).exec(unistd);
        return m ? Number(m[1]) : undefined;
      };
      const alias: Record<string, string> = { ftruncate64: "ftruncate", mmap2: "mmap", llseek: "lseek", fcntl64: "fcntl" };
      for (const [name, nr] of Object.entries(NR)) assert.equal(number(alias[name] ?? name), nr, name);
    });

    it("a user task is a process with its own mm (not a kthread), making real system calls", () => {
      assert.equal(u.syscall("getpid"), u.pid);
      const v = UserTask.spawn(booted.agent, { name: "other" });
      assert.notEqual(v.pid, u.pid);
      // The same user address in two processes holds different bytes: two page tables.
      const a1 = u.buffer(PAGE_SIZE);
      const a2 = v.mmap(PAGE_SIZE, { addr: a1.addr, flags: MAP.PRIVATE | MAP.ANONYMOUS | MAP.FIXED });
      assert.equal(a2, a1.addr);
      u.writeUser(a1.addr, new Uint8Array([1, 2, 3]));
      v.writeUser(a2, new Uint8Array([7, 8, 9]));
      assert.deepEqual([...u.readUser(a1.addr, 3)], [1, 2, 3]);
      assert.deepEqual([...v.readUser(a2, 3)], [7, 8, 9]);
      // A user address is not a kernel address: page 0 is never mapped.
      assert.equal(u.syscall("pread64", [0, 0, 1, 0]) < 0, true);
      assert.equal(u.machine.suspendedTasks().some((t) => t.startsWith("scenario[")), true);
    });

    it("pwrite/pread with O_DIRECT write and read back a file; close's deferred fput lets umount succeed", () => {
      const len = 64 * 1024;
      const fd = u.open("/mnt/direct", O.RDWR | O.CREAT | O.DIRECT);
      const buf = u.buffer(len);
      const data = pattern(len, 1);
      u.writeUser(buf.addr, data);
      const bios = booted.block.log.length;
      assert.equal(u.pwrite(fd, buf.addr, len, 0), len);
      assert.equal(u.fsync(fd), 0);
      assert.ok(booted.block.log.slice(bios).some((b) => b.op === "write" && b.bytes >= PAGE_SIZE), "data went to the disk as bios");
      u.writeUser(buf.addr, new Uint8Array(len));
      const before = booted.block.log.length;
      assert.equal(u.pread(fd, buf.addr, len, 0), len);
      assert.ok(booted.block.log.slice(before).some((b) => b.op === "read"), "O_DIRECT read came from the disk");
      assert.deepEqual(u.readUser(buf.addr, len), data);
      u.close(fd);
      // The file's last reference is dropped by task_work at the return to user mode.
      assert.equal(booted.agent.call(0, { op: "UMOUNT", path: "/mnt" }), 0);
    });

    it("preadv/pwritev and ftruncate/fallocate/fdatasync", () => {
      const fd = u.open("/mnt/vec", O.RDWR | O.CREAT);
      const a = u.buffer(PAGE_SIZE);
      const b = u.buffer(PAGE_SIZE);
      u.writeUser(a.addr, pattern(PAGE_SIZE, 2));
      u.writeUser(b.addr, pattern(PAGE_SIZE, 3));
      assert.equal(u.fallocate(fd, 0, 0, 4 * PAGE_SIZE), 0);
      assert.equal(u.pwritev(fd, [{ addr: a.addr, len: PAGE_SIZE }, { addr: b.addr, len: 100 }], PAGE_SIZE), PAGE_SIZE + 100);
      assert.equal(u.fdatasync(fd), 0);
      const c = u.buffer(2 * PAGE_SIZE);
      assert.equal(u.preadv(fd, [{ addr: c.addr + PAGE_SIZE, len: PAGE_SIZE }, { addr: c.addr, len: 100 }], PAGE_SIZE), PAGE_SIZE + 100);
      assert.deepEqual(u.readUser(c.addr + PAGE_SIZE, PAGE_SIZE), pattern(PAGE_SIZE, 2));
      assert.deepEqual(u.readUser(c.addr, 100), pattern(PAGE_SIZE, 3).subarray(0, 100));
      assert.equal(u.ftruncate(fd, 10), 0);
      assert.equal(u.pread(fd, c.addr, PAGE_SIZE, 0), 10);
      assert.equal(u.fallocate(fd, FALLOC.PUNCH_HOLE, 0, PAGE_SIZE), -95, "PUNCH_HOLE without KEEP_SIZE is refused (EOPNOTSUPP)");
      u.close(fd);
    });

    it("a never-touched buffer page is faulted in by a normal read, and reported missing with page faults disabled", () => {
      const fd = u.open("/mnt/fault", O.RDWR | O.CREAT);
      const src = u.buffer(2 * PAGE_SIZE);
      const data = pattern(2 * PAGE_SIZE, 4);
      u.writeUser(src.addr, data);
      assert.equal(u.pwrite(fd, src.addr, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
      const dst = u.buffer(2 * PAGE_SIZE, { resident: [0] });
      assert.deepEqual(u.residency(dst.addr, dst.len), [true, false], "only page 0 was touched");
      // With page faults disabled, the missing page is a fault the kernel sees (nothing is copied).
      assert.equal(u.tryReadUser(dst.addr + PAGE_SIZE, 16, { nofault: true }).notCopied, 16);
      assert.deepEqual(u.residency(dst.addr, dst.len), [true, false]);
      // A normal read(): copy_to_user faults page 1 in through handle_mm_fault.
      assert.equal(u.syscall("llseek", [fd, 0, 0, u.alloc(8), 0]), 0);
      assert.equal(u.readFd(fd, dst.addr, 2 * PAGE_SIZE), 2 * PAGE_SIZE);
      assert.deepEqual(u.residency(dst.addr, dst.len), [true, true]);
      assert.deepEqual(u.readUser(dst.addr, 2 * PAGE_SIZE), data);
      // A buffer that is not mapped at all: the read fails with EFAULT.
      u.munmap(dst.addr, dst.len);
      assert.equal(u.pread(fd, dst.addr, PAGE_SIZE, 0), EFAULT);
      u.close(fd);
    });

    it("btrfs O_DIRECT read into a half-resident buffer: GUP with page faults disabled stops at the missing page, fault_in_iov_iter_writeable brings it in, the read completes", () => {
      const a = booted.agent;
      a.ok(0, { op: "MKDIR", path: "/btr", mode: 0o755 });
      a.ok(0, { op: "MOUNT", path: "/dev/wdb", path2: "/btr", str: "btrfs" });
      const fd = u.open("/btr/f", O.RDWR | O.CREAT | O.DIRECT);
      const src = u.buffer(2 * PAGE_SIZE);
      const data = pattern(2 * PAGE_SIZE, 5);
      u.writeUser(src.addr, data);
      assert.equal(u.pwrite(fd, src.addr, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
      assert.equal(u.fsync(fd), 0);
      const dataReads = (from: number) => booted.block.log.slice(from).filter((b) => b.op === "read").map((b) => b.bytes);
      // Both pages resident: one 8 KiB bio.
      const full = u.buffer(2 * PAGE_SIZE);
      let mark = booted.block.log.length;
      assert.equal(u.pread(fd, full.addr, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
      assert.deepEqual(u.readUser(full.addr, 2 * PAGE_SIZE), data);
      assert.deepEqual(dataReads(mark), [2 * PAGE_SIZE]);
      // Page 1 never touched: the nofault GUP pins page 0 only, btrfs faults page 1 in and retries.
      const half = u.buffer(2 * PAGE_SIZE, { resident: [0] });
      mark = booted.block.log.length;
      assert.equal(u.pread(fd, half.addr, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
      assert.deepEqual(dataReads(mark), [PAGE_SIZE, PAGE_SIZE], "a partial read of page 0, then the retry for page 1");
      assert.deepEqual(u.residency(half.addr, half.len), [true, true]);
      assert.deepEqual(u.readUser(half.addr, 2 * PAGE_SIZE), data);
      u.close(fd);
    });

    it("AIO: io_submit of an O_DIRECT write, io_getevents returns its event with res; a failed bio gives -EIO", () => {
      const fd = u.open("/mnt/aio", O.RDWR | O.CREAT | O.DIRECT);
      assert.equal(u.fallocate(fd, 0, 0, 2 * PAGE_SIZE), 0);
      assert.equal(u.fsync(fd), 0);
      const buf = u.buffer(PAGE_SIZE);
      const data = pattern(PAGE_SIZE, 6);
      u.writeUser(buf.addr, data);
      const ctx = AioContext.setup(u, 8);
      const ok = ctx.submit([{ opcode: "PWRITE", fd, buf: buf.addr, nbytes: PAGE_SIZE, offset: 0, data: 0x1234 }]);
      assert.equal(ok.submitted, 1);
      const [ev] = ctx.getEvents(1, 1);
      assert.equal(ev!.res, PAGE_SIZE);
      assert.equal(ev!.data, 0x1234n);
      assert.equal(ev!.obj, ok.addrs[0]);
      // The next write bio fails: the event carries -EIO.
      booted.block.setRules([{ op: "write", index: booted.block.log.length, status: "IOERR", why: "the AIO write's bio fails" }]);
      const bad = ctx.submit([{ opcode: "PWRITE", fd, buf: buf.addr, nbytes: PAGE_SIZE, offset: PAGE_SIZE, data: 2 }]);
      assert.equal(bad.submitted, 1);
      const [ev2] = ctx.getEvents(1, 1);
      assert.equal(ev2!.res, EIO);
      assert.equal(ev2!.data, 2n);
      // Read back what the first write put on the disk.
      const back = u.buffer(PAGE_SIZE);
      ctx.submit([{ opcode: "PREAD", fd, buf: back.addr, nbytes: PAGE_SIZE, offset: 0 }]);
      assert.equal(ctx.getEvents(1, 1)[0]!.res, PAGE_SIZE);
      assert.deepEqual(u.readUser(back.addr, PAGE_SIZE), data);
      assert.equal(ctx.destroy(), 0);
      u.close(fd);
    });

    it("AIO: io_getevents that can never be satisfied is a hang; with a timeout it returns 0 events", () => {
      const ctx = AioContext.setup(u, 4);
      const t0 = booted.machine.clock.now;
      assert.deepEqual(ctx.getEvents(1, 1, 10_000_000), []);
      assert.ok(booted.machine.clock.now - t0 >= 10_000_000, "the timeout ran on simulated time");
      const p = ctx.startGetEvents(1, 1, null);
      let outcome: string;
      try {
        outcome = booted.machine.run(() => p.rec.returned !== null, { untilNs: booted.machine.clock.now + 5e9 });
      } catch (e) {
        assert.ok(e instanceof HangError, String(e));
        outcome = "hang";
      }
      assert.ok(outcome === "time-limit" || outcome === "hang", outcome);
      assert.equal(p.rec.returned, null, "io_getevents never returned");
    });

    it("io_uring: READV of an O_DIRECT file returns the CQE res and the data", () => {
      const fd = u.open("/mnt/uring", O.RDWR | O.CREAT | O.DIRECT);
      const src = u.buffer(2 * PAGE_SIZE);
      const data = pattern(2 * PAGE_SIZE, 7);
      u.writeUser(src.addr, data);
      assert.equal(u.pwrite(fd, src.addr, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
      const ring = IoUring.setup(u, 8);
      const dst = u.buffer(2 * PAGE_SIZE);
      ring.prepRw("READV", fd, [{ addr: dst.addr, len: PAGE_SIZE }, { addr: dst.addr + PAGE_SIZE, len: PAGE_SIZE }], 0, { userData: 42 });
      assert.equal(ring.submit(1), 1);
      const cqes = ring.reap();
      assert.equal(cqes.length, 1);
      assert.equal(cqes[0]!.userData, 42n);
      assert.equal(cqes[0]!.res, 2 * PAGE_SIZE);
      assert.deepEqual(u.readUser(dst.addr, 2 * PAGE_SIZE), data);
      ring.close();
      u.close(fd);
    });

    it("io_uring: a NOWAIT attempt that gets -EAGAIN from the block layer is retried by an io-wq worker", () => {
      // The raw disk (block/fops.c): the inline attempt's bio carries REQ_NOWAIT.
      const fd = u.open("/dev/wdb", O.RDONLY | O.DIRECT);
      const first = u.buffer(PAGE_SIZE);
      assert.equal(u.pread(fd, first.addr, PAGE_SIZE, 65536), PAGE_SIZE);
      const expected = u.readUser(first.addr, PAGE_SIZE);
      const ring = IoUring.setup(u, 8);
      const dst = u.buffer(PAGE_SIZE);
      booted.block.setRules([{ op: "read", nowait: true, status: "AGAIN", completion: { when: "now" }, why: "the queue is full for REQ_NOWAIT" }]);
      const mark = booted.block.log.length;
      ring.prepRw("READV", fd, [{ addr: dst.addr, len: PAGE_SIZE }], 65536, { userData: 7 });
      assert.equal(ring.submit(1), 1);
      const [cqe] = ring.reap();
      assert.equal(cqe!.userData, 7n);
      assert.equal(cqe!.res, PAGE_SIZE);
      assert.deepEqual(u.readUser(dst.addr, PAGE_SIZE), expected);
      const reads = booted.block.log.slice(mark).filter((b) => b.op === "read");
      assert.equal(reads[0]!.nowait, true, "the inline attempt was a REQ_NOWAIT bio");
      assert.equal(reads[0]!.status, 12, "which the block layer failed with BLK_STS_AGAIN");
      assert.ok(reads.some((b) => !b.nowait && b.status === 0), "a blocking retry reached the disk");
      assert.ok(
        booted.machine.suspendedTasks().some((t) => t.startsWith(`iou-wrk-${u.pid}[`)),
        `an io-wq worker of the task exists: ${booted.machine.suspendedTasks().join(" ")}`,
      );
      ring.close();
      u.close(fd);
    });

    it("io_uring: an O_DIRECT READV over dirty page cache gets -EAGAIN inline (iomap refuses NOWAIT) and io-wq completes it with the new data", () => {
      const fd = u.open("/mnt/dirty", O.RDWR | O.CREAT | O.DIRECT);
      const src = u.buffer(PAGE_SIZE);
      u.writeUser(src.addr, pattern(PAGE_SIZE, 8));
      assert.equal(u.pwrite(fd, src.addr, PAGE_SIZE, 0), PAGE_SIZE);
      // A buffered write through a second descriptor leaves the page dirty in the page cache.
      const buffered = u.open("/mnt/dirty", O.RDWR);
      const newer = pattern(PAGE_SIZE, 9);
      u.writeUser(src.addr, newer);
      assert.equal(u.pwrite(buffered, src.addr, PAGE_SIZE, 0), PAGE_SIZE);
      const ring = IoUring.setup(u, 8);
      const dst = u.buffer(PAGE_SIZE);
      assert.equal(booted.machine.suspendedTasks().some((t) => t.startsWith(`iou-wrk-${u.pid}[`)), false);
      ring.prepRw("READV", fd, [{ addr: dst.addr, len: PAGE_SIZE }], 0, { userData: 8 });
      assert.equal(ring.submit(1), 1);
      const [cqe] = ring.reap();
      assert.equal(cqe!.res, PAGE_SIZE);
      assert.deepEqual(u.readUser(dst.addr, PAGE_SIZE), newer, "the worker's blocking read flushed the dirty page first");
      assert.ok(booted.machine.suspendedTasks().some((t) => t.startsWith(`iou-wrk-${u.pid}[`)), "an io-wq worker ran it");
      ring.close();
      u.close(buffered);
      u.close(fd);
    });

    it("a user task dies as a process: SIGKILL ends it and its io-wq worker and closes its files; exit_group too", () => {
      const m = booted.machine;
      const victim = UserTask.spawn(booted.agent, { name: "victim" });
      const fd = victim.open("/mnt/victim", O.RDWR | O.CREAT);
      const buf = victim.buffer(PAGE_SIZE);
      assert.equal(victim.pwrite(fd, buf.addr, PAGE_SIZE, 0), PAGE_SIZE);
      const direct = victim.open("/mnt/victim", O.RDONLY | O.DIRECT);
      const ring = IoUring.setup(victim, 4);
      ring.prepRw("READV", direct, [{ addr: buf.addr, len: PAGE_SIZE }], 0);
      assert.equal(ring.submit(1), 1);
      assert.equal(ring.reap()[0]!.res, PAGE_SIZE);
      const mine = () => m.suspendedTasks().filter((t) => t.startsWith("victim[") || t.startsWith(`iou-wrk-${victim.pid}[`));
      assert.equal(mine().length, 2, m.suspendedTasks().join(" "));
      assert.equal(u.syscall("kill", [victim.pid, SIG.KILL]), 0);
      m.run(() => mine().length === 0, { untilNs: m.clock.now + 1e9 });
      assert.deepEqual(mine(), []);
      // The ring's teardown (io_ring_exit_work) drops its last file references a little later, in a workqueue.
      settle(booted, 1e9);
      assert.equal(booted.agent.call(0, { op: "UMOUNT", path: "/mnt" }), 0, "the dead task's files are closed");
      const exiter = UserTask.spawn(booted.agent, { name: "exiter" });
      const rec = exiter.start("exit_group", [3]);
      m.run(() => !m.suspendedTasks().some((t) => t.startsWith("exiter[")), { untilNs: m.clock.now + 1e9 });
      assert.equal(rec.returned, null, "exit_group does not return");
      assert.equal(m.suspendedTasks().some((t) => t.startsWith("exiter[")), false);
    });

    it("is deterministic: the same user scenario from the snapshot gives the same log, twice, also under a seeded random schedule", () => {
      const m = booted.machine;
      const scenario = (seed: number | null) => {
        m.load(base);
        m.scheduler = seed === null ? new RunToBlock() : new SeededRandom(seed, 0.05);
        const fd = u.open("/mnt/det", O.RDWR | O.CREAT | O.DIRECT);
        const buf = u.buffer(PAGE_SIZE);
        u.writeUser(buf.addr, pattern(PAGE_SIZE, 9));
        const ctx = AioContext.setup(u, 4);
        ctx.submit([{ opcode: "PWRITE", fd, buf: buf.addr, nbytes: PAGE_SIZE, offset: 0 }]);
        const ev = ctx.getEvents(1, 1).map((e) => e.res);
        return {
          ev,
          console: m.console.text((t) => m.clock.stamp(t)),
          steps: m.steps,
          now: m.clock.now,
          decisions: JSON.stringify(m.decisions),
          bios: JSON.stringify(booted.block.log),
        };
      };
      const a = scenario(null);
      assert.deepEqual(a.ev, [PAGE_SIZE]);
      assert.deepEqual(scenario(null), a);
      const r1 = scenario(11);
      assert.deepEqual(r1.ev, [PAGE_SIZE]);
      assert.ok(r1.decisions.length > 2, "the random scheduler made choices");
      assert.deepEqual(scenario(11), r1);
    });

    it("snapshots with user tasks: a task and its open file, AIO context and mapping survive restore and behave the same", () => {
      const m = booted.machine;
      const fd = u.open("/mnt/snap", O.RDWR | O.CREAT | O.DIRECT);
      const buf = u.buffer(PAGE_SIZE);
      u.writeUser(buf.addr, pattern(PAGE_SIZE, 10));
      const ctx = AioContext.setup(u, 4);
      const snap = m.save();
      const run = () => {
        m.load(snap);
        ctx.submit([{ opcode: "PWRITE", fd, buf: buf.addr, nbytes: PAGE_SIZE, offset: 0 }]);
        const ev = ctx.getEvents(1, 1)[0]!.res;
        const back = u.buffer(PAGE_SIZE, { resident: "none" });
        const n = u.pread(fd, back.addr, PAGE_SIZE, 0);
        return { ev, n, data: [...u.readUser(back.addr, PAGE_SIZE)], steps: m.steps, now: m.clock.now, console: m.console.text((t) => m.clock.stamp(t)) };
      };
      const first = run();
      assert.equal(first.ev, PAGE_SIZE);
      assert.equal(first.n, PAGE_SIZE);
      assert.deepEqual(first.data, [...pattern(PAGE_SIZE, 10)]);
      assert.deepEqual(run(), first);
      assert.equal(m.console.grep(/WARNING:|BUG:|Oops|panic/).length, 0, m.console.text((t) => m.clock.stamp(t)));
    });
  });
}
