// `dioscope build [--tree <series|path> [--rev <rev>]]... [--all] [-j N] [--overlay <tree path>=<file>]...`:
// build the pristine kernel(s), or one tree with some files replaced (the
// objects are seeded from the pristine build; Kbuild recompiles what depends
// on the replaced files).
import { resolve } from "node:path";
import { buildKernel } from "../build/index.ts";
import { KbuildError } from "../build/kbuild.ts";
import { resolveTree } from "../tree/resolve.ts";
import { isTreeName, TREE_NAMES, type TreeName } from "../tree/source.ts";

const USAGE = "usage: dioscope build [--all | --tree <series|path> [--rev <rev>] ...] [-j N] [--overlay <tree path>=<file> ...]";

export async function runBuild(argv: string[]): Promise<number> {
  const trees: { spec: TreeName; rev?: string }[] = [];
  const overlay = new Map<string, string>();
  let jobs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a === "--overlay" ? (argv[i + 1] ?? "").indexOf("=") : -1;
    if (a === "--all") trees.push(...TREE_NAMES.map((spec) => ({ spec })));
    else if (a === "--tree" && isTreeName(argv[i + 1] ?? "")) trees.push({ spec: argv[++i]! });
    else if (a === "--rev" && trees.length && argv[i + 1]) trees.at(-1)!.rev = argv[++i];
    else if (a === "-j" && Number(argv[i + 1]) > 0) jobs = Number(argv[++i]);
    else if (eq > 0) {
      const spec = argv[++i]!;
      overlay.set(spec.slice(0, eq), resolve(spec.slice(eq + 1)));
    } else {
      console.error(USAGE);
      return 2;
    }
  }
  if (overlay.size && trees.length !== 1) {
    console.error(`dioscope build: --overlay needs exactly one --tree\n${USAGE}`);
    return 2;
  }
  for (const { spec, rev } of trees.length ? trees : TREE_NAMES.map((spec) => ({ spec, rev: undefined }))) {
    const tree = resolveTree(spec, rev);
    const name = tree.name;
    console.log(`[${name}] ${tree.origin}${overlay.size ? ` + ${[...overlay.keys()].join(", ")}` : ""}: building`);
    let r;
    try {
      r = buildKernel({ tree, overlay, jobs, log: (l) => console.log(`[${name}]   ${l}`) });
    } catch (e) {
      if (!(e instanceof KbuildError)) throw e;
      console.error(`[${name}] ${tree.origin} (kernel ${tree.kernelVersion}) does not build: ${e.message}`);
      return 1;
    }
    const m = r.manifest;
    console.log(
      `[${name}] ${r.cached ? "up to date" : `built (${m.recompiledObjects} objects compiled)`}: ${r.wasmPath} ` +
        `(${(m.sizes.asyncifiedBytes / 1e6).toFixed(1)} MB, ${m.imports.filter((i) => i.kind === "function").length} function imports)`,
    );
  }
  return 0;
}
