// A scenario run as the report sees it: the machine's event log, the bios,
// the agent commands and the console, turned into timeline events on the
// CPU that did them, in simulated time.
import { basename, dirname } from "node:path";
import { errnoName } from "../agent/api.ts";
import type { BioRecord } from "../block/device.ts";
import type { CommandRecord } from "../agent/host.ts";
import { wordSizeLabel } from "../oracles/index.ts";
import { runFails, type ScenarioRun } from "../scenario/run.ts";
import type { BioPhase, ConsoleEntry, RunView, TimelineEvent } from "./model.ts";

/** Console lines a reader must see. */
export const ALARMING = /WARNING|BUG|Oops|failure|error|Error|corruption/;
/** At most this many events per run are kept for a page (the earliest ones; a run that long is cut, and says so). */
export const MAX_EVENTS_PER_RUN = 4000;

function bioEvents(b: BioRecord, completedOn: Map<number, number>): TimelineEvent[] {
  const base = { kind: "bio" as const, index: b.index, op: b.op, sector: b.sector, sectors: Math.ceil(b.bytes / 512), nowait: b.nowait, status: b.status };
  const out: TimelineEvent[] = [{ ...base, timeNs: b.submitNs, cpu: b.cpu, phase: b.completion === "hold" ? "held" : "submitted" }];
  if (b.completedNs !== null) {
    const phase: BioPhase = b.status === 0 ? "completed" : "failed";
    out.push({ ...base, timeNs: b.completedNs, cpu: completedOn.get(b.index) ?? b.cpu, phase });
  }
  return out;
}

function commandEvents(c: CommandRecord, taskNames: readonly string[]): TimelineEvent[] {
  const task = taskNames[c.task] ?? `agent task ${c.task}`;
  const detail = `${c.command.len ? `${c.command.len} bytes at ${c.command.off ?? 0}` : ""}${c.command.path ? ` ${c.command.path}` : ""}`.trim();
  const out: TimelineEvent[] = [];
  if (c.returnedNs !== null && c.returned !== null)
    out.push({ kind: "command", timeNs: c.returnedNs, cpu: c.cpus[0] ?? 0, task, phase: "returned", op: c.command.op, detail, result: errnoName(c.returned) });
  if (c.completedNs !== null && c.completed !== null)
    out.push({ kind: "command", timeNs: c.completedNs, cpu: c.cpus[c.cpus.length - 1] ?? 0, task, phase: "completed", op: c.command.op, detail, result: errnoName(c.completed) });
  return out;
}

function traceEvents(run: ScenarioRun, completedOn: Map<number, number>): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const e of run.trace) {
    const where = e.where ?? [];
    if (e.kind === "switch") {
      const [from = "", to = ""] = e.text.split(" -> ");
      out.push({ kind: "switch", timeNs: e.timeNs, cpu: e.cpu, task: to, from, where });
    } else if (e.kind === "irq") {
      const bio = /^blk#(\d+)$/.exec(e.text);
      if (bio) completedOn.set(Number(bio[1]), e.cpu);
    } else if (e.kind === "park") {
      // The machine logs "<task> parked in <function>" (the breakpoint's function).
      const [task = "", at = where[0] ?? ""] = e.text.split(" parked in ");
      out.push({ kind: "stall", timeNs: e.timeNs, cpu: e.cpu, task, at, where });
    }
    else if (e.kind === "unpark") out.push({ kind: "resume", timeNs: e.timeNs, cpu: e.cpu, task: e.text, where });
    else out.push({ kind: "note", timeNs: e.timeNs, cpu: e.cpu, text: e.text });
  }
  return out;
}

export function consoleOf(run: ScenarioRun): ConsoleEntry[] {
  return run.console.filter((l) => l.text.trim()).map((l) => ({ timeNs: l.timeNs, cpu: l.cpu, text: l.text.trimEnd(), alarming: ALARMING.test(l.text) }));
}

/** The events of a run, ordered by simulated time (ties keep the order they were logged in). */
export function timelineEvents(run: ScenarioRun): TimelineEvent[] {
  const completedOn = new Map<number, number>();
  const all = traceEvents(run, completedOn);
  for (const b of run.bios) all.push(...bioEvents(b, completedOn));
  for (const c of run.commands) all.push(...commandEvents(c, run.taskNames));
  for (const l of consoleOf(run)) all.push({ kind: "console", timeNs: l.timeNs, cpu: l.cpu, text: l.text });
  const sorted = all.map((e, i) => ({ e, i })).sort((a, b) => a.e.timeNs - b.e.timeNs || a.i - b.i).map((x) => x.e);
  if (sorted.length <= MAX_EVENTS_PER_RUN) return sorted;
  const cut = sorted.slice(0, MAX_EVENTS_PER_RUN - 1);
  const last = cut[cut.length - 1]!;
  cut.push({ kind: "note", timeNs: last.timeNs, cpu: 0, text: `${sorted.length - cut.length} later events not shown` });
  return cut;
}

/** The build id of a kernel at wasm/<tree>/<build-id>/kernel.wasm. */
export function buildIdOf(wasmPath: string): string {
  return basename(dirname(wasmPath));
}

export function runView(side: "before" | "after", run: ScenarioRun): RunView {
  const events = timelineEvents(run);
  const times = events.map((e) => e.timeNs);
  return {
    side,
    passed: !runFails(run),
    buildId: buildIdOf(run.wasmPath),
    expectations: [
      ...run.results.map((r) => ({ name: r.name, held: r.failure === null, seen: r.failure?.split("\n")[0] ?? null })),
      ...run.oracles.findings.map((f) => ({ name: `oracle:${f.oracle}${f.expected ? " (expected by the scenario)" : ""}`, held: false, seen: f.message.split("\n")[0] ?? null })),
    ],
    wordSize: run.oracles.wordSize.map((w) => ({ message: wordSizeLabel(w), why: w.why })),
    observed: { ...run.observed.values },
    ended: run.observed.hang ?? run.error,
    cpus: run.cpus,
    startNs: times.length ? Math.min(...times) : 0,
    endNs: times.length ? Math.max(...times) : 0,
    events,
    console: consoleOf(run),
  };
}
