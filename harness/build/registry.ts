// Finding built kernels in wasm/<tree>/<build-id>/.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { wasmDir } from "../paths.ts";
import type { PristineTree } from "../tree/source.ts";
import { buildId, type Manifest } from "./index.ts";
import { findToolchain } from "./toolchain.ts";

export interface BuiltKernel {
  dir: string;
  wasmPath: string;
  manifest: Manifest;
}

/** The pristine build of a tree for the current inputs (kernel-src, config, toolchain), if built. */
export function currentBuild(tree: PristineTree): BuiltKernel | undefined {
  const id = buildId({ tree }, findToolchain().versions);
  const dir = join(wasmDir(), tree.name, id);
  if (!existsSync(join(dir, "manifest.json"))) return undefined;
  return { dir, wasmPath: join(dir, "kernel.wasm"), manifest: JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest };
}
