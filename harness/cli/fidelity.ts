// `dioscope fidelity [--tree 6.1|6.12]`: what in a built kernel is not real
// kernel code — every import of the module and what the host does for it,
// generated from the build (its import list) and the arch header's contracts.
import { hostImports } from "../build/host-interface.ts";
import { currentBuild } from "../build/registry.ts";
import { resolveTree } from "../tree/resolve.ts";
import { TREE_NAMES, type TreeName } from "../tree/source.ts";
import { COMMON, command, treesOf, type CommandSpec } from "./args.ts";

export const FIDELITY: CommandSpec = {
  name: "fidelity",
  positionals: "",
  summary: "Prints the arch interface of each built kernel: every import with its contract (wasm_host.h) or as a trap.",
  options: { tree: COMMON.tree, base: COMMON.base, help: COMMON.help },
};

export async function runFidelity(argv: string[]): Promise<number> {
  return command(FIDELITY, argv, async (p) => fidelity(treesOf(p, TREE_NAMES)));
}

function fidelity(trees: TreeName[]): number {
  const contracts = new Map(hostImports().map((h) => [h.name, h]));
  for (const name of trees) {
    const b = currentBuild(resolveTree(name));
    if (!b) {
      console.log(`# ${name}: not built (run ./build.sh)`);
      continue;
    }
    const m = b.manifest;
    console.log(`# ${name}: ${m.tree.origin}, build ${m.buildId}`);
    console.log(`# Everything else in the module is the real kernel, compiled from the tree.`);
    for (const imp of m.imports) {
      if (imp.kind === "memory") console.log(`${imp.module}.${imp.name}\tmemory\tthe machine's RAM (a WebAssembly.Memory the host owns)`);
      else if (imp.module === "host") {
        const c = contracts.get(imp.name);
        console.log(`${imp.module}.${imp.name}\thost\t${c ? c.contract : "UNDOCUMENTED (not in asm/wasm_host.h)"}`);
      } else console.log(`${imp.module}.${imp.name}\ttrap\tnot simulated: no configured kernel code defines it; calling it stops the run`);
    }
    console.log(`# vmalloc entry points wrapped to the direct map: ${m.link.wrapped.join(", ")}`);
  }
  return 0;
}
