// The verdict of one scenario on one tree for one change: how the run on
// the tree before the change compares with the run after it.
import type { ScenarioRun } from "../scenario/run.ts";

export type Verdict = "fixed" | "regressed" | "no-effect" | "not-applicable";

export interface ScenarioVerdict {
  scenario: string;
  verdict: Verdict;
  /** One line: why (fails before, passes after; not applicable because ...). */
  reason: string;
  before: ScenarioRun | null;
  after: ScenarioRun | null;
}

export function verdictOf(scenario: string, before: ScenarioRun, after: ScenarioRun): ScenarioVerdict {
  const b = before.passed, a = after.passed;
  const why = (r: ScenarioRun) => r.results.filter((x) => x.failure).map((x) => x.name).join("; ");
  if (!b && a) return { scenario, verdict: "fixed", reason: `fails before (${why(before)}), passes after`, before, after };
  if (b && !a) return { scenario, verdict: "regressed", reason: `passes before, fails after (${why(after)})`, before, after };
  return { scenario, verdict: "no-effect", reason: b ? "passes before and after" : `fails before and after (${why(after)})`, before, after };
}

export function notApplicable(scenario: string, reason: string): ScenarioVerdict {
  return { scenario, verdict: "not-applicable", reason, before: null, after: null };
}
