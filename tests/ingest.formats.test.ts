// Every input format, built at test time around real edits of a real tree file (no kernel
// source is stored in the repository), each checked end to end: parse, apply, after overlay.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { applyToTree, formatReport, ingest, ingestText, type Patch } from "../harness/ingest/index.ts";
import { damageDiff, prng, unifiedDiff } from "../harness/ingest/mangle.ts";
import { resolveTree } from "../harness/tree/resolve.ts";

const tree = resolveTree("6.1");
const REL = "fs/ext4/file.c";
const orig = readFileSync(join(tree.root, REL), "utf8");

function edit(anchor: string, insert: string): string {
  const i = orig.indexOf(anchor);
  assert.ok(i >= 0, anchor);
  const eol = orig.indexOf("\n", i) + 1;
  return orig.slice(0, eol) + insert + orig.slice(eol);
}
// two independent edits (for a series) and their exact diffs
const E1 = edit("\tinode_lock(inode);\n", "\t/* dioscope: first */\n\tmight_sleep();\n");
const E2 = edit("static int ext4_file_open(struct inode *inode, struct file *filp)\n{\n", "\t/* dioscope:\tsecond */\n");
const D1 = unifiedDiff(REL, orig, E1);
const D2 = unifiedDiff(REL, orig, E2);
const gitify = (d: string) => `diff --git a/${REL} b/${REL}\nindex 0123456789ab..ba9876543210 100644\n${d}`;

function mail(opts: { sha?: string; subject: string; body: string; diff: string; from?: string; extra?: string }): string {
  return [
    `From ${opts.sha ?? "1111111111111111111111111111111111111111"} Mon Sep 17 00:00:00 2001`,
    `From: ${opts.from ?? "A Developer <dev@example.org>"}`,
    "Date: Mon, 1 Jan 2024 00:00:00 +0000",
    `Subject: ${opts.subject}`,
    `Message-ID: <${opts.subject.length}@example.org>`,
    ...(opts.extra ? [opts.extra] : []),
    "",
    opts.body,
    "",
    "Fixes: 0123456789ab (\"ext4: something\")",
    "Link: https://lore.kernel.org/r/x@example.org",
    "Reviewed-by: R Viewer <r@example.org>",
    "Signed-off-by: A Developer <dev@example.org>",
    "---",
    ` ${REL} | 2 ++`,
    " 1 file changed, 2 insertions(+)",
    "",
    opts.diff,
    "-- ",
    "2.43.0",
    "",
  ].join("\n");
}

function checkApplies(p: Patch, want: string): void {
  const r = applyToTree(p, tree, { noSearch: true });
  assert.equal(r.report.status, "applies", formatReport(r.report));
  assert.equal(r.after!.files.get(REL), want);
  assert.equal(r.before!.files.size, 0);
}

let tmp: string;
const file = (name: string, content: string | Buffer) => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};

describe("ingest: input formats", function () {
  this.timeout(60000);
  before(() => (tmp = mkdtempSync(join(tmpdir(), "dioscope-fmt-"))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("plain unified diff (diff -u)", () => {
    const [p] = ingest([file("plain.diff", D1)]);
    assert.equal(p!.format, "quilt"); // no diff --git line: the GNU/quilt family
    assert.equal(p!.mangled, false);
    checkApplies(p!, E1);
  });

  it("git diff", () => {
    const [p] = ingest([file("git.diff", gitify(D1))]);
    assert.equal(p!.format, "unified-diff");
    checkApplies(p!, E1);
  });

  it("quilt patch (Index:, ===, .orig directory prefixes, description)", () => {
    const q = D2.replace(`--- a/${REL}`, `--- linux-6.1.orig/${REL}`).replace(`+++ b/${REL}`, `+++ linux-6.1/${REL}`);
    const text = `ext4: a quilt patch\n\nSome words.\n\nSigned-off-by: Q <q@example.org>\n\nIndex: linux-6.1/${REL}\n===================================================================\n${q}`;
    const [p] = ingest([file("quilt.patch", text)]);
    assert.equal(p!.format, "quilt");
    assert.equal(p!.files[0]!.newPath, REL);
    checkApplies(p!, E2);
  });

  it("git format-patch file: subject, trailers, base-commit, diffstat not in the message", () => {
    const text = mail({ sha: "a".repeat(40), subject: "[PATCH] ext4: first", body: "Make it first.", diff: gitify(D1) }) + "\nbase-commit: 0123456789abcdef0123456789abcdef01234567\n";
    const [p] = ingest([file("0001-ext4-first.patch", text)]);
    assert.equal(p!.format, "format-patch");
    assert.equal(p!.subject, "[PATCH] ext4: first");
    assert.equal(p!.baseCommit, "0123456789abcdef0123456789abcdef01234567");
    assert.deepEqual(p!.trailers.map((t) => t.key), ["Fixes", "Link", "Reviewed-by", "Signed-off-by"]);
    assert.ok(!p!.message.includes("file changed"));
    checkApplies(p!, E1);
  });

  it("several format-patch files given out of order form an ordered series; the cover letter is not applied", () => {
    const cover = mail({ subject: "[PATCH v2 0/2] ext4: two things", body: "Cover.", diff: "" });
    const f1 = file("v2-0001.patch", mail({ subject: "[PATCH v2 1/2] ext4: first", body: "One.", diff: gitify(D1) }));
    const f2 = file("v2-0002.patch", mail({ subject: "[PATCH v2 2/2] ext4: second", body: "Two.", diff: gitify(D2) }));
    const f0 = file("v2-0000.patch", cover);
    const ps = ingest([f2, f0, f1]);
    assert.deepEqual(ps.map((p) => p.seq), [0, 1, 2]);
    assert.equal(ps[0]!.isCover, true);
    assert.equal(applyToTree(ps[0]!, tree).report.status, "cover-letter");
    // stack the series: 2/2 on top of 1/2's after overlay
    const r1 = applyToTree(ps[1]!, tree, { noSearch: true });
    const r2 = applyToTree(ps[2]!, tree, { noSearch: true, base: r1.after! });
    assert.equal(r2.report.status, "applies");
    const both = r2.after!.files.get(REL)!;
    assert.ok(both.includes("dioscope: first") && both.includes("dioscope:\tsecond"));
  });

  it("mboxrd thread (gzip): >From unescaped, replies skipped, old version dropped", () => {
    const body = "Make it first.\n>From the department of escapes.";
    const msgs = [
      mail({ sha: "MAILER-DAEMON", subject: "[PATCH 1/2] ext4: first", body: "old version", diff: gitify(D1) }).replace(/^From MAILER-DAEMON Mon Sep 17 00:00:00 2001/, "From mboxrd@z Thu Jan  1 00:00:00 1970"),
      mail({ subject: "[PATCH v2 1/2] ext4: first", body, diff: gitify(D1) }).replace(/^From \S+ .*$/m, "From mboxrd@z Thu Jan  1 00:00:00 1970"),
      "From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: R <r@example.org>\nSubject: Re: [PATCH v2 1/2] ext4: first\n\n> quoted\nLooks good.\n",
      mail({ subject: "[PATCH v2 2/2] ext4: second", body: "Two.", diff: gitify(D2) }).replace(/^From \S+ .*$/m, "From mboxrd@z Thu Jan  1 00:00:00 1970"),
    ];
    const raw = msgs.join("\n").replace("\n>From the department", "\n>>From the department");
    const f = file("thread.mbox.gz", gzipSync(Buffer.from(raw)));
    const ps = ingest([f]);
    assert.equal(ps[0]!.format, "mbox");
    assert.deepEqual(ps.map((p) => [p.version, p.seq]), [
      [2, 1],
      [2, 2],
    ]);
    assert.match(ps[0]!.message, /^>From the department/m);
    checkApplies(ps[0]!, E1);
  });

  it("b4 am output (From git@z separators, Link trailers)", () => {
    const m = (s: string, d: string) => mail({ subject: s, body: "b4 body", diff: gitify(d) }).replace(/^From \S+ .*$/m, "From git@z Thu Jan  1 00:00:00 1970");
    const ps = ingest([file("series.mbx", m("[PATCH 2/2] ext4: second", D2) + "\n" + m("[PATCH 1/2] ext4: first", D1))]);
    assert.equal(ps[0]!.format, "b4-am");
    assert.deepEqual(ps.map((p) => p.seq), [1, 2]);
    assert.ok(ps[0]!.trailers.some((t) => t.key === "Link"));
    checkApplies(ps[1]!, E2);
  });

  it("quoted-printable mail without From_ line", () => {
    const qp = gitify(D2).replace(/=/g, "=3D").replace(/\t/g, "=09");
    const text = `From: A <a@example.org>\nSubject: [PATCH] ext4: second\nContent-Transfer-Encoding: quoted-printable\n\nBody.\n---\n${qp}`;
    const [p] = ingestText(text, "qp.eml");
    assert.equal(p!.format, "mail");
    checkApplies(p!, E2);
  });

  it("text copied from an lkml.org page (chrome, <>, 4-space indent, whitespace collapsed, blank lines lost)", () => {
    let dropped = 0;
    const text = damageDiff(gitify(D1), { dropMissable: 1, chrome: true, indent: 4, rnd: () => (dropped++ < 1 ? 0 : 1) });
    const [p] = ingest([file("lkml.txt", text)]);
    assert.equal(p!.format, "lkml-page");
    assert.equal(p!.mangled, true);
    assert.equal(p!.subject, "[PATCH] test: a generated edit");
    const r = applyToTree(p!, tree, { noSearch: true });
    assert.equal(r.report.status, "applies", formatReport(r.report));
    assert.equal(r.after!.files.get(REL), E1, "re-indented added lines match the original bytes");
  });

  it("text copied from a lore page ([thread overview], (raw), thread tree after the patch)", () => {
    const collapsed = damageDiff(gitify(D1), { dropMissable: 0, chrome: false, indent: 0, rnd: prng(3) });
    const text = [
      "From: A Developer <dev@example.org>",
      "To: linux-ext4@vger.kernel.org",
      "Cc: tytso@mit.edu,",
      "jack@suse.cz",
      "Subject: [PATCH v3 1/2] ext4: first",
      "Date: Mon, 1 Jan 2024 00:00:00 +0000 [thread overview]",
      "Message-ID: <20240101-1-dev@example.org> (raw)",
      "Make it first.",
      "Signed-off-by: A Developer <dev@example.org>",
      "---",
      collapsed.trimEnd(),
      "--",
      "2.43.0",
      "next prev parent reply other threads:[~2024-01-01 0:00 UTC|newest]",
      "Thread overview: 3+ messages",
      "2024-01-01 0:00 [PATCH v3 0/2] ext4: two things A Developer",
    ].join("\n");
    const [p] = ingestText(text, "lore.txt");
    assert.equal(p!.format, "lore-page");
    assert.equal(p!.messageId, "20240101-1-dev@example.org");
    assert.equal(p!.seq, 1);
    assert.equal(p!.mangled, true);
    const r = applyToTree(p!, tree, { noSearch: true });
    assert.equal(r.report.status, "applies", formatReport(r.report));
    assert.equal(r.after!.files.get(REL), E1);
  });

  it("a lore HTML page (tabs preserved in <pre>: exact)", () => {
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const html = `<!DOCTYPE html><html><head><title>[PATCH] ext4: second</title></head><body><pre>From: A Developer &lt;dev@example.org&gt;\nSubject: [PATCH] ext4: second\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nBody.\n\nSigned-off-by: A &lt;a@example.org&gt;\n---\n${esc(gitify(D2))}</pre><hr><pre>next prev parent reply other threads</pre></body></html>`;
    const [p] = ingestText(html, "page.html");
    assert.equal(p!.format, "lore-page");
    assert.equal(p!.mangled, false);
    checkApplies(p!, E2);
  });

  it("a patch already in the tree is reported as already applied, with before = tree - patch", () => {
    const [p] = ingestText(gitify(unifiedDiff(REL, E1, orig)), "rev.diff");
    const r = applyToTree(p!, tree, { noSearch: true });
    assert.equal(r.report.status, "already-applied");
    assert.equal(r.before!.files.get(REL), E1);
    assert.equal(r.after!.files.size, 0);
  });

  it("an offset hunk reports the offset; a hunk with a changed context line reports fuzz", () => {
    const shifted = D1.replace(/^@@ -(\d+),(\d+) \+(\d+),(\d+) @@/m, (_m, a, b, c, d) => `@@ -${+a + 40},${b} +${+c + 40},${d} @@`);
    const r = applyToTree(ingestText(shifted, "off.diff")[0]!, tree, { noSearch: true });
    assert.equal(r.report.files[0]!.hunks[0]!.offset, -40);
    const lines = D1.split("\n");
    const firstCtx = lines.findIndex((l) => l.startsWith(" "));
    lines[firstCtx] = " \t/* a context line that is not in the tree */";
    const r2 = applyToTree(ingestText(lines.join("\n"), "fuzz.diff")[0]!, tree, { noSearch: true });
    assert.equal(r2.report.files[0]!.hunks[0]!.fuzz, 1);
    assert.equal(r2.report.status, "applies");
  });
});
