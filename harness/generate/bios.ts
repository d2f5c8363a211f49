// The generator's eighth stream: a request the block layer must carry in
// more than one bio, on the raw block device. block/fops.c builds bios from
// the caller's pages; pages that are not contiguous each take a bio_vec,
// a bio holds BIO_MAX_PAGES of them, and a request over more takes its
// multi-bio path, where one bio can fail while another completes. The
// first streams never reach it: their buffers are contiguous (one bio_vec
// whatever the length) and a task's memory is too small for requests of a
// megabyte. Here a direct read or write gets a scattered buffer (one
// sector per page) a few sectors longer than a bio holds, half the time
// RWF_NOWAIT (which a device may answer AGAIN), and half the time a fault
// on the bio after its first. Only on the raw device, so every workload on
// a filesystem or the loop device is the text it was.
import { boosted, type Emphasis } from "./emphasis.ts";
import { chance, pick, type Rand } from "./draw.ts";
import { BDEV, BIO_MAX_PAGES, FS_BLOCK, LIMITS, SECTOR, type BioFault, type Op, type Workload } from "./workload.ts";

/** The eighth stream's seed. */
export const EIGHTH_SALT = 0x5be0cd19;
/** Share of raw-device workloads with a request over several bios. */
const P_SEVERAL_BIOS = 0.3;
/** Share of those requests made RWF_NOWAIT, and of those whose second bio fails. */
const P_NOWAIT = 0.5;
const P_SECOND_BIO_FAULT = 0.5;

type RwOp = Extract<Op, { k: "pread" | "pwrite" | "preadv2" | "pwritev2" }>;

const isDirectRw = (op: Op): op is RwOp => (op.k === "pread" || op.k === "pwrite" || op.k === "preadv2" || op.k === "pwritev2") && op.fd === "direct" && !op.mapped;
const isWrite = (op: RwOp) => op.k === "pwrite" || op.k === "pwritev2";

/** The request made to need two bios: one sector per page, a few sectors more than a bio holds; NOWAIT ones go through preadv2/pwritev2. */
function severalBios(r: Rand, op: RwOp, e: Emphasis): RwOp {
  const len = (BIO_MAX_PAGES + 1 + Math.floor(r() * 3)) * SECTOR;
  const off = op.off - (op.off % SECTOR);
  const base = { ...op, off, len, iov: 1, scatter: true };
  if (!chance(r, boosted(e, "nowait", P_NOWAIT))) return base;
  const rwf = op.k === "preadv2" || op.k === "pwritev2" ? op.rwf.filter((f) => f !== "nowait") : [];
  return { ...base, k: isWrite(op) ? "pwritev2" : "preadv2", rwf: ["nowait", ...rwf] };
}

/** A fault on the request's second bio, counted as the device counts (AGAIN among REQ_NOWAIT bios, IOERR among all of that direction). */
function secondBioFault(r: Rand, op: RwOp): BioFault {
  const nowait = (op.k === "preadv2" || op.k === "pwritev2") && op.rwf.includes("nowait");
  return { op: isWrite(op) ? "write" : "read", nth: 2, status: nowait ? "AGAIN" : "IOERR", when: chance(r, 0.5) ? "now" : "irq" };
}

export function eighth(r: Rand, w: Workload, e: Emphasis): void {
  if (w.fs !== BDEV || !chance(r, P_SEVERAL_BIOS)) return;
  const at = w.tasks.flatMap((t, ti) => t.ops.flatMap((op, oi) => (isDirectRw(op) ? [{ ti, oi, op }] : [])));
  if (!at.length) return;
  const { ti, oi, op } = pick(r, at);
  const made = severalBios(r, op, e);
  w.tasks[ti]!.ops[oi] = made;
  // The device holds the request: it ends at or before the device's end (the other requests keep their places).
  w.size = Math.min(LIMITS.size, Math.max(w.size, Math.ceil((made.off + made.len) / FS_BLOCK) * FS_BLOCK));
  if (!chance(r, P_SECOND_BIO_FAULT)) return;
  const f = secondBioFault(r, made);
  if (w.faults.length < LIMITS.faults) w.faults.push(f);
  else w.faults[w.faults.length - 1] = f;
}
