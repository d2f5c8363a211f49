// A kernel tree the tool can build from. Today only Debian's linux-source packages
// provide them (debian.ts); a user's own checkout at a revision is meant to plug in
// here later as another TreeSource, without the build layer changing.

export type TreeName = "6.1" | "6.12";
export const TREE_NAMES: readonly TreeName[] = ["6.1", "6.12"];
/** The tree a command uses when one tree is needed and none is named. */
export const NEWEST_TREE: TreeName = "6.12";

export interface PristineTree {
  /** Short name used on the command line and in wasm/<tree>/ paths. */
  name: TreeName;
  /** Where it came from, e.g. "debian:linux-source-6.12=6.12.117-1~deb12u1". */
  origin: string;
  /** Kernel version from the tree's Makefile, e.g. "6.12.117". */
  kernelVersion: string;
  /** Absolute path of the read-only, never-modified source tree. */
  root: string;
}

export function isTreeName(s: string): s is TreeName {
  return (TREE_NAMES as readonly string[]).includes(s);
}
