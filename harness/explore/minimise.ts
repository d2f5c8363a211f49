// Minimisation of a failing schedule: its shortest failing prefix of steps,
// then delta debugging (ddmin, Zeller & Hildebrandt 2002) over the steps,
// then single-step removal until no step can go. A candidate is a subset of the steps, followed leniently (a step
// whose consultation now has another number of alternatives is applied if
// its index exists, else skipped); it is kept when it fails the same
// expectations and is better by (preemptions, steps, consultations),
// compared in that order.
// What is kept is the run's own re-recorded steps, so the result replays
// exactly.
import { Follow } from "./strategies.ts";
import { replaySteps, runWith, sameFailure, type Outcome, type Target } from "./runner.ts";
import type { Step } from "./schedule.ts";

export interface Minimised {
  steps: Step[];
  outcome: Outcome;
  /** Candidate runs tried. */
  tries: number;
  from: { steps: number; preemptions: number; consultations: number };
}

function better(a: Outcome, b: Outcome): boolean {
  if (a.preemptions !== b.preemptions) return a.preemptions < b.preemptions;
  if (a.steps.length !== b.steps.length) return a.steps.length < b.steps.length;
  return a.consultations < b.consultations;
}

export function minimise(t: Target, steps: readonly Step[], o: { maxTries?: number } = {}): Minimised {
  const maxTries = o.maxTries ?? 400;
  const start = replaySteps(t, steps).outcome;
  if (!start.failed) throw new Error(`the schedule to minimise does not fail when replayed${start.diverged ? ` (diverged: ${start.diverged})` : ""}`);
  const names = start.failedNames;
  let cur = start;
  let tries = 0;
  const attempt = (cand: Step[]): boolean => {
    if (tries >= maxTries) return false;
    tries++;
    const f = new Follow(cand, false);
    const { outcome } = runWith(t, f);
    if (!sameFailure(outcome, names) || !better(outcome, cur)) return false;
    cur = { ...outcome, steps: [...outcome.steps] };
    return true;
  };

  // The shortest prefix that still fails: exact (a run with the first j
  // steps is the original run up to the consultation after step j).
  for (let j = 0; j < cur.steps.length && tries < maxTries; j++) {
    tries++;
    const p = replaySteps(t, cur.steps.slice(0, j)).outcome;
    if (sameFailure(p, names) && better(p, cur)) {
      cur = p;
      break;
    }
  }
  let n = 2;
  while (cur.steps.length >= 2 && tries < maxTries) {
    const s = cur.steps;
    const size = Math.ceil(s.length / n);
    const chunks: Step[][] = [];
    for (let i = 0; i < s.length; i += size) chunks.push(s.slice(i, i + size));
    let reduced = false;
    for (let c = 0; c < chunks.length && !reduced; c++) if (attempt(chunks[c]!)) reduced = true;
    if (reduced) {
      n = 2;
      continue;
    }
    for (let c = 0; c < chunks.length && !reduced; c++) if (attempt(chunks.filter((_, j) => j !== c).flat())) reduced = true;
    if (reduced) {
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= s.length) break;
    n = Math.min(s.length, n * 2);
  }
  // 1-minimal: no single step can be dropped.
  for (let changed = true; changed && tries < maxTries; ) {
    changed = false;
    for (let i = 0; i < cur.steps.length && tries < maxTries; i++)
      if (attempt(cur.steps.filter((_, j) => j !== i))) {
        changed = true;
        break;
      }
  }
  const final = replaySteps(t, cur.steps).outcome;
  if (!sameFailure(final, names)) throw new Error("minimised schedule does not reproduce the failure (the machine is not deterministic)");
  return { steps: cur.steps, outcome: final, tries, from: { steps: start.steps.length, preemptions: start.preemptions, consultations: start.consultations } };
}
