// The host side of the scenario agent: per-task command queues, the
// doorbell interrupt that wakes the agent tasks, and the results they
// report (the return value of every command and, for asynchronous reads
// and writes, the completion that ki_complete reported).
import type { Device, ImportImpl, MachinePort } from "../machine/machine.ts";
import { CMD_SIZE, encodeCommand, type AgentCommand } from "./protocol.ts";

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
  /** How many times the completion was reported (ki_complete must run exactly once). */
  completions: number;
  /** CPU that reported each event. */
  cpus: number[];
}

export class AgentHost implements Device {
  ready = false;
  records: CommandRecord[] = [];
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
        encodeCommand(new Uint8Array(port.memory.buffer), at >>> 0, id, this.records[id - 1]!.command);
        port.markDirty(at >>> 0, CMD_SIZE);
        return 1;
      },
      host_agent_report: (id: number, event: number, value: bigint) => {
        const r = this.records[id - 1];
        if (!r) throw new Error(`agent reported unknown command ${id}`);
        const v = Number(BigInt.asIntN(64, value));
        r.cpus.push(port.currentCpu());
        if (event === 0) {
          r.returned = v;
          r.returnedNs = port.clock.now;
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
    this.records.push(rec);
    const q = this.queues.get(task) ?? [];
    q.push(rec.id);
    this.queues.set(task, q);
    const doorbell = port.exports.wasm_agent_doorbell as () => void;
    port.raiseIrq(0, "doorbell", port.clock.now, () => doorbell());
    return rec;
  }

  save(): unknown {
    return { ready: this.ready, records: this.records.map((r) => ({ ...r, cpus: [...r.cpus] })), queues: [...this.queues].map(([k, v]) => [k, [...v]]) };
  }

  load(state: unknown): void {
    const s = state as { ready: boolean; records: CommandRecord[]; queues: [number, number[]][] };
    this.ready = s.ready;
    this.records = s.records.map((r) => ({ ...r, cpus: [...r.cpus] }));
    this.queues = new Map(s.queues.map(([k, v]) => [k, [...v]]));
  }
}
