// The kernel a scenario runs on: the tree (with what the scenario declares
// beyond the patch), or that tree before or after a patch series — the same
// units and variant builds as `dioscope check` — and finding a build again
// from a replay token (tree + build id).
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { buildKernel, type Manifest } from "../build/index.ts";
import { ingest } from "../ingest/index.ts";
import { wasmDir } from "../paths.ts";
import type { Scenario } from "../scenario/types.ts";
import { resolveTree } from "../tree/resolve.ts";
import type { TreeName } from "../tree/source.ts";
import { buildVariant } from "./build.ts";
import { prerequisiteBase, prerequisitesOf, unitsFor } from "./units.ts";

export type Side = "before" | "after";

/** A built kernel a run can use. */
export interface KernelRef {
  tree: TreeName;
  buildId: string;
  wasmPath: string;
  /** "6.12 pristine", "6.12 before <patch>", ... */
  label: string;
  /** Its configuration (from the manifest; absent: not known, taken as plain). */
  config?: Manifest["config"];
}

/**
 * Builds (or finds in the cache) the kernel `scenario` runs on: tree `tree`
 * with the scenario's declared prerequisites, before or after the series in
 * `patch.mail` when given.
 */
export function resolveKernel(tree: TreeName, scenario: Scenario, patch?: { mail: string; side: Side }, log?: (l: string) => void): KernelRef {
  const t = resolveTree(tree);
  const series = patch ? ingest([patch.mail]) : [];
  const pre = prerequisitesOf(scenario, tree, series);
  if (!patch) {
    const pb = prerequisiteBase(t, pre);
    if ("blocked" in pb) throw new Error(`${scenario.name} on ${tree}: ${pb.blocked}`);
    const b = pb.base ? buildVariant(t, pb.base, [], log) : buildKernel({ tree: t, log });
    return { tree: t.name, buildId: b.manifest.buildId, wasmPath: b.wasmPath, label: `${t.name} ${pb.base ? "with the scenario's declared patches" : "pristine"}` };
  }
  const [unit] = unitsFor(series, t, pre);
  if (!unit) throw new Error(`${patch.mail}: no patch in it`);
  if (unit.blocked) throw new Error(`${basename(patch.mail)} on ${tree}: ${unit.blocked}`);
  const b = buildVariant(t, patch.side === "before" ? unit.before : unit.after, patch.side === "after" ? unit.patchIds : [], log);
  return { tree: t.name, buildId: b.manifest.buildId, wasmPath: b.wasmPath, label: `${t.name} ${patch.side} ${basename(patch.mail)}`, config: b.manifest.config };
}

/** A build named by a replay token, if it is still in wasm/<tree>/<buildId>/. */
export function kernelById(tree: TreeName, buildId: string): KernelRef | null {
  const dir = join(wasmDir(), tree, buildId);
  const wasmPath = join(dir, "kernel.wasm");
  if (!existsSync(join(dir, "manifest.json")) || !existsSync(wasmPath)) return null;
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  const what = m.patchIds.length ? `after ${m.patchIds.join(", ")}` : m.overlay.length ? `variant (${m.overlay.join(", ")})` : "pristine";
  return { tree, buildId, wasmPath, label: `${tree} ${what}`, config: m.config };
}

/** A kernel given directly by its wasm file (tests, benchmarks): the build id from the manifest next to it. */
export function kernelAt(tree: TreeName, wasmPath: string, label?: string): KernelRef {
  const m = JSON.parse(readFileSync(join(wasmPath, "..", "manifest.json"), "utf8")) as Manifest;
  return { tree, buildId: m.buildId, wasmPath, label: label ?? `${tree} ${m.buildId}`, config: m.config };
}
