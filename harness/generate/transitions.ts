// The generator's seventh stream: file states that one call makes and a
// direct write ends (inline data), put next to each other. Drawing calls one
// by one rarely keeps such a state: a call between the two changes the file
// first. Only for a change whose words name the state (emphasis.ts), and
// only on targets that have it, so every other workload is unchanged.
import { EMPHASIS_MAX_P, FEATURES, type Emphasis, type Feature } from "./emphasis.ts";
import { chance, pick, weighted, type Rand } from "./draw.ts";
import { LIMITS, SECTOR, writesFile, type GenFs, type Op, type Workload } from "./workload.ts";

/** The seventh stream's seed. */
export const SEVENTH_SALT = 0x1f83d9ab;
/** Share of a transition feature's workloads (on a target that has it) that get the transition. */
const P_TRANSITION = EMPHASIS_MAX_P;
/** Share of transitions after which the task does nothing more. */
const P_TRANSITION_LAST = 0.5;

/**
 * File states one call makes and any write needing blocks ends, with that
 * call, the state the file must be in for the call to make it, and the
 * targets that have the state at all. Inline data: a buffered write that
 * fits in the inode, at the start of a file without blocks (ext4 with
 * inline_data); a direct write needs blocks, so it converts the file.
 */
interface Transition {
  readonly call: Op;
  readonly pre: Workload["pre"];
  readonly targets: readonly GenFs[];
}
const TRANSITIONS: Partial<Record<Feature, Transition>> = {
  inline: { call: { k: "pwrite", fd: "buffered", off: 0, len: SECTOR, iov: 1, fresh: false }, pre: "hole", targets: ["ext4-inline"] },
};

/** Does `op` write through O_DIRECT (a write that needs the file's blocks)? */
const directWrite = (op: Op): boolean => "fd" in op && op.fd !== "buffered" && writesFile(op);

/**
 * The seventh stream of the generator, only for emphasised features with a transition: the
 * file starts in the state the feature needs, and the call that makes the
 * state goes right before a task's first direct write (made, then
 * converted), right after it (made again on a file the write gave blocks),
 * or beside it as a new task (the direct write then first in its own),
 * with nothing between them in that task. Drawn calls between the two
 * would change the file first.
 */
export function transitions(r: Rand, w: Workload, e: Emphasis): void {
  for (const f of FEATURES) {
    const t = TRANSITIONS[f];
    if (!t || !e.has(f) || !t.targets.includes(w.fs) || !chance(r, P_TRANSITION)) continue;
    w.pre = t.pre;
    const where = weighted(r, [
      [2, "before"],
      [2, "after"],
      [w.tasks.length < LIMITS.tasks ? 1 : 0, "beside"],
    ] as const);
    const task = w.tasks.find((x) => x.ops.some(directWrite)) ?? pick(r, w.tasks);
    const at = task.ops.findIndex(directWrite);
    if (where === "beside") {
      // The two at once: the direct write becomes its task's first call.
      if (at > 0) task.ops.splice(0, at);
      w.tasks.push({ ops: [{ ...t.call }] });
      continue;
    }
    const place = at < 0 ? Math.floor(r() * (task.ops.length + 1)) : where === "before" ? at : at + 1;
    task.ops.splice(place, 0, { ...t.call });
    // The pair is at..at+1 (or the call alone). Later calls may undo what it left (a truncate to 0 frees both the blocks and the inline data), so half the time the task ends with it.
    const pairEnd = at < 0 ? place : at + 1;
    if (chance(r, P_TRANSITION_LAST)) task.ops.length = pairEnd + 1;
    // The streams before this one leave a task at most one call below the limit.
    if (task.ops.length > LIMITS.opsPerTask) throw new Error(`transition: ${task.ops.length} calls in one task, more than ${LIMITS.opsPerTask}`);
  }
}

