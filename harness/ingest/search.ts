// When a hunk does not apply: the closest near-match in a file, the lines that differ,
// identifiers that were renamed, functions that no longer exist, and other files of the tree
// that hold the hunk's text (code that moved).
import { execFileSync } from "node:child_process";
import { lstatSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { wsKey } from "./diff.ts";
import { resolveInTree } from "./paths.ts";
import type { ParsedHunk } from "./types.ts";

export interface NearMatch {
  file: string;
  dir: "forward" | "reverse";
  /** 1-based line of the first matched line */
  line: number;
  matched: number;
  total: number;
  /** hunk lines that differ from the file, paired with the file's line at that place (null: none) */
  differing: { patch: string; tree: string | null }[];
}

export interface Rename {
  from: string;
  to: string;
  /** "renamed": from exists nowhere in the searched tree any more, to does */
  kind: "renamed" | "differs";
}

function sideLines(h: ParsedHunk, dir: "forward" | "reverse"): string[] {
  return h.lines.filter((l) => (dir === "forward" ? l.kind !== "add" : l.kind !== "del")).map((l) => l.text);
}

/** Best whitespace-insensitive partial alignment of one side of the hunk with the file. */
export function nearMatch(h: ParsedHunk, file: string[], fileName: string, hint: number): NearMatch | null {
  const Fk = file.map(wsKey);
  let best: NearMatch | null = null;
  let bestDist = Infinity;
  for (const dir of ["forward", "reverse"] as const) {
    const S = sideLines(h, dir);
    const Sk = S.map(wsKey);
    const k = S.length;
    if (k === 0) continue;
    const W = k + 4;
    const sig = new Set(Sk.filter((x) => x.length > 2));
    // candidate starts: positions where a significant line matches, shifted back
    const starts = new Set<number>();
    for (let q = 0; q < Fk.length; q++) {
      if (!sig.has(Fk[q]!)) continue;
      for (let a = 0; a < k; a++) if (Sk[a] === Fk[q]) starts.add(Math.max(0, q - a - 2));
    }
    for (const p of starts) {
      const n = Math.min(W, Fk.length - p);
      // LCS table
      const T: number[][] = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(0));
      for (let a = k - 1; a >= 0; a--)
        for (let b = n - 1; b >= 0; b--)
          T[a]![b] = Sk[a] === Fk[p + b] && Sk[a]!.length > 0 ? 1 + T[a + 1]![b + 1]! : Math.max(T[a + 1]![b]!, T[a]![b + 1]!);
      // blank lines count less (they match anywhere)
      const score = T[0]![0]!;
      if (score === 0) continue;
      const dist = Math.abs(p - hint);
      if (best && (score < best.matched || (score === best.matched && dist >= bestDist))) continue;
      // backtrack
      const pairs: [number, number][] = [];
      let a = 0;
      let b = 0;
      while (a < k && b < n) {
        if (Sk[a] === Fk[p + b] && Sk[a]!.length > 0 && T[a]![b] === 1 + T[a + 1]![b + 1]!) {
          pairs.push([a, b]);
          a++;
          b++;
        } else if (T[a + 1]![b]! >= T[a]![b + 1]!) a++;
        else b++;
      }
      const differing: { patch: string; tree: string | null }[] = [];
      let pa = -1;
      let pb = -1;
      const gaps: [number, number][] = [...pairs, [k, Math.min(n, pb + 1 + k)]];
      for (const [x, y0] of gaps) {
        const y = x === k ? Math.min(n, pb + 1 + (k - pa - 1)) : y0;
        const gapS = S.slice(pa + 1, x);
        const gapF = file.slice(p + pb + 1, p + y);
        const shift = pa === -1 ? gapF.length - gapS.length : 0;
        gapS.forEach((s, i) => {
          if (s.trim() === "") return;
          differing.push({ patch: s, tree: gapF[i + shift] ?? null });
        });
        pa = x;
        pb = y;
      }
      const first = pairs.length ? p + pairs[0]![1] : p;
      best = { file: fileName, dir, line: first + 1, matched: score, total: k, differing };
      bestDist = dist;
    }
  }
  return best;
}

const IDENT = /[A-Za-z_]\w*/g;

/** Pairs of lines that differ in exactly one identifier: candidate renames. */
export function renameCandidates(differing: { patch: string; tree: string | null }[]): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const d of differing) {
    if (d.tree === null) continue;
    const a = wsKey(d.patch).match(IDENT) ?? [];
    const b = wsKey(d.tree).match(IDENT) ?? [];
    if (a.length !== b.length) continue;
    const diffs = a.map((x, i) => [x, b[i]!] as const).filter(([x, y]) => x !== y);
    if (diffs.length !== 1) continue;
    const [from, to] = diffs[0]!;
    // the rest of the line must be the same
    if (wsKey(d.patch).replace(new RegExp(`\\b${from}\\b`), to) !== wsKey(d.tree)) continue;
    if (!out.some((r) => r.from === from && r.to === to)) out.push({ from, to });
  }
  return out;
}

/** Directories searched for moved code and vanished symbols: the file's directory, its subsystem, include/. */
function searchRoots(root: string, rel: string): string[] {
  const parts = rel.split("/");
  const roots: string[] = [];
  if (parts.length > 1) roots.push(parts[0]!);
  roots.push("include");
  return [...new Set(roots)].filter((r) => {
    try {
      return lstatSync(join(root, r)).isDirectory();
    } catch {
      return false;
    }
  });
}

function grepFiles(root: string, args: string[], dirs: string[]): string[] {
  if (dirs.length === 0) return [];
  try {
    const out = execFileSync("grep", ["-rlI", "--include=*.c", "--include=*.h", ...args, "--", ...dirs], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.split("\n").filter(Boolean).map((s) => s.replace(/^\.\//, ""));
  } catch {
    return [];
  }
}

/** Whether a function/identifier is defined or called somewhere under the search roots. */
export function symbolExists(root: string, rel: string, name: string, asCall: boolean): string[] {
  const pat = asCall ? `\\b${name}[[:space:]]*\\(` : `\\b${name}\\b`;
  const re = asCall ? new RegExp(`\\b${name}\\s*\\(`) : new RegExp(`\\b${name}\\b`);
  // mentions in comments do not count
  return grepFiles(root, ["-E", pat], searchRoots(root, rel)).filter((f) => re.test(stripComments(readFileSync(join(root, f), "utf8"))));
}

export function stripComments(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, "");
}

export function confirmRename(root: string, rel: string, r: { from: string; to: string }): Rename {
  const fromHits = symbolExists(root, rel, r.from, false);
  const toHits = symbolExists(root, rel, r.to, false);
  return { ...r, kind: fromHits.length === 0 && toHits.length > 0 ? "renamed" : "differs" };
}

export const NOT_FUNCS = new Set(["if", "for", "while", "switch", "return", "sizeof", "typeof", "defined", "__attribute__", "likely", "unlikely", "READ_ONCE", "WRITE_ONCE"]);

/** The function a hunk's @@ section names (the first identifier called), if any. */
export function sectionFunction(section: string): string | null {
  return /([A-Za-z_]\w*)\s*\(/.exec(section)?.[1] ?? null;
}

/** Functions the hunk names (its @@ section and calls on context/removed lines) that the file no longer has. */
export function missingFunctions(h: ParsedHunk, fileText: string, root: string, rel: string): { name: string; where: string }[] {
  const names = new Set<string>();
  const sec = sectionFunction(h.section);
  if (sec) names.add(sec);
  for (const l of h.lines) {
    if (l.kind === "add") continue;
    for (const m of l.text.matchAll(/([A-Za-z_]\w*)\s*\(/g)) if (!NOT_FUNCS.has(m[1]!)) names.add(m[1]!);
  }
  const out: { name: string; where: string }[] = [];
  for (const n of names) {
    if (new RegExp(`\\b${n}\\s*\\(`).test(stripComments(fileText))) continue;
    const elsewhere = symbolExists(root, rel, n, true).filter((f) => f !== rel);
    out.push({
      name: n,
      where: elsewhere.length ? `not in ${rel}; found in ${elsewhere.slice(0, 3).join(", ")}${elsewhere.length > 3 ? ", ..." : ""}` : `exists nowhere in ${searchRoots(root, rel).join(", ")}`,
    });
  }
  return out;
}

/** Other files (same subsystem) that contain the hunk's most distinctive identifiers. */
export function relocationCandidates(root: string, rel: string, h: ParsedHunk): string[] {
  const words = new Map<string, number>();
  for (const l of h.lines) for (const m of l.text.matchAll(/[A-Za-z_]\w{7,}/g)) words.set(m[0], (words.get(m[0]) ?? 0) + 1);
  const toks = [...words.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, 4);
  if (toks.length === 0) return [];
  const need = Math.min(2, toks.length);
  const d = dirname(rel);
  const tiers = [d === "." ? [] : [d], searchRoots(root, rel).filter((x) => x !== "include" && x !== d)];
  for (const dirs of tiers) {
    const count = new Map<string, number>();
    for (const t of toks) for (const f of grepFiles(root, ["-F", "-w", t], dirs)) count.set(f, (count.get(f) ?? 0) + 1);
    const found = [...count.entries()]
      .filter(([f, c]) => c >= need && f !== rel)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 6)
      .map(([f]) => f);
    if (found.length) return found;
  }
  return [];
}

export function readTreeLines(root: string, rel: string): string[] | null {
  const abs = resolveInTree(root, rel);
  if (abs === null) return null;
  return readFileSync(join(abs), "utf8").split("\n");
}
