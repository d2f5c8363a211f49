// `npm run bench`: measurements as JSON (bench-results/bench.json and stdout).
// Build figures come from the manifests of the current builds (their per-step
// times, sizes); instantiate time and the patch reconstruction rate are
// measured here; `build` (harness/bench/build.ts) adds the cold build on
// record, Asyncify peak RSS and a one-file rebuild measured now.
import { readFileSync } from "node:fs";
import { currentBuild } from "../build/registry.ts";
import { buildBench, coldBuildOnRecord } from "./build.ts";
import { evaluationRate, reconstructionRate } from "../ingest/bench.ts";
import { loadKernel } from "../machine/loader.ts";
import { debianTree } from "../tree/debian.ts";
import { resolveTree } from "../tree/resolve.ts";
import { TREE_NAMES } from "../tree/source.ts";
import { userBench } from "./user.ts";
import { machineBench } from "./machine.ts";
import { checkBench } from "./check.ts";
import { debugBench } from "./debug.ts";
import { speedBench } from "./speed.ts";
import { generateBench } from "./generate.ts";
import { zooBench } from "./zoo.ts";
import { writeBenchResult } from "./results.ts";

const results: Record<string, unknown> = { date: new Date().toISOString() };
const bootMs: Record<string, unknown> = {};
for (const name of TREE_NAMES) {
  const b = currentBuild(resolveTree(name));
  if (!b) {
    results[name] = { built: false };
    continue;
  }
  const bytes = readFileSync(b.wasmPath);
  const t0 = performance.now();
  const mod = new WebAssembly.Module(bytes);
  const compileMs = performance.now() - t0;
  const t1 = performance.now();
  loadKernel(mod);
  const machine = machineBench(b.wasmPath);
  bootMs[name] = machine.bootMsMedian;
  results[name] = {
    buildId: b.manifest.buildId,
    stepTimesMs: b.manifest.times,
    recompiledObjects: b.manifest.recompiledObjects,
    sizeBeforeAsyncifyBytes: b.manifest.sizes.linkedBytes,
    sizeAfterAsyncifyBytes: b.manifest.sizes.asyncifiedBytes,
    moduleCompileMs: Math.round(compileMs),
    instantiateMs: Math.round(performance.now() - t1),
    user: userBench(b.wasmPath),
    machine,
    check: await checkBench(name),
    speed: await speedBench(name),
  };
}
// Cold build on record, current sizes/Asyncify, and a one-file rebuild measured now (harness/bench/build.ts).
results.build = Object.fromEntries(TREE_NAMES.map((name) => [name, buildBench(resolveTree(name))]));
// Every default tree side by side (7.x beside 6.x): kernel version, cold compile on record, Asyncify, boot.
results.trees = Object.fromEntries(
  TREE_NAMES.map((name) => {
    const t = resolveTree(name);
    const cold = coldBuildOnRecord(t);
    const cur = currentBuild(t);
    return [
      name,
      {
        kernelVersion: t.kernelVersion,
        origin: t.origin,
        coldCompileMs: cold?.manifest.times.compile ?? null,
        coldCompileObjects: cold?.manifest.recompiledObjects ?? null,
        asyncifyMs: cur?.manifest.times.asyncify ?? null,
        asyncifyPeakRssKiB: cur?.manifest.asyncifyPeakRssKiB ?? null,
        sizeAfterAsyncifyBytes: cur?.manifest.sizes.asyncifiedBytes ?? null,
        bootMsMedian: bootMs[name] ?? null,
      },
    ];
  }),
);
results.patchReconstruction = await reconstructionRate();
// Real upstream fixes (patches/eval) rendered as web archives do, against GNU patch on the clean text.
results.patchEvaluation = evaluationRate(TREE_NAMES.map((n) => debianTree(n)));
results.explore = await (await import("./explore.ts")).exploreBench(); // schedule exploration (harness/bench/explore.ts)
results.generate = Object.fromEntries(TREE_NAMES.map((name) => [name, generateBench(name)])); // generated cases per second per filesystem (harness/bench/generate.ts)
// Time to first failure for every zoo bug found, with the flags that found it (harness/bench/zoo.ts; `npm run bench:zoo` runs this part alone).
results.zoo = zooBench();
results.debugKernel = Object.fromEntries(TREE_NAMES.map((name) => [name, debugBench(debianTree(name))])); // harness/bench/debug.ts
const json = JSON.stringify(results, null, 2);
writeBenchResult("bench", json);
console.log(json);
