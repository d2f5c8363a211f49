// The return contract (harness/oracles/contracts.ts) on hand-built run
// records: each rule broken once and named, each widening the kernel
// allows accepted (whose a failed bio is, retries, NOWAIT, device ends).
import assert from "node:assert/strict";
import { BIO_FLAGS } from "../harness/block/device.ts";
import { NR, O, RWF } from "../harness/user/abi.ts";
import { Run, fill, failedBio, oracles, EIOCBQUEUED } from "./support/run-record.ts";

describe("the return contract on built run records", () => {
  it("return: more than asked, -EAGAIN without NOWAIT, -EIO with no failed bio; -EIO with a failed bio is clean", () => {
    const r = new Run();
    const fd = r.file("/mnt/f");
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off: 0 }, 0, 8192, { data: fill(1, 8192) });
    r.startRun();
    r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 100, 8192);
    r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 200, -11);
    r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 300, -5);
    const msgs = r.judge().findings.filter((f) => f.oracle === "return").map((f) => f.message);
    assert.equal(msgs.length, 3, msgs.join("\n"));
    assert.match(msgs.join("\n"), /more than asked[\s\S]*-EAGAIN without NOWAIT[\s\S]*no bio failed/);
    r.bios.push(failedBio("read", 300, 305));
    assert.deepEqual(r.judge().findings.filter((f) => f.oracle === "return" && /-EIO/.test(f.message)), []);
  });

  it("return: -EAGAIN without NOWAIT is clean when the disk answered AGAIN to a bio that could wait (not to a NOWAIT one)", () => {
    for (const [nowait, want] of [[false, 0], [true, 1]] as const) {
      const r = new Run();
      const fd = r.file("/mnt/f");
      r.startRun();
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 100, -11, { data: fill(1) });
      r.bios.push({ ...failedBio("write", 110, 120), status: 12, nowait });
      assert.equal(r.judge().findings.filter((f) => f.oracle === "return").length, want, `AGAIN to a ${nowait ? "NOWAIT " : ""}bio`);
    }
  });

  it("return: a failed write bio inside a direct write that reports full success is named, unless the page cache held dirty data there (the write's writeback first)", () => {
    for (const [dirty, synced, want] of [[false, false, 1], [true, false, 0], [true, true, 1]] as const) {
      const r = new Run();
      const buffered = r.file("/mnt/f");
      const direct = r.file("/mnt/f", O.RDWR | O.DIRECT);
      if (dirty) r.cmd({ op: "WRITE", fd: buffered, buf: 4096, len: 4096, off: 0 }, 0, 4096, { data: fill(2) });
      if (synced) r.cmd({ op: "FSYNC", fd: buffered }, 10, 0);
      r.startRun();
      r.cmd({ op: "WRITE", fd: direct, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 200, data: fill(1) });
      r.bios.push(failedBio("write", 110, 120));
      assert.equal(r.judge().findings.filter((f) => f.oracle === "return").length, want, `dirty ${dirty}, synced ${synced}`);
    }
  });

  it("return: on a block device a read or write stops short at the device's end only", () => {
    for (const [off, result, want] of [[8192, 4096, 0], [4096, 4096, 1]] as const) {
      const r = new Run();
      r.devices = { "/dev/wda": 12288 };
      const fd = r.file("/dev/wda", O.RDWR | O.DIRECT);
      r.startRun();
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off }, 100, result, { data: fill(1, 8192) });
      r.cmd({ op: "READ", fd, buf: 4096, len: 8192, off }, 200, result, { data: fill(1, result) });
      assert.equal(r.judge().findings.filter((f) => f.oracle === "return").length, 2 * want, `${result} of 8192 at ${off}`);
    }
  });

  it("return: a NOWAIT call on a disk's node that returned -EAGAIN after a bio over its range succeeded inside it is named; a bio elsewhere or on another disk is not its", () => {
    const cases = [
      [{ sector: 0, disk: 0 }, 1],
      [{ sector: 64, disk: 0 }, 0],
      [{ sector: 0, disk: 1 }, 0],
    ] as const;
    for (const [bio, want] of cases) {
      const r = new Run();
      r.devices = { "/dev/wda": 65536 };
      r.deviceDisks = { "/dev/wda": 0 };
      const open = r.cmd({ op: "SYSCALL", flags: NR.openat, args: [-100, 0, O.RDWR | O.DIRECT, 0] }, 0, 3, { task: 1 });
      r.journal.push({ kind: "open", cmd: open.id, task: 1, path: "/dev/wda", flags: O.RDWR | O.DIRECT });
      r.startRun();
      const w = r.cmd({ op: "SYSCALL", flags: NR.pwritev2, args: [3, 0, 1, 0, 0, RWF.NOWAIT] }, 10, -11, { task: 1, end: 50 });
      r.journal.push({ kind: "rw", cmd: w.id, task: 1, write: true, fd: 3, off: 0, len: 8192, rwFlags: RWF.NOWAIT });
      r.bios.push({ ...failedBio("write", 20, 30), ...bio, status: 0 }, { ...failedBio("write", 31, 32), index: 1, sector: 8, status: 12, nowait: true });
      const msgs = r.judge().findings.filter((f) => f.oracle === "return").map((f) => f.message);
      assert.equal(msgs.length, want, `${JSON.stringify(bio)}: ${msgs.join("\n")}`);
      if (want) assert.match(msgs[0]!, /returned -EAGAIN \(NOWAIT\), yet bio #0 \(write of 4096 at sector 0\) of its range completed inside it/);
    }
  });

  it("return: a short read inside i_size with no error is named; at end of file it is clean", () => {
    const r = new Run();
    const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off: 0 }, 0, 8192, { data: fill(1, 8192) });
    r.startRun();
    r.cmd({ op: "READ", fd, buf: 4096, len: 8192, off: 0, flags: 1 }, 100, EIOCBQUEUED, { completed: 4096, end: 150, data: fill(1) });
    assert.match(r.judge().findings.map((f) => f.message).join("\n"), /short read: 4096 of 8192 bytes ending at 4096, inside i_size 8192/);
    const eof = new Run();
    const fd2 = eof.file("/mnt/g");
    eof.cmd({ op: "WRITE", fd: fd2, buf: 4096, len: 4096, off: 0 }, 0, 4096, { data: fill(1) });
    eof.startRun();
    eof.cmd({ op: "READ", fd: fd2, buf: 4096, len: 8192, off: 0 }, 100, 4096, { data: fill(1) });
    assert.deepEqual(oracles(eof), []);
  });

  it("return: a read issued at the time stamp the same task's truncate returned sees the new size", () => {
    // Simulated time moves only when the kernel reads the clock: the next call of a task may start at the very ns its last one ended.
    const r = new Run();
    const fd = r.file("/mnt/f");
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 8192, off: 0 }, 0, 8192, { data: fill(1, 8192) });
    r.startRun();
    r.cmd({ op: "TRUNCATE", fd, len: 0 }, 100, 0, { end: 110 });
    r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 4096 }, 110, 0);
    assert.deepEqual(oracles(r), []);
    const later = new Run();
    const fd2 = later.file("/mnt/g");
    later.cmd({ op: "WRITE", fd: fd2, buf: 4096, len: 8192, off: 0 }, 0, 8192, { data: fill(1, 8192) });
    later.startRun();
    later.cmd({ op: "WRITE", fd: fd2, buf: 4096, len: 4096, off: 8192 }, 100, 4096, { end: 110, data: fill(2) });
    later.cmd({ op: "READ", fd: fd2, buf: 4096, len: 4096, off: 8192 }, 110, 0);
    assert.match(later.judge().findings.map((f) => f.message).join("\n"), /short read: 0 of 4096 bytes ending at 8192, inside i_size 12288/);
  });

  it("return: a NOWAIT read may stop short inside i_size (it returns what it could read without waiting); the same read without NOWAIT is named", () => {
    for (const [rwFlags, want] of [[RWF.NOWAIT, 0], [0, 1]] as const) {
      const r = new Run();
      r.file("/mnt/f");
      const open = r.cmd({ op: "SYSCALL", flags: NR.openat, args: [-100, 0, O.RDWR, 0o644] }, 5, 3, { task: 1, end: 5 });
      r.journal.push({ kind: "open", cmd: open.id, task: 1, path: "/mnt/f", flags: O.RDWR });
      const fd = 3;
      const w = r.cmd({ op: "SYSCALL", flags: NR.pwrite64, args: [fd, 0, 16384, 0] }, 6, 16384, { task: 1, end: 7 });
      r.journal.push({ kind: "rw", cmd: w.id, task: 1, write: true, fd, off: 0, len: 16384, rwFlags: 0 });
      r.startRun();
      const rd = r.cmd({ op: "SYSCALL", flags: NR.preadv2, args: [fd, 0, 1, 0, 0, rwFlags] }, 100, 4096, { task: 1 });
      r.journal.push({ kind: "rw", cmd: rd.id, task: 1, write: false, fd, off: 0, len: 12288, rwFlags });
      const found = r.judge().findings.filter((f) => f.oracle === "return");
      assert.equal(found.length, want, `rwFlags ${rwFlags}: ${found.map((f) => f.message).join("; ")}`);
      if (want) assert.match(found[0]!.message, /short read: 4096 of 12288 bytes ending at 4096, inside i_size 16384/);
    }
  });

  it("return: a direct write whose bio failed inside it never reports full success", () => {
    const r = new Run();
    const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
    r.startRun();
    r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 200, data: fill(2) });
    r.bios.push(failedBio("write", 120, 150));
    assert.match(r.judge().findings.filter((f) => f.oracle === "return").map((f) => f.message).join(), /failed bio #0 .* yet it reported full success/);
    const b = r.file("/mnt/g");
    r.cmd({ op: "FSYNC", fd: b }, 110, 0, { task: 1, end: 190 });
    assert.deepEqual(oracles(r), [], "an fsync of another task in flight may have submitted that bio (writeback)");
  });

  it("return: a failed metadata bio (REQ_META: a bitmap) inside a direct read is the filesystem's, not the read's", () => {
    for (const flags of [BIO_FLAGS.META, 0]) {
      const r = new Run();
      const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 0, 4096, { data: fill(1) });
      r.startRun();
      r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 200, data: fill(1) });
      r.bios.push({ ...failedBio("read", 120, 150), flags });
      assert.equal(r.judge().findings.filter((f) => f.oracle === "return").length, flags ? 0 : 1, `flags ${flags}`);
    }
  });

  it("return: a failed readahead bio inside a direct read (its fallback to the page cache) is not the read's own", () => {
    for (const readahead of [true, false]) {
      const r = new Run();
      const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 0, 4096, { data: fill(1) });
      r.startRun();
      r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 200, data: fill(1) });
      r.bios.push({ ...failedBio("read", 120, 150), readahead });
      assert.equal(r.judge().findings.filter((f) => f.oracle === "return").length, readahead ? 0 : 1, `readahead ${readahead}`);
    }
  });

  it("return: a write bio that got AGAIN and a later one of its size that succeeded inside the write are a retry (io_uring reissues; past EOF the blocks move); after IOERR they are not", () => {
    for (const [status, want] of [[12, 0], [10, 1]] as const) {
      const r = new Run();
      const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      r.startRun();
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 200, data: fill(1) });
      r.bios.push({ ...failedBio("write", 110, 120), status });
      r.bios.push({ ...failedBio("write", 130, 140), index: 1, sector: 64, status: 0 });
      assert.equal(r.judge().findings.filter((f) => f.oracle === "return").length, want, `status ${status}`);
    }
  });

  it("return: a failed read bio while a write is in flight may be that write's (it read a block to change part of it); alone, it is the direct read's", () => {
    for (const writing of [true, false]) {
      const r = new Run();
      const fd = r.file("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      r.cmd({ op: "WRITE", fd, buf: 4096, len: 4096, off: 0 }, 0, 4096, { data: fill(1) });
      r.startRun();
      if (writing) r.cmd({ op: "WRITE", fd, buf: 4096, len: 512, off: 8192 }, 100, -5, { end: 200, data: fill(2, 512) });
      r.cmd({ op: "READ", fd, buf: 4096, len: 4096, off: 0 }, 100, 4096, { end: 200, data: fill(1) });
      r.bios.push(failedBio("read", 120, 150));
      const msgs = r.judge().findings.filter((f) => f.oracle === "return").map((f) => f.message);
      assert.equal(msgs.filter((m) => /yet it reported full success/.test(m)).length, writing ? 0 : 1, msgs.join("; "));
    }
  });

});
