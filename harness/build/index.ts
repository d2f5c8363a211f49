// One kernel build, phase by phase (kunit_tool style: config → compile →
// link → layout check → asyncify), cached by a content hash of everything
// that goes in: wasm/<tree>/<build-id>/{kernel.wasm,manifest.json}. The same
// inputs never build twice; a patched variant reuses the pristine objects
// and Kbuild recompiles only what depends on the changed files.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { repoRoot, cacheDir, wasmDir } from "../paths.ts";
import { unsupportedReason, type PristineTree, type TreeSource } from "../tree/source.ts";
import { hashTree, sha256 } from "./hash.ts";
import { hostImports } from "./host-interface.ts";
import { instrumentKernel, type Instrumentation, type InstrumentRequest } from "./instrument.ts";
import { compileAll, configFragment, KbuildError, type KernelConfig } from "./kbuild.ts";
import { withLock } from "./lock.ts";
import { linkTree, pristineRecords, quickCompile, quickCompileRefusal } from "./quick.ts";
import { cpus } from "node:os";
import { checkLayout } from "./layout.ts";
import { exportList, GLOBAL_BASE, linkKernel, TABLE_BASE } from "./link.ts";
import { makeShadowTree, OBJ_SUBDIR, type OverlayFiles } from "./shadow.ts";
import { findToolchain } from "./toolchain.ts";

export interface BuildRequest {
  tree: PristineTree;
  /** Which kernel configuration (default "plain"); part of the build id and the Kbuild cache path. */
  config?: KernelConfig;
  /** Changed files (tree-relative path → file with the new content); empty for the pristine tree. */
  overlay?: OverlayFiles;
  /** Ids of the patches the overlay came from, for the manifest. */
  patchIds?: string[];
  jobs?: number;
  log?: (line: string) => void;
  /**
   * Compile every object in a new, empty object directory instead of
   * seeding it from the pristine objects: the reference a variant built
   * the fast way is checked against (same build id, so build it into
   * another DIOSCOPE_WASM).
   */
  fromScratch?: boolean;
  /**
   * "full": Asyncify the whole variant even where its changed functions
   * could be spliced into the pristine kernel (the reference the splice is
   * checked against; same build id, so build it into another DIOSCOPE_WASM).
   */
  instrumentation?: "auto" | "full";
}

export interface Manifest {
  buildId: string;
  /** Exactly what the tree was: Debian package and version, or repository, commit and dirty flag, or directory. */
  tree: { name: string; origin: string; kernelVersion: string; source: TreeSource };
  /** The kernel configuration (absent in manifests written before there was a choice: "plain"). */
  config?: KernelConfig;
  configHash: string;
  kernelSrcHash: string;
  harnessBuildHash: string;
  patchIds: string[];
  overlay: string[];
  toolchain: Record<string, string>;
  link: { tableBase: number; globalBase: number; wrapped: string[]; exports: string[] };
  imports: { module: string; name: string; kind: string }[];
  sizes: { linkedBytes: number; asyncifiedBytes: number };
  /** Per-step wall times in ms (compile, link, layout-check, asyncify, dirty-pages or splice, unwind-analysis; compile-base and seed-objects for variants). */
  times: Record<string, number>;
  /** Objects Kbuild compiled in this build (the whole configuration when coldCompile). */
  recompiledObjects: number;
  /** For an overlay build: the objects it recompiled (what Kbuild found depending on the overlay). */
  recompiled?: string[];
  /** The compile started from an empty object directory: `times.compile` is a cold full build. */
  coldCompile: boolean;
  /** wasm-opt's peak RSS in KiB (null without GNU time, or when the variant was spliced). */
  asyncifyPeakRssKiB: number | null;
  /** How the kernel was instrumented (absent in manifests written before the splice existed: full). */
  instrumentation?: Instrumentation;
  builtAt: string;
}

export interface BuildResult {
  dir: string;
  wasmPath: string;
  manifest: Manifest;
  cached: boolean;
}

function overlayHash(overlay: OverlayFiles): string {
  const parts = [...overlay.entries()].sort(([a], [b]) => a.localeCompare(b));
  return sha256(parts.map(([p, f]) => `${p}\0${sha256(readFileSync(f))}`).join("\n"));
}

export function buildId(req: BuildRequest, toolchain: Record<string, string>): string {
  const overlay = req.overlay ?? new Map();
  return sha256(
    JSON.stringify({
      origin: req.tree.origin,
      config: sha256(configFragment(req.config)),
      kernelSrc: hashTree(join(repoRoot, "kernel-src")),
      harnessBuild: hashTree(join(repoRoot, "harness/build")),
      overlay: overlay.size ? overlayHash(overlay) : "",
      toolchain,
    }),
  ).slice(0, 16);
}

/**
 * A tree's Kbuild directory: per Debian package version, per exported
 * commit, or per user directory (whose contents change under the same
 * name: Kbuild then recompiles what changed); a subdirectory per
 * configuration other than the plain one.
 */
export function kbuildRoot(tree: PristineTree, config: KernelConfig = "plain"): string {
  const key = tree.source.kind === "debian" ? tree.origin : tree.name;
  const root = join(cacheDir(), "kbuild", key.replace(/[^A-Za-z0-9.@=+-]/g, "_"));
  return config === "plain" ? root : join(root, config);
}

/** The Kbuild shadow tree of a build: "base" for the pristine tree, one per overlay content otherwise. */
export function kbuildShadow(tree: PristineTree, overlay: OverlayFiles = new Map(), config: KernelConfig = "plain"): string {
  return join(kbuildRoot(tree, config), overlay.size ? `v-${overlayHash(overlay).slice(0, 16)}` : "base");
}

/** The harness files the compile step reads (Kbuild's command line, the shadow tree's layout). */
const COMPILE_HARNESS_FILES = ["kbuild.ts", "shadow.ts", "toolchain.ts"].map((f) => join(repoRoot, "harness/build", f));

/**
 * What the pristine objects depend on, and nothing else: the tree, the
 * config fragment, the arch, the compile step's own code and the compiler.
 * Link, Asyncify and the rest of harness/build are not in it, so changing
 * them relinks and re-instruments without recompiling the kernel.
 */
export function compileKey(tree: PristineTree, toolchain: Record<string, string>, config: KernelConfig = "plain"): string {
  return sha256(
    JSON.stringify({
      origin: tree.origin,
      config: sha256(configFragment(config)),
      arch: hashTree(join(repoRoot, "kernel-src/arch")),
      harnessCompile: COMPILE_HARNESS_FILES.map((f) => sha256(readFileSync(f))),
      clang: toolchain.clang,
    }),
  ).slice(0, 16);
}

/**
 * Which inputs an object directory was last compiled for (its compile key).
 * A variant's objects are seeded from the base only when the base is
 * compiled for the current inputs, so the variant's compile is exactly what
 * depends on the overlay.
 */
const INPUTS_STAMP = ".dioscope-inputs";
const readStamp = (objDir: string): string | undefined =>
  existsSync(join(objDir, INPUTS_STAMP)) ? readFileSync(join(objDir, INPUTS_STAMP), "utf8") : undefined;

type Timed = <T>(step: string, f: () => T) => T;

/**
 * The Kbuild shadow tree a build compiles in: the pristine one, or a
 * variant's with its object directory seeded from the pristine objects
 * (compiled first if they are not current), or a fresh one (fromScratch).
 */
function prepareObjects(req: BuildRequest, toolchain: Record<string, string>, timed: Timed): { shadow: string; coldCompile: boolean; quick: boolean } {
  const overlay = req.overlay ?? new Map<string, string>();
  const config = req.config ?? "plain";
  // The compile key names the inputs both the base and a variant's seed were compiled for.
  const key = compileKey(req.tree, toolchain, config);
  const base = kbuildShadow(req.tree, new Map(), config);
  const baseObj = join(base, OBJ_SUBDIR);
  const shadow = req.fromScratch ? `${kbuildShadow(req.tree, overlay, config)}-scratch` : kbuildShadow(req.tree, overlay, config);
  const obj = join(shadow, OBJ_SUBDIR);
  let quick = false;
  if (req.fromScratch) rmSync(shadow, { recursive: true, force: true });
  else if (overlay.size) {
    if (readStamp(baseObj) !== key) {
      makeShadowTree(req.tree.root, base);
      rmSync(join(baseObj, INPUTS_STAMP), { force: true });
      timed("compile-base", () => compileAll(base, req.jobs, undefined, config));
      writeFileSync(join(baseObj, INPUTS_STAMP), key);
    }
    const refusal = quickCompileRefusal(overlay, baseObj, pristineRecords(baseObj, key));
    quick = refusal === null;
    if (!quick) req.log?.(`Kbuild's incremental build: ${refusal}`);
    const seeded = `${key}${quick ? " linked" : ""}`;
    if (readStamp(obj) !== seeded) {
      rmSync(shadow, { recursive: true, force: true });
      mkdirSync(shadow, { recursive: true });
      // Hard links are safe only where nothing but the quick compile writes (it replaces whole files).
      if (quick) timed("seed-objects", () => linkTree(baseObj, obj, new Set([INPUTS_STAMP])));
      else timed("seed-objects", () => cpSync(baseObj, obj, { recursive: true, preserveTimestamps: true }));
      writeFileSync(join(obj, INPUTS_STAMP), seeded);
    }
  }
  makeShadowTree(req.tree.root, shadow, overlay);
  const coldCompile = !existsSync(join(obj, "vmlinux.a"));
  // Overlay files must look newer than every seeded object, whatever their origin.
  const now = new Date();
  for (const f of overlay.values()) utimesSync(f, now, now);
  return { shadow, coldCompile, quick };
}

/** Kbuild's own (incremental) build in `shadow`, its object directory stamped with the inputs it was compiled for. */
function compileInPlace(req: BuildRequest, shadow: string): { compiled: string[] } {
  const obj = join(shadow, OBJ_SUBDIR);
  rmSync(join(obj, INPUTS_STAMP), { force: true });
  const config = req.config ?? "plain";
  const r = compileAll(shadow, req.jobs, undefined, config);
  const key = compileKey(req.tree, findToolchain().versions, config);
  writeFileSync(join(obj, INPUTS_STAMP), key);
  // The pristine objects' dependency index, ready for the first variant's quick compile.
  if (!req.overlay?.size && !req.fromScratch) pristineRecords(obj, key);
  return r;
}

/** A variant is spliced against the pristine build of its tree and configuration, unless asked for in full. */
function instrumentationKind(req: BuildRequest, toolchain: Record<string, string>): InstrumentRequest["kind"] {
  if (!req.overlay?.size) return { build: "pristine" };
  if (req.instrumentation === "full") return { build: "full variant" };
  return { build: "variant", pristineDir: join(wasmDir(), req.tree.name, buildId({ tree: req.tree, config: req.config }, toolchain)) };
}

/**
 * The kernel a request names: from the build directory when it was built,
 * else built while holding its tree's build lock (other processes building
 * the same tree and configuration wait; the cache is looked at again inside).
 */
export function buildKernel(req: BuildRequest): BuildResult {
  const unsupported = unsupportedReason(req.tree);
  if (unsupported) throw new KbuildError(`cannot build ${req.tree.name}: ${unsupported}`, "");
  // Where the build goes: its id from the inputs.
  const outDir = join(wasmDir(), req.tree.name, buildId(req, findToolchain().versions));
  const built = existingBuild(outDir);
  if (built) return built;
  const lock = `${kbuildRoot(req.tree, req.config ?? "plain")}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  return withLock(lock, () => existingBuild(outDir) ?? buildUnlocked(req, outDir), req.log);
}

function existingBuild(outDir: string): BuildResult | null {
  if (!existsSync(join(outDir, "manifest.json"))) return null;
  const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) as Manifest;
  return { dir: outDir, wasmPath: join(outDir, "kernel.wasm"), manifest, cached: true };
}

function buildUnlocked(req: BuildRequest, outDir: string): BuildResult {
  const log = req.log ?? (() => {});
  const tc = findToolchain();
  const overlay = req.overlay ?? new Map<string, string>();
  const id = basename(outDir);
  const wasmPath = join(outDir, "kernel.wasm");

  const times: Record<string, number> = {};
  const timed: Timed = (step, f) => {
    const t0 = performance.now();
    const r = f();
    times[step] = Math.round(performance.now() - t0);
    log(`${step}: ${(times[step]! / 1000).toFixed(1)} s`);
    return r;
  };

  const { shadow, coldCompile, quick } = prepareObjects(req, tc.versions, timed);
  const obj = join(shadow, OBJ_SUBDIR);

  const partial = `${outDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const baseObj = join(kbuildShadow(req.tree, new Map(), req.config), OBJ_SUBDIR);
    const key = compileKey(req.tree, tc.versions, req.config);
    const quickly = () => ({ compiled: quickCompile(obj, pristineRecords(baseObj, key), overlay, req.jobs ?? cpus().length) });
    const compiled = timed("compile", () => (quick ? quickly() : compileInPlace(req, shadow)));
    const linked = timed("link", () => linkKernel(tc, shadow, partial));
    timed("layout-check", () => checkLayout(linked.map));
    const host = hostImports().map((h) => h.name);
    const instrumented = instrumentKernel({ tc, dir: partial, switching: host, kind: instrumentationKind(req, tc.versions), timed, log });
    const mod = new WebAssembly.Module(readFileSync(join(partial, "kernel.wasm")));
    const manifest: Manifest = {
      buildId: id,
      tree: { name: req.tree.name, origin: req.tree.origin, kernelVersion: req.tree.kernelVersion, source: req.tree.source },
      config: req.config ?? "plain",
      configHash: sha256(configFragment(req.config)),
      kernelSrcHash: hashTree(join(repoRoot, "kernel-src")),
      harnessBuildHash: hashTree(join(repoRoot, "harness/build")),
      patchIds: req.patchIds ?? [],
      overlay: [...overlay.keys()].sort(),
      toolchain: tc.versions,
      link: { tableBase: TABLE_BASE, globalBase: GLOBAL_BASE, wrapped: linked.wrapped, exports: exportList() },
      imports: WebAssembly.Module.imports(mod).map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
      sizes: { linkedBytes: statSync(linked.wasm).size, asyncifiedBytes: statSync(join(partial, "kernel.wasm")).size },
      times,
      recompiledObjects: compiled.compiled.length,
      ...(overlay.size ? { recompiled: compiled.compiled } : {}),
      coldCompile,
      asyncifyPeakRssKiB: instrumented.asyncifyPeakRssKiB ?? null,
      instrumentation: instrumented.instrumentation,
      builtAt: new Date().toISOString(),
    };
    writeFileSync(join(partial, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    // A variant's linked module is not needed once instrumented; the pristine one is (variants splice against it).
    if (overlay.size) rmSync(linked.wasm);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(partial, outDir);
    return { dir: outDir, wasmPath, manifest, cached: false };
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}
