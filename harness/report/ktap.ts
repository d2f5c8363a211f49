// KTAP (the kernel's test-result format) for a check: one test per tree,
// nested: one test per change × scenario. Every failing run's timeline and
// console lines follow as diagnostic ("# ") lines; a regression is the only
// "not ok" that counts against the change.
import type { GenericSummary } from "../check/generic.ts";
import type { CheckReport, UnitResult } from "../check/check.ts";
import type { ScenarioVerdict } from "../check/verdict.ts";
import { runFails, type ScenarioRun } from "../scenario/run.ts";
import { judgementLines } from "../oracles/index.ts";
import { timeline } from "../scenario/timeline.ts";

function diag(lines: string[], indent: string): string[] {
  return lines.map((l) => `${indent}# ${l}`.trimEnd());
}

/** What a failing run shows: its failed expectations, timeline, console and the command that runs it again. */
export function explainRun(side: string, r: ScenarioRun, reproduce: string[] | null = null): string[] {
  const out = [`${side}: ${r.scenario} ${r.passed ? "raised oracle findings" : "FAILED"} on ${r.wasmPath}`];
  for (const x of r.results) if (x.failure) out.push(`  expected ${x.name}; got ${x.failure.split("\n")[0]}`);
  for (const l of judgementLines(r.oracles)) out.push(`  ${l.split("\n")[0]}`);
  out.push(`  observed: ${JSON.stringify(r.observed.values)}`);
  out.push(...timeline(r).split("\n").map((l) => "  " + l));
  const cons = r.console.filter((l) => l.text.trim());
  if (cons.length) {
    out.push("  console:");
    for (const l of cons.slice(-20)) out.push(`    ${l.text}`);
  }
  if (reproduce) out.push(`  reproduce: ${reproduce.join(" ")} (the run is deterministic)`);
  return out;
}

function line(ok: boolean, n: number, name: string, directive: string): string {
  return `${ok ? "ok" : "not ok"} ${n} ${name}${directive ? " # " + directive : ""}`;
}

function verdictLine(v: ScenarioVerdict, n: number, unit: UnitResult): string {
  const name = `${unit.label} :: ${v.scenario}`.replace(/#/g, "");
  const passesBoth = v.verdict === "no-effect" && !(v.before && runFails(v.before)) && !v.explored?.before.first;
  switch (v.verdict) {
    case "fixed":
      return line(true, n, name, `fixed: ${v.reason}`);
    case "regressed":
      return line(false, n, name, `regressed: ${v.reason}`);
    case "no-effect":
      return line(passesBoth, n, name, `${passesBoth ? "" : "TODO "}no effect: ${v.reason}`);
    case "not-applicable":
      return line(true, n, name, `SKIP not applicable: ${v.reason}`);
    case "not-judged":
      return line(true, n, name, `SKIP ${v.reason}`);
  }
}

/** Diagnostics of a tree: how each patch was located, which scenarios run and why. */
function treeHeader(report: CheckReport, tree: string): string[] {
  const out: string[] = report.treeSources.filter((t) => t.name === tree).map((t) => `tree: ${t.description} (${report.config} kernel)`);
  for (const p of report.patches.filter((p) => p.tree === tree))
    out.push(`${p.id}: ${p.status}${p.relocated ? ", relocated" : ""}${p.notes.length ? " (" + p.notes.join("; ") + ")" : ""}`);
  for (const s of report.selected) out.push(`scenario ${s.scenario} (${s.mode}): ${s.why}`);
  return out;
}

/** Diagnostics of a unit: what its scenarios declared beyond the patch, and what of the patch is compiled. */
function unitHeader(u: UnitResult): string[] {
  const out = u.declarations.map((d) => `${u.label}: ${d.kind === "regression" ? "before = the tree +" : "both sides also carry"} ${d.patch} (declared by ${d.by.join(", ")}: ${d.why})`);
  for (const n of u.coverage?.notCompiled ?? []) out.push(`${u.label}: ${n.reason}${u.coverage!.compiled.length ? " (judged: " + u.coverage!.compiled.join(", ") + ")" : ""}`);
  if (u.problem && !u.verdicts.length) out.push(`${u.label}: ${u.problem}`);
  return out;
}

/** The generic suite's cases that changed sides, each with its workload and replay command. */
function generatedLines(v: ScenarioVerdict): string[] {
  const g = (v as ScenarioVerdict & { generated?: GenericSummary }).generated;
  if (!g) return [];
  return g.changed.map((c) => {
    const text = c.text.split("\n").join(" | ");
    return `generated case ${c.index} ${c.verdict} (${c.failure.names.join("; ")}): ${text}; replay: dioscope replay ${c.failure.token} --workload "${text}"`;
  });
}

export function ktap(report: CheckReport): string {
  const out = ["KTAP version 1", `1..${report.trees.length}`];
  report.trees.forEach((tree, ti) => {
    const units = report.units.filter((u) => u.tree === tree);
    const n = units.reduce((a, u) => a + u.verdicts.length, 0);
    out.push("    KTAP version 1", `    # Subtest: ${tree}`, `    1..${n}`);
    out.push(...diag(treeHeader(report, tree), "    "));
    let i = 0;
    let treeOk = true;
    for (const u of units) {
      out.push(...diag(unitHeader(u), "    "));
      for (const v of u.verdicts) {
        i++;
        if (v.verdict === "regressed") treeOk = false;
        for (const [side, r] of [["before", v.before], ["after", v.after]] as const) {
          if (r && runFails(r)) out.push(...diag(explainRun(side, r, v.reproduce), "    "));
          else if (r && (r.oracles.off.length || r.oracles.wordSize.length)) out.push(...diag(judgementLines(r.oracles).map((l) => `${side}: ${l}`), "    "));
        }
        if (v.explored && v.reproduce) out.push(...diag([`reproduce: ${v.reproduce.join(" ")}`], "    "));
        out.push(...diag(generatedLines(v), "    "));
        out.push("    " + verdictLine(v, i, u));
      }
    }
    out.push(line(treeOk, ti + 1, tree, ""));
  });
  return out.join("\n") + "\n";
}
