// What a scenario's set-up and run work with: the booted machine, the agent
// and the block device, plus helpers that keep scenarios short. Values the
// scenario records with observe() are what expectations check.
import type { Agent } from "../agent/api.ts";
import type { CommandRecord } from "../agent/host.ts";
import type { AgentCommand } from "../agent/protocol.ts";
import type { Booted } from "../boot/boot.ts";
import type { BlockDevice } from "../block/device.ts";
import type { Breakpoint, Machine, RunLimits, RunOutcome } from "../machine/machine.ts";
import { UserTask } from "../user/task.ts";

/** Open flags: one definition, the user ABI's. */
import { O } from "../user/abi.ts";
export { O };
export const EIOCBQUEUED = -529;

/** An agent task: its agent id (commands) and kernel pid (breakpoints, timelines). */
export interface Task {
  id: number;
  pid: number;
  name: string;
}

export class HangObserved extends Error {}

export class ScenarioContext {
  readonly values: Record<string, number | string | null> = {};
  readonly agent: Agent;
  readonly machine: Machine;
  readonly block: BlockDevice;
  /** The agent tasks, by agent id (0: PID 1). */
  readonly tasks: Task[] = [{ id: 0, pid: 1, name: "init" }];
  /** Simulated time a run may take before what it waits for counts as a hang. */
  hangAfterNs = 30e9;

  constructor(readonly booted: Booted) {
    this.agent = booted.agent;
    this.machine = booted.machine;
    this.block = booted.block;
  }

  observe(key: string, value: number | string | null): void {
    this.values[key] = value;
  }

  /** Runs one command on agent task 0 (PID 1) and requires success. */
  ok(command: AgentCommand, task = 0): number {
    return this.agent.ok(task, command);
  }

  call(command: AgentCommand, task = 0): number {
    return this.agent.call(task, command);
  }

  task(name: string, cpu?: number): Task {
    const t = { ...this.agent.spawn(name, cpu), name };
    this.tasks[t.id] = t;
    return t;
  }

  /** A user process (real system calls), named in hang reports like the agent's tasks. */
  userTask(name: string, cpu?: number): UserTask {
    const u = UserTask.spawn(this.agent, { name, cpu });
    this.tasks[u.id] = { id: u.id, pid: u.pid, name };
    return u;
  }

  /** A thread of user task `of` (shares its memory and descriptors; UserTask.thread). */
  userThread(of: UserTask, name: string, cpu?: number): UserTask {
    const u = of.thread({ name, cpu });
    this.tasks[u.id] = { id: u.id, pid: u.pid, name };
    return u;
  }

  mount(dev: string, dir: string, fstype: string, data?: string): void {
    this.call({ op: "MKDIR", path: dir, mode: 0o755 });
    this.ok({ op: "MOUNT", path: dev, path2: dir, str: fstype, data });
  }

  open(path: string, flags: number, mode = 0o644, task = 0): number {
    return this.ok({ op: "OPEN", path, flags, mode }, task);
  }

  /** Creates `path` with `bytes` at `off` (a buffered write), synced and closed; optionally its page cache dropped. */
  createFile(path: string, bytes: Uint8Array, o: { off?: number; dropCache?: boolean } = {}): void {
    const fd = this.open(path, O.RDWR | O.CREAT);
    this.ok({ op: "WRITE", fd, buf: this.buffer(bytes), len: bytes.length, off: o.off ?? 0 });
    this.ok({ op: "FSYNC", fd });
    if (o.dropCache) this.ok({ op: "DROP_CACHE", fd });
    this.ok({ op: "CLOSE", fd });
  }

  /** A zeroed kernel buffer filled with `bytes`. */
  buffer(bytes: Uint8Array, task = 0): number {
    const buf = this.agent.alloc(task, bytes.length);
    this.agent.writeMemory(buf, bytes);
    return buf;
  }

  start(task: Task | number, command: AgentCommand): CommandRecord {
    return this.agent.start(typeof task === "number" ? task : task.id, command);
  }

  /** Runs the machine until `until` holds; a time-out is recorded as a hang naming `what`. */
  runUntil(until: () => boolean, what: string, limits: RunLimits = {}): RunOutcome {
    const outcome = this.machine.run(until, { untilNs: this.machine.clock.now + this.hangAfterNs, ...limits });
    if (outcome === "time-limit") {
      const mine = this.machine.describeTasks().filter((l) => this.tasks.some((t) => l.includes(`[${t.pid}]:`)) || /^iou-|^kworker.*dio|^loop/.test(l));
      throw new HangObserved(`${what}: still waiting after ${(this.hangAfterNs / 1e9).toFixed(0)} s of simulated time${mine.length ? "\n  " + mine.join("\n  ") : ""}`);
    }
    return outcome;
  }

  /** Waits for a command's return (and completion for async ones). */
  wait(rec: CommandRecord, completion = false): number {
    this.runUntil(() => rec.returned !== null && (!completion || rec.completed !== null), `${rec.command.op} on agent task ${rec.task}${completion ? " (completion)" : ""}`);
    return completion ? rec.completed! : rec.returned!;
  }

  /** Parks `task`'s CPU at the first switch point inside kernel function `fn`. */
  breakAt(task: Task, fn: string): Breakpoint {
    const b: Breakpoint = { pid: task.pid, fn, hitCpu: null };
    this.machine.breakpoints.push(b);
    return b;
  }
}

/** A deterministic byte pattern (fill byte per 4 KiB block). */
export function blocks(...fill: number[]): Uint8Array {
  const b = new Uint8Array(fill.length * 4096);
  fill.forEach((f, i) => b.fill(f, i * 4096, (i + 1) * 4096));
  return b;
}
