// `dioscope build [--tree <series|path> [--rev <rev>]]... [--all] [-j N] [--overlay <tree path>=<file>]...`:
// build the pristine kernel(s), or one tree with some files replaced (the
// objects are seeded from the pristine build; Kbuild recompiles what depends
// on the replaced files).
import { resolve } from "node:path";
import { buildKernel } from "../build/index.ts";
import { KbuildError, type KernelConfig } from "../build/kbuild.ts";
import { resolveTree } from "../tree/resolve.ts";
import { TREE_NAMES, type TreeName } from "../tree/source.ts";
import { COMMON, command, configFlags, configOf, intOf, treesOf, UsageError, type CommandSpec } from "./args.ts";

/** What `dioscope build` builds unless told. */
const BUILD_DEFAULT_CONFIG: KernelConfig = "plain";

export const BUILD: CommandSpec = {
  name: "build",
  positionals: "",
  summary: "Builds the kernel of each tree (cached by a content hash of every input: the same inputs never build twice).",
  options: {
    tree: COMMON.tree,
    base: COMMON.base,
    all: { type: "boolean", help: "every tree (the default when no --tree is given)" },
    jobs: { type: "string", short: "j", value: "N", help: "parallel compile jobs (default: the number of CPUs)" },
    ...configFlags(BUILD_DEFAULT_CONFIG),
    rev: { type: "string", value: "REV", help: "with one --tree PATH (a git checkout): build that revision, exported into the cache" },
    overlay: { type: "string", multiple: true, value: "PATH=FILE", help: "build one tree with tree file PATH replaced by FILE; repeat for several" },
    help: COMMON.help,
  },
};

export async function runBuild(argv: string[]): Promise<number> {
  return command(BUILD, argv, async (p) => {
    if (p.positionals.length) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
    const trees = p.values.all ? [...TREE_NAMES] : treesOf(p, TREE_NAMES);
    const overlay = new Map<string, string>();
    for (const spec of (p.values.overlay as string[] | undefined) ?? []) {
      const eq = spec.indexOf("=");
      if (eq <= 0) throw new UsageError(`--overlay takes PATH=FILE, not ${spec}`);
      overlay.set(spec.slice(0, eq), resolve(spec.slice(eq + 1)));
    }
    if (overlay.size && trees.length !== 1) throw new UsageError("--overlay needs exactly one --tree");
    const rev = p.values.rev as string | undefined;
    if (rev !== undefined && trees.length !== 1) throw new UsageError("--rev needs exactly one --tree");
    const config: KernelConfig = configOf(p, BUILD_DEFAULT_CONFIG);
    return buildTrees(trees, rev, overlay, p.values.jobs === undefined ? undefined : intOf(p, "jobs", 1, 1), config);
  });
}

function buildTrees(trees: TreeName[], rev: string | undefined, overlay: Map<string, string>, jobs: number | undefined, config: KernelConfig): number {
  for (const spec of trees) {
    const tree = resolveTree(spec, rev);
    const name = tree.name;
    console.log(`[${name}] ${tree.origin}${overlay.size ? ` + ${[...overlay.keys()].join(", ")}` : ""} (${config}): building`);
    let r;
    try {
      r = buildKernel({ tree, config, overlay, jobs, log: (l) => console.log(`[${name}]   ${l}`) });
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
