// The contracts every read/write-family call keeps, whatever the scenario:
// its return value (never more than asked; short inside i_size only with
// an error, for a write from a buffer mapped from the file, or for NOWAIT; -EAGAIN only for NOWAIT, or when the disk answered AGAIN to a
// bio that could wait, and never after part of the call was done; -EIO only when the disk failed a bio
// or a fault was injected; a direct I/O whose bio failed never reports
// full success), the file position (a read/write returning n moves it by
// n) and the file size at quiescence.
import { BIO_FLAGS, type BioRecord } from "../block/device.ts";
import type { BioOp } from "../block/faults.ts";
import { SECTOR_BYTES } from "../block/disk.ts";
import { BLK_STS, matches } from "../block/faults.ts";
import { ERR, NR, PAGE_SIZE } from "../user/abi.ts";
import type { CommandRecord } from "../agent/host.ts";
import type { FileOp } from "./ops.ts";
import { finalSize, sizeAt, sizeBound, sizeTimeline } from "./size.ts";
import type { ProbeRecord } from "./types.ts";


export interface ContractFailure {
  op: string;
  detail: string;
}

export interface ReturnContext {
  failedBios: readonly BioRecord[];
  /** The bios that succeeded (retries of failed ones). */
  okBios?: readonly BioRecord[];
  injectedFaults: number;
  /** Block device nodes opened as files, with their sizes (their size never follows the writes). */
  devices?: Readonly<Record<string, number>>;
  /** The machine's disks as files: device node path → the disk's index in the bio records (its sectors are the file's offsets / 512). */
  deviceDisks?: Readonly<Record<string, number>>;
}

/** Return-value contract of every read/write of the run. */
export function returnContract(ops: readonly FileOp[], c: ReturnContext): ContractFailure[] {
  const out: ContractFailure[] = [];
  const byFile = groupByFile(ops);
  for (const op of ops) {
    if (!op.inRun || (op.kind !== "read" && op.kind !== "write") || op.result === null) continue;
    const r = op.result, what = `${op.api} ${op.kind} of ${op.len ?? "?"} at ${op.off ?? "pos"} on ${op.file ?? `fd ${op.fd}`}`;
    if (op.len !== null && r > op.len) out.push({ op: op.id, detail: `${what} returned ${r}, more than asked` });
    if (r === ERR.EAGAIN && !op.nowait && !c.failedBios.some((b) => b.status === BLK_STS.AGAIN && !b.nowait)) out.push({ op: op.id, detail: `${what} returned -EAGAIN without NOWAIT` });
    // -EIO needs a cause the run can show: a failed bio or an injected fault.
    if (r === ERR.EIO && c.failedBios.length === 0 && c.injectedFaults === 0) out.push({ op: op.id, detail: `${what} returned -EIO, but no bio failed and no fault was injected` });
    const short = shortInsideSize(op, byFile.get(op.file ?? "") ?? [], c);
    if (short) out.push({ op: op.id, detail: `${what}: ${short}` });
    const lost = failedBioHidden(op, ops, c.failedBios, c.okBios ?? []);
    if (lost) out.push({ op: op.id, detail: `${what}: ${lost}` });
    const part = againAfterPart(op, ops, c.okBios ?? [], op.file === null ? undefined : c.deviceDisks?.[op.file]);
    if (part) out.push({ op: op.id, detail: `${what}: ${part}` });
  }
  return out;
}

/**
 * A short result inside i_size is allowed only with an error (a failed bio,
 * an injected fault), a signal (the harness sends none), or NOWAIT: a
 * NOWAIT call returns what it could do without waiting (preadv2(2): "If
 * some data was successfully read, it will return the number of bytes
 * read"; a buffered read stops at the first page not cached). Writes may also
 * stop short at the end of the device; none of our scenarios fills a disk,
 * so a short write to a file is judged like a short read. On a block device
 * opened as a file, i_size is the device's size: reads and writes stop
 * short at its end and nowhere else.
 */
function shortInsideSize(op: FileOp, fileOps: readonly FileOp[], c: ReturnContext): string | null {
  if (op.result === null || op.result < 0 || op.len === null || op.result >= op.len || op.off === null || op.file === null) return null;
  if (c.failedBios.length || c.injectedFaults || op.nowait) return null;
  const device = c.devices?.[op.file];
  if (device !== undefined)
    return op.off + op.result >= device ? null : `short ${op.kind}: ${op.result} of ${op.len} bytes ending at ${op.off + op.result}, inside the device's ${device} bytes, with no error`;
  // A write from a buffer mapped from the file may stop where the mapping faults (past the file's end: SIGBUS), short with no error.
  if (op.kind === "write") return op.fileMapped ? null : `short write: ${op.result} of ${op.len} bytes with no error`;
  const size = sizeAt(sizeTimeline(fileOps), op.startNs, op, fileOps);
  if (size === null || op.off + op.result >= size) return null;
  return `short read: ${op.result} of ${op.len} bytes ending at ${op.off + op.result}, inside i_size ${size}, with no error`;
}

/**
 * A direct I/O during which the disk failed a bio of the same direction (not
 * a writeback bio), submitted and completed inside the op's interval, while no other op that
 * submits bios of that direction was in flight: that bio was the op's, and
 * the op cannot report every byte done.
 */
function failedBioHidden(op: FileOp, ops: readonly FileOp[], failed: readonly BioRecord[], ok: readonly BioRecord[]): string | null {
  if (!op.direct || op.result === null || op.len === null || op.result !== op.len || op.endNs === null) return null;
  for (const b of failed) {
    // A direct I/O's bios carry only its own bytes: a larger failed bio was someone else's (writeback, metadata);
    // so is a writeback bio (dirty pages under the write, or its fallback to buffered I/O: ext4 fills a hole of an indirect-mapped file so), whose error goes to the mapping.
    // A metadata bio (REQ_META: a block bitmap, an inode table block, a btrfs tree block) is the filesystem's, never a direct I/O's data.
    // A readahead bio (a direct read that fell back to the page cache, btrfs) reads pages the call may not need: if it needed one, its result or data shows it.
    if (b.op !== op.kind || b.writeback || b.readahead || (b.flags & BIO_FLAGS.META) !== 0 || b.bytes > op.len || b.completedNs === null || b.submitNs < op.startNs || b.completedNs > op.endNs) continue;
    if (retried(b, op.endNs, ok)) continue;
    if (b.op === "write" && dirtyUnder(op, ops, b.submitNs)) continue;
    if (aloneInFlight(op, ops, b)) return `the disk failed bio #${b.index} (${b.op} of ${b.bytes} at sector ${b.sector}) inside it, yet it reported full success`;
  }
  return null;
}

/**
 * A NOWAIT call that returned -EAGAIN did none of its I/O (preadv2(2): with
 * some done it returns that count, -EAGAIN means none). On a disk's own
 * device node a bio's sectors are the file's offsets: a bio of the call's
 * direction over its range that succeeded inside its window, while no other
 * op of that direction was in flight, was the call's, so part was done.
 */
function againAfterPart(op: FileOp, ops: readonly FileOp[], ok: readonly BioRecord[], disk: number | undefined): string | null {
  if (!op.nowait || op.result !== ERR.EAGAIN || disk === undefined || op.off === null || op.len === null || op.endNs === null || (op.kind !== "read" && op.kind !== "write")) return null;
  const range = { disk, op: op.kind, sectors: { from: op.off / SECTOR_BYTES, to: (op.off + op.len) / SECTOR_BYTES } };
  const b = ok.find((x) => matches(range, x) && x.completedNs !== null && x.submitNs >= op.startNs && x.completedNs <= op.endNs! && aloneInFlight(op, ops, x));
  return b ? `returned -EAGAIN (NOWAIT), yet bio #${b.index} (${b.op} of ${b.bytes} at sector ${b.sector}) of its range completed inside it: part of it was done` : null;
}

/** No op but `op` that submits bios of `b`'s direction was in flight from `b`'s submission to its completion: `b` was `op`'s. */
function aloneInFlight(op: FileOp, ops: readonly FileOp[], b: BioRecord): boolean {
  return !ops.some((o) => o !== op && submitsLike(o, b.op) && o.startNs <= b.submitNs && (o.endNs ?? Infinity) >= b.completedNs!);
}

/**
 * A later bio of the same direction that succeeded within the op retried
 * the failed one: over the same sectors (btrfs repairs a failed read so),
 * or, after AGAIN, the same size anywhere (io_uring reissues a request whose
 * bio got -EAGAIN; a write past EOF gets new blocks, the failed try's were
 * freed): the data came.
 */
function retried(b: BioRecord, endNs: number, ok: readonly BioRecord[]): boolean {
  const end = b.sector + Math.ceil(b.bytes / SECTOR_BYTES);
  const later = ok.filter((x) => x.op === b.op && x.submitNs >= b.completedNs! && x.completedNs !== null && x.completedNs <= endNs);
  return later.some((x) => (x.sector < end && b.sector < x.sector + Math.ceil(x.bytes / SECTOR_BYTES)) || (b.status === BLK_STS.AGAIN && x.bytes === b.bytes));
}

const pages = (o: FileOp) => ({ from: Math.floor(o.off! / PAGE_SIZE) * PAGE_SIZE, to: Math.ceil((o.off! + o.len!) / PAGE_SIZE) * PAGE_SIZE });

/**
 * A direct write first writes back the dirty page cache over its range
 * (an appending one: wherever i_size puts it), inside its own window: a
 * failed write bio there may be that writeback, which the write need not
 * report (the error goes to the mapping). Dirty: a buffered write to the
 * file, done before `atNs`, with no fsync of the file completed after it.
 */
function dirtyUnder(op: FileOp, ops: readonly FileOp[], atNs: number): boolean {
  const synced = (w: FileOp) => ops.some((f) => f.kind === "fsync" && f.file === op.file && f.result === 0 && f.startNs >= w.endNs! && f.endNs !== null && f.endNs <= atNs);
  const under = (w: FileOp) => op.append || w.off === null || w.len === null || op.off === null || op.len === null || (pages(w).from < pages(op).to && pages(op).from < pages(w).to);
  return ops.some((w) => w.kind === "write" && !w.direct && w.file === op.file && w.endNs !== null && w.endNs <= atNs && (w.result ?? 0) > 0 && !synced(w) && under(w));
}

/**
 * The op may submit bios of that direction itself: any read, and for reads
 * also the ops that read a block to change part of it (a write of part of a
 * block through the page cache, also a direct write that fell back to it;
 * truncate and fallocate zeroing part of one); any write (a direct one its
 * data, a buffered or syncing one writeback), and the other ops that write
 * back dirty pages (fsync, truncate, fallocate).
 */
function submitsLike(o: FileOp, dir: BioOp): boolean {
  if (dir === "read") return o.kind === "read" || o.kind === "write" || o.kind === "truncate" || o.kind === "fallocate";
  return o.kind === "write" || o.kind === "fsync" || o.kind === "truncate" || o.kind === "fallocate";
}

export function groupByFile(ops: readonly FileOp[]): Map<string, FileOp[]> {
  const m = new Map<string, FileOp[]>();
  for (const op of ops) if (op.file !== null) m.set(op.file, [...(m.get(op.file) ?? []), op]);
  return m;
}

/**
 * File position of every user descriptor used with read/write (no offset):
 * the sum of what they returned, when the calls did not overlap and no
 * llseek or O_APPEND moved it otherwise.
 */
export function offsetContract(ops: readonly FileOp[], commands: readonly CommandRecord[], probe: ProbeRecord | null, probeFromCmd: number): ContractFailure[] {
  if (!probe) return [];
  const out: ContractFailure[] = [];
  for (const p of probe.positions) {
    const all = ops.filter((o) => o.api === "syscall" && o.task === p.task && o.fd === p.fd);
    const opened = Math.max(0, ...all.map((o) => o.opened));
    const mine = all.filter((o) => o.opened === opened && o.atPosition);
    const seeks = commands.some((c) => c.task === p.task && c.command.op === "SYSCALL" && c.command.flags === NR.llseek && Number(c.command.args?.[0]) === p.fd && c.id >= opened && c.id < probeFromCmd);
    if (seeks || mine.some((o) => o.append || o.result === null)) continue;
    const want = mine.reduce((n, o) => n + Math.max(0, o.result ?? 0), 0);
    if (p.pos !== want) out.push({ op: mine.map((o) => o.id).join(","), detail: `fd ${p.fd} of task ${p.task}: position ${p.pos} after read/write calls that returned ${want} bytes in all` });
  }
  return out;
}

/** i_size at quiescence (the length of the probe's buffered read, when no probe read of the file failed) against what the completed ops imply, and never past what any of them could make. */
export function sizeContract(ops: readonly FileOp[], probe: ProbeRecord | null): ContractFailure[] {
  if (!probe) return [];
  const out: ContractFailure[] = [];
  const byFile = groupByFile(ops);
  for (const f of probe.files) {
    const read = f.reads.find((r) => r.how === "buffered");
    if (!read || read.result < 0) continue;
    const bound = sizeBound(byFile.get(f.path) ?? []);
    if (read.result > bound) out.push({ op: f.path, detail: `${f.path}: i_size at least ${read.result} at quiescence, past the end any operation could have made (${bound})` });
    // A probe read that failed met a range the kernel cannot read (after a failed bio, btrfs drops the failed range's mapping; ext4 shuts down): the buffered read stopped there, before i_size.
    if (read.result >= read.asked || f.reads.some((r) => r.result < 0)) continue;
    const want = finalSize(sizeTimeline(byFile.get(f.path) ?? []));
    if (want !== null && want !== read.result) out.push({ op: f.path, detail: `${f.path}: i_size ${read.result} at quiescence, the completed operations imply ${want}` });
  }
  return out;
}
