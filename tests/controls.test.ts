// Controls: verdicts must come from the scenarios, not from the mere
// presence of a patch. A real change on a path no scenario touches has no
// effect on any of them; a wrong fix for seed 001 (the drain after the
// pages are already dirty) does not fix it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck, runUnit } from "../harness/check/check.ts";
import { applyToTree, ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { SCENARIOS } from "../harness/scenario/registry.ts";
import { seed001 } from "../harness/scenario/seeds/001-ext4-dio-fallback.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { TEST_TREES } from "./support/built.ts";

for (const tree of TEST_TREES) {
  describe(`controls on ${tree}`, function () {
    this.timeout(1_200_000);

    it("a patch to /proc/version has no effect on any scenario", () => {
      const report = runCheck(ingest([join(repoRoot, "patches/controls/control-proc-version.patch")]), { trees: [tree], scenarios: SCENARIOS });
      assert.equal(report.units.length, 1);
      const verdicts = report.units[0]!.verdicts;
      assert.equal(verdicts.length, SCENARIOS.length);
      for (const v of verdicts) assert.deepEqual([v.scenario, v.verdict, v.reason], [v.scenario, "no-effect", "passes before and after"]);
      assert.equal(report.regressed, false);
    });

    it("the ext4 drain placed after generic_perform_write does not fix seed 001", () => {
      const t = resolveTree(tree);
      const [seed] = ingest([join(repoRoot, "patches/001_60a185f54a9e7512.txt")]);
      const reverted = applyToTree(seed!, t).before!;
      const [wrong] = ingest([join(repoRoot, "patches/controls/001-wrong-fix-drain-after-write.patch")]);
      const w = applyToTree(wrong!, t, { base: reverted });
      assert.equal(w.report.status, "applies");
      const v = runUnit({ label: "wrong fix", tree, patchIds: [wrong!.id], before: reverted, after: w.after, blocked: null }, [seed001], () => {}).verdicts[0]!;
      assert.equal(v.verdict, "no-effect");
      assert.match(v.reason, /^fails before and after/);
      assert.ok(v.after!.console.some((l) => l.text.includes("Page cache invalidation failure on direct I/O")), "the warning is still there with the wrong fix");
      assert.equal(v.after!.observed.values.fsync, -5);
    });
  });
}
