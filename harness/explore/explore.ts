// An exploration: schedules 0..budget-1 of a strategy, each run from the
// scenario's snapshot and judged by the scenario's expectations.
//
// Schedule i of PCT or the random walk is a function of (seed, i) alone,
// so shard s/n runs exactly the i with i % n == s and n shards together run
// what one run does. The bounded search numbers its schedules in
// breadth-first order of the deviation tree; every shard runs the inner
// nodes it needs to enumerate (probes, not counted) and owns i % n == s.
// With --time the set of schedules depends on the machine's speed (the
// only wall-clock input; reported as such). By default an exploration stops
// at its first failure; keepGoing counts every failing schedule.
import type { RunTiming } from "../scenario/run.ts";
import { encodeToken, fnv1a, type Schedule, type StrategyName } from "./schedule.ts";
import { Follow, Pct, RandomWalk, scheduleSeed, type Recording } from "./strategies.ts";
import { runWith, type Outcome, type Target } from "./runner.ts";
import type { Step } from "./schedule.ts";

/** PCT's bug depth when none is given: the number of priority change points is depth - 1. */
export const PCT_DEPTH = 3;

export type ExploreStrategy = Extract<StrategyName, "pct" | "random" | "bounded">;

export interface Shard {
  index: number;
  count: number;
}

export interface ExploreOptions {
  strategy: ExploreStrategy;
  seed: number;
  /** Schedules 0..budget-1 (of the whole exploration; a shard runs its share). */
  budget: number;
  /** Wall-clock limit in seconds (makes the set of schedules speed-dependent). */
  timeS?: number;
  shard?: Shard;
  /** PCT bug depth (default: the scenario's pctDepth, else PCT_DEPTH). */
  depth?: number;
  /** PCT horizon override (default: the natural run's consultations). */
  horizon?: number;
  /** PCT: consultations preferred for change points (focusConsultations). */
  hot?: readonly number[];
  /** Bounded search: the most deviations from the natural schedule (default 2). */
  bound?: number;
  keepGoing?: boolean;
  /** Keep a key per schedule run (tests of sharding). */
  collectKeys?: boolean;
  timing?: RunTiming;
  progress?: (done: number, failures: number) => void;
}

export interface Found {
  index: number;
  schedule: Schedule;
  token: string;
  outcome: Outcome;
}

export interface ExploreResult {
  scenario: string;
  kernel: { tree: string; buildId: string; label: string };
  strategy: ExploreStrategy;
  params: Record<string, number>;
  seed: number;
  budget: number;
  shard: Shard;
  /** Schedules of this shard that ran (and were judged). */
  schedules: number;
  /** Bounded search: inner nodes of other shards run only to enumerate. */
  probes: number;
  failures: number;
  failingIndices: number[];
  first: Found | null;
  /** True when the time limit ended it before the budget. */
  timedOut: boolean;
  /** Schedule index → fnv1a of its steps, when collectKeys was set. */
  keys?: Map<number, number>;
}

/** Consultations of the natural run (the PCT horizon). */
export function naturalConsultations(t: Target): number {
  const f = new Follow([], false);
  runWith(t, f);
  return f.consultations;
}

function stepsKey(steps: readonly Step[]): number {
  return fnv1a(steps.map((s) => `${s.at}:${s.index}/${s.of}`).join(","));
}

export function explore(t: Target, o: ExploreOptions): ExploreResult {
  const shard = o.shard ?? { index: 0, count: 1 };
  if (!(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count)) throw new Error(`bad shard ${shard.index}/${shard.count}`);
  const params: Record<string, number> = {};
  if (o.strategy === "pct") {
    params.depth = o.depth ?? t.scenario.pctDepth ?? PCT_DEPTH;
    params.horizon = o.horizon ?? naturalConsultations(t);
    if (o.hot?.length) params.hot = o.hot.length;
  }
  if (o.strategy === "bounded") params.bound = o.bound ?? 2;
  const res: ExploreResult = {
    scenario: t.scenario.name,
    kernel: { tree: t.kernel.tree, buildId: t.kernel.buildId, label: t.kernel.label },
    strategy: o.strategy,
    params,
    seed: o.seed,
    budget: o.budget,
    shard,
    schedules: 0,
    probes: 0,
    failures: 0,
    failingIndices: [],
    first: null,
    timedOut: false,
    keys: o.collectKeys ? new Map() : undefined,
  };
  const deadline = o.timeS !== undefined ? performance.now() + o.timeS * 1000 : Infinity;
  const judge = (index: number, sched: Recording, outcome: Outcome): boolean => {
    res.schedules++;
    res.keys?.set(index, stepsKey(outcome.steps));
    if (outcome.failed) {
      res.failures++;
      res.failingIndices.push(index);
      if (!res.first) {
        const schedule: Schedule = { scenario: t.scenario.name, tree: t.kernel.tree, buildId: t.kernel.buildId, strategy: o.strategy, seed: o.seed, index, steps: [...sched.steps], ...(t.failNth ? { failNth: t.failNth } : {}) };
        res.first = { index, schedule, token: encodeToken(schedule), outcome };
      }
    }
    o.progress?.(res.schedules, res.failures);
    return outcome.failed && !o.keepGoing;
  };
  const outOfTime = (): boolean => {
    if (performance.now() < deadline) return false;
    res.timedOut = true;
    return true;
  };

  if (o.strategy === "bounded") {
    exploreBounded(t, o, params.bound!, shard, judge, outOfTime, res);
    return res;
  }
  for (let index = shard.index; index < o.budget; index += shard.count) {
    if (outOfTime()) break;
    const s32 = scheduleSeed(o.seed, index);
    const sched: Recording = o.strategy === "pct" ? new Pct(s32, { depth: params.depth!, horizon: params.horizon!, hot: o.hot }, t.scenario.cpus) : new RandomWalk(s32);
    const { outcome } = runWith(t, sched, { timing: o.timing });
    if (judge(index, sched, outcome)) break;
  }
  return res;
}

interface Node {
  parent: Node | null;
  step: Step | null;
  depth: number;
}

function pathOf(n: Node): Step[] {
  const out: Step[] = [];
  for (let x: Node | null = n; x && x.step; x = x.parent) out.push(x.step);
  return out.reverse();
}

/**
 * Bounded exhaustive search: every schedule with at most `bound` deviations
 * from the natural one, breadth-first (fewest deviations first), within a
 * depth in order of position. A child adds one deviation after its
 * parent's last, at a consultation the parent's run reached, with any
 * alternative but the natural one; so each set of deviations is run once.
 * That canonical order is the only pruning (it is exact: the child's run
 * equals the parent's up to the new deviation); no state-based reduction.
 */
function exploreBounded(
  t: Target,
  o: ExploreOptions,
  bound: number,
  shard: Shard,
  judge: (index: number, sched: Recording, outcome: Outcome) => boolean,
  outOfTime: () => boolean,
  res: ExploreResult,
): void {
  const queue: Node[] = [{ parent: null, step: null, depth: 0 }];
  for (let index = 0; index < queue.length && index < o.budget; index++) {
    const node = queue[index]!;
    const owned = index % shard.count === shard.index;
    const inner = node.depth < bound && queue.length < o.budget;
    if (!owned && !inner) continue;
    if (outOfTime()) return;
    const steps = pathOf(node);
    const f = new Follow(steps, true);
    if (inner) f.alternatives = { of: [], natural: [] };
    const { outcome } = runWith(t, f, { timing: o.timing });
    if (outcome.diverged) throw new Error(`bounded search: schedule ${index} diverged (${outcome.diverged}); the machine is not deterministic`);
    if (owned) {
      if (judge(index, f, outcome)) return;
    } else res.probes++;
    if (inner) {
      const { of, natural } = f.alternatives!;
      const from = node.step ? node.step.at + 1 : 0;
      for (let at = from; at < of.length && queue.length < o.budget; at++)
        for (let i = 0; i < of[at]! && queue.length < o.budget; i++)
          if (i !== natural[at]) queue.push({ parent: node, step: { at, index: i, of: of[at]! }, depth: node.depth + 1 });
    }
  }
}
