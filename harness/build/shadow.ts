// The shadow tree: what Kbuild sees as the source tree. It is a directory of
// symlinks into the pristine (read-only) kernel tree, with arch/wasm pointing
// at a copy of kernel-src/arch/wasm kept in the cache by content (so every
// clone with the same arch shares the objects: Kbuild sees the same files
// with the same times) and, for a patched variant, the changed files
// pointing at overlay copies. Kbuild's object directory lives inside it
// (OBJ_SUBDIR), so Kbuild uses the relative srctree ".." and command lines
// are identical across variants: a variant's object dir can be seeded from
// the pristine one and only what the overlay touches is rebuilt.
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { cacheDir, repoRoot } from "../paths.ts";
import { hashTree } from "./hash.ts";

export const OBJ_SUBDIR = "_dioscope_obj";

/** Files replacing tree files: tree-relative path → absolute path of the new content. */
export type OverlayFiles = ReadonlyMap<string, string>;

function link(target: string, at: string): void {
  try {
    if (lstatSync(at).isSymbolicLink() && readlinkSync(at) === target) return;
    rmSync(at, { recursive: true, force: true });
  } catch {
    /* absent */
  }
  symlinkSync(target, at);
}

/** Mirror directory `src` into `dst` as symlinks, descending only where `expand` says. */
function mirror(src: string, dst: string, rel: string, expand: (rel: string) => boolean, overlay: OverlayFiles): void {
  mkdirSync(dst, { recursive: true });
  for (const name of readdirSync(src)) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (childRel === OBJ_SUBDIR) throw new Error(`kernel tree has an entry named ${OBJ_SUBDIR}`);
    const o = overlay.get(childRel);
    if (o) link(o, join(dst, name));
    else if (expand(childRel)) mirror(join(src, name), join(dst, name), childRel, expand, overlay);
    else link(join(src, name), join(dst, name));
  }
}

/**
 * kernel-src/arch/wasm as a directory of the cache named by its content hash.
 * New content gets a new directory, made now: its files are newer than every
 * object compiled before, so Kbuild recompiles what depends on them. The same
 * content (another clone, a re-checkout) finds the directory already there,
 * with its first times, and Kbuild has nothing to redo.
 */
export function archCopy(): string {
  const src = join(repoRoot, "kernel-src", "arch", "wasm");
  const dir = join(cacheDir(), "arch", hashTree(src).slice(0, 16));
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(src, tmp, { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw e;
  }
  return dir;
}

/**
 * Create or refresh the shadow tree at `root` for the pristine tree at
 * `treeRoot` plus `overlay`. Returns the Kbuild object directory.
 */
export function makeShadowTree(treeRoot: string, root: string, overlay: OverlayFiles = new Map()): string {
  for (const p of overlay.keys()) {
    if (p.startsWith("/") || p.split("/").includes("..")) throw new Error(`overlay path escapes the tree: ${p}`);
    if (!existsSync(join(treeRoot, p)) && !existsSync(dirname(join(treeRoot, p))))
      throw new Error(`overlay path ${p}: no such directory in the tree`);
  }
  // Directories on the way to an overlay file must be real directories.
  const dirsToExpand = new Set<string>(["arch"]);
  for (const p of overlay.keys()) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) dirsToExpand.add(parts.slice(0, i).join("/"));
  }
  mirror(treeRoot, root, "", (rel) => dirsToExpand.has(rel), overlay);
  // The top Makefile finds srctree with realpath(): it must be a real file
  // here, or Kbuild would build the pristine tree instead of the shadow.
  const mk = join(root, "Makefile");
  if (lstatSync(mk).isSymbolicLink()) {
    rmSync(mk);
    copyFileSync(join(treeRoot, "Makefile"), mk);
  }
  // arch/wasm is ours (never a file of the tree).
  link(archCopy(), join(root, "arch", "wasm"));
  const obj = join(root, OBJ_SUBDIR);
  mkdirSync(obj, { recursive: true });
  writeFileSync(join(root, ".dioscope-shadow"), relative(root, treeRoot) + "\n");
  return obj;
}
