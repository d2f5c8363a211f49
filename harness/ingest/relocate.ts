// A hunk that applies nowhere in its own file: is its code elsewhere in the tree (moved to
// another file), and were identifiers in it renamed on the way? The near match in the best
// candidate region is diffed identifier by identifier against the hunk's lines; a name that
// exists nowhere in the tree any more, replaced by one that does, is a rename. The hunk is
// retried with the renames substituted, and every substitution is reported as data.
import type { FileText, LocateResult, Placement } from "./locate.ts";
import { confirmRename, nearMatch, relocationCandidates, renameCandidates, type NearMatch, type Rename } from "./search.ts";
import type { ParsedHunk } from "./types.ts";

/** One identifier substituted in a hunk before it located: `from` no longer exists, `to` does, in `file`. */
export interface Substitution {
  from: string;
  to: string;
  file: string;
}

export interface SearchContext {
  root: string;
  read(rel: string): FileText | null;
  locate(h: ParsedHunk, ft: FileText, hint: number): LocateResult;
  /** apply the hunk where it was found (otherwise only report where) */
  relocate: boolean;
}

export interface Elsewhere {
  /** where the hunk located, when it did */
  found?: { file: string; p: Placement; substitutions: Substitution[] };
  /** where it would apply, when relocation is off */
  wouldApply?: { file: string; p: Placement };
  /** the best near match (in `rel` or elsewhere) and the renames it suggests */
  nearMatch?: NearMatch;
  renames?: Rename[];
}

/** Substitute whole identifiers in every line of a hunk. */
export function substitute(h: ParsedHunk, renames: Record<string, string>): ParsedHunk {
  const sub = (s: string) => {
    let r = s;
    for (const [a, b] of Object.entries(renames)) r = r.replace(new RegExp(`\\b${a.replace(/[^\w]/g, "")}\\b`, "g"), b);
    return r;
  };
  return { ...h, lines: h.lines.map((l) => ({ ...l, text: sub(l.text), altCtx: l.altCtx === undefined ? undefined : sub(l.altCtx) })) };
}

/** Search the tree for a hunk that did not locate in `rel`; `ownNear` is its near match there. */
export function searchElsewhere(h: ParsedHunk, rel: string, ownNear: NearMatch | undefined, ctx: SearchContext): Elsewhere {
  const hint = Math.max(0, h.oldStart - 1);
  let best = ownNear;
  for (const cand of relocationCandidates(ctx.root, rel, h)) {
    const cft = ctx.read(cand);
    if (!cft) continue;
    const r = ctx.locate(h, cft, hint);
    if (r.kind === "found") {
      if (ctx.relocate) return { found: { file: cand, p: r.placement, substitutions: [] } };
      return { wouldApply: { file: cand, p: r.placement } };
    }
    const nm = nearMatch(h, cft.lines, cand, hint);
    if (nm && (!best || nm.matched > best.matched) && nm.matched >= Math.ceil(nm.total / 2)) best = nm;
  }
  if (!best) return {};
  const renames = renameCandidates(best.differing).map((c) => confirmRename(ctx.root, best!.file, c));
  const out: Elsewhere = { nearMatch: best, renames: renames.length ? renames : undefined };
  const gone = renames.filter((r) => r.kind === "renamed");
  if (gone.length === 0) return out;
  const ft = ctx.read(best.file);
  if (!ft) return out;
  const r = ctx.locate(substitute(h, Object.fromEntries(gone.map((g) => [g.from, g.to]))), ft, best.line - 1);
  if (r.kind !== "found") return out;
  const substitutions = gone.map((g) => ({ from: g.from, to: g.to, file: best!.file }));
  if (best.file !== rel && !ctx.relocate) return { ...out, wouldApply: { file: best.file, p: r.placement } };
  return { ...out, found: { file: best.file, p: r.placement, substitutions } };
}
