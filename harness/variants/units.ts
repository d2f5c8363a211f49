// The changes a check judges on one tree ("units"): each patch of a series,
// and the whole series when it has several, each as the tree before and after
// it. What a scenario declares beyond the patch is applied here, the same way
// for every scenario: `alsoApply` patches go under both sides, and a mail the
// scenario reproduces that applies to no tree in either direction gets the
// declared `regression` patch as its "before" side.
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { applyToTree, ingest, type Overlay, type Patch, type PatchReport } from "../ingest/index.ts";
import { repoRoot } from "../paths.ts";
import { scenarioPatchPath } from "../scenario/load.ts";
import type { Scenario, ScenarioPatch } from "../scenario/types.ts";
import { resolveTree } from "../tree/resolve.ts";
import { kernelSeries, type PristineTree, type TreeName } from "../tree/source.ts";

/** A declaration a unit carries, printed with its verdicts. */
export interface Declaration {
  kind: "also-apply" | "regression";
  /** The patch file (repository-relative when inside it). */
  patch: string;
  why: string;
  /** Scenarios that declared it. */
  by: string[];
}

/** One change to judge on one tree: the tree before it and after it. null overlay = the pristine tree. */
export interface Unit {
  label: string;
  tree: TreeName;
  patchIds: string[];
  before: Overlay | null;
  after: Overlay | null;
  /** Why it cannot run (the patch does not apply), or null. */
  blocked: string | null;
  declarations: Declaration[];
}

/** How a patch of the series was found on a tree. */
export interface PatchOnTree {
  id: string;
  subject: string;
  tree: TreeName;
  status: PatchReport["status"];
  relocated: boolean;
  notes: string[];
  /** The locator's whole report (hunks, files, what was substituted). */
  report: PatchReport;
}

/** What a group of scenarios needs beyond the patch (the same for every scenario of the group). */
export interface Prerequisites {
  alsoApply: readonly { file: string; decl: ScenarioPatch }[];
  regression: { file: string; decl: ScenarioPatch } | null;
  by: string[];
}

const shown = (file: string) => (file.startsWith(repoRoot) ? relative(repoRoot, file) : file);
const normSubject = (s: string) => s.replace(/^\s*(\[[^\]]*\]\s*)+/, "").replace(/\s+/g, " ").trim().toLowerCase();

/** Whether `s` declares that it reproduces `p` (by subject). */
export function reproduces(s: Scenario, p: Patch): boolean {
  const want = normSubject(p.subject);
  return (s.reproduces ?? []).some((r) => normSubject(r.subject) === want);
}

/** The prerequisites of scenario `s` on `tree` for `series` (the regression only for a mail it reproduces). */
export function prerequisitesOf(s: Scenario, tree: TreeName, series: readonly Patch[]): Prerequisites {
  const ks = kernelSeries(resolveTree(tree).kernelVersion);
  const alsoApply = (s.alsoApply ?? []).map((decl) => ({ file: scenarioPatchPath(s, decl.patch, tree, ks), decl }));
  const regression = s.regression && series.some((p) => reproduces(s, p)) ? { file: scenarioPatchPath(s, s.regression.patch, tree, ks), decl: s.regression } : null;
  return { alsoApply, regression, by: [s.name] };
}

/** A key under which scenarios share their kernels (same prerequisites, same builds). */
export function prerequisitesKey(p: Prerequisites): string {
  return JSON.stringify([p.alsoApply.map((a) => a.file), p.regression?.file ?? null]);
}

function declarations(pre: Prerequisites, withRegression: boolean): Declaration[] {
  const d: Declaration[] = pre.alsoApply.map((a) => ({ kind: "also-apply", patch: shown(a.file), why: a.decl.why, by: pre.by }));
  if (withRegression && pre.regression) d.push({ kind: "regression", patch: shown(pre.regression.file), why: pre.regression.decl.why, by: pre.by });
  return d;
}

/** Applies one declared patch on `base`; the overlay after it, or why it cannot be used. */
function applyDeclared(file: string, t: PristineTree, base: Overlay | undefined): { after: Overlay } | { blocked: string } {
  if (!existsSync(file)) return { blocked: `${shown(file)} does not exist (no version of it for ${t.name})` };
  const [p] = ingest([file]);
  if (!p) return { blocked: `${shown(file)} holds no patch` };
  const r = applyToTree(p, t, base ? { base } : {});
  if (r.report.status !== "applies" || !r.after) return { blocked: `${shown(file)} is ${r.report.status} on ${t.name}` };
  return { after: r.after };
}

function blockedUnit(label: string, tree: TreeName, ids: string[], why: string, decl: Declaration[]): Unit {
  return { label, tree, patchIds: ids, before: null, after: null, blocked: why, declarations: decl };
}

function statusWhy(st: PatchReport["status"], tree: string): string {
  if (st === "neither") return `the patch applies to ${tree} in neither direction`;
  if (st === "partially-applied") return `the patch is only partly present in ${tree}`;
  return `the patch is ${st} on ${tree}`;
}

/** The tree with the `alsoApply` patches of `pre` (undefined: the pristine tree), or why they cannot be applied. */
export function prerequisiteBase(t: PristineTree, pre: Prerequisites | null): { base: Overlay | undefined } | { blocked: string } {
  let base: Overlay | undefined;
  for (const a of pre?.alsoApply ?? []) {
    const r = applyDeclared(a.file, t, base);
    if ("blocked" in r) return { blocked: `declared by ${pre!.by.join(", ")}: ${r.blocked}` };
    base = r.after;
  }
  return { base };
}

/**
 * Where patch `p` is on `t` (on top of `base`), allowing code that moved to
 * another file; when it is in neither direction and the tree confirms
 * identifier renames (the old name exists nowhere in it any more, the new
 * one does), once more with those renames applied (the report marks them).
 */
function locate(p: Patch, t: PristineTree, base: Overlay | undefined): ReturnType<typeof applyToTree> {
  const r = applyToTree(p, t, { ...(base ? { base } : {}), allowRelocated: true });
  if (r.report.status !== "neither") return r;
  const renames = Object.fromEntries(r.report.files.flatMap((f) => f.hunks.flatMap((h) => (h.renames ?? []).filter((x) => x.kind === "renamed").map((x) => [x.from, x.to]))));
  if (!Object.keys(renames).length) return r;
  const again = applyToTree(p, t, { ...(base ? { base } : {}), allowRelocated: true, renames });
  return again.report.status === "applies" || again.report.status === "already-applied" ? again : r;
}

/** The units of `series` on tree `t` under prerequisites `pre` (none: the plain tree). Located patches go to `out`. */
export function unitsFor(series: readonly Patch[], t: PristineTree, pre: Prerequisites | null, out: PatchOnTree[] = []): Unit[] {
  const patches = series.filter((p) => !p.isCover);
  const common = pre ? declarations(pre, false) : [];
  const pb = prerequisiteBase(t, pre);
  if ("blocked" in pb) return patches.map((p) => blockedUnit(p.subject, t.name, [p.id], pb.blocked, common));
  let base = pb.base;
  const units: Unit[] = [];
  const start = base;
  let firstBefore: Overlay | null = start ?? null;
  let allForward = true;
  for (const p of patches) {
    const r = locate(p, t, base);
    out.push({ id: p.id, subject: p.subject, tree: t.name, status: r.report.status, relocated: r.report.relocated, notes: r.report.notes, report: r.report });
    const label = patches.length > 1 ? `${p.id} (${p.subject})` : p.subject;
    if (r.report.status === "applies" || r.report.status === "already-applied") {
      units.push({ label, tree: t.name, patchIds: [p.id], before: r.before, after: r.after, blocked: null, declarations: common });
      if (r.report.status === "applies") {
        if (base === start) firstBefore = r.before;
        base = r.after ?? undefined;
      } else allForward = false;
      continue;
    }
    allForward = false;
    if (r.report.status === "neither" && pre?.regression) {
      const reg = applyDeclared(pre.regression.file, t, start);
      const decl = declarations(pre, true);
      if ("blocked" in reg) units.push(blockedUnit(label, t.name, [p.id], `declared by ${pre.by.join(", ")}: ${reg.blocked}`, decl));
      else units.push({ label: `${label} (before: the tree with the bug put back)`, tree: t.name, patchIds: [p.id], before: reg.after, after: start ?? null, blocked: null, declarations: decl });
      continue;
    }
    const notes = r.report.notes.length ? ": " + r.report.notes.join("; ") : "";
    units.push(blockedUnit(label, t.name, [p.id], `${statusWhy(r.report.status, t.name)}${notes}`, common));
  }
  if (patches.length > 1)
    units.unshift({
      label: `series of ${patches.length}`,
      tree: t.name,
      patchIds: patches.map((p) => p.id),
      before: firstBefore,
      after: base ?? null,
      blocked: allForward ? null : "the series does not apply forward as a whole on this tree (checked per patch)",
      declarations: common,
    });
  return units;
}
