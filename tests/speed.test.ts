// What makes runs and builds fast must not change what they show:
// - a snapshot restore copies back only the pages written since (the
//   kernel's own stores, tracked by the dirty-page pass, and the host's
//   writes): with restoreCheck on, every such restore is compared with the
//   whole snapshot, over the seed scenarios and PCT schedules;
// - a variant kernel built the fast way (objects seeded from the pristine
//   build, only what the patch touches recompiled) is the same module and
//   gives the same runs, event log for event log, as the variant built with
//   every object compiled from scratch (apart from DWARF: the fast one is
//   spliced into the pristine kernel, tests/splice.test.ts).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildKernel } from "../harness/build/index.ts";
import { withoutDwarf } from "../harness/build/splice.ts";
import { explore, naturalConsultations } from "../harness/explore/explore.ts";
import { eventHash } from "../harness/explore/report.ts";
import { ingest } from "../harness/ingest/index.ts";
import { restoreCheck } from "../harness/machine/dirty.ts";
import { repoRoot } from "../harness/paths.ts";
import { bundledScenarios } from "../harness/scenario/load.ts";
import { runScenario } from "../harness/scenario/run.ts";
import { scenarioMode, type Scenario } from "../harness/scenario/types.ts";
import { debianTree } from "../harness/tree/debian.ts";
import { buildVariant, overlayFiles } from "../harness/variants/build.ts";
import { prerequisitesOf, unitsFor } from "../harness/variants/units.ts";
import { builtKernels, TEST_TREES } from "./support/built.ts";

const BUNDLED = await bundledScenarios();
const runsOn = (s: Scenario, tree: string) => !s.notApplicable?.[tree];
const SCRIPTED = BUNDLED.filter((s) => scenarioMode(s) === "scripted");
const UNGUIDED = BUNDLED.filter((s) => scenarioMode(s) === "unguided");
const MAIL_001 = join(repoRoot, "patches/001_60a185f54a9e7512.txt");

for (const k of builtKernels()) {
  describe(`snapshot restore by written pages on ${k.tree}`, function () {
    this.timeout(600_000);
    before(() => (restoreCheck.enabled = true));
    after(() => (restoreCheck.enabled = false));

    it("every restore after a seed scenario gives back the snapshot's RAM exactly, and runs repeat", () => {
      for (const s of SCRIPTED.filter((x) => runsOn(x, k.tree))) {
        const first = runScenario(s, k.wasmPath);
        const again = runScenario(s, k.wasmPath);
        assert.equal(eventHash(again), eventHash(first), `${s.name}: the second run from the snapshot differs`);
      }
    });

    it("so does every restore between PCT schedules of the unguided scenarios", () => {
      for (const s of UNGUIDED.filter((x) => runsOn(x, k.tree))) {
        const t = { scenario: s, kernel: { tree: k.tree, buildId: "pristine", wasmPath: k.wasmPath, label: `${k.tree} pristine` } };
        const r = explore(t, { strategy: "pct", seed: 7, budget: 40, depth: 3, horizon: naturalConsultations(t), keepGoing: true });
        assert.equal(r.schedules, 40);
      }
    });
  });
}

/**
 * The from-scratch build compiles every object of the tree (3-6 minutes on 2
 * cores): npm test runs it on the oldest tree (the cheapest compile);
 * DIOSCOPE_EQUIVALENCE_TREES=6.1,6.12,... runs it on others.
 */
const EQUIVALENCE_TREES = process.env.DIOSCOPE_EQUIVALENCE_TREES?.split(",") ?? [[...TEST_TREES].sort()[0]!];

for (const tree of EQUIVALENCE_TREES as typeof TEST_TREES) {
  describe(`variant kernel built the fast way vs from scratch on ${tree}`, function () {
    // The from-scratch build compiles every object (minutes on 2 cores).
    this.timeout(3_600_000);

    it("001's before kernel (the mail reversed): the same module bytes and the same event log on every seed scenario", () => {
      const t = debianTree(tree);
      const series = ingest([MAIL_001]);
      const scenario = BUNDLED.find((s) => s.name === "001-ext4-dio-buffered-fallback-race")!;
      const [unit] = unitsFor(series, t, prerequisitesOf(scenario, tree, series));
      assert.ok(unit && !unit.blocked && unit.before, "001 locates in the tree");
      const fast = buildVariant(t, unit.before, []);
      const dir = mkdtempSync(join(tmpdir(), "dioscope-scratch-"));
      const old = process.env.DIOSCOPE_WASM;
      process.env.DIOSCOPE_WASM = dir;
      let scratchWasm: string;
      try {
        scratchWasm = buildKernel({ tree: t, overlay: overlayFiles(t, unit.before!), fromScratch: true }).wasmPath;
      } finally {
        if (old === undefined) delete process.env.DIOSCOPE_WASM;
        else process.env.DIOSCOPE_WASM = old;
      }
      try {
        // The fast variant is spliced into the pristine kernel (whose DWARF it keeps); the scratch one, alone in its wasm directory, is Asyncified in full.
        assert.ok(withoutDwarf(readFileSync(fast.wasmPath)).equals(withoutDwarf(readFileSync(scratchWasm))), "the two builds differ");
        for (const s of SCRIPTED.filter((x) => runsOn(x, tree)))
          assert.equal(eventHash(runScenario(s, scratchWasm)), eventHash(runScenario(s, fast.wasmPath)), `${s.name}: the runs differ`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
