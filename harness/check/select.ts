// Which scenarios a check runs: the ones the user named, or the ones whose
// declarations tie them to the patch — it reproduces one of the mails, or it
// exercises a path the patch changes. Unguided scenarios run only when
// exploring (they need many schedules to say anything).
import type { Patch } from "../ingest/index.ts";
import { scenarioMode, type Scenario } from "../scenario/types.ts";
import { reproduces } from "../variants/units.ts";

export interface Selected {
  scenario: Scenario;
  /** How it was chosen: a verdict other than "fixed" of a scenario that reproduces the mail is a failed reproduction. */
  by: "named" | "reproduces" | "exercises";
  /** Why it runs ("named with --scenario", "reproduces <subject>", "exercises fs/ext4/ (fs/ext4/file.c)"). */
  why: string;
}

/** Tree-relative paths a series changes (as written in the mails). */
export function touchedPaths(series: readonly Patch[]): string[] {
  const paths = new Set<string>();
  for (const p of series) for (const f of p.files) for (const x of [f.oldPath, f.newPath]) if (x) paths.add(x);
  return [...paths].sort();
}

function whyChosen(s: Scenario, series: readonly Patch[], touched: readonly string[]): Omit<Selected, "scenario"> | null {
  const mail = series.find((p) => reproduces(s, p));
  if (mail) return { by: "reproduces", why: `reproduces "${mail.subject}"` };
  for (const e of s.exercises) {
    const hit = touched.find((t) => t === e || (e.endsWith("/") && t.startsWith(e)));
    if (hit) return { by: "exercises", why: `exercises ${e} (${hit})` };
  }
  return null;
}

export function selectScenarios(series: readonly Patch[], named: readonly Scenario[] | null, candidates: readonly Scenario[], exploring: boolean): Selected[] {
  const usable = (s: Scenario) => exploring || scenarioMode(s) === "scripted";
  if (named) return named.filter(usable).map((scenario) => ({ scenario, by: "named" as const, why: "named with --scenario" }));
  const touched = touchedPaths(series);
  const out: Selected[] = [];
  for (const s of candidates.filter(usable)) {
    const chosen = whyChosen(s, series, touched);
    if (chosen) out.push({ scenario: s, ...chosen });
  }
  return out;
}
