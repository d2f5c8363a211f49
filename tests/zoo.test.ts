// A bug of the zoo (patches/zoo: real upstream fixes nobody wrote a
// scenario or a generator case for) found by `dioscope check` with the
// default generic options: 08 (iomap: s_dio_done_wq for async reads) on
// 6.12, where the fix applies in reverse. The default run is 24 cases; the
// decisive one is its first (case 0), so this runs the default's first case
// only — the same workload, seed and schedules as the default invocation.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../harness/check/check.ts";
import { GENERIC_DEFAULT, type GenericSummary } from "../harness/check/generic.ts";
import { parseWorkload } from "../harness/generate/text.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { TEST_TREES } from "./support/built.ts";

const ZOO_08 = join(repoRoot, "patches/zoo/08-iomap-dio-done-wq-async-reads.patch");

for (const tree of TEST_TREES.filter((t) => t === "6.12"))
  describe(`the zoo on ${tree}, generic suite with the default options`, function () {
    this.timeout(1_800_000);

    it("08 (an async O_DIRECT read whose bio fails by interrupt, no s_dio_done_wq): fixed, by the console and hang oracles, in the default run's first case", () => {
      const r = runCheck(ingest([ZOO_08]), { trees: [tree], scenarios: [], candidates: [], generic: { ...GENERIC_DEFAULT, budget: 1 }, inputs: [ZOO_08] });
      const vs = r.units.flatMap((u) => u.verdicts);
      assert.equal(vs.length, 1, JSON.stringify(r.units.map((u) => u.problem)));
      const v = vs[0] as (typeof vs)[0] & { generated: GenericSummary };
      assert.equal(v.verdict, "fixed", v.reason);
      const s = v.generated.shown!;
      assert.equal(s.failing, "before");
      assert.ok(s.failure.names.includes("oracle:console") && s.failure.names.includes("oracle:hang"), s.failure.names.join(", "));
      const w = parseWorkload(s.shrunk);
      assert.ok(w.tasks.length === 1 && w.faults.length >= 1, s.shrunk);
    });
  });
