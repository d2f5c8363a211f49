// The generator's ninth stream: an asynchronous direct write inside the
// file, in flight while another task extends the file with ftruncate. The
// write's completion runs where its bio ends (an interrupt, on whichever
// CPU takes it, or a workqueue) and reads the sizes the truncate is
// changing on the other CPU (i_size and the filesystem's own on-disk
// size). An extending write would not race: filesystems make it
// synchronous. The streams before this one rarely leave the two alone: a
// truncate is one call of many. Only for a change whose words name
// truncate (emphasis "truncate"), on a target with a filesystem, and not
// where the seventh stream put a file state next to a direct write, so
// every other workload is unchanged.
import { EMPHASIS_MAX_P, type Emphasis } from "./emphasis.ts";
import { chance, pick, P_SHORT_CLEAN, type Rand } from "./draw.ts";
import { FS_BLOCK, isDevice, LIMITS, SECTOR, type Op, type Request, type Workload } from "./workload.ts";

/** The ninth stream's seed. */
export const NINTH_SALT = 0x629a292a;
/** Share of emphasised workloads with an asynchronous direct write that get the pair. */
const P_WRITE_BESIDE_GROWTH = EMPHASIS_MAX_P;

type AsyncOp = Extract<Op, { k: "aio" | "uring" }>;

const asyncDirectWrite = (op: Op): op is AsyncOp => (op.k === "aio" || op.k === "uring") && op.fd === "direct" && op.reqs.some((q) => q.write);

/** The request kept inside the file: a write that would extend it moves to the file's first block. */
const inside = (q: Request, size: number): Request => (!q.write || q.off + q.len <= size ? q : { ...q, off: 0, len: Math.min(q.len, FS_BLOCK) });

export function ninth(r: Rand, w: Workload, e: Emphasis): void {
  if (!e.has("truncate") || isDevice(w.fs) || w.size < FS_BLOCK || !chance(r, P_WRITE_BESIDE_GROWTH)) return;
  const writes = w.tasks.flatMap((t) => t.ops).filter(asyncDirectWrite);
  if (!writes.length) return;
  const op = pick(r, writes);
  const write: AsyncOp = { ...op, reqs: op.reqs.map((q) => inside(q, w.size)) };
  const to = Math.min(LIMITS.size, pick(r, [w.size + SECTOR, w.size + FS_BLOCK, 2 * w.size]));
  // The two alone, one on each CPU: other calls would take the window.
  w.tasks = [{ ops: [write] }, { ops: [{ k: "ftruncate", size: to }] }];
  if (chance(r, P_SHORT_CLEAN)) w.faults = [];
}
