// The operations of a run on files, with their ranges, as the oracles see
// them: one FileOp per agent READ/WRITE/TRUNCATE/..., per user read/write
// system call, per AIO iocb and per io_uring SQE. Built from the agent's
// command records and the journal the user layer keeps (which path a
// descriptor names, the iocbs, SQEs, events and CQEs). The shape is the
// one a workload generator emits: kind, file, range, flags; plus what the
// kernel answered and when.
import type { CommandRecord } from "../agent/host.ts";
import type { AioEventEntry, AioIocbEntry, BytesEntry, CqeEntry, JournalEntry, OpenEntry, RwEntry, SqeEntry } from "../agent/journal.ts";
import { AGENT_ASYNC } from "../agent/protocol.ts";
import { CLONE, NR, O, RWF } from "../user/abi.ts";

export type OpKind = "read" | "write" | "truncate" | "fallocate" | "fsync" | "drop-cache";
export type OpApi = "agent" | "agent-async" | "syscall" | "aio" | "uring";

export interface FileOp {
  /** "#12" (command 12), "#12/iocb0", "#12/sqe1". */
  id: string;
  cmd: number;
  task: number;
  api: OpApi;
  kind: OpKind;
  /** The path the descriptor was opened with (null: unknown descriptor). */
  file: string | null;
  fd: number;
  direct: boolean;
  nowait: boolean;
  append: boolean;
  /** A write that syncs the file before it returns or completes (RWF_DSYNC / RWF_SYNC, an O_DSYNC / O_SYNC descriptor): its window holds writeback of the file's other dirty pages too. */
  syncs: boolean;
  /** Where it starts (null: unknown, e.g. at a file position llseek moved). */
  off: number | null;
  /** A read/write at the file position (read(2)/write(2)): `off` is the position the earlier calls imply. */
  atPosition: boolean;
  /** Bytes asked for (truncate: the new size; null: unknown, e.g. a vectored iocb). */
  len: number | null;
  /** fallocate mode. */
  mode: number;
  startNs: number;
  /** When the result was known (return, or completion for asynchronous ones). */
  endNs: number | null;
  /** The final result: the return value, or the completion of an asynchronous operation. */
  result: number | null;
  /** How many completions were reported (asynchronous operations must have exactly one). */
  completions: number;
  asynchronous: boolean;
  /** Bytes written, or read (the first `result` bytes), when the host knows them. */
  data: Uint8Array | null;
  /** The op belongs to the scenario's run (false: its set-up). */
  inRun: boolean;
  /** The command that opened the descriptor (0: unknown). */
  opened: number;
  /** The task had mmapped this file when it issued the op (its buffer may be that mapping). */
  fileMapped: boolean;
}

const O_NONBLOCK = 0o4000;
const EIOCBQUEUED = -529;

interface Fd {
  path: string;
  flags: number;
  cmd: number;
  /** The file position the calls so far imply (null: unknown). */
  pos: number | null;
}

/** Descriptor tables: the agent's (one, shared by its tasks) and each user process's (its threads share it). */
class Fds {
  private open = new Map<string, Fd>();
  /** A thread's task id → the task whose descriptor table (and memory) it shares. */
  private owner = new Map<number, number>();
  /** `task:path` of every file a user task mmapped (keyed by the table's task). */
  readonly mapped = new Set<string>();
  key(task: number, fd: number, agent: boolean): string {
    return agent ? `agent:${fd}` : `${this.tableOf(task)}:${fd}`;
  }
  tableOf(task: number): number {
    return this.owner.get(task) ?? task;
  }
  /** `thread` (a clone with CLONE_FILES) uses `task`'s table from now on. */
  share(thread: number, task: number): void {
    this.owner.set(thread, this.tableOf(task));
  }
  set(k: string, f: Fd): void {
    this.open.set(k, f);
  }
  get(k: string): Fd | undefined {
    return this.open.get(k);
  }
  drop(k: string): void {
    this.open.delete(k);
  }
}

export interface OpsInput {
  commands: readonly CommandRecord[];
  journal: readonly JournalEntry[];
  runFromCmd: number;
  /** Commands from here on are the after-run probe's and are not ops of the run. */
  probeFromCmd: number;
}

export interface RunOps {
  /** The file operations (set-up included, marked), in submission order. */
  ops: FileOp[];
  /** CQEs and AIO events that complete no submitted request (a second completion, or one never asked for). */
  strayCqes: CqeEntry[];
  strayEvents: AioEventEntry[];
}

/** The file operations of a run and the completions nothing claimed. */
export function fileOps(input: OpsInput): RunOps {
  const byCmd = new Map<number, JournalEntry[]>();
  for (const e of input.journal) {
    const list = byCmd.get(e.cmd);
    if (list) list.push(e);
    else byCmd.set(e.cmd, [e]);
  }
  const fds = new Fds();
  const ops: FileOp[] = [];
  const cqes = input.journal.filter((e): e is CqeEntry => e.kind === "cqe");
  const events = input.journal.filter((e): e is AioEventEntry => e.kind === "aio-event");
  const cmdById = new Map(input.commands.map((c) => [c.id, c]));
  const done: Completions = { cqes, events, usedCqe: new Set(), usedEvents: new Set(), returnedNs: (id) => cmdById.get(id)?.returnedNs ?? null };
  for (const c of input.commands) {
    if (c.id >= input.probeFromCmd) break;
    const notes = byCmd.get(c.id) ?? [];
    const base: Base = { cmd: c.id, task: c.task, inRun: c.id >= input.runFromCmd, startNs: c.queuedNs };
    const cmd = c.command;
    if (cmd.op === "OPEN" && c.returned !== null && c.returned >= 0) fds.set(fds.key(c.task, c.returned, true), { path: cmd.path ?? "?", flags: cmd.flags ?? 0, cmd: c.id, pos: 0 });
    else if (cmd.op === "CLOSE") fds.drop(fds.key(c.task, cmd.fd ?? -1, true));
    else if (cmd.op === "READ" || cmd.op === "WRITE" || cmd.op === "TRUNCATE" || cmd.op === "FALLOCATE" || cmd.op === "FSYNC" || cmd.op === "DROP_CACHE") {
      const f = fds.get(fds.key(c.task, cmd.fd ?? -1, true));
      const async = cmd.op !== "TRUNCATE" && ((cmd.flags ?? 0) & AGENT_ASYNC) !== 0 && (cmd.op === "READ" || cmd.op === "WRITE");
      const on: OnFile = { file: f?.path ?? null, fd: cmd.fd ?? -1, direct: ((f?.flags ?? 0) & O.DIRECT) !== 0, nowait: false, append: false, syncs: ((f?.flags ?? 0) & O.DSYNC) !== 0, mode: cmd.mode ?? 0, data: c.data ?? null, opened: f?.cmd ?? 0, fileMapped: false };
      const res: OpResult = { endNs: async ? c.completedNs : c.returnedNs, result: async ? c.completed : c.returned, completions: async ? c.completions : c.returned === null ? 0 : 1, asynchronous: async };
      ops.push(fileOp(base, on, res, { id: `#${c.id}`, api: async ? "agent-async" : "agent", kind: agentKind(cmd.op), off: cmd.op === "TRUNCATE" ? null : (cmd.off ?? 0), atPosition: false, len: cmd.len ?? 0 }));
    } else if (cmd.op === "SYSCALL") syscallOps(c, notes, fds, base, ops, done);
  }
  return {
    ops,
    strayCqes: cqes.filter((q) => !done.usedCqe.has(q)),
    strayEvents: events.filter((e) => !done.usedEvents.has(e)),
  };
}

/** The position a read/write at the file position starts at, moving it by what the call returned. */
function advance(f: Fd | undefined, returned: number | null): number | null {
  if (!f || f.pos === null) return null;
  const at = f.pos;
  f.pos = returned === null ? null : at + Math.max(0, returned);
  return at;
}

function agentKind(op: string): OpKind {
  return ({ READ: "read", WRITE: "write", TRUNCATE: "truncate", FALLOCATE: "fallocate", FSYNC: "fsync", DROP_CACHE: "drop-cache" } as const)[op as "READ"];
}

interface Completions {
  cqes: CqeEntry[];
  events: AioEventEntry[];
  usedCqe: Set<CqeEntry>;
  usedEvents: Set<AioEventEntry>;
  returnedNs(cmd: number): number | null;
}

type Base = Pick<FileOp, "cmd" | "task" | "inRun" | "startNs">;
/** What the descriptor says (and the op's bytes and mode). */
type OnFile = Pick<FileOp, "file" | "fd" | "direct" | "nowait" | "append" | "syncs" | "mode" | "data" | "opened" | "fileMapped">;
type OpResult = Pick<FileOp, "endNs" | "result" | "completions" | "asynchronous">;
type What = Pick<FileOp, "id" | "api" | "kind" | "off" | "atPosition" | "len">;

/** A FileOp from its parts, every field written out: spreading the parts and adding fields is slow in V8 (this runs per op of every judged run). */
function fileOp(b: Base, f: OnFile, r: OpResult, w: What, data = f.data, mode = f.mode): FileOp {
  return {
    cmd: b.cmd, task: b.task, inRun: b.inRun, startNs: b.startNs, id: w.id, api: w.api, kind: w.kind, file: f.file, fd: f.fd, direct: f.direct, nowait: f.nowait,
    append: f.append, syncs: f.syncs, off: w.off, len: w.len, atPosition: w.atPosition, mode, opened: f.opened, endNs: r.endNs, result: r.result, completions: r.completions,
    asynchronous: r.asynchronous, data, fileMapped: f.fileMapped,
  };
}

function syscallOps(c: CommandRecord, notes: JournalEntry[], fds: Fds, base: Base, ops: FileOp[], done: Completions): void {
  const nr = c.command.flags;
  const args = (c.command.args ?? []).map(Number);
  const open = notes.find((n): n is OpenEntry => n.kind === "open");
  if (open && c.returned !== null && c.returned >= 0) fds.set(fds.key(c.task, c.returned, false), { path: open.path, flags: open.flags, cmd: c.id, pos: (open.flags & O.APPEND) !== 0 ? null : 0 });
  if (nr === NR.close) fds.drop(fds.key(c.task, args[0] ?? -1, false));
  // A thread (clone with CLONE_FILES | CLONE_SETTLS: its TLS is its command queue, user.c) shares the descriptors.
  if (nr === NR.clone && c.returned !== null && c.returned > 0 && ((args[0] ?? 0) & CLONE.FILES) !== 0 && ((args[0] ?? 0) & CLONE.SETTLS) !== 0) fds.share(args[4] ?? -1, c.task);
  const seeked = nr === NR.llseek ? fds.get(fds.key(c.task, args[0] ?? -1, false)) : undefined;
  if (seeked) seeked.pos = null;
  const fdOf = (fd: number) => fds.get(fds.key(c.task, fd, false));
  const mappedFile = nr === NR.mmap2 && c.returned !== null && c.returned >= 0 ? fdOf(args[4] ?? -1) : undefined;
  if (mappedFile) fds.mapped.add(`${fds.tableOf(c.task)}:${mappedFile.path}`);
  const common = (fd: number, rwFlags: number): OnFile => {
    const f = fdOf(fd);
    const flags = f?.flags ?? 0;
    return {
      file: f?.path ?? null, fd, direct: (flags & O.DIRECT) !== 0, nowait: (rwFlags & RWF.NOWAIT) !== 0 || (flags & O_NONBLOCK) !== 0,
      append: (flags & O.APPEND) !== 0 || (rwFlags & RWF.APPEND) !== 0, syncs: (flags & O.DSYNC) !== 0 || (rwFlags & (RWF.DSYNC | RWF.SYNC)) !== 0, mode: 0, data: null, opened: f?.cmd ?? 0, fileMapped: f !== undefined && fds.mapped.has(`${fds.tableOf(c.task)}:${f.path}`),
    };
  };
  const sync: OpResult = { endNs: c.returnedNs, result: c.returned, completions: c.returned === null ? 0 : 1, asynchronous: false };
  const bytes = (index: number) => notes.find((n): n is BytesEntry => n.kind === "bytes" && n.index === index)?.data ?? null;
  for (const n of notes) {
    if (n.kind === "rw")
      ops.push(fileOp(base, common(n.fd, n.rwFlags), sync, { id: `#${c.id}`, api: "syscall", kind: n.write ? "write" : "read", off: n.off ?? advance(fdOf(n.fd), c.returned), atPosition: n.off === null, len: n.len }, bytes(0)));
    else if (n.kind === "aio-iocb") aioOp(c, n, common, base, ops, done, bytes(n.index));
    else if (n.kind === "sqe") sqeOp(c, n, common, base, ops, done, bytes(n.index));
  }
  const id = `#${c.id}`;
  const on = () => common(args[0] ?? -1, 0);
  if (nr === NR.ftruncate64) ops.push(fileOp(base, on(), sync, { id, api: "syscall", kind: "truncate", off: null, atPosition: false, len: args[1] ?? 0 }));
  if (nr === NR.fallocate) {
    const f = on();
    ops.push(fileOp(base, f, sync, { id, api: "syscall", kind: "fallocate", off: args[2] ?? 0, atPosition: false, len: args[3] ?? 0 }, f.data, args[1] ?? 0));
  }
  if (nr === NR.fsync || nr === NR.fdatasync) ops.push(fileOp(base, on(), sync, { id, api: "syscall", kind: "fsync", off: null, atPosition: false, len: null }));
}

type Common = (fd: number, rwFlags: number) => OnFile;

const AIO_KIND: Record<string, OpKind | undefined> = { PREAD: "read", PREADV: "read", PWRITE: "write", PWRITEV: "write", FSYNC: "fsync", FDSYNC: "fsync" };
const URING_KIND: Record<string, OpKind | undefined> = { READ: "read", READV: "read", READ_FIXED: "read", WRITE: "write", WRITEV: "write", WRITE_FIXED: "write", FSYNC: "fsync" };

function aioOp(c: CommandRecord, n: AioIocbEntry, common: Common, base: Base, ops: FileOp[], done: Completions, data: Uint8Array | null): void {
  const kind = AIO_KIND[n.opcode];
  if (!kind || c.returned === null || n.index >= c.returned) return;
  // Context ids and iocb addresses are per process: two tasks with the same layout share both.
  const evs = done.events.filter((e) => e.task === c.task && e.ctx === n.ctx && e.obj === n.addr && e.cmd > c.id && !done.usedEvents.has(e));
  for (const e of evs) done.usedEvents.add(e);
  const r: OpResult = { endNs: evs[0] ? done.returnedNs(evs[0].cmd) : null, result: evs[0]?.res ?? null, completions: evs.length, asynchronous: true };
  ops.push(fileOp(base, common(n.fd, n.rwFlags), r, { id: `#${c.id}/iocb${n.index}`, api: "aio", kind, off: n.off, atPosition: false, len: n.len < 0 ? null : n.len }, data));
}

function sqeOp(c: CommandRecord, n: SqeEntry, common: Common, base: Base, ops: FileOp[], done: Completions, data: Uint8Array | null): void {
  const kind = URING_KIND[n.opcode];
  if (c.returned === null || c.returned < 0 || n.index >= c.returned) return;
  const mine = done.cqes.filter((q) => q.ring === n.ring && q.task === n.task && q.userData === n.userData && q.cmd >= c.id && !done.usedCqe.has(q));
  const first = mine[0];
  if (first) done.usedCqe.add(first);
  // A second CQE for the same SQE shows as an unclaimed CQE with its user_data (judged by the completion oracle).
  if (!kind) return;
  const r: OpResult = { endNs: first?.atNs ?? null, result: first?.res ?? null, completions: first ? 1 : 0, asynchronous: true };
  ops.push(fileOp(base, common(n.fd, n.rwFlags), r, { id: `#${c.id}/sqe${n.index}`, api: "uring", kind, off: n.off, atPosition: false, len: n.len < 0 ? null : n.len }, data));
}

/** Byte range [from, to) of an op with a known offset and length, else null. */
export function range(op: FileOp): { from: number; to: number } | null {
  if (op.off === null || op.len === null) return null;
  return { from: op.off, to: op.off + op.len };
}

export function overlaps(a: FileOp, b: FileOp): boolean {
  const x = range(a), y = range(b);
  if (!x || !y) return true;
  return x.from < y.to && y.from < x.to;
}

/** The ops left without a completion's time use this: they may still be running at the end. */
export const NEVER = Number.POSITIVE_INFINITY;

/**
 * An operation ran at the same time as another (their [start, end]
 * intervals meet). Simulated time moves only when the kernel reads the
 * clock, so calls of different tasks may share a time stamp: touching
 * intervals count as concurrent, except between one task's synchronous
 * calls (one after the other).
 */
export function concurrentOps(a: FileOp, b: FileOp): boolean {
  if (a.task === b.task && !a.asynchronous && !b.asynchronous) return a.startNs < (b.endNs ?? NEVER) && b.startNs < (a.endNs ?? NEVER);
  return a.startNs <= (b.endNs ?? NEVER) && b.startNs <= (a.endNs ?? NEVER);
}

export { EIOCBQUEUED };
