// Bugs of the zoo (patches/zoo: real upstream fixes nobody wrote a
// scenario or a generator case for) found by `dioscope check` with the
// default generic options, on the trees where the fixes apply in reverse.
// On 6.12, on the debug kernel (check's default): 13 (ext4: the
// overwrite-only -EAGAIN warning), 03 (loop: sb_writers held across the
// async completion, which only lockdep sees) and seed 000 through its
// regression mutant (fs/direct-io.c loses the completion of an
// asynchronous write whose bio fails), without its scenario; with --plain
// (faster; the debug kernel also draws fail-nth, which changes the
// workloads) 08 (iomap: s_dio_done_wq for async reads) with --seed 2, and
// seed 001 (a direct write's fallback to buffered I/O racing an
// asynchronous direct write) with --schedules 48, without its scenario, and
// 01 (ext4 warns when an asynchronous direct write completes while an
// expanding truncate has set i_disksize but not yet i_size) with
// --schedules 1000; on the debug kernel with --budget 96, 09 (btrfs leaks
// an extent map when a NOCOW direct write's ordered extent cannot be
// allocated: the leak oracle, fail-nth aimed at the change). On
// 6.1, on the debug kernel: 14 (ext4 makes inline data on a file a direct
// write gave blocks) and 15 (block/fops.c: a NOWAIT read over more pages
// than a bio holds; the disk's 255-sector limit splits the first bio, which
// NOWAIT refuses, the second is read, and the call says -EAGAIN). Each test is the default invocation with --first:
// the same workloads, seed and schedules as the default run (case i
// depends on (seed, i) and the mail only, not on the budget), stopped at
// the first case that changes sides. Every other round of the filesystems
// follows the mail's emphasis (13's case 5: 3 filesystems, round 1; 14's
// case 41: round 13; 000's case 3: one filesystem, round 3); the others
// are the generator's own (08's case 1, 03's case 0).
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../harness/check/check.ts";
import { GENERIC_DEFAULT, type GenericOptions, type GenericSummary } from "../harness/check/generic.ts";
import { parseWorkload } from "../harness/generate/text.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import type { TreeName } from "../harness/tree/source.ts";
import { TEST_TREES } from "./support/built.ts";

const ZOO_08 = join(repoRoot, "patches/zoo/08-iomap-dio-done-wq-async-reads.patch");
const ZOO_13 = join(repoRoot, "patches/zoo/13-ext4-dio-overwrite-only-eagain-warning.patch");
const ZOO_03 = join(repoRoot, "patches/zoo/03-loop-dio-kiocb-start-write.patch");
const ZOO_14 = join(repoRoot, "patches/zoo/14-ext4-dio-write-clear-may-inline.patch");
const ZOO_15 = join(repoRoot, "patches/zoo/15-block-fops-nowait-multiple-bios.patch");
const ZOO_01 = join(repoRoot, "patches/zoo/01-ext4-dio-write-end-io-warning.patch");
const ZOO_09 = join(repoRoot, "patches/zoo/09-btrfs-nocow-dio-extent-map-leak.patch");
const ZOO_10 = join(repoRoot, "patches/zoo/10-block-fops-no-revert-eiocbqueued.patch");
const SEED_001 = join(repoRoot, "patches/001_60a185f54a9e7512.txt");
const SEED_000_MUTANT = join(repoRoot, "patches/scenario/000-regression-direct-io-lost-aio-completion.patch");

/** The generic verdict of `dioscope check <mail> --tree <tree> --no-scenarios --first`: the default run up to its first case that changes sides, which must be case `at`. */
function genericOf(mail: string, tree: TreeName, at: number, config: "plain" | "debug" = "plain", flags: Partial<Pick<GenericOptions, "seed" | "schedules" | "budget">> = {}) {
  const r = runCheck(ingest([mail]), { config, trees: [tree], scenarios: [], candidates: [], generic: { ...GENERIC_DEFAULT, ...flags, first: true }, inputs: [mail] });
  const vs = r.units.flatMap((u) => u.verdicts);
  assert.equal(vs.length, 1, JSON.stringify(r.units.map((u) => u.problem)));
  const v = vs[0] as (typeof vs)[0] & { generated: GenericSummary };
  assert.equal(v.generated.cases, at + 1, `--first stops after case ${at}: ${v.reason}`);
  assert.ok(v.reproduce?.includes("--first"), String(v.reproduce));
  return v;
}

/** The case the default run shows fixed: it failed before (by `oracles`, among others), passed after; `at`: the only fixed case, when given. */
function fixedCase(v: ReturnType<typeof genericOf>, oracles: readonly string[], at?: number) {
  assert.equal(v.verdict, "fixed", v.reason);
  if (at !== undefined) assert.deepEqual(v.generated.fixed, [at], v.reason);
  const s = v.generated.shown!;
  assert.equal(s.failing, "before");
  for (const o of oracles) assert.ok(s.failure.names.includes(o), s.failure.names.join(", "));
  return s;
}

for (const tree of TEST_TREES.filter((t) => t === "6.12"))
  describe(`the zoo on ${tree}, generic suite with the default options`, function () {
    this.timeout(1_800_000);

    it("08 (an async O_DIRECT read whose bio fails by interrupt, no s_dio_done_wq): with --seed 2, fixed by the console and hang oracles at case 1", () => {
      const s = fixedCase(genericOf(ZOO_08, tree, 1, "plain", { seed: 2 }), ["oracle:console", "oracle:hang"], 1);
      assert.ok(parseWorkload(s.shrunk).faults.some((f) => f.op === "read"), s.shrunk);
    });

    it("13 (an ext4 direct write that gets AGAIN from the block layer without NOWAIT): fixed on the debug kernel (check's default) by the console oracle (a WARNING in ext4), at the default run's case 5 (one that follows the mail's words)", () => {
      const v = genericOf(ZOO_13, tree, 5, "debug");
      assert.ok(v.generated.emphasis.some((x) => x.feature === "nowait"), JSON.stringify(v.generated.emphasis));
      const s = fixedCase(v, ["oracle:console"], 5);
      assert.ok(parseWorkload(s.shrunk).faults.length >= 1, s.shrunk);
    });

    it("03 (the loop driver's direct-I/O write holds sb_writers across its asynchronous completion): fixed on the debug kernel (check's default) by the console oracle (lockdep), on the loop device, in the default run's first case", () => {
      const s = fixedCase(genericOf(ZOO_03, tree, 0, "debug"), ["oracle:console"]);
      assert.ok(s.failure.failures.some((f) => /lockdep|workqueue leaked/.test(f)), s.failure.failures.join("; "));
      assert.equal(parseWorkload(s.shrunk).fs, "loop", s.shrunk);
    });

    it("seed 000 without its scenario, through its regression mutant (a failed bio's AIO completion lost in fs/direct-io.c): regressed on the debug kernel by the hang oracle, on vfat, at the default run's case 3", () => {
      const v = genericOf(SEED_000_MUTANT, tree, 3, "debug");
      assert.equal(v.verdict, "regressed", v.reason);
      assert.deepEqual(v.generated.regressed, [3], v.reason);
      const s = v.generated.shown!;
      assert.equal(s.failing, "after");
      assert.ok(s.failure.names.includes("oracle:hang"), s.failure.names.join(", "));
      const w = parseWorkload(s.shrunk);
      assert.equal(w.fs, "vfat", s.shrunk);
      assert.ok(w.faults.some((f) => f.op === "write" && f.status === "IOERR"), s.shrunk);
    });

    it("seed 001 without its scenario (a direct write that falls back to buffered I/O beside an asynchronous direct write on its range): with --schedules 48, fixed by the console oracle at case 22 (one that follows the mail's words), on ext4 without extents", () => {
      const v = genericOf(SEED_001, tree, 22, "plain", { schedules: 48 });
      assert.ok(v.generated.emphasis.some((x) => x.feature === "fallback"), JSON.stringify(v.generated.emphasis));
      const s = fixedCase(v, ["oracle:console"], 22);
      assert.ok(s.failure.failures.some((f) => f.includes("Page cache invalidation failure on direct I/O")), s.failure.failures.join("; "));
      const w = parseWorkload(s.shrunk);
      assert.deepEqual([w.fs, w.pre, w.tasks.length], ["ext4-noextents", "mixed", 2], s.shrunk);
    });

    it("01 (an asynchronous direct write completing inside an expanding truncate's window): with --schedules 1000, fixed by the console oracle (the WARNING in ext4_dio_write_end_io) at case 5 (one that follows the mail's words: the write alone beside the truncate)", () => {
      const v = genericOf(ZOO_01, tree, 5, "plain", { schedules: 1000 });
      assert.ok(v.generated.emphasis.some((x) => x.feature === "truncate"), JSON.stringify(v.generated.emphasis));
      const s = fixedCase(v, ["oracle:console"], 5);
      assert.ok(s.failure.failures.some((f) => /WARNING: .* at fs\/ext4\/file\.c:\d+/.test(f)), s.failure.failures.join("; "));
      const w = parseWorkload(s.shrunk);
      assert.deepEqual(w.tasks.map((t) => t.ops.map((o) => o.k)), [["aio"], ["ftruncate"]], s.shrunk);
    });

    it("09 (btrfs leaks the extent map of a NOCOW direct write whose ordered extent cannot be allocated): with --budget 96, fixed on the debug kernel by the leak oracle at case 67 (one that follows the mail's words, its fail-nth aimed at the allocation under btrfs_create_dio_extent)", () => {
      const v = genericOf(ZOO_09, tree, 67, "debug", { budget: 96 });
      assert.ok(v.generated.emphasis.some((x) => x.feature === "failnth"), JSON.stringify(v.generated.emphasis));
      const s = fixedCase(v, ["oracle:leak"], 67);
      assert.ok(s.failure.failures.some((f) => /slab cache btrfs_extent_map held 1 object more than at boot/.test(f)), s.failure.failures.join("; "));
      const w = parseWorkload(s.shrunk);
      assert.equal(w.fs, "btrfs-nodatacow", s.shrunk);
      assert.ok(w.tasks.flatMap((t) => t.ops).some((o) => o.fail !== undefined), s.shrunk);
    });
  });

for (const tree of TEST_TREES.filter((t) => t === "6.1"))
  describe(`the zoo on ${tree}, generic suite with the default options`, function () {
    this.timeout(1_800_000);

    it("14 (ext4 makes inline data after a direct write gave the file blocks): fixed on the debug kernel (check's default) by the data and fsck oracles, at the default run's case 41 (one that follows the mail's words: a buffered write at 0 beside a direct write, on a file without blocks)", () => {
      const v = genericOf(ZOO_14, tree, 41, "debug");
      assert.ok(v.generated.emphasis.some((x) => x.feature === "inline"), JSON.stringify(v.generated.emphasis));
      const s = fixedCase(v, ["oracle:data", "oracle:fsck"], 41);
      const w = parseWorkload(s.shrunk);
      assert.equal(w.fs, "ext4-inline", s.shrunk);
      assert.ok(w.tasks.flatMap((t) => t.ops).length === 2 && w.faults.length === 0, `shrunk to two calls on a healthy device: ${s.shrunk}`);
    });

    it("15 (a NOWAIT request on the raw device over more pages than a bio holds): fixed on the debug kernel (check's default) by the return oracle at the default run's case 2 (-EAGAIN after part of it was read), shrunk to the one call on a healthy device", () => {
      const s = fixedCase(genericOf(ZOO_15, tree, 2, "debug"), ["oracle:return"], 2);
      assert.ok(s.failure.failures.some((f) => /returned -EAGAIN \(NOWAIT\), yet bio #\d+ .* completed inside it: part of it was done/.test(f)), s.failure.failures.join("; "));
      const w = parseWorkload(s.shrunk);
      assert.deepEqual([w.fs, w.tasks.length, w.tasks[0]!.ops.length, w.faults.length], ["bdev", 1, 1, 0], s.shrunk);
      assert.ok(/scatter/.test(s.shrunk) && /nowait/.test(s.shrunk), s.shrunk);
    });
  });

for (const tree of TEST_TREES.filter((t) => t === "7.3"))
  describe(`the zoo on ${tree}, generic suite with the default options`, function () {
    this.timeout(1_800_000);

    it("10 (blkdev_read_iter reverts the iterator by a negative count when a read's bio completes inside submission and io_uring restores the iterator): with --plain, fixed by the console oracle (the WARNING in iov_iter_revert) at case 3 (one that follows the mail's words, its bio fault aimed at a read blkdev_read_iter submits)", () => {
      const v = genericOf(ZOO_10, tree, 3, "plain");
      assert.ok(v.generated.emphasis.some((x) => x.feature === "async"), JSON.stringify(v.generated.emphasis));
      const s = fixedCase(v, ["oracle:console"], 3);
      assert.ok(s.failure.failures.some((f) => /WARNING: lib\/iov_iter\.c:\d+/.test(f)), s.failure.failures.join("; "));
      const w = parseWorkload(s.shrunk);
      assert.equal(w.fs, "bdev", s.shrunk);
      assert.deepEqual(w.faults, [{ op: "read", nth: 1, status: "AGAIN", when: "now" }], s.shrunk);
      assert.ok(w.tasks.flatMap((t) => t.ops).some((o) => o.k === "uring"), s.shrunk);
    });
  });
