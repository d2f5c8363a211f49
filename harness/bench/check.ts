// Check figures for `npm run bench`: patch → verdict per seed, warm: every
// kernel built, and boot + set-up + snapshot already done in this process
// (the first, untimed pass), so the figure is the scenario runs before and
// after plus the main job's PCT budget.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedFiles, seedRows } from "../check/seeds.ts";
import type { TreeName } from "../tree/source.ts";

/**
 * Patch → verdict cold: the kernel trees extracted and their Kbuild objects
 * cached, but no kernel built (an empty wasm/ directory): every kernel the
 * seed needs, pristine included, is linked and run through Asyncify, the
 * changed files recompiled, then booted and judged.
 */
export function coldSeedMs(tree: TreeName, seed: string): number {
  const dir = mkdtempSync(join(tmpdir(), "dioscope-cold-"));
  const old = process.env.DIOSCOPE_WASM;
  process.env.DIOSCOPE_WASM = dir;
  try {
    const t0 = performance.now();
    seedRows([tree], () => {}, seed);
    return Math.round(performance.now() - t0);
  } finally {
    if (old === undefined) delete process.env.DIOSCOPE_WASM;
    else process.env.DIOSCOPE_WASM = old;
    rmSync(dir, { recursive: true, force: true });
  }
}

export function checkBench(tree: TreeName): Record<string, unknown> {
  const perSeed: Record<string, unknown> = {};
  for (const { seed } of seedFiles()) {
    seedRows([tree], () => {}, seed); // make sure every kernel is built (not timed)
    const t0 = performance.now();
    const rows = seedRows([tree], () => {}, seed);
    const warmMs = Math.round(performance.now() - t0);
    perSeed[seed] = { warmMs, coldMs: coldSeedMs(tree, seed), verdicts: rows.map((r) => `${r.seed}: ${r.verdict}`) };
  }
  return {
    perSeed,
    note: "warm: every before/after kernel built and booted (snapshots in memory); the time is the scenario runs and the PCT budget. cold: trees and Kbuild objects cached, no kernel built (empty wasm dir): the pristine and patched kernels are linked and Asyncified (changed files recompiled), booted and judged.",
  };
}
