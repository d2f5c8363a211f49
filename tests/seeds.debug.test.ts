// The seed mails checked on the debug kernel (lockdep, list/object
// debugging, the kernel's other run-time checks): the same one path as
// `dioscope check --debug`. Every scenario that reproduces a mail is still
// "fixed", the after side raises no generic oracle of its own (no lockdep
// or other kernel report, no broken contract, except one the same case
// shows before the fix too: the tree's), or is the known finding of the
// tree listed below, and each side repeats identically 20 times (same
// result, same event-log hash).
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
 * Real findings of a tree that a seed's after side reaches and its before
 * side does not (so the check says "regressed", by its rule: a failure only
 * after), each with the kernel report family and function and why. The test
 * holds the verdict to exactly that: the fixed side's expectations pass and
 * its only finding is the named report.
 */
const KNOWN_FINDINGS: { tree: string; scenario: string; family: string; frame: string; why: string }[] = [
  {
    tree: "7.3",
    scenario: "001-ext4-dio-buffered-fallback-race",
    family: "lockdep",
    frame: "ext4_dio_write_end_io",
    why:
      "lockdep 'inconsistent lock state' {HARDIRQ-ON-W} -> {IN-HARDIRQ-R} on i_size_seqcount: 7.x completes an asynchronous direct write " +
      "with no page cache to invalidate in the bio's hard interrupt (iomap_dio_bio_end_io -> iomap_dio_complete), and " +
      "ext4_dio_write_end_io reads i_size there; on a 32-bit SMP kernel i_size_read() is a seqcount read, so an interrupt " +
      "on the CPU inside i_size_write() (interrupts on) would spin forever. With the fix the buffered fallback waits for the " +
      "direct write first, so it completes in the interrupt; without it the fallback's pages move the completion to a " +
      "workqueue and the read happens in process context",
  },
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
      it(`${file}: every scenario that reproduces it is fixed (or declared not applicable on the tree, or the tree's known finding), no oracle of its own after the fix, ${REPEATS} identical runs per side`, () => {
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
          const known = KNOWN_FINDINGS.find((k) => k.tree === tree && k.scenario === v.scenario);
          if (known) {
            assert.equal(v.verdict, "regressed", `${v.scenario} on debug ${tree}: ${v.verdict} (${v.reason})`);
            assert.ok(v.after!.passed, `${v.scenario}: the fixed side's expectations fail`);
            assert.deepEqual(own.map((f) => signatureOf(f)), [{ oracle: "console", family: known.family, frame: known.frame }], `${v.scenario}: ${known.why}`);
          } else {
            assert.equal(v.verdict, "fixed", `${v.scenario} on debug ${tree}: ${v.verdict} (${v.reason})`);
            assert.deepEqual(own, [], `${v.scenario}: an oracle fired after the fix`);
          }
          assert.ok(v.reproduce?.includes("--debug"), "the reproduce command names the debug kernel");
          assertRepeatable(v.scenario, v.before!);
          assertRepeatable(v.scenario, v.after!);
        }
      });
    }
  });
}
