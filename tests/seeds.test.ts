// The seed mails reproduced on the real kernel: each fails before and
// passes after, for the right reason (the exact console message, errno,
// completion values — what the compiled kernel did).
import assert from "node:assert/strict";
import { join } from "node:path";
import { applyToTree, ingest } from "../harness/ingest/index.ts";
import { runUnit, unitsFor, type Unit } from "../harness/check/check.ts";
import { repoRoot } from "../harness/paths.ts";
import { seed000 } from "../harness/scenario/seeds/000-vfat-aio-write-error.ts";
import { seed000loop } from "../harness/scenario/seeds/000-vfat-loop-write-error.ts";
import { seed002 } from "../harness/scenario/seeds/002-btrfs-uring-nowait-short-read.ts";
import { seed002Unit } from "../harness/check/seeds.ts";
import { runScenario, type ScenarioRun } from "../harness/scenario/run.ts";
import { eventHash } from "../harness/explore/report.ts";
import type { Scenario } from "../harness/scenario/types.ts";
import { seed001 } from "../harness/scenario/seeds/001-ext4-dio-fallback.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { TEST_TREES } from "./support/built.ts";
import type { ScenarioVerdict } from "../harness/check/verdict.ts";

/** The same scenario on the same kernel, `n` times: every run gives the same result and the same event-log hash. */
function assertRepeatable(s: Scenario, run: ScenarioRun, n: number): void {
  const h = eventHash(run);
  for (let i = 0; i < n; i++) {
    const again = runScenario(s, run.wasmPath);
    assert.equal(again.passed, run.passed);
    assert.equal(eventHash(again), h, `run ${i + 2} of ${s.name} on ${run.wasmPath} differs`);
  }
}

const STALE = "Page cache invalidation failure on direct I/O.  Possible data corruption due to collision with buffered I/O!";

for (const tree of TEST_TREES) {
  describe(`seed scenarios on ${tree}`, function () {
    // The first run may build the before/after kernels (one recompiled file each, then link and Asyncify).
    this.timeout(1_200_000);

    it("001: before (patch reversed) warns about stale page cache and fsync fails with -EIO; after: no warning, fsync 0", () => {
      const units = unitsFor(ingest([join(repoRoot, "patches/001_60a185f54a9e7512.txt")]), tree, []);
      assert.equal(units.length, 1);
      assert.equal(units[0]!.blocked, null, "the mail must locate in the tree (already applied)");
      const r = runUnit(units[0]!, [seed001], () => {});
      const v = r.verdicts[0]!;
      const before = v.before!, after = v.after!;
      assert.ok(before.console.some((l) => l.text.includes(STALE)), "the kernel printed the stale page-cache warning before the fix");
      assert.equal(before.observed.values.fsync, -5);
      assert.equal(before.observed.values["B.stalled-in-writeback"], 1, "B reached writeback while A's bio was in flight");
      assert.ok(!after.console.some((l) => l.text.includes("Page cache invalidation failure")), "no warning after the fix");
      assert.equal(after.observed.values.fsync, 0);
      assert.equal(after.observed.values["B.blocked-before-A-completed"], 1, "with the fix B waits for A's dio (inode_dio_wait)");
      assert.equal(after.observed.values["A.completion"], 4096);
      assert.equal(after.observed.values["B.result"], 8192);
      assert.equal(v.verdict, "fixed");
      assertRepeatable(seed001, before, 19);
      assertRepeatable(seed001, after, 19);
    });

    it("000: the mail applies to no tree; with the 2006 bug put back the AIO completion is lost (hang), without it one completion with -EIO", () => {
      const [mail] = ingest([join(repoRoot, "patches/000_8e22ae30f5917a7e.txt")]);
      assert.equal(applyToTree(mail!, resolveTree(tree)).report.status, "neither");
      const [mutant] = ingest([join(repoRoot, "patches/000-regression-direct-io-lost-aio-completion.patch")]);
      const m = applyToTree(mutant!, resolveTree(tree));
      assert.equal(m.report.status, "applies");
      const unit: Unit = { label: "000 via mutant", tree, patchIds: [mutant!.id], before: m.after, after: null, blocked: null };
      const [v, loop] = runUnit(unit, [seed000, seed000loop], () => {}).verdicts as [ScenarioVerdict, ScenarioVerdict];
      const before = v.before!, after = v.after!;
      assert.equal(before.observed.values.submit, -529, "the write was queued (-EIOCBQUEUED)");
      assert.equal(before.observed.values["failed-bios"], 1);
      assert.equal(before.observed.values.completion, undefined, "no completion with the bug");
      assert.match(before.observed.hang ?? "", /WRITE on agent task 1 \(completion\): still waiting/);
      assert.equal(after.observed.values.completion, -5);
      assert.equal(after.observed.values.completions, 1);
      assert.equal(after.observed.values.truncate, 0);
      assert.equal(v.verdict, "fixed");
      assertRepeatable(seed000, before, 19);
      assertRepeatable(seed000, after, 19);
      // The same bug through the loop driver's own async kiocb over the vfat file.
      assert.match(loop.before!.observed.hang ?? "", /still waiting/, "the write to the loop device hangs with the bug");
      assert.equal(loop.after!.observed.values.write, -5, "the loop device reports the backing file's -EIO");
      assert.equal(loop.verdict, "fixed");
    });

    it("002: io_uring READV over two btrfs extents with page 1 never touched: before res 4096 and page 1 still zero; after res 8192 and both pages right", () => {
      const unit = seed002Unit(join(repoRoot, "patches/002_af39239f68c27663.txt"), tree);
      assert.equal(unit.blocked, null, unit.blocked ?? "");
      const v = runUnit(unit, [seed002], () => {}).verdicts[0]!;
      const before = v.before!, after = v.after!;
      assert.equal(before.observed.values["resident-before"], "10", "only page 0 of the buffer was resident");
      assert.equal(before.observed.values.res, 4096);
      assert.equal(before.observed.values.page0, "right");
      assert.equal(before.observed.values.page1, "zero");
      assert.equal(after.observed.values.res, 8192);
      assert.equal(after.observed.values.page1, "right");
      assert.equal(v.verdict, "fixed");
      assertRepeatable(seed002, before, 19);
      assertRepeatable(seed002, after, 19);
    });
  });
}
