// PCT throughput on the 001 unguided scenario after the fix (every schedule
// runs to the end): schedules per second and the cost per schedule by
// phase. Run as a script (`node [v8 flags] --import tsx
// harness/bench/throughput.ts <tree> <schedules>`) it prints the figures as
// JSON: the speed bench runs it in a child process to measure the kernel
// compiled by V8's optimizing tier only (DIOSCOPE_WASM_TIER=optimizing, a
// process-wide setting).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { explore, naturalConsultations } from "../explore/explore.ts";
import { resolveKernel } from "../variants/kernels.ts";
import { repoRoot } from "../paths.ts";
import type { RunTiming } from "../scenario/run.ts";
import { seed001Unguided } from "../scenario/bundled/001-ext4-dio-fallback-unguided.ts";
import { TREE_NAMES, type TreeName } from "../tree/source.ts";

const MAIL = join(repoRoot, "patches/001_60a185f54a9e7512.txt");
const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** PCT on the 001 unguided scenario after the fix, `n` schedules after a warm-up of 20. */
export function throughput(tree: TreeName, n: number): Record<string, number> {
  const t = { scenario: seed001Unguided, kernel: resolveKernel(tree, seed001Unguided, { mail: MAIL, side: "after" }) };
  const horizon = naturalConsultations(t);
  explore(t, { strategy: "pct", seed: 99, budget: 20, depth: 3, horizon, keepGoing: true }); // warm-up
  const timing: RunTiming = { restoreMs: 0, runMs: 0, judgeMs: 0 };
  const t0 = performance.now();
  const r = explore(t, { strategy: "pct", seed: 1, budget: n, depth: 3, horizon, keepGoing: true, timing });
  const totalMs = performance.now() - t0;
  return {
    schedules: r.schedules,
    schedulesPerSecond: round((r.schedules / totalMs) * 1000),
    restoreMsPerSchedule: round(timing.restoreMs / r.schedules, 3),
    runMsPerSchedule: round(timing.runMs / r.schedules, 3),
    /** Of the rest: the expectations and the oracles' judgement. */
    judgeMsPerSchedule: round(timing.judgeMs / r.schedules, 3),
    otherMsPerSchedule: round((totalMs - timing.restoreMs - timing.runMs) / r.schedules, 3),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [tree, n] = process.argv.slice(2);
  if (!TREE_NAMES.includes(tree as TreeName) || !(Number(n) > 0)) throw new Error(`usage: throughput.ts <${TREE_NAMES.join("|")}> <schedules>`);
  process.stdout.write(JSON.stringify(throughput(tree as TreeName, Number(n))) + "\n");
}
