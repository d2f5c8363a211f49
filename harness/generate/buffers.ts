// Where a generated request's bytes live in its task's memory: a buffer
// filled with a pattern naming the request and sector, never touched, the
// target file itself mmapped, or scattered one sector per page; split into
// iovecs. The data oracle is told a write's bytes when the host knows them.
import type { Iovec } from "../user/task.ts";
import { MAP, PAGE_SIZE, PROT } from "../user/abi.ts";
import type { UserTask } from "../scenario/api.ts";
import { SECTOR, type Op, type Request } from "./workload.ts";

/** Bytes of a write tagged `tag`: every 512-byte sector starts with (tag, sector index, 0xa5), then a pattern of both; never zero. */
export function pattern(tag: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const k = Math.floor(i / SECTOR), j = i % SECTOR;
    b[i] = j === 0 ? tag & 0xff : j === 1 ? k & 0xff : j === 2 ? 0xa5 : ((tag * 37 + k * 11 + j) & 0xff) | 1;
  }
  return b;
}

/** A request's buffer in task memory (as iovecs) and, for a write, the bytes in it. */
export interface Placed {
  /** The request's number in the workload (its write pattern's tag, its SQE's user_data). */
  tag: number;
  iovs: Iovec[];
  /** The iovec array in task memory (vectored calls, io_uring READV/WRITEV). */
  iovArray: number;
  bytes: Uint8Array | null;
  /** A mapping of the file (a mapped buffer): unmapped when the task is done, so the filesystem can be unmounted. */
  mapping: { addr: number; len: number } | null;
}

function splitIovs(addr: number, len: number, n: number): Iovec[] {
  const each = n > 1 ? Math.floor(len / n / SECTOR) * SECTOR : len;
  return Array.from({ length: n }, (_, i) => ({ addr: addr + i * each, len: i === n - 1 ? len - each * (n - 1) : each }));
}

/** How a request's buffer is made: filled and resident, never touched, the target file mmapped (by descriptor `fd`) and never touched; `scatter`: one sector per page. */
type BufferKind = { k: "filled" | "fresh"; scatter: boolean } | { k: "mapped"; fd: number };

export const bufferKind = (op: Op, fd: number): BufferKind => {
  if ("mapped" in op && op.mapped) return { k: "mapped", fd };
  return { k: "fresh" in op && op.fresh ? "fresh" : "filled", scatter: "scatter" in op && op.scatter === true };
};

/** The request's iovecs: over the mapped file, over one anonymous buffer, or one per sector, each at the start of its own page of one buffer. */
function iovecsOf(u: UserTask, r: Request, iov: number, kind: BufferKind): Iovec[] {
  const len = Math.max(r.len, 1);
  if (kind.k === "mapped") return splitIovs(u.mmap(len, { prot: PROT.READ, flags: MAP.SHARED, fd: kind.fd, offset: r.off - (r.off % PAGE_SIZE) }), r.len, iov);
  const resident = kind.k === "fresh" ? "none" : "all";
  if (!kind.scatter) return splitIovs(u.buffer(len, { resident }).addr, r.len, iov);
  const sectors = r.len / SECTOR;
  if (!(Number.isInteger(sectors) && sectors >= 1)) throw new Error(`a scattered buffer of ${r.len} bytes is not whole sectors`);
  const addr = u.buffer(sectors * PAGE_SIZE, { resident }).addr;
  return Array.from({ length: sectors }, (_, i) => ({ addr: addr + i * PAGE_SIZE, len: SECTOR }));
}

/**
 * A request's buffer. Untouched anonymous pages hold zeros, so a fresh
 * write's bytes are zeros; a mapped write's bytes are the file's own at
 * that time, unknown to the data model (not noted).
 */
export function place(u: UserTask, r: Request, iov: number, kind: BufferKind, tag: number): Placed {
  const iovs = iovecsOf(u, r, iov, kind);
  const bytes = !r.write || kind.k === "mapped" ? null : kind.k === "fresh" ? new Uint8Array(r.len) : pattern(tag, r.len);
  if (bytes && kind.k === "filled") {
    let at = 0;
    for (const v of iovs) u.writeUser(v.addr, bytes.subarray(at, (at += v.len)));
  }
  return { tag, iovs, iovArray: u.putIovecs(iovs), bytes, mapping: kind.k === "mapped" ? { addr: iovs[0]!.addr, len: Math.max(r.len, 1) } : null };
}
