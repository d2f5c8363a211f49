// `dioscope check <mail|mbox|dir...> [--base 6.1|6.12] [--scenario NAME] [--json]`:
// ingest → before/after builds → boot → scenarios → verdicts. KTAP on
// stdout (nested per tree), --json for machines; progress on stderr when it
// is a terminal. Exit 0 when no scenario regressed, 1 when one did, 2 on
// unusable input.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCheck } from "../check/check.ts";
import { ingest, IngestError } from "../ingest/index.ts";
import { ktap } from "../report/ktap.ts";
import { findScenario, SCENARIOS } from "../scenario/registry.ts";
import { isTreeName, TREE_NAMES, type TreeName } from "../tree/source.ts";

const USAGE = "usage: dioscope check <mail|mbox|dir...> [--base 6.1|6.12]... [--scenario NAME]... [--explore N [--seed S]] [--json]";

function expand(inputs: string[]): string[] {
  return inputs.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => !f.startsWith("."))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

export async function runCheckCli(argv: string[]): Promise<number> {
  const files: string[] = [];
  const trees: TreeName[] = [];
  const names: string[] = [];
  let json = false;
  let explore: { budget: number; seed: number; depth: number } | undefined;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--base" && isTreeName(argv[i + 1] ?? "")) trees.push(argv[++i] as TreeName);
    else if (a === "--scenario" && argv[i + 1]) names.push(argv[++i]!);
    else if (a === "--json") json = true;
    else if (a === "--explore" && /^\d+$/.test(argv[i + 1] ?? "")) explore = { budget: Number(argv[++i]), seed: 1, depth: 3 };
    else if (a === "--seed" && /^\d+$/.test(argv[i + 1] ?? "")) seed = Number(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log(`${USAGE}\nscenarios:\n${SCENARIOS.map((s) => `  ${s.name}: ${s.title}`).join("\n")}`);
      return 0;
    } else if (a.startsWith("-")) {
      console.error(USAGE);
      return 2;
    } else files.push(a);
  }
  if (!files.length) {
    console.error(USAGE);
    return 2;
  }
  const scenarios = names.length ? names.map((n) => findScenario(n) ?? n) : [...SCENARIOS];
  const unknown = scenarios.filter((s) => typeof s === "string");
  if (unknown.length) {
    console.error(`dioscope: unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
    return 2;
  }
  let series;
  try {
    series = ingest(expand(files));
  } catch (e) {
    if (e instanceof IngestError) {
      console.error(`dioscope: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const progress = process.stderr.isTTY ? (l: string) => process.stderr.write(`${l}\n`) : undefined;
  const useTrees = trees.length ? trees : [...TREE_NAMES];
  if (explore) explore.seed = seed;
  const report = runCheck(series, { trees: useTrees, scenarios: scenarios as typeof SCENARIOS, explore, log: progress });
  if (json) process.stdout.write(JSON.stringify(report, null, 1) + "\n");
  else process.stdout.write(ktap(report, useTrees));
  return report.regressed ? 1 : 0;
}
