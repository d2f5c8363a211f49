// `dioscope main-job [--tree 6.1|6.12]...`: what ./build.sh ends with — every
// bundled seed mail on every tree, before and after, with its verdict:
// seed × tree × patch × before × after × verdict. Failing runs' timelines
// follow the table. Exit 1 if a seed is not reproduced (before must fail,
// after must pass).
import { seedRows } from "../check/seeds.ts";
import { explainRun } from "../report/ktap.ts";
import { isTreeName, TREE_NAMES, type TreeName } from "../tree/source.ts";

export async function runMainJob(argv: string[]): Promise<number> {
  const trees: TreeName[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--tree" && isTreeName(argv[i + 1] ?? "")) trees.push(argv[++i] as TreeName);
    else {
      console.error("usage: dioscope main-job [--tree 6.1|6.12]...");
      return 2;
    }
  }
  const rows = seedRows(trees.length ? trees : [...TREE_NAMES], (l) => process.stderr.write(`${l}\n`));
  const table = [["seed", "tree", "patch vs tree", "before", "after", "verdict"], ...rows.map((r) => [r.seed, r.tree, r.patch, r.before, r.after, r.verdict])];
  const widths = table[0]!.map((_, c) => Math.min(70, Math.max(...table.map((r) => r[c]!.length))));
  for (const r of table) console.log(r.map((cell, c) => (cell.length > widths[c]! ? cell.slice(0, widths[c]! - 1) + "…" : cell).padEnd(widths[c]!)).join("  ").trimEnd());
  let bad = false;
  for (const r of rows) {
    const v = r.verdictOf;
    if (!v || v.verdict === "not-applicable") continue;
    if (v.verdict !== "fixed") bad = true;
    if (v.after && !v.after.passed) console.log(`\n${r.seed} on ${r.tree}:\n` + explainRun("after", v.after).join("\n"));
  }
  return bad ? 1 : 0;
}
