// Finding built kernels in wasm/<tree>/<build-id>/.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { wasmDir } from "../paths.ts";
import type { PristineTree } from "../tree/source.ts";
import { buildId, type Manifest } from "./index.ts";
import type { KernelConfig } from "./kbuild.ts";
import { findToolchain } from "./toolchain.ts";

export interface BuiltKernel {
  dir: string;
  wasmPath: string;
  manifest: Manifest;
}

/** The completed build in `dir` (it has a manifest), if any. */
function builtIn(dir: string): BuiltKernel | undefined {
  if (!existsSync(join(dir, "manifest.json"))) return undefined;
  return { dir, wasmPath: join(dir, "kernel.wasm"), manifest: JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest };
}

/** The pristine build of a tree for the current inputs (kernel-src, config, toolchain), if built. */
export function currentBuild(tree: PristineTree, config: KernelConfig = "plain"): BuiltKernel | undefined {
  return builtIn(join(wasmDir(), tree.name, buildId({ tree, config }, findToolchain().versions)));
}

/** Every completed build of a tree (any inputs, pristine or with an overlay), oldest first. */
export function allBuilds(tree: PristineTree): BuiltKernel[] {
  const treeDir = join(wasmDir(), tree.name);
  if (!existsSync(treeDir)) return [];
  return readdirSync(treeDir)
    .flatMap((id) => builtIn(join(treeDir, id)) ?? [])
    .sort((a, b) => (a.manifest.builtAt ?? "").localeCompare(b.manifest.builtAt ?? ""));
}
