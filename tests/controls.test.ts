// Controls: verdicts must come from the scenarios, not from the mere
// presence of a patch. A real change on a path no scenario touches has no
// effect on any of them; a wrong fix for seed 001 (the drain after the
// pages are already dirty) does not fix it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck, runUnit } from "../harness/check/check.ts";
import { applyToTree, ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { bundledScenarios } from "../harness/scenario/load.ts";
import { notApplicableOn, scenarioMode } from "../harness/scenario/types.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { TEST_TREES } from "./support/built.ts";

const BUNDLED = await bundledScenarios();
const SCRIPTED = BUNDLED.filter((s) => scenarioMode(s) === "scripted");

for (const tree of TEST_TREES) {
  describe(`controls on ${tree}`, function () {
    this.timeout(1_200_000);

    it("a patch to /proc/version selects no scenario by itself, and has no effect on any scenario named", () => {
      const file = join(repoRoot, "patches/controls/control-proc-version.patch");
      const none = runCheck(ingest([file]), { config: "plain", trees: [tree], scenarios: null, candidates: BUNDLED, inputs: [file] });
      assert.deepEqual(none.selected, []);
      assert.match(none.units[0]!.problem ?? "", /no scenario exercises/);
      const report = runCheck(ingest([file]), { config: "plain", trees: [tree], scenarios: SCRIPTED, candidates: BUNDLED, inputs: [file] });
      const verdicts = report.units.flatMap((u) => u.verdicts);
      assert.equal(verdicts.length, SCRIPTED.length);
      for (const v of verdicts) {
        // A scenario declared not applicable on this tree says so (and runs nothing); every other one passes on both sides.
        const na = notApplicableOn(SCRIPTED.find((s) => s.name === v.scenario)!, tree);
        assert.deepEqual([v.scenario, v.verdict, v.reason], [v.scenario, na ? "not-applicable" : "no-effect", na ?? "passes before and after"]);
      }
      assert.ok(verdicts.some((v) => v.verdict === "no-effect"), "at least one scenario ran on both sides");
      assert.equal(report.regressed, false);
    });

    it("the ext4 drain placed after generic_perform_write does not fix seed 001", () => {
      const t = resolveTree(tree);
      const [seed] = ingest([join(repoRoot, "patches/001_60a185f54a9e7512.txt")]);
      const reverted = applyToTree(seed!, t).before!;
      const file = join(repoRoot, "patches/controls/001-wrong-fix-drain-after-write.patch");
      const [wrong] = ingest([file]);
      const w = applyToTree(wrong!, t, { base: reverted });
      assert.equal(w.report.status, "applies");
      const s001 = BUNDLED.filter((s) => s.name === "001-ext4-dio-buffered-fallback-race");
      const unit = { label: "wrong fix", tree, patchIds: [wrong!.id], before: reverted, after: w.after, blocked: null, declarations: [] };
      const v = runUnit(unit, s001, { config: "plain", trees: [tree], scenarios: s001, candidates: BUNDLED, inputs: [file] }).verdicts[0]!;
      assert.equal(v.verdict, "no-effect");
      assert.match(v.reason, /^fails before and after/);
      assert.ok(v.after!.console.some((l) => l.text.includes("Page cache invalidation failure on direct I/O")), "the warning is still there with the wrong fix");
      assert.equal(v.after!.observed.values.fsync, -5);
    });
  });
}
