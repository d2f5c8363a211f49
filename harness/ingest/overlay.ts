// Overlays: a set of changed files (path -> new content, or null for "deleted") on top of a
// read-only pristine tree. Nothing here ever writes into the tree.
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { checkRawPath, resolveInTree } from "./paths.ts";
import { IngestError } from "./types.ts";

export interface Overlay {
  /** Absolute path of the pristine tree the overlay applies to. */
  root: string;
  /** Tree name/origin for reports. */
  tree: string;
  /** Changed files: tree-relative path -> full new content, or null when the file is deleted. */
  files: Map<string, string | null>;
}

export function emptyOverlay(root: string, tree: string): Overlay {
  return { root, tree, files: new Map() };
}

/** Content of a file as the overlay sees it (undefined: does not exist). */
export function readOverlayFile(ov: Overlay, rel: string): string | undefined {
  if (ov.files.has(rel)) return ov.files.get(rel) ?? undefined;
  const abs = resolveInTree(ov.root, rel);
  return abs === null ? undefined : readFileSync(abs, "utf8");
}

function inside(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r !== "" && !r.startsWith("..") && !isAbsolute(r);
}

/**
 * Write the overlay's changed files under `dir` (same relative layout) and return the list of
 * written paths plus the deleted ones. `dir` must not be inside the pristine tree. Refuses to
 * write through symlinks inside `dir`. Deleted files are listed in `<dir>/.dioscope-deleted`.
 */
export function materialiseOverlay(ov: Overlay, dir: string): { written: string[]; deleted: string[] } {
  const out = resolve(dir);
  const rootReal = realpathSync(ov.root);
  mkdirSync(out, { recursive: true });
  const outReal = realpathSync(out);
  if (outReal === rootReal || inside(rootReal, outReal)) throw new IngestError(`refused: overlay directory ${dir} is inside the pristine tree ${ov.root}`, "hostile-path");
  const written: string[] = [];
  const deleted: string[] = [];
  for (const [rel, content] of [...ov.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    checkRawPath(rel);
    const target = join(outReal, rel);
    if (!inside(outReal, target)) throw new IngestError(`refused: overlay path ${rel} leaves ${dir}`, "hostile-path");
    // no symlinks on the way inside the output directory
    let cur = outReal;
    for (const part of rel.split("/").slice(0, -1)) {
      cur = join(cur, part);
      if (existsSync(cur) && lstatSync(cur).isSymbolicLink()) throw new IngestError(`refused: ${cur} is a symlink`, "hostile-path");
    }
    if (existsSync(target) && lstatSync(target).isSymbolicLink()) throw new IngestError(`refused: ${target} is a symlink`, "hostile-path");
    if (content === null) {
      deleted.push(rel);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(rel);
  }
  if (deleted.length) writeFileSync(join(outReal, ".dioscope-deleted"), deleted.join("\n") + "\n");
  void sep;
  return { written, deleted };
}
