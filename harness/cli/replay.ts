// `dioscope replay <token> [--times N] [--json]`: runs the schedule a token
// names (scenario, kernel build, steps) exactly, prints the verdict, the
// timeline and the console; --times N runs it N times and requires the
// same failures and the same event-log hash every time.
// Exit 0: the run passes; 1: it fails (the failure reproduced); 2: the
// token is unusable, its kernel build is gone, or the replay diverged.
import { describe, scheduleReport } from "../explore/report.ts";
import { replaySteps } from "../explore/runner.ts";
import { decodeToken, TokenError } from "../explore/schedule.ts";
import { scenarioByHash } from "../explore/scenarios.ts";
import { bundledScenarios, loadScenarioFile } from "../scenario/load.ts";
import { kernelById } from "../variants/kernels.ts";
import { parseWorkload, WorkloadSyntaxError } from "../generate/text.ts";
import { targetOf } from "../generate/suite.ts";
import type { Workload } from "../generate/workload.ts";
import { COMMON, command, intOf, UsageError, type CommandSpec } from "./args.ts";

export const REPLAY: CommandSpec = {
  name: "replay",
  positionals: "<token>",
  summary: "Runs the schedule a replay token names (scenario, kernel build, steps) exactly and prints the verdict, timeline and console.",
  options: {
    times: { type: "string", value: "N", help: "run it N times and require the same failures and event-log hash every time" },
    scenario: { ...COMMON.scenario, help: "a scenario file to look the token's scenario up in (besides the bundled ones); repeat for several" },
    workload: { type: "string", value: "TEXT", help: "the generated workload the token ran (its text as the check printed it; lines may be joined with \" | \")" },
    json: COMMON.json,
    help: COMMON.help,
  },
  more: "exit status: 0 the run passes, 1 it fails (the failure reproduced), 2 the token is unusable, its build is gone, or the replay diverged",
};

export async function runReplayCli(argv: string[]): Promise<number> {
  return command(REPLAY, argv, async (p) => {
    if (p.positionals.length !== 1) throw new UsageError("give one replay token");
    let workload = null;
    if (typeof p.values.workload === "string")
      try {
        workload = parseWorkload(p.values.workload);
      } catch (e) {
        if (e instanceof WorkloadSyntaxError) throw new UsageError(`--workload: ${e.message}`);
        throw e;
      }
    return replay(p.positionals[0]!, intOf(p, "times", 1, 1), Boolean(p.values.json), (p.values.scenario as string[] | undefined) ?? [], workload);
  });
}

async function replay(token: string, times: number, json: boolean, files: string[], workload: Workload | null): Promise<number> {
  let d;
  try {
    d = decodeToken(token);
  } catch (e) {
    if (e instanceof TokenError) {
      console.error(`dioscope replay: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const known = [...(await bundledScenarios()), ...(await Promise.all(files.map((f) => loadScenarioFile(f)))).flat()];
  const built = kernelById(d.tree, d.buildId);
  const generated = workload ? targetOf(workload, built ?? { tree: d.tree, buildId: d.buildId, wasmPath: "", label: "" }) : null;
  const scenario = scenarioByHash(generated ? [generated.scenario, ...known] : known, d.scenarioHash);
  if (!scenario) {
    console.error(`dioscope replay: the token names a scenario that is neither bundled nor in a --scenario file${workload ? " (nor the --workload given)" : ""}`);
    return 2;
  }
  const kernel = built;
  if (!kernel) {
    console.error(`dioscope replay: kernel build ${d.tree}/${d.buildId} is not in wasm/ (rebuild it: the same dioscope explore command with the same sources)`);
    return 2;
  }
  // A generated case's natural schedule is judged with the after-run probe, its PCT schedules without (harness/generate/suite.ts).
  const t = { scenario, kernel, failNth: d.failNth, probe: scenario === generated?.scenario && d.steps.length === 0 };
  const reports = [];
  for (let i = 0; i < times; i++) {
    const r = replaySteps(t, d.steps, { trace: true });
    if (r.outcome.diverged) {
      console.error(`dioscope replay: run ${i + 1} diverged from the schedule: ${r.outcome.diverged}`);
      return 2;
    }
    reports.push(scheduleReport(token, r.run, r.outcome));
  }
  const first = reports[0]!;
  const same = reports.every((r) => r.eventHash === first.eventHash && r.failures.join("\n") === first.failures.join("\n"));
  if (json) process.stdout.write(JSON.stringify({ scenario: scenario.name, kernel, times, identical: same, failed: first.failed, ...(times > 1 ? { eventHashes: reports.map((r) => r.eventHash) } : {}), run: first }, null, 1) + "\n");
  else {
    console.log(`${scenario.name} on ${kernel.label} (build ${kernel.buildId}), ${d.strategy} schedule (seed ${d.seed}, index ${d.index}): ${first.failed ? "FAILS" : "passes"}`);
    for (const l of describe(first)) console.log(l);
    if (times > 1) console.log(`${times} replays: ${same ? "identical failures and event-log hash " + first.eventHash : "DIFFERENT results"}`);
  }
  if (!same) return 2;
  return first.failed ? 1 : 0;
}
