// The human timeline of a run: one column per CPU, in the two-column style
// of the ext4 mail's diagram, with task names and kernel function names.
// Built from what the machine logged: context switches of the scenario's
// tasks, device interrupts, stalls (breakpoints), bios, agent commands and
// console messages.
import type { ScenarioRun } from "./run.ts";
import { errnoName } from "../agent/api.ts";

interface Row {
  timeNs: number;
  cpu: number;
  text: string;
  order: number;
}

const WIDTH = 58;

function clip(s: string): string {
  return s.length > WIDTH ? s.slice(0, WIDTH - 1) + "…" : s;
}

export function timeline(run: ScenarioRun): string {
  const { cpus, taskNames } = run;
  const rows: Row[] = [];
  let order = 0;
  const push = (timeNs: number, cpu: number, text: string) => rows.push({ timeNs, cpu, text, order: order++ });
  const isTask = (s: string) => taskNames.some((n) => s.startsWith(`${n}[`));
  for (const e of run.trace) {
    if (e.kind === "switch") {
      const [prev, next] = e.text.split(" -> ");
      if (isTask(prev ?? "") || isTask(next ?? "")) push(e.timeNs, e.cpu, `${prev} sleeps${e.where?.length ? " in " + e.where.slice(0, 2).join(" < ") : ""}; ${next} runs`);
    } else if (e.kind === "irq") {
      if (e.text.startsWith("blk#")) push(e.timeNs, e.cpu, `interrupt: bio ${e.text.slice(3)} completes`);
    } else push(e.timeNs, e.cpu, `${e.kind === "park" ? "CPU stalls: " : e.kind === "unpark" ? "CPU resumes: " : ""}${e.text}${e.where?.length ? " (" + e.where.slice(0, 3).join(" < ") + ")" : ""}`);
  }
  for (const b of run.bios) {
    const st = b.status === 0 ? "" : ` status ${b.status}`;
    push(b.submitNs, b.cpu, `bio #${b.index} ${b.op} sector ${b.sector}+${b.bytes / 512}${b.nowait ? " NOWAIT" : ""} submitted (${b.completion})${st}`);
  }
  for (const c of run.commands) {
    const what = `${c.command.op}${c.command.len ? ` ${c.command.len}@${c.command.off ?? 0}` : ""}${c.command.path ? " " + c.command.path : ""}`;
    const who = taskNames[c.task] ?? `agent${c.task}`;
    if (c.returnedNs !== null) push(c.returnedNs, c.cpus[0] ?? 0, `${who}: ${what} returns ${errnoName(c.returned!)}`);
    if (c.completedNs !== null) push(c.completedNs, c.cpus[c.cpus.length - 1] ?? 0, `${who}: ${what} completes ${errnoName(c.completed!)}`);
  }
  for (const l of run.console) if (/WARNING|BUG|failure|error|Error|corruption/.test(l.text)) push(l.timeNs, l.cpu, `console: ${l.text.trim()}`);
  rows.sort((a, b) => a.timeNs - b.timeNs || a.order - b.order);
  const head = ["  time (ms)  ", ...Array.from({ length: cpus }, (_, i) => `CPU ${i}`.padEnd(WIDTH))].join(" | ");
  const lines = [head, "-".repeat(head.length)];
  for (const r of rows) {
    const cols = Array.from({ length: cpus }, (_, i) => (i === r.cpu ? clip(r.text) : "").padEnd(WIDTH));
    lines.push([(r.timeNs / 1e6).toFixed(6).padStart(12) + " ", ...cols].join(" | ").trimEnd());
  }
  return lines.join("\n");
}
