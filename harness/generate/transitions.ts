// The generator's seventh stream: file states that one call makes, put
// next to a direct write (inline data, which the direct write ends; a
// direct write's fallback to buffered I/O, whose page-cache pages a direct
// write on the same range meets). Drawing calls one by one rarely keeps
// such a state: a call between the two changes the file first. Only for a
// change whose words name the state (emphasis.ts), and only on targets that
// have it, so every other workload is unchanged.
import { EMPHASIS_MAX_P, FEATURES, type Emphasis, type Feature } from "./emphasis.ts";
import { chance, pick, P_SHORT_CLEAN, shortProgram, weighted, type Rand } from "./draw.ts";
import { FS_BLOCK, LIMITS, MIXED_DATA_AT, SECTOR, writesFile, type GenFs, type Op, type TaskSpec, type Workload } from "./workload.ts";

/** The seventh stream's seed. */
export const SEVENTH_SALT = 0x1f83d9ab;
/** Share of a transition feature's workloads (on a target that has it) that get the transition. */
const P_TRANSITION = EMPHASIS_MAX_P;
/** Share of transitions after which the task does nothing more. */
const P_TRANSITION_LAST = 0.5;

/**
 * File states one call makes, with the state the file must be in for the
 * call to make it and the targets that have the state at all. `make` gives
 * the call for the direct write it goes next to (null: the workload has
 * none), and that write moved where the state needs it.
 *
 * Inline data: a buffered write that fits in the inode, at the start of a
 * file without blocks (ext4 with inline_data); a direct write needs blocks,
 * so it converts the file.
 *
 * Fallback: a direct write that starts in a hole of a file whose filesystem
 * cannot allocate for direct I/O there (ext4 without extents has no
 * unwritten extents: -ENOTBLK) is written through the page cache instead.
 * The call runs from the hole of a "mixed" file over the written block
 * after it, and the direct write next to it moves onto that block, so the
 * fallback's page-cache pages and a direct write (in flight, when it is
 * asynchronous and beside) cover the same range.
 */
interface Transition {
  readonly pre: Workload["pre"];
  /** The least size the file needs for the state. */
  readonly minSize: number;
  readonly targets: readonly GenFs[];
  /** Weights of the call's places: right before the direct write, right after it, beside it. */
  readonly where: readonly [before: number, after: number, beside: number];
  /** Beside the direct write, the two run alone, one on each CPU (a race between them: alone()). */
  readonly apart: boolean;
  readonly make: (r: Rand, next: Op | null) => { call: Op; next: Op | null };
}
const TRANSITIONS: Partial<Record<Feature, Transition>> = {
  inline: { pre: "hole", minSize: 0, targets: ["ext4-inline"], where: [2, 2, 1], apart: false, make: (_r, next) => ({ call: { k: "pwrite", fd: "buffered", off: 0, len: SECTOR, iov: 1, fresh: false }, next }) },
  fallback: {
    pre: "mixed",
    minSize: MIXED_DATA_AT + FS_BLOCK,
    targets: ["ext4-noextents"],
    where: [1, 1, 3],
    apart: true,
    make: (r, next) => {
      const off = pick(r, [FS_BLOCK, 2 * FS_BLOCK]);
      return { call: { k: "pwrite", fd: "direct", off, len: MIXED_DATA_AT + FS_BLOCK - off, iov: 1, fresh: false }, next: next && onto(next, MIXED_DATA_AT, FS_BLOCK) };
    },
  },
};

/** `op` with its first write request moved to [off, off + len) (its buffer split in no more pieces than that has sectors). */
function onto(op: Op, off: number, len: number): Op {
  if (op.k === "pwrite" || op.k === "pwritev2") return { ...op, off, len, iov: Math.min(op.iov, len / SECTOR) };
  if (op.k !== "aio" && op.k !== "uring") throw new Error(`transition: ${op.k} is not a direct write`);
  const i = op.reqs.findIndex((q) => q.write);
  return { ...op, reqs: op.reqs.map((q, j) => (j === i ? { ...q, off, len } : q)) };
}

/**
 * A race between the direct write (first in `task`) and `call`, alone: the
 * two tasks on the two CPUs (task i runs on CPU i % 2), the direct write's
 * task cut to one or two calls, the other tasks gone, and half the time no
 * bio faults. Other calls on either CPU take the window the race needs, as
 * the sixth stream's short programs say for a call's own edge.
 */
function alone(r: Rand, w: Workload, task: TaskSpec, call: Op): void {
  w.tasks = [{ ops: shortProgram(r, task.ops) }, { ops: [call] }];
  if (chance(r, P_SHORT_CLEAN)) w.faults = [];
}

/** Does `op` write through O_DIRECT (a write that needs the file's blocks)? */
const directWrite = (op: Op): boolean => "fd" in op && op.fd !== "buffered" && writesFile(op);

/**
 * The seventh stream of the generator, only for emphasised features with
 * a transition: the file starts in the state the feature needs, and the
 * call that makes the state goes right before a task's first direct write
 * (inline data made, then converted), right after it (inline data made
 * again on a file the write gave blocks; a fallback's pages over a range a
 * direct write just wrote), or beside it as a new task (the direct write
 * then first in its own: both at once), with nothing between them in that
 * task. Drawn calls between the two would change the file first. Returns
 * whether it made one.
 */
export function transitions(r: Rand, w: Workload, e: Emphasis): boolean {
  let made = false;
  for (const f of FEATURES) {
    const t = TRANSITIONS[f];
    if (!t || !e.has(f) || !t.targets.includes(w.fs) || !chance(r, P_TRANSITION)) continue;
    made = true;
    w.pre = t.pre;
    w.size = Math.max(w.size, t.minSize);
    const [before, after, beside] = t.where;
    const where = weighted(r, [
      [before, "before"],
      [after, "after"],
      [t.apart || w.tasks.length < LIMITS.tasks ? beside : 0, "beside"],
    ] as const);
    const task = w.tasks.find((x) => x.ops.some(directWrite)) ?? pick(r, w.tasks);
    const at = task.ops.findIndex(directWrite);
    const { call, next } = t.make(r, at < 0 ? null : task.ops[at]!);
    if (next) task.ops[at] = next;
    if (where === "beside") {
      // The two at once: the direct write becomes its task's first call.
      if (at > 0) task.ops.splice(0, at);
      if (t.apart) alone(r, w, task, call);
      else w.tasks.push({ ops: [call] });
      continue;
    }
    const place = at < 0 ? Math.floor(r() * (task.ops.length + 1)) : where === "before" ? at : at + 1;
    task.ops.splice(place, 0, call);
    // The pair is at..at+1 (or the call alone). Later calls may undo what it left (a truncate to 0 frees both the blocks and the inline data), so half the time the task ends with it.
    const pairEnd = at < 0 ? place : at + 1;
    if (chance(r, P_TRANSITION_LAST)) task.ops.length = pairEnd + 1;
    // The streams before this one leave a task at most one call below the limit.
    if (task.ops.length > LIMITS.opsPerTask) throw new Error(`transition: ${task.ops.length} calls in one task, more than ${LIMITS.opsPerTask}`);
  }
  return made;
}

