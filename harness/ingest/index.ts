/**
 * dioscope patch ingestion (issue 5) — public API.
 *
 *   ingest(files: string[]): Patch[]
 *       Read patch inputs (lore mbox/mboxrd, gzip or not; b4 am output; git format-patch files;
 *       plain unified diffs; quilt diffs; text copied from lkml.org or lore pages, damaged or not;
 *       lore HTML). Returns the patches of all inputs as a series: ordered by [PATCH vN m/n],
 *       the highest version only when several are present, cover letters (0/N) kept with
 *       isCover=true (never applied). Throws IngestError for hostile or unusable input
 *       (non-regular files, > LIMITS sizes, binary patches, absolute or ".." paths, no patch).
 *
 *   ingestText(text: string, name: string): Patch[]      — the same for text in memory.
 *
 *   applyToTree(patch: Patch, tree: PristineTree, opts?: ApplyOptions): ApplyResult
 *       Locate every hunk in the tree (forward / already applied / neither, offset, fuzz);
 *       damaged hunks are rebuilt from the tree's bytes (or refused as ambiguous). Returns
 *       { report: PatchReport, before: Overlay|null, after: Overlay|null, exactDiff: string|null }.
 *       forward: before = tree, after = tree + patch; already applied: before = tree − patch,
 *       after = tree. Options: allowRelocated (apply where the code moved; marked in reports),
 *       renames (identifier renames applied to the patch; marked), maxFuzz, noSearch.
 *       Never writes anything.
 *
 *   materialiseOverlay(ov: Overlay, dir: string) → {written, deleted}
 *       Write an overlay's changed files under dir (refuses dir inside the tree, symlinks).
 *   readOverlayFile(ov, rel) → string | undefined
 *
 *   formatReport(r: PatchReport): string — the human report `dioscope apply` prints.
 *
 *   reconstructionRate(opts?) (./bench.ts) — property-style damage/rebuild rate for the bench.
 */
import { basename } from "node:path";
import { LIMITS, readInputFile } from "./input.ts";
import { patchesFromText } from "./mail.ts";
import { IngestError, type Patch } from "./types.ts";

export { applyToTree, type ApplyOptions, type ApplyResult, type PatchReport, type HunkReport, type FileReport, type PatchStatus } from "./apply.ts";
export { materialiseOverlay, readOverlayFile, emptyOverlay, type Overlay } from "./overlay.ts";
export { formatReport } from "./report.ts";
export { IngestError, type Patch, type FileDiff, type ParsedHunk, type InputFormat, type Trailer } from "./types.ts";
export { LIMITS } from "./input.ts";

export function ingestText(text: string, name: string): Patch[] {
  if (text.length > LIMITS.maxTextBytes) throw new IngestError(`refused: ${name} is more than ${LIMITS.maxTextBytes} bytes of text`, "too-large");
  const nul = text.indexOf("\0");
  if (nul >= 0) throw new IngestError(`refused: ${name} contains NUL bytes (offset ${nul}); it is binary, not a patch`, "binary");
  return orderSeries(patchesFromText(text, name, basename(name)));
}

export function ingest(files: string[]): Patch[] {
  if (files.length === 0) throw new IngestError("no input files", "no-patch");
  const all: Patch[] = [];
  for (const f of files) {
    const input = readInputFile(f);
    const got = patchesFromText(input.text, f, basename(f), input.encoding);
    if (got.length === 0) throw new IngestError(`no patch found in ${f}`, "no-patch");
    all.push(...got);
  }
  return orderSeries(all);
}

/**
 * Order a series by [PATCH vN m/N]: patches are grouped by N (patches without m/N stand
 * alone); within a group only the newest version is kept, one patch per m, sorted by m.
 * Groups keep the order in which they first appear.
 */
export function orderSeries(ps: Patch[]): Patch[] {
  const groups = new Map<string, Patch[]>();
  ps.forEach((p, i) => {
    const key = p.seq !== undefined && p.total !== undefined ? `series/${p.total}` : `single/${i}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  });
  const out: Patch[] = [];
  for (const [key, g] of groups) {
    if (key.startsWith("single/")) {
      out.push(...g);
      continue;
    }
    const versions = new Set(g.map((p) => p.version ?? 1));
    let keep = g;
    if (versions.size > 1) {
      const top = Math.max(...versions);
      keep = g.filter((p) => (p.version ?? 1) === top);
      for (const p of keep) p.notes.push(`series: several versions in the input (${[...versions].sort().map((v) => "v" + v).join(", ")}); using v${top}`);
    }
    const seen = new Set<number>();
    out.push(...[...keep].sort((a, b) => a.seq! - b.seq!).filter((p) => (seen.has(p.seq!) ? false : (seen.add(p.seq!), true))));
  }
  return out;
}
