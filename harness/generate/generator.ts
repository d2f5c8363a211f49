// The seeded workload generator. Every choice comes from harness/prng.ts
// seeded by (seed, index), so workload i of seed s is the same text on any
// machine. Geometry is drawn from interesting points rather than uniformly:
// block and page boundaries, i_size and one block either side, 512-byte
// sub-block offsets and lengths, and now and then a misaligned extent that
// direct I/O must refuse with -EINVAL. On the raw block device the size is
// the device's, so the same points read and write at, across and past its
// end. A second stream of the same seed draws what the first never did
// (polled rings; fail-nth when the kernel has fault injection), so a
// workload without them is the text the first stream alone gives; a third
// stream does the same for O_APPEND descriptors and for write buffers never
// touched or mapped from the file itself, a fourth for RWF_DSYNC on
// asynchronous writes, write bios failing by interrupt under them, and
// filesystem freezes, a fifth for tasks that are threads of the first and
// O_DSYNC descriptors, a sixth for short programs: many bugs are stated by
// one or two calls per task, which longer programs bury under operations
// that change the file first; a seventh, only when the change under test
// names a file state that one call makes (inline data), puts the file in
// the state that call needs and the call next to a direct write
// (transitions.ts); an eighth, on the raw block device, makes a request
// that needs several bios (bios.ts); a ninth, only when the change names
// truncate, leaves an asynchronous direct write inside the file alone
// beside a truncate that extends it (resize.ts).
import { prng } from "../prng.ts";
import { chance, pick, P_SHORT_CLEAN, shortProgram, weighted, type Rand } from "./draw.ts";
import { SEVENTH_SALT, transitions } from "./transitions.ts";
import { EIGHTH_SALT, eighth } from "./bios.ts";
import { NINTH_SALT, ninth } from "./resize.ts";
import { boosted, NO_EMPHASIS, weightFor, type Emphasis, type Feature } from "./emphasis.ts";
import {
  checkWorkload, isDevice, FS_BLOCK, LIMITS, PRE_STATES, writesFile, SECTOR, type BioFault, type FallocMode, type FdKind, type GenFs, type Op, type Request, type RwfName, type Workload,
} from "./workload.ts";

/** A misaligned offset or length (not a multiple of 512): direct I/O must return -EINVAL. */
const MISALIGNED = 100;

/** File sizes before the workload: whole blocks, and one with a partial last block. */
const SIZES = [2 * FS_BLOCK, 3 * FS_BLOCK, 4 * FS_BLOCK, 8 * FS_BLOCK, 3 * FS_BLOCK + 3 * SECTOR];
/** Targets whose files start at other sizes: on inline_data, empty, inode-sized (the inode holds the data) and larger (a hole there may still become inline data). */
const SIZES_OF: Partial<Record<GenFs, readonly number[]>> = { "ext4-inline": [0, SECTOR, 2 * FS_BLOCK, 4 * FS_BLOCK, 3 * FS_BLOCK + 3 * SECTOR] };

/** Sizes, truncates and lengths up to this many bytes are what an "inline" change favours: about what a 1 KiB ext4-inline inode holds (~900 bytes of data). */
const SMALL = 2 * SECTOR;

/** One of `xs`; with an "inline" change, the values `small` accepts are favoured (without it, exactly `pick`). */
function pickFavouring(r: Rand, e: Emphasis, xs: readonly number[], small: (x: number) => boolean): number {
  if (!e.has("inline")) return pick(r, xs);
  return weighted(r, xs.map((x) => [small(x) ? weightFor(e, "inline", 1) : 1, x] as const));
}

function offset(r: Rand, size: number, e: Emphasis): number {
  const blockOfSize = Math.floor(size / FS_BLOCK) * FS_BLOCK;
  const points = [0, FS_BLOCK, 2 * FS_BLOCK, Math.max(0, blockOfSize - FS_BLOCK), blockOfSize, blockOfSize + FS_BLOCK, size];
  const base = pickFavouring(r, e, points, (x) => x === 0);
  return weighted(r, [
    [6, base],
    [2, base + SECTOR * (1 + Math.floor(r() * 7))],
    [1, Math.max(0, base - SECTOR)],
    [0.3, base + MISALIGNED],
  ]);
}

function length(r: Rand, e: Emphasis): number {
  return weighted(r, [
    [4, FS_BLOCK],
    [3, 2 * FS_BLOCK],
    [1, 3 * FS_BLOCK],
    [1, 4 * FS_BLOCK],
    [weightFor(e, "inline", 2), SECTOR],
    [1, 3 * SECTOR],
    [1, FS_BLOCK + SECTOR],
    [0.3, MISALIGNED],
  ]);
}

function fd(r: Rand): FdKind {
  return chance(r, 0.75) ? "direct" : "buffered";
}

function request(r: Rand, size: number, e: Emphasis): Request {
  const write = chance(r, 0.5);
  return { write, off: offset(r, size, e), len: length(r, e), nowait: chance(r, boosted(e, "nowait", 0.2)) };
}

/** iovecs for a buffer of `len` bytes: more than one only when each gets a 512-byte multiple. */
function iovs(r: Rand, len: number): number {
  if (len % SECTOR || len < 2 * SECTOR || !chance(r, 0.25)) return 1;
  return Math.min(len / SECTOR, 2 + Math.floor(r() * (LIMITS.iov - 1)));
}

/** The feature each RWF flag belongs to. */
const RWF_FEATURE: Record<RwfName, Feature> = { nowait: "nowait", dsync: "sync", append: "append" };

function rw(r: Rand, size: number, e: Emphasis): Op {
  const write = chance(r, 0.5);
  const at = { off: offset(r, size, e), len: length(r, e) };
  const v2 = chance(r, 0.3);
  const base = { fd: fd(r), ...at, iov: iovs(r, at.len), fresh: !write && chance(r, 0.25) };
  if (!v2) return { k: write ? "pwrite" : "pread", ...base };
  const names: RwfName[] = write ? ["nowait", "dsync", "append"] : ["nowait"];
  const rwf = names.filter((n) => chance(r, boosted(e, RWF_FEATURE[n], 0.4)));
  return { k: write ? "pwritev2" : "preadv2", ...base, rwf: rwf.length ? rwf : [pick(r, names)] };
}

function multi(r: Rand, k: "aio" | "uring", size: number, e: Emphasis): Op {
  const n = weighted(r, [
    [3, 1],
    [3, 2],
    [1, 3],
  ]);
  const reqs = Array.from({ length: n }, () => request(r, size, e));
  // AIO's NOWAIT is an rw flag too; io_uring's is the SQE's rw_flags.
  return { k, fd: chance(r, 0.85) ? "direct" : "buffered", reqs };
}

function op(r: Rand, size: number, e: Emphasis): Op {
  return weighted<() => Op>(r, [
    [5, () => rw(r, size, e)],
    [weightFor(e, "async", 2), () => multi(r, "aio", size, e)],
    [weightFor(e, "async", 2), () => multi(r, "uring", size, e)],
    [weightFor(e, "sync", 1), () => ({ k: pick(r, ["fsync", "fdatasync"] as const) })],
    [weightFor(e, "truncate", 1), () => ftruncate(r, size, e)],
    [weightFor(e, "fallocate", 1), () => fallocate(r, size, e)],
  ])();
}

/** Truncate to a block or a sector either side of the size, to 0 or to twice the size; an "inline" change favours a few bytes left in the first block. */
function ftruncate(r: Rand, size: number, e: Emphasis): Op {
  const to = [0, size - FS_BLOCK, size - SECTOR, size + FS_BLOCK, size + SECTOR, 2 * size].filter((x) => x >= 0);
  return { k: "ftruncate", size: pickFavouring(r, e, to, (x) => x > 0 && x <= SMALL) };
}

function fallocate(r: Rand, size: number, e: Emphasis): Op {
  const mode = pick<FallocMode>(r, ["alloc", "keep", "punch", "zero"]);
  // One offset, rounded down to a sector (never below 0); the second draw keeps every later choice of the seed where it was.
  const at = offset(r, size, e);
  offset(r, size, e);
  return { k: "fallocate", mode, off: at - (at % SECTOR), len: length(r, e) };
}

function fault(r: Rand, e: Emphasis): BioFault {
  const status = chance(r, 1 - boosted(e, "nowait", 0.2)) ? "IOERR" : "AGAIN";
  return { op: chance(r, 0.5) ? "read" : "write", nth: 1 + Math.floor(r() * 4), status, when: chance(r, 0.5) ? "now" : "irq" };
}

/** What the kernel under test can do beyond the plain configuration. */
export interface GenOptions {
  /** The kernel has fault injection (the debug configuration): ops may carry fail-nth. */
  faultInjection?: boolean;
  /** What the change under test asks the draws to favour (emphasis.ts); none by default. */
  emphasis?: Emphasis;
}

/** Share of uring ops on the polled ring, and of ops carrying fail-nth (when the kernel can inject). */
const P_POLL = 0.3;
const P_FAIL = 0.2;
/** Share of workloads with an asynchronous read that get a read bio failing by a later interrupt. */
const P_ASYNC_READ_IRQ = 0.3;
/** Share of workloads that get an AGAIN for a bio that may wait. */
const P_WAIT_AGAIN = 0.25;

/** Some asynchronous (AIO, io_uring) request of the workload reads (`write` false) or writes. */
const hasAsync = (w: Workload, write: boolean): boolean => w.tasks.some((t) => t.ops.some((op) => (op.k === "aio" || op.k === "uring") && op.reqs.some((q) => q.write === write)));

/** The n of a fail-nth: the first few fault points of a call most often (its allocations up front), now and then a later one. */
function failNth(r: Rand): number {
  return weighted(r, [
    [4, 1 + Math.floor(r() * 4)],
    [3, 5 + Math.floor(r() * 12)],
    [1, 17 + Math.floor(r() * 48)],
  ]);
}

/**
 * The second stream's draws over what the first made: polled rings,
 * fail-nth; a read bio failing by interrupt when an asynchronous read is
 * in flight (completion paths that run in interrupt context), and an AGAIN
 * for a bio that may wait.
 */
function extras(r: Rand, w: Workload, o: GenOptions): void {
  const e = o.emphasis ?? NO_EMPHASIS;
  const nth = () => 1 + Math.floor(r() * 3);
  if (hasAsync(w, false) && chance(r, boosted(e, "bio-error", P_ASYNC_READ_IRQ)) && w.faults.length < LIMITS.faults) w.faults.push({ op: "read", nth: nth(), status: "IOERR", when: "irq" });
  if (chance(r, boosted(e, "nowait", P_WAIT_AGAIN)) && w.faults.length < LIMITS.faults)
    w.faults.push({ op: chance(r, 0.5) ? "read" : "write", nth: nth(), status: "AGAIN", when: chance(r, 0.5) ? "now" : "irq", wait: true });
  // Polled rings, then fail-nth: a kernel without fault injection gets the same workload less the fail-nth marks.
  for (const t of w.tasks) t.ops = t.ops.map((op) => (op.k === "uring" && chance(r, boosted(e, "poll", P_POLL)) ? { ...op, poll: true } : op));
  if (o.faultInjection) for (const t of w.tasks) t.ops = t.ops.map((op) => (chance(r, boosted(e, "failnth", P_FAIL)) ? { ...op, fail: failNth(r) } : op));
}

/** The second stream's seed for workload `index` (independent of the first's draws). */
const EXTRA_SALT = 0x6a09e667;
/** The third stream's: descriptors and buffers the first two never drew, so a workload without them keeps its text. */
const BUFFER_SALT = 0x3c6ef372;

/** Share of direct writes made through an O_DIRECT | O_APPEND descriptor; of pwrite/pwritev2 buffers never touched, and mapped from the file itself. */
const P_APPEND = 0.2;
const P_FRESH_WRITE = 0.25;
const P_MAPPED_WRITE = 0.2;

/**
 * The third stream: a direct write through the task's O_APPEND descriptor
 * (it lands at i_size, whatever its offset says), and a write from pages
 * never touched or from the file itself mmapped at the write's offset (the
 * kernel faults them in, or, where it must not fault, takes a short or
 * fallback path; a mapping over the written range is invalidated by the
 * direct write itself). Not on the raw block device: its size
 * is fixed, an appending write there only meets its end.
 */
function buffers(r: Rand, w: Workload, e: Emphasis): void {
  for (const t of w.tasks)
    t.ops = t.ops.map((op) => {
      if (isDevice(w.fs) || !("fd" in op) || op.fd !== "direct" || !writesFile(op)) return op;
      let out = op;
      // An appending write's offset means nothing to the kernel: the generator gives it the point it lands on if nothing else sized the file first.
      if (chance(r, boosted(e, "append", P_APPEND))) out = out.k === "pwrite" || out.k === "pwritev2" ? { ...out, fd: "append", off: w.size } : { ...out, fd: "append" };
      if ((out.k === "pwrite" || out.k === "pwritev2") && !out.fresh) {
        const buffer = weighted(r, [
          [weightFor(e, "untouched", P_FRESH_WRITE), "fresh"],
          [weightFor(e, "untouched", P_MAPPED_WRITE), "mapped"],
          [1 - P_FRESH_WRITE - P_MAPPED_WRITE, "filled"],
        ] as const);
        if (buffer === "fresh") out = { ...out, fresh: true };
        if (buffer === "mapped") out = { ...out, mapped: true };
      }
      return out;
    });
}

/** The fourth stream's seed. */
const FOURTH_SALT = 0xa54ff53a;
/** Share of workloads on a filesystem where one task freezes it (and thaws it) while the others work. */
const P_FREEZE = 0.2;
/** Share of asynchronous (AIO, io_uring) write requests with RWF_DSYNC. */
const P_ASYNC_DSYNC = 0.15;
/** Share of workloads with an asynchronous write that get a write bio failing by a later interrupt. */
const P_ASYNC_WRITE_IRQ = 0.3;

/**
 * The fourth stream: asynchronous writes with RWF_DSYNC (their completion
 * syncs), a write bio failing by a later interrupt while an asynchronous
 * write is in flight (as the second stream does for reads), and a
 * filesystem freeze.
 */
function fourth(r: Rand, w: Workload, e: Emphasis): void {
  for (const t of w.tasks)
    t.ops = t.ops.map((op) => (op.k === "aio" || op.k === "uring" ? { ...op, reqs: op.reqs.map((q) => (q.write && chance(r, boosted(e, "sync", P_ASYNC_DSYNC)) ? { ...q, dsync: true } : q)) } : op));
  if (hasAsync(w, true) && chance(r, boosted(e, "bio-error", P_ASYNC_WRITE_IRQ)) && w.faults.length < LIMITS.faults) w.faults.push({ op: "write", nth: 1 + Math.floor(r() * 3), status: "IOERR", when: "irq" });
  freezes(r, w, e);
}

/**
 * A filesystem freeze. A new task (or, with the most tasks already, an
 * existing one at a drawn place) freezes the filesystem and thaws it:
 * writers elsewhere must wait for the thaw and the freeze for the writes in
 * flight, without either waiting for the other forever. Not on a device
 * node (it has no filesystem of its own to freeze).
 */
function freezes(r: Rand, w: Workload, e: Emphasis): void {
  if (isDevice(w.fs) || !chance(r, boosted(e, "freeze", P_FREEZE))) return;
  if (w.tasks.length < LIMITS.tasks) {
    w.tasks.push({ ops: [{ k: "freeze" }] });
    return;
  }
  const t = pick(r, w.tasks);
  if (t.ops.length >= LIMITS.opsPerTask) return;
  t.ops.splice(Math.floor(r() * (t.ops.length + 1)), 0, { k: "freeze" });
}

/** The fifth stream's seed. */
const FIFTH_SALT = 0x510e527f;
/** Share of the tasks after the first that are threads of the first (one descriptor, one struct file, used by two tasks). */
const P_THREAD = 0.25;
/** Share of direct writes made through an O_DIRECT | O_DSYNC descriptor. */
const P_DSYNC_FD = 0.15;

/**
 * The fifth stream: a later task becomes a thread of the first, so two
 * tasks use the same open files (file->private_data and f_pos are shared;
 * the inode lock is not held for both), and a direct write goes through an
 * O_DSYNC descriptor (the write syncs the file: writeback of its other
 * dirty pages, logging, under the write's locks).
 */
function fifth(r: Rand, w: Workload, e: Emphasis): void {
  w.tasks = w.tasks.map((t, i) => (i > 0 && chance(r, boosted(e, "thread", P_THREAD)) ? { ...t, thread: true } : t));
  for (const t of w.tasks) t.ops = t.ops.map((op) => ("fd" in op && op.fd === "direct" && writesFile(op) && chance(r, boosted(e, "sync", P_DSYNC_FD)) ? { ...op, fd: "dsync" } : op));
}

/** The sixth stream's seed. */
const SIXTH_SALT = 0x9b05688c;
/** Share of workloads cut to short programs: each task keeps its first one or two operations. */
const P_SHORT = 0.35;

/**
 * The sixth stream: a short program. A call's own edge (a read across
 * i_size, a write into a hole of a fresh file, an appending write from
 * pages never touched) is most often met by the first calls on the file as
 * it was made; later ones see a file the earlier ones changed. Each task
 * keeps its first one or two operations, with their marks from the other
 * streams, and half of these workloads run on a healthy device.
 */
function sixth(r: Rand, w: Workload): void {
  if (!chance(r, P_SHORT)) return;
  for (const t of w.tasks) t.ops = shortProgram(r, t.ops);
  if (chance(r, P_SHORT_CLEAN)) w.faults = [];
}

/** The file's state before the workload; a change about allocation favours unwritten (fallocated) files and holes, one about inline data holes (a file without blocks). */
function preState(r: Rand, e: Emphasis): Workload["pre"] {
  if (!e.has("fallocate") && !e.has("inline")) return pick(r, PRE_STATES);
  const favoured = (p: Workload["pre"]) => (p === "fallocated" ? weightFor(e, "fallocate", 1) : p === "hole" ? weightFor(e, "fallocate", weightFor(e, "inline", 1)) : 1);
  return weighted(r, PRE_STATES.map((p) => [favoured(p), p] as const));
}

/** Workload `index` of generator seed `seed` on target `fs`. */
export function generate(seed: number, index: number, fs: GenFs, o: GenOptions = {}): Workload {
  const e = o.emphasis ?? NO_EMPHASIS;
  const r = prng(mix(seed, index));
  const size = pick(r, SIZES_OF[fs] ?? SIZES);
  const nTasks = weighted(r, [
    [1, 1],
    [3, 2],
    [1, 3],
  ]);
  const tasks = Array.from({ length: nTasks }, () => ({
    ops: Array.from({ length: 2 + Math.floor(r() * 3) }, () => op(r, size, e)),
  }));
  const nFaults = weighted(r, [
    [6, 0],
    [weightFor(e, "bio-error", 3), 1],
    [weightFor(e, "bio-error", 1), 2],
  ]);
  const w: Workload = { fs, pre: preState(r, e), size, tasks, faults: Array.from({ length: nFaults }, () => fault(r, e)) };
  extras(prng(mix(seed, index) ^ EXTRA_SALT), w, o);
  buffers(prng(mix(seed, index) ^ BUFFER_SALT), w, e);
  fourth(prng(mix(seed, index) ^ FOURTH_SALT), w, e);
  fifth(prng(mix(seed, index) ^ FIFTH_SALT), w, e);
  sixth(prng(mix(seed, index) ^ SIXTH_SALT), w);
  const transition = transitions(prng(mix(seed, index) ^ SEVENTH_SALT), w, e);
  eighth(prng(mix(seed, index) ^ EIGHTH_SALT), w, e);
  // A workload the seventh stream shaped keeps its pair.
  if (!transition) ninth(prng(mix(seed, index) ^ NINTH_SALT), w, e);
  checkWorkload(w);
  return w;
}

/** A 32-bit seed for workload `index` of generator seed `seed` (each workload independent of the others). */
export function mix(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x2545f491, 0x9e3779b1) ^ Math.imul((index >>> 0) + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae3d);
  h ^= h >>> 13;
  return h >>> 0;
}
