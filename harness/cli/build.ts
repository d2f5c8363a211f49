// `dioscope build [--tree 6.1|6.12]... [--all] [-j N]`: build the pristine kernel(s).
import { buildKernel } from "../build/index.ts";
import { debianTree } from "../tree/debian.ts";
import { isTreeName, TREE_NAMES, type TreeName } from "../tree/source.ts";

export async function runBuild(argv: string[]): Promise<number> {
  const trees: TreeName[] = [];
  let jobs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--all") trees.push(...TREE_NAMES);
    else if (a === "--tree" && isTreeName(argv[i + 1] ?? "")) trees.push(argv[++i] as TreeName);
    else if (a === "-j") jobs = Number(argv[++i]);
    else {
      console.error(`usage: dioscope build [--all | --tree 6.1|6.12 ...] [-j N]`);
      return 2;
    }
  }
  for (const name of trees.length ? trees : TREE_NAMES) {
    const tree = debianTree(name);
    console.log(`[${name}] ${tree.origin}: building`);
    const r = buildKernel({ tree, jobs, log: (l) => console.log(`[${name}]   ${l}`) });
    const m = r.manifest;
    console.log(
      `[${name}] ${r.cached ? "up to date" : "built"}: ${r.wasmPath} (${(m.sizes.asyncifiedBytes / 1e6).toFixed(1)} MB, ` +
        `${m.imports.filter((i) => i.kind === "function").length} function imports)`,
    );
  }
  return 0;
}
