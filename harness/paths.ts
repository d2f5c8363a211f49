// Where the repository, the cache and build outputs live.
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The cache: extracted trees, Kbuild objects, filesystem images, arch copies.
 * Everything in it is keyed by content, so every clone on a machine shares it
 * (a fresh clone builds only what is new): $DIOSCOPE_CACHE, else
 * $XDG_CACHE_HOME/dioscope, else ~/.cache/dioscope.
 */
export function cacheDir(): string {
  if (process.env.DIOSCOPE_CACHE) return resolve(process.env.DIOSCOPE_CACHE);
  return join(process.env.XDG_CACHE_HOME ? resolve(process.env.XDG_CACHE_HOME) : join(homedir(), ".cache"), "dioscope");
}

/** Built kernels: wasm/<tree>/<build-id>/. DIOSCOPE_WASM overrides (the cold-check bench builds into an empty one). */
export function wasmDir(): string {
  return process.env.DIOSCOPE_WASM ? resolve(process.env.DIOSCOPE_WASM) : join(repoRoot, "wasm");
}
