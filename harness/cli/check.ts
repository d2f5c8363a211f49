// `dioscope check`: ingest → before/after builds → boot → scenarios →
// verdicts. KTAP on stdout (nested per tree), --json for machines; progress
// on stderr when it is a terminal.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CHECK_DEFAULT_CONFIG, runCheck } from "../check/check.ts";
import { PCT_DEPTH } from "../explore/explore.ts";
import { MAIN_JOB_EXPLORE } from "../check/mainjob.ts";
import { GENERIC_DEFAULT } from "../check/generic.ts";
import { ingest, IngestError } from "../ingest/index.ts";
import { ktap } from "../report/ktap.ts";
import { fromCheckReport } from "../report/adapt.ts";
import { emitReport, REPORT_FLAGS, reportRequest } from "../report/outputs.ts";
import { terminalProgress } from "../report/progress.ts";
import { bundledScenarios, findScenarios, ScenarioError } from "../scenario/load.ts";
import { scenarioMode, type Scenario } from "../scenario/types.ts";
import { TREE_NAMES } from "../tree/source.ts";
import { COMMON, command, configFlags, configOf, intOf, treesOf, UsageError, type CommandSpec } from "./args.ts";

export const CHECK: CommandSpec = {
  name: "check",
  positionals: "<mail|mbox|dir>...",
  summary:
    "Judges a patch or series on each tree: does it fix what it claims, does it break anything?\n" +
    "Locates it, builds the tree before and after it, runs the scenarios that reproduce the mail or exercise the files\n" +
    "it changes (or the ones named), and prints a verdict per scenario: fixed, regressed, no effect, not applicable,\n" +
    "not judged (nothing this configuration compiles changed).",
  options: {
    tree: COMMON.tree,
    base: COMMON.base,
    rev: COMMON.rev,
    scenario: COMMON.scenario,
    explore: { type: "string", value: "N", help: `also run unguided scenarios under PCT, N schedules per side (the main job uses ${MAIN_JOB_EXPLORE.budget})` },
    seed: COMMON.seed,
    budget: {
      type: "string",
      value: "N",
      help: `generic suite: N generated cases per tree (default ${GENERIC_DEFAULT.budget}); a case is one workload run under the natural schedule and --schedules PCT schedules, on the tree before and after the patch`,
    },
    schedules: { type: "string", value: "K", help: `generic suite: PCT schedules per case after the natural one (default ${GENERIC_DEFAULT.schedules})` },
    "no-generic": { type: "boolean", help: "skip the generic suite (run only the scenarios)" },
    first: { type: "boolean", help: "generic suite: stop at the first case that changes sides (fixed or regressed); --budget is then an upper bound. Same inputs, same stopping case" },
    "no-emphasis": { type: "boolean", help: "generic suite: every case as the generator draws it alone (by default every other round of the filesystems favours the operations the patch's words name: fsync, O_APPEND, freeze, ...)" },
    "no-scenarios": { type: "boolean", help: "run only the generic suite (no bundled or named scenario); not with --no-generic, --scenario or --explore" },
    ...configFlags(CHECK_DEFAULT_CONFIG),
    json: COMMON.json,
    ...REPORT_FLAGS,
    help: COMMON.help,
  },
  more:
    "The generic suite runs by default: generated direct-I/O workloads (1-3 user tasks; O_DIRECT, buffered, AIO, io_uring,\n" +
    "preadv2/pwritev2 flags, syncs, truncate, fallocate; bio faults) on the filesystems of the files the patch changes\n" +
    "(all of them for iomap, direct-io.c, block and other shared code), judged by the generic oracles only. Every other\n" +
    "round of the filesystems favours the operations the patch's subject, message and changed lines name (fsync, O_APPEND, truncate, freeze, ...;\n" +
    "the report says which words asked for what; --no-emphasis: none do). Its budget\n" +
    "counts cases and schedules, never time: the same inputs give the same verdict. \"fixed\": a case fails before and\n" +
    "passes after; \"regressed\": passes before and fails after; each with the shrunk workload and a replay token.\n" +
    "exit status: 0 nothing regressed, 1 a scenario or the generic suite regressed (or the patch breaks the build), 2 unusable input",
};

function expand(inputs: string[]): string[] {
  return inputs.flatMap((p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    return st.isDirectory()
      ? readdirSync(p)
          .filter((f) => !f.startsWith("."))
          .sort()
          .map((f) => join(p, f))
      : [p];
  });
}

/** The scenarios named with --scenario (names or files), or null; an unguided one needs --explore. */
export async function namedScenarios(specs: string[] | undefined, exploring: boolean): Promise<Scenario[] | null> {
  if (!specs?.length) return null;
  const list = (await Promise.all(specs.map((s) => findScenarios(s)))).flat();
  const unguided = list.filter((s) => scenarioMode(s) === "unguided");
  if (unguided.length && !exploring) throw new UsageError(`${unguided.map((s) => s.name).join(", ")}: unguided (no scripted schedule): give --explore N`);
  return list;
}

export async function runCheckCli(argv: string[]): Promise<number> {
  return command(CHECK, argv, async (p) => {
    if (!p.positionals.length) throw new UsageError("which mail? (a file, an mbox or a directory of them)");
    const genericOnly = p.values["no-scenarios"] === true;
    if (genericOnly && p.values["no-generic"]) throw new UsageError("--no-scenarios and --no-generic together leave nothing to run");
    if (genericOnly && (p.values.scenario !== undefined || p.values.explore !== undefined)) throw new UsageError("--scenario and --explore run scenarios: not with --no-scenarios");
    const budget = p.values.explore === undefined ? undefined : intOf(p, "explore", 0, 1);
    const explore = budget === undefined ? undefined : { budget, seed: intOf(p, "seed", 1), depth: PCT_DEPTH };
    const trees = treesOf(p, TREE_NAMES);
    const generic = p.values["no-generic"]
      ? undefined
      : { budget: intOf(p, "budget", GENERIC_DEFAULT.budget, 1), seed: intOf(p, "seed", GENERIC_DEFAULT.seed), schedules: intOf(p, "schedules", GENERIC_DEFAULT.schedules), emphasis: p.values["no-emphasis"] !== true, first: p.values.first === true };
    if (!generic && (p.values.budget !== undefined || p.values.schedules !== undefined || p.values["no-emphasis"] !== undefined || p.values.first !== undefined)) throw new UsageError("--budget, --schedules, --no-emphasis and --first are the generic suite's: not with --no-generic");
    const req = reportRequest(p.values as Parameters<typeof reportRequest>[0]);
    if ("error" in req) throw new UsageError(req.error);
    const progress = terminalProgress(process.stderr, { json: p.values.json === true });
    let report, series, files: string[];
    try {
      const scenarios = genericOnly ? [] : await namedScenarios(p.values.scenario as string[] | undefined, explore !== undefined);
      const candidates = genericOnly ? [] : await bundledScenarios();
      files = expand(p.positionals);
      series = ingest(files);
      report = runCheck(series, { trees, config: configOf(p, CHECK_DEFAULT_CONFIG), scenarios, candidates, explore, generic, inputs: p.positionals, log: progress.log, tick: (what, done, total) => progress.tick(what, done, total) });
      progress.end();
    } catch (e) {
      if (e instanceof IngestError || e instanceof ScenarioError) {
        console.error(`dioscope check: ${e.message}`);
        return 2;
      }
      throw e;
    }
    const out = emitReport(fromCheckReport(report, { series }), req, () => readFileSync(files[0]!, "utf8"));
    if (out !== null) process.stdout.write(out);
    else if (p.values.json) process.stdout.write(JSON.stringify(report, null, 1) + "\n");
    else process.stdout.write(ktap(report));
    return report.regressed ? 1 : 0;
  });
}
