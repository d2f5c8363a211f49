// Explorer seeds S..S+n-1, each stopping at its first failing schedule:
// how many find the failure within the budget and after how many schedules
// (the "found in 95 of 100 seeds within B schedules" statistic).
import { explore, naturalConsultations, type ExploreOptions } from "./explore.ts";
import type { Target } from "./runner.ts";

export interface SeedOutcome {
  seed: number;
  /** Schedules run until the first failure (its index + 1), or null: none within the budget. */
  toFirstFailure: number | null;
  token: string | null;
}

export interface Sweep {
  scenario: string;
  kernel: string;
  strategy: string;
  params: Record<string, number>;
  budget: number;
  seeds: SeedOutcome[];
  found: number;
  /** Median schedules to the first failure over all seeds (a seed that found none counts as more than the budget); null if half or more found none. */
  median: number | null;
  max: number | null;
  lines: string[];
}

export function seedSweep(t: Target, o: ExploreOptions, n: number, onSeed?: (s: SeedOutcome) => void): Sweep {
  const horizon = o.strategy === "pct" ? (o.horizon ?? naturalConsultations(t)) : undefined;
  const seeds: SeedOutcome[] = [];
  let params: Record<string, number> = {};
  for (let k = 0; k < n; k++) {
    const seed = o.seed + k;
    const r = explore(t, { ...o, seed, horizon, keepGoing: false, shard: undefined });
    params = r.params;
    const s: SeedOutcome = { seed, toFirstFailure: r.first ? r.first.index + 1 : null, token: r.first?.token ?? null };
    seeds.push(s);
    onSeed?.(s);
  }
  const sorted = seeds.map((s) => s.toFirstFailure ?? Infinity).sort((a, b) => a - b);
  const med = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Infinity;
  const found = seeds.filter((s) => s.toFirstFailure !== null);
  const max = found.length ? Math.max(...found.map((s) => s.toFirstFailure!)) : null;
  const sw: Sweep = {
    scenario: t.scenario.name,
    kernel: `${t.kernel.label} (${t.kernel.buildId})`,
    strategy: o.strategy,
    params,
    budget: o.budget,
    seeds,
    found: found.length,
    median: Number.isFinite(med) ? med : null,
    max,
    lines: [],
  };
  sw.lines = [
    `${sw.scenario} on ${sw.kernel}, ${sw.strategy} ${JSON.stringify(params)}: found by ${sw.found} of ${n} seeds within ${o.budget} schedules` +
      (found.length ? `; schedules to first failure: median ${sw.median ?? `> ${o.budget}`}, max ${max}` : ""),
    ...seeds.map((s) => `  seed ${s.seed}: ${s.toFirstFailure === null ? `none in ${o.budget}` : `${s.toFirstFailure} schedules  ${s.token}`}`),
  ];
  return sw;
}
