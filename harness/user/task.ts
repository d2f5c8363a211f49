// User tasks: real processes on the booted kernel (user_mode_thread + exec
// through the agent's binfmt, each with its own mm), whose user program is
// the host. Every system call is a real one made in the task's context
// (kernel-src/arch/wasm/agent/user.c, arch/wasm/kernel/syscall.c), and user
// memory is read and written only through the task's page tables, so what
// is resident, what faults and what GUP pins is the real kernel's doing.
import type { Agent } from "../agent/api.ts";
import { AgentError, errnoName } from "../agent/api.ts";
import type { CommandRecord } from "../agent/host.ts";
import type { RunLimits } from "../machine/machine.ts";
import { register } from "./live.ts";
import { AT_FDCWD, CLONE_THREAD_FLAGS, IOVEC_SIZE, MAP, NR, PAGE_SIZE, PROT, PR_SET_NAME, isError, type SyscallName } from "./abi.ts";

export class UserError extends AgentError {
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

/** Kernel staging memory of a task for user-memory copies, unless the spawn asks otherwise. */
const STAGING_BYTES = 64 * 1024;

/** USER_READ / USER_WRITE / USER_TOUCH flags (user.c). */
const USER_NOFAULT = 1;
const USER_TOUCH_WRITE = 2;

export type SyscallArg = number | bigint;

export interface SpawnOptions {
  /** The task's comm (at most 15 bytes). */
  name?: string;
  /** Pin to one CPU (sched_setaffinity, a real system call). */
  cpu?: number;
  /** The agent task that makes the process (its parent); default 0, PID 1. */
  parent?: number;
  /** Kernel staging buffer for user-memory copies (default STAGING_BYTES, 64 KiB). */
  stagingBytes?: number;
}

export interface BufferOptions {
  /** Pages made resident before use by a write access (content kept): "all", "none" or page indexes. Default "all". */
  resident?: "all" | "none" | readonly number[];
  /** Extra mmap flags (MAP_POPULATE, ...); the mapping is private and anonymous. */
  flags?: number;
}

/** A range of a user task's memory. */
export interface UserBuffer {
  addr: number;
  len: number;
}

/** What the oracles' journal records about a read/write-family call (harness/agent/journal.ts). */
export interface RwNote {
  write: boolean;
  fd: number;
  off: number | bigint | null;
  len: number;
  rwFlags?: number;
}

export interface Iovec {
  addr: number;
  len: number;
}

export class UserTask {
  private constructor(
    readonly agent: Agent,
    /** The command queue its program reads (its thread pointer). */
    readonly id: number,
    readonly pid: number,
    readonly name: string,
    /** Kernel staging memory for copies to and from user memory. */
    private readonly staging: number,
    private readonly stagingBytes: number,
  ) {}

  /** Starts a user process running the host-driven program; returns when its program waits for commands. */
  static spawn(agent: Agent, o: SpawnOptions = {}): UserTask {
    const name = o.name ?? "user";
    const t = UserTask.made(agent, name, o, (id) => ({ pid: agent.ok(o.parent ?? 0, { op: "USER_SPAWN", fd: id, str: name }) }));
    if (o.cpu !== undefined) t.pin(o.cpu);
    return t;
  }

  /**
   * A thread of this process, made by the process itself the way libpthread
   * does (clone with CLONE_VM | CLONE_FILES | CLONE_THREAD | ... and
   * CLONE_SETTLS): it shares memory and descriptors (one struct file per
   * descriptor, seen by both), and its program waits on its own command
   * queue, the TLS value (kernel-src/arch/wasm/agent/user.c).
   */
  thread(o: Pick<SpawnOptions, "name" | "cpu" | "stagingBytes"> = {}): UserTask {
    const t = UserTask.made(this.agent, o.name ?? `${this.name}-thread`, o, (id) => {
      const made = this.start("clone", [CLONE_THREAD_FLAGS, 0, 0, 0, id]);
      const tid = this.agent.wait(made);
      if (isError(tid)) throw new UserError(`${this.name}[${this.pid}]: clone of a thread failed: ${errnoName(tid)}`, -tid);
      return { pid: tid, made };
    });
    if (o.name) t.rename(o.name);
    if (o.cpu !== undefined) t.pin(o.cpu);
    return t;
  }

  /**
   * A task's staging memory and command queue, the task `start` makes on
   * that queue (its pid, and the record that made it; default: the last),
   * then its first command and its registration as a live task.
   */
  private static made(agent: Agent, name: string, o: Pick<SpawnOptions, "stagingBytes">, start: (id: number) => { pid: number; made?: CommandRecord }): UserTask {
    const stagingBytes = o.stagingBytes ?? STAGING_BYTES;
    const staging = agent.alloc(0, stagingBytes);
    const id = agent.allocTaskId();
    const { pid, made } = start(id);
    const t = new UserTask(agent, id, pid, name, staging, stagingBytes);
    agent.ok(id, { op: "NOP" });
    register(agent, "task", made ?? agent.host.records[agent.host.records.length - 1]!, t);
    return t;
  }

  get machine() {
    return this.agent.machine;
  }

  // ------------------------------------------------------- system calls

  /** Queues a system call without waiting (for calls that block: run the machine, then look at the record). */
  start(call: SyscallName | number, args: readonly SyscallArg[] = [], repeat = 1, failNth = 0): CommandRecord {
    const nr = typeof call === "number" ? call : NR[call];
    if (failNth && repeat !== 1) throw new Error("fail-nth applies to one system call, not a repeated one");
    return this.agent.start(this.id, { op: "SYSCALL", flags: nr, args, len: repeat, mode: failNth });
  }

  /**
   * Makes a system call in which the `nth` fault point (slab, page
   * allocation, usercopy) this task reaches fails (the kernel's fail-nth;
   * needs the debug kernel and enableFailNth()). `injected`: the call reached
   * that many fault points, so the fault happened.
   */
  syscallFailNth(call: SyscallName | number, args: readonly SyscallArg[], nth: number, limits?: RunLimits): { result: number; injected: boolean } {
    if (!(Number.isInteger(nth) && nth > 0)) throw new Error(`fail-nth ${nth}: must be a positive integer`);
    const rec = this.start(call, args, 1, nth);
    const result = this.agent.wait(rec, { limits });
    if (rec.failNthLeft === undefined) throw new UserError(`${this.name}: this kernel has no fault injection (build it with --debug)`, 95);
    return { result, injected: rec.failNthLeft === 0 };
  }

  /** Makes a system call in this task and returns its result (a negative errno on failure). */
  syscall(call: SyscallName | number, args: readonly SyscallArg[] = [], limits?: RunLimits): number {
    return this.agent.wait(this.start(call, args), { limits });
  }

  /** Like syscall(), but an error result throws. */
  sys(call: SyscallName | number, ...args: SyscallArg[]): number {
    const r = this.syscall(call, args);
    if (isError(r)) throw new UserError(`${this.name}[${this.pid}]: ${typeof call === "number" ? `syscall ${call}` : call} failed: ${errnoName(r)}`, -r);
    return r;
  }

  /** The same system call `count` times inside the task (a user-space loop); returns the last result. */
  repeat(call: SyscallName | number, args: readonly SyscallArg[], count: number): number {
    return this.agent.wait(this.start(call, args, count));
  }

  // ------------------------------------------------------- user memory

  /** Copies bytes into the task's memory (copy_to_user in the task: faults are the kernel's). */
  writeUser(addr: number, bytes: Uint8Array): void {
    for (let done = 0; done < bytes.length; ) {
      const n = Math.min(this.stagingBytes, bytes.length - done);
      this.agent.writeMemory(this.staging, bytes.subarray(done, done + n));
      const left = this.agent.call(this.id, { op: "USER_WRITE", buf: this.staging, off: addr + done, len: n });
      if (left !== 0) throw new UserError(`${this.name}: write of ${n} bytes at 0x${(addr + done).toString(16)} faulted (${left} not copied)`, 14);
      done += n;
    }
  }

  /** Reads the task's memory; with `nofault`, page faults are disabled and a missing page fails. */
  readUser(addr: number, len: number, o: { nofault?: boolean } = {}): Uint8Array {
    const r = this.tryReadUser(addr, len, o);
    if (r.notCopied) throw new UserError(`${this.name}: read of ${len} bytes at 0x${addr.toString(16)} faulted (${r.notCopied} not copied)`, 14);
    return r.data;
  }

  /** readUser() that reports how many bytes could not be copied instead of throwing. */
  tryReadUser(addr: number, len: number, o: { nofault?: boolean } = {}): { data: Uint8Array; notCopied: number } {
    const out = new Uint8Array(len);
    for (let done = 0; done < len; ) {
      const n = Math.min(this.stagingBytes, len - done);
      const left = this.agent.call(this.id, { op: "USER_READ", buf: this.staging, off: addr + done, len: n, flags: o.nofault ? USER_NOFAULT : 0 });
      out.set(this.agent.readMemory(this.staging, n - left), done);
      if (left !== 0) return { data: out.subarray(0, done + n - left), notCopied: len - done - (n - left) };
      done += n;
    }
    return { data: out, notCopied: 0 };
  }

  /** One access to each page of the range (a write access keeps the content); returns the pages accessed or throws. */
  touch(addr: number, len: number, o: { write?: boolean; nofault?: boolean } = {}): number {
    const r = this.agent.call(this.id, { op: "USER_TOUCH", off: addr, len, flags: ((o.write ?? true) ? USER_TOUCH_WRITE : 0) | (o.nofault ? USER_NOFAULT : 0) });
    if (r < 0) throw new UserError(`${this.name}: touching 0x${addr.toString(16)}+${len} faulted`, -r);
    return r;
  }

  readU32(addr: number): number {
    return new DataView(this.readUser(addr, 4).buffer).getUint32(0, true);
  }

  writeU32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.writeUser(addr, b);
  }

  // ------------------------------------------------------- mappings

  mmap(len: number, o: { prot?: number; flags?: number; fd?: number; offset?: number; addr?: number } = {}): number {
    const off = o.offset ?? 0;
    if (off % PAGE_SIZE) throw new Error("mmap offset must be page-aligned");
    const r = this.sys("mmap2", o.addr ?? 0, len, o.prot ?? PROT.READ | PROT.WRITE, o.flags ?? MAP.PRIVATE | MAP.ANONYMOUS, o.fd ?? -1, off / PAGE_SIZE);
    return r >>> 0;
  }

  munmap(addr: number, len: number): void {
    this.sys("munmap", addr, len);
  }

  madvise(addr: number, len: number, advice: number): void {
    this.sys("madvise", addr, len, advice);
  }

  /** Which pages of the range are resident (mincore, the kernel's own answer). */
  residency(addr: number, len: number): boolean[] {
    const pages = Math.ceil(((addr % PAGE_SIZE) + len) / PAGE_SIZE);
    const vec = this.alloc(pages);
    this.sys("mincore", addr - (addr % PAGE_SIZE), len + (addr % PAGE_SIZE), vec);
    return [...this.readUser(vec, pages)].map((b) => (b & 1) === 1);
  }

  /** An anonymous private mapping of `len` bytes with the chosen pages resident. */
  buffer(len: number, o: BufferOptions = {}): UserBuffer {
    const addr = this.mmap(len, { flags: MAP.PRIVATE | MAP.ANONYMOUS | (o.flags ?? 0) });
    const pages = Math.ceil(len / PAGE_SIZE);
    const resident = o.resident ?? "all";
    const list = resident === "all" ? [...Array(pages).keys()] : resident === "none" ? [] : resident;
    for (const p of list) {
      if (p < 0 || p >= pages) throw new Error(`page ${p} is outside a ${pages}-page buffer`);
      this.touch(addr + p * PAGE_SIZE, 1);
    }
    return { addr, len };
  }

  /**
   * Task memory for system call arguments (paths, structs), zero-filled. The
   * program keeps its heap in the task (user.c), so a snapshot restores it
   * together with the kernel.
   */
  alloc(len: number, align = 8): number {
    return this.put(new Uint8Array(Math.max(len, 1)), align);
  }

  /** Places bytes in fresh task heap memory; returns their address. */
  put(bytes: Uint8Array, align = 8): number {
    if (bytes.length > this.stagingBytes) {
      const at = this.mmap(bytes.length);
      this.writeUser(at, bytes);
      return at;
    }
    this.agent.writeMemory(this.staging, bytes);
    const r = this.agent.call(this.id, { op: "USER_PUT", buf: this.staging, len: bytes.length, flags: align });
    if (isError(r)) throw new UserError(`${this.name}: no heap for ${bytes.length} bytes: ${errnoName(r)}`, -r);
    return r >>> 0;
  }

  putString(s: string): number {
    const b = new TextEncoder().encode(s + "\0");
    return this.put(b, 1);
  }

  /** An iovec array in task memory. */
  putIovecs(iovs: readonly Iovec[]): number {
    const b = new Uint8Array(iovs.length * IOVEC_SIZE);
    const dv = new DataView(b.buffer);
    iovs.forEach((v, i) => {
      dv.setUint32(i * IOVEC_SIZE, v.addr, true);
      dv.setUint32(i * IOVEC_SIZE + 4, v.len, true);
    });
    return this.put(b);
  }

  // ------------------------------------------------------- files

  open(path: string, flags: number, mode = 0o644): number {
    const rec = this.start("openat", [AT_FDCWD, this.putString(path), flags, mode]);
    this.agent.note({ kind: "open", cmd: rec.id, task: this.id, path, flags });
    const r = this.agent.wait(rec);
    if (isError(r)) throw new UserError(`${this.name}[${this.pid}]: openat ${path} failed: ${errnoName(r)}`, -r);
    return r;
  }

  /** A read/write-family call, noted with its range for the oracles (harness/agent/journal.ts). */
  private rw(call: SyscallName, args: readonly SyscallArg[], e: RwNote): number {
    return this.agent.wait(this.startRw(call, args, e));
  }

  /** A read/write-family call queued without waiting, noted for the oracles like rw(); `failNth` as start()'s. */
  startRw(call: SyscallName, args: readonly SyscallArg[], e: RwNote, failNth = 0): CommandRecord {
    const rec = this.start(call, args, 1, failNth);
    this.agent.note({ kind: "rw", cmd: rec.id, task: this.id, write: e.write, fd: e.fd, off: e.off === null ? null : Number(e.off), len: e.len, rwFlags: e.rwFlags ?? 0 });
    return rec;
  }

  /** preadv2/pwritev2 arguments: the position as two words, then the RWF_* flags. */
  rwv2Args(fd: number, iovs: readonly Iovec[], off: number, rwFlags: number): SyscallArg[] {
    return [fd, this.putIovecs(iovs), iovs.length, off % 2 ** 32, Math.floor(off / 2 ** 32), rwFlags];
  }

  close(fd: number): void {
    this.sys("close", fd);
  }

  pread(fd: number, addr: number, len: number, off: number | bigint): number {
    return this.rw("pread64", [fd, addr, len, off], { write: false, fd, off, len });
  }

  pwrite(fd: number, addr: number, len: number, off: number | bigint): number {
    return this.rw("pwrite64", [fd, addr, len, off], { write: true, fd, off, len });
  }

  readFd(fd: number, addr: number, len: number): number {
    return this.rw("read", [fd, addr, len], { write: false, fd, off: null, len });
  }

  writeFd(fd: number, addr: number, len: number): number {
    return this.rw("write", [fd, addr, len], { write: true, fd, off: null, len });
  }

  /** preadv/pwritev: the 32-bit calls take the position as two words. */
  preadv(fd: number, iovs: readonly Iovec[], off: number): number {
    return this.rw("preadv", [fd, this.putIovecs(iovs), iovs.length, off % 2 ** 32, Math.floor(off / 2 ** 32)], { write: false, fd, off, len: iovBytes(iovs) });
  }

  pwritev(fd: number, iovs: readonly Iovec[], off: number): number {
    return this.rw("pwritev", [fd, this.putIovecs(iovs), iovs.length, off % 2 ** 32, Math.floor(off / 2 ** 32)], { write: true, fd, off, len: iovBytes(iovs) });
  }

  fsync(fd: number): number {
    return this.syscall("fsync", [fd]);
  }

  fdatasync(fd: number): number {
    return this.syscall("fdatasync", [fd]);
  }

  ftruncate(fd: number, len: number | bigint): number {
    return this.syscall("ftruncate64", [fd, len]);
  }

  fallocate(fd: number, mode: number, off: number | bigint, len: number | bigint): number {
    return this.syscall("fallocate", [fd, mode, off, len]);
  }

  // ------------------------------------------------------- the process

  /** Restricts the task to one CPU (sched_setaffinity). */
  pin(cpu: number): void {
    const mask = new Uint8Array(4);
    new DataView(mask.buffer).setUint32(0, 1 << cpu, true);
    this.sys("sched_setaffinity", 0, 4, this.put(mask));
  }

  /** prctl(PR_SET_NAME). */
  rename(name: string): void {
    this.sys("prctl", PR_SET_NAME, this.putString(name));
  }
}

/** Bytes an iovec array describes. */
export function iovBytes(iovs: readonly Iovec[]): number {
  return iovs.reduce((n, v) => n + v.len, 0);
}
