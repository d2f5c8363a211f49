// A workload as a scenario: set-up makes the filesystem, the file in its
// state, the user tasks with their descriptors, AIO contexts, rings and
// buffers (write buffers filled with a pattern naming the op and sector);
// the run issues every task's operations, each task in order, the tasks at
// once, and lets the schedule decide the rest. The raw block device target
// has no filesystem: the file is the blank disk's device node; the loop
// target's file is a loop device (direct I/O) over the set-up's file. No expectations: a generated
// run is judged by the generic oracles alone (harness/oracles).
import type { CommandRecord } from "../agent/host.ts";
import { fnv1a } from "../explore/schedule.ts";
import { AioContext, FALLOC, IoUring, O, RWF, type Scenario, type ScenarioContext, type UserTask } from "../scenario/api.ts";
import type { FaultRule } from "../block/faults.ts";
import { FIFREEZE, FITHAW, IORING_ENTER_GETEVENTS, IORING_SETUP_IOPOLL, NR, timespec32 } from "../user/abi.ts";
import { enableFailNth } from "../user/faults.ts";
import { bufferKind, pattern, place, type Placed } from "./buffers.ts";
import { printWorkload } from "./text.ts";
import type { OracleDeclarations } from "../oracles/types.ts";
import { BDEV, CPUS, cpuOf, diskKindOf, FS_BLOCK, LOOP, MIXED_DATA_AT, requestsOf, SECTOR, type FdKind, type Op, type Request, type Workload } from "./workload.ts";

export const FILE = "/mnt/f";
const MOUNT = "/mnt";
/** The raw block device target's file: the first disk's node. */
export const DEVICE = "/dev/wda";
/** The loop target's device: the first loop device (the configuration creates none before the first attach). */
export const LOOP_DEVICE = "/dev/loop0";
/** LOOP_ATTACH flags: the loop device does direct I/O on its backing file (asynchronous kiocbs). */
const LOOP_DIRECT_IO = 1;
/** The file a workload works on. */
export const fileOf = (w: Workload): string => (w.fs === BDEV ? DEVICE : w.fs === LOOP ? LOOP_DEVICE : FILE);
/** The file the set-up puts in its state before the workload (the loop device's backing file for the loop target). */
const setupFileOf = (w: Workload): string => (w.fs === LOOP ? FILE : fileOf(w));
/** Entries of each task's AIO context and io_uring. */
const QUEUE = 8;
/** io_uring_enter calls that wait for a submission's completions: on a plain ring, on a polled one. */
const WAIT_ROUNDS = 4;
const POLL_ROUNDS = 64;
/**
 * A polling task sleeps this long between rounds that found completions
 * missing, as a program's poll loop backs off. On a real machine the other
 * CPU runs beside a task that polls without sleeping; here a CPU runs until
 * it blocks, so a loop that never blocks would keep the other CPU from
 * running whatever the completion waits for (a kthread a first polled
 * write's workqueue needs: that write never completed).
 */
const POLL_PAUSE_NS = 1000;
/** Tag of the bytes the set-up writes (ops are tagged 1, 2, ...). */
const PRE_TAG = 0xee;

const FSTYPE: Record<Exclude<Workload["fs"], typeof BDEV>, string> = { ext4: "ext4", "ext4-noextents": "ext4", btrfs: "btrfs", vfat: "vfat", "btrfs-nodatacow": "btrfs", loop: "ext4", "ext4-inline": "ext4" };
/** Mount options of a target (none: the filesystem's defaults). */
const MOUNT_DATA: Partial<Record<Workload["fs"], string>> = { "btrfs-nodatacow": "nodatacow" };
/** open(2) flags of each descriptor kind. */
const FD_FLAGS: Record<FdKind, number> = { direct: O.DIRECT, buffered: 0, append: O.DIRECT | O.APPEND, dsync: O.DIRECT | O.DSYNC };
/** RAM per target: the least that boots it with room for the page cache (a restore copies what changed); the debug kernel needs more. */
const MEMORY_MIB: Record<Workload["fs"], number> = { ext4: 16, "ext4-noextents": 16, btrfs: 24, vfat: 16, bdev: 16, "btrfs-nodatacow": 24, loop: 16, "ext4-inline": 16 };
/** What the debug configuration adds (lockdep, object debugging): in 16 MiB its boot never ends. */
const DEBUG_EXTRA_MIB = 8;


interface TaskState {
  u: UserTask;
  fds: Partial<Record<FdKind, number>>;
  aio: AioContext | null;
  ring: IoUring | null;
  /** The ring set up with IORING_SETUP_IOPOLL (uring ops marked `poll`). */
  pollRing: IoUring | null;
  /** The timespec a polling task sleeps between rounds (POLL_PAUSE_NS), in its memory; 0 without a polled ring. */
  pollPause: number;
  /** Per op, per request. */
  placed: Placed[][];
  /**
   * The task's io_uring SQEs not reaped yet, by user_data (the request's
   * tag: unique in the workload, so a CQE names one SQE). A submit that
   * fail-nth stops consumes the first SQEs only; the rest stay in the ring
   * and the next submit on it sends them first (as liburing does), so an
   * SQE's bytes belong to the io_uring_enter that consumed it, at its place
   * among that call's SQEs (`sent`).
   */
  sqes: Map<bigint, SqeState>;
}

interface SqeState {
  write: boolean;
  placed: Placed;
  sent?: { rec: CommandRecord; index: number };
}

export interface WorkloadState {
  tasks: TaskState[];
}


/**
 * The file in its state before the workload, made through the agent (the
 * oracles' model follows it). A block device has its size and no
 * allocation: its holes and unwritten ranges are ranges never written (zeros).
 */
function makeFile(s: ScenarioContext, w: Workload): void {
  const sized = w.fs !== BDEV;
  const fd = s.open(setupFileOf(w), O.RDWR | (sized ? O.CREAT : 0));
  const write = (off: number, len: number) => {
    if (len > 0) s.call({ op: "WRITE", fd, buf: s.buffer(pattern(PRE_TAG, len)), len, off });
  };
  if (sized && (w.pre === "hole" || w.pre === "mixed")) s.call({ op: "TRUNCATE", fd, len: w.size });
  // An empty file "fallocated": one unwritten block past its end (its size stays 0).
  if (sized && w.pre === "fallocated") s.call(w.size ? { op: "FALLOCATE", fd, mode: 0, off: 0, len: w.size } : { op: "FALLOCATE", fd, mode: FALLOC.KEEP_SIZE, off: 0, len: FS_BLOCK });
  if (w.pre === "written" || w.pre === "delalloc") write(0, w.size);
  if (w.pre === "mixed") {
    write(0, Math.min(FS_BLOCK, w.size));
    if (w.size > MIXED_DATA_AT) {
      if (sized) s.call({ op: "FALLOCATE", fd, mode: FALLOC.KEEP_SIZE, off: MIXED_DATA_AT - FS_BLOCK, len: FS_BLOCK });
      write(MIXED_DATA_AT, w.size - MIXED_DATA_AT);
    }
  }
  if (w.pre !== "delalloc") s.call({ op: "FSYNC", fd });
  s.ok({ op: "CLOSE", fd });
}

function setupWorkload(s: ScenarioContext, w: Workload): WorkloadState {
  if (w.fs !== BDEV) s.mount(DEVICE, MOUNT, FSTYPE[w.fs], MOUNT_DATA[w.fs]);
  makeFile(s, w);
  if (w.fs === LOOP) {
    const nr = s.ok({ op: "LOOP_ATTACH", path2: FILE, flags: LOOP_DIRECT_IO });
    if (`/dev/loop${nr}` !== LOOP_DEVICE) throw new Error(`the loop target expects ${LOOP_DEVICE}, the kernel gave /dev/loop${nr}`);
  }
  if (w.tasks.some((t) => t.ops.some((o) => o.fail !== undefined))) enableFailNth(s.agent);
  let tag = 0;
  const tasks: TaskState[] = [];
  w.tasks.forEach((t, i) => {
    // A thread is made by the first task and uses its descriptors, which that task opens for both.
    const u = t.thread ? s.userThread(tasks[0]!.u, `gen${i}`, cpuOf(i)) : s.userTask(`gen${i}`, cpuOf(i));
    const fds: TaskState["fds"] = t.thread ? tasks[0]!.fds : {};
    if (!t.thread) {
      const sharers = [t, ...(i === 0 ? w.tasks.filter((x) => x.thread) : [])];
      const need = new Set<FdKind>(sharers.flatMap((x) => x.ops.flatMap((op) => ("fd" in op ? [op.fd] : []))));
      // Syncs, truncates and fallocates use the direct descriptor, or the buffered one when only it is open.
      if (!need.size) need.add("direct");
      for (const k of need) fds[k] = u.open(fileOf(w), O.RDWR | FD_FLAGS[k]);
    }
    const aio = t.ops.some((o) => o.k === "aio") ? AioContext.setup(u, QUEUE) : null;
    const ring = t.ops.some((o) => o.k === "uring" && !o.poll) ? IoUring.setup(u, QUEUE) : null;
    const pollRing = t.ops.some((o) => o.k === "uring" && o.poll) ? IoUring.setup(u, QUEUE, { flags: IORING_SETUP_IOPOLL }) : null;
    const mapFd = fds.buffered ?? fds.direct ?? fds.append ?? fds.dsync!;
    const placed = t.ops.map((op) => requestsOf(op).map((r) => place(u, r, "iov" in op ? op.iov : 1, bufferKind(op, mapFd), ++tag)));
    tasks.push({ u, fds, aio, ring, pollRing, pollPause: pollRing ? u.put(timespec32(POLL_PAUSE_NS)) : 0, placed, sqes: new Map() });
  });
  return { tasks };
}

/** Notes a request's bytes for the data oracle: a write's buffer, or what a read returned (read back from the task). */
function noteBytes(t: TaskState, rec: CommandRecord, index: number, p: Placed, result: number | null): void {
  let data = p.bytes;
  if (!data && result !== null && result > 0) {
    const parts: Uint8Array[] = [];
    let left = result;
    for (const v of p.iovs) {
      if (left <= 0) break;
      parts.push(t.u.readUser(v.addr, Math.min(v.len, left)));
      left -= v.len;
    }
    data = Uint8Array.from(parts.flatMap((x) => [...x]));
  }
  if (data) t.u.agent.note({ kind: "bytes", cmd: rec.id, task: t.u.id, index, data });
}

/** A request's rw_flags (AIO iocb, io_uring SQE). */
const requestFlags = (r: Request): number => (r.nowait ? RWF.NOWAIT : 0) | (r.dsync ? RWF.DSYNC : 0);

const rwfBits = (names: readonly string[]) => names.reduce((n, x) => n | (x === "nowait" ? RWF.NOWAIT : x === "dsync" ? RWF.DSYNC : RWF.APPEND), 0);

/** One operation as the system calls it makes; yields each call's record until it returns. */
function* opCalls(t: TaskState, op: Op, placed: Placed[]): Generator<CommandRecord, void, void> {
  const u = t.u;
  const fd = "fd" in op ? t.fds[op.fd]! : t.fds.direct ?? t.fds.buffered ?? t.fds.append ?? t.fds.dsync ?? -1;
  switch (op.k) {
    case "pread":
    case "pwrite":
    case "preadv2":
    case "pwritev2": {
      const p = placed[0]!;
      const write = op.k === "pwrite" || op.k === "pwritev2";
      const v2 = op.k === "preadv2" || op.k === "pwritev2";
      const rwFlags = v2 ? rwfBits(op.rwf) : 0;
      const words = [op.off % 2 ** 32, Math.floor(op.off / 2 ** 32)];
      const [call, args] = v2
        ? ([write ? "pwritev2" : "preadv2", [fd, p.iovArray, p.iovs.length, ...words, rwFlags]] as const)
        : p.iovs.length > 1
          ? ([write ? "pwritev" : "preadv", [fd, p.iovArray, p.iovs.length, ...words]] as const)
          : ([write ? "pwrite64" : "pread64", [fd, p.iovs[0]!.addr, op.len, op.off]] as const);
      const rec = u.startRw(call, args, { write, fd, off: op.off, len: op.len, rwFlags }, op.fail ?? 0);
      if (write) noteBytes(t, rec, 0, p, null);
      yield rec;
      if (!write) noteBytes(t, rec, 0, p, rec.returned);
      return;
    }
    case "aio":
      yield* aioCalls(t, fd, op.reqs, placed, op.fail ?? 0);
      return;
    case "uring":
      yield* uringCalls(t, op.poll ? t.pollRing! : t.ring!, fd, op.reqs, placed, op.fail ?? 0);
      return;
    case "fsync":
    case "fdatasync":
      yield u.start(op.k, [fd], 1, op.fail ?? 0);
      return;
    case "ftruncate":
      yield u.start("ftruncate64", [fd, op.size], 1, op.fail ?? 0);
      return;
    case "freeze": {
      const frozen = u.start("ioctl", [fd, FIFREEZE, 0], 1, op.fail ?? 0);
      yield frozen;
      if (frozen.returned === 0) yield u.start("ioctl", [fd, FITHAW, 0]);
      return;
    }
    case "fallocate": {
      const mode = { alloc: 0, keep: FALLOC.KEEP_SIZE, punch: FALLOC.PUNCH_HOLE | FALLOC.KEEP_SIZE, zero: FALLOC.ZERO_RANGE }[op.mode];
      yield u.start("fallocate", [fd, mode, op.off, op.len], 1, op.fail ?? 0);
      return;
    }
  }
}

function* aioCalls(t: TaskState, fd: number, reqs: readonly Request[], placed: Placed[], failNth: number): Generator<CommandRecord, void, void> {
  const aio = t.aio!;
  const iocbs = reqs.map((r, i) => ({ opcode: r.write ? ("PWRITE" as const) : ("PREAD" as const), fd, buf: placed[i]!.iovs[0]!.addr, nbytes: r.len, offset: r.off, rwFlags: requestFlags(r), data: i }));
  const { rec, addrs } = aio.startSubmit(iocbs, failNth);
  reqs.forEach((r, i) => r.write && noteBytes(t, rec, i, placed[i]!, null));
  yield rec;
  const submitted = rec.returned ?? 0;
  if (submitted <= 0) return;
  const ev = aio.startGetEvents(submitted, submitted);
  yield ev.rec;
  if ((ev.rec.returned ?? -1) < 0) return;
  for (const e of ev.events()) {
    const i = addrs.indexOf(e.obj);
    if (i >= 0 && !reqs[i]!.write) noteBytes(t, rec, i, placed[i]!, e.res);
  }
}

/** The task's SQE with this user_data. */
function sqeState(t: TaskState, userData: number | bigint | undefined): SqeState {
  const known = t.sqes.get(BigInt(userData ?? 0));
  if (!known) throw new Error(`${t.u.name} sent an SQE with user_data ${userData} it did not write`);
  return known;
}

function* uringCalls(t: TaskState, ring: IoUring, fd: number, reqs: readonly Request[], placed: Placed[], failNth: number): Generator<CommandRecord, void, void> {
  reqs.forEach((r, i) => {
    const p = placed[i]!;
    t.sqes.set(BigInt(p.tag), { write: r.write, placed: p });
    ring.prep({ opcode: r.write ? "WRITEV" : "READV", fd, addr: p.iovArray, len: p.iovs.length, off: r.off, rwFlags: requestFlags(r), userData: p.tag }, r.len);
  });
  // A polled ring is never asked to wait (min_complete 0: io_uring_enter polls once and returns). With a wait count the
  // kernel spins in io_iopoll_check, a loop that makes no host call, until the completion interrupt, which the machine can
  // deliver only at a host call: a schedule that has not taken it before the loop would spin forever.
  const polled = ring === t.pollRing;
  const { rec, sent } = ring.startSubmitting(polled ? 0 : "all", failNth);
  const states = sent.map((s) => sqeState(t, s.userData));
  states.forEach((s, index) => s.write && noteBytes(t, rec, index, s.placed, null));
  yield rec;
  const consumed = states.slice(0, Math.max(0, Math.min(rec.returned ?? 0, sent.length)));
  consumed.forEach((s, index) => (s.sent = { rec, index }));
  const mine = new Set(consumed);
  let seen = 0;
  // A polled ring posts completions only while the task polls, and io_uring_enter may return early (a reschedule is due): ask more often.
  const rounds = polled ? POLL_ROUNDS : WAIT_ROUNDS;
  for (let round = 0; mine.size > 0 && round < rounds; round++) {
    for (const c of ring.reap()) {
      const s = t.sqes.get(c.userData);
      // A CQE for no SQE in flight (a second one for the same SQE) is the completion oracle's to judge.
      if (!s?.sent) continue;
      t.sqes.delete(c.userData);
      if (mine.has(s)) seen++;
      if (!s.write) noteBytes(t, s.sent.rec, s.sent.index, s.placed, c.res);
    }
    if (seen >= mine.size) return;
    if (polled && round > 0) yield t.u.start("nanosleep", [t.pollPause, 0]);
    const more = t.u.start("io_uring_enter", [ring.fd, 0, polled ? 0 : mine.size - seen, IORING_ENTER_GETEVENTS, 0, 0]);
    yield more;
  }
}

function* taskCalls(t: TaskState, ops: readonly Op[]): Generator<CommandRecord, void, void> {
  for (let i = 0; i < ops.length; i++) yield* opCalls(t, ops[i]!, t.placed[i]!);
  for (const p of t.placed.flat()) if (p.mapping) yield t.u.start("munmap", [p.mapping.addr, p.mapping.len]);
}

function faultRules(w: Workload): FaultRule[] {
  return w.faults.map((f) => ({
    op: f.op,
    nth: f.nth,
    status: f.status,
    // A device answers AGAIN to a bio that may not wait; `wait`: to any bio.
    ...(f.status === "AGAIN" && !f.wait ? { nowait: true } : {}),
    completion: f.when === "now" ? { when: "now" } : { when: "irq", delayNs: 0 },
    why: "generated fault",
  }));
}

function runWorkload(s: ScenarioContext, w: Workload, st: WorkloadState): void {
  s.block.setRules(faultRules(w));
  // Every bio completes by an interrupt due at once: when it is taken is the schedule's choice.
  s.block.completion = { when: "irq", delayNs: 0 };
  const progs = st.tasks.map((t, i) => taskCalls(t, w.tasks[i]!.ops));
  const waiting = progs.map((p) => p.next().value ?? null);
  const calls = st.tasks.map(() => 0);
  for (;;) {
    const live = waiting.filter((r) => r !== null);
    if (!live.length) break;
    s.runUntil(() => live.some((r) => r.returned !== null), `the generated tasks' calls (${live.map((r) => `${r.command.op} ${NR_NAME.get(r.command.flags ?? -1) ?? ""}`.trim()).join(", ")})`);
    waiting.forEach((r, i) => {
      if (r === null || r.returned === null) return;
      s.observe(`task ${i} call ${calls[i]!++}`, r.returned);
      waiting[i] = progs[i]!.next().value ?? null;
    });
  }
}

const NR_NAME = new Map<number, string>(Object.entries(NR).map(([k, v]) => [v, k]));

/** What the oracles need to know of a target, and what it cannot honour. */
function oraclesOf(w: Workload): OracleDeclarations {
  if (w.fs !== LOOP) return {};
  return {
    devices: { [LOOP_DEVICE]: w.size },
    off: [{ oracle: "unmount", reason: "the loop device keeps its backing file open and the agent cannot detach it, so the filesystem under it stays busy (and is not checked)" }],
  };
}

/** The scenario that runs workload `w` (named by a hash of its text: the replay token names it that way); `debug`: on a debug kernel. */
export function workloadScenario(w: Workload, o: { debug?: boolean } = {}): Scenario<WorkloadState> {
  const text = printWorkload(w);
  return {
    name: `generated-${fnv1a(text).toString(16).padStart(8, "0")}`,
    title: `generated workload: ${text.split("\n").join(" | ")}`,
    mode: "unguided",
    exercises: [],
    disks: [{ kind: diskKindOf(w.fs), ...(w.fs === BDEV ? { bytes: w.size } : {}) }],
    cpus: CPUS,
    memoryMiB: MEMORY_MIB[w.fs] + (o.debug ? DEBUG_EXTRA_MIB : 0),
    setup: (s) => setupWorkload(s, w),
    run: (s, st) => runWorkload(s, w, st),
    expectations: [],
    oracles: oraclesOf(w),
    notes: text,
  };
}
