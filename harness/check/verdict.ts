// The verdict of one scenario on one tree for one change: how the run on
// the tree before the change compares with the run after it. The evidence is
// typed (runs, explored schedules with their replay tokens); `reason` is the
// one line a person reads, made from it here and nowhere else.
import { lockCheckingOffAfter, sameSignature, signatureOf, type FindingSignature, type OracleFinding } from "../oracles/index.ts";
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
  /** Scripted: failures both sides show with the same signature (reported, not deciding). */
  preExisting?: PreExisting[];
}

/**
 * A failure both sides of the same case show with the same signature
 * (harness/oracles/signature.ts): a finding of the tree, not of the change.
 * It is reported but decides nothing.
 */
export interface PreExisting {
  signature: FindingSignature;
  /** The after side's finding (its message and evidence). */
  finding: OracleFinding;
  /** The kernel stopped checking locks with this report (on the after side). */
  stopsLockChecking: boolean;
}

/** The after side's findings whose signature the before side also has, one per signature. */
export function preExisting(before: ScenarioRun, after: ScenarioRun): PreExisting[] {
  const had = before.oracles.findings.map(signatureOf);
  const off = lockCheckingOffAfter(after.oracles.findings);
  const out: PreExisting[] = [];
  for (const f of after.oracles.findings) {
    const signature = signatureOf(f);
    if (!had.some((s) => sameSignature(s, signature)) || out.some((p) => sameSignature(p.signature, signature))) continue;
    out.push({ signature, finding: f, stopsLockChecking: f === off });
  }
  return out;
}

/** A run's findings without the pre-existing ones. */
function ownFindings(r: ScenarioRun, shared: readonly PreExisting[]): OracleFinding[] {
  return r.oracles.findings.filter((f) => !shared.some((p) => sameSignature(p.signature, signatureOf(f))));
}

/** What failed in a run, the pre-existing findings set aside: expectations by name, findings as oracle:<name>. */
function ownFailures(r: ScenarioRun, shared: readonly PreExisting[]): string[] {
  const names = [...r.results.filter((x) => x.failure).map((x) => x.name), ...ownFindings(r, shared).map((f) => `oracle:${f.oracle}`)];
  return [...new Set(names)];
}

function decide(failsBefore: boolean, failsAfter: boolean): Verdict {
  return failsBefore && !failsAfter ? "fixed" : !failsBefore && failsAfter ? "regressed" : "no-effect";
}

/** A finding in a reason: a kernel report by its first line and function, any other by its oracle. */
function findingLabel(f: OracleFinding): string {
  const e = f.evidence;
  return e.kind === "console" ? `oracle:console (${f.message}${e.frame ? ` in ${e.frame}` : ""})` : `oracle:${f.oracle}`;
}

function describePreExisting(p: PreExisting): string {
  const at = p.signature.frame ? ` in ${p.signature.frame}` : "";
  return `${p.finding.message}${at}${p.stopsLockChecking ? "; lock checking off after it" : ""}`;
}

/**
 * Before against after, per case: a failure with the same signature on both
 * sides is the tree's and does not decide; what is left does ("fixed" when
 * only the before side fails, "regressed" when only the after side does or
 * the after side has a failure of its own that the before side has not).
 */
export function verdictOf(scenario: string, before: ScenarioRun, after: ScenarioRun, reproduce: string[]): ScenarioVerdict {
  const shared = preExisting(before, after);
  const failsB = ownFailures(before, shared), failsA = ownFailures(after, shared);
  // Every own finding of the after side is one the before side has not (shared ones are set aside).
  const fresh = [...new Set(ownFindings(after, shared).map(findingLabel))];
  const verdict = fresh.length && failsB.length ? "regressed" : decide(failsB.length > 0, failsA.length > 0);
  const why = (names: string[]) => names.join("; ");
  const base =
    verdict === "fixed"
      ? `fails before (${why(failsB)}), passes after`
      : verdict === "regressed"
        ? failsB.length
          ? `fails before (${why(failsB)}); after, new: ${fresh.join("; ")}`
          : `passes before, fails after (${why(failsA)})`
        : !failsB.length
          ? "passes before and after"
          : `fails before and after (${why(failsA)})`;
  const also = shared.length ? `; also on both sides: ${shared.map(describePreExisting).join("; ")}` : "";
  return { scenario, mode: "scripted", verdict, reason: base + also, before, after, preExisting: shared, reproduce };
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
