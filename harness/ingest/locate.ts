// Locating one hunk in one file: forward (old side matches) or reverse (new side matches),
// with offset and fuzz like patch(1), and — for hunks whose text was damaged — rebuilding
// the exact hunk from the file's real bytes: whitespace-insensitive alignment, the header's
// counts as the budget for lines the text lost (blank and brace-only lines), every way of
// placing those lines enumerated, and ambiguity refused instead of guessed.
import { wsKey } from "./diff.ts";
import { reindent } from "./indent.ts";
import { placeLost, type Certainty } from "./lost.ts";
import type { LineKind, ObservedLine, ParsedHunk } from "./types.ts";

export interface FileText {
  lines: string[];
  /** content ends with a newline */
  eol: boolean;
}

export function splitFile(content: string): FileText {
  if (content === "") return { lines: [], eol: true };
  const lines = content.split("\n");
  const eol = lines[lines.length - 1] === "";
  if (eol) lines.pop();
  return { lines, eol };
}

export function joinFile(f: FileText): string {
  if (f.lines.length === 0) return "";
  return f.lines.join("\n") + (f.eol ? "\n" : "");
}

export type Provenance = "tree" | "patch" | "inferred";

export interface FullLine {
  kind: LineKind;
  text: string;
  /** tree: bytes taken from the file; patch: bytes as given by an exact diff; inferred: rebuilt whitespace */
  prov: Provenance;
  /** a line the input lost, restored from the file */
  restored?: boolean;
  /** a context line ignored by fuzz (not checked against the file) */
  fuzzed?: boolean;
  /** a line of the side not in the tree that the text lost, put back by rule (lost.ts) */
  invented?: boolean;
}

export interface Placement {
  dir: "forward" | "reverse";
  fuzz: number;
  /** 0-based index of the first file line replaced */
  at: number;
  /** number of file lines replaced */
  len: number;
  /** what replaces them (forward: new side; reverse: old side), fuzz-ignored context excluded */
  replacement: string[];
  /** the whole hunk as rebuilt */
  lines: FullLine[];
  /** 1-based line where the hunk's side starts in the file, minus the header's */
  offset: number;
  /** 1-based line in the file where the matched side starts */
  line: number;
  restored: number;
  inferred: number;
  /** header lines the text lost that could not be placed (inside fuzz-ignored context) */
  unaccounted: number;
  /** compared ignoring whitespace (the hunk's own whitespace disagreed with the file) */
  loose: boolean;
  /** lines of the side not in the tree that the text lost, put back by rule, and how sure */
  lost?: { count: number; certainty: Certainty; what: string };
}

export type LocateResult =
  | { kind: "found"; placement: Placement; others: string[] }
  | { kind: "ambiguous"; reason: string }
  | { kind: "none"; notes: string[] };

const MISSABLE = /^[\s{}();,]*$/;

/** Places (by distance from the header's line) at which lost lines of the side not in the tree are tried. */
const LOST_SHELLS = 3;

interface Obs {
  kind: LineKind; // after direction swap: "del" = consumed non-ctx, "add" = free
  key: string;
  altKey?: string;
  text: string;
  noEol?: boolean;
}

type Ev = { t: "obs"; i: number; as: LineKind; f?: number } | { t: "skip"; f: number };

interface Cand {
  p: number;
  lead: number;
  trail: number;
  len: number;
  fuzz: number;
  lines: FullLine[];
  restored: number;
  unaccounted: number;
  /** side lines lost at the edges of a fuzzy match (context, not placed) */
  edgeLost: number;
  effect: string;
  /** lines of the side not in the tree put back by rule */
  lost?: { count: number; certainty: Certainty; what: string };
  /** that many lines of the side not in the tree are still to be put back (resolveLost) */
  pending?: number;
}

/** Put back the lost lines of a pending candidate; null (with the reason) when they cannot be placed. */
function resolveLost(c: Cand, wsKeyOf: (s: string) => string): { cand: Cand | null; reason?: string } {
  if (!c.pending) return { cand: c };
  const placed = placeLost(c.lines, c.pending, (text) => ({ kind: "add", text, prov: "inferred", invented: true }));
  if (placed.kind !== "placed") return { cand: null, reason: `at line ${c.p + 1}: ${c.pending} line(s) of the other side are missing from the text: ${placed.reason}` };
  const lines = placed.lines;
  const effect = c.p + "|" + lines.map((l) => (l.kind === "ctx" ? " " : l.kind === "add" ? "+" : "-") + (l.prov === "tree" ? l.text : "~" + wsKeyOf(l.text))).join("\n");
  return { cand: { ...c, lines, effect, pending: undefined, unaccounted: Math.max(0, c.unaccounted - c.pending), lost: { count: c.pending, certainty: placed.certainty, what: placed.what } } };
}

export interface LocateOpts {
  /** 0-based line hint (from the header plus the offset of previous hunks) */
  hint: number;
  maxFuzz?: number;
  /** compare ignoring all whitespace */
  loose: boolean;
  /** put back lines lost from the side not in the tree by rule (lost.ts); default on */
  inventLost?: boolean;
}

function swap(k: LineKind): LineKind {
  return k === "add" ? "del" : k === "del" ? "add" : "ctx";
}

/**
 * Find all candidates for one direction. `obs` are the hunk lines with kinds already swapped
 * for the reverse direction so that "del" always means: consumed from the file, not context.
 */
function candidates(obs: Obs[], F: string[], Fkeys: string[], sideCount: number, otherCount: number, fuzz: number, allowMissing: boolean, hint: number, inventLost: boolean): { cands: Cand[]; incomplete: string[]; incompleteAt: number[] } {
  const cands: Cand[] = [];
  const incomplete: string[] = [];
  const incompleteAt: number[] = [];
  const isCtx = (o: Obs) => o.kind === "ctx";
  let leadCtx = 0;
  while (leadCtx < obs.length && isCtx(obs[leadCtx]!)) leadCtx++;
  let trailCtx = 0;
  while (trailCtx < obs.length && isCtx(obs[obs.length - 1 - trailCtx]!)) trailCtx++;
  const combos: [number, number][] = [];
  if (fuzz === 0) combos.push([0, 0]);
  else
    for (let l = 0; l <= fuzz; l++)
      for (let t = 0; t <= fuzz; t++) if (Math.max(l, t) === fuzz && l <= leadCtx && t <= trailCtx && l + t < obs.length) combos.push([l, t]);
  const observedSide = obs.filter((o) => o.kind !== "add").length;
  const budget = allowMissing ? Math.max(0, sideCount - observedSide) : 0;
  const CAP = 400;
  for (const [lead, trail] of combos) {
    const core = obs.slice(lead, obs.length - trail);
    const fixed = fuzz === 0 ? sideCount : null;
    const coreSide = core.filter((o) => o.kind !== "add").length;
    const maxLen = fixed ?? coreSide + budget;
    // keys that can be the first line consumed from the file
    const firstKeys = new Set<string>();
    for (const o of core) {
      if (o.kind !== "add") {
        firstKeys.add(o.key);
        if (o.altKey !== undefined) firstKeys.add(o.altKey);
        break;
      }
      if (o.altKey !== undefined) firstKeys.add(o.altKey);
    }
    const onlyFree = core.every((o) => o.kind === "add" && o.altKey === undefined);
    for (let p = 0; p <= F.length; p++) {
      if (fixed !== null && p + fixed > F.length) break;
      // quick reject: the first consumed line must match after at most `budget` missable lines
      if (!onlyFree && fixed !== 0) {
        let ok = false;
        const maxSkip = fixed !== null ? budget : 0;
        for (let j = 0; j <= maxSkip && p + j < F.length; j++) {
          if (firstKeys.has(Fkeys[p + j]!)) {
            ok = true;
            break;
          }
          if (!MISSABLE.test(F[p + j]!)) break;
        }
        if (!ok) continue;
      }
      const sols: Ev[][] = [];
      let steps = 0;
      const rec = (i: number, j: number, skips: number, ev: Ev[]) => {
        if (sols.length >= CAP || ++steps > 20000) return;
        if (i === core.length) {
          if (fixed === null) {
            if (j > 0 || core.length === 0) sols.push(ev);
            return;
          }
          const rem = fixed - j;
          if (rem === 0) sols.push(ev);
          else if (skips + rem <= budget) {
            for (let k = j; k < fixed; k++) if (!MISSABLE.test(F[p + k]!)) return;
            const tail: Ev[] = [];
            for (let k = j; k < fixed; k++) tail.push({ t: "skip", f: p + k });
            sols.push([...ev, ...tail]);
          }
          return;
        }
        const o = core[i]!;
        if (o.kind === "add") rec(i + 1, j, skips, [...ev, { t: "obs", i: i + lead, as: "add" }]);
        if (j < maxLen && p + j < F.length) {
          const fk = Fkeys[p + j]!;
          if (o.kind !== "add" && fk === o.key) rec(i + 1, j + 1, skips, [...ev, { t: "obs", i: i + lead, as: o.kind, f: p + j }]);
          if (o.altKey !== undefined && fk === o.altKey && !(o.kind === "ctx")) rec(i + 1, j + 1, skips, [...ev, { t: "obs", i: i + lead, as: "ctx", f: p + j }]);
          const edgeOk = fixed !== null || ev.some((e) => e.t === "obs" && e.f !== undefined);
          if (skips < budget && edgeOk && MISSABLE.test(F[p + j]!)) rec(i, j + 1, skips + 1, [...ev, { t: "skip", f: p + j }]);
        }
      };
      rec(0, 0, 0, []);
      for (const ev of sols) {
        // class of skipped lines: context first (it explains both sides), the rest consumed-non-context
        const skipsIdx = ev.map((e, k) => (e.t === "skip" ? k : -1)).filter((k) => k >= 0);
        const s = skipsIdx.length;
        let ctxSeen = 0;
        let freeSeen = 0;
        for (const e of ev) if (e.t === "obs") e.as === "ctx" ? ctxSeen++ : e.as === "add" ? freeSeen++ : 0;
        ctxSeen += lead + trail;
        const sideSeen = ev.filter((e) => e.t === "obs" && e.f !== undefined).length + lead + trail; // consumed + trimmed context
        const needOther = otherCount - ctxSeen - freeSeen; // other-side lines still unexplained
        // lines of the side lost inside fuzz-ignored context: they are context, so they explain the other side too
        const lostInTrim = fuzz === 0 ? 0 : sideCount - sideSeen - s;
        // at most one lost line may hide next to the fuzz-ignored context (more is a guess)
        if (lostInTrim < 0 || lostInTrim > Math.min(1, lead + trail)) continue;
        const sCtx = needOther - lostInTrim;
        if (sCtx < 0) continue;
        const build = (delSet: Set<number>): { lines: FullLine[]; len: number } => {
          const lines: FullLine[] = [];
          for (let k = 0; k < lead; k++) lines.push({ kind: "ctx", text: obs[k]!.text, prov: "inferred", fuzzed: true });
          let len = 0;
          ev.forEach((e, k) => {
            if (e.t === "skip") {
              lines.push({ kind: delSet.has(k) ? "del" : "ctx", text: F[e.f]!, prov: "tree", restored: true });
              len++;
            } else if (e.f !== undefined) {
              lines.push({ kind: e.as, text: F[e.f]!, prov: "tree" });
              len++;
            } else lines.push({ kind: e.as, text: obs[e.i]!.text, prov: "inferred" });
          });
          for (let k = obs.length - trail; k < obs.length; k++) lines.push({ kind: "ctx", text: obs[k]!.text, prov: "inferred", fuzzed: true });
          return { lines, len };
        };
        const push = (lines: FullLine[], len: number, lost?: Cand["lost"], pending?: number) => {
          const sideSeen = lines.filter((l) => l.kind !== "add").length;
          const unaccounted = Math.max(0, sideCount - sideSeen) + Math.max(0, otherCount - lines.filter((l) => l.kind !== "del").length);
          const effect = p + "|" + lines.map((l) => (l.kind === "ctx" ? " " : l.kind === "add" ? "+" : "-") + (l.prov === "tree" ? l.text : "~" + wsKey(l.text))).join("\n");
          cands.push({ p, lead, trail, len, fuzz, lines, restored: s, unaccounted, edgeLost: lostInTrim, effect, lost, pending });
        };
        if (sCtx > s) {
          // lines of the side not in the tree were lost too: put back by rule once this place
          // is chosen (resolveLost), if it has an anchor (a line that is not blank or a brace)
          const { lines, len } = build(new Set());
          // (only in an exact match: context ignored by fuzz leaves the counts unverified)
          if (inventLost && fuzz === 0 && lines.some((l) => l.prov === "tree" && !MISSABLE.test(l.text))) push(lines, len, undefined, sCtx - s);
          continue;
        }
        const sDel = s - sCtx;
        // every choice of which skipped lines are not context
        const choose = (n: number, k: number): number[][] => {
          if (k === 0) return [[]];
          if (n < k) return [];
          const out: number[][] = [];
          for (const rest of choose(n - 1, k - 1)) out.push([...rest, n - 1]);
          out.push(...choose(n - 1, k));
          return out;
        };
        const choices = choose(s, sDel);
        if (choices.length > 20) {
          incomplete.push(`at line ${p + 1}: ${s} restored lines could be context or changed in ${choices.length} ways`);
          continue;
        }
        for (const ch of choices) {
          const { lines, len } = build(new Set(ch.map((c) => skipsIdx[c]!)));
          push(lines, len);
        }
      }
    }
  }
  void hint;
  return { cands, incomplete, incompleteAt };
}

/** The removed and added lines are the same, in the same order, but for whitespace (and blank or brace lines): a re-indentation. */
function whitespaceOnly(h: ParsedHunk): boolean {
  const keys = (k: LineKind) => h.lines.filter((l) => l.kind === k).map((l) => wsKey(l.text)).filter((x) => !MISSABLE.test(x)).join("\n");
  const del = keys("del");
  return del !== "" && del === keys("add");
}

/** Runs of consecutive changed lines (diff writes as few as it can). */
export function changeRuns(lines: { kind: LineKind }[]): number {
  let runs = 0;
  for (let k = 0; k < lines.length; k++) if (lines[k]!.kind !== "ctx" && (k === 0 || lines[k - 1]!.kind === "ctx")) runs++;
  return runs;
}

/** diff -u shape: leading and trailing context of `u` lines unless the hunk touches the file's start or end. */
function shapeOk(c: Cand, fileLen: number, u: number): boolean {
  let lead = 0;
  while (lead < c.lines.length && c.lines[lead]!.kind === "ctx") lead++;
  let trail = 0;
  while (trail < c.lines.length && c.lines[c.lines.length - 1 - trail]!.kind === "ctx") trail++;
  const atStart = c.p - c.lead === 0;
  const atEnd = c.p + c.len >= fileLen;
  if (c.edgeLost > 0) return lead <= u && trail <= u && u - lead + (u - trail) === c.edgeLost;
  return (lead === u || (atStart && lead < u)) && (trail === u || (atEnd && trail < u));
}

/**
 * A restored context line could also have been a changed line whose partner on the other side
 * was lost too: the header's counts cannot tell. Only the diff -u shape can: the first and last
 * U lines of a hunk are context. A restored context line elsewhere is a guess: refused.
 */
function restoredDoubt(c: Cand, fileLen: number, u: number): string | null {
  let lead = 0;
  while (lead < c.lines.length && c.lines[lead]!.kind === "ctx") lead++;
  let trail = 0;
  while (trail < c.lines.length && c.lines[c.lines.length - 1 - trail]!.kind === "ctx") trail++;
  const atStart = c.p - c.lead === 0;
  const atEnd = c.p + c.len >= fileLen;
  for (let k = 0; k < c.lines.length; k++) {
    const l = c.lines[k]!;
    if (!l.restored || l.kind !== "ctx") continue;
    const inLead = k < lead;
    const inTrail = k >= c.lines.length - trail;
    if ((!inLead && !inTrail) || (inLead && atStart) || (inTrail && atEnd))
      return `the lost line ${JSON.stringify(l.text)} (file line ${c.p + 1 + c.lines.slice(0, k).filter((x) => x.kind !== "add" && !x.fuzzed).length}) could be context, or a changed line whose partner was lost too; the header's counts allow both — refusing to guess`;
  }
  if (!shapeOk(c, fileLen, u)) return `restoring the lost lines gives ${lead} leading and ${trail} trailing context lines, not the ${u} diff -u writes — the lost lines cannot be placed with confidence`;
  return null;
}

function toObs(h: ParsedHunk, reverse: boolean, loose: boolean): Obs[] {
  const key = loose || h.mangled ? wsKey : (s: string) => s;
  return h.lines.map((l: ObservedLine) => ({
    kind: reverse ? swap(l.kind) : l.kind,
    key: key(l.text),
    altKey: l.altCtx !== undefined ? key(l.altCtx) : undefined,
    text: l.text,
    noEol: l.noEol,
  }));
}

/**
 * Locate a hunk in a file. Tries forward and reverse at fuzz 0, then 1, then 2 (like patch's
 * default); damaged hunks are matched ignoring whitespace and rebuilt from the file.
 */
export function locateHunk(h: ParsedHunk, file: FileText, opts: LocateOpts & { context?: number }): LocateResult {
  const F = file.lines;
  const maxFuzz = opts.maxFuzz ?? 2;
  const loose = opts.loose || h.mangled;
  const Fkeys = loose ? F.map(wsKey) : F;
  const notes: string[] = [];
  let nearestIncomplete: { d: number; line: number; dir: string } | undefined;
  const u = opts.context ?? 3;
  if (h.mangled && h.lines.every((l) => l.kind === "ctx") && (h.oldCount !== h.lines.length || h.newCount !== h.lines.length))
    return { kind: "ambiguous", reason: "every changed line of this hunk was lost from the text (only context survived): nothing to rebuild it from" };
  if (h.mangled && whitespaceOnly(h))
    return { kind: "ambiguous", reason: "the hunk's changed lines differ only in whitespace (a re-indentation), which the text lost: forward and reverse cannot be told apart" };
  const tryLevel = (fuzz: number): LocateResult | null => {
    let found: (LocateResult & { kind: "found" }) | null = null;
    for (const dir of ["forward", "reverse"] as const) {
      const reverse = dir === "reverse";
      const obs = toObs(h, reverse, loose);
      const sideCount = reverse ? h.newCount : h.oldCount;
      const otherCount = reverse ? h.oldCount : h.newCount;
      const hint = reverse ? Math.max(0, h.newStart - 1) + (opts.hint - Math.max(0, h.oldStart - 1)) : opts.hint;
      if (sideCount === 0) {
        // pure insertion (or new file): nothing to anchor on; trust the header
        if (fuzz > 0) continue;
        if (reverse) continue;
        const at = Math.min(h.oldStart === 0 ? 0 : h.oldStart, F.length);
        const lines: FullLine[] = h.lines.map((l) => ({ kind: l.kind, text: l.text, prov: h.mangled ? "inferred" : "patch" }));
        if (h.mangled) reindent(lines);
        return {
          kind: "found",
          placement: { dir, fuzz: 0, at, len: 0, replacement: lines.map((l) => l.text), lines, offset: 0, line: at + 1, restored: 0, inferred: h.mangled ? lines.length : 0, unaccounted: 0, loose },
          others: [],
        };
      }
      const all = candidates(obs, F, Fkeys, sideCount, otherCount, fuzz, h.mangled, hint, opts.inventLost ?? true);
      notes.push(...all.incomplete.map((s) => `${dir}: ${s}`));
      for (const q of all.incompleteAt) {
        const d = Math.abs(q - hint);
        if (!nearestIncomplete || d < nearestIncomplete.d) nearestIncomplete = { d, line: q + 1, dir };
      }
      // a fuzzy match must still verify at least half of the side's observed lines
      const sideObserved = obs.filter((o) => o.kind !== "add").length;
      let cands = fuzz === 0 ? all.cands : all.cands.filter((c) => c.lines.filter((l) => l.prov === "tree" && !l.restored && l.text.trim() !== "").length >= Math.max(1, Math.ceil(sideObserved / 2)));
      // nearest to the hint first; lost lines of the side not in the tree are put back there
      const dist = (c: Cand) => Math.abs(c.p - c.lead - hint);
      let near: Cand[] = [];
      for (let shell = 0; cands.length; shell++) {
        const best = Math.min(...cands.map(dist));
        near = [];
        for (const c of cands.filter((x) => dist(x) === best)) {
          const r = resolveLost(c, wsKey);
          if (r.cand) near.push(r.cand);
          else {
            notes.push(`${dir}: ${r.reason}`);
            const d = Math.abs(c.p - c.lead - hint);
            if (!nearestIncomplete || d < nearestIncomplete.d) nearestIncomplete = { d, line: c.p + 1, dir };
          }
        }
        if (near.length) break;
        cands = cands.filter((x) => dist(x) !== best);
        // past the nearest places, only candidates with nothing left to invent
        if (shell >= LOST_SHELLS - 1) cands = cands.filter((x) => !x.pending);
      }
      if (near.length === 0) continue;
      const minTrim = Math.min(...near.map((c) => c.lead + c.trail));
      near = near.filter((c) => c.lead + c.trail === minTrim);
      const uniq = new Map<string, Cand>();
      for (const c of near) if (!uniq.has(c.effect)) uniq.set(c.effect, c);
      near = [...uniq.values()];
      if (near.length > 1) {
        const shaped = near.filter((c) => shapeOk(c, F.length, u));
        if (shaped.length === 1) near = shaped;
      }
      if (near.length > 1 && new Set(near.map((c) => c.p)).size === 1) {
        // the same place, the lost lines classed differently: diff keeps changed lines together,
        // so the reading with the fewest runs of changed lines is the one diff would have written
        const fewest = Math.min(...near.map((c) => changeRuns(c.lines)));
        near = near.filter((c) => changeRuns(c.lines) === fewest);
      }
      if (near.length > 1) {
        const where = [...new Set(near.map((c) => c.p + 1))];
        const reason =
          where.length > 1
            ? `${dir}: matches equally well at lines ${where.join(" and ")} (same distance from the header's line ${hint + 1}); refusing to guess`
            : `${dir}: at line ${where[0]} the ${near[0]!.restored} line(s) the text lost can be put back in ${near.length} different ways, e.g.\n` +
              near
                .slice(0, 2)
                .map((c) => c.lines.map((l) => "      " + (l.kind === "ctx" ? " " : l.kind === "add" ? "+" : "-") + l.text + (l.restored ? "   <- restored" : "")).join("\n"))
                .join("\n      ----\n");
        return { kind: "ambiguous", reason };
      }
      const c = near[0]!;
      if (c.restored > 0) {
        const why = restoredDoubt(c, F.length, u);
        if (why) return { kind: "ambiguous", reason: `${dir} at line ${c.p + 1}: ${why}` };
      }
      const lines = c.lines.map((l) => ({ ...l, kind: reverse ? swap(l.kind) : l.kind }));
      if (!h.mangled && !loose) for (const l of lines) if (l.prov === "inferred") l.prov = "patch";
      if (h.mangled || loose) reindent(lines);
      if (!h.mangled && loose) for (const l of lines) if (l.prov === "inferred") l.prov = "patch";
      // the replacement excludes fuzz-ignored context
      const core = lines.filter((l) => !l.fuzzed);
      const replacement = core.filter((l) => (reverse ? l.kind !== "add" : l.kind !== "del")).map((l) => l.text);
      const others = [...new Set(cands.filter((x) => x.effect !== c.effect).map((x) => x.p + 1))].slice(0, 5).map((n) => `also matches at line ${n}`);
      const res: LocateResult & { kind: "found" } = {
        kind: "found",
        placement: {
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
        },
        others,
      };
      const score = (x: LocateResult & { kind: "found" }) => x.placement.lines.filter((l) => l.prov === "tree").length;
      // both directions match: the one nearer the header's line wins, then the fuller match
      if (!found) found = res;
      else {
        const da = Math.abs(res.placement.offset);
        const db = Math.abs(found.placement.offset);
        if (da < db || (da === db && score(res) > score(found))) found = res;
      }
    }
    return found;
  };
  const guard = (r: LocateResult): LocateResult => {
    // a damaged hunk found far away, while near the header's line it matches except for lines
    // the text lost: two explanations, and the nearer one cannot be checked — refuse
    if (r.kind === "found" && h.mangled && nearestIncomplete && nearestIncomplete.d < Math.abs(r.placement.offset))
      return {
        kind: "ambiguous",
        reason: `${r.placement.dir} it matches at line ${r.placement.line} (offset ${r.placement.offset}), but nearer the header, at line ${nearestIncomplete.line}, it matches ${nearestIncomplete.dir === "forward" ? "forward" : "in reverse"} except for lines the text lost that the tree cannot supply; refusing to choose`,
      };
    return r;
  };
  let fuzzyBest: LocateResult | null = null;
  let fuzzyScore = -1;
  for (let fuzz = 0; fuzz <= maxFuzz; fuzz++) {
    const r = tryLevel(fuzz);
    if (r === null) continue;
    if (fuzz === 0 || r.kind === "ambiguous") return guard(r);
    if (r.kind !== "found") continue;
    const score = r.placement.lines.filter((l) => l.prov === "tree").length;
    if (score > fuzzyScore) {
      fuzzyBest = r;
      fuzzyScore = score;
    }
  }
  if (fuzzyBest) return guard(fuzzyBest);
  return { kind: "none", notes: [...new Set(notes)].slice(0, 6) };
}
