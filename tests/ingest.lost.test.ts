// Lines lost from the side of a hunk that is not in the tree, put back by rule (lost.ts), and
// the checks that tell readings apart as diff writes hunks. Pure functions: no tree needed.
import assert from "node:assert/strict";
import { minimalRuns, orderedRuns, placeLost, type LostLine } from "../harness/ingest/lost.ts";
import { sectionMatches } from "../harness/ingest/locate.ts";

const tree = (kind: LostLine["kind"], text: string): LostLine => ({ kind, text, prov: "tree" });
const text = (text: string): LostLine => ({ kind: "add", text, prov: "inferred" });
const mk = (t: string): LostLine => ({ kind: "add", text: t, prov: "inferred", invented: true });
const shown = (ls: LostLine[]) => ls.map((l) => (l.kind === "ctx" ? " " : l.kind === "add" ? "+" : "-") + l.text.trim() + (l.invented ? " <-" : ""));

describe("ingest: lost lines of the side not in the tree", () => {
  it("a closing brace goes after the context its block goes around, not before lines still inside it", () => {
    // forward: `if (err)` becomes `if (err) {`, brelse added, and the `}` after goto was lost
    const lines = [
      tree("ctx", "\t\t\terr = ext4_journal_get_write_access(handle, sb, bh, 0);"),
      tree("del", "\t\t\tif (err)"),
      text("if (err) {"),
      text("brelse(bh2);"),
      tree("ctx", "\t\t\t\tgoto journal_error;"),
      tree("ctx", ""),
      tree("ctx", "\t\t\tmemcpy(a, b, n);"),
    ];
    const r = placeLost(lines, 1, "del", mk);
    assert.equal(r.kind, "placed", JSON.stringify(r));
    if (r.kind === "placed") assert.deepEqual(shown(r.lines).slice(2, 6), ["+if (err) {", "+brelse(bh2);", " goto journal_error;", "+} <-"]);
  });

  it("a function head that lost its opening brace gets its lost pair back, the closing one at the end of the function", () => {
    const lines = [
      tree("ctx", "EXPORT_SYMBOL(foo);"),
      tree("ctx", ""),
      text("static bool is_reusable(struct hctx *hctx)"),
      text("return hlist_unhashed(&hctx->online) &&"),
      text("hlist_unhashed(&hctx->dead);"),
      text(""),
      tree("ctx", "static struct hctx *alloc_hctx("),
    ];
    const r = placeLost(lines, 2, "del", mk);
    assert.equal(r.kind, "placed", JSON.stringify(r));
    if (r.kind === "placed") assert.deepEqual(shown(r.lines).slice(2, 8), ["+static bool is_reusable(struct hctx *hctx)", "+{ <-", "+return hlist_unhashed(&hctx->online) &&", "+hlist_unhashed(&hctx->dead);", "+} <-", "+"]);
  });

  it("blank lines that fit in several places are put back (the same code) and said to be likely", () => {
    const lines = [tree("ctx", "\tx = 0;"), text("y = 1;"), text("z = 2;"), tree("ctx", "\tfoo();")];
    const r = placeLost(lines, 1, "del", mk);
    assert.equal(r.kind, "placed", JSON.stringify(r));
    if (r.kind === "placed") assert.equal(r.certainty, "likely");
  });

  it("diff's shape: removed before added within a run; no line removed and added again (blank lines, or equal bytes)", () => {
    const k = (s: string) => s.split("").map((c) => ({ kind: c === "-" ? ("del" as const) : c === "+" ? ("add" as const) : ("ctx" as const), text: "" }));
    assert.equal(orderedRuns(k(" --+ -+ "), "del"), true);
    assert.equal(orderedRuns(k(" -+- "), "del"), false);
    assert.equal(orderedRuns(k(" ++- "), "add"), true);
    assert.equal(orderedRuns(k(" +-+ "), "add"), false);
    assert.equal(minimalRuns([{ kind: "del", text: "" }, { kind: "add", text: "" }]), false);
    assert.equal(minimalRuns([{ kind: "del", text: "\t}" }, { kind: "add", text: "}" }]), true);
    assert.equal(minimalRuns([{ kind: "del", text: "\t}" }, { kind: "add", text: "\t}" }], true), false);
  });

  it("the @@ line's function name is the last line before the hunk that starts with a letter", () => {
    const F = ["static int a(void)", "{", "\treturn 0;", "}", "", "static int b(int x)", "{", "\tint y;", "\treturn x;", "}"];
    assert.equal(sectionMatches(F, 7, "static int b(int x)"), true);
    assert.equal(sectionMatches(F, 2, "static int b(int x)"), false);
    assert.equal(sectionMatches(F, 7, ""), false);
  });
});

describe("ingest: a re-indentation whose whitespace the text lost", () => {
  it("takes the direction of the patch's other hunks, and says so", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { ingestText, applyToTree } = await import("../harness/ingest/index.ts");
    const dir = mkdtempSync(join(tmpdir(), "dioscope-reindent-"));
    try {
      const body = ["int f(int a)", "{", "\tint b = a;", "\tb++;", "\treturn b;", "}", "", ...Array.from({ length: 12 }, (_, i) => `int pad${i};`), "", "int g(int x)", "{", "\tif (x) {", "\t\tx++;", "\t\tx--;", "\t}", "\treturn x;", "}"];
      writeFileSync(join(dir, "a.c"), body.join("\n") + "\n");
      // hunk 1 changes code; hunk 2 only moves x++/x-- out of the block (tabs lost: the text cannot tell which way)
      const mail = [
        "--- a/a.c", "+++ b/a.c",
        "@@ -1,6 +1,6 @@", "int f(int a)", "{", "- int b = a;", "+ int b = a + 1;", "b++;", "return b;", "}",
        "@@ -22,7 +22,7 @@ int g(int x)", "{", "if (x) {", "- x++;", "- x--;", "+ x++;", "+ x--;", "}", "return x;", "}",
      ].join("\n");
      const tree = { name: "6.1", origin: "synthetic", source: { kind: "dir", path: dir, fingerprint: "synthetic" }, kernelVersion: "0", root: dir } as const;
      const r = applyToTree(ingestText(mail, "m.txt")[0]!, tree as never, { noSearch: true });
      assert.equal(r.report.status, "applies");
      const h2 = r.report.files[0]!.hunks[1]!;
      assert.equal(h2.status, "forward");
      assert.match((h2.notes ?? []).join(" "), /re-indentation/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
