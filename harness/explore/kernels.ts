// The kernel an exploration runs on: the pristine tree, or the tree before
// or after a patch (the same units and variant builds as `dioscope check`
// and the main job, seed 002's without the NOWAIT read guard),
// and finding a build again from a replay token (tree + build id).
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { unitsFor } from "../check/check.ts";
import { seed002Unit } from "../check/seeds.ts";
import { buildVariant } from "../check/variants.ts";
import { buildKernel, type Manifest } from "../build/index.ts";
import { ingest } from "../ingest/index.ts";
import { wasmDir } from "../paths.ts";
import { resolveTree } from "../tree/resolve.ts";
import type { TreeName } from "../tree/source.ts";
import type { KernelRef } from "./runner.ts";

export type Side = "before" | "after";

/** Builds (or finds in the cache) the kernel: pristine `tree`, or `tree` before/after the patch series in `mail`. */
export function resolveKernel(tree: TreeName, patch?: { mail: string; side: Side }, log?: (l: string) => void): KernelRef {
  const t = resolveTree(tree);
  if (!patch) {
    const b = buildKernel({ tree: t, log });
    return { tree: t.name, buildId: b.manifest.buildId, wasmPath: b.wasmPath, label: `${t.name} pristine` };
  }
  // Seed 002's trees are the check's: without the later NOWAIT read guard, before and after the seed.
  const [unit] = /^002_[0-9a-f]+\.txt$/.test(basename(patch.mail)) ? [seed002Unit(patch.mail, tree)] : unitsFor(ingest([patch.mail]), tree, []);
  if (!unit) throw new Error(`${patch.mail}: no patch in it`);
  if (unit.blocked) throw new Error(`${basename(patch.mail)} on ${tree}: ${unit.blocked}`);
  const ov = patch.side === "before" ? unit.before : unit.after;
  const b = buildVariant(t, ov, patch.side === "before" ? [] : unit.patchIds, log);
  return { tree: t.name, buildId: b.manifest.buildId, wasmPath: b.wasmPath, label: `${t.name} ${patch.side} ${basename(patch.mail)}` };
}

/** A build named by a replay token, if it is still in wasm/<tree>/<buildId>/. */
export function kernelById(tree: TreeName, buildId: string): KernelRef | null {
  const dir = join(wasmDir(), tree, buildId);
  const wasmPath = join(dir, "kernel.wasm");
  if (!existsSync(join(dir, "manifest.json")) || !existsSync(wasmPath)) return null;
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  const what = m.patchIds.length ? `after ${m.patchIds.join(", ")}` : m.overlay.length ? `variant (${m.overlay.join(", ")})` : "pristine";
  return { tree, buildId, wasmPath, label: `${tree} ${what}` };
}

/** A kernel given directly by its wasm file (tests, benchmarks): the build id from the manifest next to it. */
export function kernelAt(tree: TreeName, wasmPath: string, label?: string): KernelRef {
  const m = JSON.parse(readFileSync(join(wasmPath, "..", "manifest.json"), "utf8")) as Manifest;
  return { tree, buildId: m.buildId, wasmPath, label: label ?? `${tree} ${m.buildId}` };
}
