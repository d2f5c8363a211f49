// The generic oracles on the real kernel: clean runs (every filesystem's
// round trip, user I/O through syscalls, AIO and io_uring) raise nothing;
// runs built to break an oracle make exactly that oracle fire, by a real
// trigger where the machine has one (bytes changed under a file, a
// corrupted directory block, a bio that never completes, a loop device
// holding its backing file, completions left unreaped with the probe off)
// and otherwise by changing one value of a real run's record.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootKernel } from "../harness/boot/boot.ts";
import { makeDisk, type FsKind } from "../harness/block/images.ts";
import { judge, marksOf, recordRun, type OracleFinding, type RunRecord } from "../harness/oracles/index.ts";
import { runScenario } from "../harness/scenario/run.ts";
import { blocks, O as AO, type ScenarioContext } from "../harness/scenario/context.ts";
import type { Scenario } from "../harness/scenario/types.ts";
import { AioContext, IoUring, O, PAGE_SIZE, UserTask } from "../harness/user/index.ts";
import { builtKernels } from "./support/built.ts";

const show = (f: readonly OracleFinding[]) => f.map((x) => `${x.oracle}: ${x.message}`).join("\n");
const FSTYPE: Record<FsKind, string> = { ext4: "ext4", "ext4-noextents": "ext4", ext3: "ext4", btrfs: "btrfs", vfat: "vfat", "ext4-inline": "ext4" };

function pattern(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 13 + seed * 101 + (i >> 12)) & 0xff;
  return b;
}

/** A scenario from a set-up and a run on one disk (no expectations: only the oracles judge it). */
function scenario<S>(name: string, kind: FsKind, setup: (s: ScenarioContext) => S, run: (s: ScenarioContext, st: S) => void, extra: Partial<Scenario<S>> = {}): Scenario<S> {
  return { name, title: name, exercises: ["fs/"], disks: [{ kind }], cpus: 2, setup, run, expectations: [], ...extra };
}

/** O_DIRECT and buffered round trips through the agent: write, fsync, drop the cache, read back. */
function roundTrip(kind: FsKind): Scenario<{ buf: number }> {
  return scenario(
    `oracle-clean-${kind}`,
    kind,
    (s) => {
      s.mount("/dev/wda", "/mnt", FSTYPE[kind]);
      return { buf: s.agent.alloc(0, 16384) };
    },
    (s, { buf }) => {
      for (const [name, flags, seed] of [["direct", AO.DIRECT, 1], ["buffered", 0, 2]] as const) {
        const fd = s.open(`/mnt/${name}`, AO.RDWR | AO.CREAT | flags);
        s.agent.writeMemory(buf, pattern(16384, seed));
        s.ok({ op: "WRITE", fd, buf, len: 16384, off: 0 });
        s.ok({ op: "WRITE", fd, buf, len: 4096, off: 20480 });
        s.ok({ op: "FSYNC", fd });
        s.ok({ op: "DROP_CACHE", fd });
        s.ok({ op: "READ", fd, buf, len: 16384, off: 8192 });
        s.ok({ op: "CLOSE", fd });
      }
    },
  );
}

/** A user task writing with write(2), pwrite, AIO and io_uring, reading back with pread and io_uring. */
const userIo = scenario(
  "oracle-clean-user-io",
  "ext4",
  (s) => {
    s.mount("/dev/wda", "/mnt", "ext4");
    const u = UserTask.spawn(s.agent, { name: "oracle-user" });
    const fd = u.open("/mnt/u", O.RDWR | O.CREAT | O.DIRECT);
    return { u, fd, ring: IoUring.setup(u, 8), aio: AioContext.setup(u, 8), buf: u.buffer(4 * PAGE_SIZE) };
  },
  (s, { u, fd, ring, aio, buf }) => {
    u.writeUser(buf.addr, pattern(4 * PAGE_SIZE, 3));
    assert.equal(u.writeFd(fd, buf.addr, PAGE_SIZE), PAGE_SIZE);
    assert.equal(u.pwrite(fd, buf.addr, PAGE_SIZE, PAGE_SIZE), PAGE_SIZE);
    assert.equal(aio.submit([{ opcode: "PWRITE", fd, buf: buf.addr, nbytes: PAGE_SIZE, offset: 2 * PAGE_SIZE }]).submitted, 1);
    assert.equal(aio.getEvents(1, 1)[0]!.res, PAGE_SIZE);
    ring.prep({ opcode: "WRITE", fd, addr: buf.addr, len: PAGE_SIZE, off: 3 * PAGE_SIZE, userData: 1 }).prep({ opcode: "READ", fd, addr: buf.addr + PAGE_SIZE, len: PAGE_SIZE, off: 0, userData: 2 });
    assert.equal(ring.submit(2), 2);
    assert.equal(ring.reap().length, 2);
    assert.equal(u.pread(fd, buf.addr, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
  },
);

/** The root directory's first block of an ext4 image (debugfs on a copy). */
function rootDirBlock(image: Uint8Array): number {
  const dir = mkdtempSync(join(tmpdir(), "dioscope-oracle-"));
  try {
    const img = join(dir, "disk.img");
    writeFileSync(img, image);
    const out = execFileSync("debugfs", ["-R", "blocks /", img], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    return Number(out.trim().split(/\s+/)[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where `needle` sits on a disk, 4 KiB-aligned. */
function findBlock(image: Uint8Array, needle: Uint8Array): number {
  for (let off = 0; off + needle.length <= image.length; off += 4096) if (needle.every((b, i) => image[off + i] === b)) return off;
  throw new Error("pattern not on the disk");
}

for (const k of builtKernels()) {
  describe(`generic oracles on kernel ${k.tree}`, function () {
    this.timeout(600_000);

    for (const kind of ["ext4", "ext4-noextents", "ext3", "btrfs", "vfat", "ext4-inline"] as const) {
      it(`${kind}: a round trip raises no oracle; the probe re-read, unmounted and checked the image`, () => {
        const r = runScenario(roundTrip(kind), k.wasmPath);
        assert.deepEqual(r.oracles.findings, [], show(r.oracles.findings));
        assert.equal(r.probe?.stuck, null);
        assert.deepEqual(r.probe?.files.map((f) => f.path).sort(), ["/mnt/buffered", "/mnt/direct"]);
        assert.ok(r.probe!.files.every((f) => f.reads.length === 3 && f.reads.every((x) => x.result === 24576)), JSON.stringify(r.probe!.files.map((f) => f.reads.map((x) => x.result))));
        assert.deepEqual(r.probe?.unmounts.map((u) => u.result), [0]);
        assert.equal(r.probe?.fsck.length, 1);
      });
    }

    it("user I/O (write, pwrite, AIO, io_uring) raises no oracle; the position the kernel reports is the one the calls imply", () => {
      const r = runScenario(userIo, k.wasmPath);
      assert.deepEqual(r.oracles.findings, [], show(r.oracles.findings));
      assert.deepEqual(r.probe?.positions.map((p) => p.pos), [PAGE_SIZE]);
      assert.ok(r.probe!.closes.some((c) => c.what === "io_uring") && r.probe!.closes.some((c) => c.what === "/mnt/u"));
    });

    it("a user task killed in the run (its files, ring and AIO context closed by its exit) and one that called exit_group raise no oracle", () => {
      const s = scenario(
        "oracle-killed",
        "ext4",
        (c) => {
          c.mount("/dev/wda", "/mnt", "ext4");
          const victim = UserTask.spawn(c.agent, { name: "victim" });
          const fd = victim.open("/mnt/victim", O.RDWR | O.CREAT | O.DIRECT);
          const ring = IoUring.setup(victim, 4);
          AioContext.setup(victim, 4);
          return { victim, fd, ring, buf: victim.buffer(PAGE_SIZE), killer: UserTask.spawn(c.agent, { name: "killer" }), exiter: UserTask.spawn(c.agent, { name: "exiter" }) };
        },
        (c, { victim, fd, ring, buf, killer, exiter }) => {
          ring.prep({ opcode: "WRITE", fd, addr: buf.addr, len: PAGE_SIZE, off: 0, userData: 1 });
          assert.equal(ring.submit(1), 1);
          assert.equal(ring.reap().length, 1);
          assert.equal(killer.syscall("kill", [victim.pid, 9]), 0);
          exiter.start("exit_group", [0]);
          c.machine.run(() => !c.machine.suspendedTasks().some((t) => t.startsWith("victim[") || t.startsWith("exiter[")), { untilNs: c.machine.clock.now + 1e9 });
        },
      );
      const r = runScenario(s, k.wasmPath);
      assert.deepEqual(r.oracles.findings, [], show(r.oracles.findings));
      assert.deepEqual(r.probe?.unmounts.map((u) => u.result), [0]);
    });

    it("completion: an io_uring SQE and an AIO iocb never reaped fire it with the probe off; the probe reaps them and the run is clean", () => {
      const b = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4")] });
      b.agent.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
      b.agent.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
      const u = UserTask.spawn(b.agent, { name: "unreaped" });
      const fd = u.open("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      const ring = IoUring.setup(u, 4), aio = AioContext.setup(u, 4), buf = u.buffer(PAGE_SIZE);
      const marks = marksOf(b);
      ring.prep({ opcode: "WRITE", fd, addr: buf.addr, len: PAGE_SIZE, off: 0, userData: 9 });
      assert.equal(ring.submit(0), 1);
      assert.equal(aio.submit([{ opcode: "PWRITE", fd, buf: buf.addr, nbytes: PAGE_SIZE, offset: PAGE_SIZE }]).submitted, 1);
      const end = { hang: null, error: null };
      const without = judge(recordRun(b, "unreaped", marks, end, {}, false)).findings;
      assert.deepEqual(without.map((f) => f.oracle), ["completion", "completion"], show(without));
      assert.match(show(without), /uring write of 4096 at 0 on \/mnt\/f never completed[\s\S]*aio write of 4096 at 4096 on \/mnt\/f never completed/);
      const withProbe = judge(recordRun(b, "unreaped", marks, end, {}, true)).findings;
      assert.deepEqual(withProbe, [], show(withProbe));
    });

    it("return: a DIO write whose bio the disk fails returns -EIO (clean); the same record claiming full success, or without the failed bio, fires it", () => {
      const b = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4")] });
      const a = b.agent;
      a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
      a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
      const buf = a.alloc(0, 8192);
      a.writeMemory(buf, blocks(1, 2));
      const fd = a.ok(0, { op: "OPEN", path: "/mnt/f", flags: AO.RDWR | AO.CREAT | AO.DIRECT, mode: 0o644 });
      a.ok(0, { op: "WRITE", fd, buf, len: 8192, off: 0 });
      a.ok(0, { op: "FSYNC", fd });
      const marks = marksOf(b);
      b.block.setRules([{ op: "write", nth: 1, status: "IOERR", why: "the disk fails the overwrite" }]);
      const w = a.start(0, { op: "WRITE", fd, buf, len: 4096, off: 4096 });
      assert.equal(a.wait(w), -5);
      const rec = recordRun(b, "dio-eio", marks, { hang: null, error: null }, {});
      assert.deepEqual(judge(rec).findings, [], show(judge(rec).findings));
      const claimed: RunRecord = { ...rec, commands: rec.commands.map((c) => (c.id === w.id ? { ...c, returned: 4096 } : c)) };
      assert.match(show(judge(claimed).findings), /^return: agent write of 4096 at 4096 on \/mnt\/f: the disk failed bio #\d+ .* yet it reported full success$/m);
      const noBio: RunRecord = { ...rec, bios: rec.bios.filter((x) => x.status === 0) };
      assert.match(show(judge(noBio).findings), /^return: .* returned -EIO, but no bio failed and no fault was injected$/m);
    });

    it("offset-size: write(2) twice moves the position by what they returned and sets i_size (clean); a position or size off by a page fires it", () => {
      const b = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4")] });
      b.agent.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
      b.agent.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
      const u = UserTask.spawn(b.agent, { name: "writer" });
      const fd = u.open("/mnt/seq", O.RDWR | O.CREAT);
      const buf = u.buffer(PAGE_SIZE);
      const marks = marksOf(b);
      assert.equal(u.writeFd(fd, buf.addr, PAGE_SIZE), PAGE_SIZE);
      assert.equal(u.writeFd(fd, buf.addr, 100), 100);
      const rec = recordRun(b, "seq", marks, { hang: null, error: null }, {});
      assert.deepEqual(judge(rec).findings, [], show(judge(rec).findings));
      assert.deepEqual(rec.probe!.positions, [{ task: u.id, fd, pos: PAGE_SIZE + 100 }]);
      const moved: RunRecord = { ...rec, probe: { ...rec.probe!, positions: [{ task: u.id, fd, pos: 100 }] } };
      assert.match(show(judge(moved).findings), /^offset-size: fd \d+ of task \d+: position 100 after read\/write calls that returned 4196 bytes in all$/m);
      const f = rec.probe!.files[0]!;
      const shrunk: RunRecord = { ...rec, probe: { ...rec.probe!, files: [{ ...f, reads: f.reads.map((r) => (r.how === "buffered" ? { ...r, result: PAGE_SIZE, data: r.data!.subarray(0, PAGE_SIZE) } : r)) }] } };
      assert.match(show(judge(shrunk).findings), /^offset-size: \/mnt\/seq: i_size 4096 at quiescence, the completed operations imply 4196$/m);
    });

    it("data: bytes changed on the disk under a file are read through O_DIRECT and named as written by no operation", () => {
      const P = pattern(4096, 5);
      const s = scenario(
        "oracle-foreign-block",
        "ext4",
        (c) => {
          c.mount("/dev/wda", "/mnt", "ext4");
          c.createFile("/mnt/f", P, { dropCache: true });
          const at = findBlock(c.block.disks[0]!.image(), P.subarray(0, 256));
          c.block.disks[0]!.write(at, new Uint8Array(4096).fill(0x5a));
          return { fd: c.open("/mnt/f", AO.RDONLY | AO.DIRECT), buf: c.agent.alloc(0, 4096) };
        },
        (c, { fd, buf }) => void c.ok({ op: "READ", fd, buf, len: 4096, off: 0 }),
      );
      const r = runScenario(s, k.wasmPath);
      const data = r.oracles.findings.filter((f) => f.oracle === "data");
      assert.ok(data.length >= 1, show(r.oracles.findings));
      assert.match(data[0]!.message, /#\d+ saw 5a5a5a5a5a5a5a5a… \(4096 bytes: written by no operation on this file\) at 0/);
      assert.deepEqual([...new Set(r.oracles.findings.map((f) => f.oracle))], ["data"], show(r.oracles.findings));
    });

    it("console and fsck: a corrupted ext4 directory block makes the kernel report EXT4-fs error, and e2fsck finds it after unmount", () => {
      const s = scenario(
        "oracle-corrupt-dir",
        "ext4",
        (c) => {
          const d = c.block.disks[0]!;
          d.write(rootDirBlock(d.image()) * 4096 + 64, new Uint8Array(64).fill(0xff));
          c.mount("/dev/wda", "/mnt", "ext4");
          return null;
        },
        (c) => void c.observe("open", c.call({ op: "OPEN", path: "/mnt/new", flags: AO.RDWR | AO.CREAT, mode: 0o644 })),
      );
      const r = runScenario(s, k.wasmPath);
      const f = r.oracles.findings;
      assert.ok(f.some((x) => x.oracle === "console" && x.evidence.kind === "console" && x.evidence.family === "fs-error"), show(f));
      assert.ok(f.some((x) => x.oracle === "fsck" && /e2fsck -fn on \/dev\/wda exited [1-9]/.test(x.message)), show(f));
    });

    it("hang: a sync O_DIRECT write whose bio never completes is a hang finding naming where the writer sleeps", () => {
      const s = scenario(
        "oracle-held-bio",
        "ext4",
        (c) => {
          c.mount("/dev/wda", "/mnt", "ext4");
          c.createFile("/mnt/f", blocks(1));
          return { W: c.task("held-W", 1), fd: c.open("/mnt/f", AO.RDWR | AO.DIRECT), buf: c.buffer(blocks(2)) };
        },
        (c, { W, fd, buf }) => {
          c.block.setRules([{ op: "write", completion: { when: "hold" }, why: "the disk never answers" }]);
          c.wait(c.start(W, { op: "WRITE", fd, buf, len: 4096, off: 0 }));
        },
      );
      const r = runScenario(s, k.wasmPath);
      assert.deepEqual(r.oracles.findings.map((f) => f.oracle), ["hang"], show(r.oracles.findings));
      const e = r.oracles.findings[0]!.evidence;
      assert.ok(e.kind === "hang" && e.tasks.some((t) => /held-W\[\d+\]: sleeps in .*iomap_dio_rw|held-W\[\d+\]: sleeps in .*__blockdev_direct_IO|held-W\[\d+\]: sleeps in .*ext4_/.test(t)), JSON.stringify(e));
      assert.match(r.probe?.skipped ?? "", /the run did not finish/);
    });

    it("unmount: a loop device over a file keeps the filesystem busy (fires); switched off by name, the reason is listed", () => {
      const loop = (off: boolean) =>
        scenario(
          `oracle-loop-${off}`,
          "vfat",
          (c) => {
            c.mount("/dev/wda", "/mnt", "vfat");
            c.createFile("/mnt/backing", blocks(1, 2));
            return c.ok({ op: "LOOP_ATTACH", path2: "/mnt/backing", flags: 1 });
          },
          () => {},
          off ? { oracles: { off: [{ oracle: "unmount", reason: "the loop device keeps its backing file open" }] } } : {},
        );
      const on = runScenario(loop(false), k.wasmPath).oracles;
      assert.deepEqual(on.findings.map((f) => f.oracle), ["unmount"], show(on.findings));
      assert.match(on.findings[0]!.message, /unmounting \/mnt \(vfat on \/dev\/wda\) returned -16/);
      const off = runScenario(loop(true), k.wasmPath);
      assert.deepEqual(off.oracles.findings, [], show(off.oracles.findings));
      assert.deepEqual(off.oracles.off, [{ oracle: "unmount", reason: "the loop device keeps its backing file open" }]);
      assert.ok(off.probe!.notes.some((n) => /unmount and fsck not done: the loop device/.test(n)));
    });
  });
}
