// KTAP (the kernel's test-result format) for a check: one test per tree,
// nested: one test per change × scenario. Every failing run's timeline and
// console lines follow as diagnostic ("# ") lines; a regression is the only
// "not ok" that counts against the change.
import type { CheckReport, UnitResult } from "../check/check.ts";
import type { ScenarioVerdict } from "../check/verdict.ts";
import type { ScenarioRun } from "../scenario/run.ts";
import { timeline } from "./timeline.ts";

function diag(lines: string[], indent: string): string[] {
  return lines.map((l) => `${indent}# ${l}`.trimEnd());
}

/** What a failing run shows: its failed expectations, timeline and console. */
export function explainRun(side: string, r: ScenarioRun): string[] {
  const out = [`${side}: ${r.scenario} FAILED on ${r.wasmPath}`];
  for (const x of r.results) if (x.failure) out.push(`  expected ${x.name}; got ${x.failure.split("\n")[0]}`);
  out.push(`  observed: ${JSON.stringify(r.observed.values)}`);
  out.push(...timeline(r).split("\n").map((l) => "  " + l));
  const cons = r.console.filter((l) => l.text.trim());
  if (cons.length) {
    out.push("  console:");
    for (const l of cons.slice(-20)) out.push(`    ${l.text}`);
  }
  out.push(`  reproduce: dioscope check --scenario ${r.scenario} (same tree and patch; the run is deterministic)`);
  return out;
}

function line(ok: boolean, n: number, name: string, directive: string): string {
  return `${ok ? "ok" : "not ok"} ${n} ${name}${directive ? " # " + directive : ""}`;
}

function verdictLine(v: ScenarioVerdict, n: number, unit: UnitResult): string {
  const name = `${unit.label} :: ${v.scenario}`.replace(/#/g, "");
  switch (v.verdict) {
    case "fixed":
      return line(true, n, name, `fixed: ${v.reason}`);
    case "regressed":
      return line(false, n, name, `regressed: ${v.reason}`);
    case "no-effect":
      return line(v.reason.startsWith("passes"), n, name, `${v.reason.startsWith("passes") ? "" : "TODO "}no effect: ${v.reason}`);
    case "not-applicable":
      return line(true, n, name, `SKIP not applicable: ${v.reason}`);
  }
}

export function ktap(report: CheckReport, trees: string[]): string {
  const out = ["KTAP version 1", `1..${trees.length}`];
  trees.forEach((tree, ti) => {
    const units = report.units.filter((u) => u.tree === tree);
    const n = units.reduce((a, u) => a + u.verdicts.length, 0);
    out.push("    KTAP version 1", `    # Subtest: ${tree}`, `    1..${n}`);
    for (const p of report.patches.filter((p) => p.tree === tree)) out.push(`    # ${p.id}: ${p.status}${p.notes.length ? " (" + p.notes.join("; ") + ")" : ""}`);
    let i = 0;
    let treeOk = true;
    for (const u of units)
      for (const v of u.verdicts) {
        i++;
        if (v.verdict === "regressed") treeOk = false;
        for (const [side, r] of [["before", v.before], ["after", v.after]] as const) if (r && !r.passed) out.push(...diag(explainRun(side, r), "    "));
        out.push("    " + verdictLine(v, i, u));
      }
    out.push(line(treeOk, ti + 1, tree, ""));
  });
  return out.join("\n") + "\n";
}
