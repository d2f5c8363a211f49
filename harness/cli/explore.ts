// `dioscope explore <scenario>`: runs schedules of a scenario until one fails (or the budget is spent),
// minimises the failing schedule, prints its replay token and timeline.
// Exit 0: no failing schedule; 1: a schedule failed; 2: unusable input.
import { explore, naturalConsultations, PCT_DEPTH, type ExploreOptions, type ExploreResult, type ExploreStrategy } from "../explore/explore.ts";
import { minimise } from "../explore/minimise.ts";
import { describe, scheduleReport, type ScheduleReport } from "../explore/report.ts";
import { replaySteps, type Target } from "../explore/runner.ts";
import { encodeToken } from "../explore/schedule.ts";
import { explorableOrder } from "../explore/scenarios.ts";
import { seedSweep } from "../explore/sweep.ts";
import { bundledScenarios, findScenarios, ScenarioError } from "../scenario/load.ts";
import { notApplicableOn, type Scenario } from "../scenario/types.ts";
import { NEWEST_TREE, type TreeName } from "../tree/source.ts";
import { resolveKernel, type Side } from "../variants/kernels.ts";
import { COMMON, command, ONE_TREE, intOf, treesOf, UsageError, type CommandSpec, type Parsed } from "./args.ts";

/** Schedules an exploration runs when neither --budget nor --time is given. */
const DEFAULT_BUDGET = 2000;

export const EXPLORE: CommandSpec = {
  name: "explore",
  positionals: "<scenario name|file>",
  summary: "Runs schedules of a scenario from its snapshot until one fails, minimises it, prints its replay token and timeline.",
  options: {
    ...ONE_TREE,
    patch: { type: "string", value: "MAIL", help: "run on the tree before or after this mail (with --side)" },
    side: { type: "string", value: "before|after", help: "which side of --patch" },
    strategy: { type: "string", value: "NAME", help: "pct (default; --depth d), random (uniform random walk), bounded (at most --bound k deviations)" },
    budget: { type: "string", value: "N", help: `schedules 0..N-1 (default ${DEFAULT_BUDGET})` },
    time: { type: "string", value: "S", help: "stop after S seconds instead of a budget (not reproducible)" },
    seed: COMMON.seed,
    seeds: { type: "string", value: "N", help: "run seeds S..S+N-1 and report schedules to first failure" },
    shard: { type: "string", value: "i/n", help: "run the schedules with index % n == i" },
    depth: { type: "string", value: "d", help: `PCT depth (default ${PCT_DEPTH})` },
    bound: { type: "string", value: "k", help: "bounded search: deviations from the natural schedule (default 2)" },
    "keep-going": { type: "boolean", help: "count every failing schedule instead of stopping at the first" },
    "no-minimise": { type: "boolean", help: "report the first failing schedule as found" },
    json: COMMON.json,
    help: COMMON.help,
  },
  more: "exit status: 0 no failing schedule, 1 a schedule failed, 2 unusable input",
};

interface Args {
  tree: TreeName;
  patch?: { mail: string; side: Side };
  o: ExploreOptions;
  seeds: number;
  minimise: boolean;
  json: boolean;
}

function strategyOf(v: unknown): ExploreStrategy {
  if (v === undefined) return "pct";
  if (v !== "pct" && v !== "random" && v !== "bounded") throw new UsageError("--strategy is pct, random or bounded");
  return v;
}

function argsOf(p: Parsed): Args {
  const [tree] = treesOf(p, [NEWEST_TREE]);
  const mail = p.values.patch as string | undefined;
  const side = p.values.side as string | undefined;
  if ((mail === undefined) !== (side === undefined)) throw new UsageError("--patch and --side go together");
  if (side !== undefined && side !== "before" && side !== "after") throw new UsageError("--side is before or after");
  const o: ExploreOptions = { strategy: strategyOf(p.values.strategy), seed: intOf(p, "seed", 1), budget: intOf(p, "budget", DEFAULT_BUDGET) };
  if (p.values.time !== undefined) {
    o.timeS = intOf(p, "time", 0, 1);
    if (p.values.budget === undefined) o.budget = Number.MAX_SAFE_INTEGER;
  }
  if (p.values.depth !== undefined) o.depth = intOf(p, "depth", PCT_DEPTH, 1);
  if (p.values.bound !== undefined) o.bound = intOf(p, "bound", 2);
  if (p.values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(String(p.values.shard));
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError("--shard is i/n with 0 <= i < n");
    o.shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  if (p.values["keep-going"]) o.keepGoing = true;
  return { tree: tree!, patch: mail ? { mail, side: side as Side } : undefined, o, seeds: intOf(p, "seeds", 0), minimise: !p.values["no-minimise"], json: Boolean(p.values.json) };
}

async function scenarioList(): Promise<string> {
  return explorableOrder(await bundledScenarios())
    .map((s) => `  ${s.name}${s.mode === "unguided" ? " (unguided)" : ""}: ${s.title}`)
    .join("\n");
}

/** The one scenario a name or file gives. */
async function oneScenario(spec: string): Promise<Scenario> {
  const list = await findScenarios(spec);
  if (list.length === 1) return list[0]!;
  const unguided = list.filter((s) => s.mode === "unguided");
  if (unguided.length === 1) return unguided[0]!;
  throw new UsageError(`${spec} names ${list.length} scenarios: ${list.map((s) => s.name).join(", ")}`);
}

function summary(r: ExploreResult): string {
  const p = Object.entries(r.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return (
    `${r.scenario} on ${r.kernel.label} (build ${r.kernel.buildId}): ${r.strategy}${p ? ` (${p})` : ""}, seed ${r.seed}, ` +
    `shard ${r.shard.index}/${r.shard.count}: ${r.schedules} schedules${r.probes ? ` (+${r.probes} probes)` : ""}, ${r.failures} failing` +
    (r.first ? `, first at schedule ${r.first.index}` : "") +
    (r.timedOut ? " (time limit)" : "")
  );
}

export async function runExploreCli(argv: string[]): Promise<number> {
  const spec = argv.includes("--help") || argv.includes("-h") ? { ...EXPLORE, more: `${EXPLORE.more}\n\nbundled scenarios:\n${await scenarioList()}` } : EXPLORE;
  return command(spec, argv, async (p) => {
    if (p.positionals.length !== 1) throw new UsageError(`which scenario? bundled:\n${await scenarioList()}`);
    const args = argsOf(p);
    let scenario: Scenario;
    try {
      scenario = await oneScenario(p.positionals[0]!);
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(e.message);
      throw e;
    }
    const na = notApplicableOn(scenario, args.tree);
    if (na) throw new UsageError(`${scenario.name} does not apply to ${args.tree}: ${na}`);
    return exploreScenario(scenario, args);
  });
}

async function exploreScenario(scenario: Scenario, args: Args): Promise<number> {
  const tty = process.stderr.isTTY;
  const log = tty ? (l: string) => process.stderr.write(`${l}\n`) : undefined;
  const kernel = resolveKernel(args.tree, scenario, args.patch, log);
  const t: Target = { scenario, kernel };

  if (args.seeds > 0) {
    const sweep = seedSweep(t, { ...args.o, keepGoing: false }, args.seeds);
    if (args.json) process.stdout.write(JSON.stringify(sweep, null, 1) + "\n");
    else for (const l of sweep.lines) console.log(l);
    return sweep.found > 0 ? 1 : 0;
  }

  const t0 = performance.now();
  let last = 0;
  const res = explore(t, {
    ...args.o,
    progress: tty
      ? (done, fails) => {
          const now = performance.now();
          if (now - last < 1000) return;
          last = now;
          process.stderr.write(`\r${done} schedules, ${fails} failing, ${((done / (now - t0)) * 1000).toFixed(0)}/s   `);
        }
      : undefined,
  });
  const wallS = (performance.now() - t0) / 1000;
  if (tty) process.stderr.write("\r");
  process.stderr.write(`${res.schedules + res.probes} runs in ${wallS.toFixed(1)} s (${((res.schedules + res.probes) / wallS).toFixed(0)} schedules/s; wall clock, not part of the result)\n`);

  let first: ScheduleReport | null = null;
  let minimised: (ScheduleReport & { tries: number }) | null = null;
  if (res.first) {
    const f = replaySteps(t, res.first.schedule.steps, { trace: true });
    first = scheduleReport(res.first.token, f.run, f.outcome);
    if (args.minimise) {
      const m = minimise(t, res.first.schedule.steps);
      const token = encodeToken({ ...res.first.schedule, strategy: "minimised", steps: m.steps });
      const r = replaySteps(t, m.steps, { trace: true });
      minimised = { ...scheduleReport(token, r.run, r.outcome), tries: m.tries };
    }
  }
  const { keys: _k, first: _f, ...plain } = res;
  if (args.json) {
    const natural = naturalConsultations(t);
    process.stdout.write(JSON.stringify({ ...plain, naturalConsultations: natural, first, minimised }, null, 1) + "\n");
  } else {
    console.log(summary(res));
    if (first) {
      console.log(`first failing schedule: ${first.token}`);
      console.log(`  ${first.steps.length} steps (${first.preemptions} preemptions); failed: ${first.failures.join("; ")}`);
    }
    if (minimised) {
      console.log(`minimised (${minimised.tries} tries):`);
      for (const l of describe(minimised)) console.log(`  ${l}`);
      console.log(`replay: dioscope replay ${minimised.token}`);
    } else if (first) {
      for (const l of describe(first)) console.log(`  ${l}`);
      console.log(`replay: dioscope replay ${first.token}`);
    }
  }
  return res.failures > 0 ? 1 : 0;
}
