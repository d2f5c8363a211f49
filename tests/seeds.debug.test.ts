// The seed mails checked on the debug kernel (lockdep, list/object
// debugging, the kernel's other run-time checks): the same one path as
// `dioscope check --debug`. Every scenario that reproduces a mail is still
// "fixed", the after side raises no generic oracle of its own (no lockdep
// or other kernel report, no broken contract, except one the same case
// shows before the fix too: the tree's), the reports only a 32-bit kernel
// prints are exactly those listed below, and each side repeats identically
// 20 times (same result, same event-log hash).
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../harness/check/check.ts";
import { eventHash } from "../harness/explore/report.ts";
import { ingest } from "../harness/ingest/index.ts";
import { sameSignature, signatureOf } from "../harness/oracles/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { bundledScenarios } from "../harness/scenario/load.ts";
import { runScenario, type ScenarioRun } from "../harness/scenario/run.ts";
import { notApplicableOn } from "../harness/scenario/types.ts";
import { DEBUG_TREES } from "./support/built.ts";

const BUNDLED = await bundledScenarios();

/**
 * Reports a seed's side prints that only a 32-bit kernel can
 * (harness/oracles/console.ts WORD_SIZE_REPORTS): the run lists them with
 * their reason and they decide nothing. The test holds each to exactly the
 * sides and functions named here, so a new one is noticed.
 */
const WORD_SIZE_SEEN: { tree: string; scenario: string; side: "before" | "after"; frame: string }[] = [
  // 7.x completes the fixed side's asynchronous direct write in the bio's interrupt (no fallback pages to invalidate), where ext4 reads i_size.
  { tree: "7.3", scenario: "001-ext4-dio-buffered-fallback-race", side: "after", frame: "ext4_dio_write_end_io" },
];
const MAILS = ["000_8e22ae30f5917a7e.txt", "001_60a185f54a9e7512.txt", "002_af39239f68c27663.txt"];
const REPEATS = 20;

function assertRepeatable(name: string, run: ScenarioRun): void {
  const s = BUNDLED.find((x) => x.name === name)!;
  const h = eventHash(run);
  for (let i = 1; i < REPEATS; i++) {
    const again = runScenario(s, run.wasmPath);
    assert.equal(again.passed, run.passed, `${name}: run ${i + 1} on ${run.wasmPath} passed=${again.passed}, the first passed=${run.passed}`);
    assert.equal(eventHash(again), h, `${name}: run ${i + 1} on ${run.wasmPath} differs from the first`);
  }
}

for (const tree of DEBUG_TREES) {
  describe(`seed mails checked on the debug kernel ${tree}`, function () {
    // Each mail may build its before/after debug kernels (one recompiled file each, link, Asyncify).
    this.timeout(1_200_000);
    for (const file of MAILS) {
      it(`${file}: every scenario that reproduces it is fixed (or declared not applicable on the tree), no oracle of its own after the fix, ${REPEATS} identical runs per side`, () => {
        const mail = join(repoRoot, "patches", file);
        const r = runCheck(ingest([mail]), { trees: [tree], config: "debug", scenarios: null, candidates: BUNDLED, inputs: [mail] });
        assert.equal(r.config, "debug");
        const reproducing = new Set(r.selected.filter((s) => s.by === "reproduces" && s.mode === "scripted").map((s) => s.scenario));
        assert.ok(reproducing.size > 0, `no scenario reproduces ${file}`);
        const verdicts = r.units.flatMap((u) => u.verdicts).filter((v) => reproducing.has(v.scenario));
        assert.deepEqual(new Set(verdicts.map((v) => v.scenario)), reproducing, "a verdict per reproducing scenario");
        for (const v of verdicts) {
          // A scenario that declares the bug cannot happen on this tree (tests/seeds.test.ts proves it) is not run there.
          if (notApplicableOn(BUNDLED.find((x) => x.name === v.scenario)!, tree)) {
            assert.equal(v.verdict, "not-applicable", `${v.scenario} on debug ${tree}: ${v.verdict} (${v.reason})`);
            continue;
          }
          // A report the tree before the fix shows too (same signature) is the tree's: the verdict names it, the fix is not asked to remove it.
          const own = v.after!.oracles.findings.filter((f) => !v.preExisting?.some((p) => sameSignature(p.signature, signatureOf(f))));
          assert.equal(v.verdict, "fixed", `${v.scenario} on debug ${tree}: ${v.verdict} (${v.reason})`);
          assert.deepEqual(own, [], `${v.scenario}: an oracle fired after the fix`);
          for (const side of ["before", "after"] as const) {
            const expected = WORD_SIZE_SEEN.filter((w) => w.tree === tree && w.scenario === v.scenario && w.side === side).map((w) => w.frame);
            assert.deepEqual(v[side]!.oracles.wordSize.map((w) => w.frame), expected, `${v.scenario} ${side} on debug ${tree}: 32-bit-only reports`);
          }
          assert.ok(v.reproduce?.includes("--debug"), "the reproduce command names the debug kernel");
          assertRepeatable(v.scenario, v.before!);
          assertRepeatable(v.scenario, v.after!);
        }
      });
    }
  });
}
