// Speed figures for `npm run bench` (wall-clock, benchmark data only): per
// tree, patch -> verdict for a one-file patch (seed 001: one variant
// kernel), cold — the pristine kernel built and the Kbuild objects cached,
// the variant not built — split into its parts, and warm (every kernel
// built); the snapshot restore per schedule and schedules per second on the
// 001 unguided scenario.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { buildKernel, kbuildShadow, type Manifest } from "../build/index.ts";
import { runCheck } from "../check/check.ts";
import { MAIN_JOB_EXPLORE } from "../check/mainjob.ts";
import { overlayFiles } from "../variants/build.ts";
import { prerequisitesOf, unitsFor } from "../variants/units.ts";
import { ingest } from "../ingest/index.ts";
import { bundledScenarios } from "../scenario/load.ts";
import type { Scenario } from "../scenario/types.ts";
import { bootKernel } from "../boot/boot.ts";
import { makeDisk } from "../block/images.ts";
import { explore, naturalConsultations } from "../explore/explore.ts";
import { resolveKernel } from "../variants/kernels.ts";
import { repoRoot } from "../paths.ts";
import type { RunTiming } from "../scenario/run.ts";
import { seed001Unguided } from "../scenario/bundled/001-ext4-dio-fallback-unguided.ts";
import { debianTree } from "../tree/debian.ts";
import type { TreeName } from "../tree/source.ts";

const MAIL = join(repoRoot, "patches/001_60a185f54a9e7512.txt");

/** The main job's check of the mail on one tree (scenarios selected as for any patch): its verdict lines. */
function checkMail(tree: TreeName, candidates: readonly Scenario[]): string[] {
  const r = runCheck(ingest([MAIL]), { trees: [tree], scenarios: null, candidates, explore: MAIN_JOB_EXPLORE, inputs: [MAIL] });
  return r.units.flatMap((u) => u.verdicts.map((v) => `${v.scenario}: ${v.verdict}`));
}

const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs `f` with DIOSCOPE_WASM pointing at `dir`. */
function withWasmDir<T>(dir: string, f: () => T): T {
  const old = process.env.DIOSCOPE_WASM;
  process.env.DIOSCOPE_WASM = dir;
  try {
    return f();
  } finally {
    if (old === undefined) delete process.env.DIOSCOPE_WASM;
    else process.env.DIOSCOPE_WASM = old;
  }
}

/** The variant builds made in `dir` (kernels with an overlay). */
function variantManifests(dir: string, tree: TreeName): Manifest[] {
  const treeDir = join(dir, tree);
  if (!existsSync(treeDir)) return [];
  return readdirSync(treeDir)
    .map((id) => join(treeDir, id, "manifest.json"))
    .filter((m) => existsSync(m))
    .map((m) => JSON.parse(readFileSync(m, "utf8")) as Manifest)
    .filter((m) => m.overlay.length > 0);
}

/**
 * Cold: a wasm directory holding only the pristine build, and no Kbuild
 * directory for the seed's variants (their objects are seeded from the
 * pristine ones and the changed files recompiled).
 */
function cold(tree: TreeName, candidates: readonly Scenario[]): Record<string, unknown> {
  const t = debianTree(tree);
  const pristine = buildKernel({ tree: t });
  const dir = mkdtempSync(join(tmpdir(), "dioscope-cold-"));
  try {
    mkdirSync(join(dir, tree));
    symlinkSync(pristine.dir, join(dir, tree, pristine.manifest.buildId));
    const series = ingest([MAIL]);
    for (const u of unitsFor(series, t, prerequisitesOf(seed001Unguided, tree, series)))
      for (const ov of [u.before, u.after]) if (ov && ov.files.size) rmSync(kbuildShadow(t, overlayFiles(t, ov)), { recursive: true, force: true });
    const t0 = performance.now();
    const verdicts = withWasmDir(dir, () => checkMail(tree, candidates));
    const totalMs = performance.now() - t0;
    const variants = variantManifests(dir, tree);
    const sum = (...steps: string[]) => variants.reduce((a, m) => a + steps.reduce((b, s) => b + (m.times[s] ?? 0), 0), 0);
    const buildMs = sum("seed-objects", "compile", "link", "layout-check", "asyncify", "dirty-pages", "splice");
    const bootMs = variants.length ? bootKernel(join(dir, tree, variants[0]!.buildId, "kernel.wasm"), { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] }).bootMs : 0;
    return {
      mail: basename(MAIL),
      variantsBuilt: variants.length,
      totalMs: round(totalMs),
      parts: {
        seedObjectsMs: sum("seed-objects"),
        compileMs: sum("compile"),
        linkMs: sum("link", "layout-check"),
        instrumentationMs: sum("asyncify", "dirty-pages", "splice"),
        bootMs: round(bootMs),
        runsMs: round(totalMs - buildMs - bootMs),
      },
      verdicts,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function warm(tree: TreeName, candidates: readonly Scenario[]): number {
  checkMail(tree, candidates); // every kernel built, snapshots taken (untimed)
  const t0 = performance.now();
  checkMail(tree, candidates);
  return round(performance.now() - t0);
}

/** PCT on the 001 unguided scenario (after the fix: every schedule runs to the end). */
function throughput(tree: TreeName, n: number): Record<string, number> {
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
    otherMsPerSchedule: round((totalMs - timing.restoreMs - timing.runMs) / r.schedules, 3),
  };
}

export async function speedBench(tree: TreeName, o: { schedules?: number } = {}): Promise<Record<string, unknown>> {
  const candidates = await bundledScenarios();
  return {
    patchToVerdictCold: cold(tree, candidates),
    patchToVerdictWarmMs: warm(tree, candidates),
    [`${seed001Unguided.name} PCT`]: throughput(tree, o.schedules ?? 2000),
  };
}
