// Generic-suite figures for `npm run bench` (wall-clock timings are
// benchmark data only; which cases fail is deterministic): generated cases
// per second per filesystem on each tree's current kernel, each case the
// natural schedule plus the check's default PCT schedules, and how many of
// them the generic oracles flag on the unchanged kernel (findings a patch
// cannot change: each case fails on both sides).
import { currentBuild } from "../build/registry.ts";
import { GENERIC_DEFAULT } from "../check/generic.ts";
import { exploreCase, suiteWorkload } from "../generate/suite.ts";
import { GEN_FS } from "../generate/workload.ts";
import { kernelAt } from "../variants/kernels.ts";
import { resolveTree } from "../tree/resolve.ts";
import type { TreeName } from "../tree/source.ts";

/** Cases per filesystem the bench runs. */
const CASES = 8;

export function generateBench(tree: TreeName): Record<string, unknown> {
  const b = currentBuild(resolveTree(tree));
  if (!b) return { built: false };
  const kernel = kernelAt(tree, b.wasmPath);
  const out: Record<string, unknown> = { casesPerFs: CASES, schedulesPerCase: 1 + GENERIC_DEFAULT.schedules };
  for (const fs of GEN_FS) {
    const t0 = performance.now();
    let schedules = 0;
    const failing: number[] = [];
    for (let i = 0; i < CASES; i++) {
      const r = exploreCase(suiteWorkload({ seed: GENERIC_DEFAULT.seed, fs: [fs] }, i), kernel, GENERIC_DEFAULT);
      schedules += r.schedules;
      if (r.failure) failing.push(i);
    }
    const s = (performance.now() - t0) / 1000;
    out[fs] = { casesPerSecond: Math.round((CASES / s) * 100) / 100, schedulesPerSecond: Math.round((schedules / s) * 100) / 100, failingOnUnchangedKernel: failing };
  }
  return out;
}
