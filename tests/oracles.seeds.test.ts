// The generic oracles on the seed mails' runs (through runCheck, the path
// every patch takes): after the fix no oracle fires (no false alarms); before
// it, what fires is what the scenario declared its bug fires.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../harness/check/check.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { bundledScenarios } from "../harness/scenario/load.ts";
import type { ScenarioRun } from "../harness/scenario/run.ts";
import { notApplicableOn } from "../harness/scenario/types.ts";
import { TEST_TREES } from "./support/built.ts";

const BUNDLED = await bundledScenarios();
const show = (r: ScenarioRun) => r.oracles.findings.map((f) => `${f.oracle}${f.expected ? " (expected)" : ""}: ${f.message}`).join("\n");

const SEEDS: { mail: string; before: Record<string, string[]> }[] = [
  { mail: "000_8e22ae30f5917a7e.txt", before: { "000-vfat-aio-dio-write-error": ["completion", "hang"], "000-vfat-loop-dio-write-error": ["hang"], "000-vfat-aio-getevents": ["completion", "hang"] } },
  { mail: "001_60a185f54a9e7512.txt", before: { "001-ext4-dio-buffered-fallback-race": ["console"] } },
  { mail: "002_af39239f68c27663.txt", before: { "002-btrfs-uring-nowait-short-read": ["return"] } },
];

for (const tree of TEST_TREES) {
  describe(`generic oracles on the seeds' runs, ${tree}`, function () {
    this.timeout(1_200_000);
    for (const seed of SEEDS) {
      it(`${seed.mail.slice(0, 3)}: after the fix no oracle fires; before it, only the oracles the scenario declares`, () => {
        const file = join(repoRoot, "patches", seed.mail);
        const r = runCheck(ingest([file]), { config: "plain", trees: [tree], scenarios: null, candidates: BUNDLED, inputs: [file] });
        const verdicts = r.units.flatMap((u) => u.verdicts).filter((v) => v.before && v.after);
        const applicable = Object.keys(seed.before).filter((name) => !notApplicableOn(BUNDLED.find((x) => x.name === name)!, tree));
        assert.deepEqual(verdicts.map((v) => v.scenario).sort(), applicable.sort());
        for (const v of verdicts) {
          assert.deepEqual(v.after!.oracles.findings, [], `${v.scenario} after:\n${show(v.after!)}`);
          const fired = [...new Set(v.before!.oracles.findings.map((f) => f.oracle))].sort();
          assert.deepEqual(fired, seed.before[v.scenario], `${v.scenario} before:\n${show(v.before!)}`);
          assert.ok(v.before!.oracles.findings.every((f) => f.expected), `${v.scenario} before:\n${show(v.before!)}`);
        }
      });
    }
  });
}
