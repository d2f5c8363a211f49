// The evaluation set (patches/eval: real upstream fixes from the mailing-list archives) in
// three web-archive renderings, judged against GNU patch on the clean text, on every tree
// (6.1 and 6.12: most fixes not yet applied; 7.3: most already applied). Measured: 6.1
// 133/135, 6.12 132/135, 7.3 130/135 (README; `npm run bench` reports each rendering).
import assert from "node:assert/strict";
import { EVAL_MIN_AGREEMENT, evalPatchFiles, evaluateTree, summarise, type EvalCase } from "../harness/ingest/evaluate.ts";
import { RENDERINGS } from "../harness/ingest/mangle.ts";
import { debianTree } from "../harness/tree/debian.ts";
import { TEST_TREES } from "./support/built.ts";

describe("ingest: evaluation set against GNU patch", function () {
  // about 20 s per tree on this 2-core machine with a kernel build beside it
  this.timeout(300000);
  const cases: EvalCase[] = [];

  before(() => {
    for (const t of TEST_TREES) cases.push(...evaluateTree(debianTree(t)));
  });

  it("has at least 30 real patches, each in every rendering on every tree", () => {
    assert.ok(evalPatchFiles().length >= 30, `${evalPatchFiles().length} patches`);
    assert.equal(cases.length, evalPatchFiles().length * RENDERINGS.length * TEST_TREES.length);
  });

  it("never applies (either way) where GNU patch on the clean text does not", () => {
    const bad = cases.filter((c) => c.truth !== c.tool && (c.tool === "applies" || c.tool === "already-applied"));
    assert.deepEqual(bad.map((c) => `${c.patch} on ${c.tree} (${c.rendering}): patch ${c.truth}, tool ${c.tool}`), []);
  });

  for (const t of TEST_TREES)
    it(`agrees with GNU patch in at least ${EVAL_MIN_AGREEMENT * 100} % of the cases on ${t}`, () => {
      const s = summarise(cases.filter((c) => c.tree === t));
      const rate = s.agree / s.cases;
      console.log(`      ${t}: agreement ${s.agree}/${s.cases} = ${(rate * 100).toFixed(1)} %; ` + Object.entries(s.byRendering).map(([k, v]) => `${k} ${v.agree}/${v.cases}`).join(", "));
      assert.ok(rate >= EVAL_MIN_AGREEMENT, s.disagreements.join("\n"));
    });

  it(`agrees in at least ${EVAL_MIN_AGREEMENT * 100} % in every rendering (all trees together)`, () => {
    for (const how of RENDERINGS) {
      const s = summarise(cases.filter((c) => c.rendering === how));
      assert.ok(s.agree / s.cases >= EVAL_MIN_AGREEMENT, `${how}: ${s.agree}/${s.cases}\n` + s.disagreements.join("\n"));
    }
  });
});
