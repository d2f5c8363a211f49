// The seed mails reproduced on the real kernel through the one path every
// patch takes (`runCheck`, what `dioscope check` and the main job run): each
// scenario that declares it reproduces the mail fails before and passes
// after, for the right reason (the exact console message, errno, completion
// values — what the compiled kernel did), and repeats identically.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck, type CheckReport } from "../harness/check/check.ts";
import type { ScenarioVerdict } from "../harness/check/verdict.ts";
import { eventHash } from "../harness/explore/report.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { bundledScenarios } from "../harness/scenario/load.ts";
import { runScenario, type ScenarioRun } from "../harness/scenario/run.ts";
import { notApplicableOn, type Scenario } from "../harness/scenario/types.ts";
import { resolveKernel } from "../harness/variants/kernels.ts";
import { TEST_TREES } from "./support/built.ts";

const BUNDLED = await bundledScenarios();
const STALE = "Page cache invalidation failure on direct I/O.  Possible data corruption due to collision with buffered I/O!";
const mail = (f: string) => join(repoRoot, "patches", f);

function check(file: string, tree: (typeof TEST_TREES)[number]): CheckReport {
  return runCheck(ingest([file]), { config: "plain", trees: [tree], scenarios: null, candidates: BUNDLED, inputs: [file] });
}

function verdictOf(r: CheckReport, scenario: string): ScenarioVerdict {
  const v = r.units.flatMap((u) => u.verdicts).find((x) => x.scenario === scenario);
  assert.ok(v, `no verdict for ${scenario}; units: ${JSON.stringify(r.units.map((u) => [u.label, u.problem]))}`);
  return v;
}

/** The same scenario on the same kernel, `n` times: every run gives the same result and the same event-log hash. */
function assertRepeatable(name: string, run: ScenarioRun, n: number): void {
  const s: Scenario = BUNDLED.find((x) => x.name === name)!;
  const h = eventHash(run);
  for (let i = 0; i < n; i++) {
    const again = runScenario(s, run.wasmPath);
    assert.equal(again.passed, run.passed);
    assert.equal(eventHash(again), h, `run ${i + 2} of ${s.name} on ${run.wasmPath} differs`);
  }
}

for (const tree of TEST_TREES) {
  describe(`seed mails checked on ${tree}`, function () {
    // The first run may build the before/after kernels (one recompiled file each, then link and Asyncify).
    this.timeout(1_200_000);

    it("001: already applied; before (reversed) warns about stale page cache and fsync fails with -EIO; after: no warning, fsync 0", () => {
      const r = check(mail("001_60a185f54a9e7512.txt"), tree);
      assert.deepEqual(r.patches.map((p) => p.status), ["already-applied"]);
      assert.deepEqual(r.selected.map((s) => [s.scenario, s.by]), [["001-ext4-dio-buffered-fallback-race", "reproduces"]]);
      const v = verdictOf(r, "001-ext4-dio-buffered-fallback-race");
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
      assert.deepEqual(v.reproduce, ["dioscope", "check", mail("001_60a185f54a9e7512.txt"), "--tree", tree, "--scenario", "001-ext4-dio-buffered-fallback-race", "--plain"]);
      assertRepeatable(v.scenario, before, 19);
      assertRepeatable(v.scenario, after, 19);
    });

    it("000: the mail applies to no tree; its scenarios' declared regression patch is the before side: io_getevents never gets the event (hang), after exactly one event with -EIO", () => {
      const r = check(mail("000_8e22ae30f5917a7e.txt"), tree);
      assert.deepEqual(r.patches.map((p) => p.status), ["neither"]);
      const unit = r.units.find((u) => u.declarations.some((d) => d.kind === "regression"))!;
      assert.ok(unit, "a unit with the declared regression");
      assert.match(unit.declarations[0]!.patch, /patches\/scenario\/000-regression-direct-io-lost-aio-completion\.patch$/);
      const v = verdictOf(r, "000-vfat-aio-getevents");
      const before = v.before!, after = v.after!;
      assert.equal(before.observed.values.io_submit, 1, "io_submit queued the write");
      assert.equal(before.observed.values.io_getevents, undefined, "no event with the bug");
      assert.match(before.observed.hang ?? "", /io_getevents of aio-app\[\d+\]: still waiting/);
      assert.match(before.observed.hang ?? "", /aio-app/, "the hang report names the waiting task");
      assert.equal(after.observed.values.io_getevents, 1);
      assert.equal(after.observed.values["event.res"], -5);
      assert.equal(after.observed.values["event.is-the-write"], 1);
      assert.equal(after.observed.values["second io_getevents"], 0);
      assert.equal(v.verdict, "fixed");
      assertRepeatable(v.scenario, before, 19);
      assertRepeatable(v.scenario, after, 19);
      // The same bug seen by in-kernel users: the agent's kiocb and the loop driver's.
      const kiocb = verdictOf(r, "000-vfat-aio-dio-write-error");
      assert.match(kiocb.before!.observed.hang ?? "", /WRITE on agent task 1 \(completion\): still waiting/);
      assert.equal(kiocb.after!.observed.values.completion, -5);
      assert.equal(kiocb.verdict, "fixed");
      const loop = verdictOf(r, "000-vfat-loop-dio-write-error");
      assert.match(loop.before!.observed.hang ?? "", /still waiting/, "the write to the loop device hangs with the bug");
      assert.equal(loop.after!.observed.values.write, -5, "the loop device reports the backing file's -EIO");
      assert.equal(loop.verdict, "fixed");
    });

    it("002: located (relocated with the rename where the code moved); both sides without the NOWAIT read guard (declared); before res 4096 and page 1 zero, after 8192 and both pages right", () => {
      const r = check(mail("002_af39239f68c27663.txt"), tree);
      assert.deepEqual(r.patches.map((p) => p.status), ["already-applied"]);
      const v = verdictOf(r, "002-btrfs-uring-nowait-short-read");
      const scenario = BUNDLED.find((x) => x.name === v.scenario)!;
      const na = notApplicableOn(scenario, tree);
      if (na) {
        // The declaration is a claim about the kernel: the tree with the fix reverted must pass the scenario.
        assert.equal(v.verdict, "not-applicable");
        assert.equal(v.reason, na);
        const before = runScenario(scenario, resolveKernel(tree, scenario, { mail: mail("002_af39239f68c27663.txt"), side: "before" }).wasmPath);
        assert.ok(before.passed, `declared not applicable on ${tree}, but the tree with the fix reverted fails: ${JSON.stringify(before.results.filter((x) => x.failure))}`);
        assert.equal(before.observed.values.res, 8192);
        return;
      }
      const unit = r.units.find((u) => u.verdicts.includes(v))!;
      assert.deepEqual(unit.declarations.map((d) => d.kind), ["also-apply"]);
      assert.match(unit.declarations[0]!.patch, new RegExp(`002-scenario-nowait-read-guard-removed-${tree.replace(".", "\\.")}\\.patch$`));
      const before = v.before!, after = v.after!;
      assert.equal(before.observed.values["resident-before"], "10", "only page 0 of the buffer was resident");
      assert.equal(before.observed.values.res, 4096);
      assert.equal(before.observed.values.page0, "right");
      assert.equal(before.observed.values.page1, "zero");
      assert.equal(after.observed.values.res, 8192);
      assert.equal(after.observed.values.page1, "right");
      assert.equal(v.verdict, "fixed");
      assertRepeatable(v.scenario, before, 19);
      assertRepeatable(v.scenario, after, 19);
    });
  });
}
