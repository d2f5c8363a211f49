// Path hygiene for diff headers and tree look-ups. A diff names files; those names are
// untrusted: they must be relative, must not climb out with "..", must not go through a
// symlink in the tree, and must name a regular file (or nothing, for a new file).
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { IngestError } from "./types.ts";

/** Top-level entries of a kernel tree; a path starting with one of these needs no prefix stripped. */
const KERNEL_TOP = new Set(
  "arch block certs crypto Documentation drivers fs include init io_uring ipc kernel lib LICENSES mm net rust samples scripts security sound tools usr virt MAINTAINERS Makefile Kconfig COPYING CREDITS README Kbuild".split(
    " ",
  ),
);

/** Drop a trailing "\t<timestamp>" or " <timestamp>" (GNU diff, mangled by collapse). */
export function stripTimestamp(name: string, mangled: boolean): string {
  let s = name;
  const tab = s.indexOf("\t");
  if (tab >= 0) s = s.slice(0, tab);
  s = s.replace(/\s+\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?( ?[+-]\d{4})?\s*$/, "");
  s = s.replace(/\s+(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d+ [\d:]+ \d{4}.*$/, "");
  if (mangled) s = s.trim().split(/\s+/)[0] ?? "";
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = unquote(s.slice(1, -1));
  return s.trim();
}

function unquote(s: string): string {
  return s.replace(/\\([\\"tn]|[0-7]{3})/g, (_m, c: string) =>
    c === "t" ? "\t" : c === "n" ? "\n" : c.length === 3 ? String.fromCharCode(parseInt(c, 8)) : c,
  );
}

/** Validate one raw diff name and return it as a clean relative path (no prefix stripping). */
export function checkRawPath(raw: string): void {
  if (raw.includes("\0")) throw new IngestError(`refused: diff path contains a NUL byte`, "hostile-path");
  if (raw.startsWith("/") && raw !== "/dev/null")
    throw new IngestError(`refused: diff path "${raw}" is absolute; only paths inside the kernel tree are accepted`, "hostile-path");
  if (/^[A-Za-z]:[\\/]/.test(raw) || raw.startsWith("\\"))
    throw new IngestError(`refused: diff path "${raw}" is absolute`, "hostile-path");
  if (raw.split(/[\\/]/).some((c) => c === ".."))
    throw new IngestError(`refused: diff path "${raw}" contains ".." and could point outside the tree`, "hostile-path");
  if (raw.length > 4096) throw new IngestError(`refused: diff path longer than 4096 characters`, "hostile-path");
}

/**
 * Turn the ---/+++ names into tree-relative paths. `git` = the names came from a `diff --git`
 * line (always a/ b/ prefixes, strip 1).
 */
export function treePaths(rawOld: string, rawNew: string, git: boolean): { oldPath: string | null; newPath: string | null } {
  checkRawPath(rawOld);
  checkRawPath(rawNew);
  const clean = (s: string) => s.replace(/^(\.\/)+/, "").replace(/\/{2,}/g, "/");
  const o = rawOld === "/dev/null" ? null : clean(rawOld);
  const n = rawNew === "/dev/null" ? null : clean(rawNew);
  const ref = n ?? o;
  if (ref === null) throw new IngestError("diff has /dev/null on both sides", "parse");
  let strip: number;
  if (git) strip = 1;
  else {
    const first = (s: string | null) => (s === null ? null : s.split("/")[0]!);
    const fo = first(o);
    const fn = first(n);
    if (fn !== null && KERNEL_TOP.has(fn) && (fo === null || fo === fn || KERNEL_TOP.has(fo))) strip = 0;
    else if (fo !== null && fn === null && KERNEL_TOP.has(fo)) strip = 0;
    else strip = 1;
  }
  const doStrip = (s: string | null) => {
    if (s === null) return null;
    const parts = s.split("/");
    if (parts.length <= strip) throw new IngestError(`diff path "${s}" has no file name after stripping ${strip} component(s)`, "parse");
    const r = parts.slice(strip).join("/");
    if (r === "" || r.endsWith("/") || r.split("/").some((c) => c === "" || c === "." || c === ".."))
      throw new IngestError(`refused: diff path "${s}" is not a plain relative file path`, "hostile-path");
    return r;
  };
  return { oldPath: doStrip(o), newPath: doStrip(n) };
}

/**
 * Resolve a tree-relative path inside `root` without following symlinks. Returns the absolute
 * path if a regular file exists there, null if nothing exists (a new file), and throws for a
 * symlink anywhere on the way, a device, fifo, socket or directory.
 */
export function resolveInTree(root: string, rel: string): string | null {
  checkRawPath(rel);
  const parts = rel.split("/");
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    cur = join(cur, parts[i]!);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return null;
    }
    const shown = parts.slice(0, i + 1).join("/");
    if (st.isSymbolicLink())
      throw new IngestError(`refused: "${rel}" resolves through the symlink "${shown}" in the tree`, "hostile-path");
    if (i < parts.length - 1) {
      if (!st.isDirectory()) throw new IngestError(`refused: "${shown}" in "${rel}" is not a directory`, "hostile-path");
    } else if (!st.isFile()) {
      const what = st.isDirectory() ? "a directory" : st.isCharacterDevice() || st.isBlockDevice() ? "a device file" : st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : "not a regular file";
      throw new IngestError(`refused: "${rel}" in the tree is ${what}, not a regular file`, "not-regular-file");
    }
  }
  return cur;
}
