// `dioscope check`, the pipeline: ingest → per tree, before/after overlays
// of each patch and of the whole series → builds → boot + scenarios →
// verdicts. Nothing here decides a verdict except the scenario runs.
import { applyToTree, type Overlay, type Patch, type PatchStatus } from "../ingest/index.ts";
import { KbuildError } from "../build/kbuild.ts";
import { resolveTree } from "../tree/resolve.ts";
import type { TreeName } from "../tree/source.ts";
import { runScenario } from "../scenario/run.ts";
import { applies, UNGUIDED_SCENARIOS } from "../scenario/registry.ts";
import { explore } from "../explore/explore.ts";
import { kernelAt } from "../explore/kernels.ts";
import type { Scenario } from "../scenario/types.ts";
import { buildVariant } from "./variants.ts";
import { notApplicable, verdictOf, type ScenarioVerdict } from "./verdict.ts";

/** One change to judge on one tree: the tree before it and after it. null overlay = the pristine tree. */
export interface Unit {
  label: string;
  tree: TreeName;
  patchIds: string[];
  before: Overlay | null;
  after: Overlay | null;
  /** Why it cannot run (the patch does not apply), or null. */
  blocked: string | null;
}

export interface UnitResult {
  label: string;
  tree: TreeName;
  patchIds: string[];
  builds: { before: string | null; after: string | null };
  /** Set when nothing could run (patch does not apply, build failed). */
  problem: string | null;
  verdicts: ScenarioVerdict[];
}

export interface PatchOnTree {
  id: string;
  subject: string;
  tree: TreeName;
  status: PatchStatus;
  notes: string[];
}

export interface CheckReport {
  patches: PatchOnTree[];
  units: UnitResult[];
  /** True when a scenario passed before and fails after (or the change breaks the build). */
  regressed: boolean;
}

export interface CheckOptions {
  trees: TreeName[];
  scenarios: readonly Scenario[];
  /** Also run the unguided scenarios of the same seeds under PCT with this many schedules per side. */
  explore?: ExploreCheck;
  log?: (line: string) => void;
}

export interface ExploreCheck {
  budget: number;
  seed: number;
  depth: number;
}

/** The units of a series on one tree: each patch, and the whole series when it has several. */
export function unitsFor(series: Patch[], tree: TreeName, patchesOut: PatchOnTree[]): Unit[] {
  const t = resolveTree(tree);
  const patches = series.filter((p) => !p.isCover);
  const units: Unit[] = [];
  let base: Overlay | undefined;
  let firstBefore: Overlay | null = null;
  let allForward = true;
  for (const p of patches) {
    const r = applyToTree(p, t, base ? { base } : {});
    patchesOut.push({ id: p.id, subject: p.subject, tree, status: r.report.status, notes: r.report.notes });
    const label = patches.length > 1 ? `${p.id} (${p.subject})` : p.subject;
    if (r.report.status === "applies" || r.report.status === "already-applied") {
      units.push({ label, tree, patchIds: [p.id], before: r.before, after: r.after, blocked: null });
      if (r.report.status === "applies") {
        if (!base) firstBefore = r.before;
        base = r.after ?? undefined;
      } else allForward = false;
    } else {
      allForward = false;
      const why =
        r.report.status === "neither"
          ? `the patch applies to ${tree} in neither direction`
          : r.report.status === "partially-applied"
            ? `the patch is only partly present in ${tree}`
            : `the patch is ${r.report.status} on ${tree}`;
      units.push({ label, tree, patchIds: [p.id], before: null, after: null, blocked: `${why}${r.report.notes.length ? ": " + r.report.notes.join("; ") : ""}` });
    }
  }
  if (patches.length > 1)
    units.unshift({
      label: `series of ${patches.length}`,
      tree,
      patchIds: patches.map((p) => p.id),
      before: firstBefore,
      after: base ?? null,
      blocked: allForward ? null : "the series does not apply forward as a whole on this tree (checked per patch)",
    });
  return units;
}

function buildOrProblem(tree: TreeName, ov: Overlay | null, ids: string[], log: (l: string) => void): { wasm: string | null; problem: string | null } {
  try {
    const b = buildVariant(resolveTree(tree), ov, ids, (l) => log(`  ${l}`));
    return { wasm: b.wasmPath, problem: null };
  } catch (e) {
    if (e instanceof KbuildError) return { wasm: null, problem: `does not compile: ${e.message.split("\n").slice(0, 6).join(" | ")}` };
    throw e;
  }
}

/**
 * An unguided scenario under PCT on both sides: "fails" = some schedule of
 * the budget fails (the first one found is reported with its replay
 * token), "passes" = none of the budget's schedules fails.
 */
function exploreVerdict(s: Scenario, tree: TreeName, before: string, after: string, x: ExploreCheck): ScenarioVerdict {
  const name = `${s.name} (PCT depth ${x.depth}, seed ${x.seed}, ${x.budget} schedules)`;
  const side = (wasm: string) => explore({ scenario: s, kernel: kernelAt(tree, wasm) }, { strategy: "pct", seed: x.seed, budget: x.budget, depth: x.depth });
  const b = side(before);
  const a = side(after);
  const say = (r: ReturnType<typeof side>) =>
    r.first ? `fails (schedule #${r.first.index}: ${r.first.outcome.failedNames.join("; ")}; replay: dioscope replay ${r.first.token})` : `passes (${r.schedules} schedules)`;
  const reason = `before ${say(b)}, after ${say(a)}`;
  const verdict = b.first && !a.first ? "fixed" : !b.first && a.first ? "regressed" : "no-effect";
  return { scenario: name, verdict, reason, before: null, after: null };
}

export function runUnit(u: Unit, scenarios: readonly Scenario[], log: (l: string) => void, x?: ExploreCheck): UnitResult {
  const res: UnitResult = { label: u.label, tree: u.tree, patchIds: u.patchIds, builds: { before: null, after: null }, problem: null, verdicts: [] };
  if (u.blocked) {
    res.problem = u.blocked;
    res.verdicts = scenarios.map((s) => notApplicable(s.name, u.blocked!));
    return res;
  }
  log(`[${u.tree}] ${u.label}: building before`);
  const before = buildOrProblem(u.tree, u.before, [], log);
  log(`[${u.tree}] ${u.label}: building after`);
  const after = buildOrProblem(u.tree, u.after, u.patchIds, log);
  res.builds = { before: before.wasm, after: after.wasm };
  if (!before.wasm || !after.wasm) {
    res.problem = after.problem ? `after: ${after.problem}` : `before: ${before.problem}`;
    res.verdicts = scenarios.map((s) =>
      before.wasm && !after.wasm ? { scenario: s.name, verdict: "regressed" as const, reason: res.problem!, before: null, after: null } : notApplicable(s.name, res.problem!),
    );
    return res;
  }
  for (const s of scenarios) {
    const na = applies(s, u.tree);
    if (na) {
      res.verdicts.push(notApplicable(s.name, na));
      continue;
    }
    log(`[${u.tree}] ${u.label}: ${s.name}`);
    const b = runScenario(s, before.wasm);
    const a = runScenario(s, after.wasm);
    const v = verdictOf(s.name, b, a);
    log(`[${u.tree}] ${u.label}: ${s.name}: ${v.verdict} (${v.reason})`);
    res.verdicts.push(v);
  }
  if (x) {
    const seeds = new Set(scenarios.map((s) => s.seed));
    for (const s of UNGUIDED_SCENARIOS.filter((g) => seeds.has(g.seed) && !applies(g, u.tree))) {
      log(`[${u.tree}] ${u.label}: ${s.name} unguided (PCT, ${x.budget} schedules per side)`);
      const v = exploreVerdict(s, u.tree, before.wasm, after.wasm, x);
      log(`[${u.tree}] ${u.label}: ${v.scenario}: ${v.verdict} (${v.reason})`);
      res.verdicts.push(v);
    }
  }
  return res;
}

export function runCheck(series: Patch[], o: CheckOptions): CheckReport {
  const log = o.log ?? (() => {});
  const patches: PatchOnTree[] = [];
  const units: UnitResult[] = [];
  for (const tree of o.trees) for (const u of unitsFor(series, tree, patches)) units.push(runUnit(u, o.scenarios, log, o.explore));
  return { patches, units, regressed: units.some((u) => u.verdicts.some((v) => v.verdict === "regressed")) };
}
