// Lines lost from the side of a hunk that is not in the tree (the "+" lines of a patch not yet
// applied, the "-" lines of one already applied): the tree cannot give them back, but the
// header's counts say how many there are, and web archives only lose blank lines and lone
// braces. Which ones and where follows from the code: the braces the changed lines open and
// close must balance as they did on the other side, and kernel style puts a blank line after
// a declaration block or a closing brace, a closing brace at the end of the block its opener
// starts. Every placement is scored; the best is kept when it is the only one or clearly
// better, and the report says which and how sure.
import type { LineKind } from "./types.ts";

export interface LostLine {
  kind: LineKind;
  text: string;
  prov: "tree" | "patch" | "inferred";
  restored?: boolean;
  fuzzed?: boolean;
  /** a line of the side not in the tree that the text lost, put back by rule */
  invented?: boolean;
}

export type Certainty = "certain" | "likely";

export type Placed<L extends LostLine> =
  | { kind: "placed"; lines: L[]; certainty: Certainty; what: string }
  | { kind: "ambiguous"; reason: string }
  | { kind: "impossible"; reason: string };

/** Limits: lost lines put back per hunk, and placements tried. */
export const LOST_LIMITS = { maxLines: 4, maxPlacements: 3000 };

function balance(t: string, open: string, close: string): number {
  const code = t.replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, "").replace(/\/\*.*?\*\/|\/\/.*$/g, "");
  let b = 0;
  for (const ch of code) b += ch === open ? 1 : ch === close ? -1 : 0;
  return b;
}

export const braceBalance = (t: string) => balance(t, "{", "}");
const parenBalance = (t: string) => balance(t, "(", ")");

const DECL = /^(const\s+|static\s+|unsigned\s+|signed\s+|struct\s+\w+\s*\*?|union\s+\w+|enum\s+\w+|(u|s|__u|__le|__be)\d+|int|long|short|char|bool|size_t|ssize_t|loff_t|pgoff_t|sector_t|blk_status_t|gfp_t|void\s*\*|\w+_t\b)[\w\s*,\[\]()=&.>-]*;$/;

function isDecl(t: string): boolean {
  const s = t.trim();
  return DECL.test(s) && !/^(return|goto)\b/.test(s);
}

interface Slot {
  /** insert before lines[gap] */
  gap: number;
  text: string;
}

const indentCol = (t: string) => {
  let c = 0;
  for (const ch of /^[\t ]*/.exec(t)![0]) c = ch === "\t" ? (Math.floor(c / 8) + 1) * 8 : c + 1;
  return c;
};

/** A closing brace before lines that are still inside the block: so much worse that any other place wins clearly. */
const BLOCK_PENALTY = 20;
/** For each changed line of the same run a closing brace would leave after it. */
const INSIDE_PENALTY = 5;
/** For each context line a closing brace put after the change would take into the block. */
const AROUND_PENALTY = 2;
/** How much better the best place for a lost brace must score than the next (a brace changes the code). */
const BRACE_MARGIN = 5;

/** The tree's lines after a gap still belong to an inner block: the first is indented deeper than the next (a closing brace cannot go there). */
function stillInBlock(lines: LostLine[], gap: number, onSide: (l: LostLine) => boolean): boolean {
  const known = lines.slice(gap).filter((l) => onSide(l) && l.prov === "tree" && l.text.trim() !== "");
  const [n1, n2] = known;
  // (a closing brace, a label, a case or a preprocessor line after it says nothing)
  const free = (t: string) => /^(\}|#|case\b|default\b|\w+:$)/.test(t.trim());
  return n1 !== undefined && n2 !== undefined && !free(n1.text) && !free(n2.text) && indentCol(n1.text) > indentCol(n2.text);
}

/** Score of one lost line at one gap (lower is more like kernel code); Infinity: impossible there. */
function slotScore(lines: LostLine[], gap: number, text: string, onSide: (l: LostLine) => boolean): number {
  let prev: LostLine | undefined;
  for (let k = gap - 1; k >= 0; k--) if (onSide(lines[k]!)) { prev = lines[k]; break; }
  let next: LostLine | undefined;
  for (let k = gap; k < lines.length; k++) if (onSide(lines[k]!)) { next = lines[k]; break; }
  const pt = prev?.text.trim() ?? "";
  const nt = next?.text.trim() ?? "";
  const nearFree = (prev && prev.kind === "add") || (next && next.kind === "add");
  let s = nearFree ? 0 : 3;
  if (text === "") {
    if (prev === undefined || next === undefined) return Infinity;
    if (pt === "" || nt === "") return Infinity;
    if (/\{$/.test(pt) || /^\}/.test(nt)) s += 6;
    if (isDecl(pt) && !isDecl(nt)) s -= 3;
    if (/^\};?$/.test(pt) && !/^(else|\})/.test(nt)) s -= 2;
    if (/^(return\b|goto\b|\w+:$)/.test(nt)) s -= 1;
    if (/[,(&|+-]$/.test(pt)) s += 8;
    return s;
  }
  if (/^\}/.test(text)) {
    if (prev === undefined) return Infinity;
    if (stillInBlock(lines, gap, onSide)) s += BLOCK_PENALTY;
    // a block the change opens goes around the rest of the change: the changed lines after it are inside
    for (let k = gap; k < lines.length && lines[k]!.kind !== "ctx"; k++) if (lines[k]!.kind === "add" && lines[k]!.text.trim() !== "") s += INSIDE_PENALTY;
    // and around as few context lines as it can
    for (let k = gap - 1; k >= 0 && lines[k]!.kind === "ctx"; k--) if (lines[k]!.text.trim() !== "") s += AROUND_PENALTY;
    if (/[,(&|+-]$/.test(pt) || pt === "") s += 4;
    if (next === undefined || next.kind !== "add") s -= 1;
    if (/^(else\b)/.test(nt)) s += 4;
    return s;
  }
  // "{": after a control line or a function head that does not open its block itself
  return /\)$/.test(pt) && prev?.kind === "add" ? s : Infinity;
}

/**
 * How many braces the `m` lost lines must supply (d > 0: opening braces lost from the side in
 * the tree, d < 0: closing ones from the side not in it) and which closer, or why the rule
 * cannot tell.
 */
function braceNeed(lines: LostLine[], m: number): { kind: "impossible"; reason: string } | { kind: "need"; d: number; closer: string } {
  if (m > LOST_LIMITS.maxLines) return { kind: "impossible", reason: `${m} lines of the side not in the tree are missing: more than ${LOST_LIMITS.maxLines} cannot be put back with confidence` };
  const core = lines.filter((l) => !l.fuzzed);
  const d = core.filter((l) => l.kind === "del").reduce((a, l) => a + braceBalance(l.text), 0) - core.filter((l) => l.kind === "add").reduce((a, l) => a + braceBalance(l.text), 0);
  if (!core.some((l) => l.kind === "add")) return { kind: "impossible", reason: `every line of the side not in the tree was lost: nothing shows what they were` };
  // the rule holds for changes that keep the code's structure: parentheses must balance as before
  const pd = core.filter((l) => l.kind === "del").reduce((a, l) => a + parenBalance(l.text), 0) - core.filter((l) => l.kind === "add").reduce((a, l) => a + parenBalance(l.text), 0);
  if (pd !== 0) return { kind: "impossible", reason: `the changed lines do not keep the parentheses balanced, so the braces cannot tell which lines were lost` };
  if (Math.abs(d) > m) return { kind: "impossible", reason: `the changed lines are ${Math.abs(d)} brace(s) out of balance but only ${m} line(s) were lost` };
  const opener = [...core].reverse().find((l) => l.kind === "add" && /\{$/.test(l.text.trim()));
  const closer = opener && /(=|^(static\s+)?(const\s+)?(struct|union|enum)\b[^(]*)\s*\{$/.test(opener.text.trim()) ? "};" : "}";
  return { kind: "need", d, closer };
}

/**
 * Put back `m` lost lines of the free side ("add" kind: the side not in the tree) into `lines`.
 * Brace balance decides how many are closing or opening braces; the rest are blank lines.
 */
export function placeLost<L extends LostLine>(lines: L[], m: number, first: LineKind, mk: (text: string) => L): Placed<L> {
  const need = braceNeed(lines, m);
  if (need.kind === "impossible") return need;
  const { d, closer } = need;
  const onSide = (l: LostLine) => l.kind !== "del";
  // the lost lines: the braces the balance asks for, the rest blank — or, when a function head
  // of that side lacks its opening brace, a lost pair "{" … "}" too
  const textsWith = (pairs: number) => [...Array(Math.max(0, -d) + pairs).fill(closer), ...Array(Math.max(0, d) + pairs).fill("{"), ...Array(m - Math.abs(d) - 2 * pairs).fill("")] as string[];
  const variants = [textsWith(0)];
  if (!headsOpen(lines, onSide)) for (let pairs = 1; Math.abs(d) + 2 * pairs <= m; pairs++) variants.push(textsWith(pairs));
  const { gaps, nearChange } = lostGaps(lines);
  // the best placement, and the best one that gives different lines (as good: ambiguous)
  // (placements that differ only in where blank lines go give the same code: one reading)
  const key = (slots: Slot[]) => insert(lines, slots, mk).filter((l) => l.text.trim() !== "").map((l) => l.kind + l.text.trim()).join("\n");
  let best: { slots: Slot[]; score: number; key?: string } | undefined;
  let second: { slots: Slot[]; score: number } | undefined;
  let tried = 0;
  let overflow = false;
  const used = new Set<number>();
  // every distinct layout that fits (blank lines included): one only is "certain"
  const layouts = new Set<string>();
  const offer = (slots: Slot[], score: number) => {
    if (layouts.size < 2) layouts.add(slots.map((x) => `${x.gap}:${x.text}`).sort().join(","));
    if (best && score > best.score && second && score >= second.score) return;
    if (!best || score < best.score) {
      // the old best stays the runner-up if it reads differently (same code: the old runner-up stays)
      if (best && key(best.slots) !== key(slots)) second = best;
      best = { slots, score };
      return;
    }
    if (!second || score < second.score) {
      best.key ??= key(best.slots);
      if (key(slots) !== best.key) second = { slots, score };
    }
  };
  let texts: string[] = [];
  let at = new Map<string, number[]>();
  const rec = (k: number, from: number, acc: Slot[], total: number) => {
    if (++tried > LOST_LIMITS.maxPlacements) return;
    if (k === texts.length) {
      if (fitsDiff(insert(lines, acc, mk), first, d, onSide)) offer([...acc], total);
      return;
    }
    const sc = at.get(texts[k]!)!;
    for (let gi = texts[k] === texts[k - 1] ? from + 1 : 0; gi < gaps.length; gi++) {
      if (used.has(gi) || sc[gi] === Infinity) continue;
      used.add(gi);
      acc.push({ gap: gaps[gi]!, text: texts[k]! });
      rec(k + 1, gi, acc, total + sc[gi]!);
      acc.pop();
      used.delete(gi);
    }
  };
  for (const v of variants) {
    // each lost line scored at each gap against the lines around it; a placement is the sum
    texts = v;
    tried = 0;
    at = new Map([...new Set(texts)].map((t) => [t, gaps.map((g) => (nearChange(g) || /^\}/.test(t) ? slotScore(lines, g, t, onSide) : Infinity))]));
    rec(0, -1, [], 0);
    overflow ||= tried > LOST_LIMITS.maxPlacements;
  }
  if (overflow) return { kind: "ambiguous", reason: `the ${m} lost line(s) could go in too many places (more than ${LOST_LIMITS.maxPlacements} tried)` };
  if (!best) return { kind: "impossible", reason: `no place in the hunk fits the ${m} lost line(s) (${variants.map((v) => v.map((t) => JSON.stringify(t)).join(", ")).join(" or ")})` };
  if (second && key(second.slots) === key(best.slots)) second = undefined;
  const v = verdict(m, best, second, layouts.size === 1);
  return v.kind === "placed" ? { kind: "placed", lines: insert(lines, best.slots, mk), certainty: v.certainty, what: v.what } : v;
}

/** The best placement kept, or refused when a different reading fits (nearly) as well. */
function verdict(m: number, top: { slots: Slot[]; score: number }, second: { slots: Slot[]; score: number } | undefined, oneLayout: boolean): { kind: "placed"; certainty: Certainty; what: string } | { kind: "ambiguous"; reason: string } {
  const describe = (r: { slots: Slot[] }) => r.slots.map((s) => `${JSON.stringify(s.text)} before hunk line ${s.gap + 1}`).join(", ");
  if (second && second.score === top.score) return { kind: "ambiguous", reason: `the ${m} lost line(s) fit equally well as ${describe(top)} or as ${describe(second)}` };
  // a misplaced blank line changes no code; a misplaced brace does: braces only when clearly best
  if (second && top.slots.some((t) => t.text !== "") && second.score - top.score < BRACE_MARGIN)
    return { kind: "ambiguous", reason: `the ${m} lost line(s) fit as ${describe(top)} or as ${describe(second)}; a brace is put back only where nothing else fits as well` };
  const certainty: Certainty = !second && oneLayout ? "certain" : "likely";
  // placements that differ only in where blank lines go give the same code: the best by kernel
  // style is kept and said to be likely
  const doubt = second ? ` (next best: ${describe(second)})` : certainty === "likely" ? " (other places differ only around blank lines: the same code)" : "";
  return { kind: "placed", certainty, what: describe(top) + doubt };
}

/**
 * Where lost lines may go: next to a surviving line of their side (web archives drop them from
 * inside the change) — or, a closing brace, after the context a block the change opened goes around.
 */
function lostGaps(lines: LostLine[]): { gaps: number[]; nearChange: (g: number) => boolean } {
  let begin = 0;
  while (begin < lines.length && lines[begin]!.fuzzed) begin++;
  let last = lines.length;
  while (last > begin && lines[last - 1]!.fuzzed) last--;
  const gaps: number[] = [];
  const opensAt = lines.findIndex((l) => l.kind === "add" && braceBalance(l.text) > 0);
  const nearChange = (g: number) => lines[g - 1]!.kind === "add" || lines[g]!.kind === "add";
  for (let g = begin + 1; g < last; g++) if (nearChange(g) || (opensAt >= 0 && g > opensAt)) gaps.push(g);
  return { gaps, nearChange };
}

/** A placement gives a hunk diff could have written, of a change that keeps the code's structure. */
function fitsDiff(got: LostLine[], first: LineKind, d: number, onSide: (l: LostLine) => boolean): boolean {
  // a lost pair's closing brace comes after its opening one
  const open = got.findIndex((l) => l.invented && l.text === "{");
  const early = open < 0 ? 0 : got.slice(0, open).filter((l) => l.invented && /^\}/.test(l.text)).length;
  // minimal runs: a lost line never sits in a run beside an equal changed line
  return minimalRuns(got) && orderedRuns(got, first) && headsOpen(got, onSide) && early <= Math.max(0, -d) && closesOpened(got);
}

const FUNCTION_HEAD = /^(static\s+|inline\s+|extern\s+|noinline\s+|__\w+\s+)*(const\s+)?(struct\s+|unsigned\s+|enum\s+)?\w+[\s*]+\**\w+\([^;{}=]*\)$/;
const CONTROL_HEAD = /^(if|for|while|switch|else|do|return|sizeof)\b/;

/** A closing brace put back closes a block the changed lines of its side opened before it. */
function closesOpened(lines: LostLine[]): boolean {
  let depth = 0;
  for (const l of lines) {
    if (l.kind !== "add") continue;
    if (l.invented && /^\}/.test(l.text) && depth <= 0) return false;
    depth += braceBalance(l.text);
  }
  return true;
}

/** A function definition's head on the side not in the tree is followed by its opening brace (lost braces are not all blank lines). */
function headsOpen(lines: LostLine[], onSide: (l: LostLine) => boolean): boolean {
  const side = lines.filter(onSide);
  for (let k = 0; k + 1 < side.length; k++) {
    const t = side[k]!.text.trim();
    if (side[k]!.kind !== "add" || !FUNCTION_HEAD.test(t) || CONTROL_HEAD.test(t)) continue;
    if (side[k + 1]!.text.trim() !== "{") return false;
    // the body's braces nest, and the closing one ends the run of changed lines (a whole function)
    let depth = 0;
    for (let j = k + 1; j < side.length; j++) {
      depth += braceBalance(side[j]!.text);
      if (depth < 0) return false;
      if (depth === 0) {
        const after = side.slice(j + 1).find((l) => l.text.trim() !== "");
        if (after && after.kind !== "ctx") return false;
        break;
      }
    }
  }
  return true;
}

/**
 * diff writes minimal hunks: no line both removed and added within one run of changed lines.
 * `exact`: compare the lines' bytes; otherwise only blank lines are known equal (a line whose
 * whitespace the text lost may differ from its look-alike in indentation, which diff sees).
 */
export function minimalRuns(lines: { kind: LineKind; text: string }[], exact = false): boolean {
  let n = 0;
  const key = (t: string) => (exact ? t : t.trim() === "" ? "" : `#${n++}`);
  let del = new Set<string>();
  let add = new Set<string>();
  for (const l of lines) {
    if (l.kind === "ctx") {
      del = new Set();
      add = new Set();
      continue;
    }
    if ((l.kind === "del" ? add : del).has(key(l.text))) return false;
    (l.kind === "del" ? del : add).add(key(l.text));
  }
  return true;
}

/** diff writes each run of changed lines as its removed lines, then its added ones: `first` is the kind that stands for removed. */
export function orderedRuns(lines: { kind: LineKind }[], first: LineKind): boolean {
  let second = false;
  for (const l of lines) {
    if (l.kind === "ctx") second = false;
    else if (l.kind !== first) second = true;
    else if (second) return false;
  }
  return true;
}

function insert<L extends LostLine>(lines: L[], slots: Slot[], mk: (text: string) => L): L[] {
  const out: L[] = [];
  const sorted = slots.map((s, k) => ({ ...s, k })).sort((a, b) => a.gap - b.gap || a.k - b.k);
  let si = 0;
  for (let g = 0; g <= lines.length; g++) {
    while (si < sorted.length && sorted[si]!.gap === g) out.push(mk(sorted[si++]!.text));
    if (g < lines.length) out.push(lines[g]!);
  }
  return out;
}
