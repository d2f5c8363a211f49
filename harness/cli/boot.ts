// `dioscope boot [--tree 6.1|6.12] [--cpus N] [--disk ext4|ext4-noextents|ext3|btrfs|vfat]... [--quiet]`:
// boot the built kernel to the agent and print its console and what it cost.
import { bootKernel } from "../boot/boot.ts";
import { makeDisk, type FsKind } from "../block/images.ts";
import { currentBuild } from "../build/registry.ts";
import { resolveTree } from "../tree/resolve.ts";
import { DEFAULT_TREE, isTreeName, type TreeName } from "../tree/source.ts";

const USAGE = "usage: dioscope boot [--tree 6.1|6.12] [--cpus N] [--disk ext4|ext4-noextents|ext3|btrfs|vfat]... [--quiet]";
const KINDS = ["ext4", "ext4-noextents", "ext3", "btrfs", "vfat"];

export async function runBoot(argv: string[]): Promise<number> {
  let tree: TreeName = DEFAULT_TREE;
  let cpus = 2;
  let quiet = false;
  const disks: FsKind[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1] ?? "";
    if (a === "--tree" && isTreeName(v)) (tree = v), i++;
    else if (a === "--cpus" && /^[1-8]$/.test(v)) (cpus = Number(v)), i++;
    else if (a === "--disk" && KINDS.includes(v)) disks.push(v as FsKind), i++;
    else if (a === "--quiet") quiet = true;
    else {
      console.error(USAGE);
      return 2;
    }
  }
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
