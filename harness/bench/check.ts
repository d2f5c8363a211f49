// Check figures for `npm run bench`: patch → verdict per seed, warm: every
// kernel built, and boot + set-up + snapshot already done in this process
// (the first, untimed pass), so the figure is the scenario runs before and
// after plus the main job's PCT budget.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basename } from "node:path";
import { runCheck } from "../check/check.ts";
import { bundledMails, MAIN_JOB_EXPLORE, mainJobRows } from "../check/mainjob.ts";
import { ingest } from "../ingest/index.ts";
import { bundledScenarios } from "../scenario/load.ts";
import type { Scenario } from "../scenario/types.ts";
import type { TreeName } from "../tree/source.ts";

/** The main job's check of one mail on one tree: its verdict lines. */
function checkMail(tree: TreeName, mail: string, candidates: readonly Scenario[]): string[] {
  const r = runCheck(ingest([mail]), { config: "plain", trees: [tree], scenarios: null, candidates, explore: MAIN_JOB_EXPLORE, inputs: [mail] });
  return mainJobRows(r, mail, candidates).map((x) => `${x.scenario}: ${x.verdict}`);
}

/**
 * Patch → verdict cold: the kernel trees extracted and their Kbuild objects
 * cached, but no kernel built (an empty wasm/ directory): every kernel the
 * seed needs, pristine included, is linked and run through Asyncify, the
 * changed files recompiled, then booted and judged.
 */
export function coldSeedMs(tree: TreeName, mail: string, candidates: readonly Scenario[]): number {
  const dir = mkdtempSync(join(tmpdir(), "dioscope-cold-"));
  const old = process.env.DIOSCOPE_WASM;
  process.env.DIOSCOPE_WASM = dir;
  try {
    const t0 = performance.now();
    checkMail(tree, mail, candidates);
    return Math.round(performance.now() - t0);
  } finally {
    if (old === undefined) delete process.env.DIOSCOPE_WASM;
    else process.env.DIOSCOPE_WASM = old;
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function checkBench(tree: TreeName): Promise<Record<string, unknown>> {
  const perSeed: Record<string, unknown> = {};
  const candidates = await bundledScenarios();
  for (const mail of bundledMails()) {
    checkMail(tree, mail, candidates); // make sure every kernel is built (not timed)
    const t0 = performance.now();
    const verdicts = checkMail(tree, mail, candidates);
    const warmMs = Math.round(performance.now() - t0);
    perSeed[basename(mail)] = { warmMs, coldMs: coldSeedMs(tree, mail, candidates), verdicts };
  }
  return {
    perSeed,
    note: "warm: every before/after kernel built and booted (snapshots in memory); the time is the scenario runs and the PCT budget. cold: trees and Kbuild objects cached, no kernel built (empty wasm dir): the pristine and patched kernels are linked and Asyncified (changed files recompiled), booted and judged.",
  };
}
