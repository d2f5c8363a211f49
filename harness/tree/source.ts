// A kernel tree the tool can build from, whatever it came from: a Debian
// linux-source package at a version (debian.ts), a directory the user points
// at, or a git checkout at a revision exported into the cache (local.ts).
// The build layer sees only PristineTree; the tree's kernel version (from its
// Makefile) decides what the arch needs.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * How a tree is named on the command line and in wasm/<name>/ paths: a Debian
 * series ("7.3"), a path to a kernel tree, or the name of a tree resolved
 * before ("git-<commit>", "dir-<hash>"). An open set: no list of names.
 */
export type TreeName = string;

/** The Debian series ./build.sh builds and the tests run on by default (every known one: tree/debian.ts). */
export const TREE_NAMES: readonly TreeName[] = ["6.1", "6.12", "7.3"];

/** Whether `s` can name a tree (argument parsing; resolveTree may still refuse it, with the reason). */
export function isTreeName(s: string): s is TreeName {
  return s !== "" && !s.startsWith("-");
}

/** Exactly what a tree was, for manifests and reports. */
export type TreeSource =
  | { kind: "debian"; package: string; version: string }
  | { kind: "dir"; path: string; fingerprint: string }
  | { kind: "git"; repo: string; commit: string; rev: string; dirty: boolean };

export interface PristineTree {
  /** Short, file-name-safe name: the Debian series, "git-<commit>", "dir-<hash>"; resolves back to this tree. */
  name: TreeName;
  /** One line saying what the tree is, e.g. "debian:linux-source-6.12=6.12.117-1~deb12u1", "git:/src/linux@<commit>". */
  origin: string;
  source: TreeSource;
  /** Kernel version from the tree's Makefile, e.g. "6.12.117". */
  kernelVersion: string;
  /** Absolute path of the source tree; never written to. */
  root: string;
}

/** The oldest kernel the wasm arch is written for; older trees get a clear refusal, not a compile. */
export const OLDEST_SUPPORTED_KERNEL = "6.1";

/** Kernel version "VERSION.PATCHLEVEL[.SUBLEVEL]" from a tree's top Makefile. */
export function kernelVersionOf(root: string): string {
  let mk: string;
  try {
    mk = readFileSync(join(root, "Makefile"), "utf8");
  } catch {
    throw new Error(`${root}: not a kernel tree (no Makefile)`);
  }
  const field = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\S*)`, "m").exec(mk)?.[1] ?? "";
  const [v, p, sub] = [field("VERSION"), field("PATCHLEVEL"), field("SUBLEVEL")];
  if (!/^\d+$/.test(v) || !/^\d+$/.test(p)) throw new Error(`${root}: not a kernel tree (its Makefile has no VERSION/PATCHLEVEL)`);
  return `${v}.${p}${sub ? "." + sub : ""}`;
}

/** Numeric parts of a version ("7.3.4" → [7, 3, 4]); missing parts are 0. */
function versionParts(v: string): number[] {
  const parts = v.split(".").map((x) => Number.parseInt(x, 10));
  if (parts.length < 2 || parts.some((x) => !Number.isFinite(x))) throw new Error(`not a kernel version: ${v}`);
  return [parts[0]!, parts[1]!, parts[2] ?? 0];
}

/** <0, 0, >0 as kernel version a is older than, equal to, newer than b. */
export function compareKernelVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** The release series of a kernel version: "7.3.4" → "7.3". */
export function kernelSeries(version: string): string {
  const [v, p] = versionParts(version);
  return `${v}.${p}`;
}

/** Why the arch cannot build this tree, or null when its version is in range. */
export function unsupportedReason(tree: PristineTree): string | null {
  if (compareKernelVersions(tree.kernelVersion, OLDEST_SUPPORTED_KERNEL) < 0)
    return `kernel ${tree.kernelVersion} (${tree.origin}) is older than ${OLDEST_SUPPORTED_KERNEL}, the oldest kernel arch/wasm supports`;
  return null;
}

/** The tree a command uses when one tree is needed and none is named: the newest default tree. */
export const NEWEST_TREE: TreeName = [...TREE_NAMES].sort(compareKernelVersions).at(-1)!;

/** One line for reports saying exactly what the tree was (package and version, or repository, commit and dirty flag). */
export function describeTree(t: PristineTree): string {
  const s = t.source;
  switch (s.kind) {
    case "debian":
      return `Debian ${s.package} ${s.version} (Linux ${t.kernelVersion})`;
    case "git":
      return `git ${s.repo} at ${s.commit}${s.rev !== s.commit ? ` (${s.rev})` : ""}${s.dirty ? ", work tree dirty" : ""} (Linux ${t.kernelVersion})`;
    case "dir":
      return `directory ${s.path}, contents ${s.fingerprint.slice(0, 12)} (Linux ${t.kernelVersion})`;
  }
}
