// A workload as text, and back: the printed form is what a report shows
// and what `--workload` takes, and parse(print(w)) is w. One line per
// part, for example:
//   fs ext4-noextents, file written 16384
//   task: pwrite D 4096+4096; aio D [w 0+4096, r 4096+512 nowait]; fsync
//   task: uring D [r 0+8192 nowait]; pread B 0+4096 fresh
//   fault: write#2 IOERR irq
// D and B are the task's O_DIRECT and buffered descriptors, A its
// O_DIRECT | O_APPEND one (writes land at i_size), S its O_DIRECT | O_DSYNC
// one (every write syncs); a request's `nowait` and
// `dsync` are RWF_NOWAIT and RWF_DSYNC; `fresh`: the buffer's
// pages were never touched, `mapped`: a write's buffer is the file itself
// mmapped at the op's offset; off+len in
// bytes; `iovN` splits a buffer into N iovecs, `scatter` makes one iovec
// per sector, each on its own page; `uring D poll [...]` runs on
// the task's polled ring; a trailing `failN` makes the op's first system
// call fail its n-th fault point (fail-nth). `fs bdev, file written 16384`
// is the raw block device of 16384 bytes as the target, `fs loop, file
// hole 16384` a loop device (direct I/O) over a file of 16384 bytes in that
// state on ext4; `freeze` freezes the file's filesystem and thaws it. A
// `thread:` line is a task that is a thread of the first one: it uses that
// task's descriptors (the same open files) and memory.
import {
  checkWorkload, FALLOC_MODES, GEN_FS, PRE_STATES, RWF_NAMES, type BioFault, type FallocMode, type FdKind, type GenFs, type Op, type PreState, type Request, type RwfName, type Workload,
} from "./workload.ts";

export class WorkloadSyntaxError extends Error {}

const FD_NAMES: Record<FdKind, string> = { direct: "D", buffered: "B", append: "A", dsync: "S" };
const fdName = (fd: FdKind) => FD_NAMES[fd];
const ext = (e: { off: number; len: number }) => `${e.off}+${e.len}`;

function reqText(r: Request): string {
  return `${r.write ? "w" : "r"} ${ext(r)}${r.nowait ? " nowait" : ""}${r.dsync ? " dsync" : ""}`;
}

export function opText(op: Op): string {
  return op.fail === undefined ? bodyText(op) : `${bodyText(op)} fail${op.fail}`;
}

function bodyText(op: Op): string {
  switch (op.k) {
    case "pread":
    case "pwrite":
    case "preadv2":
    case "pwritev2": {
      const flags = op.k === "preadv2" || op.k === "pwritev2" ? op.rwf : [];
      const extra = [op.iov > 1 ? `iov${op.iov}` : "", op.scatter ? "scatter" : "", op.fresh ? "fresh" : "", op.mapped ? "mapped" : "", flags.length ? flags.join(",") : ""].filter(Boolean);
      return [op.k, fdName(op.fd), ext(op), ...extra].join(" ");
    }
    case "aio":
    case "uring":
      return `${op.k} ${fdName(op.fd)}${op.k === "uring" && op.poll ? " poll" : ""} [${op.reqs.map(reqText).join(", ")}]`;
    case "fsync":
    case "fdatasync":
      return op.k;
    case "ftruncate":
      return `ftruncate ${op.size}`;
    case "fallocate":
      return `fallocate ${op.mode} ${ext(op)}`;
    case "freeze":
      return "freeze";
  }
}

export function faultText(f: BioFault): string {
  return `${f.op}#${f.nth} ${f.status} ${f.when}${f.wait ? " wait" : ""}`;
}

/** The workload's text (lines joined by "\n"). */
export function printWorkload(w: Workload): string {
  return [
    `fs ${w.fs}, file ${w.pre} ${w.size}`,
    ...w.tasks.map((t) => `${t.thread ? "thread" : "task"}: ${t.ops.map(opText).join("; ")}`),
    ...(w.faults.length ? [`fault: ${w.faults.map(faultText).join("; ")}`] : []),
  ].join("\n");
}

// ------------------------------------------------------------ parsing

function int(s: string | undefined, what: string): number {
  if (s === undefined || !/^\d+$/.test(s)) throw new WorkloadSyntaxError(`${what}: "${s ?? ""}" is not a number`);
  return Number(s);
}

function extent(s: string | undefined, what: string): { off: number; len: number } {
  const m = /^(\d+)\+(\d+)$/.exec(s ?? "");
  if (!m) throw new WorkloadSyntaxError(`${what}: "${s ?? ""}" is not off+len`);
  return { off: Number(m[1]), len: Number(m[2]) };
}

function fdOf(s: string | undefined, what: string): FdKind {
  const k = (Object.keys(FD_NAMES) as FdKind[]).find((x) => FD_NAMES[x] === s);
  if (!k) throw new WorkloadSyntaxError(`${what}: descriptor "${s ?? ""}" is not D, B or A`);
  return k;
}

function request(s: string, what: string): Request {
  const w = s.trim().split(/\s+/);
  if (w[0] !== "r" && w[0] !== "w") throw new WorkloadSyntaxError(`${what}: request "${s}" is not "r off+len" or "w off+len"`);
  const flags = w.slice(2);
  const order = ["nowait", "dsync"];
  if (flags.some((f, i) => !order.includes(f) || (i > 0 && order.indexOf(f) <= order.indexOf(flags[i - 1]!))))
    throw new WorkloadSyntaxError(`${what}: request "${s}": only "nowait", then "dsync", may follow`);
  const r: Request = { write: w[0] === "w", ...extent(w[1], what), nowait: flags.includes("nowait") };
  return flags.includes("dsync") ? { ...r, dsync: true } : r;
}

function rwOp(k: "pread" | "pwrite" | "preadv2" | "pwritev2", words: string[], what: string): Op {
  let iov = 1, fresh = false, mapped = false, scatter = false;
  let rwf: RwfName[] = [];
  for (const x of words.slice(3)) {
    if (/^iov\d+$/.test(x)) iov = Number(x.slice(3));
    else if (x === "scatter") scatter = true;
    else if (x === "fresh") fresh = true;
    else if (x === "mapped") mapped = true;
    else if ((k === "preadv2" || k === "pwritev2") && x.split(",").every((f) => (RWF_NAMES as readonly string[]).includes(f))) rwf = x.split(",") as RwfName[];
    else throw new WorkloadSyntaxError(`${what}: unknown word "${x}"`);
  }
  const base = { fd: fdOf(words[1], what), ...extent(words[2], what), iov, fresh, ...(mapped ? { mapped } : {}), ...(scatter ? { scatter } : {}) };
  return k === "preadv2" || k === "pwritev2" ? { k, ...base, rwf } : { k, ...base };
}

export function parseOp(text: string): Op {
  const what = `operation "${text.trim()}"`;
  const failed = /^(.*\S)\s+fail(\d+)$/.exec(text.trim());
  const op = parseBody(failed ? failed[1]! : text.trim(), what);
  return failed ? { ...op, fail: int(failed[2], what) } : op;
}

function parseBody(text: string, what: string): Op {
  const multi = /^(aio|uring)\s+([DBAS])(\s+poll)?\s+\[(.*)\]$/.exec(text);
  if (multi) {
    const k = multi[1] as "aio" | "uring";
    if (multi[3] && k !== "uring") throw new WorkloadSyntaxError(`${what}: only io_uring has a polled ring`);
    const reqs = multi[4]!.split(",").map((r) => request(r, what));
    return k === "uring" && multi[3] ? { k, fd: fdOf(multi[2], what), reqs, poll: true } : { k, fd: fdOf(multi[2], what), reqs };
  }
  const w = text.split(/\s+/);
  const k = w[0];
  const arity = (n: number) => {
    if (w.length !== n) throw new WorkloadSyntaxError(`${what}: ${n - 1} argument(s) expected`);
  };
  switch (k) {
    case "pread":
    case "pwrite":
    case "preadv2":
    case "pwritev2":
      return rwOp(k, w, what);
    case "fsync":
    case "fdatasync":
    case "freeze":
      arity(1);
      return { k };
    case "ftruncate":
      arity(2);
      return { k, size: int(w[1], what) };
    case "fallocate":
      arity(3);
      if (!(FALLOC_MODES as readonly string[]).includes(w[1]!)) throw new WorkloadSyntaxError(`${what}: mode "${w[1]}" (one of ${FALLOC_MODES.join(", ")})`);
      return { k, mode: w[1] as FallocMode, ...extent(w[2], what) };
    default:
      throw new WorkloadSyntaxError(`${what}: unknown operation "${k}"`);
  }
}

function parseFault(text: string): BioFault {
  const m = /^(read|write)#(\d+)\s+(IOERR|AGAIN)\s+(now|irq)(\s+wait)?$/.exec(text.trim());
  if (!m) throw new WorkloadSyntaxError(`fault "${text.trim()}" is not "read|write#N IOERR|AGAIN now|irq [wait]"`);
  const f: BioFault = { op: m[1] as "read" | "write", nth: Number(m[2]), status: m[3] as "IOERR" | "AGAIN", when: m[4] as "now" | "irq" };
  return m[5] ? { ...f, wait: true } : f;
}

/** Parses a workload's text (lines or "|"-separated, as on a command line); checks it. */
export function parseWorkload(text: string): Workload {
  const lines = text.split(/\n|\|/).map((l) => l.trim()).filter(Boolean);
  const head = /^fs\s+(\S+),\s*file\s+(\S+)\s+(\d+)$/.exec(lines[0] ?? "");
  if (!head) throw new WorkloadSyntaxError(`first line "${lines[0] ?? ""}" is not "fs <kind>, file <state> <size>"`);
  if (!(GEN_FS as readonly string[]).includes(head[1]!)) throw new WorkloadSyntaxError(`filesystem "${head[1]}" (one of ${GEN_FS.join(", ")})`);
  if (!(PRE_STATES as readonly string[]).includes(head[2]!)) throw new WorkloadSyntaxError(`file state "${head[2]}" (one of ${PRE_STATES.join(", ")})`);
  const w: Workload = { fs: head[1] as GenFs, pre: head[2] as PreState, size: Number(head[3]), tasks: [], faults: [] };
  for (const l of lines.slice(1)) {
    const m = /^(task|thread|fault):\s*(.*)$/.exec(l);
    if (!m) throw new WorkloadSyntaxError(`line "${l}" is neither "task: ...", "thread: ..." nor "fault: ..."`);
    const parts = m[2]!.split(";").filter((p) => p.trim());
    if (m[1] === "task") w.tasks.push({ ops: parts.map(parseOp) });
    else if (m[1] === "thread") w.tasks.push({ ops: parts.map(parseOp), thread: true });
    else w.faults.push(...parts.map(parseFault));
  }
  try {
    checkWorkload(w);
  } catch (e) {
    throw new WorkloadSyntaxError((e as Error).message);
  }
  return w;
}
