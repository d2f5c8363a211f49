// What the completed operations imply about a file's size, over time. A
// size is "known" only where the operations leave no choice: a write that
// failed beyond the end, a write at the file position, or a size change
// running concurrently with another makes it unknown from then on (the
// kernel promises no particular outcome there).
import { FALLOC } from "../user/abi.ts";
import { concurrentOps, type FileOp } from "./ops.ts";

export interface SizePoint {
  /** From this simulated time on (the op's end). */
  atNs: number;
  size: number | null;
  op: string;
  /** The change itself (to tell the same task's earlier call from a concurrent one at the same time stamp). */
  by: FileOp;
}

/** Ops that may change the size. */
function sizing(op: FileOp): boolean {
  return op.kind === "write" || op.kind === "truncate" || (op.kind === "fallocate" && (op.mode & FALLOC.KEEP_SIZE) === 0);
}

/** The size after `op`, given the size before (null: unknown). */
function after(op: FileOp, before: number | null): number | null {
  const r = op.result;
  if (r === null) return null;
  if (op.kind === "truncate") return r === 0 ? (op.len ?? null) : before;
  if (op.kind === "fallocate") return r === 0 && op.off !== null && op.len !== null && before !== null ? Math.max(before, op.off + op.len) : r < 0 ? before : null;
  if (before === null) return null;
  // An appending write lands at i_size (write(2): the offset is set to the end of the file and the write done as one atomic step).
  if (op.append) return r >= 0 ? before + r : null;
  if (op.off === null) return null;
  if (r >= 0) return Math.max(before, op.off + r);
  // A failed write inside the file leaves the size; one beyond its end may have moved it.
  return op.off + (op.len ?? 0) <= before ? before : null;
}

/** The size timeline of one file's ops (set-up and run), starting from an empty file. */
export function sizeTimeline(ops: readonly FileOp[]): SizePoint[] {
  const changes = ops.filter(sizing).sort((a, b) => (a.endNs ?? Infinity) - (b.endNs ?? Infinity) || a.cmd - b.cmd);
  const out: SizePoint[] = [];
  let size: number | null = 0;
  for (const op of changes) {
    // Concurrent positional writes that both extend: the larger end wins, so the max stays right; an append's place depends on the order.
    // The set-up's calls all returned before the run's first was issued (they may share its time stamp): never concurrent with the run's.
    const racing = changes.some((o) => o !== op && o.inRun === op.inRun && concurrentOps(o, op) && !(o.kind === "write" && op.kind === "write" && !o.append && !op.append));
    size = racing ? null : after(op, size);
    out.push({ atNs: op.endNs ?? Infinity, size, op: op.id, by: op });
  }
  return out;
}

/**
 * The size known at `ns` (every size change that ended before it applied), or null.
 * Simulated time moves only when the kernel reads the clock, so a call of the
 * same task that returned just before `during` was issued may end at the very
 * time stamp `during` starts: it applies too (it is not concurrent with it).
 */
export function sizeAt(timeline: readonly SizePoint[], ns: number, during?: FileOp, ops: readonly FileOp[] = []): number | null {
  // A shrinking or unknown change running during the interval makes the size there unknown.
  if (during && ops.some((o) => sizing(o) && o !== during && concurrentOps(o, during) && (o.kind !== "write" || o.result === null || o.result < 0))) return null;
  let size: number | null = 0;
  const before = (p: SizePoint) => p.atNs < ns || (during !== undefined && p.atNs === ns && p.by.cmd < during.cmd && !concurrentOps(p.by, during));
  for (const p of timeline) if (before(p)) size = p.size;
  return size;
}

/** The size at quiescence (every op ended), or null if the ops leave it open. */
export function finalSize(timeline: readonly SizePoint[]): number | null {
  return timeline.length ? timeline[timeline.length - 1]!.size : 0;
}

/**
 * The largest size a file's ops could have given it, whatever their order
 * and outcome: no op makes a file longer than the end it asked for (a
 * write's or extending fallocate's off+len, a truncate's length), and an
 * appending write adds at most its length to the size it found.
 */
export function sizeBound(ops: readonly FileOp[]): number {
  // An op that may size the file at an unknown place (a position llseek moved, a vectored iocb's length): no bound.
  if (ops.some((o) => sizing(o) && (o.len === null || (o.off === null && o.kind !== "truncate" && !o.append)))) return Infinity;
  const appended = ops.reduce((n, o) => n + (o.kind === "write" && o.append ? (o.len ?? 0) : 0), 0);
  return Math.max(0, ...ops.filter((o) => !(o.kind === "write" && o.append)).map((o) => (o.off ?? 0) + (o.len ?? 0))) + appended;
}
