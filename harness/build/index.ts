// One kernel build, phase by phase (kunit_tool style: config → compile →
// link → layout check → asyncify), cached by a content hash of everything
// that goes in: wasm/<tree>/<build-id>/{kernel.wasm,manifest.json}. The same
// inputs never build twice; a patched variant reuses the pristine objects
// and Kbuild recompiles only what depends on the changed files.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, cacheDir, wasmDir } from "../paths.ts";
import { unsupportedReason, type PristineTree, type TreeSource } from "../tree/source.ts";
import { asyncify } from "./asyncify.ts";
import { hashTree, sha256 } from "./hash.ts";
import { hostImports } from "./host-interface.ts";
import { compileAll, CONFIG_FRAGMENT, KbuildError } from "./kbuild.ts";
import { checkLayout } from "./layout.ts";
import { exportList, GLOBAL_BASE, linkKernel, TABLE_BASE } from "./link.ts";
import { makeShadowTree, OBJ_SUBDIR, type OverlayFiles } from "./shadow.ts";
import { findToolchain } from "./toolchain.ts";

export interface BuildRequest {
  tree: PristineTree;
  /** Changed files (tree-relative path → file with the new content); empty for the pristine tree. */
  overlay?: OverlayFiles;
  /** Ids of the patches the overlay came from, for the manifest. */
  patchIds?: string[];
  jobs?: number;
  log?: (line: string) => void;
}

export interface Manifest {
  buildId: string;
  /** Exactly what the tree was: Debian package and version, or repository, commit and dirty flag, or directory. */
  tree: { name: string; origin: string; kernelVersion: string; source: TreeSource };
  configHash: string;
  kernelSrcHash: string;
  harnessBuildHash: string;
  patchIds: string[];
  overlay: string[];
  toolchain: Record<string, string>;
  link: { tableBase: number; globalBase: number; wrapped: string[]; exports: string[] };
  imports: { module: string; name: string; kind: string }[];
  sizes: { linkedBytes: number; asyncifiedBytes: number };
  /** Per-step wall times in ms (compile, link, layout-check, asyncify; compile-base and seed-objects for variants). */
  times: Record<string, number>;
  /** Objects Kbuild compiled in this build (the whole configuration when coldCompile). */
  recompiledObjects: number;
  /** For an overlay build: the objects it recompiled (what Kbuild found depending on the overlay). */
  recompiled?: string[];
  /** The compile started from an empty object directory: `times.compile` is a cold full build. */
  coldCompile: boolean;
  /** wasm-opt's peak RSS in KiB (null without GNU time). */
  asyncifyPeakRssKiB: number | null;
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
      config: sha256(readFileSync(CONFIG_FRAGMENT)),
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
 * name: Kbuild then recompiles what changed).
 */
function kbuildRoot(tree: PristineTree): string {
  const key = tree.source.kind === "debian" ? tree.origin : tree.name;
  return join(cacheDir(), "kbuild", key.replace(/[^A-Za-z0-9.@=+-]/g, "_"));
}

/** The Kbuild shadow tree of a build: "base" for the pristine tree, one per overlay content otherwise. */
export function kbuildShadow(tree: PristineTree, overlay: OverlayFiles = new Map()): string {
  return join(kbuildRoot(tree), overlay.size ? `v-${overlayHash(overlay).slice(0, 16)}` : "base");
}

/**
 * Which inputs an object directory was last compiled for (the pristine build
 * id). A variant's objects are seeded from the base only when the base is
 * compiled for the current inputs, so the variant's compile is exactly what
 * depends on the overlay.
 */
const INPUTS_STAMP = ".dioscope-inputs";
const readStamp = (objDir: string): string | undefined =>
  existsSync(join(objDir, INPUTS_STAMP)) ? readFileSync(join(objDir, INPUTS_STAMP), "utf8") : undefined;

export function buildKernel(req: BuildRequest): BuildResult {
  const log = req.log ?? (() => {});
  const unsupported = unsupportedReason(req.tree);
  if (unsupported) throw new KbuildError(`cannot build ${req.tree.name}: ${unsupported}`, "");
  const tc = findToolchain();
  const overlay = req.overlay ?? new Map<string, string>();
  const id = buildId(req, tc.versions);
  const outDir = join(wasmDir(), req.tree.name, id);
  const wasmPath = join(outDir, "kernel.wasm");
  if (existsSync(join(outDir, "manifest.json"))) {
    const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) as Manifest;
    return { dir: outDir, wasmPath, manifest, cached: true };
  }

  const times: Record<string, number> = {};
  const timed = <T>(step: string, f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    times[step] = Math.round(performance.now() - t0);
    log(`${step}: ${(times[step]! / 1000).toFixed(1)} s`);
    return r;
  };

  // Objects: the pristine build, or a variant seeded from it.
  // The pristine build id names the inputs both the base and a variant's seed were compiled for.
  const pristineId = overlay.size ? buildId({ tree: req.tree }, tc.versions) : id;
  const base = kbuildShadow(req.tree);
  const baseObj = join(base, OBJ_SUBDIR);
  const shadow = kbuildShadow(req.tree, overlay);
  const obj = join(shadow, OBJ_SUBDIR);
  if (overlay.size) {
    if (readStamp(baseObj) !== pristineId) {
      makeShadowTree(req.tree.root, base);
      rmSync(join(baseObj, INPUTS_STAMP), { force: true });
      timed("compile-base", () => compileAll(base, req.jobs));
      writeFileSync(join(baseObj, INPUTS_STAMP), pristineId);
    }
    if (readStamp(obj) !== pristineId) {
      rmSync(shadow, { recursive: true, force: true });
      mkdirSync(shadow, { recursive: true });
      timed("seed-objects", () => cpSync(baseObj, obj, { recursive: true, preserveTimestamps: true }));
    }
  }
  makeShadowTree(req.tree.root, shadow, overlay);
  const coldCompile = !existsSync(join(obj, "vmlinux.a"));
  // Overlay files must look newer than every seeded object, whatever their origin.
  const now = new Date();
  for (const f of overlay.values()) utimesSync(f, now, now);

  const partial = `${outDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    rmSync(join(obj, INPUTS_STAMP), { force: true });
    const compiled = timed("compile", () => compileAll(shadow, req.jobs));
    writeFileSync(join(obj, INPUTS_STAMP), pristineId);
    const linked = timed("link", () => linkKernel(tc, shadow, partial));
    timed("layout-check", () => checkLayout(linked.map));
    const host = hostImports().map((h) => h.name);
    const asyncified = timed("asyncify", () => asyncify(tc, linked.wasm, join(partial, "kernel.wasm"), host));
    const mod = new WebAssembly.Module(readFileSync(join(partial, "kernel.wasm")));
    const manifest: Manifest = {
      buildId: id,
      tree: { name: req.tree.name, origin: req.tree.origin, kernelVersion: req.tree.kernelVersion, source: req.tree.source },
      configHash: sha256(readFileSync(CONFIG_FRAGMENT)),
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
      asyncifyPeakRssKiB: asyncified.peakRssKiB ?? null,
      builtAt: new Date().toISOString(),
    };
    writeFileSync(join(partial, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    rmSync(linked.wasm);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(partial, outDir);
    return { dir: outDir, wasmPath, manifest, cached: false };
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}
