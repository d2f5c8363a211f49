// The kernels the tests run: every tree ./build.sh builds must be built
// (a missing build is a test failure, never a silent skip). DIOSCOPE_TREES
// narrows the list while developing (e.g. DIOSCOPE_TREES=6.12).
import type { KernelConfig } from "../../harness/build/kbuild.ts";
import { currentBuild } from "../../harness/build/registry.ts";
import { resolveTree } from "../../harness/tree/resolve.ts";
import { TREE_NAMES, type TreeName } from "../../harness/tree/source.ts";

export const TEST_TREES: TreeName[] = process.env.DIOSCOPE_TREES?.split(",") ?? [...TREE_NAMES];

export interface TestKernel {
  tree: TreeName;
  kernelVersion: string;
  wasmPath: string;
}

export function builtKernels(config: KernelConfig = "plain", trees: readonly TreeName[] = TEST_TREES): TestKernel[] {
  return trees.map((tree) => {
    const t = resolveTree(tree);
    const b = currentBuild(t, config);
    const flag = config === "plain" ? "" : ` --${config}`;
    if (!b) throw new Error(`${config} kernel ${tree} is not built for the current sources: run ./build.sh (or: npm run dioscope -- build --tree ${tree}${flag})`);
    return { tree, kernelVersion: t.kernelVersion, wasmPath: b.wasmPath };
  });
}

/**
 * Trees whose debug kernel ./build.sh builds and the debug tests run on (the
 * locking self-tests, KUnit, fail-nth, the seeds on the debug kernel): every
 * tree.
 */
export const DEBUG_TREES: TreeName[] = TEST_TREES;

/**
 * Trees whose KUnit boot tests/kunit.test.ts runs: every debug tree (7.3's
 * boot leaves out the 7.x modules the machine cannot run to their end,
 * EXCLUDED_MODULES in harness/selftest/kunit.ts).
 */
export const KUNIT_TREES: TreeName[] = DEBUG_TREES;
