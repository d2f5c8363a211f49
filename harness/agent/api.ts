// The scenario-facing API of the agent: run commands in agent tasks on the
// booted kernel and read back what the real kernel returned.
import type { Machine, RunLimits } from "../machine/machine.ts";
import type { AgentHost, CommandRecord } from "./host.ts";
import { AGENT_ASYNC, type AgentCommand } from "./protocol.ts";

export class AgentError extends Error {}
/** A command the kernel did not finish within the simulated time limit (the kernel hangs, or waits for something that never comes). */
export class AgentTimeout extends AgentError {}

/** Simulated time a command may take when its caller gives no limit. */
export const AGENT_WAIT_NS = 60e9;

export class Agent {
  private nextTask = 1;
  constructor(
    readonly machine: Machine,
    readonly host: AgentHost,
  ) {}

  /** Queues a command without waiting. */
  start(task: number, command: AgentCommand): CommandRecord {
    return this.host.queue(task, command);
  }

  /** Runs the machine until the command returned (and, with `completion`, completed); returns its value. */
  wait(rec: CommandRecord, o: { completion?: boolean; limits?: RunLimits } = {}): number {
    const outcome = this.machine.run(() => rec.returned !== null && (!o.completion || rec.completed !== null), o.limits ?? { untilNs: this.machine.clock.now + AGENT_WAIT_NS });
    if (outcome !== "done")
      throw new AgentTimeout(`agent task ${rec.task}: ${rec.command.op} did not ${rec.returned === null ? "return" : "complete"} within the time limit (simulated ${(this.machine.clock.now / 1e9).toFixed(3)} s)`);
    return o.completion ? rec.completed! : rec.returned!;
  }

  /** Runs one command on `task` and returns its result. */
  call(task: number, command: AgentCommand, limits?: RunLimits): number {
    return this.wait(this.start(task, command), { limits });
  }

  /** Like call(), but a negative result (an errno) throws. */
  ok(task: number, command: AgentCommand): number {
    const r = this.call(task, command);
    if (r < 0) throw new AgentError(`${command.op} ${command.path ?? command.fd ?? ""} failed: ${errnoName(r)}`);
    return r;
  }

  /** A new command-queue id (agent tasks and user tasks share the id space). */
  allocTaskId(): number {
    return this.nextTask++;
  }

  /** Creates an agent task (a kernel thread named `name`); returns its agent task id and kernel pid. */
  spawn(name: string, cpu?: number): { id: number; pid: number } {
    const id = this.allocTaskId();
    const pid = this.ok(0, { op: "SPAWN", fd: id, str: name });
    if (cpu !== undefined) this.ok(id, { op: "PIN_CPU", flags: cpu });
    return { id, pid };
  }

  /** Kernel memory for I/O buffers (page-aligned, zeroed). */
  alloc(task: number, len: number): number {
    return this.ok(task, { op: "ALLOC", len }) >>> 0;
  }

  writeMemory(addr: number, bytes: Uint8Array): void {
    new Uint8Array(this.machine.kernel.memory.buffer).set(bytes, addr);
  }

  readMemory(addr: number, len: number): Uint8Array {
    return new Uint8Array(this.machine.kernel.memory.buffer).slice(addr, addr + len);
  }

  /** An asynchronous read or write: queued, returns the record (returned = submit's value, completed = ki_complete's). */
  startAsync(task: number, rw: "READ" | "WRITE", fd: number, buf: number, len: number, off: number): CommandRecord {
    return this.start(task, { op: rw, fd, buf, len, off, flags: AGENT_ASYNC });
  }
}

const ERRNO: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 5: "EIO", 9: "EBADF", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 16: "EBUSY",
  17: "EEXIST", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 24: "EMFILE", 28: "ENOSPC", 95: "EOPNOTSUPP",
  529: "EIOCBQUEUED",
};

export function errnoName(v: number): string {
  return v < 0 ? `-${ERRNO[-v] ?? -v}` : String(v);
}
