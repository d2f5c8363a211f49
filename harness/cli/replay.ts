// `dioscope replay <token> [--times N] [--json]`: runs the schedule a token
// names (scenario, kernel build, steps) exactly, prints the verdict, the
// timeline and the console; --times N runs it N times and requires the
// same failures and the same event-log hash every time.
// Exit 0: the run passes; 1: it fails (the failure reproduced); 2: the
// token is unusable, its kernel build is gone, or the replay diverged.
import { kernelById } from "../explore/kernels.ts";
import { describe, scheduleReport } from "../explore/report.ts";
import { replaySteps } from "../explore/runner.ts";
import { decodeToken, TokenError } from "../explore/schedule.ts";
import { scenarioByHash } from "../explore/scenarios.ts";

const USAGE = "usage: dioscope replay <token> [--times N] [--json]";

export async function runReplayCli(argv: string[]): Promise<number> {
  let token: string | undefined;
  let times = 1;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--times") times = Math.max(1, Math.floor(Number(argv[++i])) || 1);
    else if (a === "--json") json = true;
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      return 0;
    } else if (token === undefined && !a.startsWith("--")) token = a;
    else {
      console.error(USAGE);
      return 2;
    }
  }
  if (!token) {
    console.error(USAGE);
    return 2;
  }
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
  const scenario = scenarioByHash(d.scenarioHash);
  if (!scenario) {
    console.error("dioscope replay: the token names a scenario this version does not have");
    return 2;
  }
  const kernel = kernelById(d.tree, d.buildId);
  if (!kernel) {
    console.error(`dioscope replay: kernel build ${d.tree}/${d.buildId} is not in wasm/ (rebuild it: the same dioscope explore command with the same sources)`);
    return 2;
  }
  const t = { scenario, kernel, failNth: d.failNth };
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
