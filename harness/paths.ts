// Where the repository, the cache and build outputs live.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Git-ignored cache: extracted trees, Kbuild output, filesystem images. DIOSCOPE_CACHE overrides. */
export function cacheDir(): string {
  return process.env.DIOSCOPE_CACHE ? resolve(process.env.DIOSCOPE_CACHE) : join(repoRoot, ".cache");
}

/** Built kernels: wasm/<tree>/<build-id>/. DIOSCOPE_WASM overrides (the cold-check bench builds into an empty one). */
export function wasmDir(): string {
  return process.env.DIOSCOPE_WASM ? resolve(process.env.DIOSCOPE_WASM) : join(repoRoot, "wasm");
}
