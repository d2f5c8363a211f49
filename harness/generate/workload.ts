// A generated workload as a value: one file on one filesystem in a chosen
// state, 1-3 user tasks each with a few operations on it (direct and
// buffered I/O through every user API the machine has, syncs, size and
// allocation changes), and bio faults. It prints as readable text and is
// parsed back (text.ts), builds a scenario (scenario.ts), and shrinks
// (shrink.ts). Nothing in it names a bug: the generator draws from
// interesting geometry (block, page, i_size and sub-block boundaries).
// The target is a file on a filesystem, or the raw block device itself
// ("bdev": the file is the disk's device node, its size the device's).
// "btrfs-nodatacow" is btrfs mounted with nodatacow: its files have no data
// checksums and are written in place, so direct writes stay direct (on a
// checksummed btrfs file they fall back to buffered I/O). "loop" is a loop
// device with direct I/O over a file on ext4: the file is the loop device's
// node, its size the backing file's, and every request becomes the loop
// driver's asynchronous kiocb on the backing file.
import type { BlkStatusName } from "../block/faults.ts";
import type { DiskKind } from "../block/images.ts";

/** Filesystem block and page size of every image the generator uses (images.ts: 4096-byte blocks, vfat clusters). */
export const FS_BLOCK = 4096;
/** The smallest direct-I/O alignment of the machine's disks (512-byte logical blocks). */
export const SECTOR = 512;

/** The raw block device as a target: no filesystem, the workload's file is the device node of a blank disk. */
export const BDEV = "bdev";

/** The targets a workload runs on: the images.ts filesystems the generator knows, and the raw block device. */
/** A loop device with direct I/O over a file on ext4 as the target. */
export const LOOP = "loop";

/** The targets a workload runs on: the images.ts filesystems the generator knows, the raw block device and a loop device. */
export const GEN_FS = ["ext4", "ext4-noextents", "btrfs", "vfat", BDEV, "btrfs-nodatacow", LOOP, "ext4-inline"] as const;
export type GenFs = (typeof GEN_FS)[number];

/** The disk a target needs. */
export const diskKindOf = (fs: GenFs): DiskKind => (fs === BDEV ? "blank" : fs === "btrfs-nodatacow" ? "btrfs" : fs === LOOP ? "ext4" : fs);

/** The target's file is a block device node: its size is fixed (the workload's size), it has no allocation of its own. */
export const isDevice = (fs: GenFs): boolean => fs === BDEV || fs === LOOP;

/** The file before the workload: a sparse hole, unwritten (fallocated), written and synced, dirty in the page cache, or extents of each. */
export const PRE_STATES = ["hole", "fallocated", "written", "delalloc", "mixed"] as const;
export type PreState = (typeof PRE_STATES)[number];
/** Where a "mixed" file has written data again: block 0 is written, block 1 a hole, block 2 unwritten (fallocated; a hole where the filesystem cannot), and from here on written when the file is longer. */
export const MIXED_DATA_AT = 3 * FS_BLOCK;

/** Which of the task's descriptors on the file: opened with O_DIRECT, buffered, or O_DIRECT | O_APPEND (every write at i_size). */
export type FdKind = "direct" | "buffered" | "append" | "dsync";

export interface Extent {
  off: number;
  len: number;
}

/** One request of an AIO io_submit or an io_uring submission. */
export interface Request extends Extent {
  write: boolean;
  /** RWF_NOWAIT on the request. */
  nowait: boolean;
  /** RWF_DSYNC on a write request: its completion makes the data durable (a sync after the write, in the completion path). */
  dsync?: boolean;
}

/** RWF_* flags a generated preadv2/pwritev2 may carry (names as printed). */
export const RWF_NAMES = ["nowait", "dsync", "append"] as const;
export type RwfName = (typeof RWF_NAMES)[number];

/** What an op's first system call may carry: fail the n-th fault point it reaches (the kernel's fail-nth; debug kernels only). */
export interface Injected {
  fail?: number;
}

export type Op = OpBody & Injected;

type OpBody =
  /**
   * pread64/pwrite64 (iov 1) or preadv/pwritev (iov > 1); `fresh`: the
   * buffer's pages never touched (the kernel must fault them; a write's
   * bytes are zeros); `mapped` (writes only): the buffer is the target file
   * itself, mmapped shared at the op's offset rounded down to a page and
   * never touched (the write's bytes are the file's own); `scatter`: one
   * iovec per sector, each at the start of its own page (len / 512 iovecs
   * over as many pages, which no bio can merge: a bio holds at most
   * BIO_MAX_PAGES of them; `iov` is then 1).
   */
  | ({ k: "pread" | "pwrite"; fd: FdKind; iov: number; fresh: boolean; mapped?: boolean; scatter?: boolean } & Extent)
  | ({ k: "preadv2" | "pwritev2"; fd: FdKind; iov: number; fresh: boolean; mapped?: boolean; scatter?: boolean; rwf: RwfName[] } & Extent)
  /** io_submit of every request, then io_getevents for all that were submitted. */
  | { k: "aio"; fd: FdKind; reqs: Request[] }
  /** io_uring READV/WRITEV SQEs in one io_uring_enter that waits for them all; `poll`: on the task's polled ring (IORING_SETUP_IOPOLL). */
  | { k: "uring"; fd: FdKind; reqs: Request[]; poll?: boolean }
  | { k: "fsync" | "fdatasync" }
  | { k: "ftruncate"; size: number }
  | ({ k: "fallocate"; mode: FallocMode } & Extent)
  /** FIFREEZE on the file's filesystem, then (if it froze) FITHAW: writers elsewhere wait for the thaw, the freeze for writes in flight. */
  | { k: "freeze" };

export const FALLOC_MODES = ["alloc", "keep", "punch", "zero"] as const;
export type FallocMode = (typeof FALLOC_MODES)[number];

export interface TaskSpec {
  ops: Op[];
  /** A thread of the first task (clone as libpthread does): it shares that task's descriptors (one struct file each) and memory. */
  thread?: boolean;
}

/**
 * A bio fault: the nth bio of that direction in the run gets `status`,
 * completed inside submit_bio or later by an interrupt. AGAIN goes to the
 * nth REQ_NOWAIT bio (what devices promise), or with `wait` to the nth bio
 * of any kind (a lower layer that answers AGAIN to a bio that may wait).
 */
export interface BioFault {
  op: "read" | "write";
  nth: number;
  status: Extract<BlkStatusName, "IOERR" | "AGAIN">;
  when: "now" | "irq";
  wait?: boolean;
}

export interface Workload {
  fs: GenFs;
  pre: PreState;
  /** The file's size before the workload. */
  size: number;
  tasks: TaskSpec[];
  faults: BioFault[];
}

/** The most pages one bio carries (the kernel's BIO_MAX_VECS): a direct request over more pages needs several bios. */
export const BIO_MAX_PAGES = 256;

/** Most tasks and operations per task the generator makes, and the largest sizes and lengths (the parser refuses more); a scattered buffer spans at most two bios' worth of pages. */
export const LIMITS = { tasks: 3, opsPerTask: 6, reqs: 4, iov: 4, faults: 3, size: 64 * FS_BLOCK, len: 2 * BIO_MAX_PAGES * SECTOR, scatterSectors: 2 * BIO_MAX_PAGES, failNth: 1000 } as const;

/** The CPUs a workload's machine has, and the CPU task i is pinned to. */
export const CPUS = 2;
export const cpuOf = (task: number): number => task % CPUS;

/** Every request of an op with its extent and direction (reads and writes only). */
export function requestsOf(op: Op): Request[] {
  switch (op.k) {
    case "pread":
    case "preadv2":
      return [{ off: op.off, len: op.len, write: false, nowait: op.k === "preadv2" && op.rwf.includes("nowait") }];
    case "pwrite":
    case "pwritev2":
      return [{ off: op.off, len: op.len, write: true, nowait: op.k === "pwritev2" && op.rwf.includes("nowait") }];
    case "aio":
    case "uring":
      return op.reqs;
    default:
      return [];
  }
}

/** Does `op` write the file (a write request of any kind)? */
export const writesFile = (op: Op): boolean => requestsOf(op).some((q) => q.write);

/** Checks a workload's invariants (the parser's and the generator's output both pass here). */
export function checkWorkload(w: Workload): void {
  const bad = (why: string) => {
    throw new Error(`bad workload: ${why}`);
  };
  if (!(GEN_FS as readonly string[]).includes(w.fs)) bad(`unknown filesystem ${w.fs}`);
  if (!(PRE_STATES as readonly string[]).includes(w.pre)) bad(`unknown file state ${w.pre}`);
  if (!(w.size >= 0 && w.size <= LIMITS.size)) bad(`file size ${w.size} outside 0..${LIMITS.size}`);
  if (isDevice(w.fs) && !(w.size >= SECTOR && w.size % SECTOR === 0)) bad(`device size ${w.size} is not a positive multiple of ${SECTOR}`);
  if (w.tasks.length < 1 || w.tasks.length > LIMITS.tasks) bad(`${w.tasks.length} tasks (1..${LIMITS.tasks})`);
  if (w.tasks[0]?.thread) bad("the first task is a thread (threads belong to the first task)");
  if (w.faults.length > LIMITS.faults) bad(`${w.faults.length} faults (at most ${LIMITS.faults})`);
  for (const f of w.faults) if (!(Number.isInteger(f.nth) && f.nth >= 1)) bad(`fault nth ${f.nth}`);
  for (const f of w.faults) if (f.wait && f.status !== "AGAIN") bad(`a ${f.status} fault with "wait" (only AGAIN picks among bios that may wait)`);
  for (const t of w.tasks) {
    if (t.ops.length < 1 || t.ops.length > LIMITS.opsPerTask) bad(`a task with ${t.ops.length} operations (1..${LIMITS.opsPerTask})`);
    for (const op of t.ops) {
      if ((op.k === "aio" || op.k === "uring") && (op.reqs.length < 1 || op.reqs.length > LIMITS.reqs)) bad(`${op.k} with ${op.reqs.length} requests`);
      if ((op.k === "aio" || op.k === "uring") && op.reqs.some((q) => q.dsync && !q.write)) bad(`${op.k}: dsync on a read request (writes only)`);
      if (op.fail !== undefined && !(Number.isInteger(op.fail) && op.fail >= 1 && op.fail <= LIMITS.failNth)) bad(`${op.k} fail-nth ${op.fail} (1..${LIMITS.failNth})`);
      if ("mapped" in op && op.mapped && (op.fresh || op.k === "pread" || op.k === "preadv2")) bad(`${op.k} with a mapped buffer (writes only, not with fresh)`);
      if ("iov" in op && (op.iov < 1 || op.iov > LIMITS.iov || op.iov > op.len)) bad(`${op.k} with ${op.iov} iovecs`);
      if ("scatter" in op && op.scatter && (op.iov !== 1 || op.mapped || op.len % SECTOR || op.len / SECTOR > LIMITS.scatterSectors)) bad(`${op.k} scattered over ${op.len / SECTOR} sectors (whole sectors, at most ${LIMITS.scatterSectors}; not with iovN or mapped)`);
      for (const r of [...requestsOf(op), ...(op.k === "fallocate" ? [op] : [])])
        if (!(Number.isInteger(r.off) && r.off >= 0 && r.off <= LIMITS.size && r.len >= 1 && r.len <= LIMITS.len)) bad(`${op.k} extent ${r.off}+${r.len}`);
      if (op.k === "ftruncate" && !(op.size >= 0 && op.size <= LIMITS.size)) bad(`ftruncate to ${op.size}`);
    }
  }
}
