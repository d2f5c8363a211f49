// The generic suite as one verdict of a unit: generated workloads on the
// filesystems the change touches (all of them for shared code), each case
// explored on the kernel before and after the change with the same seed
// and schedules; a case that changes sides is shrunk on the side it fails
// and reported as workload text + replay token. Nothing here knows a bug.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GenFs } from "../generate/workload.ts";
import { exploreCase, fsFor, runSuite, type CaseFailure, type CaseOptions, type GeneratedCase } from "../generate/suite.ts";
import { shrinkCase } from "../generate/shrink.ts";
import { describeEmphasis, NO_EMPHASIS, type Emphasis, type Feature } from "../generate/emphasis.ts";
import { PCT_DEPTH } from "../explore/explore.ts";
import type { KernelRef } from "../explore/runner.ts";
import { resolveTree } from "../tree/resolve.ts";
import { framedFunctions, resolveFocus, type Inlined } from "./inlined.ts";
import type { ExploredSide, ScenarioVerdict } from "./verdict.ts";

/** The name the suite's verdict carries (beside the scenarios' names). */
export const GENERIC_NAME = "generated";

export interface GenericOptions {
  /** Generated cases per tree. */
  budget: number;
  seed: number;
  /** PCT schedules per case after the natural one. */
  schedules: number;
  /** The kernels have fault injection (the debug configuration): generated ops may carry fail-nth. */
  faultInjection?: boolean;
  /** Favour the operations the change's words name (generate/emphasis.ts); on unless false. */
  emphasis?: boolean;
  /** Stop at the first case that changes sides (fixed or regressed); the budget is then an upper bound. */
  first?: boolean;
}

/**
 * The default: cases per tree and PCT schedules per case. 48 cases on the
 * debug kernel take about 3 minutes per tree on 2 cores for ext4 and
 * longer for btrfs (README, the zoo section); 48 is a whole number of
 * rounds for 1, 2, 3, 4 and 8 filesystems, half of them following the
 * change's words.
 */
export const GENERIC_DEFAULT: GenericOptions = { budget: 48, seed: 1, schedules: 3, emphasis: true };

/** A case that changed sides, shrunk: what a reviewer reads. */
export interface CaseReport {
  index: number;
  fs: GenFs;
  /** The generated workload, and the shrunk one (the same when shrinking found nothing smaller or lost the verdict). */
  text: string;
  shrunk: string;
  /** The side that fails, its first failing schedule (of the shrunk workload), and the other side's schedules. */
  failing: "before" | "after";
  failure: CaseFailure;
}

export interface GenericSummary {
  options: GenericOptions & { depth: number };
  fs: GenFs[];
  /** The functions PCT preferred for its change points: the changed ones with a frame in the kernel, and callers standing for the inlined ones. */
  focus: string[];
  /** Changed functions the compiler inlined (no frame of their own), each with the callers that stand for it. */
  inlined: Inlined[];
  /** What the workloads favoured, and the change's words that asked for it. */
  emphasis: { feature: Feature; words: string[] }[];
  cases: number;
  /** Schedules run on each side. */
  schedules: { before: number; after: number };
  fixed: number[];
  regressed: number[];
  /** Every case that changed sides as generated (not shrunk): its text and the failing side's first failing schedule. */
  changed: { index: number; verdict: "fixed" | "regressed"; text: string; failure: CaseFailure }[];
  /** Cases failing on both sides (a finding the change does not touch). */
  failingBoth: number[];
  /** The first fixed or regressed case, shrunk. */
  shown: CaseReport | null;
}

function sideOf(c: GeneratedCase, side: "before" | "after"): ExploredSide {
  const s = c[side];
  return { schedules: s.schedules, first: s.failure ? { index: s.failure.schedule, token: s.failure.token, failedNames: s.failure.names } : null };
}

/** Shrinks a case on its failing side and keeps the shrunk workload only if the other side still passes it. */
function shown(c: GeneratedCase, before: KernelRef, after: KernelRef, o: CaseOptions): CaseReport {
  const failing = c.verdict === "fixed" ? "before" : "after";
  const [bad, good] = failing === "before" ? [before, after] : [after, before];
  const first = c[failing].failure!;
  const s = shrinkCase(c.workload, bad, first, o);
  const keeps = s.text === c.text || exploreCase(s.workload, good, o).failure === null;
  return { index: c.index, fs: c.fs, text: c.text, shrunk: keeps ? s.text : c.text, failing, failure: keeps ? s.failure : first };
}

/** What the change under test touches: tree paths (the filesystems), kernel functions (PCT's preferred change points) and the draws its words favour. */
export interface Touched {
  touched: readonly string[];
  focus: readonly string[];
  /** The functions the hunks call (check/changed.ts hunkCalls). */
  calls?: readonly string[];
  emphasis?: Emphasis;
}

export function genericVerdict(before: KernelRef, after: KernelRef, what: Touched, o: GenericOptions, reproduce: string[], tick?: (done: number, total: number) => void): ScenarioVerdict & { generated: GenericSummary } {
  const fs = fsFor(what.touched);
  const { focus, inlined } = kernelFocus(before, after, what);
  const emphasis = o.emphasis === false ? NO_EMPHASIS : (what.emphasis ?? NO_EMPHASIS);
  const cases = runSuite(before, after, { ...o, fs, focus, calls: what.calls ?? [], emphasis, stopAtChange: o.first === true, progress: tick });
  const ids = (v: GeneratedCase["verdict"]) => cases.filter((c) => c.verdict === v).map((c) => c.index);
  const fixed = ids("fixed"), regressed = ids("regressed");
  const failingBoth = cases.filter((c) => c.before.failure && c.after.failure).map((c) => c.index);
  const decisive = cases.find((c) => c.verdict === "regressed") ?? cases.find((c) => c.verdict === "fixed") ?? null;
  const summary: GenericSummary = {
    options: { ...o, depth: PCT_DEPTH },
    fs,
    focus,
    inlined,
    emphasis: [...emphasis].map(([feature, words]) => ({ feature, words: [...words] })),
    cases: cases.length,
    schedules: { before: cases.reduce((n, c) => n + c.before.schedules, 0), after: cases.reduce((n, c) => n + c.after.schedules, 0) },
    fixed,
    regressed,
    changed: cases
      .filter((c) => c.verdict !== "no-effect")
      .map((c) => ({ index: c.index, verdict: c.verdict as "fixed" | "regressed", text: c.text, failure: (c.verdict === "fixed" ? c.before : c.after).failure! })),
    failingBoth,
    shown: decisive ? shown(decisive, before, after, { seed: o.seed, schedules: o.schedules, focus }) : null,
  };
  const verdict = regressed.length ? "regressed" : fixed.length ? "fixed" : "no-effect";
  const explored = decisive ? { strategy: "pct" as const, depth: PCT_DEPTH, seed: o.seed, budget: o.schedules, before: sideOf(decisive, "before"), after: sideOf(decisive, "after") } : undefined;
  return { scenario: GENERIC_NAME, mode: "unguided", verdict, reason: reasonOf(summary), before: null, after: null, ...(explored ? { explored } : {}), reproduce, generated: summary };
}

/** The C files the change touches, as the tree has them (missing ones, e.g. files a patch adds, left out). */
function touchedSources(tree: KernelRef["tree"], touched: readonly string[]): string[] {
  const root = resolveTree(tree).root;
  return touched.filter((p) => p.endsWith(".c") && existsSync(join(root, p))).map((p) => readFileSync(join(root, p), "utf8"));
}

/** The changed functions as the kernels can see them: a function with a frame in neither kernel is replaced by its nearest callers with one. */
function kernelFocus(before: KernelRef, after: KernelRef, what: Touched): { focus: string[]; inlined: Inlined[] } {
  if (!what.focus.length) return { focus: [], inlined: [] };
  const framed = framedFunctions(before.wasmPath);
  for (const f of framedFunctions(after.wasmPath)) framed.add(f);
  if (what.focus.every((f) => framed.has(f))) return { focus: [...what.focus], inlined: [] };
  return resolveFocus(what.focus, framed, touchedSources(before.tree, what.touched));
}

/** `f, g (h inlined: by f)` for the report. */
function describeFocus(g: GenericSummary): string {
  const standing = g.inlined.map((i) => `${i.fn} inlined: ${i.by.length ? `by ${i.by.join(", ")}` : "no caller with a frame"}`);
  return `${g.focus.join(", ") || "none"}${standing.length ? ` (${standing.join("; ")})` : ""}`;
}

function reasonOf(g: GenericSummary): string {
  const focus = g.focus.length || g.inlined.length ? `, change points preferably in ${describeFocus(g)}` : "";
  const favour = g.emphasis.length ? `, every other round favouring ${describeEmphasis(g.emphasis.map((x) => [x.feature, x.words] as const))}` : "";
  const stopped = g.options.first && g.cases < g.options.budget ? ` (stopped at the first change; budget ${g.options.budget})` : "";
  const head = `${g.cases} generated cases${stopped} on ${g.fs.join(", ")}, each the natural schedule + ${g.options.schedules} PCT (seed ${g.options.seed}${focus}${favour})`;
  const both = g.failingBoth.length ? `; ${g.failingBoth.length} fail on both sides (cases ${g.failingBoth.join(", ")})` : "";
  const s = g.shown;
  if (!s) return `${head}: no case changes between before and after${both}`;
  const counts = `${g.fixed.length} fixed (${g.fixed.join(", ") || "none"}), ${g.regressed.length} regressed (${g.regressed.join(", ") || "none"})`;
  const sched = s.failure.schedule < 0 ? "the natural schedule" : `PCT schedule #${s.failure.schedule}`;
  return `${head}: ${counts}${both}; case ${s.index} fails ${s.failing} only (${s.failure.names.join("; ")}, ${sched}); shrunk workload: ${s.shrunk.split("\n").join(" | ")}; replay: dioscope replay ${s.failure.token} --workload "${s.shrunk.split("\n").join(" | ")}"`;
}
