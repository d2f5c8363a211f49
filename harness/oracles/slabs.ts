// The leak count of the after-run probe: once every filesystem of a type is
// unmounted, the slab caches that filesystem owns (named after it:
// btrfs_extent_map, ext4_inode_cache, fat_cache, and jbd2_journal_head for
// ext4's journal) must hold no more objects than the same kernel holds in
// them at boot, before any mount (6.1's ext4 keeps a mempool of
// ext4_bio_post_read_ctx from init on). The counts are the kernel's own:
// SLUB's sysfs `objects`, read after `shrink` has emptied the per-CPU slabs
// and RCU has freed what unmount queued. They exist only with SLUB_DEBUG
// (the debug kernel); elsewhere the probe notes why it has none. A user task
// reads them with read(2) (/proc/slabinfo has no ->read_iter for the agent).
import { bootKernel, type Booted } from "../boot/boot.ts";
import { AT_FDCWD, O } from "../user/abi.ts";
import { endHelper, mountPseudo } from "../user/pseudo.ts";
import { UserTask } from "../user/task.ts";
import type { SlabCount } from "./types.ts";

/** The caches each filesystem type owns, by name prefix. */
export const FS_CACHE_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  btrfs: ["btrfs_"],
  ext4: ["ext4_", "jbd2_"],
  vfat: ["fat_"],
};

const PROC_DIR = "/dioscope-proc";
const SYS_DIR = "/dioscope-sys";
const TASK_NAME = "leak-count";
/** Simulated time after unmount for RCU callbacks (btrfs inodes and extent buffers are freed by call_rcu). */
export const RCU_SETTLE_NS = 1e9;
/** The user task's read buffer, and the most bytes read from one file (/proc/slabinfo has one line per cache). */
const READ_CHUNK_BYTES = 16 * 1024;
const READ_MAX_BYTES = 1024 * 1024;

type Census = { objects: Map<string, number> } | { note: string };

/** Counts at boot, per kernel (the value a machine was booted from): one extra boot per kernel and process. */
const atBoot = new Map<Booted["wasm"], Census>();

/** Objects left in the caches of `fstypes` (each unmounted entirely), beside the kernel's counts at boot; a note when the kernel cannot count them. */
export function countFsSlabs(b: Booted, fstypes: readonly string[]): { counts: SlabCount[] } | { note: string } {
  const owned = (name: string) => fstypes.find((t) => (FS_CACHE_PREFIXES[t] ?? []).some((p) => name.startsWith(p)));
  if (!fstypes.some((t) => FS_CACHE_PREFIXES[t])) return { counts: [] };
  // The boot census first (once per kernel): a kernel that cannot count is not asked again.
  let boot = atBoot.get(b.wasm);
  if (!boot) {
    boot = census(bootKernel(b.wasm), (name) => Object.values(FS_CACHE_PREFIXES).some((ps) => ps.some((p) => name.startsWith(p))), 0);
    atBoot.set(b.wasm, boot);
  }
  if ("note" in boot) return boot;
  const now = census(b, (name) => owned(name) !== undefined, RCU_SETTLE_NS);
  if ("note" in now) return now;
  const counts = [...now.objects].map(([cache, objects]) => ({ cache, fstype: owned(cache)!, objects, atBoot: boot.objects.get(cache) ?? 0 }));
  return { counts };
}

/** The `objects` of every cache `wanted` names, after RCU had `settleNs` and each cache was shrunk. */
function census(b: Booted, wanted: (cache: string) => boolean, settleNs: number): Census {
  mountPseudo(b.agent, "proc", PROC_DIR);
  mountPseudo(b.agent, "sysfs", SYS_DIR);
  const t = UserTask.spawn(b.agent, { name: TASK_NAME });
  const buf = t.alloc(READ_CHUNK_BYTES);
  const readText = (path: string) => readFile(t, buf, path);
  try {
    const slabinfo = readText(`${PROC_DIR}/slabinfo`);
    if (typeof slabinfo === "number") return { note: `opening /proc/slabinfo returned ${slabinfo} (a kernel without SLUB_DEBUG)` };
    if (settleNs > 0) b.machine.runFor(settleNs);
    const objects = new Map<string, number>();
    for (const name of slabinfo.split("\n").slice(2).map((l) => l.split(/\s+/)[0]!)) {
      if (!name || !wanted(name)) continue;
      const dir = `${SYS_DIR}/kernel/slab/${name}`;
      const shrunk = writeText(t, `${dir}/shrink`, "1\n");
      if (shrunk < 0) return { note: `shrinking ${name} returned ${shrunk}` };
      const text = readText(`${dir}/objects`);
      const n = typeof text === "number" ? NaN : parseInt(text, 10);
      if (!Number.isInteger(n) || n < 0) return { note: `${dir}/objects read ${JSON.stringify(text)}` };
      objects.set(name, n);
    }
    return { objects };
  } finally {
    endHelper(b.agent, t, TASK_NAME);
    b.agent.ok(0, { op: "UMOUNT", path: SYS_DIR });
    b.agent.ok(0, { op: "UMOUNT", path: PROC_DIR });
  }
}

/** A pseudo file's text (read through `buf`, READ_CHUNK_BYTES), or the negative errno of its open or read. */
function readFile(t: UserTask, buf: number, path: string): string | number {
  const fd = openPseudo(t, path, O.RDONLY);
  if (fd < 0) return fd;
  let text = "";
  try {
    for (let total = 0; total < READ_MAX_BYTES; ) {
      const n = t.syscall("read", [fd, buf, READ_CHUNK_BYTES]);
      if (n < 0) return n;
      if (n === 0) break;
      text += new TextDecoder().decode(t.readUser(buf, n));
      total += n;
    }
    return text;
  } finally {
    t.syscall("close", [fd]);
  }
}

/** openat(2) without a journal note (read(2) and write(2) below neither): the oracles' data model is about the run's files, not these. */
function openPseudo(t: UserTask, path: string, flags: number): number {
  return t.syscall("openat", [AT_FDCWD, t.putString(path), flags, 0]);
}

function writeText(t: UserTask, path: string, text: string): number {
  const fd = openPseudo(t, path, O.WRONLY);
  if (fd < 0) return fd;
  const bytes = new TextEncoder().encode(text);
  const n = t.syscall("write", [fd, t.put(bytes), bytes.length]);
  t.syscall("close", [fd]);
  return n;
}
