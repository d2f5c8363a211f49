// One schedule of a scenario on a kernel: restore the scenario's snapshot,
// run it under a recording scheduler, and judge it by the scenario's own
// expectations (the real kernel's observables). Divergence of a strict
// replay is reported as such, never as a failure of the kernel.
import { failedNames, runFails, runScenario, type RunTiming, type ScenarioRun } from "../scenario/run.ts";
import type { FailNth } from "../agent/host.ts";
import type { Scenario } from "../scenario/types.ts";
import type { KernelRef } from "../variants/kernels.ts";
import type { Step } from "./schedule.ts";
import { Follow, type Recording } from "./strategies.ts";

export type { KernelRef };

export interface Target {
  scenario: Scenario;
  kernel: KernelRef;
  /** A fault injected into the run (an input like the schedule; replayed with its token). */
  failNth?: FailNth;
  /** Run the oracles' after-run probe (re-reads, close, unmount, fsck) after each schedule; default false. */
  probe?: boolean;
}

export interface Outcome {
  failed: boolean;
  /** Names of the expectations that did not hold (sorted). */
  failedNames: string[];
  /** "name: what was seen", for reports. */
  failures: string[];
  steps: Step[];
  preemptions: number;
  consultations: number;
  /** Set when a strict replay did not follow its schedule (the run says nothing about the kernel). */
  diverged: string | null;
}

export interface RunWithOptions {
  /** Keep the event log (reports); off while exploring. */
  trace?: boolean;
  timing?: RunTiming;
}

export function runWith(t: Target, sched: Recording, o: RunWithOptions = {}): { run: ScenarioRun; outcome: Outcome } {
  const trace = o.trace ?? false;
  const run = runScenario(t.scenario, t.kernel.wasmPath, sched, { trace, restoreAfter: false, probe: t.probe ?? false, timing: o.timing, failNth: t.failNth, onMachine: trace ? (m) => (sched.machine = m) : undefined });
  sched.machine = null;
  const diverged = sched instanceof Follow ? sched.diverged : null;
  const bad = run.results.filter((r) => r.failure !== null);
  const found = run.oracles.findings;
  return {
    run,
    outcome: {
      failed: diverged === null && runFails(run),
      failedNames: failedNames(run).sort(),
      failures: [...bad.map((r) => `${r.name}: ${r.failure!.split("\n")[0]}`), ...found.map((f) => `oracle:${f.oracle}: ${f.message.split("\n")[0]}`)],
      steps: sched.steps,
      preemptions: sched.preemptions,
      consultations: sched.consultations,
      diverged,
    },
  };
}

/** Replays steps exactly (strict); a divergence, or steps left unapplied, is reported in `diverged`. */
export function replaySteps(t: Target, steps: readonly Step[], o: RunWithOptions = {}): { run: ScenarioRun; outcome: Outcome } {
  const f = new Follow(steps, true);
  const r = runWith(t, f, o);
  if (!r.outcome.diverged && !f.complete(steps.length))
    r.outcome.diverged = `the run ended after ${f.consultations} consultations with ${steps.length - f.applied} of ${steps.length} steps not reached`;
  if (r.outcome.diverged) r.outcome.failed = false;
  return r;
}

/** Same failure: the same set of expectations failed. */
export function sameFailure(a: Outcome, names: readonly string[]): boolean {
  return a.failed && a.failedNames.length === names.length && a.failedNames.every((n, i) => n === names[i]);
}
