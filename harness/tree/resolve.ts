// One entry point from a tree spec to a tree: `--tree <spec> [--rev <rev>]`.
//   "7.3"                  a Debian series (installed, or fetched into the cache)
//   "/src/linux"           a directory, used as it is (a git work tree: HEAD + dirty flag recorded)
//   "/src/linux" + rev     that git revision, exported into the cache
//   "git-<12 hex>"/"dir-<12 hex>"  a tree resolved before (the name in wasm/<name>/ and reports)
import { existsSync } from "node:fs";
import { debianTree, isDebianSeries } from "./debian.ts";
import { dirTree, gitTree, recordedTree } from "./local.ts";
import type { PristineTree, TreeName } from "./source.ts";

function looksLikePath(spec: string): boolean {
  return spec.includes("/") || spec === "." || spec === ".." || existsSync(spec);
}

export function resolveTree(spec: TreeName, rev?: string): PristineTree {
  if (!spec) throw new Error("empty tree name");
  if (rev !== undefined) {
    if (!looksLikePath(spec)) throw new Error(`--rev ${rev} needs --tree to be a git checkout's directory, not "${spec}"`);
    return gitTree(spec, rev);
  }
  if (isDebianSeries(spec)) return debianTree(spec);
  const recorded = recordedTree(spec);
  if (recorded) return recorded;
  if (looksLikePath(spec)) return dirTree(spec);
  if (/^\d+\.\d+$/.test(spec)) return debianTree(spec);
  throw new Error(`unknown kernel tree "${spec}": give a Debian series (e.g. 7.3) or the path of a kernel tree`);
}
