// Before/after kernels of a patch: an ingest overlay (changed files) written
// once under .cache/overlays/<tree>/<hash>/ and built as a variant of the
// pristine tree (Kbuild recompiles only what the changed files touch).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildKernel, type BuildResult } from "../build/index.ts";
import type { KernelConfig } from "../build/kbuild.ts";
import { sha256 } from "../build/hash.ts";
import { materialiseOverlay, type Overlay } from "../ingest/index.ts";
import { cacheDir } from "../paths.ts";
import type { PristineTree } from "../tree/source.ts";
import type { OverlayFiles } from "../build/shadow.ts";

export function buildVariant(tree: PristineTree, ov: Overlay | null, patchIds: string[], log?: (l: string) => void, config: KernelConfig = "plain"): BuildResult {
  if (!ov || ov.files.size === 0) return buildKernel({ tree, log, config });
  return buildKernel({ tree, overlay: overlayFiles(tree, ov), patchIds, log, config });
}

/** The overlay's changed files, written once under .cache/overlays/<tree>/<hash>/: tree path -> file. */
export function overlayFiles(tree: PristineTree, ov: Overlay): OverlayFiles {
  const entries = [...ov.files].sort(([a], [b]) => (a < b ? -1 : 1));
  const deleted = entries.filter(([, c]) => c === null).map(([p]) => p);
  if (deleted.length) throw new Error(`patches that delete files are not supported yet: ${deleted.join(", ")}`);
  const hash = sha256(entries.map(([p, c]) => `${p}\0${c}`).join("\0")).slice(0, 16);
  const dir = join(cacheDir(), "overlays", tree.name, hash);
  if (!existsSync(join(dir, ".complete"))) {
    materialiseOverlay(ov, dir);
    writeFileSync(join(dir, ".complete"), "");
  }
  return new Map(entries.map(([p]) => [p, join(dir, p)]));
}
