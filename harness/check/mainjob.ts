// The main job: `check` run over every bundled mail (the files directly in
// patches/), exploring unguided scenarios too, and a table of the results.
// It knows no mail: a row is expected to say "fixed" exactly when its
// scenario declares that it reproduces the mail.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { PCT_DEPTH } from "../explore/explore.ts";
import { ingest } from "../ingest/index.ts";
import { repoRoot } from "../paths.ts";
import { failedNames, runFails } from "../scenario/run.ts";
import { notApplicableOn, type Scenario } from "../scenario/types.ts";
import type { TreeName } from "../tree/source.ts";
import { runCheck, type CheckReport } from "./check.ts";
import type { ScenarioVerdict } from "./verdict.ts";

/** Schedules per side for unguided scenarios in the main job. */
export const MAIN_JOB_EXPLORE = { budget: 300, seed: 1, depth: PCT_DEPTH };

export function bundledMails(): string[] {
  const dir = join(repoRoot, "patches");
  return readdirSync(dir)
    .filter((f) => !f.startsWith(".") && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

export interface MainJobRow {
  mail: string;
  tree: TreeName;
  /** How the mail was found on the tree ("already-applied, relocated"). */
  located: string;
  unit: string;
  scenario: string;
  before: string;
  after: string;
  verdict: string;
  /** The scenario declares that it reproduces the mail: anything but "fixed" (or not applicable) fails the job. */
  expected: boolean;
  ok: boolean;
  v: ScenarioVerdict | null;
}

function side(v: ScenarioVerdict, which: "before" | "after"): string {
  const x = v.explored?.[which];
  if (x) return x.first ? `fails (PCT schedule #${x.first.index})` : `passes (${x.schedules} schedules)`;
  const r = v[which];
  if (!r) return "—";
  return runFails(r) ? `fails (${failedNames(r).join("; ")})` : "passes";
}

export function mainJobRows(r: CheckReport, mail: string, candidates: readonly Scenario[]): MainJobRow[] {
  const rows: MainJobRow[] = [];
  const name = relative(repoRoot, mail);
  const expected = new Set(r.selected.filter((s) => s.by === "reproduces").map((s) => s.scenario));
  for (const u of r.units) {
    const located = r.patches.filter((p) => p.tree === u.tree && u.patchIds.includes(p.id)).map((p) => `${p.status}${p.relocated ? ", relocated" : ""}`).join("+") || "—";
    const base = { mail: name, tree: u.tree, located, unit: u.label };
    if (!u.verdicts.length) rows.push({ ...base, scenario: "—", before: "—", after: "—", verdict: u.problem ?? "nothing ran", expected: false, ok: true, v: null });
    for (const v of u.verdicts) {
      const exp = expected.has(v.scenario);
      const declaredNa = v.verdict === "not-applicable" && candidates.some((s) => s.name === v.scenario && notApplicableOn(s, u.tree) !== null);
      const ok = !exp || v.verdict === "fixed" || declaredNa;
      const verdict = v.verdict === "not-applicable" || v.verdict === "not-judged" ? `${v.verdict}: ${v.reason}` : v.verdict;
      rows.push({ ...base, scenario: v.scenario, before: side(v, "before"), after: side(v, "after"), verdict, expected: exp, ok, v });
    }
  }
  return rows;
}

export function mainJob(trees: TreeName[], candidates: readonly Scenario[], log?: (l: string) => void): { reports: CheckReport[]; rows: MainJobRow[] } {
  const reports: CheckReport[] = [];
  const rows: MainJobRow[] = [];
  for (const mail of bundledMails()) {
    const r = runCheck(ingest([mail]), { config: "plain", trees, scenarios: null, candidates, explore: MAIN_JOB_EXPLORE, inputs: [relative(process.cwd(), mail) || mail], log });
    reports.push(r);
    rows.push(...mainJobRows(r, mail, candidates));
  }
  return { reports, rows };
}
