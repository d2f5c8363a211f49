// The evaluation set: real upstream fixes (patches/eval/*.patch, clean mails as archived),
// each rendered the ways web archives render mail (mangle.ts), located by the tool on a
// tree, and judged against GNU patch on the clean text on a copy of the same files.
// A case agrees when the tool's status is patch's, and where patch changes the file, the
// tool's overlay has the same lines (exact: byte for byte; else equal but for whitespace the
// tool rebuilt by rule: indentation, and where a lost blank line went). `falseApply` counts the one error that must never
// happen: the tool applying (either way) where patch on the clean text does not.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { repoRoot } from "../paths.ts";
import type { PristineTree } from "../tree/source.ts";
import { applyToTree, type ApplyResult, type PatchStatus } from "./apply.ts";
import { wsKey } from "./diff.ts";
import { ingestText } from "./index.ts";
import { prng, renderMail, RENDERINGS, type MailText, type Rendering } from "./mangle.ts";
import { readOverlayFile } from "./overlay.ts";
import type { Patch } from "./types.ts";

export const EVAL_DIR = join(repoRoot, "patches", "eval");

/** Agreement with GNU patch the tests hold the tool to on every tree and rendering (reached: 95.6–98.5 % per tree). */
export const EVAL_MIN_AGREEMENT = 0.95;

export type Truth = "applies" | "already-applied" | "neither";

export interface EvalCase {
  patch: string;
  tree: string;
  rendering: Rendering;
  truth: Truth;
  tool: PatchStatus | "parse-error";
  agree: boolean;
  /** the overlay is byte-identical to patch's result (or nothing to compare) */
  exact: boolean;
  detail: string;
}

export interface EvalSummary {
  cases: number;
  agree: number;
  exact: number;
  falseApply: number;
  byRendering: Record<string, { cases: number; agree: number; exact: number; falseApply: number }>;
  byTruth: Record<string, number>;
  disagreements: string[];
}

export function evalPatchFiles(): string[] {
  return readdirSync(EVAL_DIR)
    .filter((f) => f.endsWith(".patch"))
    .sort()
    .map((f) => join(EVAL_DIR, f));
}

/**
 * What GNU patch says of the clean text on a copy of the patch's files, and the patched files
 * when it applies: forward then reverse at fuzz 0 (patch's own reversed-patch detection), then
 * forward then reverse at patch's default fuzz 2.
 */
export function gnuTruth(mailFile: string, files: string[], tree: PristineTree): { truth: Truth; result: Map<string, string | null> } {
  const input = readFileSync(mailFile);
  for (const [reverse, fuzz] of [[false, 0], [true, 0], [false, 2], [true, 2]] as const) {
    const dir = mkdtempSync(join(tmpdir(), "dioscope-eval-"));
    try {
      for (const f of files) {
        const src = join(tree.root, f);
        if (!existsSync(src)) continue;
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        copyFileSync(src, join(dir, f));
      }
      const args = ["-p1", "-f", "-s", "--no-backup-if-mismatch", "-r", "-", `--fuzz=${fuzz}`, ...(reverse ? ["-R"] : []), "-d", dir];
      try {
        execFileSync("patch", args, { input, stdio: ["pipe", "pipe", "pipe"] });
      } catch {
        continue;
      }
      const result = new Map<string, string | null>();
      for (const f of files) result.set(f, existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : null);
      return { truth: reverse ? "already-applied" : "applies", result };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { truth: "neither", result: new Map() };
}

/** exact; whitespace: equal but for the whitespace of lines and the place of blank lines (both rebuilt by rule and marked); else wrong. */
export function compareText(got: string, want: string): "exact" | "whitespace" | "wrong" {
  if (got === want) return "exact";
  const keys = (s: string) => s.split("\n").map(wsKey).filter((k) => k !== "");
  const g = keys(got);
  const w = keys(want);
  return g.length === w.length && g.every((k, i) => k === w[i]) && got.split("\n").length === want.split("\n").length ? "whitespace" : "wrong";
}

function judge(r: ApplyResult | null, truth: Truth, want: Map<string, string | null>): { agree: boolean; exact: boolean; detail: string } {
  const st = r?.report.status;
  if (truth === "neither") return { agree: st !== "applies" && st !== "already-applied", exact: true, detail: "" };
  if (st !== truth) return { agree: false, exact: false, detail: `tool: ${st ?? "parse error"}` };
  const ov = truth === "applies" ? r!.after! : r!.before!;
  let exact = true;
  for (const [f, content] of want) {
    const got = readOverlayFile(ov, f) ?? null;
    if (content === null || got === null) {
      if (content !== got) return { agree: false, exact: false, detail: `${f}: exists on one side only` };
      continue;
    }
    const s = compareText(got, content);
    if (s === "wrong") return { agree: false, exact: false, detail: `${f}: content differs from GNU patch's` };
    exact &&= s === "exact";
  }
  return { agree: true, exact, detail: "" };
}

/** The clean mail as a page shows it: headers it prints, the body after the header block. */
export function mailText(raw: string, p: Patch): MailText {
  const at = raw.indexOf("\n\n");
  return { subject: p.subject, from: p.from ?? "", date: p.date ?? "", body: at < 0 ? raw : raw.slice(at + 2) };
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** Every evaluation patch × rendering on one tree. */
export function evaluateTree(tree: PristineTree, files = evalPatchFiles(), renderings: readonly Rendering[] = RENDERINGS): EvalCase[] {
  const out: EvalCase[] = [];
  for (const file of files) {
    const raw = readFileSync(file, "utf8");
    const [clean] = ingestText(raw, basename(file));
    if (!clean) throw new Error(`evaluation patch ${file} has no patch in it`);
    const paths = [...new Set(clean.files.flatMap((f) => [f.oldPath, f.newPath]).filter((x): x is string => x !== null))];
    const { truth, result } = gnuTruth(file, paths, tree);
    for (const how of renderings) {
      const text = renderMail(mailText(raw, clean), how, prng(seedOf(basename(file) + how)));
      let r: ApplyResult | null = null;
      let err = "";
      try {
        const ps = ingestText(text, `${basename(file)} (${how})`);
        r = ps.length === 1 ? applyToTree(ps[0]!, tree, { noSearch: true }) : null;
        if (ps.length !== 1) err = `${ps.length} patches parsed`;
      } catch (e) {
        err = (e as Error).message;
      }
      const j = judge(r, truth, result);
      out.push({ patch: basename(file), tree: tree.name, rendering: how, truth, tool: r?.report.status ?? "parse-error", agree: j.agree, exact: j.exact, detail: err || j.detail });
    }
  }
  return out;
}

export function summarise(cases: EvalCase[]): EvalSummary {
  const s: EvalSummary = { cases: 0, agree: 0, exact: 0, falseApply: 0, byRendering: {}, byTruth: {}, disagreements: [] };
  for (const c of cases) {
    const b = (s.byRendering[c.rendering] ??= { cases: 0, agree: 0, exact: 0, falseApply: 0 });
    const fa = c.truth !== c.tool && (c.tool === "applies" || c.tool === "already-applied") ? 1 : 0;
    for (const x of [s, b]) {
      x.cases++;
      x.agree += c.agree ? 1 : 0;
      x.exact += c.agree && c.exact ? 1 : 0;
      x.falseApply += fa;
    }
    s.byTruth[c.truth] = (s.byTruth[c.truth] ?? 0) + 1;
    if (!c.agree) s.disagreements.push(`${c.patch} on ${c.tree} (${c.rendering}): patch says ${c.truth}, tool ${c.tool}${c.detail ? ": " + c.detail : ""}`);
  }
  return s;
}
