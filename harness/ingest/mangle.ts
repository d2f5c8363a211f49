// Damage like the web archives do it (see /work/shared/seeds/README.md), and real edits on
// real kernel files with their exact diffs: shared by the property tests and the bench.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Damage {
  /** drop blank and brace-only lines inside hunks (each with this probability, within the header's budget) */
  dropMissable: number;
  /** page chrome before/after */
  chrome: boolean;
  /** uniform indent of every body line */
  indent: number;
  /** random generator in [0,1) */
  rnd: () => number;
}

const MISSABLE = /^[\s{}();,]*$/;

/** Collapse whitespace like a web page copy: tabs and runs of blanks -> one space, leading/trailing stripped. */
export function collapseLine(l: string): string {
  return l.replace(/[\t ]+/g, " ").trim();
}

/** Damage a unified diff (text) the way the seeds are damaged. */
export function damageDiff(diff: string, d: Damage): string {
  const out: string[] = [];
  let inHunk = false;
  for (const l of diff.split("\n")) {
    if (/^@@ /.test(l)) inHunk = true;
    else if (/^(diff |--- |\+\+\+ )/.test(l)) inHunk = false;
    if (inHunk && !/^@@ /.test(l)) {
      const body = l.slice(1);
      if (MISSABLE.test(body) && d.rnd() < d.dropMissable) continue;
      // "+\tcode" -> "+ code"; " code" -> "code"
      const c = collapseLine(body);
      const p = l[0] === " " || l === "" ? "" : l[0]!;
      out.push(p === "" ? c : p + (c === "" ? "" : /^[\t ]/.test(body) ? " " + c : c));
    } else out.push(collapseLine(l));
  }
  let lines = out;
  if (d.chrome) {
    lines = [
      "[lkml]\u00a0\u00a0[2024]\u00a0\u00a0[Jan]\u00a0\u00a0[1]\u00a0\u00a0[last100]\u00a0\u00a0RSS Feed",
      "Views: [wrap][no wrap]\u00a0\u00a0[headers]\u00a0\u00a0[forward]\u00a0",
      "Messages in this thread",
      "Patch in this message",
      "Subject[PATCH] test: a generated edit",
      "From: Some One <>",
      "",
      "A generated change.",
      "",
      "Signed-off-by: Some One <>",
      ...lines,
      "",
      "\u00a0\\\u00a0/",
      "\u00a0\u00a0Last update: 2024-01-01 00:00\u00a0\u00a0\u00a0\u00a0[W:0.1 / U:0.2 seconds]",
      "\u00a92003-2020 Jasper Spaans|hosted at Digital Ocean and TransIP|Read the blog|Advertise on this site",
    ];
    if (d.indent > 0) lines = lines.map((l, k) => (k >= 3 && k < lines.length - 1 && l !== "" ? " ".repeat(d.indent) + l : l));
  }
  return lines.join("\n") + "\n";
}

/** `diff -u` between two texts, with a/ b/ names. */
export function unifiedDiff(path: string, before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), "dioscope-diff-"));
  try {
    writeFileSync(join(dir, "a"), before);
    writeFileSync(join(dir, "b"), after);
    let out = "";
    try {
      out = execFileSync("diff", ["-u", "--label", `a/${path}`, "--label", `b/${path}`, join(dir, "a"), join(dir, "b")], { encoding: "utf8" });
    } catch (e) {
      const err = e as { status?: number; stdout?: string };
      if (err.status !== 1) throw e;
      out = err.stdout ?? "";
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { prng } from "../prng.ts";

/** How a web archive renders a mail: the renderings the evaluation set is judged in. */
export type Rendering = "collapsed" | "dropped" | "lkml-indent";
export const RENDERINGS: readonly Rendering[] = ["collapsed", "dropped", "lkml-indent"];

/** What a rendering keeps of a mail: the headers a page shows and the decoded body. */
export interface MailText {
  subject: string;
  from: string;
  date: string;
  body: string;
}

/**
 * A mail as a web page renders it, copied as text:
 * - collapsed: lore-style page text, every run of blanks one space, leading and trailing blanks
 *   gone (context lines lose their leading space), "[thread overview]"/"(raw)" residue and the
 *   thread tree after the patch;
 * - dropped: collapsed, and half of the blank and lone-brace lines inside hunks lost;
 * - lkml-indent: dropped, on an lkml.org page: its chrome, addresses reduced to <>, and a
 *   4-space indent on every body line.
 * `rnd` chooses the dropped lines (seeded: a rendering replays exactly).
 */
export function renderMail(m: MailText, how: Rendering, rnd: () => number): string {
  const drop = how === "collapsed" ? 0 : 0.5;
  const body = damageDiff(m.body, { dropMissable: drop, chrome: false, indent: 0, rnd }).replace(/\n$/, "");
  if (how !== "lkml-indent") {
    return [
      `From: ${collapseLine(m.from)}`,
      `Subject: ${collapseLine(m.subject)}`,
      `Date: ${collapseLine(m.date)} [thread overview]`,
      "Message-ID: <eval@example> (raw)",
      ...body.split("\n"),
      "",
      "next prev parent reply other threads:[~2026-01-01 0:00 UTC|newest]",
      "Thread overview: 2+ messages / expand[flat|nested] mbox.gz Atom feed top",
      "Reply instructions:",
      "You may reply publicly to this message via plain-text email",
    ].join("\n") + "\n";
  }
  const lines = [
    `Subject${collapseLine(m.subject)}`,
    `From: ${collapseLine(m.from).replace(/<[^>]*>/, "<>")}`,
    `Date${collapseLine(m.date)}`,
    "",
    ...body.split("\n"),
  ].map((l) => (l === "" ? l : "    " + l));
  return [
    "[lkml]\u00a0\u00a0[2024]\u00a0\u00a0[Jan]\u00a0\u00a0[1]\u00a0\u00a0[last100]\u00a0\u00a0RSS Feed",
    "Views: [wrap][no wrap]\u00a0\u00a0[headers]\u00a0\u00a0[forward]\u00a0",
    "Messages in this thread",
    ...lines,
    "",
    "\u00a0\\\u00a0/",
    "\u00a0\u00a0Last update: 2024-01-01 00:00\u00a0\u00a0\u00a0\u00a0[W:0.1 / U:0.2 seconds]",
    "\u00a92003-2020 Jasper Spaans|hosted at Digital Ocean and TransIP|Read the blog|Advertise on this site",
  ].join("\n") + "\n";
}

/**
 * A real edit on a real file: at 1–2 places, delete up to 3 lines and insert up to 4 lines
 * copied from elsewhere in the same file (real kernel lines with their real whitespace).
 */
export function realEdit(lines: string[], rnd: () => number): string[] {
  const out = [...lines];
  const places = 1 + Math.floor(rnd() * 2);
  const starts = Array.from({ length: places }, () => 5 + Math.floor(rnd() * Math.max(1, out.length - 10))).sort((a, b) => b - a);
  for (const at of starts) {
    const del = Math.floor(rnd() * 4);
    const ins = (del === 0 ? 1 : 0) + Math.floor(rnd() * 4);
    const src = Math.floor(rnd() * Math.max(1, lines.length - ins));
    out.splice(at, del, ...lines.slice(src, src + ins));
  }
  return out;
}
