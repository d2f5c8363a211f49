// The oracles on hand-built run records: each contract broken once (and
// its failure named), each widening the kernel allows accepted; the return
// contract's in oracles.return.test.ts. The runs on the real kernel are in
// oracles.machine.test.ts.
import assert from "node:assert/strict";
import type { JournalEntry } from "../harness/agent/journal.ts";
import { judge, type ProbeRecord } from "../harness/oracles/index.ts";
import { emptyProbe } from "../harness/oracles/probe.ts";
import { fileOps } from "../harness/oracles/ops.ts";
import { BLK_STS } from "../harness/block/faults.ts";
import { CLONE_THREAD_FLAGS, NR, O, RWF } from "../harness/user/abi.ts";
import { Run, fill, failedBio, oracles, EIOCBQUEUED } from "./support/run-record.ts";

describe("oracles on built run records", () => {
  it("completion: an async write that never completes, or completes twice, is named; one completion is clean", () => {
    for (const [completions, want] of [[0, ["completion"]], [2, ["completion"]], [1, []]] as const) {
      const r = new Run();
      const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      r.startRun();
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0, flags: 1 }, 100, EIOCBQUEUED, { completed: completions ? 4096 : null, completions, end: 200, data: fill(0xaa) });
      assert.deepEqual(oracles(r), want, `${completions} completions`);
    }
  });

  it("completion: an io_uring SQE without a CQE and a CQE for no SQE are named; a reaped CQE is clean", () => {
    const r = new Run();
    const enter = r.cmd({ op: "SYSCALL", flags: NR.io_uring_enter, args: [5, 2, 0, 0, 0, 0] }, 10, 2, { task: 1 });
    const sqe = (index: number, userData: string): JournalEntry => ({ kind: "sqe", cmd: enter.id, task: 1, ring: 5, index, userData, opcode: "READ", fd: 6, off: 0, len: 4096, rwFlags: 0 });
    r.journal.push(sqe(0, "1"), sqe(1, "2"));
    const reap = r.cmd({ op: "USER_WRITE" }, 50, 0, { task: 1 });
    r.journal.push({ kind: "cqe", cmd: reap.id, task: 1, ring: 5, userData: "1", res: 4096, flags: 0, atNs: 50 });
    r.journal.push({ kind: "cqe", cmd: reap.id, task: 1, ring: 5, userData: "7", res: 0, flags: 0, atNs: 50 });
    const f = r.judge().findings.filter((x) => x.oracle === "completion").map((x) => x.message);
    assert.equal(f.length, 2, f.join("\n"));
    assert.ok(f.some((m) => /#1\/sqe1|never completed/.test(m)));
    assert.ok(f.some((m) => /user_data 7/.test(m)));
  });

  it("data: a read that returns bytes no write left there is named, with who wrote them", () => {
    const r = new Run();
    const fd = r.file("/mnt/f");
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off: 0 }, 0, 8192, { data: new Uint8Array([...fill(0xaa), ...fill(0xbb)]) });
    r.startRun();
    r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { data: fill(0xbb) });
    const f = r.judge().findings.filter((x) => x.oracle === "data");
    assert.equal(f.length, 1);
    assert.ok(f[0]!.evidence.kind === "block");
    assert.match(f[0]!.evidence.seen, /bbbb.*: the bytes #2 wrote to \/mnt\/f at 4096/);
    assert.deepEqual(f[0]!.evidence.allowed, ["#2 aaaaaaaaaaaaaaaa…"]);
  });

  it("data: concurrent overlapping writes allow either value; a failed write leaves old or new; a hole reads zero", () => {
    const r = new Run();
    const fd = r.file("/mnt/f");
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 4096 }, 0, 4096, { data: fill(0x11) });
    r.startRun();
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 4096 }, 100, 4096, { end: 300, data: fill(0xaa) });
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 4096 }, 150, 4096, { end: 250, data: fill(0xbb) });
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 8192 }, 400, -5, { end: 450, data: fill(0xcc) });
    r.bios.push(failedBio("write", 410, 420));
    for (const [a, c] of [[0xaa, 0xcc], [0xbb, 0x00], [0xaa, 0x00]]) {
      r.cmd({ op: "READ", fd, buf: 4096, len: 12288, off: 0 }, 500, 12288, { data: new Uint8Array([...fill(0), ...fill(a!), ...fill(c!)]) });
      assert.deepEqual(r.judge().findings.filter((x) => x.oracle === "data"), [], `block 1 ${a}, block 2 ${c}`);
      r.commands.pop();
    }
    r.cmd({ op: "READ", fd, buf: 4096, len: 12288, off: 0 }, 500, 12288, { data: new Uint8Array([...fill(0), ...fill(0x11), ...fill(0)]) });
    assert.deepEqual(oracles(r), ["data"], "the set-up's 0x11 was overwritten by both completed writes");
  });

  it("data: a NOWAIT write that returned -EAGAIN did nothing; after AGAIN to a bio that could wait it may have landed", () => {
    for (const [bioNowait, want] of [[true, ["data"]], [false, []]] as const) {
      const r = new Run();
      r.file("/mnt/f");
      const open = r.cmd({ op: "SYSCALL", flags: NR.openat, args: [-100, 0, O.RDWR | O.DIRECT, 0] }, 0, 4, { task: 1 });
      r.journal.push({ kind: "open", cmd: open.id, task: 1, path: "/mnt/f", flags: O.RDWR | O.DIRECT });
      r.startRun();
      const w = r.cmd({ op: "SYSCALL", flags: NR.pwritev2, args: [4, 0, 1, 0, 0, RWF.NOWAIT] }, 10, -11, { task: 1, end: 50 });
      r.journal.push({ kind: "rw", cmd: w.id, task: 1, write: true, fd: 4, off: 0, len: 8192, rwFlags: RWF.NOWAIT });
      r.journal.push({ kind: "bytes", cmd: w.id, task: 1, index: 0, data: fill(0xaa, 8192) });
      r.bios.push({ ...failedBio("write", 20, 30), status: BLK_STS.AGAIN, nowait: bioNowait });
      // Its first page landed, its second did not: the call reported -EAGAIN over a partial write.
      r.probe = { ...emptyProbe(null), files: [{ path: "/mnt/f", reads: [{ how: "direct", result: 8192, asked: 8192, data: new Uint8Array([...fill(0xaa), ...fill(0)]) }] }] };
      assert.deepEqual(oracles(r), want, bioNowait ? "the device answered AGAIN to a REQ_NOWAIT bio: the call's -EAGAIN promised nothing was written" : "AGAIN to a bio that could wait is outside the promise");
    }
  });

  it("data: a write that syncs the file and fails may have lost other dirty pages' writeback; a plain direct write's failed bio is its own", () => {
    for (const syncs of [true, false]) {
      const r = new Run();
      const buffered = r.file("/mnt/f");
      r.cmd({ op: "WRITE", fd: buffered, buf: 4096, len: 4096, off: 4096 }, 0, 4096, { data: fill(0x11) });
      const direct = r.file("/mnt/f", O.RDWR | O.DIRECT | (syncs ? O.DSYNC : 0));
      r.startRun();
      r.cmd({ op: "WRITE", fd: direct, buf: 4096, len: 4096, off: 0 }, 100, -5, { end: 200, data: fill(0xaa) });
      r.bios.push(failedBio("write", 150, 160));
      r.cmd({ op: "READ", fd: buffered, buf: 4096, len: 4096, off: 4096 }, 300, 4096, { data: fill(0) });
      assert.deepEqual(oracles(r), syncs ? [] : ["data"], syncs ? "the sync wrote back block 1 and that bio failed" : "the failed bio belongs to the direct write that reported it");
    }
  });

  it("console: the stale page cache warning is the workload's when a buffered write, a truncate or a fallocate (on any descriptor) overlapped a direct write in time and range", () => {
    const STALE = "Page cache invalidation failure on direct I/O.  Possible data corruption due to collision with buffered I/O!";
    for (const [other, want] of [["buffered", 0], ["fallocate", 0], ["fallocate elsewhere", 1], ["none", 1]] as const) {
      const r = new Run();
      const direct = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      const buffered = r.file("/mnt/f");
      r.startRun();
      r.cmd({ op: "WRITE", fd: direct, buf: 4096, len: 8192, off: 0 }, 100, 8192, { end: 200, data: fill(1, 8192) });
      if (other === "buffered") r.cmd({ op: "WRITE", fd: buffered, buf: 4096, len: 512, off: 4096 }, 120, 512, { task: 1, end: 130, data: fill(2, 512) });
      if (other.startsWith("fallocate")) r.cmd({ op: "FALLOCATE", fd: direct, mode: 2 | 1, off: other === "fallocate" ? 4096 : 65536, len: 512 }, 120, 0, { task: 1, end: 130 });
      r.console.push({ timeNs: 190, cpu: 0, text: STALE });
      assert.equal(oracles(r).filter((o) => o === "console").length, want, other);
    }
  });

  it("return and data: a failed writeback bio inside a direct write (its fallback to buffered I/O) is the mapping's error, not the write's; the data may be lost", () => {
    for (const writeback of [true, false]) {
      const r = new Run();
      const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      r.startRun();
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 200, data: fill(2) });
      r.bios.push({ ...failedBio("write", 120, 150), writeback });
      r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 300, 4096, { data: fill(0) });
      const found = r.judge().findings;
      assert.deepEqual(found.filter((f) => f.oracle === "return").length, writeback ? 0 : 1, `writeback ${writeback}`);
      assert.deepEqual(found.filter((f) => f.oracle === "data").length, writeback ? 0 : 1, `writeback ${writeback}`);
    }
  });

  it("data: after a failed writeback each page of a buffered write is kept or lost on its own; without a failed bio a torn page is named", () => {
    for (const failed of [true, false]) {
      const r = new Run();
      const fd = r.file("/mnt/f");
      r.startRun();
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off: 0 }, 100, 8192, { end: 110, data: fill(3, 8192) });
      if (failed) r.bios.push({ ...failedBio("write", 120, 150), writeback: true });
      r.cmd({ op: "READ", fd, buf: 4096, len: 8192, off: 0 }, 300, 8192, { data: new Uint8Array([...fill(3), ...fill(0)]) });
      assert.deepEqual(oracles(r), failed ? [] : ["data"], failed ? "page 1's writeback failed: zeros there" : "no bio failed: page 1 must read the write");
    }
  });

  it("data: the probe's writeback of a file refused after a failed bio (ext4 gone read-only: -EROFS) is allowed; with no failed bio it is named", () => {
    for (const failed of [true, false]) {
      const r = new Run();
      const fd = r.file("/mnt/f");
      r.startRun();
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 110, data: fill(3) });
      if (failed) r.bios.push(failedBio("write", 120, 150));
      r.probe = { ...emptyProbe(null), files: [{ path: "/mnt/f", reads: [{ how: "buffered", result: 4096, asked: 8192, data: fill(3) }], writeback: -30 }] };
      const msgs = r.judge().findings.filter((f) => f.oracle === "data").map((f) => f.message);
      if (failed) assert.deepEqual(msgs, []);
      else assert.match(msgs.join("\n"), /writing \/mnt\/f back returned -30, though no bio failed/);
    }
  });

  it("data: after a failed read bio (it may have been a bitmap the allocation needed) dirty buffered data may never reach the disk; with no failed bio a direct read must see it", () => {
    for (const failed of [true, false]) {
      const r = new Run();
      const buffered = r.file("/mnt/f");
      r.cmd({ op: "WRITE", fd: buffered, buf: 4096, len: 4096, off: 0 }, 0, 4096, { data: fill(0x11) });
      const direct = r.file("/mnt/f", O.RDWR | O.DIRECT);
      r.startRun();
      r.cmd({ op: "READ", fd: direct, buf: 4096, len: 4096, off: 4096 }, 100, failed ? -5 : 0, { end: 200 });
      if (failed) r.bios.push(failedBio("read", 150, 160));
      r.cmd({ op: "READ", fd: direct, buf: 4096, len: 4096, off: 0 }, 300, 4096, { data: fill(0) });
      assert.deepEqual(oracles(r), failed ? [] : ["data"], failed ? "writeback's allocation may have failed" : "no bio failed: the read must see the written bytes");
    }
  });

  it("data and size: the probe's buffered, direct and after-drop reads must agree and give the size the ops imply", () => {
    const r = new Run();
    const fd = r.file("/mnt/f");
    r.startRun();
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off: 0 }, 0, 8192, { data: fill(7, 8192) });
    r.probe = { ...emptyProbe(null), files: [{ path: "/mnt/f", reads: [
      { how: "buffered", result: 8192, asked: 12288, data: fill(7, 8192) },
      { how: "direct", result: 8192, asked: 12288, data: new Uint8Array([...fill(7), ...fill(0)]) },
      { how: "after-drop-cache", result: 4096, asked: 12288, data: fill(7) },
    ] }] };
    const msgs = r.judge().findings.map((f) => `${f.oracle}: ${f.message}`).join("\n");
    assert.match(msgs, /data: .*probe direct read saw 0000/);
    assert.match(msgs, /data: \/mnt\/f: buffered and direct reads differ at byte 4096/);
    // An injected allocation failure can end writeback as a failed bio does: the buffered data may be lost, the reads may differ.
    assert.deepEqual(judge({ ...r.record(), injectedFaults: 1 }).findings.filter((f) => f.oracle === "data"), []);
    r.probe.files[0]!.reads = [{ how: "buffered", result: 4096, asked: 12288, data: fill(7) }];
    assert.match(r.judge().findings.map((f) => f.message).join("\n"), /i_size 4096 at quiescence, the completed operations imply 8192/);
    // A probe read that failed (-EIO) met a range the kernel cannot read: the buffered read stopped there, so its length is not i_size.
    r.probe.files[0]!.reads.push({ how: "direct", result: -5, asked: 12288, data: null });
    assert.deepEqual(r.judge().findings.filter((f) => f.oracle === "offset-size"), []);
  });

  it("size: an appending write lands at i_size (the set-up's calls are not concurrent with the run's even at one time stamp); no file grows past the end any op could make", () => {
    const r = new Run();
    const fd = r.file("/mnt/f");
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off: 0 }, 0, 8192, { data: fill(7, 8192), end: 5 });
    const open = r.cmd({ op: "SYSCALL", flags: NR.openat, args: [-100, 0, O.RDWR | O.DIRECT | O.APPEND, 0o644] }, 5, 3, { task: 1, end: 5 });
    r.journal.push({ kind: "open", cmd: open.id, task: 1, path: "/mnt/f", flags: O.RDWR | O.DIRECT | O.APPEND });
    r.startRun();
    const w = r.cmd({ op: "SYSCALL", flags: NR.pwrite64, args: [3, 0, 4096, 8192] }, 5, 4096, { task: 1 });
    r.journal.push({ kind: "rw", cmd: w.id, task: 1, write: true, fd: 3, off: 8192, len: 4096, rwFlags: 0 });
    const probeOf = (size: number, asked: number): ProbeRecord => ({ ...emptyProbe(null), files: [{ path: "/mnt/f", reads: [{ how: "buffered", result: size, asked, data: null }] }] });
    r.probe = probeOf(16384, 20480);
    const msgs = r.judge().findings.map((f) => f.message).join("\n");
    assert.match(msgs, /i_size 16384 at quiescence, the completed operations imply 12288/);
    assert.match(msgs, /i_size at least 16384 at quiescence, past the end any operation could have made \(12288\)/);
    r.probe = probeOf(12288, 20480);
    assert.deepEqual(oracles(r), []);
  });

  it("offset: a user read/write that returned n must move the position by n", () => {
    const r = new Run();
    const open = r.cmd({ op: "SYSCALL", flags: NR.openat, args: [-100, 0, O.RDWR | O.CREAT, 0o644] }, 0, 3, { task: 1 });
    r.journal.push({ kind: "open", cmd: open.id, task: 1, path: "/mnt/f", flags: O.RDWR | O.CREAT });
    r.startRun();
    for (const at of [10, 20]) {
      const w = r.cmd({ op: "SYSCALL", flags: NR.write, args: [3, 0, 4096] }, at, 4096, { task: 1 });
      r.journal.push({ kind: "rw", cmd: w.id, task: 1, write: true, fd: 3, off: null, len: 4096, rwFlags: 0 });
    }
    r.probe = { ...emptyProbe(null), positions: [{ task: 1, fd: 3, pos: 4096 }] };
    assert.match(r.judge().findings.map((f) => f.message).join(), /position 4096 after read\/write calls that returned 8192/);
    r.probe.positions[0]!.pos = 8192;
    assert.deepEqual(oracles(r), []);
  });

  it("a thread (clone with CLONE_FILES | CLONE_SETTLS) uses its process's descriptors: its calls are on the file", () => {
    const r = new Run();
    r.startRun();
    const open = r.cmd({ op: "SYSCALL", flags: NR.openat, args: [] }, 0, 3, { task: 1 });
    r.journal.push({ kind: "open", cmd: open.id, task: 1, path: "/mnt/f", flags: O.RDWR | O.CREAT });
    r.cmd({ op: "SYSCALL", flags: NR.clone, args: [CLONE_THREAD_FLAGS, 0, 0, 0, 7] }, 10, 40, { task: 1 });
    const w = r.cmd({ op: "SYSCALL", flags: NR.pwrite64, args: [] }, 20, 4096, { task: 7, end: 30 });
    r.journal.push({ kind: "rw", cmd: w.id, task: 7, write: true, fd: 3, off: 0, len: 4096, rwFlags: 0 });
    const ops = fileOps({ commands: r.commands, journal: r.journal, runFromCmd: r.runFromCmd, probeFromCmd: r.commands.length + 1 }).ops;
    assert.deepEqual(ops.map((o) => [o.task, o.file]), [[7, "/mnt/f"]]);
  });

  it("hang, crash, unmount and fsck come from the machine and the probe; declarations mark expected and switch off", () => {
    const r = new Run();
    const rec = { ...r.record(), hang: "A's completion: still waiting after 30 s of simulated time", tasks: ["aio-W[12]: sleeps in inode_dio_wait < ext4_setattr", "kworker/0:1[5]: sleeps in worker_thread"] };
    const j = judge(rec, { expect: ["hang"] });
    assert.equal(j.findings.length, 1);
    assert.equal(j.findings[0]!.oracle, "hang");
    assert.equal(j.findings[0]!.expected, true);
    assert.ok(j.findings[0]!.evidence.kind === "hang" && j.findings[0]!.evidence.tasks[0]!.includes("inode_dio_wait"));
    r.probe = { ...emptyProbe(null), unmounts: [{ mount: { dev: "/dev/wda", dir: "/mnt", fstype: "vfat", disk: 0, kind: null }, result: -16 }], fsck: [{ dev: "/dev/wda", tool: "e2fsck -fn", exitCode: 4, output: "Block bitmap differences: +1234" }] };
    assert.deepEqual(oracles(r), ["unmount", "fsck"]);
    // vfat keeps no journal: after a failed write bio its checker may find it inconsistent; ext4's may not.
    const vfat = new Run();
    vfat.probe = { ...emptyProbe(null), unmounts: [{ mount: { dev: "/dev/wda", dir: "/mnt", fstype: "vfat", disk: 0, kind: null }, result: 0 }], fsck: [{ dev: "/dev/wda", tool: "fsck.vfat -n", exitCode: 1, output: "Reclaimed 5 unused clusters" }] };
    assert.deepEqual(oracles(vfat), ["fsck"]);
    vfat.bios.push(failedBio("write", 100, 110));
    assert.deepEqual(oracles(vfat), []);
    const ext4 = new Run();
    ext4.probe = { ...vfat.probe, unmounts: [{ ...vfat.probe.unmounts[0]!, mount: { ...vfat.probe.unmounts[0]!.mount, fstype: "ext4" } }] };
    ext4.bios.push(failedBio("write", 100, 110));
    assert.deepEqual(oracles(ext4), ["fsck"]);
    const off = r.judge({ off: [{ oracle: "unmount", reason: "the loop device keeps its backing file open" }] });
    assert.deepEqual(off.findings.map((f) => f.oracle), ["fsck"]);
    assert.deepEqual(off.off, [{ oracle: "unmount", reason: "the loop device keeps its backing file open" }]);
    assert.deepEqual(oracles(new Run()), [], "an empty run raises nothing");
    // A file the probe cannot open: a finding, unless a bio failed (a filesystem shuts down after a failed metadata write).
    const shut = new Run();
    shut.probe = { ...emptyProbe(null), files: [{ path: "/mnt/f", reads: [], refused: -5 }] };
    assert.deepEqual(oracles(shut), ["data"]);
    shut.bios.push(failedBio("write", 100, 110));
    assert.deepEqual(oracles(shut), []);
    assert.equal(judge({ ...new Run().record(), error: "kernel trap on CPU 0: unreachable" }).findings[0]!.oracle, "crash");
  });
});
