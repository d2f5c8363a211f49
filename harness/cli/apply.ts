// `dioscope apply <file...> [--base 6.1|6.12] [--dry-run] [--json] [--out DIR]
//                  [--allow-relocated] [--rename OLD=NEW]... [--no-search]`
// Prints the per-patch, per-hunk report. Without --dry-run and with --out DIR, writes the
// before/after overlays of each patch that applies (or is already applied) under
// DIR/<tree>/<patch-id>/{before,after}/ (DIR must not be inside the kernel tree cache).
import { join } from "node:path";
import { applyToTree, formatReport, ingest, IngestError, materialiseOverlay, type PatchReport } from "../ingest/index.ts";
import { resolveTree } from "../tree/resolve.ts";
import { isTreeName, TREE_NAMES, type TreeName } from "../tree/source.ts";

const USAGE = `usage: dioscope apply <patch-file>... [--base 6.1|6.12] [--dry-run] [--json] [--out DIR]
                      [--allow-relocated] [--rename OLD=NEW]... [--no-search]
  Reads mbox (gz), b4 am output, git format-patch files, unified/quilt diffs, or text copied
  from lkml.org / lore pages; reports for each patch and hunk whether it applies, is already
  applied, or neither (with the closest match). Exit status: 0 all patches apply or are already
  applied, 1 some patch applies in neither direction or is ambiguous, 2 bad usage or refused input.`;

export async function runApply(argv: string[]): Promise<number> {
  const files: string[] = [];
  const bases: TreeName[] = [];
  let dryRun = false;
  let json = false;
  let out: string | undefined;
  let allowRelocated = false;
  let noSearch = false;
  const renames: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new IngestError(`${a} needs a value`, "parse");
      return v;
    };
    try {
      if (a === "--help" || a === "-h") {
        console.log(USAGE);
        return 0;
      } else if (a === "--base" || a.startsWith("--base=")) {
        const v = a.includes("=") ? a.slice(7) : val();
        if (!isTreeName(v)) {
          console.error(`dioscope apply: unknown base "${v}" (known: ${TREE_NAMES.join(", ")})`);
          return 2;
        }
        bases.push(v);
      } else if (a === "--dry-run") dryRun = true;
      else if (a === "--json") json = true;
      else if (a === "--allow-relocated") allowRelocated = true;
      else if (a === "--no-search") noSearch = true;
      else if (a === "--out") out = val();
      else if (a === "--rename") {
        const m = /^([A-Za-z_]\w*)=([A-Za-z_]\w*)$/.exec(val());
        if (!m) {
          console.error("dioscope apply: --rename takes OLD=NEW (C identifiers)");
          return 2;
        }
        renames[m[1]!] = m[2]!;
      } else if (a.startsWith("-")) {
        console.error(`dioscope apply: unknown option ${a}\n${USAGE}`);
        return 2;
      } else files.push(a);
    } catch (e) {
      console.error(`dioscope apply: ${(e as Error).message}`);
      return 2;
    }
  }
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let patches;
  try {
    patches = ingest(files);
  } catch (e) {
    if (e instanceof IngestError) {
      console.error(`dioscope apply: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const trees = (bases.length ? bases : [...TREE_NAMES]).map((b) => resolveTree(b));
  const reports: PatchReport[] = [];
  let bad = false;
  for (const tree of trees) {
    for (const p of patches) {
      let r;
      try {
        r = applyToTree(p, tree, { allowRelocated, renames: Object.keys(renames).length ? renames : undefined, noSearch });
      } catch (e) {
        if (e instanceof IngestError) {
          console.error(`dioscope apply: ${p.id}: ${e.message}`);
          return 2;
        }
        throw e;
      }
      reports.push(r.report);
      if (!["applies", "already-applied", "cover-letter"].includes(r.report.status)) bad = true;
      if (!json) console.log(formatReport(r.report) + "\n");
      if (!dryRun && out && r.before && r.after) {
        const dir = join(out, tree.name, p.id.replace(/[^\w.#-]/g, "_").replace(/#/g, "-"));
        materialiseOverlay(r.before, join(dir, "before"));
        materialiseOverlay(r.after, join(dir, "after"));
        if (!json) console.log(`  overlays written to ${dir}/{before,after}\n`);
      }
    }
  }
  if (json) console.log(JSON.stringify(reports, null, 2));
  return bad ? 1 : 0;
}
