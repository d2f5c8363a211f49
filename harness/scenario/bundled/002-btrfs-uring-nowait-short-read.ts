// Seed 002 (btrfs: fallback to blocking mode when doing async dio over
// multiple extents, upstream ca93e44bfb5f), as the mail describes it.
//
// btrfs with 4 KiB sectors; a file of two 4 KiB extents (0xab, 0xcd; written
// in reverse order so they cannot merge); a user task's 8 KiB buffer of which
// only page 0 was ever touched; io_uring READV of 8192 at 0 on the O_DIRECT
// file. The first attempt is NOWAIT with page faults disabled: btrfs maps
// the first extent and its bio goes out (the disk holds it), the second
// extent's user page is not resident (-EFAULT), iomap's PARTIAL mode turns
// that into a short dio, and with the bio still in flight the read returns
// -EIOCBQUEUED; when the bio completes io_uring posts res = 4096. With the
// fix, btrfs returns -EAGAIN for a NOWAIT read whose extent is shorter than
// the request and io_uring retries in io-wq, blocking: res = 8192.
//
// Both trees carry a later guard that returns -EAGAIN for any NOWAIT read
// longer than a page, which hides the seed's effect: the scenario's trees
// (before AND after) have it taken out: the alsoApply declaration below.
import { expect, IoUring, O, PAGE_SIZE, UserTask, type Scenario, type ScenarioContext, type UserBuffer } from "../api.ts";

export interface State {
  u: UserTask;
  fd: number;
  ring: IoUring;
  buf: UserBuffer;
}

const A = 0xab, C = 0xcd;

/** Waits for the READV's CQE and records it and what the buffer's two pages hold (also the unguided scenario's). */
export function observeRead(s: ScenarioContext, { u, ring, buf }: State): void {
  ring.wait(1);
  const cqes = ring.reap();
  s.observe("cqes", cqes.length);
  s.observe("res", cqes[0]?.res ?? null);
  const got = u.readUser(buf.addr, 2 * PAGE_SIZE);
  const page = (p: number) => got.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
  const describe = (b: Uint8Array, want: number) => (b.every((x) => x === want) ? "right" : b.every((x) => x === 0) ? "zero" : "wrong");
  s.observe("page0", describe(page(0), A));
  s.observe("page1", describe(page(1), C));
}

export const seed002: Scenario<State> = {
  name: "002-btrfs-uring-nowait-short-read",
  title: "btrfs: io_uring O_DIRECT READV over two extents with the buffer's second page not resident",
  exercises: ["fs/btrfs/", "fs/iomap/", "io_uring/"],
  reproduces: [{ subject: "btrfs: fallback to blocking mode when doing async dio over multiple extents", upstream: "ca93e44bfb5f" }],
  alsoApply: [
    {
      patch: "002-scenario-nowait-read-guard-removed-{series}.patch",
      why: "a later guard in btrfs_dio_iomap_begin returns -EAGAIN for every NOWAIT read longer than a page, which hides the short read on these trees; both sides have it taken out",
    },
  ],
  notApplicable: {
    "7.3":
      "the bug cannot happen on 7.3 with or without the fix: btrfs ends a short read mapping with -ENOTBLK, so iomap waits for the bio already submitted, and btrfs faults in the rest of the buffer and reads it: the READV completes 8192 bytes on the tree with the fix reverted (tests/seeds.test.ts runs it)",
  },
  disks: [{ kind: "btrfs", sizeMiB: 128 }],
  cpus: 2,
  memoryMiB: 64,
  setup(s) {
    s.mount("/dev/wda", "/btr", "btrfs");
    const u = UserTask.spawn(s.agent, { name: "uring-reader" });
    const fd = u.open("/btr/f", O.RDWR | O.CREAT | O.DIRECT);
    const src = u.buffer(PAGE_SIZE);
    // Second extent first, so the two are not physically contiguous.
    u.writeUser(src.addr, new Uint8Array(PAGE_SIZE).fill(C));
    if (u.pwrite(fd, src.addr, PAGE_SIZE, PAGE_SIZE) !== PAGE_SIZE || u.fsync(fd) !== 0) throw new Error("002 set-up: second extent");
    u.writeUser(src.addr, new Uint8Array(PAGE_SIZE).fill(A));
    if (u.pwrite(fd, src.addr, PAGE_SIZE, 0) !== PAGE_SIZE || u.fsync(fd) !== 0) throw new Error("002 set-up: first extent");
    const ring = IoUring.setup(u, 8);
    const buf = u.buffer(2 * PAGE_SIZE, { resident: [0] });
    return { u, fd, ring, buf };
  },
  run(s, { u, fd, ring, buf }) {
    s.observe("resident-before", u.residency(buf.addr, buf.len).map((r) => (r ? "1" : "0")).join(""));
    // The first data read stays in flight until the submission has returned.
    s.block.setRules([{ op: "read", nth: 1, completion: { when: "hold" }, why: "the first extent's bio completes after the submitter dropped its reference" }]);
    ring.prepRw("READV", fd, [{ addr: buf.addr, len: 2 * PAGE_SIZE }], 0, { userData: 2 });
    const submit = ring.startSubmit(0);
    // Where the submission itself waits for the data (7.x: btrfs ends a short
    // read mapping with -ENOTBLK, and iomap then waits for the bios), it cannot
    // return while the bio is held: the bio is released once nothing else can run.
    const outcome = s.runUntil(() => submit.returned !== null, "io_uring_enter", { stopWhenQuiescent: true });
    s.observe("returned-with-bio-in-flight", outcome === "done" ? 1 : 0);
    const held = s.block.heldBios();
    s.observe("bios-held", held.length);
    s.block.setRules([]);
    for (const h of held) s.block.release(h.index, { cpu: 0 });
    s.observe("submitted", s.wait(submit));
    observeRead(s, { u, fd, ring, buf });
  },
  expectations: [
    expect.value("submitted", 1, "io_uring_enter submits the READV"),
    expect.value("res", 2 * PAGE_SIZE, "the CQE reports 8192 bytes"),
    { name: "the buffer holds both extents", check: (o) => (o.values.page0 === "right" && o.values.page1 === "right" ? null : `page 0 ${o.values.page0}, page 1 ${o.values.page1}`) },
    expect.noHang(),
  ],
  // With the bug the READV completes 4096 of 8192 bytes inside i_size with no error.
  oracles: { expect: ["return"] },
  notes: "On 6.12 the mail's code lives in fs/btrfs/direct-io.c, where the locator finds it (relocated, with the rename it reports).",
};

export default seed002;
