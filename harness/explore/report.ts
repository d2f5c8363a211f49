// What an exploration reports about one schedule: its replay token, the
// failed expectations, the two-column timeline and the full event log
// (machine events, bios, agent commands, console) for the JSON report.
import { timeline } from "../scenario/timeline.ts";
import type { ScenarioRun } from "../scenario/run.ts";
import type { Outcome } from "./runner.ts";
import { fnv1a, type Step } from "./schedule.ts";

export interface ScheduleReport {
  token: string;
  failed: boolean;
  failures: string[];
  preemptions: number;
  consultations: number;
  steps: Step[];
  observed: ScenarioRun["observed"]["values"];
  timeline: string;
  /** The full event log of the run. */
  events: ScenarioRun["trace"];
  bios: ScenarioRun["bios"];
  commands: ScenarioRun["commands"];
  console: ScenarioRun["console"];
  /** fnv1a of the event log, console and observed values (same schedule, same hash). */
  eventHash: string;
}

export function eventHash(run: ScenarioRun): string {
  const text = JSON.stringify([run.trace, run.console, run.observed, run.bios, run.commands.map((c) => [c.returned, c.completed, c.returnedNs, c.completedNs])]);
  return fnv1a(text).toString(16).padStart(8, "0");
}

export function scheduleReport(token: string, run: ScenarioRun, o: Outcome): ScheduleReport {
  return {
    token,
    failed: o.failed,
    failures: o.failures,
    preemptions: o.preemptions,
    consultations: o.consultations,
    steps: o.steps,
    observed: run.observed.values,
    timeline: timeline(run),
    events: run.trace,
    bios: run.bios,
    commands: run.commands,
    console: run.console,
    eventHash: eventHash(run),
  };
}

/** The human form: failures, the timeline, the kernel's console lines that matter. */
export function describe(r: ScheduleReport): string[] {
  const out = [`token: ${r.token}`, `${r.steps.length} steps (${r.preemptions} preemptions) over ${r.consultations} consultations`];
  if (r.steps.length) out.push(`  steps: ${r.steps.map((s) => `#${s.at} ${s.what ?? `choice ${s.index}/${s.of}`}`).join(", ")}`);
  for (const f of r.failures) out.push(`  failed: ${f}`);
  out.push(`  observed: ${JSON.stringify(r.observed)}`);
  out.push(...r.timeline.split("\n").map((l) => `  ${l}`));
  const cons = r.console.filter((l) => /WARNING|BUG|failure|error|Error|corruption|Oops/.test(l.text));
  if (cons.length) {
    out.push("  console:");
    for (const l of cons.slice(-20)) out.push(`    <${l.cpu}> ${l.text.trim()}`);
  }
  return out;
}
