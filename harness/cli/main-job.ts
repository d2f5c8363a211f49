// `dioscope main-job`: what ./build.sh ends with — `check` over every
// bundled mail on every tree (unguided scenarios explored), as one table:
// mail × tree × located × scenario × before × after × verdict. Failing runs'
// timelines follow the table.
import { mainJob } from "../check/mainjob.ts";
import { explainRun } from "../report/ktap.ts";
import { bundledScenarios } from "../scenario/load.ts";
import { TREE_NAMES } from "../tree/source.ts";
import { COMMON, command, treesOf, type CommandSpec } from "./args.ts";

export const MAIN_JOB: CommandSpec = {
  name: "main-job",
  positionals: "",
  summary: "Runs `dioscope check` over every mail in patches/ on every tree and prints one table.",
  options: { tree: COMMON.tree, base: COMMON.base, json: COMMON.json, help: COMMON.help },
  more: "exit status: 0 every scenario that declares it reproduces a mail says \"fixed\" (or is declared not applicable); 1 otherwise",
};

const COLUMNS = ["mail", "tree", "located", "scenario", "before", "after", "verdict"] as const;
const CELL_MAX = 70;

export async function runMainJob(argv: string[]): Promise<number> {
  return command(MAIN_JOB, argv, async (p) => {
    const { reports, rows } = mainJob(treesOf(p, TREE_NAMES), await bundledScenarios(), (l) => process.stderr.write(`${l}\n`));
    if (p.values.json) {
      process.stdout.write(JSON.stringify({ reports, rows: rows.map(({ v: _v, ...r }) => r) }, null, 1) + "\n");
      return rows.every((r) => r.ok) ? 0 : 1;
    }
    const table = [[...COLUMNS] as string[], ...rows.map((r) => COLUMNS.map((c) => `${r[c]}${c === "verdict" && !r.ok ? " (EXPECTED fixed)" : ""}`))];
    const widths = table[0]!.map((_, c) => Math.min(CELL_MAX, Math.max(...table.map((r) => r[c]!.length))));
    for (const r of table) console.log(r.map((cell, c) => (cell.length > widths[c]! ? cell.slice(0, widths[c]! - 1) + "…" : cell).padEnd(widths[c]!)).join("  ").trimEnd());
    for (const r of rows) if (r.v?.after && !r.v.after.passed && r.expected) console.log(`\n${r.scenario} on ${r.tree}:\n` + explainRun("after", r.v.after, r.v.reproduce).join("\n"));
    return rows.every((r) => r.ok) ? 0 : 1;
  });
}
