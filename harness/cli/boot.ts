// `dioscope boot [--tree 6.1|6.12] [--cpus N] [--disk ext4|ext4-noextents|ext3|btrfs|vfat]... [--quiet]`:
// boot the built kernel to the agent and print its console and what it cost.
import { bootKernel } from "../boot/boot.ts";
import { FS_KINDS, makeDisk, type FsKind } from "../block/images.ts";
import { currentBuild } from "../build/registry.ts";
import { resolveTree } from "../tree/resolve.ts";
import { SCENARIO_LIMITS } from "../scenario/types.ts";
import { NEWEST_TREE, type TreeName } from "../tree/source.ts";
import { COMMON, command, ONE_TREE, intOf, treesOf, UsageError, type CommandSpec } from "./args.ts";

export const BOOT: CommandSpec = {
  name: "boot",
  positionals: "",
  summary: "Boots a built kernel to the scenario agent and prints its console.",
  options: {
    ...ONE_TREE,
    cpus: { type: "string", value: "N", help: `simulated CPUs, 1..${SCENARIO_LIMITS.cpusMax} (default 2)` },
    disk: { type: "string", multiple: true, value: "KIND", help: `a disk with a fresh filesystem: ${FS_KINDS.join(", ")}; repeat for several` },
    quiet: { type: "boolean", help: "print only the summary line" },
    help: COMMON.help,
  },
};

export async function runBoot(argv: string[]): Promise<number> {
  return command(BOOT, argv, async (p) => {
    const [tree] = treesOf(p, [NEWEST_TREE]);
    const cpus = intOf(p, "cpus", 2, 1);
    if (cpus > SCENARIO_LIMITS.cpusMax) throw new UsageError(`--cpus is 1..${SCENARIO_LIMITS.cpusMax}`);
    const disks = ((p.values.disk as string[] | undefined) ?? []).map((k) => {
      if (!(FS_KINDS as readonly string[]).includes(k)) throw new UsageError(`unknown disk kind ${k}; known: ${FS_KINDS.join(", ")}`);
      return k as FsKind;
    });
    return boot(tree!, cpus, disks, Boolean(p.values.quiet));
  });
}

function boot(tree: TreeName, cpus: number, disks: FsKind[], quiet: boolean): number {
  const build = currentBuild(resolveTree(tree));
  if (!build) {
    console.error(`dioscope: kernel ${tree} is not built for the current sources; run: dioscope build --tree ${tree}`);
    return 2;
  }
  const b = bootKernel(build.wasmPath, { cpus, disks: disks.map((k, i) => makeDisk(`wd${String.fromCharCode(97 + i)}`, k)) });
  const m = b.machine;
  if (!quiet) console.log(m.console.text((t) => m.clock.stamp(t)));
  console.log(
    `booted ${tree} (${build.manifest.buildId}) on ${cpus} CPUs: ${b.bootMs.toFixed(0)} ms wall, ` +
      `${(m.clock.now / 1e6).toFixed(3)} ms simulated, ${m.steps} switch points, ${m.suspendedTasks().length} tasks waiting`,
  );
  return 0;
}
