// The apply engine: every hunk of a patch against a tree, with a report per hunk (forward,
// already applied, neither — then why), the rebuilt exact diff, and the before/after overlays.
import { readFileSync } from "node:fs";
import type { PristineTree } from "../tree/source.ts";
import { renderHunkHeader } from "./diff.ts";
import { whitespaceOnly } from "./align.ts";
import { joinFile, locateHunk, splitFile, type FileText, type FullLine, type Placement } from "./locate.ts";
import { emptyOverlay, type Overlay } from "./overlay.ts";
import { resolveInTree } from "./paths.ts";
import { searchElsewhere, substitute, type Substitution } from "./relocate.ts";
import { missingFunctions, nearMatch, type NearMatch, type Rename } from "./search.ts";
import { IngestError, type FileDiff, type ParsedHunk, type Patch } from "./types.ts";

export interface ApplyOptions {
  /** Apply hunks found in another file of the tree (moved code, renamed identifiers found from the near match) there; default on. Marked in every report. */
  relocate?: boolean;
  /** The same as `relocate` (kept for callers that set it). */
  allowRelocated?: boolean;
  /** Identifier renames applied to the patch text before matching, e.g. {free_extent_map: "btrfs_free_extent_map"}. Marked in every report. */
  renames?: Record<string, string>;
  /** Put back blank and brace lines the text lost from the side not in the tree, by brace balance and kernel style (default on; the rule assumes the change keeps the code's structure). */
  inventLost?: boolean;
  /** The direction a re-indentation hunk (whose damaged text cannot tell) takes: that of the patch's other hunks. */
  reindentDir?: "forward" | "reverse";
  /** Largest fuzz (default 2, like patch). */
  maxFuzz?: number;
  /** Skip the (slower) search of other files when a hunk applies nowhere (moved code, vanished functions). */
  noSearch?: boolean;
  /** Apply on top of this overlay of the same tree (e.g. the `after` of the previous patch of a series). */
  base?: Overlay;
}

export type HunkStatus = "forward" | "reverse" | "neither" | "ambiguous";

export interface HunkReport {
  index: number;
  header: string;
  status: HunkStatus;
  /** The file the hunk was located in (differs from the diff's file when relocated). */
  file: string;
  line?: number;
  offset?: number;
  fuzz?: number;
  /** lines the input had lost, put back from the file */
  restored?: number;
  /** lines whose whitespace was rebuilt by rule (not from the file) */
  inferred?: number;
  /** lines of the side not in the tree that the text lost, put back by rule (which, where, how sure) */
  lost?: { count: number; certainty: "certain" | "likely"; what: string };
  /** the hunk's whitespace disagreed with the tree; matched ignoring whitespace */
  loose?: boolean;
  unaccounted?: number;
  /** set when the hunk was applied (or would apply) somewhere other than the diff's file */
  relocated?: { from: string; to: string; line: number; dir: "forward" | "reverse"; fuzz: number; applied: boolean };
  renamesApplied?: Record<string, string>;
  /** identifiers substituted (renames found from the near match) before the hunk located */
  substitutions?: Substitution[];
  reason?: string;
  /** ambiguous only in direction (a re-indentation whose whitespace the text lost) */
  directionOnly?: boolean;
  nearMatch?: NearMatch;
  renames?: Rename[];
  missingFunctions?: { name: string; where: string }[];
  others?: string[];
  notes?: string[];
}

export interface FileReport {
  path: string;
  kind: "modify" | "create" | "delete";
  hunks: HunkReport[];
}

export type PatchStatus = "applies" | "already-applied" | "partially-applied" | "neither" | "ambiguous" | "cover-letter";

export interface PatchReport {
  id: string;
  subject: string;
  sourceFile: string;
  format: string;
  tree: { name: string; origin: string; kernelVersion: string };
  status: PatchStatus;
  mangled: boolean;
  relocated: boolean;
  /** files hunks were applied in instead of the diff's (when relocated) */
  relocatedTo?: string[];
  renamesApplied?: Record<string, string>;
  /** every identifier substituted in any hunk (renames the locator found), with the file it applied in */
  substitutions?: Substitution[];
  files: FileReport[];
  trailers: { key: string; value: string }[];
  baseCommit?: string;
  series?: { version?: number; seq?: number; total?: number };
  notes: string[];
}

export interface ApplyResult {
  report: PatchReport;
  /** null unless the patch applies forward or is already applied (whole) */
  before: Overlay | null;
  after: Overlay | null;
  /** The patch as an exact git diff against this tree (forward or as applied), when it locates. */
  exactDiff: string | null;
}


interface Located {
  hunkIndex: number;
  file: string;
  p: Placement;
}

let currentBase: Overlay | undefined;

function readTree(tree: PristineTree, rel: string): FileText | null {
  if (currentBase && currentBase.files.has(rel)) {
    const c = currentBase.files.get(rel);
    return c === null || c === undefined ? null : splitFile(c);
  }
  const abs = resolveInTree(tree.root, rel);
  return abs === null ? null : splitFile(readFileSync(abs, "utf8"));
}

function locateInFile(h: ParsedHunk, ft: FileText, hint: number, opts: ApplyOptions, minAt = 0, elsewhere = false) {
  const lo = { hint, maxFuzz: opts.maxFuzz, inventLost: opts.inventLost, reindentDir: opts.reindentDir, minAt, elsewhere };
  let r = locateHunk(h, ft, { ...lo, loose: false });
  if (r.kind === "none" && !h.mangled) {
    const r2 = locateHunk(h, ft, { ...lo, loose: true });
    if (r2.kind !== "none") r = r2;
  }
  return r;
}

function fileReport(fd: FileDiff, tree: PristineTree, opts: ApplyOptions, located: Located[]): FileReport {
  const path = fd.newPath ?? fd.oldPath!;
  const kind: FileReport["kind"] = fd.oldPath === null ? "create" : fd.newPath === null ? "delete" : "modify";
  const hunks: HunkReport[] = [];
  // which path names the file in this tree
  let rel = fd.oldPath ?? fd.newPath!;
  if (fd.newPath && fd.oldPath && fd.newPath !== fd.oldPath) {
    if (resolveInTree(tree.root, fd.newPath) !== null) rel = fd.newPath;
  }
  const ft = readTree(tree, rel);
  if (kind === "create" && ft === null) {
    fd.hunks.forEach((h, k) => {
      const lines: FullLine[] = h.lines.map((l) => ({ kind: l.kind, text: l.text, prov: h.mangled ? "inferred" : "patch" }));
      located.push({ hunkIndex: k, file: path, p: { dir: "forward", fuzz: 0, at: 0, len: 0, replacement: lines.map((l) => l.text), lines, offset: 0, line: 1, restored: 0, inferred: h.mangled ? lines.length : 0, unaccounted: 0, loose: false } });
      hunks.push({ index: k + 1, header: renderHunkHeader(h), status: "forward", file: path, line: 1, offset: 0, fuzz: 0 });
    });
    return { path, kind, hunks };
  }
  let offset = 0;
  let minAt = 0;
  fd.hunks.forEach((h0, k) => {
    const h = opts.renames ? substitute(h0, opts.renames) : h0;
    const header = renderHunkHeader(h0);
    const base: HunkReport = { index: k + 1, header, status: "neither", file: rel };
    if (opts.renames) base.renamesApplied = opts.renames;
    if (ft === null) {
      base.reason = kind === "delete" ? `${rel} does not exist in the tree (already deleted?)` : `${rel} does not exist in the tree`;
    } else {
      const hint = Math.max(0, h.oldStart - 1) + offset;
      const r = locateInFile(h, ft, hint, opts, minAt);
      if (r.kind === "found") {
        const p = r.placement;
        minAt = p.at + p.len;
        // the hunks of a file move together: the next one is looked for at the same offset
        offset = p.at - Math.max(0, (p.dir === "forward" ? h.oldStart : h.newStart) - 1);
        located.push({ hunkIndex: k, file: rel, p });
        const reindented = opts.reindentDir && h.mangled && whitespaceOnly(h) ? [`a re-indentation whose whitespace the text lost: taken ${p.dir === "forward" ? "forward" : "as applied"}, like the patch's other hunks; the indentation is rebuilt by rule`] : [];
        const notes = [...(p.assumed ?? []), ...reindented];
        hunks.push({ ...base, status: p.dir, line: p.line, offset: p.offset, fuzz: p.fuzz, restored: p.restored, inferred: p.inferred, loose: p.loose || undefined, unaccounted: p.unaccounted || undefined, lost: p.lost, notes: notes.length ? notes : undefined, others: r.others.length ? r.others : undefined });
        return;
      }
      if (r.kind === "ambiguous") {
        hunks.push({ ...base, status: "ambiguous", reason: r.reason, directionOnly: r.directionOnly });
        return;
      }
      base.notes = r.notes.length ? r.notes : undefined;
      const nm = nearMatch(h, ft.lines, rel, hint);
      if (nm && nm.matched >= Math.max(2, Math.ceil(nm.total / 3))) base.nearMatch = nm;
      if (!opts.noSearch) {
        base.missingFunctions = missingFunctions(h, ft.lines.join("\n"), tree.root, rel);
        if (base.missingFunctions.length === 0) delete base.missingFunctions;
      }
    }
    // elsewhere in the tree, moved and perhaps with identifiers renamed?
    if (!opts.noSearch) {
      const ctx = { root: tree.root, read: (f: string) => readTree(tree, f), locate: (x: ParsedHunk, t: FileText, hint: number) => locateInFile(x, t, hint, opts, 0, true), relocate: opts.relocate ?? opts.allowRelocated ?? true };
      const e = searchElsewhere(h, rel, base.nearMatch, ctx);
      if (e.renames) base.renames = e.renames;
      if (e.found) {
        const { file, p, substitutions } = e.found;
        located.push({ hunkIndex: k, file, p });
        const moved = file !== rel ? { relocated: { from: rel, to: file, line: p.line, dir: p.dir, fuzz: p.fuzz, applied: true } } : {};
        hunks.push({ ...base, ...moved, nearMatch: undefined, missingFunctions: undefined, notes: p.assumed, status: p.dir, file, line: p.line, offset: p.offset, fuzz: p.fuzz, restored: p.restored, inferred: p.inferred, loose: p.loose || undefined, lost: p.lost, substitutions: substitutions.length ? substitutions : undefined });
        return;
      }
      if (e.wouldApply) {
        const { file, p } = e.wouldApply;
        base.relocated = { from: rel, to: file, line: p.line, dir: p.dir, fuzz: p.fuzz, applied: false };
        base.reason = `the hunk ${p.dir === "forward" ? "applies" : "is already applied"} in ${file} at line ${p.line}${p.fuzz ? ` with fuzz ${p.fuzz}` : ""}: the code moved there (relocation is off)`;
      } else if (e.nearMatch && e.nearMatch.file !== rel) {
        base.relocated = { from: rel, to: e.nearMatch.file, line: e.nearMatch.line, dir: e.nearMatch.dir, fuzz: -1, applied: false };
        base.nearMatch = e.nearMatch;
        base.reason = `${rel} no longer has this code; its closest match is in ${e.nearMatch.file} at line ${e.nearMatch.line} (${e.nearMatch.matched}/${e.nearMatch.total} lines)`;
      }
    }
    if (!base.reason) {
      base.reason = ft === null ? `${rel} does not exist in the tree` : `applies in neither direction in ${rel}`;
    }
    hunks.push(base);
  });
  return { path, kind, hunks };
}

function applyPlacements(ft: FileText, ps: Placement[], file: string): FileText {
  const sorted = [...ps].sort((a, b) => a.at - b.at);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.at < sorted[i - 1]!.at + sorted[i - 1]!.len) throw new IngestError(`hunks overlap in ${file} at line ${sorted[i]!.at + 1}`, "parse");
  const lines = [...ft.lines];
  for (const p of sorted.reverse()) lines.splice(p.at, p.len, ...p.replacement);
  return { lines, eol: ft.eol };
}

/** Render the located hunks of one file as an exact diff against `from` (the side that is in the tree for forward). */
function renderExact(file: string, items: { p: Placement }[], reverse: boolean): string {
  const out = [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`];
  let delta = 0; // new - old lines before this hunk
  for (const { p } of [...items].sort((a, b) => a.p.at - b.p.at)) {
    const core = p.lines.filter((l) => !l.fuzzed);
    const o = core.filter((l) => l.kind !== "add").length;
    const n = core.filter((l) => l.kind !== "del").length;
    // p.at is where the side that is in the tree starts
    let oldStart: number;
    let newStart: number;
    if (!reverse) {
      oldStart = p.at + 1;
      newStart = oldStart + delta;
    } else {
      newStart = p.at + 1;
      oldStart = newStart - delta;
    }
    out.push(`@@ -${o === 0 ? oldStart - 1 : oldStart},${o} +${n === 0 ? newStart - 1 : newStart},${n} @@`);
    for (const l of core) out.push((l.kind === "ctx" ? " " : l.kind === "add" ? "+" : "-") + l.text);
    delta += n - o;
  }
  return out.join("\n") + "\n";
}

/** Apply one patch to a pristine tree (nothing is written anywhere). */
export function applyToTree(patch: Patch, tree: PristineTree, opts: ApplyOptions = {}): ApplyResult {
  const report: PatchReport = {
    id: patch.id,
    subject: patch.subject,
    sourceFile: patch.sourceFile,
    format: patch.format,
    tree: { name: tree.name, origin: tree.origin, kernelVersion: tree.kernelVersion },
    status: "neither",
    mangled: patch.mangled,
    relocated: false,
    renamesApplied: opts.renames,
    files: [],
    trailers: patch.trailers,
    baseCommit: patch.baseCommit,
    series: patch.seq !== undefined ? { version: patch.version, seq: patch.seq, total: patch.total } : undefined,
    notes: [...patch.notes],
  };
  if (patch.isCover) {
    report.status = "cover-letter";
    return { report, before: null, after: null, exactDiff: null };
  }
  if (opts.base && opts.base.root !== tree.root) throw new IngestError("base overlay belongs to another tree", "parse");
  currentBase = opts.base;
  try {
    return applyInner(patch, tree, opts, report);
  } finally {
    currentBase = undefined;
  }
}

function applyInner(patch: Patch, tree: PristineTree, opts: ApplyOptions, report: PatchReport): ApplyResult {
  const located: { fd: FileDiff; items: Located[] }[] = [];
  for (const fd of patch.files) {
    const items: Located[] = [];
    report.files.push(fileReport(fd, tree, opts, items));
    located.push({ fd, items });
  }
  // re-indentation hunks whose text cannot tell the direction take the one every other hunk has
  const others = new Set(report.files.flatMap((f) => f.hunks).filter((h) => !h.directionOnly).map((h) => h.status));
  const dir = others.size === 1 ? [...others][0] : undefined;
  if ((dir === "forward" || dir === "reverse") && !opts.reindentDir)
    patch.files.forEach((fd, i) => {
      if (!report.files[i]!.hunks.some((h) => h.directionOnly)) return;
      const items: Located[] = [];
      report.files[i] = fileReport(fd, tree, { ...opts, reindentDir: dir }, items);
      located[i] = { fd, items };
    });
  const all = report.files.flatMap((f) => f.hunks);
  report.relocated = all.some((h) => h.relocated?.applied);
  const to = [...new Set(all.filter((h) => h.relocated?.applied).map((h) => h.relocated!.to))];
  if (to.length) report.relocatedTo = to;
  const subs = all.flatMap((h) => h.substitutions ?? []);
  const seen = new Set<string>();
  const uniq = subs.filter((x) => (seen.has(`${x.from}>${x.to}@${x.file}`) ? false : (seen.add(`${x.from}>${x.to}@${x.file}`), true)));
  if (uniq.length) report.substitutions = uniq;
  const st = new Set(all.map((h) => h.status));
  if (st.has("ambiguous")) report.status = "ambiguous";
  else if (st.has("neither")) report.status = "neither";
  else if (st.size === 1 && st.has("forward")) report.status = "applies";
  else if (st.size === 1 && st.has("reverse")) report.status = "already-applied";
  else report.status = "partially-applied";
  let before: Overlay | null = null;
  let after: Overlay | null = null;
  let exactDiff: string | null = null;
  if (report.status === "applies" || report.status === "already-applied") {
    const reverse = report.status === "already-applied";
    before = emptyOverlay(tree.root, tree.origin);
    after = emptyOverlay(tree.root, tree.origin);
    if (opts.base) for (const [k, v] of opts.base.files) {
      before.files.set(k, v);
      after.files.set(k, v);
    }
    const changed = reverse ? before : after;
    const byFile = new Map<string, Placement[]>();
    for (const { items } of located) for (const it of items) byFile.set(it.file, [...(byFile.get(it.file) ?? []), it.p]);
    const diffs: string[] = [];
    for (const [file, ps] of [...byFile.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const fd = located.find((x) => x.items.some((i) => i.file === file))!.fd;
      const ft = readTree(tree, file);
      if (ft === null) {
        // create (forward) — the new file's content is the added lines
        const content = ps.flatMap((p) => p.replacement);
        changed.files.set(file, joinFile({ lines: content, eol: !fd.hunks[fd.hunks.length - 1]!.lines.at(-1)?.noEol }));
      } else if (fd.newPath === null && !reverse) {
        changed.files.set(file, null);
      } else {
        changed.files.set(file, joinFile(applyPlacements(ft, ps, file)));
      }
      diffs.push(renderExact(file, ps.map((p) => ({ p })), reverse));
    }
    exactDiff = diffs.join("");
  }
  return { report, before, after, exactDiff };
}
