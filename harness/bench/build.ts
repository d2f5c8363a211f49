// Build figures for `npm run bench`: per tree, the current pristine build
// (module size before/after Asyncify, Asyncify time and peak RSS), the most
// recent cold full build on record (from its manifest: which build, whether
// it is the current one), and a one-file rebuild measured now (a line
// appended to PROBE_FILE: compile + link + layout check + Asyncify).
import { buildKernel, type Manifest } from "../build/index.ts";
import { discardBuild, PROBE_FILE, PROBE_LINE, probeOverlay } from "../build/probe.ts";
import { allBuilds, currentBuild, type BuiltKernel } from "../build/registry.ts";
import type { KernelConfig } from "../build/kbuild.ts";
import type { PristineTree } from "../tree/source.ts";

// What a build costs once the pristine objects are current (compile-base is not counted).
const BUILD_STEPS = ["seed-objects", "compile", "link", "layout-check", "asyncify", "dirty-pages", "splice"];

function figures(m: Manifest) {
  return {
    buildId: m.buildId,
    builtAt: m.builtAt ?? null,
    stepTimesMs: m.times,
    buildMs: BUILD_STEPS.reduce((t, s) => t + (m.times[s] ?? 0), 0),
    objectsCompiled: m.recompiledObjects,
    sizeBeforeAsyncifyBytes: m.sizes.linkedBytes,
    sizeAfterAsyncifyBytes: m.sizes.asyncifiedBytes,
    asyncifyMs: m.times.asyncify ?? null,
    asyncifyPeakRssKiB: m.asyncifyPeakRssKiB ?? null,
    instrumentation: m.instrumentation ?? null,
    spliceMs: m.times.splice ?? null,
  };
}

/** The newest build of the pristine tree in `config` that compiled every object (the cold build on record). */
export function coldBuildOnRecord(tree: PristineTree, config: KernelConfig = "plain"): BuiltKernel | undefined {
  return allBuilds(tree)
    .filter((b) => b.manifest.coldCompile && b.manifest.overlay.length === 0 && (b.manifest.config ?? "plain") === config)
    .at(-1);
}

export function buildBench(tree: PristineTree, jobs?: number): Record<string, unknown> {
  const current = currentBuild(tree);
  const cold = coldBuildOnRecord(tree);

  let oneFileRebuild: Record<string, unknown>;
  const probe = probeOverlay(tree, PROBE_LINE);
  try {
    discardBuild(tree, probe.overlay);
    const m = buildKernel({ tree, overlay: probe.overlay, jobs }).manifest;
    oneFileRebuild = {
      file: PROBE_FILE,
      recompiled: m.recompiled ?? [],
      ...figures(m),
    };
  } catch (e) {
    oneFileRebuild = { file: PROBE_FILE, error: (e as Error).message };
  } finally {
    discardBuild(tree, probe.overlay);
    probe.cleanup();
  }

  return {
    current: current ? figures(current.manifest) : { built: false },
    coldBuild: cold
      ? { ...figures(cold.manifest), isCurrentBuild: cold.manifest.buildId === current?.manifest.buildId }
      : { recorded: false, note: "no build of this tree started from an empty object directory (remove .cache/kbuild to record one)" },
    oneFileRebuild,
  };
}
