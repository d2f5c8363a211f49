// `dioscope explore <scenario> [--base 6.1|6.12] [--patch <mail> --side before|after]
//   [--strategy pct|random|bounded] [--budget N|--time S] [--seed S] [--shard i/n]
//   [--depth d] [--bound k] [--keep-going] [--seeds N] [--no-minimise] [--json]`
//
// Runs schedules of a scenario until one fails (or the budget is spent),
// minimises the failing schedule, prints its replay token and timeline.
// Exit 0: no failing schedule; 1: a schedule failed; 2: unusable input.
import { explore, naturalConsultations, type ExploreOptions, type ExploreResult, type ExploreStrategy } from "../explore/explore.ts";
import { resolveKernel, type Side } from "../explore/kernels.ts";
import { minimise } from "../explore/minimise.ts";
import { describe, scheduleReport, type ScheduleReport } from "../explore/report.ts";
import { replaySteps, type Target } from "../explore/runner.ts";
import { encodeToken } from "../explore/schedule.ts";
import { explorableScenarios, findExplorable } from "../explore/scenarios.ts";
import { seedSweep } from "../explore/sweep.ts";
import { applies } from "../scenario/registry.ts";
import { DEFAULT_TREE, isTreeName, type TreeName } from "../tree/source.ts";

const USAGE =
  "usage: dioscope explore <scenario> [--base 6.1|6.12] [--patch <mail> --side before|after] [--strategy pct|random|bounded]\n" +
  "         [--budget N | --time S] [--seed S] [--shard i/n] [--depth d] [--bound k] [--keep-going] [--seeds N] [--no-minimise] [--json]";

const HELP = `${USAGE}

  --strategy   pct (default; --depth d, default 3), random (uniform random walk),
               bounded (every schedule with at most --bound k deviations from the natural one, default 2)
  --budget N   schedules 0..N-1 (default 2000); --time S stops after S seconds instead (not reproducible)
  --seed S     explorer seed (default 1); --seeds N runs seeds S..S+N-1 and reports schedules to first failure
  --shard i/n  run the schedules with index % n == i (n shards together run what one run does)
  --keep-going count every failing schedule instead of stopping at the first
  Without --patch the pristine tree runs; --side before/after picks the tree without/with the patch.
`;

interface Args {
  scenario: string;
  tree: TreeName;
  patch?: { mail: string; side: Side };
  o: ExploreOptions;
  seeds: number;
  minimise: boolean;
  json: boolean;
}

function parse(argv: string[]): Args | string {
  let scenario: string | undefined;
  let tree: TreeName = DEFAULT_TREE;
  let mail: string | undefined;
  let side: Side | undefined;
  const o: ExploreOptions = { strategy: "pct", seed: 1, budget: 2000 };
  let budgetGiven = false;
  let seeds = 0;
  let min = true;
  let json = false;
  const num = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${what} needs a non-negative number`);
    return n;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const v = (): string | undefined => argv[++i];
      if (a === "--base") {
        const t = v() ?? "";
        if (!isTreeName(t)) return `unknown tree ${t}`;
        tree = t;
      } else if (a === "--patch") mail = v();
      else if (a === "--side") {
        const s = v();
        if (s !== "before" && s !== "after") return "--side is before or after";
        side = s;
      } else if (a === "--strategy") {
        const s = v();
        if (s !== "pct" && s !== "random" && s !== "bounded") return "--strategy is pct, random or bounded";
        o.strategy = s as ExploreStrategy;
      } else if (a === "--budget") {
        o.budget = Math.floor(num(v(), "--budget"));
        budgetGiven = true;
      } else if (a === "--time") o.timeS = num(v(), "--time");
      else if (a === "--seed") o.seed = Math.floor(num(v(), "--seed"));
      else if (a === "--seeds") seeds = Math.floor(num(v(), "--seeds"));
      else if (a === "--depth") o.depth = Math.max(1, Math.floor(num(v(), "--depth")));
      else if (a === "--bound") o.bound = Math.floor(num(v(), "--bound"));
      else if (a === "--shard") {
        const m = /^(\d+)\/(\d+)$/.exec(v() ?? "");
        if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) return "--shard is i/n with 0 <= i < n";
        o.shard = { index: Number(m[1]), count: Number(m[2]) };
      } else if (a === "--keep-going") o.keepGoing = true;
      else if (a === "--no-minimise") min = false;
      else if (a === "--json") json = true;
      else if (a.startsWith("-")) return `unknown option ${a}`;
      else if (scenario === undefined) scenario = a;
      else return `unexpected argument ${a}`;
    }
  } catch (e) {
    return (e as Error).message;
  }
  if (!scenario) return "which scenario?";
  if ((mail === undefined) !== (side === undefined)) return "--patch and --side go together";
  if (o.timeS !== undefined && !budgetGiven) o.budget = Number.MAX_SAFE_INTEGER;
  return { scenario, tree, patch: mail ? { mail, side: side! } : undefined, o, seeds, minimise: min, json };
}

function scenarioList(): string {
  return explorableScenarios()
    .map((s) => `  ${s.name}${s.seed ? ` (seed ${s.seed})` : ""}: ${s.title}`)
    .join("\n");
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
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(`${HELP}\nscenarios:\n${scenarioList()}`);
    return 0;
  }
  const args = parse(argv);
  if (typeof args === "string") {
    console.error(`dioscope explore: ${args}\n${USAGE}`);
    return 2;
  }
  const scenario = findExplorable(args.scenario);
  if (!scenario) {
    console.error(`dioscope explore: unknown scenario ${args.scenario}; known:\n${scenarioList()}`);
    return 2;
  }
  const na = applies(scenario, args.tree);
  if (na) {
    console.error(`dioscope explore: ${scenario.name} does not apply to ${args.tree}: ${na}`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  const log = tty ? (l: string) => process.stderr.write(`${l}\n`) : undefined;
  const kernel = resolveKernel(args.tree, args.patch, log);
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
