// Locating one hunk in one file: forward (old side matches) or reverse (new side matches),
// with offset and fuzz like patch(1), and — for hunks whose text was damaged — rebuilding
// the exact hunk from the file's real bytes: whitespace-insensitive alignment, the header's
// counts as the budget for lines the text lost (blank and brace-only lines), every way of
// placing those lines enumerated, and ambiguity refused instead of guessed.
import { candidates, changeRuns, preferReadings, resolveLost, restoredDoubt, shapeOk, sidesAlike, swap, toObs, whitespaceOnly, type Cand } from "./align.ts";
import { wsKey } from "./diff.ts";
import type { FileText, FullLine, LocateResult } from "./filetext.ts";
import { reindent } from "./indent.ts";
import type { ParsedHunk } from "./types.ts";

export { joinFile, splitFile, type FileText, type FullLine, type LocateResult, type Placement, type Provenance } from "./filetext.ts";

/** Places (by distance from the header's line) at which lost lines of the side not in the tree are tried. */
const LOST_SHELLS = 3;

/** Non-blank lines of the side in the tree a fuzzy match must verify (at most; fewer when the hunk has fewer). */
const FUZZ_VERIFIED = 2;

export interface LocateOpts {
  /** 0-based line hint (from the header plus the offset of previous hunks) */
  hint: number;
  maxFuzz?: number;
  /** compare ignoring all whitespace */
  loose: boolean;
  /** put back lines lost from the side not in the tree by rule (lost.ts); default on */
  inventLost?: boolean;
  /** the file is not the diff's own (a search for moved code): fuzzy matches must verify half the side */
  elsewhere?: boolean;
  /** 0-based first file line the hunk may change: where the file's previous hunk ended (hunks apply in order, like patch) */
  minAt?: number;
  /** the direction of the patch's other hunks: taken by a re-indentation hunk, whose text cannot tell */
  reindentDir?: "forward" | "reverse";
}

/**
 * Whether the text after a hunk's second @@ (diff -p: the last line before the hunk that starts
 * with a letter, "_" or "$") is that line for a hunk starting at file line `start`.
 */
export function sectionMatches(F: string[], start: number, section: string): boolean {
  const want = section.trim();
  if (want === "") return false;
  for (let k = start - 1; k >= 0; k--) {
    if (!/^[A-Za-z_$]/.test(F[k]!)) continue;
    const got = F[k]!.trim();
    return got.startsWith(want) || want.startsWith(got);
  }
  return false;
}

type Found = LocateResult & { kind: "found" };
type Dir = "forward" | "reverse";

/** What one locateHunk call knows and collects while it tries each fuzz level and direction. */
interface Search {
  h: ParsedHunk;
  F: string[];
  Fkeys: string[];
  loose: boolean;
  opts: LocateOpts;
  /** diff's context lines (diff -u's 3 unless told) */
  u: number;
  dirs: readonly Dir[];
  /** blank and brace lines moved (or a re-indentation): the lost lines decide the direction */
  moveOnly: boolean;
  notes: string[];
  /** the nearest place the hunk matches but for lines the text lost that the tree cannot supply */
  nearestIncomplete?: { d: number; line: number; dir: Dir };
}

/**
 * Locate a hunk in a file. Tries forward and reverse at fuzz 0, then 1, then 2 (like patch's
 * default); damaged hunks are matched ignoring whitespace and rebuilt from the file.
 */
export function locateHunk(h: ParsedHunk, file: FileText, opts: LocateOpts & { context?: number }): LocateResult {
  const loose = opts.loose || h.mangled;
  if (h.mangled && h.lines.every((l) => l.kind === "ctx") && (h.oldCount !== h.lines.length || h.newCount !== h.lines.length))
    return { kind: "ambiguous", reason: "every changed line of this hunk was lost from the text (only context survived): nothing to rebuild it from" };
  // code lines the same on both sides: a re-indentation (the text cannot tell which way) or
  // blank and brace lines moved (the match in the tree tells, if it needs fewer lost lines)
  const moveOnly = h.mangled && whitespaceOnly(h);
  // (with lines lost, the lost blank and brace lines could be what tells: it cannot be told)
  const textLost = h.lines.filter((l) => l.kind !== "add").length < h.oldCount || h.lines.filter((l) => l.kind !== "del").length < h.newCount;
  const reindentOnly = moveOnly && (sidesAlike(h) || textLost);
  if (reindentOnly && !opts.reindentDir)
    return { kind: "ambiguous", directionOnly: true, reason: "the hunk's changed lines differ only in whitespace (a re-indentation), which the text lost: forward and reverse cannot be told apart" };
  const F = file.lines;
  const S: Search = { h, F, Fkeys: loose ? F.map(wsKey) : F, loose, opts, u: opts.context ?? 3, dirs: reindentOnly ? [opts.reindentDir!] : ["forward", "reverse"], moveOnly, notes: [] };
  // like patch: the lowest fuzz at which the hunk matches decides
  for (let fuzz = 0; fuzz <= (opts.maxFuzz ?? 2); fuzz++) {
    const r = tryLevel(S, fuzz);
    if (r !== null) return guardFar(S, r);
  }
  return { kind: "none", notes: [...new Set(S.notes)].slice(0, 6) };
}

/** Both directions at one fuzz level: the better match, an ambiguity, or null. */
function tryLevel(S: Search, fuzz: number): LocateResult | null {
  let found: Found | null = null;
  for (const dir of S.dirs) {
    if ((dir === "reverse" ? S.h.newCount : S.h.oldCount) === 0) {
      if (fuzz === 0 && dir === "forward") return insertion(S.h, S.F, dir, S.loose);
      continue;
    }
    const res = locateDir(S, dir, fuzz);
    if (res === null) continue;
    if (res.kind !== "found") return res;
    if (!found) {
      found = res;
      continue;
    }
    const pick = betterOf(S, found, res);
    if (pick.kind !== "found") return pick;
    found = pick;
  }
  return found;
}

/** Two directions both match: the one nearer the header's line, then the fuller match; for moved lines, the one losing fewer lines. */
function betterOf(S: Search, found: Found, res: Found): LocateResult {
  if (S.moveOnly) {
    const lostOf = (x: Found) => x.placement.restored + (x.placement.lost?.count ?? 0);
    if (lostOf(res) === lostOf(found))
      return { kind: "ambiguous", directionOnly: true, reason: `the hunk moves only blank or brace lines, and with the lines the text lost it matches both ways at line ${found.placement.line}: forward and reverse cannot be told apart` };
    return lostOf(res) < lostOf(found) ? res : found;
  }
  const score = (x: Found) => x.placement.lines.filter((l) => l.prov === "tree").length;
  const da = Math.abs(res.placement.offset);
  const db = Math.abs(found.placement.offset);
  return da < db || (da === db && score(res) > score(found)) ? res : found;
}

/**
 * A damaged hunk found far away, while near the header's line it matches except for lines
 * the text lost: two explanations, and the nearer one cannot be checked — refuse.
 */
function guardFar(S: Search, r: LocateResult): LocateResult {
  const n = S.nearestIncomplete;
  if (r.kind !== "found" || !S.h.mangled || !n || n.d >= Math.abs(r.placement.offset)) return r;
  return {
    kind: "ambiguous",
    reason: `${r.placement.dir} it matches at line ${r.placement.line} (offset ${r.placement.offset}), but nearer the header, at line ${n.line}, it matches ${n.dir === "forward" ? "forward" : "in reverse"} except for lines the text lost that the tree cannot supply; refusing to choose`,
  };
}

/** Keeps the nearest (distance d from the hint) 1-based `line` where the hunk matched but for lines the tree cannot supply. */
function noteIncomplete(S: Search, d: number, line: number, dir: Dir): void {
  if (!S.nearestIncomplete || d < S.nearestIncomplete.d) S.nearestIncomplete = { d, line, dir };
}

/** A pure insertion (or new file): nothing to anchor on; the header is trusted. */
function insertion(h: ParsedHunk, F: string[], dir: Dir, loose: boolean): Found {
  const at = Math.min(h.oldStart === 0 ? 0 : h.oldStart, F.length);
  const lines: FullLine[] = h.lines.map((l) => ({ kind: l.kind, text: l.text, prov: h.mangled ? "inferred" : "patch" }));
  if (h.mangled) reindent(lines);
  return {
    kind: "found",
    placement: { dir, fuzz: 0, at, len: 0, replacement: lines.map((l) => l.text), lines, offset: 0, line: at + 1, restored: 0, inferred: h.mangled ? lines.length : 0, unaccounted: 0, loose },
    others: [],
  };
}

/** The hunk in one direction at one fuzz level: found, ambiguous, or null. */
function locateDir(S: Search, dir: Dir, fuzz: number): LocateResult | null {
  const { h, F, opts } = S;
  const reverse = dir === "reverse";
  const sideCount = reverse ? h.newCount : h.oldCount;
  const obs = toObs(h, reverse, S.loose);
  const hint = reverse ? Math.max(0, h.newStart - 1) + (opts.hint - Math.max(0, h.oldStart - 1)) : opts.hint;
  const all = candidates(obs, F, S.Fkeys, sideCount, reverse ? h.oldCount : h.newCount, fuzz, h.mangled, hint, opts.inventLost ?? true);
  S.notes.push(...all.incomplete.map((x) => `${dir}: ${x}`));
  for (const q of all.incompleteAt) noteIncomplete(S, Math.abs(q - hint), q + 1, dir);
  // a fuzzy match must still verify some of the side's observed lines: two that are not blank
  // (or half, when fewer) in the hunk's own file; in another file (moved code), half of them
  const half = Math.max(1, Math.ceil(obs.filter((o) => o.kind !== "add").length / 2));
  const minVerified = opts.elsewhere ? half : Math.min(FUZZ_VERIFIED, half);
  let cands = all.cands.filter((c) => c.p >= (opts.minAt ?? 0));
  if (fuzz > 0) cands = cands.filter((c) => c.lines.filter((l) => l.prov === "tree" && !l.restored && l.text.trim() !== "").length >= minVerified);
  const nearest = nearestReadings(S, cands, dir, hint);
  let near = nearest.near;
  if (near.length === 0) return null;
  near = narrowReadings(near, F, S.u, h.section, reverse, opts.inventLost ?? true);
  if (near.length > 1) return { kind: "ambiguous", reason: ambiguity(near, dir, hint) };
  const c = near[0]!;
  let assumed: string[] = [];
  if (c.restored > 0) {
    const why = restoredDoubt(c, F.length, S.u, opts.inventLost ?? true, reverse);
    if ("refuse" in why) return { kind: "ambiguous", reason: `${dir} at line ${c.p + 1}: ${why.refuse}` };
    assumed = why.notes;
  }
  const others = [...new Set(nearest.rest.filter((x) => x.effect !== c.effect).map((x) => x.p + 1))].slice(0, 5).map((n) => `also matches at line ${n}`);
  return { kind: "found", placement: placementOf(S, c, dir, fuzz, hint, assumed), others };
}

/**
 * The candidates nearest to the hint whose lost lines can be put back (lost lines of the side
 * not in the tree are put back there), widening by distance; past LOST_SHELLS distances only
 * candidates with nothing left to invent. `rest`: the candidates still in the search (for "also matches").
 */
function nearestReadings(S: Search, cands: Cand[], dir: Dir, hint: number): { near: Cand[]; rest: Cand[] } {
  const reverse = dir === "reverse";
  const dist = (c: Cand) => Math.abs(c.p - c.lead - hint);
  for (let shell = 0; cands.length; shell++) {
    const best = Math.min(...cands.map(dist));
    const near: Cand[] = [];
    for (const c of cands.filter((x) => dist(x) === best)) {
      const r = resolveLost(c, reverse, wsKey);
      // a reading whose restored lines break diff -u's shape is not one diff wrote
      if (r.cand && r.cand.restored > 0 && r.cand.fuzz === 0 && !shapeOk(r.cand, S.F.length, S.u)) continue;
      if (r.cand) near.push(r.cand);
      else {
        S.notes.push(`${dir}: ${r.reason}`);
        noteIncomplete(S, dist(c), c.p + 1, dir);
      }
    }
    if (near.length) return { near, rest: cands };
    cands = cands.filter((x) => dist(x) !== best);
    if (shell >= LOST_SHELLS - 1) cands = cands.filter((x) => !x.pending);
  }
  return { near: [], rest: cands };
}

/** The placement of the one reading left: its lines in the patch's direction, the replacement without fuzz-ignored context. */
function placementOf(S: Search, c: Cand, dir: Dir, fuzz: number, hint: number, assumed: string[]): Found["placement"] {
  const { h, loose } = S;
  const reverse = dir === "reverse";
  const lines = c.lines.map((l) => ({ ...l, kind: reverse ? swap(l.kind) : l.kind }));
  if (!h.mangled && !loose) for (const l of lines) if (l.prov === "inferred") l.prov = "patch";
  if (h.mangled || loose) reindent(lines);
  if (!h.mangled && loose) for (const l of lines) if (l.prov === "inferred") l.prov = "patch";
  const replacement = lines.filter((l) => !l.fuzzed && (reverse ? l.kind !== "add" : l.kind !== "del")).map((l) => l.text);
  return {
    dir,
    fuzz,
    at: c.p,
    len: c.len,
    replacement,
    lines,
    offset: c.p - c.lead - hint,
    line: c.p - c.lead + 1,
    restored: c.restored,
    inferred: lines.filter((l) => l.prov === "inferred").length,
    unaccounted: c.unaccounted,
    loose: loose && !h.mangled,
    lost: c.lost,
    assumed: assumed.length ? assumed : undefined,
  };
}

/** Readings equally near the header's line, narrowed the way diff writes hunks (see align.ts). */
function narrowReadings(near: Cand[], F: string[], u: number, section: string, reverse: boolean, structure: boolean): Cand[] {
  const minTrim = Math.min(...near.map((c) => c.lead + c.trail));
  near = near.filter((c) => c.lead + c.trail === minTrim);
  const uniq = new Map<string, Cand>();
  for (const c of near) if (!uniq.has(c.effect)) uniq.set(c.effect, c);
  near = [...uniq.values()];
  if (near.length > 1) {
    const shaped = near.filter((c) => shapeOk(c, F.length, u));
    if (shaped.length >= 1) near = shaped;
  }
  near = preferReadings(near, reverse, structure);
  if (near.length > 1 && new Set(near.map((c) => c.p)).size === 1) {
    // the same place, the lost lines classed differently: diff keeps changed lines together,
    // so the reading with the fewest runs of changed lines is the one diff would have written
    const fewest = Math.min(...near.map((c) => changeRuns(c.lines)));
    near = near.filter((c) => changeRuns(c.lines) === fewest);
  }
  if (near.length > 1 && new Set(near.map((c) => c.p)).size > 1) {
    // places equally near the header's line: the function the @@ line names settles it
    const inSection = near.filter((c) => sectionMatches(F, c.p - c.lead, section));
    if (inSection.length > 0) near = inSection;
  }
  return near;
}

/** Why several readings remain: different places, or one place with the lost lines classed differently. */
function ambiguity(near: Cand[], dir: string, hint: number): string {
  const where = [...new Set(near.map((c) => c.p + 1))];
  return where.length > 1
    ? `${dir}: matches equally well at lines ${where.join(" and ")} (same distance from the header's line ${hint + 1}); refusing to guess`
    : `${dir}: at line ${where[0]} the ${near[0]!.restored} line(s) the text lost can be put back in ${near.length} different ways, e.g.\n` +
        near
          .slice(0, 2)
          .map((c) => c.lines.map((l) => "      " + (l.kind === "ctx" ? " " : l.kind === "add" ? "+" : "-") + l.text + (l.restored ? "   <- restored" : "")).join("\n"))
          .join("\n      ----\n");
}
