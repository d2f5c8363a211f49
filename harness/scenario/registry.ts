// Every scenario the tool knows, by name.
import { resolveTree } from "../tree/resolve.ts";
import { compareKernelVersions, type TreeName } from "../tree/source.ts";
import type { KernelRange, Scenario } from "./types.ts";
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

const inRange = (v: string, r: KernelRange) =>
  compareKernelVersions(v, r.from) >= 0 && (r.until === undefined || compareKernelVersions(v, r.until) < 0);

/** Why scenario `s` does not apply to a tree of kernel `version`, or null when it does. */
export function appliesToVersion(s: Scenario, version: string): string | null {
  const na = s.notApplicable?.find((r) => inRange(version, r));
  if (na) return na.reason;
  if (inRange(version, s.kernels)) return null;
  return `written for kernels ${s.kernels.from}${s.kernels.until ? ` up to (not including) ${s.kernels.until}` : " and later"}, not ${version}`;
}

/** Why scenario `s` does not apply to `tree`, or null when it does. */
export function applies(s: Scenario, tree: TreeName): string | null {
  return appliesToVersion(s, resolveTree(tree).kernelVersion);
}
