// Aligning a hunk's observed lines with a file: every place where one side of the hunk matches
// (exactly, or ignoring whitespace for damaged text), with the lines the text lost restored
// from the file within the header's budget, and how each restored line can be classed; then
// the checks that choose between the readings (diff -u shape, fewest change runs).
import { wsKey } from "./diff.ts";
import type { FullLine } from "./filetext.ts";
import { braceBalance, minimalRuns, orderedRuns, placeLost, type Certainty } from "./lost.ts";
import type { LineKind, ObservedLine, ParsedHunk } from "./types.ts";

export const MISSABLE = /^[\s{}();,]*$/;

export interface Obs {
  kind: LineKind; // after direction swap: "del" = consumed non-ctx, "add" = free
  key: string;
  altKey?: string;
  text: string;
  noEol?: boolean;
}

export type Ev = { t: "obs"; i: number; as: LineKind; f?: number } | { t: "skip"; f: number };

export interface Cand {
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
export function resolveLost(c: Cand, reverse: boolean, wsKeyOf: (s: string) => string): { cand: Cand | null; reason?: string } {
  if (!c.pending) return { cand: c };
  const placed = placeLost(c.lines, c.pending, removedKind(reverse), (text) => ({ kind: "add", text, prov: "inferred", invented: true }));
  if (placed.kind !== "placed") return { cand: null, reason: `at line ${c.p + 1}: ${c.pending} line(s) of the other side are missing from the text: ${placed.reason}` };
  const lines = placed.lines;
  const effect = c.p + "|" + lines.map((l) => (l.kind === "ctx" ? " " : l.kind === "add" ? "+" : "-") + (l.prov === "tree" ? l.text : "~" + wsKeyOf(l.text))).join("\n");
  return { cand: { ...c, lines, effect, pending: undefined, unaccounted: Math.max(0, c.unaccounted - c.pending), lost: { count: c.pending, certainty: placed.certainty, what: placed.what } } };
}


/** The kind that stands for the patch's removed lines in a candidate (kinds are swapped for the reverse direction). */
export function removedKind(reverse: boolean): LineKind {
  return reverse ? "add" : "del";
}

export function swap(k: LineKind): LineKind {
  return k === "add" ? "del" : k === "del" ? "add" : "ctx";
}

/**
 * Find all candidates for one direction. `obs` are the hunk lines with kinds already swapped
 * for the reverse direction so that "del" always means: consumed from the file, not context.
 */
export function candidates(obs: Obs[], F: string[], Fkeys: string[], sideCount: number, otherCount: number, fuzz: number, allowMissing: boolean, hint: number, inventLost: boolean): { cands: Cand[]; incomplete: string[]; incompleteAt: number[] } {
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
        // at most one lost line may hide next to each end's fuzz-ignored context (more is a guess)
        if (lostInTrim < 0 || lostInTrim > (lead > 0 ? 1 : 0) + (trail > 0 ? 1 : 0)) continue;
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
          // (at most one line of the side in the tree may hide beside context ignored by fuzz, taken
          // for context: more leaves the counts unverified)
          if (inventLost && lostInTrim <= 1 && lines.some((l) => l.prov === "tree" && !MISSABLE.test(l.text))) push(lines, len, undefined, sCtx - s);
          // without the rule that puts them back, this place matches but for lines that cannot be
          // put back: a weaker match elsewhere must not win by default (the locator refuses)
          else if (!inventLost) incompleteAt.push(p - lead);
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
export function whitespaceOnly(h: ParsedHunk): boolean {
  const keys = (k: LineKind) => h.lines.filter((l) => l.kind === k).map((l) => wsKey(l.text)).filter((x) => !MISSABLE.test(x)).join("\n");
  const del = keys("del");
  return del !== "" && del === keys("add");
}

/** The two sides of the hunk as observed are the same lines but for whitespace (blank and brace lines included). */
export function sidesAlike(h: ParsedHunk): boolean {
  const side = (k: LineKind) => h.lines.filter((l) => l.kind !== k).map((l) => wsKey(l.text)).join("\n");
  return side("add") === side("del");
}

/** Runs of consecutive changed lines (diff writes as few as it can). */
export function changeRuns(lines: { kind: LineKind }[]): number {
  let runs = 0;
  for (let k = 0; k < lines.length; k++) if (lines[k]!.kind !== "ctx" && (k === 0 || lines[k - 1]!.kind === "ctx")) runs++;
  return runs;
}

/** diff -u shape: leading and trailing context of `u` lines unless the hunk touches the file's start or end. */
/** A candidate's leading and trailing context lines, and whether it touches the file's start or end. */
function edges(c: Cand, fileLen: number): { lead: number; trail: number; atStart: boolean; atEnd: boolean } {
  let lead = 0;
  while (lead < c.lines.length && c.lines[lead]!.kind === "ctx") lead++;
  let trail = 0;
  while (trail < c.lines.length && c.lines[c.lines.length - 1 - trail]!.kind === "ctx") trail++;
  return { lead, trail, atStart: c.p - c.lead === 0, atEnd: c.p + c.len >= fileLen };
}

export function shapeOk(c: Cand, fileLen: number, u: number): boolean {
  const { lead, trail, atStart, atEnd } = edges(c, fileLen);
  if (c.edgeLost > 0) return lead <= u && trail <= u && u - lead + (u - trail) === c.edgeLost;
  return (lead === u || (atStart && lead < u)) && (trail === u || (atEnd && trail < u));
}

/**
 * Readings of one hunk at one place that differ in how lost lines are classed: diff writes
 * minimal hunks, and (when the change is taken to keep the code's structure) the changed lines
 * of both sides open and close as many braces. Keeps the readings that pass, when any do.
 */
export function preferReadings(near: Cand[], reverse: boolean, structure: boolean): Cand[] {
  if (near.length < 2) return near;
  const keep = (f: (c: Cand) => boolean) => {
    const ok = near.filter(f);
    if (ok.length > 0) near = ok;
  };
  keep((c) => orderedRuns(c.lines.filter((l) => !l.fuzzed), removedKind(reverse)));
  keep((c) => minimalRuns(c.lines.filter((l) => !l.fuzzed)));
  if (structure) {
    // the fewest lines lost: as many of the restored lines as can be are context
    const ctx = (c: Cand) => c.lines.filter((l) => l.kind === "ctx").length;
    const most = Math.max(...near.map(ctx));
    keep((c) => ctx(c) === most);
    const bal = (c: Cand, k: LineKind) => c.lines.filter((l) => !l.fuzzed && l.kind === k).reduce((a, l) => a + braceBalance(l.text), 0);
    keep((c) => bal(c, "del") === bal(c, "add"));
  }
  return near;
}

/** diff -u's shape of a hunk's lines: u lines of context at each end (fewer at the file's edges), at most 2u inside. */
function shapeFits(lines: { kind: LineKind }[], atStart: boolean, atEnd: boolean, u: number): boolean {
  const runs: number[] = [];
  let n = 0;
  for (const l of lines) {
    if (l.kind === "ctx") n++;
    else {
      runs.push(n);
      n = 0;
    }
  }
  if (runs.length === 0) return false;
  const lead = runs[0]!;
  return (lead === u || (atStart && lead < u)) && (n === u || (atEnd && n < u)) && runs.slice(1).every((r) => r <= 2 * u);
}

/** Restored context line k read instead as a changed line whose equal partner on the other side was lost: does any place for that partner give a hunk diff could have written? */
function changedReadingFits(c: Cand, k: number, atStart: boolean, atEnd: boolean, u: number, reverse: boolean): boolean {
  const base = c.lines.map((l, i) => ({ kind: i === k ? ("del" as LineKind) : l.kind, text: l.text }));
  for (let g = 0; g <= base.length; g++) {
    const alt = [...base.slice(0, g), { kind: "add" as LineKind, text: c.lines[k]!.text }, ...base.slice(g)];
    if (minimalRuns(alt, true) && orderedRuns(alt, removedKind(reverse)) && shapeFits(alt, atStart, atEnd, u)) return true;
  }
  return false;
}

/**
 * A restored context line could also have been a changed line whose partner on the other side
 * was lost too: the header's counts cannot tell. The diff -u shape can (the first and last U
 * lines of a hunk are context). Inside the hunk, when the change is taken to keep the code's
 * structure, the reading with the line as context is kept: it is the one with fewest lost
 * lines, and diff writes minimal hunks; the notes say where the other reading also fits.
 * Without that assumption a restored context line inside the hunk is a guess: refused.
 */
export function restoredDoubt(c: Cand, fileLen: number, u: number, structure: boolean, reverse: boolean): { refuse: string } | { notes: string[] } {
  const { lead, trail, atStart, atEnd } = edges(c, fileLen);
  const notes: string[] = [];
  for (let k = 0; k < c.lines.length; k++) {
    const l = c.lines[k]!;
    if (!l.restored || l.kind !== "ctx") continue;
    const inLead = k < lead;
    const inTrail = k >= c.lines.length - trail;
    if ((inLead && !atStart) || (inTrail && !atEnd)) continue;
    const fileLine = c.p + 1 + c.lines.slice(0, k).filter((x) => x.kind !== "add" && !x.fuzzed).length;
    if (!structure) return { refuse: `the lost line ${JSON.stringify(l.text)} (file line ${fileLine}) could be context, or a changed line whose partner was lost too; the header's counts allow both — refusing to guess` };
    // a blank line read either way gives the same code (a blank line elsewhere); a brace: its
    // partner would be the same brace, and no place for it may give a minimal hunk of diff's shape
    if (l.text.trim() !== "" && changedReadingFits(c, k, atStart, atEnd, u, reverse))
      notes.push(`the lost line ${JSON.stringify(l.text.trim())} (file line ${fileLine}) was restored as context; it could also be a changed line whose partner was lost (the reading with fewest lost lines is kept)`);
  }
  if (!shapeOk(c, fileLen, u)) return { refuse: `restoring the lost lines gives ${lead} leading and ${trail} trailing context lines, not the ${u} diff -u writes — the lost lines cannot be placed with confidence` };
  return { notes };
}

export function toObs(h: ParsedHunk, reverse: boolean, loose: boolean): Obs[] {
  const key = loose || h.mangled ? wsKey : (s: string) => s;
  return h.lines.map((l: ObservedLine) => ({
    kind: reverse ? swap(l.kind) : l.kind,
    key: key(l.text),
    altKey: l.altCtx !== undefined ? key(l.altCtx) : undefined,
    text: l.text,
    noEol: l.noEol,
  }));
}

