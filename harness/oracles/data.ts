// The data oracle: an fsx-style model of each file's contents, checked
// against every read whose bytes the host knows (agent reads during set-up
// and run, and the after-run probe's buffered, O_DIRECT and after-drop-
// cache reads, which must also agree with each other).
//
// The file is cut into segments at every boundary of every write, size
// change and read, and at every page: each segment is a register (the
// model is per byte range inside a page, which is finer than the kernel's
// per-block promise and therefore never stricter; two pages of one write
// may each keep old or new, as writeback of one can fail). A read of a segment may return the value of any write
// to it that had started before the read ended and was not definitely
// overwritten (a later write that completed in full, began after the first
// ended and ended before the read began), or the file's initial zeros
// (holes and unwritten extents read zero) if no full write ended before
// the read. A failed or short write may have landed or not (old or new),
// except a NOWAIT write that returned -EAGAIN: it did nothing (preadv2(2):
// with some data done a NOWAIT call returns that count; -EAGAIN says none
// was), unless the disk answered AGAIN to a bio that was allowed to wait
// (a lower layer outside that promise). A write whose bytes the host does
// not know (a user task's buffer) allows any value.
import type { FileOp } from "./ops.ts";
import { ERR, FALLOC, PAGE_SIZE } from "../user/abi.ts";
import type { ProbeFile } from "./types.ts";

/** A change to a byte range: new bytes (data null: unknown), or zeros. */
interface Effect {
  op: string;
  from: number;
  to: number;
  /** Bytes of the range [from, to), null = unknown, "zero" = zeros. */
  data: Uint8Array | "zero" | null;
  /** Offset of `from` inside data. */
  dataOff: number;
  /** Completed in full over the range (else it may or may not have landed). */
  definite: boolean;
  startNs: number;
  endNs: number | null;
}

/** A read whose bytes are known. */
export interface SeenRead {
  id: string;
  off: number;
  data: Uint8Array;
  startNs: number;
  endNs: number;
}

export interface DataFailure {
  read: string;
  offset: number;
  seen: string;
  allowed: string[];
}

const END = Number.MAX_SAFE_INTEGER;

/** How the model reads the run's writes. */
export interface EffectOptions {
  /** A NOWAIT write that returned -EAGAIN did nothing (false when a bio that could wait was answered AGAIN). */
  nowaitAgainIsNothing: boolean;
}

const NOWAIT_PROMISE: EffectOptions = { nowaitAgainIsNothing: true };

/** One effect of `op` (every field written out: spreading and adding fields is slow in V8, and this runs per judged run). */
function effect(op: FileOp, from: number, to: number, data: Effect["data"], dataOff: number, definite: boolean): Effect {
  return { op: op.id, startNs: op.startNs, endNs: op.endNs, from, to, data, dataOff, definite };
}

/** The effects of a file's ops on its bytes. */
export function effects(ops: readonly FileOp[], o: EffectOptions = NOWAIT_PROMISE): Effect[] {
  const out: Effect[] = [];
  for (const op of ops) {
    const r = op.result;
    if (op.kind === "write" && op.nowait && r === ERR.EAGAIN && o.nowaitAgainIsNothing) {
      continue;
    } else if (op.kind === "write" && op.append) {
      // Where an appending write lands depends on i_size when it ran: the model allows any value anywhere after it starts.
      out.push(effect(op, 0, END, null, 0, false));
    } else if (op.kind === "write" && op.off !== null && op.len !== null && op.len > 0) {
      const done = r !== null && r > 0 ? r : 0;
      if (done > 0) out.push(effect(op, op.off, op.off + done, op.data, 0, true));
      if (done < op.len) out.push(effect(op, op.off + done, op.off + op.len, op.data, done, false));
    } else if (op.kind === "truncate" && op.len !== null) {
      out.push(effect(op, op.len, END, "zero", 0, r === 0));
    } else if (op.kind === "fallocate" && op.off !== null && op.len !== null && (op.mode & (FALLOC.PUNCH_HOLE | FALLOC.ZERO_RANGE)) !== 0) {
      out.push(effect(op, op.off, op.off + op.len, "zero", 0, r === 0));
    }
  }
  return out;
}

/** Effects that may have set `seg` as seen by a read over [rs, re]; "zero" stands for the initial holes. */
function candidates(effs: readonly Effect[], seg: number, rs: number, re: number, widen: boolean): (Effect | "initial")[] {
  const on = effs.filter((e) => e.from <= seg && seg < e.to);
  const over = (e: Effect) => !widen && on.some((l) => l.definite && e.endNs !== null && l.endNs !== null && e.endNs < l.startNs && l.endNs < rs);
  // Simulated time moves only when the kernel reads the clock: calls made one after the other may share a time stamp, so "started before the read ended" includes the same time.
  const out: (Effect | "initial")[] = on.filter((e) => e.startNs <= re && !over(e));
  if (widen || !on.some((l) => l.definite && l.endNs !== null && l.endNs < rs)) out.push("initial");
  return out;
}

function bytesOf(e: Effect | "initial", at: number, len: number): Uint8Array | null {
  if (e === "initial" || e.data === "zero") return new Uint8Array(len);
  if (e.data === null) return null;
  const from = at - e.from + e.dataOff;
  return from + len <= e.data.length ? e.data.subarray(from, from + len) : null;
}

const hex = (b: Uint8Array) => [...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, "0")).join("") + (b.length > 8 ? "…" : "");
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Where else bytes were written (another file, another offset), or null. */
export type Provenance = (seen: Uint8Array) => string | null;

/** Checks every known read of one file against the model; `widen`: any value ever written is allowed (see console.ts excused). */
export function checkReads(ops: readonly FileOp[], reads: readonly SeenRead[], widen: boolean, elsewhere: Provenance = () => null, o: EffectOptions = NOWAIT_PROMISE): DataFailure[] {
  const effs = effects(ops, o);
  const cuts = new Set<number>();
  for (const e of effs) cuts.add(e.from).add(Math.min(e.to, END));
  for (const r of reads) {
    cuts.add(r.off).add(r.off + r.data.length);
    // Pages: what writeback keeps or loses together.
    for (let p = Math.ceil(r.off / PAGE_SIZE) * PAGE_SIZE; p < r.off + r.data.length; p += PAGE_SIZE) cuts.add(p);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: DataFailure[] = [];
  for (const r of reads) {
    for (let i = 0; i + 1 < sorted.length; i++) {
      const from = sorted[i]!, to = sorted[i + 1]!;
      if (from < r.off || to > r.off + r.data.length) continue;
      const seen = r.data.subarray(from - r.off, to - r.off);
      const cands = candidates(effs, from, r.startNs, r.endNs, widen);
      const ok = cands.some((c) => {
        const want = bytesOf(c, from, to - from);
        return want === null || same(want, seen);
      });
      if (ok) continue;
      out.push({ read: r.id, offset: from, seen: `${hex(seen)} (${to - from} bytes${whoWrote(effs, from, seen, elsewhere)})`, allowed: cands.map((c) => (c === "initial" ? "zeros (hole)" : `${c.op} ${hex(bytesOf(c, from, to - from)!)}`)) });
      break;
    }
  }
  return out;
}

/** Which write of the file left these bytes at this offset, for the report. */
function whoWrote(effs: readonly Effect[], at: number, seen: Uint8Array, elsewhere: Provenance): string {
  const e = effs.find((x) => x.from <= at && at + seen.length <= x.to && x.data !== null && x.data !== "zero" && same(bytesOf(x, at, seen.length) ?? new Uint8Array(), seen));
  if (e) return `: written by ${e.op}`;
  if (seen.every((b) => b === 0)) return ": zeros";
  const other = elsewhere(seen);
  return other ? `: ${other}` : ": written by no operation on this file";
}

/** Bytes compared to find where a read's bytes came from, and the alignment searched. */
const PROVENANCE_BYTES = 64;
const PROVENANCE_ALIGN = 512;

/** A Provenance over the writes of every file (a block of another file, or of this one at another offset). */
export function provenance(writes: readonly FileOp[]): Provenance {
  return (seen) => {
    const probe = seen.subarray(0, Math.min(PROVENANCE_BYTES, seen.length));
    for (const w of writes) {
      if (!w.data || w.off === null) continue;
      for (let at = 0; at + probe.length <= w.data.length; at += PROVENANCE_ALIGN)
        if (same(w.data.subarray(at, at + probe.length), probe)) return `the bytes ${w.id} wrote to ${w.file ?? `fd ${w.fd}`} at ${w.off + at}`;
    }
    return null;
  };
}

/** The probe's reads of one file must agree (only the on-disk views when the workload mixed buffered and direct I/O). */
export function probeAgreement(f: ProbeFile, mixed: boolean): string | null {
  const ok = f.reads.filter((r) => r.result >= 0 && r.data);
  const pairs = mixed ? [["direct", "after-drop-cache"]] : [["buffered", "direct"], ["direct", "after-drop-cache"], ["buffered", "after-drop-cache"]];
  for (const [a, b] of pairs) {
    const x = ok.find((r) => r.how === a), y = ok.find((r) => r.how === b);
    if (!x || !y) continue;
    if (x.result !== y.result) return `${f.path}: ${a} read returned ${x.result} bytes, ${b} read ${y.result}`;
    const at = x.data!.findIndex((v, i) => v !== y.data![i]);
    if (at >= 0) return `${f.path}: ${a} and ${b} reads differ at byte ${at} (${hex(x.data!.subarray(at))} vs ${hex(y.data!.subarray(at))})`;
  }
  return null;
}
