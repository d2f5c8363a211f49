// io_uring from a user task: io_uring_setup, the SQ/CQ rings and the SQE
// array mmap'd into the task (the kernel's own io_uring_mmap), SQEs written
// and CQEs read through the task's page tables, io_uring_enter as a real
// system call. Requests the kernel punts to io-wq run in its PF_IO_WORKER
// threads (create_io_thread), as on any machine.
import type { CommandRecord } from "../agent/host.ts";
import { CQE, NR, IORING_ENTER_GETEVENTS, IORING_FEAT_SINGLE_MMAP, IORING_OFF, IORING_OP, MAP, PROT, SQE, URING_PARAMS } from "./abi.ts";
import { register } from "./live.ts";
import { iovBytes, type Iovec, type UserTask } from "./task.ts";

export interface Sqe {
  opcode: keyof typeof IORING_OP;
  fd: number;
  off?: number | bigint;
  /** User address of the buffer (READ/WRITE) or of the iovec array (READV/WRITEV). */
  addr?: number;
  len?: number;
  rwFlags?: number;
  flags?: number;
  userData?: number | bigint;
}

export interface Cqe {
  userData: bigint;
  res: number;
  flags: number;
}

export function encodeSqe(s: Sqe): Uint8Array {
  const b = new Uint8Array(SQE.size);
  const dv = new DataView(b.buffer);
  dv.setUint8(SQE.opcode, IORING_OP[s.opcode]);
  dv.setUint8(SQE.flags, s.flags ?? 0);
  dv.setInt32(SQE.fd, s.fd, true);
  dv.setBigUint64(SQE.off, BigInt.asUintN(64, BigInt(s.off ?? 0)), true);
  dv.setBigUint64(SQE.addr, BigInt(s.addr ?? 0), true);
  dv.setUint32(SQE.len, s.len ?? 0, true);
  dv.setUint32(SQE.rwFlags, s.rwFlags ?? 0, true);
  dv.setBigUint64(SQE.userData, BigInt(s.userData ?? 0), true);
  return b;
}

interface Rings {
  sqHead: number;
  sqTail: number;
  sqMask: number;
  sqEntries: number;
  sqArray: number;
  cqHead: number;
  cqTail: number;
  cqMask: number;
  cqEntries: number;
  cqes: number;
  sqes: number;
}

export class IoUring {
  /** SQEs for the next submission, with the bytes each asks for. */
  private pending: { sqe: Sqe; bytes: number }[] = [];
  /** SQEs in the SQ ring the kernel has not consumed yet, oldest first (a submit that stopped early leaves them for the next one, as with liburing). */
  private inRing: { sqe: Sqe; bytes: number }[] = [];

  private constructor(
    readonly task: UserTask,
    readonly fd: number,
    readonly features: number,
    private readonly r: Rings,
  ) {}

  /** io_uring_setup(entries, &params) and the three mmaps. */
  static setup(task: UserTask, entries: number, o: { flags?: number } = {}): IoUring {
    const pb = new Uint8Array(URING_PARAMS.size);
    new DataView(pb.buffer).setUint32(URING_PARAMS.flags, o.flags ?? 0, true);
    const params = task.put(pb);
    const fd = task.sys("io_uring_setup", entries, params);
    const p = new DataView(task.readUser(params, URING_PARAMS.size).buffer);
    const u32 = (off: number) => p.getUint32(off, true);
    const sqEntries = u32(URING_PARAMS.sqEntries);
    const cqEntries = u32(URING_PARAMS.cqEntries);
    const features = u32(URING_PARAMS.features);
    const so = URING_PARAMS.sqOff;
    const co = URING_PARAMS.cqOff;
    const sqSize = u32(so.array) + sqEntries * 4;
    const cqSize = u32(co.cqes) + cqEntries * CQE.size;
    const shared = { prot: PROT.READ | PROT.WRITE, flags: MAP.SHARED | MAP.POPULATE, fd };
    const single = (features & IORING_FEAT_SINGLE_MMAP) !== 0;
    const sq = task.mmap(single ? Math.max(sqSize, cqSize) : sqSize, { ...shared, offset: IORING_OFF.SQ_RING });
    const cq = single ? sq : task.mmap(cqSize, { ...shared, offset: IORING_OFF.CQ_RING });
    const sqes = task.mmap(sqEntries * SQE.size, { ...shared, offset: IORING_OFF.SQES });
    const rings: Rings = {
      sqHead: sq + u32(so.head),
      sqTail: sq + u32(so.tail),
      sqMask: task.readU32(sq + u32(so.ringMask)),
      sqEntries,
      sqArray: sq + u32(so.array),
      cqHead: cq + u32(co.head),
      cqTail: cq + u32(co.tail),
      cqMask: task.readU32(cq + u32(co.ringMask)),
      cqEntries,
      cqes: cq + u32(co.cqes),
      sqes,
    };
    const made = task.agent.host.records.find((r) => r.command.op === "SYSCALL" && r.task === task.id && r.returned === fd && r.command.flags === NR.io_uring_setup);
    const ring = new IoUring(task, fd, features, rings);
    if (made) register(task.agent, "uring", made, ring);
    return ring;
  }

  /** Adds an SQE to the next submission (READV/WRITEV through prepRw, so that their byte count is known). */
  prep(s: Sqe, bytes = s.opcode === "READV" || s.opcode === "WRITEV" ? -1 : (s.len ?? 0)): this {
    this.pending.push({ sqe: s, bytes });
    return this;
  }

  /** A READV/WRITEV SQE with its iovec array placed in task memory. */
  prepRw(opcode: "READV" | "WRITEV", fd: number, iovs: readonly Iovec[], off: number | bigint, o: { userData?: number | bigint; rwFlags?: number; flags?: number } = {}): this {
    return this.prep({ opcode, fd, addr: this.task.putIovecs(iovs), len: iovs.length, off, ...o }, iovBytes(iovs));
  }

  /**
   * Writes the pending SQEs into the ring and advances the SQ tail; returns
   * every SQE the next io_uring_enter submits: those an earlier submit left
   * in the ring (the kernel stopped before them), then the new ones.
   */
  private fill(): { sqe: Sqe; bytes: number }[] {
    const r = this.r;
    const head = this.task.readU32(r.sqHead);
    let tail = this.task.readU32(r.sqTail);
    const left = (tail - head) >>> 0;
    if (left > this.inRing.length) throw new Error(`io_uring SQ ring holds ${left} unconsumed SQEs, this ring wrote ${this.inRing.length} not yet seen consumed`);
    this.inRing = this.inRing.slice(this.inRing.length - left);
    const n = this.pending.length;
    if (tail - head + n > r.sqEntries) throw new Error(`io_uring SQ full (${r.sqEntries} entries)`);
    for (const { sqe } of this.pending) {
      const idx = tail & r.sqMask;
      this.task.writeUser(r.sqes + idx * SQE.size, encodeSqe(sqe));
      this.task.writeU32(r.sqArray + idx * 4, idx);
      tail = (tail + 1) >>> 0;
    }
    this.task.writeU32(r.sqTail, tail);
    this.inRing.push(...this.pending);
    this.pending = [];
    return [...this.inRing];
  }

  /** io_uring_enter(fd, to_submit, waitNr, GETEVENTS if waitNr): returns what the kernel returned. */
  submit(waitNr = 0): number {
    return this.task.agent.wait(this.startSubmit(waitNr));
  }

  /** submit() queued without waiting; `failNth`: the call fails its n-th fault point (UserTask.start). */
  startSubmit(waitNr = 0, failNth = 0): CommandRecord {
    return this.startSubmitting(waitNr, failNth).rec;
  }

  /** startSubmit(), with the SQEs the call sends in the order it sends them: those an earlier submit left in the ring, then the new ones; `waitNr` "all": wait for every one of them. */
  startSubmitting(waitNr: number | "all" = 0, failNth = 0): { rec: CommandRecord; sent: Sqe[] } {
    const filled = this.fill();
    const wait = waitNr === "all" ? filled.length : waitNr;
    const rec = this.task.start("io_uring_enter", [this.fd, filled.length, wait, wait ? IORING_ENTER_GETEVENTS : 0, 0, 0], 1, failNth);
    filled.forEach(({ sqe, bytes }, index) =>
      this.task.agent.note({
        kind: "sqe", cmd: rec.id, task: this.task.id, ring: this.fd, index, userData: String(BigInt(sqe.userData ?? 0)), opcode: sqe.opcode,
        fd: sqe.fd, off: Number(sqe.off ?? 0), len: bytes, rwFlags: sqe.rwFlags ?? 0,
      }),
    );
    return { rec, sent: filled.map((f) => f.sqe) };
  }

  /** Waits in the kernel for `waitNr` completions without submitting. */
  wait(waitNr: number): number {
    return this.task.syscall("io_uring_enter", [this.fd, 0, waitNr, IORING_ENTER_GETEVENTS, 0, 0]);
  }

  /** Takes every CQE the kernel posted (reading the CQ ring, then advancing its head). */
  reap(): Cqe[] {
    const r = this.r;
    let head = this.task.readU32(r.cqHead);
    const tail = this.task.readU32(r.cqTail);
    const out: Cqe[] = [];
    for (; head !== tail; head = (head + 1) >>> 0) {
      const b = this.task.readUser(r.cqes + (head & r.cqMask) * CQE.size, CQE.size);
      const dv = new DataView(b.buffer);
      out.push({ userData: dv.getBigUint64(CQE.userData, true), res: dv.getInt32(CQE.res, true), flags: dv.getUint32(CQE.flags, true) });
    }
    if (out.length) this.task.writeU32(r.cqHead, head);
    const host = this.task.agent.host;
    for (const c of out)
      host.note({ kind: "cqe", cmd: host.records.length, task: this.task.id, ring: this.fd, userData: String(c.userData), res: c.res, flags: c.flags, atNs: this.task.machine.clock.now });
    return out;
  }

  close(): void {
    this.task.close(this.fd);
  }
}
