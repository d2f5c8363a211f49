// The scenarios an exploration can run: the unguided ones first (what the
// explorers are for), then the scripted ones (explored within their script);
// and the scenario a replay token names (by the hash of its name).
import { scenarioMode, type Scenario } from "../scenario/types.ts";
import { fnv1a } from "./schedule.ts";

export function explorableOrder(all: readonly Scenario[]): Scenario[] {
  return [...all.filter((s) => scenarioMode(s) === "unguided"), ...all.filter((s) => scenarioMode(s) === "scripted")];
}

/** The scenario among `all` a token's scenario hash names. */
export function scenarioByHash(all: readonly Scenario[], h: number): Scenario | undefined {
  return all.find((s) => fnv1a(s.name) === h);
}
