// The --reply text: list conventions (interleaved quoting, no top-posting,
// 72-column prose), a Tested-by: only when shown fixed with nothing
// regressed, and golden tests of the reply to seed 001's mail for the
// real check on each tree (DIOSCOPE_UPDATE_GOLDEN=1 rewrites the golden files).
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../harness/paths.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { renderReply } from "../harness/report/reply.ts";
import { check001, MAIL_001 } from "./support/check001.ts";
import { syntheticModel } from "./support/report-model.ts";
import { TEST_TREES } from "./support/built.ts";

const ME = "Reviewer Name <reviewer@example.org>";
const mail = () => readFileSync(join(repoRoot, MAIL_001), "utf8");

function fixedOnly() {
  const m = syntheticModel();
  m.cases = m.cases.filter((c) => c.verdict !== "regressed");
  m.regressed = false;
  return m;
}

/** List conventions: headers, a blank line, the attribution, then quoted and own text alternating; nothing before the first quote. */
function assertListConventions(text: string): void {
  const [head, body] = [text.slice(0, text.indexOf("\n\n")), text.slice(text.indexOf("\n\n") + 2)];
  assert.match(head, /^Subject: Re: /);
  assert.match(head, /\nIn-Reply-To: <[^>]+>\n/);
  const lines = body.split("\n");
  assert.match(lines[0]!, / wrote:$/, "the reply starts with the attribution (no top-posting)");
  assert.match(lines[1]!, /^> /);
  const blocks = lines.reduce((n, l, i) => n + (l.startsWith(">") && !lines[i - 1]?.startsWith(">") ? 1 : 0), 0);
  assert.ok(blocks >= 2, "interleaved: at least two quoted blocks with text between");
  for (const l of lines) if (!/^ {2,}(dioscope |\[)/.test(l) && !l.startsWith(">")) assert.ok(l.length <= 72, `wrapped: "${l}"`);
}

describe("report: the reply to the patch mail", function () {
  this.timeout(1_200_000);

  it("shown fixed, nothing regressed: interleaved, ends with the Tested-by: line", () => {
    const r = renderReply(fixedOnly(), mail(), { testedBy: ME });
    assertListConventions(r);
    assert.ok(r.trimEnd().endsWith(`Tested-by: ${ME}`));
    assert.match(r, /^Cc: .*linux-ext4@vger\.kernel\.org/m, "reply to all");
  });

  it("no Tested-by: when a case regressed, when nothing was shown fixed, or when no identity is given", () => {
    assert.doesNotMatch(renderReply(syntheticModel(), mail(), { testedBy: ME }), /^Tested-by:/m);
    const none = fixedOnly();
    none.cases = none.cases.filter((c) => c.verdict !== "fixed");
    assert.doesNotMatch(renderReply(none, mail(), { testedBy: ME }), /^Tested-by:/m);
    assert.match(renderReply(fixedOnly(), mail(), { testedBy: null }), /no identity was given/);
  });

  for (const tree of TEST_TREES)
    it(`golden: the reply to seed 001's mail for its check on ${tree}`, async () => {
      const c = await check001([tree]);
      const full = renderReply(c.model, c.mailText, { testedBy: ME });
      assertListConventions(full);
      // The Debian package's point release changes under the same series: the golden names it as a placeholder.
      const version = resolveTree(tree).kernelVersion;
      assert.ok(full.includes(`${tree} (${version})`), `the reply names the tree's kernel version ${version}`);
      const text = full.replaceAll(`${tree} (${version})`, `${tree} (<kernel version>)`);
      const golden = join(repoRoot, "tests/fixtures/report", `001-reply.${tree}.txt`);
      if (process.env.DIOSCOPE_UPDATE_GOLDEN || !existsSync(golden)) {
        assert.ok(process.env.DIOSCOPE_UPDATE_GOLDEN, `no golden file ${golden}: run with DIOSCOPE_UPDATE_GOLDEN=1 and review it`);
        writeFileSync(golden, text);
      }
      assert.equal(text, readFileSync(golden, "utf8"));
      assert.ok(text.trimEnd().endsWith(`Tested-by: ${ME}`), `001 is shown fixed on ${tree}`);
    });
});
