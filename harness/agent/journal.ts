// What the host learnt about a run's I/O beyond the agent's command
// records: the entries the user layer adds (which path a descriptor
// names, the ranges of read/write system calls, AIO iocbs and events,
// io_uring SQEs and CQEs). Kept with the agent host's state, so a
// snapshot restores it with the kernel; the oracles (harness/oracles)
// read it. Every entry names the command record it belongs to (`cmd`),
// whose times and results are the kernel's.

/** A descriptor opened by a user task (openat's path is in user memory, so the host notes it). */
export interface OpenEntry {
  kind: "open";
  cmd: number;
  task: number;
  path: string;
  flags: number;
}

/** A read/write-family system call with its range (read/write: off null, the file position). */
export interface RwEntry {
  kind: "rw";
  cmd: number;
  task: number;
  write: boolean;
  fd: number;
  off: number | null;
  /** Bytes asked for (the sum of the iovecs). */
  len: number;
  rwFlags: number;
}

/** One AIO iocb of an io_submit (index = its place in the array: io_submit may submit only a prefix). */
export interface AioIocbEntry {
  kind: "aio-iocb";
  cmd: number;
  task: number;
  ctx: number;
  index: number;
  /** User address of the iocb (the event's obj). */
  addr: number;
  opcode: string;
  fd: number;
  off: number;
  /** Bytes asked for (PREAD/PWRITE nbytes, or the iovecs' sum). */
  len: number;
  rwFlags: number;
}

/** An AIO event io_getevents returned. */
export interface AioEventEntry {
  kind: "aio-event";
  cmd: number;
  task: number;
  ctx: number;
  obj: number;
  res: number;
}

/** One SQE an io_uring_enter submitted (index: its place in that submission). */
export interface SqeEntry {
  kind: "sqe";
  cmd: number;
  task: number;
  ring: number;
  index: number;
  userData: string;
  opcode: string;
  fd: number;
  off: number;
  len: number;
  rwFlags: number;
}

/** A CQE the host reaped from a ring (cmd: the last command before the reap). */
export interface CqeEntry {
  kind: "cqe";
  cmd: number;
  task: number;
  ring: number;
  userData: string;
  res: number;
  flags: number;
  atNs: number;
}

/**
 * The bytes of a user read or write the host knows (a write's buffer as the
 * host filled it; a read's first `result` bytes, read back from the task
 * after it returned): `index` is the iocb or SQE index of command `cmd`
 * (0 for a read/write system call).
 */
export interface BytesEntry {
  kind: "bytes";
  cmd: number;
  task: number;
  index: number;
  data: Uint8Array;
}

export type JournalEntry = OpenEntry | RwEntry | AioIocbEntry | AioEventEntry | SqeEntry | CqeEntry | BytesEntry;
