// `dioscope apply <file...> [--base 6.1|6.12] [--dry-run] [--json] [--out DIR]
//                  [--no-relocate] [--rename OLD=NEW]... [--no-search]`
// Prints the per-patch, per-hunk report. Without --dry-run and with --out DIR, writes the
// before/after overlays of each patch that applies (or is already applied) under
// DIR/<tree>/<patch-id>/{before,after}/ (DIR must not be inside the kernel tree cache).
import { join } from "node:path";
import { parseArgs } from "node:util";
import { applyToTree, formatReport, ingest, IngestError, materialiseOverlay, type PatchReport } from "../ingest/index.ts";
import { resolveTree } from "../tree/resolve.ts";
import { isTreeName, TREE_NAMES, type TreeName } from "../tree/source.ts";

const USAGE = `usage: dioscope apply <patch-file>... [--base 6.1|6.12] [--dry-run] [--json] [--out DIR]
                      [--no-relocate] [--rename OLD=NEW]... [--no-search]
  Reads mbox (gz), b4 am output, git format-patch files, unified/quilt diffs, or text copied
  from lkml.org / lore pages; reports for each patch and hunk whether it applies, is already
  applied, or neither (with the closest match).
  --base TREE       judge on this tree only (repeatable; default: every tree)
  --json            the reports as JSON (PatchReport[]) instead of text
  --dry-run         write nothing
  --out DIR         write the before/after overlays under DIR/<tree>/<patch-id>/
  --no-relocate     do not apply a hunk where its code moved (another file, renamed identifiers
                    found from the near match); only say where
  --allow-relocated accepted for older scripts: relocation is on by default
  --rename OLD=NEW  substitute an identifier in every hunk before locating (repeatable)
  --no-search       do not search other files when a hunk applies nowhere
  Exit status: 0 all patches apply or are already applied, 1 some patch applies in neither
  direction or is ambiguous, 2 bad usage or refused input.`;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  base: { type: "string", multiple: true },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  out: { type: "string" },
  "no-relocate": { type: "boolean" },
  "allow-relocated": { type: "boolean" },
  rename: { type: "string", multiple: true },
  "no-search": { type: "boolean" },
} as const;

export async function runApply(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    console.error(`dioscope apply: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals: files } = parsed;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const bases: TreeName[] = [];
  for (const b of v.base ?? []) {
    if (!isTreeName(b)) {
      console.error(`dioscope apply: unknown base "${b}" (known: ${TREE_NAMES.join(", ")})`);
      return 2;
    }
    bases.push(b);
  }
  const renames: Record<string, string> = {};
  for (const r of v.rename ?? []) {
    const m = /^([A-Za-z_]\w*)=([A-Za-z_]\w*)$/.exec(r);
    if (!m) {
      console.error("dioscope apply: --rename takes OLD=NEW (C identifiers)");
      return 2;
    }
    renames[m[1]!] = m[2]!;
  }
  const json = !!v.json;
  const dryRun = !!v["dry-run"];
  const out = v.out;
  const relocate = !v["no-relocate"];
  const noSearch = !!v["no-search"];
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
  let trees;
  try {
    trees = (bases.length ? bases : [...TREE_NAMES]).map((b) => resolveTree(b));
  } catch (e) {
    console.error(`dioscope apply: unknown base: ${(e as Error).message}`);
    return 2;
  }
  const reports: PatchReport[] = [];
  let bad = false;
  for (const tree of trees) {
    for (const p of patches) {
      let r;
      try {
        r = applyToTree(p, tree, { relocate, renames: Object.keys(renames).length ? renames : undefined, noSearch });
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
