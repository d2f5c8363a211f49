// Check figures for `npm run bench`: patch → verdict per seed with every
// kernel already built (warm), and the time of each scenario run.
import { seedRows } from "../check/seeds.ts";
import type { TreeName } from "../tree/source.ts";

export function checkBench(tree: TreeName): Record<string, unknown> {
  const t0 = performance.now();
  const rows = seedRows([tree]);
  const warmMs = performance.now() - t0;
  return {
    seedsToVerdictsWarmMs: Math.round(warmMs),
    verdicts: rows.map((r) => ({ seed: r.seed, verdict: r.verdict })),
    note: "warm: every before/after kernel already built (./build.sh's main job builds them); a cold check adds one variant build per side (recompile the patched files, link, Asyncify: see build.oneFileRebuild)",
  };
}
