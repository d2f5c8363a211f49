// The host side of the scenario agent: per-task command queues, the
// doorbell interrupt that wakes the agent tasks, and the results they
// report (the return value of every command and, for asynchronous reads
// and writes, the completion that ki_complete reported).
import type { Device, ImportImpl, MachinePort } from "../machine/machine.ts";
import type { JournalEntry } from "./journal.ts";
import { AGENT_ASYNC, CMD_SIZE, encodeCommand, type AgentCommand } from "./protocol.ts";

/** The most bytes of one READ/WRITE the host keeps for the data oracle (larger ones are not kept). */
export const DATA_CAPTURE_MAX_BYTES = 1 << 20;

export interface CommandRecord {
  id: number;
  task: number;
  command: AgentCommand;
  queuedNs: number;
  /** What the operation returned (event 0), when it has. */
  returned: number | null;
  returnedNs: number | null;
  /** The asynchronous completion (event 1), when it came. */
  completed: number | null;
  completedNs: number | null;
  /** For a system call with fail-nth: the count it left (0: the fault was injected), from event 2; absent otherwise. */
  failNthLeft?: number;
  /** How many times the completion was reported (ki_complete must run exactly once). */
  completions: number;
  /** CPU that reported each event. */
  cpus: number[];
  /** READ/WRITE: the bytes written (at queueing) or read (at the result), when not larger than DATA_CAPTURE_MAX_BYTES. */
  data?: Uint8Array;
}

/**
 * A run's fault-injection input: the n-th fault point (slab, page
 * allocation, usercopy) reached inside the k-th system call the run's user
 * tasks make (both 1-based; system calls counted from when the plan is set)
 * fails — the kernel's own fail-nth machinery (arch/wasm/agent/user.c).
 */
export interface FailNth {
  syscall: number;
  nth: number;
}

export class AgentHost implements Device {
  ready = false;
  records: CommandRecord[] = [];
  /** The fault to inject (a run input, replayed with the schedule), or null. */
  private failNth: FailNth | null = null;
  /** System calls fetched by user tasks since the plan was set. */
  private syscalls = 0;
  /** What the user layer noted about the commands (paths, ranges, iocbs, SQEs, CQEs): ./journal.ts. */
  journal: JournalEntry[] = [];
  private queues = new Map<number, number[]>();
  private port: MachinePort | null = null;

  imports(port: MachinePort): Record<string, ImportImpl> {
    this.port = port;
    return {
      host_agent_ready: () => {
        this.ready = true;
        return undefined;
      },
      host_agent_pending: (task: number) => ((this.queues.get(task)?.length ?? 0) > 0 ? 1 : 0),
      host_agent_fetch: (task: number, at: number) => {
        const q = this.queues.get(task);
        const id = q?.shift();
        if (id === undefined) return 0;
        let command = this.records[id - 1]!.command;
        if (command.op === "SYSCALL" && ++this.syscalls === this.failNth?.syscall && !command.mode) command = { ...command, mode: this.failNth.nth };
        encodeCommand(new Uint8Array(port.memory.buffer), at >>> 0, id, command);
        port.markDirty(at >>> 0, CMD_SIZE);
        return 1;
      },
      host_agent_report: (id: number, event: number, value: bigint) => {
        const r = this.records[id - 1];
        if (!r) throw new Error(`agent reported unknown command ${id}`);
        const v = Number(BigInt.asIntN(64, value));
        r.cpus.push(port.currentCpu());
        if (r.command.op === "READ" && v > 0 && event === ((r.command.flags ?? 0) & AGENT_ASYNC ? 1 : 0)) r.data = capture(port.memory, r.command.buf, v);
        if (event === 0) {
          r.returned = v;
          r.returnedNs = port.clock.now;
        } else if (event === 2) {
          r.failNthLeft = v;
        } else {
          r.completed = v;
          r.completedNs = port.clock.now;
          r.completions++;
        }
        return undefined;
      },
    };
  }

  /** Queues a command for agent task `task` and rings the doorbell (an interrupt on CPU 0). */
  queue(task: number, command: AgentCommand): CommandRecord {
    const port = this.port;
    if (!port) throw new Error("agent not attached to a machine");
    const rec: CommandRecord = {
      id: this.records.length + 1,
      task,
      command,
      queuedNs: port.clock.now,
      returned: null,
      returnedNs: null,
      completed: null,
      completedNs: null,
      completions: 0,
      cpus: [],
    };
    if (command.op === "WRITE") rec.data = capture(port.memory, command.buf, command.len);
    this.records.push(rec);
    const q = this.queues.get(task) ?? [];
    q.push(rec.id);
    this.queues.set(task, q);
    const doorbell = port.exports.wasm_agent_doorbell as () => void;
    port.raiseIrq(0, "doorbell", port.clock.now, () => doorbell());
    return rec;
  }

  /** Sets (or clears) the run's fail-nth input; system calls are counted from here. */
  setFailNth(plan: FailNth | null): void {
    if (plan && !(Number.isInteger(plan.syscall) && plan.syscall > 0 && Number.isInteger(plan.nth) && plan.nth > 0))
      throw new Error(`fail-nth plan ${JSON.stringify(plan)}: syscall and nth must be positive integers`);
    this.failNth = plan;
    this.syscalls = 0;
  }

  save(): unknown {
    return {
      ready: this.ready,
      records: this.records.map((r) => ({ ...r, cpus: [...r.cpus] })),
      queues: [...this.queues].map(([k, v]) => [k, [...v]]),
      journal: [...this.journal],
      failNth: this.failNth,
      syscalls: this.syscalls,
    };
  }

  /** Adds what the host learnt about command `cmd` (entries are immutable once added). */
  note(entry: JournalEntry): void {
    if (!this.records[entry.cmd - 1]) throw new Error(`journal entry for unknown command ${entry.cmd}`);
    this.journal.push(entry);
  }

  load(state: unknown): void {
    const s = state as { ready: boolean; records: CommandRecord[]; queues: [number, number[]][]; journal: JournalEntry[]; failNth: FailNth | null; syscalls: number };
    this.failNth = s.failNth;
    this.syscalls = s.syscalls;
    this.ready = s.ready;
    this.records = s.records.map((r) => ({ ...r, cpus: [...r.cpus] }));
    this.queues = new Map(s.queues.map(([k, v]) => [k, [...v]]));
    this.journal = [...s.journal];
  }
}

/** A copy of kernel memory [addr, addr + len), or undefined when too large or outside memory. */
function capture(memory: WebAssembly.Memory, addr: number | undefined, len: number | undefined): Uint8Array | undefined {
  if (addr === undefined || len === undefined || len <= 0 || len > DATA_CAPTURE_MAX_BYTES) return undefined;
  const at = addr >>> 0;
  if (at + len > memory.buffer.byteLength) return undefined;
  return new Uint8Array(memory.buffer, at, len).slice();
}
