// `dioscope main-job`: what ./build.sh ends with — for every bundled seed mail
// and every tree, how the patch relates to the tree, and that the built
// kernel for that tree loads. (Scenario verdicts before/after join this
// table when the scenario runner lands.)
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { applyToTree, ingest } from "../ingest/index.ts";
import { loadKernel } from "../machine/loader.ts";
import { currentBuild } from "../build/registry.ts";
import { repoRoot } from "../paths.ts";
import { debianTree } from "../tree/debian.ts";
import { TREE_NAMES } from "../tree/source.ts";

export async function runMainJob(_argv: string[]): Promise<number> {
  const dir = join(repoRoot, "patches");
  const seeds = readdirSync(dir).filter((f) => /^\d{3}_[0-9a-f]+\.txt$/.test(f)).sort();
  const rows: string[][] = [["seed", "tree", "patch vs tree", "kernel", "scenario before", "scenario after", "verdict"]];
  for (const name of TREE_NAMES) {
    const tree = debianTree(name);
    const built = currentBuild(tree);
    let kernel = "not built";
    if (built) {
      const k = loadKernel(built.wasmPath);
      kernel = `${built.manifest.buildId} loads (${k.trapped.length} trapped imports)`;
    }
    for (const seed of seeds) {
      let status: string;
      try {
        const patches = ingest([join(dir, seed)]).filter((p) => !p.isCover);
        status = patches.map((p) => applyToTree(p, tree).report.status).join("+");
      } catch (e) {
        status = `refused: ${(e as Error).message}`;
      }
      rows.push([seed.slice(0, 3), name, status, kernel, "—", "—", "scenarios not yet implemented"]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
  return 0;
}
