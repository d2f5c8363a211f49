// `--html`: one self-contained page per check (no network: the style and
// the script are inlined). The patch and how it was located on each tree,
// the verdict table, and for every case with a failing run its before and
// after runs side by side: expectations, timeline, console.
import { readFileSync } from "node:fs";
import { esc, ms, timelineHtml } from "./html-timeline.ts";
import { commandLine, hasFailingRun, shownFixed, VERDICT_WORDS, type CaseView, type PatchView, type ReportModel, type RunView } from "./model.ts";

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");

function sideCell(r: RunView | null): string {
  if (!r) return `<td class="side none">—</td>`;
  if (r.passed) return `<td class="side pass">passes</td>`;
  const failed = r.expectations.filter((x) => !x.held).map((x) => esc(x.name));
  return `<td class="side fail">fails: ${failed.join("; ")}</td>`;
}

function reproduceHtml(c: CaseView): string {
  const cmd = `<code class="cmd">${esc(commandLine(c.reproduce.command))}</code>`;
  return c.reproduce.token ? `${cmd}<br><code class="cmd token">${esc(commandLine(["replay", c.reproduce.token]))}</code>` : cmd;
}

function verdictTable(m: ReportModel): string {
  const rows = m.cases.map((c) => {
    const name = hasFailingRun(c) ? `<a href="#${c.id}">${esc(c.scenario)}</a>` : esc(c.scenario);
    return `<tr class="case-row v-${c.verdict}" data-case="${c.id}" data-verdict="${c.verdict}">
<td>${esc(c.tree)}</td><td>${esc(c.unit)}</td><td>${name}</td>${sideCell(c.before)}${sideCell(c.after)}
<td class="verdict">${VERDICT_WORDS[c.verdict]}</td><td class="reason">${esc(c.reason)}</td><td>${reproduceHtml(c)}</td></tr>`;
  });
  return `<table id="verdicts"><thead><tr><th>tree</th><th>change</th><th>scenario</th><th>before</th><th>after</th><th>verdict</th><th>why</th><th>reproduce</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`;
}

function patchHtml(p: PatchView): string {
  const meta = [p.from && `From: ${esc(p.from)}`, p.date && `Date: ${esc(p.date)}`, p.messageId && `Message-ID: &lt;${esc(p.messageId)}&gt;`].filter(Boolean).join("<br>");
  const rows = p.placements.map(
    (x) => `<tr class="placement" data-tree="${esc(x.tree)}" data-status="${esc(x.status)}"><td>${esc(x.tree)}</td><td>${esc(x.status)}</td><td>${x.notes.map(esc).join("<br>") || "—"}</td></tr>`,
  );
  const diff = p.diff
    .split("\n")
    .map((l) => `<span class="${l.startsWith("+++") || l.startsWith("---") ? "dh" : l[0] === "+" ? "add" : l[0] === "-" ? "del" : l.startsWith("@@") ? "hunk" : "ctx"}">${esc(l)}</span>`)
    .join("\n");
  return `<article class="patch" id="patch-${esc(p.id)}"><h3>${esc(p.subject)}</h3><p class="meta">${meta}</p>
<table class="placements"><thead><tr><th>tree</th><th>located</th><th>notes</th></tr></thead><tbody>${rows.join("")}</tbody></table>
<details open><summary>the patch as ingested</summary><pre class="diff">${diff}</pre></details></article>`;
}

function expectationsHtml(r: RunView): string {
  const items = r.expectations.map((x) => `<li class="${x.held ? "held" : "broken"}">${x.held ? "✓" : "✗"} ${esc(x.name)}${x.seen ? `: <code>${esc(x.seen)}</code>` : ""}</li>`);
  for (const w of r.wordSize) items.push(`<li class="held">32-bit only, not judged: <code>${esc(w.message)}</code> (${esc(w.why)})</li>`);
  const ended = r.ended ? `<p class="ended">run ended: <code>${esc(r.ended)}</code></p>` : "";
  const observed = `<p class="observed">observed: <code>${esc(JSON.stringify(r.observed))}</code></p>`;
  return `<ul class="expectations">${items.join("")}</ul>${ended}${observed}`;
}

function consoleHtml(r: RunView): string {
  if (!r.console.length) return `<p class="console-empty">no console output in this run</p>`;
  const lines = r.console.map((l) => `<div class="cl${l.alarming ? " alarm" : ""}" data-t="${l.timeNs}"><span class="t">[${ms(l.timeNs)}] &lt;${l.cpu}&gt;</span> ${esc(l.text)}</div>`);
  return `<details class="console"${r.console.some((l) => l.alarming) ? " open" : ""}><summary>console (${r.console.length} lines)</summary>${lines.join("\n")}</details>`;
}

function runHtml(r: RunView | null, side: string): string {
  if (!r) return `<div class="run"><h4>${side}: not run</h4></div>`;
  const head = `<h4>${side}: <span class="${r.passed ? "pass" : "fail"}">${r.passed ? "passes" : "FAILS"}</span> <small>kernel build ${esc(r.buildId)}, ${r.cpus} CPUs, ${r.events.length} events, ${ms(r.startNs)} – ${ms(r.endNs)}</small></h4>`;
  return `<div class="run" data-side="${side}">${head}${expectationsHtml(r)}${consoleHtml(r)}<div class="scroll">${timelineHtml(r)}</div></div>`;
}

const FILTERS = ["switch", "stall", "bio", "command", "console", "note"];

function caseHtml(c: CaseView): string {
  const filters = FILTERS.map((k) => `<label><input type="checkbox" class="filter" value="${k}" checked> ${k}</label>`).join(" ");
  return `<article class="case v-${c.verdict}" id="${c.id}">
<h3>${esc(c.scenario)} <small>on ${esc(c.tree)}, ${esc(c.unit)}: <span class="verdict">${VERDICT_WORDS[c.verdict]}</span></small></h3>
<p>${esc(c.reason)}</p><p>reproduce: ${reproduceHtml(c)}</p>
<div class="controls">zoom (time gaps as space): <button class="zoom-out" title="less time per pixel">−</button> <span class="zoom-level">order only</span> <button class="zoom-in" title="more space per µs">+</button>
 <button class="zoom-reset">order only</button> · show ${filters}</div>
<div class="pair">${runHtml(c.before, "before")}${runHtml(c.after, "after")}</div></article>`;
}

function summary(m: ReportModel): string {
  const count = (v: string) => m.cases.filter((c) => c.verdict === v).length;
  const overall = m.regressed ? "REGRESSION" : shownFixed(m) ? "shown fixed, nothing regressed" : "not shown fixed";
  const parts = (["fixed", "regressed", "no-effect", "not-applicable", "not-judged"] as const).filter((v) => count(v)).map((v) => `${count(v)} ${VERDICT_WORDS[v]}`);
  return `<p id="summary" class="${m.regressed ? "fail" : shownFixed(m) ? "pass" : "warn"}"><b>${overall}</b> — ${parts.join(", ") || "no cases"}</p>`;
}

export function renderHtml(m: ReportModel): string {
  const title = m.patches.length === 1 ? m.patches[0]!.subject : `${m.patches.length} patches`;
  const trees = m.trees.map((t) => `<li>${esc(t.name)}: ${esc(t.kernelVersion)} (${esc(t.origin)})</li>`).join("");
  const failing = m.cases.filter(hasFailingRun);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>dioscope: ${esc(title)}</title><style>${asset("report.css")}</style></head>
<body><header><h1>dioscope check: ${esc(title)}</h1>${summary(m)}
<p>command: <code class="cmd">${esc(commandLine(m.command))}</code> · ${esc(m.tool.name)} ${esc(m.tool.version)}</p><ul class="trees">${trees}</ul></header>
<section id="patches"><h2>${m.patches.length > 1 ? "Patches and where they were" : "The patch and where it was"} located</h2>${m.patches.map(patchHtml).join("\n")}</section>
<section id="verdict-section"><h2>Verdicts</h2>${verdictTable(m)}</section>
<section id="runs"><h2>Failing runs, before and after</h2>${failing.length ? failing.map(caseHtml).join("\n") : "<p>No run failed.</p>"}</section>
<script>${asset("report.js")}</script></body></html>
`;
}
