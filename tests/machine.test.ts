// The machine: the real kernel booted in wasm under the harness — CPUs,
// time, interrupts, the simulated bio layer, the agent, snapshots. Every
// assertion is on what the compiled kernel did.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootKernel, type Booted } from "../harness/boot/boot.ts";
import { makeDisk } from "../harness/block/images.ts";
import { BLK_STS } from "../harness/block/faults.ts";
import { RunToBlock, SeededRandom } from "../harness/machine/scheduler.ts";
import { assertUnwoundFits, AsyncifyOverflow } from "../harness/machine/coroutines.ts";
import { builtKernels } from "./support/built.ts";
import { HangObserved, ScenarioContext } from "../harness/scenario/context.ts";

const O_RDWR = 0o2, O_CREAT = 0o100, O_DIRECT = 0o40000;
const EIOCBQUEUED = -529;

function pattern(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + seed * 7 + (i >> 12)) & 0xff;
  return b;
}

for (const k of builtKernels()) {
  describe(`machine: kernel ${k.tree} booted in wasm`, function () {
    this.timeout(300_000);

    let booted: Booted;
    before(() => {
      booted = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
    });

    it("boots to the agent with 2 CPUs online, every initcall done", () => {
      const text = booted.machine.console.text((t) => booted.machine.clock.stamp(t));
      assert.match(text, new RegExp(`Linux version ${k.kernelVersion.replace(/\./g, "\\.")} `));
      assert.match(text, /smp: Brought up 1 node, 2 CPUs/);
      const snap = booted.machine.save();
      try {
        const fd = booted.agent.call(0, { op: "OPEN", path: "/dev/wda", flags: 0 });
        assert.ok(fd >= 0, `the block driver registered the host disk as /dev/wda (open: ${fd})`);
      } finally {
        booted.machine.load(snap);
      }
      assert.equal(booted.machine.console.grep(/WARNING:|BUG:|Oops|panic/).length, 0, text);
    });

    it("boots deterministically: the same console, steps and simulated time twice", () => {
      const again = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
      const t = (b: Booted) => b.machine.console.text((x) => b.machine.clock.stamp(x));
      assert.equal(t(again), t(booted));
      assert.equal(again.machine.steps, booted.machine.steps);
      assert.equal(again.machine.clock.now, booted.machine.clock.now);
    });

    it("mounts ext4 from the host disk, writes and reads back O_DIRECT, and the image passes e2fsck", () => {
      const { agent: a, block } = booted;
      const snap = booted.machine.save();
      try {
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        const fd = a.ok(0, { op: "OPEN", path: "/mnt/f", flags: O_RDWR | O_CREAT | O_DIRECT, mode: 0o644 });
        const len = 64 * 1024;
        const buf = a.alloc(0, len);
        const data = pattern(len, 1);
        a.writeMemory(buf, data);
        assert.equal(a.call(0, { op: "WRITE", fd, buf, len, off: 0 }), len);
        assert.equal(a.call(0, { op: "FSYNC", fd }), 0);
        a.writeMemory(buf, new Uint8Array(len));
        assert.equal(a.call(0, { op: "READ", fd, buf, len, off: 0 }), len);
        assert.deepEqual(a.readMemory(buf, len), data);
        assert.ok(block.log.some((b) => b.op === "write" && b.bytes >= 4096), "data reached the disk as bios");
        a.ok(0, { op: "CLOSE", fd });
        assert.equal(a.call(0, { op: "UMOUNT", path: "/mnt" }), 0);
        const dir = mkdtempSync(join(tmpdir(), "dioscope-fsck-"));
        try {
          const img = join(dir, "wda.img");
          writeFileSync(img, block.disks[0]!.image());
          execFileSync("e2fsck", ["-fn", img], { stdio: "pipe", env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
          const out = execFileSync("debugfs", ["-R", "cat /f", img], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24, env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
          assert.deepEqual(new Uint8Array(out), data, "the file's bytes on the image, read by e2fsprogs");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      } finally {
        booted.machine.load(snap);
      }
    });

    it("fails a write bio with a fault rule: the O_DIRECT write returns -EIO", () => {
      const { agent: a, block } = booted;
      const snap = booted.machine.save();
      try {
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        const fd = a.ok(0, { op: "OPEN", path: "/mnt/g", flags: O_RDWR | O_CREAT | O_DIRECT, mode: 0o644 });
        const buf = a.alloc(0, 8192);
        assert.equal(a.call(0, { op: "FALLOCATE", fd, off: 0, len: 8192 }), 0);
        assert.equal(a.call(0, { op: "FSYNC", fd }), 0);
        const before = block.log.length;
        block.setRules([{ op: "write", index: before, status: "IOERR", why: "the next write fails" }]);
        assert.equal(a.call(0, { op: "WRITE", fd, buf, len: 4096, off: 0 }), -5);
        assert.equal(block.log[before]!.status, BLK_STS.IOERR);
      } finally {
        booted.machine.load(snap);
      }
    });

    it("runs an asynchronous kiocb: submit returns -EIOCBQUEUED, the completion comes with the held bio", () => {
      const { agent: a, block } = booted;
      const snap = booted.machine.save();
      try {
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        const fd = a.ok(0, { op: "OPEN", path: "/mnt/h", flags: O_RDWR | O_CREAT | O_DIRECT, mode: 0o644 });
        const buf = a.alloc(0, 4096);
        a.writeMemory(buf, pattern(4096, 3));
        assert.equal(a.call(0, { op: "FALLOCATE", fd, off: 0, len: 4096 }), 0);
        assert.equal(a.call(0, { op: "FSYNC", fd }), 0);
        block.setRules([{ op: "write", completion: { when: "hold" }, why: "hold data writes" }]);
        const rec = a.startAsync(0, "WRITE", fd, buf, 4096, 0);
        assert.equal(a.wait(rec), EIOCBQUEUED);
        assert.equal(rec.completed, null, "no completion while the bio is held");
        const held = block.heldBios();
        assert.equal(held.length, 1);
        block.setRules([]);
        block.release(held[0]!.index, { cpu: 1 });
        assert.equal(a.wait(rec, { completion: true }), 4096);
      } finally {
        booted.machine.load(snap);
      }
    });

    it("sets up a loop device with direct I/O over an ext4 file: its reads and writes reach the file through the loop driver", () => {
      const { agent: a, block } = booted;
      const snap = booted.machine.save();
      try {
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        const img = a.ok(0, { op: "OPEN", path: "/mnt/img", flags: O_RDWR | O_CREAT, mode: 0o644 });
        const len = 32768;
        const buf = a.alloc(0, len);
        const data = pattern(len, 5);
        a.writeMemory(buf, data);
        assert.equal(a.call(0, { op: "WRITE", fd: img, buf, len, off: 0 }), len);
        assert.equal(a.call(0, { op: "FSYNC", fd: img }), 0);
        const nr = a.call(0, { op: "LOOP_ATTACH", path2: "/mnt/img", flags: 1 });
        assert.ok(nr >= 0, `LOOP_ATTACH: ${nr}`);
        const loop = a.ok(0, { op: "OPEN", path: `/dev/loop${nr}`, flags: O_RDWR | O_DIRECT });
        const rbuf = a.alloc(0, 8192);
        const bios = block.log.length;
        assert.equal(a.call(0, { op: "READ", fd: loop, buf: rbuf, len: 8192, off: 8192 }), 8192);
        assert.deepEqual(a.readMemory(rbuf, 8192), data.slice(8192, 16384));
        assert.ok(block.log.slice(bios).some((b) => b.op === "read"), "the loop device read the backing file from the disk");
        a.writeMemory(rbuf, pattern(8192, 9));
        assert.equal(a.call(0, { op: "WRITE", fd: loop, buf: rbuf, len: 8192, off: 0 }), 8192);
        assert.equal(a.call(0, { op: "DROP_CACHE", fd: img }), 0);
        const check = a.alloc(0, 8192);
        assert.equal(a.call(0, { op: "READ", fd: img, buf: check, len: 8192, off: 0 }), 8192);
        assert.deepEqual(a.readMemory(check, 8192), pattern(8192, 9), "the write through /dev/loop0 is in the file");
      } finally {
        booted.machine.load(snap);
      }
    });

    it("restores a snapshot: the same command after restore gives the same console and disk", () => {
      const { agent: a, machine } = booted;
      const snap = machine.save();
      const runOnce = () => {
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        return { console: machine.console.text((t) => machine.clock.stamp(t)), steps: machine.steps, now: machine.clock.now };
      };
      try {
        const first = runOnce();
        machine.load(snap);
        const second = runOnce();
        assert.deepEqual(second, first);
      } finally {
        machine.load(snap);
      }
    });

    it("a seeded random schedule is reproducible: same seed, same decisions and result", () => {
      const { machine } = booted;
      const snap = machine.save();
      const run = (seed: number) => {
        machine.load(snap);
        machine.scheduler = new SeededRandom(seed, 0.05);
        const a = booted.agent;
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        const r = a.call(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        return { r, decisions: JSON.stringify(machine.decisions), steps: machine.steps };
      };
      try {
        const a1 = run(7);
        const a2 = run(7);
        assert.equal(a1.r, 0);
        assert.deepEqual(a2, a1);
        assert.ok(a1.decisions.length > 2, "the random scheduler made choices");
      } finally {
        machine.load(snap);
        machine.scheduler = new RunToBlock();
      }
    });

    it("reports a hang when an awaited bio never completes (time limit, every CPU idle)", () => {
      const { agent: a, block, machine } = booted;
      const snap = machine.save();
      try {
        block.setRules([{ op: "read", completion: { when: "hold" }, why: "the disk never answers" }]);
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        const rec = a.start(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        const outcome = machine.run(() => rec.returned !== null, { untilNs: machine.clock.now + 5e9 });
        assert.equal(outcome, "time-limit");
        assert.equal(rec.returned, null);
        assert.ok(block.heldBios().length >= 1);
      } finally {
        machine.load(snap);
      }
    });

    it("reports a blocked operation as a hang naming where the task sleeps (its kernel stack)", () => {
      const { block, machine } = booted;
      const snap = machine.save();
      machine.trace = [];
      try {
        const ctx = new ScenarioContext(booted);
        ctx.hangAfterNs = 5e9;
        block.setRules([{ op: "read", completion: { when: "hold" }, why: "the disk never answers" }]);
        ctx.ok({ op: "MKDIR", path: "/mnt", mode: 0o755 });
        const rec = ctx.start(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
        assert.throws(
          () => ctx.wait(rec),
          (e: Error) => e instanceof HangObserved && /MOUNT on agent task 0: still waiting/.test(e.message) && /init\[1\]: sleeps in .*(ext4_fill_super|__bread|bh_|wait_on_buffer|folio_wait|ext4_)/.test(e.message),
        );
      } finally {
        machine.trace = null;
        machine.load(snap);
      }
    });
  });
}

describe("machine: Asyncify buffers", () => {
  it("a call stack unwound past its buffer's end is the machine's limit, named with the bytes it needed, not a kernel trap", () => {
    const mem32 = new Int32Array(64);
    const act = { label: "task 0x1000", kind: "task" as const, task: 0x1000, entry: () => {}, sp: 0, buf: 16, started: true, resume: null };
    mem32[act.buf >> 2] = act.buf + 100;
    assertUnwoundFits(mem32, act, 128);
    mem32[act.buf >> 2] = act.buf + 200;
    assert.throws(() => assertUnwoundFits(mem32, act, 128), (e: unknown) => e instanceof AsyncifyOverflow && /task 0x1000 needs 200 bytes, more than its Asyncify buffer of 128/.test(e.message));
  });
});
