// The scenarios an exploration can run: the unguided ones first (what the
// explorers are for), then the scripted seed scenarios (explored within
// their script).
import { findScenario, SCENARIOS, UNGUIDED_SCENARIOS } from "../scenario/registry.ts";
import type { Scenario } from "../scenario/types.ts";
import { fnv1a } from "./schedule.ts";

export function explorableScenarios(): Scenario[] {
  return [...UNGUIDED_SCENARIOS, ...SCENARIOS];
}

/** By exact name; a seed number or name prefix prefers the unguided scenario. */
export function findExplorable(name: string): Scenario | undefined {
  const all = explorableScenarios();
  return (
    all.find((s) => s.name === name) ??
    UNGUIDED_SCENARIOS.find((s) => s.seed === name || s.name.startsWith(`${name}-`)) ??
    findScenario(name)
  );
}

/** The scenario a replay token names (by the hash of its name). */
export function scenarioByHash(h: number): Scenario | undefined {
  return explorableScenarios().find((s) => fnv1a(s.name) === h);
}
