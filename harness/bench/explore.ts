// Schedule exploration figures for `npm run bench` (wall-clock timings are
// benchmark data only; every schedule count and verdict is deterministic):
// schedules/s per scenario with the cost split (restore the snapshot, run,
// judge, explorer bookkeeping), the effect of the scenario's RAM size on
// restore, and per unguided seed scenario (001, 002): PCT before the fix
// over 100 explorer seeds (found within the budget, median schedules and
// time to the first failure), 10,000 schedules after the fix, and a replay
// token run 100 times.
import { join } from "node:path";
import { currentBuild } from "../build/registry.ts";
import { explore, naturalConsultations, type ExploreOptions } from "../explore/explore.ts";
import { eventHash } from "../explore/report.ts";
import { replaySteps, type KernelRef, type Target } from "../explore/runner.ts";
import { seedSweep } from "../explore/sweep.ts";
import { repoRoot } from "../paths.ts";
import type { RunTiming } from "../scenario/run.ts";
import { seed001Unguided } from "../scenario/bundled/001-ext4-dio-fallback-unguided.ts";
import { seed002Unguided } from "../scenario/bundled/002-btrfs-uring-short-read-unguided.ts";
import { bundledScenarios } from "../scenario/load.ts";
import { notApplicableOn, scenarioMode, type Scenario } from "../scenario/types.ts";
import { resolveKernel } from "../variants/kernels.ts";
import { resolveTree } from "../tree/resolve.ts";
import { TREE_NAMES, type TreeName } from "../tree/source.ts";

const BUDGET = 2000;

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** PCT throughput on one scenario and kernel, with the cost per schedule by phase (ms). */
function throughput(t: Target, n: number, o: Partial<ExploreOptions> = {}): Record<string, number> {
  const horizon = naturalConsultations(t);
  explore(t, { strategy: "pct", seed: 99, budget: 5, depth: 3, horizon, keepGoing: true }); // warm-up
  const timing: RunTiming = { restoreMs: 0, runMs: 0, judgeMs: 0 };
  const t0 = performance.now();
  const r = explore(t, { strategy: "pct", seed: 1, budget: n, depth: 3, horizon, keepGoing: true, timing, ...o });
  const total = performance.now() - t0;
  const per = (x: number) => round(x / r.schedules, 3);
  return {
    schedules: r.schedules,
    failing: r.failures,
    schedulesPerSecond: round((r.schedules / total) * 1000, 0),
    msPerSchedule: per(total),
    restoreMs: per(timing.restoreMs),
    runMs: per(timing.runMs),
    judgeMs: per(timing.judgeMs),
    bookkeepingMs: per(total - timing.restoreMs - timing.runMs - timing.judgeMs),
    memoryMiB: t.scenario.memoryMiB ?? 64,
    naturalConsultations: horizon,
  };
}

function pctSweep(t: Target, depth: number, seeds: number): Record<string, unknown> {
  const walls: number[] = [];
  let t0 = performance.now();
  const sw = seedSweep(t, { strategy: "pct", seed: 1, budget: BUDGET, depth }, seeds, (s) => {
    const now = performance.now();
    if (s.toFirstFailure !== null) walls.push(now - t0);
    t0 = now;
  });
  const found = sw.seeds.filter((s) => s.toFirstFailure !== null).map((s) => s.toFirstFailure!);
  return {
    depth,
    horizon: sw.params.horizon,
    budget: BUDGET,
    seeds,
    found: sw.found,
    medianSchedulesToFirstFailure: sw.median,
    maxSchedulesToFirstFailure: sw.max,
    p95SchedulesToFirstFailure: found.length ? [...found].sort((a, b) => a - b)[Math.min(found.length - 1, Math.ceil(0.95 * seeds) - 1)] : null,
    medianMsToFirstFailure: walls.length ? round(median(walls)!, 0) : null,
  };
}

/** Seed scenarios explored unguided, with the mail whose before/after trees they run on. */
const SEEDS: { scenario: Scenario; mail: string }[] = [
  { scenario: seed001Unguided, mail: join(repoRoot, "patches/001_60a185f54a9e7512.txt") },
  { scenario: seed002Unguided, mail: join(repoRoot, "patches/002_af39239f68c27663.txt") },
];

function onSeed(tree: TreeName, scenario: Scenario, mail: string): Record<string, unknown> {
  const pre: KernelRef = resolveKernel(tree, scenario, { mail, side: "before" });
  const post: KernelRef = resolveKernel(tree, scenario, { mail, side: "after" });
  const before: Target = { scenario, kernel: pre };
  const after: Target = { scenario, kernel: post };
  const t0 = performance.now();
  const afterRun = explore(after, { strategy: "pct", seed: 1, budget: 10_000, depth: 3, keepGoing: true });
  const afterMs = performance.now() - t0;
  const first = explore(before, { strategy: "pct", seed: 1, budget: BUDGET, depth: 3 }).first;
  let replay: Record<string, unknown> = { token: null };
  if (first) {
    const hashes = new Set<string>();
    let failed = 0;
    for (let i = 0; i < 100; i++) {
      const r = replaySteps(before, first.schedule.steps, { trace: true });
      if (r.outcome.failed) failed++;
      hashes.add(eventHash(r.run));
    }
    replay = { token: first.token, replays: 100, failed, distinctEventHashes: hashes.size };
  }
  return {
    kernels: { before: pre.buildId, after: post.buildId },
    throughputBefore: throughput(before, 500),
    throughputAfter: throughput(after, 500),
    "before, PCT depth 2": pctSweep(before, 2, 100),
    "before, PCT depth 3": pctSweep(before, 3, 100),
    "after, PCT depth 3": { schedules: afterRun.schedules, failing: afterRun.failures, wallS: round(afterMs / 1000, 1) },
    replay,
  };
}

async function onTree(tree: TreeName): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const { scenario, mail } of SEEDS) if (!notApplicableOn(scenario, tree)) out[scenario.name] = onSeed(tree, scenario, mail);
  // RAM size: the 001 scenario with 64 MiB instead of 12 (restore copies the kernel's RAM per schedule).
  const post = resolveKernel(tree, seed001Unguided, { mail: SEEDS[0]!.mail, side: "after" });
  out[`${seed001Unguided.name} with 64 MiB RAM (after)`] = throughput({ scenario: { ...seed001Unguided, name: `${seed001Unguided.name}@64MiB`, memoryMiB: 64 }, kernel: post }, 200);
  // The scripted scenarios explored within their scripts (pristine kernel).
  for (const s of await bundledScenarios())
    if (scenarioMode(s) === "scripted" && !notApplicableOn(s, tree)) out[`${s.name} (scripted, pristine)`] = throughput({ scenario: s, kernel: resolveKernel(tree, s) }, 200);
  return out;
}

export async function exploreBench(trees: readonly TreeName[] = TREE_NAMES): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const tree of trees) out[tree] = currentBuild(resolveTree(tree)) ? await onTree(tree) : { built: false };
  return out;
}
