// Check figures for `npm run bench`: patch → verdict per seed, warm: every
// kernel built, and boot + set-up + snapshot already done in this process
// (the first, untimed pass), so the figure is the scenario runs before and
// after plus the main job's PCT budget.
import { seedFiles, seedRows } from "../check/seeds.ts";
import type { TreeName } from "../tree/source.ts";

export function checkBench(tree: TreeName): Record<string, unknown> {
  const perSeed: Record<string, unknown> = {};
  for (const { seed } of seedFiles()) {
    seedRows([tree], () => {}, seed); // make sure every kernel is built (not timed)
    const t0 = performance.now();
    const rows = seedRows([tree], () => {}, seed);
    perSeed[seed] = { warmMs: Math.round(performance.now() - t0), verdicts: rows.map((r) => `${r.seed}: ${r.verdict}`) };
  }
  return {
    perSeed,
    note: "warm: every before/after kernel built and booted (snapshots in memory); the time is the scenario runs and the PCT budget. A cold check adds, per side, one variant build from the cached objects (recompile the patched files, link, Asyncify): see build.<tree>.oneFileRebuild; a measured cold patch-to-verdict time is not in this bench yet.",
  };
}
