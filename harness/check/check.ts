// `dioscope check`, the pipeline: ingest → per tree, scenarios grouped by
// what they declare beyond the patch → before/after overlays of each patch
// and of the whole series → is anything compiled changed? → builds → boot +
// scenarios → verdicts. Nothing here decides a verdict except the scenario
// runs, and nothing here knows any particular bug: what a scenario needs is
// its own declaration (harness/variants/units.ts reads it).
import { KbuildError, type KernelConfig } from "../build/kbuild.ts";
import type { Overlay, Patch } from "../ingest/index.ts";
import { explore } from "../explore/explore.ts";
import { runScenario } from "../scenario/run.ts";
import { notApplicableOn, scenarioMode, type Scenario } from "../scenario/types.ts";
import { resolveTree } from "../tree/resolve.ts";
import { describeTree, type TreeName, type TreeSource } from "../tree/source.ts";
import { buildVariant } from "../variants/build.ts";
import { kernelAt } from "../variants/kernels.ts";
import { prerequisitesKey, prerequisitesOf, unitsFor, type Declaration, type PatchOnTree, type Unit } from "../variants/units.ts";
import { coverage, type Coverage } from "./coverage.ts";
import { genericVerdict, type GenericOptions, type Touched } from "./generic.ts";
import { emphasisOf, seriesWords } from "../generate/emphasis.ts";
import { changedFunctions, hunkCalls } from "./changed.ts";
import { selectScenarios, touchedPaths, type Selected } from "./select.ts";
import { exploredVerdict, notApplicable, notJudged, verdictOf, type ExploredSide, type ScenarioVerdict } from "./verdict.ts";

export interface UnitResult {
  label: string;
  tree: TreeName;
  patchIds: string[];
  /** What the unit's scenarios declared beyond the patch (patches both sides carry, a regression as "before"). */
  declarations: Declaration[];
  /** Which changed files this configuration compiles (null when the unit could not be located). */
  coverage: Coverage | null;
  builds: { before: string | null; after: string | null };
  /** Set when nothing could run (patch does not apply, nothing compiled changed, build failed). */
  problem: string | null;
  verdicts: ScenarioVerdict[];
}

export interface CheckReport {
  /** The mail files as given (the reproduce commands name them). */
  inputs: string[];
  trees: TreeName[];
  /** The kernel configuration every side was built with. */
  config: KernelConfig;
  /** Exactly what each tree was (package and version, or repository, commit and dirty flag, or directory). */
  treeSources: { name: TreeName; source: TreeSource; description: string }[];
  /** How each patch was located on each tree (without any scenario's declarations). */
  patches: PatchOnTree[];
  /** The scenarios that ran and why each was chosen. */
  selected: { scenario: string; mode: string; by: Selected["by"]; why: string; source: string | null }[];
  units: UnitResult[];
  /** True when a scenario passed before and fails after (or the change breaks the build). */
  regressed: boolean;
}

export interface ExploreCheck {
  budget: number;
  seed: number;
  depth: number;
}

/**
 * The kernel `dioscope check` builds both sides as unless told: the debug
 * kernel, so every run is also judged by lockdep, the list/object/VM checks
 * and the assertions, and generated workloads may carry fail-nth. Its cost
 * (README "The debug kernel"; `npm run bench` → debugKernel): a full compile
 * per tree the first time, then about the same one-file variant build, and
 * slower runs.
 */
export const CHECK_DEFAULT_CONFIG: KernelConfig = "debug";

export interface CheckOptions {
  trees: TreeName[];
  /** The kernel configuration of both sides ("debug": lockdep, the kernel's other run-time checks and fault injection; "plain": none of them). */
  config: KernelConfig;
  /** Scenarios the user named (run whatever the patch touches); null: chosen from `candidates`. */
  scenarios: readonly Scenario[] | null;
  /** The scenarios to choose from when none are named (the bundled ones). */
  candidates: readonly Scenario[];
  /** Also run unguided scenarios under PCT with this many schedules per side. */
  explore?: ExploreCheck;
  /** The generic suite (generated workloads, harness/generate) on each unit's before and after kernels; absent: not run. */
  generic?: GenericOptions;
  /** The input files (for reproduce commands). */
  inputs: string[];
  log?: (line: string) => void;
  /** How far a long step is (schedules explored of the budget), for a terminal's status line. */
  tick?: (what: string, done: number, total: number) => void;
}

/** Files whose content differs between the two sides (the patch as located, without shared prerequisites). */
function changedFiles(u: Unit): string[] {
  const paths = new Set([...(u.before?.files.keys() ?? []), ...(u.after?.files.keys() ?? [])]);
  const content = (ov: Overlay | null, p: string) => (ov?.files.has(p) ? ov.files.get(p) : undefined);
  return [...paths].filter((p) => content(u.before, p) !== content(u.after, p)).sort();
}

function buildOrProblem(tree: TreeName, ov: Overlay | null, ids: string[], log: (l: string) => void, config: KernelConfig): { wasm: string | null; problem: string | null } {
  try {
    const b = buildVariant(resolveTree(tree), ov, ids, (l) => log(`  ${l}`), config);
    return { wasm: b.wasmPath, problem: null };
  } catch (e) {
    if (e instanceof KbuildError) return { wasm: null, problem: `does not compile: ${e.message.split("\n").slice(0, 6).join(" | ")}` };
    throw e;
  }
}

function reproduceArgs(o: CheckOptions, tree: TreeName, s: Scenario): string[] {
  const scen = s.source && !s.source.includes("/harness/scenario/bundled/") ? s.source : s.name;
  const x = scenarioMode(s) === "unguided" && o.explore ? ["--explore", String(o.explore.budget), "--seed", String(o.explore.seed)] : [];
  return ["dioscope", "check", ...o.inputs, "--tree", tree, "--scenario", scen, ...x, ...configArgs(o)];
}

function exploreSide(s: Scenario, tree: TreeName, wasm: string, x: ExploreCheck, tick?: CheckOptions["tick"]): ExploredSide {
  const progress = tick ? (done: number) => tick(`[${tree}] ${s.name}: PCT schedules`, done, x.budget) : undefined;
  const r = explore({ scenario: s, kernel: kernelAt(tree, wasm) }, { strategy: "pct", seed: x.seed, budget: x.budget, depth: x.depth, progress });
  return { schedules: r.schedules, first: r.first ? { index: r.first.index, token: r.first.token, failedNames: r.first.outcome.failedNames } : null };
}

function runOne(s: Scenario, u: Unit, before: string, after: string, o: CheckOptions): ScenarioVerdict {
  const repro = reproduceArgs(o, u.tree, s);
  if (scenarioMode(s) === "scripted") return verdictOf(s.name, runScenario(s, before), runScenario(s, after), repro);
  const x = { ...o.explore!, depth: s.pctDepth ?? o.explore!.depth };
  const explored = { strategy: "pct" as const, ...x, before: exploreSide(s, u.tree, before, x, o.tick), after: exploreSide(s, u.tree, after, x, o.tick) };
  return exploredVerdict(s.name, explored, repro);
}

/** The flag that names the kernel configuration in a reproduce command (always named: a command reproduces whatever the default). */
function configArgs(o: CheckOptions): string[] {
  return [`--${o.config}`];
}

function genericArgs(o: CheckOptions, tree: TreeName, g: GenericOptions): string[] {
  return ["dioscope", "check", ...o.inputs, "--tree", tree, "--budget", String(g.budget), "--seed", String(g.seed), "--schedules", String(g.schedules), ...(g.emphasis === false ? ["--no-emphasis"] : []), ...(g.first ? ["--first"] : []), ...configArgs(o)];
}

/** Runs the unit's scenarios and, with `generic`, the generic suite (after them, on the same kernels). */
export function runUnit(u: Unit, scenarios: readonly Scenario[], o: CheckOptions, generic?: { options: GenericOptions } & Touched): UnitResult {
  const log = o.log ?? (() => {});
  const res: UnitResult = { label: u.label, tree: u.tree, patchIds: u.patchIds, declarations: u.declarations, coverage: null, builds: { before: null, after: null }, problem: null, verdicts: [] };
  const skipAll = (why: string, f: typeof notApplicable) => {
    res.problem = why;
    res.verdicts = scenarios.map((s) => f(s.name, scenarioMode(s), why));
    return res;
  };
  if (u.blocked) return skipAll(u.blocked, notApplicable);
  res.coverage = coverage(resolveTree(u.tree), changedFiles(u));
  if (res.coverage.compiled.length === 0) return skipAll(`not judged: ${res.coverage.notCompiled.map((n) => n.reason).join("; ")}`, notJudged);
  log(`[${u.tree}] ${u.label}: building before`);
  const before = buildOrProblem(u.tree, u.before, [], log, o.config);
  log(`[${u.tree}] ${u.label}: building after`);
  const after = buildOrProblem(u.tree, u.after, u.patchIds, log, o.config);
  res.builds = { before: before.wasm, after: after.wasm };
  if (!before.wasm || !after.wasm) {
    res.problem = after.problem ? `after: ${after.problem}` : `before: ${before.problem}`;
    res.verdicts = scenarios.map((s) =>
      before.wasm && !after.wasm ? { ...notApplicable(s.name, scenarioMode(s), res.problem!), verdict: "regressed" as const } : notApplicable(s.name, scenarioMode(s), res.problem!),
    );
    return res;
  }
  for (const s of scenarios) {
    const na = notApplicableOn(s, u.tree);
    if (na) {
      res.verdicts.push(notApplicable(s.name, scenarioMode(s), na));
      continue;
    }
    log(`[${u.tree}] ${u.label}: ${s.name}${scenarioMode(s) === "unguided" ? ` (PCT, ${o.explore!.budget} schedules per side)` : ""}`);
    const v = runOne(s, u, before.wasm, after.wasm, o);
    log(`[${u.tree}] ${u.label}: ${s.name}: ${v.verdict} (${v.reason})`);
    res.verdicts.push(v);
  }
  if (generic) {
    const g = generic.options;
    log(`[${u.tree}] ${u.label}: generic suite (${g.budget} generated cases, ${1 + g.schedules} schedules each, per side)`);
    const tick = o.tick ? (done: number, total: number) => o.tick!(`[${u.tree}] generated cases`, done, total) : undefined;
    const gen = { ...g, faultInjection: o.config === "debug" };
    const v = genericVerdict(kernelAt(u.tree, before.wasm), kernelAt(u.tree, after.wasm), generic, gen, genericArgs(o, u.tree, g), tick);
    log(`[${u.tree}] ${u.label}: generated: ${v.verdict}`);
    res.verdicts.push(v);
  }
  return res;
}

/** A unit no scenario exercises: located and its coverage told, nothing built. */
function unjudged(u: Unit): UnitResult {
  const cov = u.blocked ? null : coverage(resolveTree(u.tree), changedFiles(u));
  const problem = u.blocked ?? (cov && cov.compiled.length === 0 ? `not judged: ${cov.notCompiled.map((n) => n.reason).join("; ")}` : "not judged: no scenario exercises the files this patch changes (name one with --scenario)");
  return { label: u.label, tree: u.tree, patchIds: u.patchIds, declarations: u.declarations, coverage: cov, builds: { before: null, after: null }, problem, verdicts: [] };
}

/** Scenarios grouped by what they declare beyond the patch: each group shares its kernels. */
function groups(series: readonly Patch[], tree: TreeName, scenarios: readonly Scenario[]) {
  const byKey = new Map<string, { pre: ReturnType<typeof prerequisitesOf>; scenarios: Scenario[] }>();
  for (const s of scenarios) {
    const pre = prerequisitesOf(s, tree, series);
    const key = prerequisitesKey(pre);
    const g = byKey.get(key);
    if (g) {
      g.scenarios.push(s);
      g.pre.by.push(s.name);
    } else byKey.set(key, { pre, scenarios: [s] });
  }
  return [...byKey.values()];
}

export function runCheck(series: Patch[], o: CheckOptions): CheckReport {
  const sel: Selected[] = selectScenarios(series, o.scenarios, o.candidates, o.explore !== undefined);
  const scenarios = sel.map((x) => x.scenario);
  const report: CheckReport = {
    inputs: o.inputs,
    trees: o.trees,
    config: o.config,
    treeSources: o.trees.map((name) => {
      const t = resolveTree(name);
      return { name, source: t.source, description: describeTree(t) };
    }),
    patches: [],
    selected: sel.map((x) => ({ scenario: x.scenario.name, mode: scenarioMode(x.scenario), by: x.by, why: x.why, source: x.scenario.source ?? null })),
    units: [],
    regressed: false,
  };
  const touched = touchedPaths(series);
  const focus = changedFunctions(series);
  const calls = hunkCalls(series);
  const emphasis = emphasisOf(seriesWords(series));
  for (const tree of o.trees) {
    const t = resolveTree(tree);
    const plain = unitsFor(series, t, null, report.patches);
    // The generic suite runs on the plain units: the whole series when it has several patches, else the patch.
    const genericOn = new Set(o.generic ? plain.filter((u) => plain.length === 1 || u.patchIds.length > 1) : []);
    const generic = (u: Unit) => (genericOn.has(u) ? { options: o.generic!, touched, focus, calls, emphasis } : undefined);
    if (!scenarios.length) {
      for (const u of plain) report.units.push(genericOn.has(u) ? runUnit(u, [], o, generic(u)) : unjudged(u));
      continue;
    }
    // A group with nothing declared beyond the patch runs on the units already located.
    const none = prerequisitesKey({ alsoApply: [], regression: null, by: [] });
    let plainRan = false;
    for (const g of groups(series, tree, scenarios)) {
      const isPlain = prerequisitesKey(g.pre) === none;
      plainRan ||= isPlain;
      const units = isPlain ? plain : unitsFor(series, t, g.pre);
      for (const u of units) report.units.push(runUnit(u, g.scenarios, o, isPlain ? generic(u) : undefined));
    }
    if (!plainRan) for (const u of genericOn) report.units.push(runUnit(u, [], o, generic(u)));
  }
  report.regressed = report.units.some((u) => u.verdicts.some((v) => v.verdict === "regressed"));
  return report;
}
