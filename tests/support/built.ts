// The kernels the tests run: every tree ./build.sh builds must be built
// (a missing build is a test failure, never a silent skip). DIOSCOPE_TREES
// narrows the list while developing (e.g. DIOSCOPE_TREES=6.12).
import { currentBuild } from "../../harness/build/registry.ts";
import { resolveTree } from "../../harness/tree/resolve.ts";
import { TREE_NAMES, type TreeName } from "../../harness/tree/source.ts";

export const TEST_TREES: TreeName[] = process.env.DIOSCOPE_TREES?.split(",") ?? [...TREE_NAMES];

export interface TestKernel {
  tree: TreeName;
  kernelVersion: string;
  wasmPath: string;
}

export function builtKernels(): TestKernel[] {
  return TEST_TREES.map((tree) => {
    const t = resolveTree(tree);
    const b = currentBuild(t);
    if (!b) throw new Error(`kernel ${tree} is not built for the current sources: run ./build.sh (or: npm run dioscope -- build --tree ${tree})`);
    return { tree, kernelVersion: t.kernelVersion, wasmPath: b.wasmPath };
  });
}
