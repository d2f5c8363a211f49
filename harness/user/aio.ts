// Linux AIO from a user task: io_setup / io_submit / io_getevents /
// io_destroy as real system calls, iocbs and events in the task's memory
// (struct layouts in abi.ts); every result is read back from the kernel.
import type { CommandRecord } from "../agent/host.ts";
import { AIO_CONTEXT_SIZE, IOCB, IOCB_CMD, IO_EVENT, timespec32 } from "./abi.ts";
import { register } from "./live.ts";
import type { UserTask } from "./task.ts";

export interface Iocb {
  opcode: keyof typeof IOCB_CMD;
  fd: number;
  /** User address of the data (PREAD/PWRITE) or of the iovec array (PREADV/PWRITEV). */
  buf: number;
  /** Bytes (PREAD/PWRITE) or iovec count (PREADV/PWRITEV). */
  nbytes: number;
  offset: number | bigint;
  /** Returned in the event's data field. */
  data?: number | bigint;
  /** RWF_* flags. */
  rwFlags?: number;
  flags?: number;
  resfd?: number;
}

export interface IoEvent {
  data: bigint;
  /** User address of the iocb this event completes. */
  obj: number;
  res: number;
  res2: number;
}

export function encodeIocb(c: Iocb): Uint8Array {
  const b = new Uint8Array(IOCB.size);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(IOCB.data, BigInt(c.data ?? 0), true);
  dv.setUint32(IOCB.rwFlags, c.rwFlags ?? 0, true);
  dv.setUint16(IOCB.opcode, IOCB_CMD[c.opcode], true);
  dv.setUint32(IOCB.fildes, c.fd, true);
  dv.setBigUint64(IOCB.buf, BigInt(c.buf), true);
  dv.setBigUint64(IOCB.nbytes, BigInt(c.nbytes), true);
  dv.setBigInt64(IOCB.offset, BigInt(c.offset), true);
  dv.setUint32(IOCB.flags, c.flags ?? 0, true);
  dv.setUint32(IOCB.resfd, c.resfd ?? 0, true);
  return b;
}

export function decodeEvents(b: Uint8Array, n: number): IoEvent[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: IoEvent[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * IO_EVENT.size;
    out.push({
      data: dv.getBigUint64(at + IO_EVENT.data, true),
      obj: Number(dv.getBigUint64(at + IO_EVENT.obj, true)),
      res: Number(dv.getBigInt64(at + IO_EVENT.res, true)),
      res2: Number(dv.getBigInt64(at + IO_EVENT.res2, true)),
    });
  }
  return out;
}

/** A pending io_getevents: run the machine, then `events()` once `rec.returned` is set. */
export interface PendingGetEvents {
  rec: CommandRecord;
  events(): IoEvent[];
}

export class AioContext {
  private constructor(
    readonly task: UserTask,
    /** The aio_context_t the kernel returned (the ring's user address). */
    readonly ctx: number,
  ) {}

  /** io_setup(nrEvents, &ctx). */
  static setup(task: UserTask, nrEvents: number): AioContext {
    const ctxp = task.put(new Uint8Array(AIO_CONTEXT_SIZE));
    task.sys("io_setup", nrEvents, ctxp);
    const made = task.agent.host.records[task.agent.host.records.length - 1]!;
    const a = new AioContext(task, task.readU32(ctxp));
    register(task.agent, "aio", made, a);
    return a;
  }

  /** Notes the iocbs of io_submit command `rec` for the oracles. */
  private noteIocbs(rec: CommandRecord, iocbs: readonly Iocb[], addrs: number[]): void {
    iocbs.forEach((c, index) =>
      this.task.agent.note({
        kind: "aio-iocb", cmd: rec.id, task: this.task.id, ctx: this.ctx, index, addr: addrs[index]!, opcode: c.opcode, fd: c.fd,
        off: Number(c.offset), len: c.opcode === "PREADV" || c.opcode === "PWRITEV" ? -1 : c.nbytes, rwFlags: c.rwFlags ?? 0,
      }),
    );
  }

  /** Notes the events io_getevents command `rec` returned. */
  private noteEvents(rec: CommandRecord, events: IoEvent[]): IoEvent[] {
    for (const e of events) this.task.agent.note({ kind: "aio-event", cmd: rec.id, task: this.task.id, ctx: this.ctx, obj: e.obj, res: e.res });
    return events;
  }

  /** Writes the iocbs and the pointer array into task memory; returns the array's and each iocb's address. */
  private place(iocbs: readonly Iocb[]): { array: number; addrs: number[] } {
    const addrs = iocbs.map((c) => this.task.put(encodeIocb(c)));
    const arr = new Uint8Array(4 * iocbs.length);
    addrs.forEach((a, i) => new DataView(arr.buffer).setUint32(4 * i, a, true));
    return { array: this.task.put(arr, 4), addrs };
  }

  /** io_submit: returns the number submitted (or a negative errno) and the iocbs' addresses (events' obj). */
  submit(iocbs: readonly Iocb[]): { submitted: number; addrs: number[] } {
    const { rec, addrs } = this.startSubmit(iocbs);
    return { submitted: this.task.agent.wait(rec), addrs };
  }

  /** io_submit queued without waiting for it to return; `failNth`: the call fails its n-th fault point (UserTask.start). */
  startSubmit(iocbs: readonly Iocb[], failNth = 0): { rec: CommandRecord; addrs: number[] } {
    const { array, addrs } = this.place(iocbs);
    const rec = this.task.start("io_submit", [this.ctx, iocbs.length, array], 1, failNth);
    this.noteIocbs(rec, iocbs, addrs);
    return { rec, addrs };
  }

  private eventArgs(minNr: number, nr: number, timeoutNs: number | null): { args: number[]; buf: number } {
    const buf = this.task.alloc(nr * IO_EVENT.size);
    const ts = timeoutNs === null ? 0 : this.task.put(timespec32(timeoutNs));
    return { args: [this.ctx, minNr, nr, buf, ts], buf };
  }

  /** io_getevents(ctx, min, nr, events, timeout): the events the kernel returned; null timeout waits forever. */
  getEvents(minNr: number, nr: number, timeoutNs: number | null = null): IoEvent[] {
    const p = this.startGetEvents(minNr, nr, timeoutNs);
    const n = this.task.agent.wait(p.rec);
    if (n < 0) throw new Error(`${this.task.name}: io_getevents failed: ${n}`);
    return p.events();
  }

  /** io_getevents queued without waiting (e.g. one that may never return). */
  startGetEvents(minNr: number, nr: number, timeoutNs: number | null = null): PendingGetEvents {
    const { args, buf } = this.eventArgs(minNr, nr, timeoutNs);
    const rec = this.task.start("io_getevents", args);
    let decoded: IoEvent[] | null = null;
    return {
      rec,
      events: () => {
        const n = rec.returned;
        if (n === null || n < 0) throw new Error(`io_getevents returned ${n}`);
        decoded ??= this.noteEvents(rec, decodeEvents(this.task.readUser(buf, n * IO_EVENT.size), n));
        return decoded;
      },
    };
  }

  destroy(): number {
    return this.task.syscall("io_destroy", [this.ctx]);
  }
}
