// Speed figures for `npm run bench` (wall-clock, benchmark data only): per
// tree, patch -> verdict for a one-file patch (seed 001: one variant
// kernel), on the plain and on the debug kernel, cold — the pristine kernel built and the Kbuild objects cached,
// the variant not built — split into its parts, and warm (every kernel
// built); the snapshot restore per schedule and schedules per second on the
// 001 unguided scenario (./throughput.ts), also with V8's optimizing tier only.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { buildKernel, kbuildShadow, type Manifest } from "../build/index.ts";
import type { KernelConfig } from "../build/kbuild.ts";
import { runCheck } from "../check/check.ts";
import { MAIN_JOB_EXPLORE } from "../check/mainjob.ts";
import { overlayFiles } from "../variants/build.ts";
import { prerequisitesOf, unitsFor } from "../variants/units.ts";
import { ingest } from "../ingest/index.ts";
import { bundledScenarios } from "../scenario/load.ts";
import type { Scenario } from "../scenario/types.ts";
import { bootKernel } from "../boot/boot.ts";
import { makeDisk } from "../block/images.ts";
import { repoRoot } from "../paths.ts";
import { seed001Unguided } from "../scenario/bundled/001-ext4-dio-fallback-unguided.ts";
import { debianTree } from "../tree/debian.ts";
import { throughput } from "./throughput.ts";
import type { TreeName } from "../tree/source.ts";

const MAIL = join(repoRoot, "patches/001_60a185f54a9e7512.txt");

/** The main job's check of the mail on one tree (scenarios selected as for any patch): its verdict lines. */
function checkMail(tree: TreeName, candidates: readonly Scenario[], config: KernelConfig): string[] {
  const r = runCheck(ingest([MAIL]), { config, trees: [tree], scenarios: null, candidates, explore: MAIN_JOB_EXPLORE, inputs: [MAIL] });
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
function cold(tree: TreeName, candidates: readonly Scenario[], config: KernelConfig): Record<string, unknown> {
  const t = debianTree(tree);
  const pristine = buildKernel({ tree: t, config });
  const dir = mkdtempSync(join(tmpdir(), "dioscope-cold-"));
  try {
    mkdirSync(join(dir, tree));
    symlinkSync(pristine.dir, join(dir, tree, pristine.manifest.buildId));
    const series = ingest([MAIL]);
    for (const u of unitsFor(series, t, prerequisitesOf(seed001Unguided, tree, series)))
      for (const ov of [u.before, u.after]) if (ov && ov.files.size) rmSync(kbuildShadow(t, overlayFiles(t, ov), config), { recursive: true, force: true });
    const t0 = performance.now();
    const verdicts = withWasmDir(dir, () => checkMail(tree, candidates, config));
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

function warm(tree: TreeName, candidates: readonly Scenario[], config: KernelConfig): number {
  checkMail(tree, candidates, config); // every kernel built, snapshots taken (untimed)
  const t0 = performance.now();
  checkMail(tree, candidates, config);
  return round(performance.now() - t0);
}

/**
 * The same throughput with the kernel compiled by V8's optimizing tier only
 * (DIOSCOPE_WASM_TIER=optimizing, harness/machine/loader.ts: a process-wide
 * setting, so a child process): by default V8 runs most kernel
 * functions in its baseline tier (they are not called often enough to be
 * optimized), which costs the run about half its speed; the optimizing tier
 * costs seconds of compilation per kernel instead.
 */
function throughputOptimizingTier(tree: TreeName, n: number): Record<string, number> | { error: string } {
  const env = { ...process.env, DIOSCOPE_WASM_TIER: "optimizing" };
  const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "harness/bench/throughput.ts"), tree, String(n)], { encoding: "utf8", cwd: repoRoot, env });
  if (r.status !== 0) return { error: `exit ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}` };
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
}

export async function speedBench(tree: TreeName, o: { schedules?: number } = {}): Promise<Record<string, unknown>> {
  const candidates = await bundledScenarios();
  return {
    patchToVerdictCold: cold(tree, candidates, "plain"),
    patchToVerdictWarmMs: warm(tree, candidates, "plain"),
    // What `dioscope check` does by default (CHECK_DEFAULT_CONFIG): the same on the debug kernel.
    patchToVerdictColdDebug: cold(tree, candidates, "debug"),
    patchToVerdictWarmDebugMs: warm(tree, candidates, "debug"),
    [`${seed001Unguided.name} PCT`]: throughput(tree, o.schedules ?? 2000),
    [`${seed001Unguided.name} PCT, optimizing tier only`]: throughputOptimizingTier(tree, o.schedules ?? 2000),
  };
}
