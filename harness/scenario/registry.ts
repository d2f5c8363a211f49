// Every scenario the tool knows, by name.
import type { TreeName } from "../tree/source.ts";
import type { Scenario } from "./types.ts";
import { seed000 } from "./seeds/000-vfat-aio-write-error.ts";
import { seed000loop } from "./seeds/000-vfat-loop-write-error.ts";
import { seed001 } from "./seeds/001-ext4-dio-fallback.ts";
import { seed002 } from "./seeds/002-btrfs-uring-nowait-short-read.ts";
import { seed001Unguided } from "./seeds/001-ext4-dio-fallback-unguided.ts";
import { seed002Unguided } from "./seeds/002-btrfs-uring-short-read-unguided.ts";

export const SCENARIOS: readonly Scenario[] = [seed000, seed000loop, seed001, seed002];

/**
 * Scenarios with no scripted schedule, for the explorers (harness/explore,
 * `dioscope explore`): under the default schedule they pass; an explorer
 * has to find the interleaving. Not in SCENARIOS, whose single runs use the
 * default schedule.
 */
export const UNGUIDED_SCENARIOS: readonly Scenario[] = [seed001Unguided, seed002Unguided];

/** Seeds whose scenario needs machinery that is not there yet, with the reason (reported, never skipped silently). */
export const PENDING_SEEDS: Record<string, string> = {};

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name || s.name.startsWith(`${name}-`) || s.seed === name);
}

/** Every scenario that reproduces seed `seed` ("000"). */
export function scenariosForSeed(seed: string): Scenario[] {
  return SCENARIOS.filter((s) => s.seed === seed);
}

export function applies(s: Scenario, tree: TreeName): string | null {
  if (s.trees.includes(tree)) return null;
  return s.notApplicable?.[tree] ?? `not written for ${tree}`;
}
