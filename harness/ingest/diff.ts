// Unified-diff parsing: git diffs, GNU diff -u / quilt diffs, and the damaged text of web
// archives. A hunk whose lines do not form a well-formed hunk (context lines without their
// leading space, lines missing) is kept as "observed" lines and marked mangled: it can only
// be turned into an exact hunk against a tree (reconstruct.ts).
import { stripTimestamp, treePaths } from "./paths.ts";
import { IngestError, type FileDiff, type LineKind, type ObservedLine, type ParsedHunk } from "./types.ts";

export const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/** Lines that end a hunk in damaged text (page chrome and mail residue after the patch). */
const CHROME_END: RegExp[] = [
  /^To unsubscribe from this list/,
  /^next prev parent reply other threads/,
  /^Thread overview:/,
  /^Reply instructions:/,
  /^\u00a0\\\u00a0\/$/,
  /^\s*\u00a0?Last update:/,
  /^permalink raw reply/,
  /^\[not found\]/,
];

export function isChromeEnd(line: string): boolean {
  return CHROME_END.some((r) => r.test(line));
}

/** Whitespace-free key used to compare damaged lines with real ones. */
export function wsKey(s: string): string {
  return s.replace(/\s+/g, "");
}

export function collapse(s: string): string {
  return s.replace(/[\s\u00a0]+/g, " ").trim();
}

function isFileHeaderAt(lines: string[], i: number): boolean {
  const l = lines[i]!;
  if (l.startsWith("diff --git ")) return true;
  if (l.startsWith("--- ") && lines[i + 1]?.startsWith("+++ ")) return true;
  return false;
}

interface RawFile {
  gitLine?: string;
  rawOld?: string;
  rawNew?: string;
  hunks: ParsedHunk[];
  extended: string[];
}

/** Parse a hunk body strictly. Returns null if the lines are not a well-formed hunk. */
function parseStrict(lines: string[], start: number, oldCount: number, newCount: number): { lines: ObservedLine[]; end: number } | null {
  const out: ObservedLine[] = [];
  let o = oldCount;
  let n = newCount;
  let i = start;
  while (o > 0 || n > 0) {
    const l = lines[i];
    if (l === undefined) return null;
    let kind: LineKind;
    if (l.startsWith("\\")) {
      if (out.length === 0) return null;
      out[out.length - 1]!.noEol = true;
      i++;
      continue;
    }
    if (l === "" || l.startsWith(" ")) kind = "ctx";
    else if (l.startsWith("+")) kind = "add";
    else if (l.startsWith("-")) kind = "del";
    else return null;
    if (kind !== "add") o--;
    if (kind !== "del") n--;
    if (o < 0 || n < 0) return null;
    out.push({ kind, text: l.slice(1) });
    i++;
  }
  if (lines[i]?.startsWith("\\ ")) {
    out[out.length - 1]!.noEol = true;
    i++;
  }
  return { lines: out, end: i };
}

function classifyMangled(l: string): ObservedLine {
  const c = collapse(l);
  if (c.startsWith("+")) return { kind: "add", text: collapse(c.slice(1)), altCtx: c };
  if (c.startsWith("-")) return { kind: "del", text: collapse(c.slice(1)), altCtx: c };
  return { kind: "ctx", text: c };
}

function counts(ls: ObservedLine[]): { o: number; n: number } {
  let o = 0;
  let n = 0;
  for (const l of ls) {
    if (l.kind !== "add") o++;
    if (l.kind !== "del") n++;
  }
  return { o, n };
}

/** Collect a damaged hunk's lines up to the next header/terminator or until its counts are met. */
function parseMangled(lines: string[], start: number, oldCount: number, newCount: number): { lines: ObservedLine[]; end: number } {
  const out: ObservedLine[] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    const c = collapse(l);
    if (HUNK_RE.test(c) || isFileHeaderAt(lines, i) || c === "--" || /^Index: /.test(l) || /^={10,}$/.test(c) || isChromeEnd(l)) break;
    if (/^\\ No newline/.test(c)) {
      if (out.length) out[out.length - 1]!.noEol = true;
      continue;
    }
    out.push(classifyMangled(l));
    const k = counts(out);
    if (k.o >= oldCount && k.n >= newCount) {
      i++;
      break;
    }
  }
  // Trailing lines beyond the budget (blank lines before chrome) are not part of the hunk.
  for (;;) {
    const k = counts(out);
    if ((k.o > oldCount || k.n > newCount) && out.length && out[out.length - 1]!.kind === "ctx") out.pop();
    else break;
  }
  // A blank line at the end of a damaged hunk cannot be told from page spacing: drop it. If it
  // was a real context line, it is one of the lines the header's budget says were lost, and
  // it is restored from the tree like any other.
  while (out.length && out[out.length - 1]!.kind === "ctx" && out[out.length - 1]!.text === "") out.pop();
  return { lines: out, end: i };
}

export interface DiffParse {
  files: FileDiff[];
  /** Index of the first line of the first diff (for splitting off the message). */
  firstDiffLine: number;
  /** Index after the last line consumed by the diff. */
  end: number;
  anyMangled: boolean;
}

/**
 * Parse every file diff found in `lines`. `forceMangled` treats all hunks as damaged (web
 * page text whose whitespace was collapsed even where the hunk happens to look well-formed).
 */
export function parseDiffs(lines: string[], opts: { forceMangled?: boolean } = {}): DiffParse {
  const raws: RawFile[] = [];
  let first = -1;
  let i = 0;
  let end = 0;
  let cur: RawFile | undefined;
  while (i < lines.length) {
    const l = lines[i]!;
    if (/^GIT binary patch/.test(l) || /^Binary files .* differ$/.test(l))
      throw new IngestError(`refused: binary patch (line ${i + 1}: "${l.slice(0, 60)}"); dioscope only takes text diffs of kernel sources`, "binary");
    if (l.startsWith("diff --git ")) {
      if (first < 0) first = i;
      cur = { gitLine: l, hunks: [], extended: [] };
      raws.push(cur);
      i++;
      while (i < lines.length && !lines[i]!.startsWith("--- ") && !lines[i]!.startsWith("diff --git ") && !HUNK_RE.test(lines[i]!)) {
        const e = lines[i]!;
        if (/^GIT binary patch/.test(e) || /^Binary files .* differ$/.test(e))
          throw new IngestError(`refused: binary patch for ${l.slice(11)}; dioscope only takes text diffs`, "binary");
        if (/^(old mode|new mode|deleted file mode|new file mode|index |similarity index|dissimilarity index|rename from|rename to|copy from|copy to)/.test(e)) cur.extended.push(e);
        else break;
        i++;
      }
      end = i;
      continue;
    }
    if (l.startsWith("--- ") && lines[i + 1]?.startsWith("+++ ")) {
      if (first < 0) first = i;
      if (!cur || cur.rawOld !== undefined || cur.hunks.length) {
        cur = { hunks: [], extended: [] };
        raws.push(cur);
        // quilt: an Index: line (and ===) just above
        if (i >= 2 && /^Index: /.test(lines[i - 2] ?? "") && first === i) first = i - 2;
      }
      cur.rawOld = l.slice(4);
      cur.rawNew = lines[i + 1]!.slice(4);
      i += 2;
      end = i;
      continue;
    }
    const hm = HUNK_RE.exec(collapse(l));
    if (hm && cur) {
      const oldStart = +hm[1]!;
      const oldCount = hm[2] === undefined ? 1 : +hm[2];
      const newStart = +hm[3]!;
      const newCount = hm[4] === undefined ? 1 : +hm[4];
      const strict = opts.forceMangled ? null : parseStrict(lines, i + 1, oldCount, newCount);
      const body = strict ?? parseMangled(lines, i + 1, oldCount, newCount);
      cur.hunks.push({ oldStart, oldCount, newStart, newCount, section: hm[5] ?? "", lines: body.lines, mangled: strict === null });
      i = body.end;
      end = i;
      continue;
    }
    i++;
  }
  const files: FileDiff[] = [];
  let anyMangled = false;
  for (const r of raws) {
    if (r.extended.some((e) => /^(rename|copy) (from|to)/.test(e)) && r.hunks.length === 0 && r.rawOld === undefined) {
      throw new IngestError(`unsupported: ${r.gitLine} is a pure rename/copy; dioscope applies content diffs only`, "unsupported");
    }
    if (r.extended.some((e) => /^(rename|copy) (from|to)/.test(e)))
      throw new IngestError(`unsupported: ${r.gitLine} renames or copies a file; dioscope applies content diffs only`, "unsupported");
    let rawOld = r.rawOld;
    let rawNew = r.rawNew;
    const git = r.gitLine !== undefined;
    if (rawOld === undefined || rawNew === undefined) {
      if (r.hunks.length === 0) continue; // mode-only change
      throw new IngestError(`diff for ${r.gitLine ?? "?"} has hunks but no ---/+++ lines`, "parse");
    }
    const mangled = r.hunks.some((h) => h.mangled) || !!opts.forceMangled;
    rawOld = stripTimestamp(rawOld, mangled);
    rawNew = stripTimestamp(rawNew, mangled);
    const usesAB = /^a\//.test(rawOld) || /^b\//.test(rawNew);
    const { oldPath, newPath } = treePaths(rawOld, rawNew, git || (usesAB && rawOld !== "/dev/null" && rawNew !== "/dev/null" ? true : git));
    if (r.hunks.length === 0) throw new IngestError(`diff for ${newPath ?? oldPath} has no hunks`, "parse");
    anyMangled ||= mangled;
    files.push({ oldPath, newPath, rawOld, rawNew, hunks: r.hunks, mangled });
  }
  if (anyMangled) for (const f of files) for (const h of f.hunks) if (!h.mangled) remangle(h);
  for (const f of files) f.mangled = f.hunks.some((h) => h.mangled);
  return { files, firstDiffLine: first, end, anyMangled };
}

/** A well-formed-looking hunk inside damaged text is damaged too: compare it loosely. */
function remangle(h: ParsedHunk): void {
  h.mangled = true;
  h.lines = h.lines.map((l) => {
    const t = collapse(l.text);
    return l.kind === "ctx" ? { kind: "ctx", text: t } : { kind: l.kind, text: t, altCtx: (l.kind === "add" ? "+" : "-") + (t ? " " + t : "") };
  });
}

/** Render a parsed hunk back as diff text (mangled hunks as observed). */
export function renderHunkHeader(h: { oldStart: number; oldCount: number; newStart: number; newCount: number; section: string }): string {
  return `@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@${h.section ? " " + h.section : ""}`;
}
