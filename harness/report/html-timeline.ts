// The timeline of one run as HTML: one row per event in simulated-time
// order, one column per CPU (each cell banded with the task running on
// that CPU at the time), kernel function names under the event. The page's
// script turns time gaps into space (zoom) and filters event kinds.
import { ALARMING } from "./events.ts";
import type { RunView, TimelineEvent } from "./model.ts";

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** ns → "1.234567 ms" (simulated time; µs resolution is what the eye needs, the full ns is in data-t). */
export function ms(ns: number): string {
  return `${(ns / 1e6).toFixed(6)} ms`;
}

const STACK_SHOWN = 3;

function stack(where: readonly string[]): string {
  if (!where.length) return "";
  const shown = where.slice(0, STACK_SHOWN).map(esc).join(" &lt; ");
  return `<span class="fn" title="${esc(where.join(" < "))}">${shown}${where.length > STACK_SHOWN ? " &lt; …" : ""}</span>`;
}

/** Task names seen as "comm[pid]"; the scenario's own tasks are the ones that ran commands. */
function label(e: TimelineEvent): { cls: string; html: string } {
  switch (e.kind) {
    case "switch":
      return { cls: "k-switch", html: `<b class="task">${esc(e.task)}</b> runs; ${esc(e.from)} leaves${e.where.length ? " in " : ""}${stack(e.where)}` };
    case "stall":
      return { cls: "k-stall", html: `CPU stalled by the breakpoint on <span class="fn">${esc(e.at)}</span>: <b class="task">${esc(e.task)}</b>${e.where.length ? " in " : ""}${stack(e.where)}` };
    case "resume":
      return { cls: "k-stall", html: `CPU resumes: <b class="task">${esc(e.task)}</b>` };
    case "bio": {
      const what = `bio #${e.index} ${esc(e.op)} sector ${e.sector}+${e.sectors}${e.nowait ? " NOWAIT" : ""}`;
      const st = e.phase === "failed" ? ` (status ${e.status})` : "";
      return { cls: `k-bio bio-${e.phase}`, html: `${what} <b class="phase">${e.phase}</b>${st}` };
    }
    case "command":
      return { cls: "k-command", html: `<b class="task">${esc(e.task)}</b>: ${esc(e.op)} ${esc(e.detail)} ${e.phase} <b>${esc(e.result)}</b>` };
    case "console":
      return { cls: `k-console${ALARMING.test(e.text) ? " alarm" : ""}`, html: `<code>${esc(e.text)}</code>` };
    case "note":
      return { cls: "k-note", html: esc(e.text) };
  }
}

/** The task running on each CPU after each event (from the switch events; before a CPU's first switch, the task it switched from). */
function tasksAfter(run: RunView): string[][] {
  const cur: string[] = Array.from({ length: run.cpus }, (_, c) => {
    const first = run.events.find((e) => e.kind === "switch" && e.cpu === c);
    return first?.kind === "switch" ? first.from : "";
  });
  return run.events.map((e) => {
    if (e.kind === "switch" && e.cpu < run.cpus) cur[e.cpu] = e.task;
    return [...cur];
  });
}

function hue(task: string): number {
  let h = 0;
  for (const c of task.replace(/\[\d+\]$/, "")) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

function row(e: TimelineEvent, tasks: string[], cpus: number): string {
  const { cls, html } = label(e);
  const cells: string[] = [`<div class="t" title="${e.timeNs} ns">${ms(e.timeNs)}</div>`];
  for (let c = 0; c < cpus; c++) {
    const t = tasks[c] ?? "";
    const band = t ? ` style="--band:hsl(${hue(t)} 60% 55%)" data-task="${esc(t)}"` : "";
    cells.push(c === e.cpu ? `<div class="lane ev"${band}>${html}</div>` : `<div class="lane"${band}></div>`);
  }
  return `<div class="row ${cls}" data-t="${e.timeNs}" data-cpu="${e.cpu}">${cells.join("")}</div>`;
}

export function timelineHtml(run: RunView): string {
  const tasks = tasksAfter(run);
  const head = [`<div class="t">simulated time</div>`, ...Array.from({ length: run.cpus }, (_, i) => `<div class="lane">CPU ${i}</div>`)].join("");
  const rows = run.events.map((e, i) => row(e, tasks[i]!, run.cpus)).join("\n");
  return `<div class="timeline" data-side="${run.side}" data-cpus="${run.cpus}" style="--cpus:${run.cpus}">
<div class="row head">${head}</div>
${rows}
</div>`;
}
