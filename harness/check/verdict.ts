// The verdict of one scenario on one tree for one change: how the run on
// the tree before the change compares with the run after it. The evidence is
// typed (runs, explored schedules with their replay tokens); `reason` is the
// one line a person reads, made from it here and nowhere else.
import type { ScenarioRun } from "../scenario/run.ts";
import type { ScenarioMode } from "../scenario/types.ts";

export type Verdict = "fixed" | "regressed" | "no-effect" | "not-applicable" | "not-judged";

/** One side of an explored (unguided) scenario: how many schedules ran, and the first that failed. */
export interface ExploredSide {
  schedules: number;
  first: { index: number; token: string; failedNames: string[] } | null;
}

export interface Explored {
  strategy: "pct";
  depth: number;
  seed: number;
  budget: number;
  before: ExploredSide;
  after: ExploredSide;
}

export interface ScenarioVerdict {
  scenario: string;
  mode: ScenarioMode;
  verdict: Verdict;
  /** One line: why (fails before, passes after; not applicable because ...). */
  reason: string;
  before: ScenarioRun | null;
  after: ScenarioRun | null;
  /** Unguided scenarios under the explorer: the schedules of each side. */
  explored?: Explored;
  /** The command that runs this verdict again (argv words). */
  reproduce: string[] | null;
}

const failedNames = (r: ScenarioRun) => r.results.filter((x) => x.failure).map((x) => x.name);

function decide(failsBefore: boolean, failsAfter: boolean): Verdict {
  return failsBefore && !failsAfter ? "fixed" : !failsBefore && failsAfter ? "regressed" : "no-effect";
}

export function verdictOf(scenario: string, before: ScenarioRun, after: ScenarioRun, reproduce: string[]): ScenarioVerdict {
  const verdict = decide(!before.passed, !after.passed);
  const why = (r: ScenarioRun) => failedNames(r).join("; ");
  const reason =
    verdict === "fixed"
      ? `fails before (${why(before)}), passes after`
      : verdict === "regressed"
        ? `passes before, fails after (${why(after)})`
        : before.passed
          ? "passes before and after"
          : `fails before and after (${why(after)})`;
  return { scenario, mode: "scripted", verdict, reason, before, after, reproduce };
}

export function exploredVerdict(scenario: string, x: Explored, reproduce: string[]): ScenarioVerdict {
  const say = (s: ExploredSide) =>
    s.first ? `fails (schedule #${s.first.index}: ${s.first.failedNames.join("; ")}; replay: dioscope replay ${s.first.token})` : `passes (${s.schedules} schedules)`;
  const verdict = decide(x.before.first !== null, x.after.first !== null);
  return { scenario, mode: "unguided", verdict, reason: `before ${say(x.before)}, after ${say(x.after)}`, before: null, after: null, explored: x, reproduce };
}

export function notApplicable(scenario: string, mode: ScenarioMode, reason: string): ScenarioVerdict {
  return { scenario, mode, verdict: "not-applicable", reason, before: null, after: null, reproduce: null };
}

export function notJudged(scenario: string, mode: ScenarioMode, reason: string): ScenarioVerdict {
  return { scenario, mode, verdict: "not-judged", reason, before: null, after: null, reproduce: null };
}
