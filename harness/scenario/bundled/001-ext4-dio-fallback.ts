// Seed 001 (ext4: drain in-flight DIO before buffered write fallback,
// upstream 15cdefd0c052): the race of the mail's diagram, scripted.
//
// File F (ext3-style inode, no extents): block 0 a hole, block 1 written
// and synced, caches dropped. Task A (CPU 0) sends an async O_DIRECT write
// of block 1 — an overwrite, so it only needs the shared i_rwsem — and its
// bio stays in flight. Task B (CPU 1) writes 8 KiB at 0 with O_DIRECT: the
// hole cannot be allocated without extents, iomap returns -ENOTBLK and ext4
// falls back to a buffered write that dirties folios 0-1. Without the fix,
// B goes on into filemap_write_and_wait_range; B's CPU stalls there (the
// breakpoint) while A's bio completes on CPU 0: the completion work's
// invalidate_inode_pages2_range finds folio 1 dirty, warns and sets -EIO on
// the mapping. With the fix, B waits in inode_dio_wait until A's dio ends.
import { blocks, EIOCBQUEUED, expect, O, type Scenario, type Task } from "../api.ts";

const WARNING = "Page cache invalidation failure on direct I/O";

interface State {
  A: Task;
  B: Task;
  fdA: number;
  fdB: number;
  bufA: number;
  bufB: number;
}

export const seed001: Scenario<State> = {
  name: "001-ext4-dio-buffered-fallback-race",
  title: "ext4 (no extents): async DIO completion vs. DIO→buffered fallback of another writer",
  exercises: ["fs/ext4/", "fs/iomap/"],
  reproduces: [{ subject: "ext4: drain in-flight DIO before buffered write fallback", upstream: "15cdefd0c052" }],
  disks: [{ kind: "ext4-noextents", sizeMiB: 16 }],
  cpus: 2,
  setup(s) {
    s.mount("/dev/wda", "/mnt", "ext4");
    s.createFile("/mnt/F", blocks(0x11), { off: 4096 });
    const st: State = {
      A: s.task("dio-A", 0),
      B: s.task("dio-B", 1),
      fdA: s.open("/mnt/F", O.RDWR | O.DIRECT),
      fdB: s.open("/mnt/F", O.RDWR | O.DIRECT),
      bufA: s.buffer(blocks(0xaa)),
      bufB: s.buffer(blocks(0xbb, 0xbb)),
    };
    s.ok({ op: "DROP_CACHE", fd: st.fdA });
    return st;
  },
  run(s, { A, B, fdA, fdB, bufA, bufB }) {
    // A's write bio stays in flight until the script releases it.
    s.block.setRules([{ op: "write", nth: 1, completion: { when: "hold" }, why: "A's O_DIRECT write stays in flight" }]);
    const a = s.start(A, { op: "WRITE", fd: fdA, buf: bufA, len: 4096, off: 4096, flags: 1 });
    s.observe("A.submit", s.wait(a));
    const held = s.block.heldBios();
    s.observe("A.bios-in-flight", held.length);
    s.block.setRules([]);

    // B: DIO write over the hole; stall B's CPU once it is writing back after the fallback.
    const bp = s.breakAt(B, "filemap_write_and_wait_range");
    const b = s.start(B, { op: "WRITE", fd: fdB, buf: bufB, len: 8192, off: 0 });
    const outcome = s.runUntil(() => bp.hitCpu !== null || b.returned !== null, "B's write", { stopWhenQuiescent: true });
    s.observe("B.stalled-in-writeback", bp.hitCpu !== null ? 1 : 0);
    s.observe("B.blocked-before-A-completed", outcome === "quiescent" ? 1 : 0);

    // A's bio completes on CPU 0 now; a breakpoint that did not fire is not wanted afterwards.
    if (bp.hitCpu === null) s.machine.breakpoints = [];
    for (const h of held) s.block.release(h.index, { cpu: 0 });
    s.observe("A.completion", s.wait(a, true));
    if (bp.hitCpu !== null) s.machine.unpark(bp.hitCpu);
    s.observe("B.result", s.wait(b));
    s.observe("fsync", s.call({ op: "FSYNC", fd: fdB }));
  },
  expectations: [
    expect.value("A.submit", EIOCBQUEUED, "A's async write is queued (-EIOCBQUEUED)"),
    expect.value("A.completion", 4096, "A completes 4096 bytes"),
    expect.value("B.result", 8192, "B writes 8192 bytes"),
    expect.noConsole(WARNING, "no stale page-cache warning"),
    expect.value("fsync", 0, "fsync returns 0 (no -EIO on the mapping)"),
    expect.noHang(),
  ],
  notes:
    "In 6.1/6.12 B takes i_rwsem exclusively (the mail's diagram shows it shared, true only with patch 3/9 of that series); the race is the same. The schedule is scripted: B's CPU stalls at its first switch point inside filemap_write_and_wait_range while A's bio completes on the other CPU.",
};

export default seed001;
