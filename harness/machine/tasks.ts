// Task introspection: names and pids of task_structs read from kernel
// memory (offsets from wasm_task_layout), and the human-readable state of
// CPUs and sleeping tasks for hang reports.
import type { LoadedKernel } from "./loader.ts";
import { HangError } from "./errors.ts";
import type { IrqQueue } from "./interrupts.ts";
import { topOf, type Cpu, type SuspendedActivation } from "./types.ts";

export class TaskLayout {
  private readonly mem32: Int32Array;
  private readonly cpuCurrentAddr: number;
  /** offsetof(struct task_struct, comm / pid), from wasm_task_layout. */
  private readonly commOffset: number;
  private readonly pidOffset: number;
  private readonly utf8 = new TextDecoder();

  constructor(private readonly kernel: LoadedKernel) {
    this.mem32 = new Int32Array(kernel.memory.buffer);
    this.cpuCurrentAddr = kernel.address("wasm_cpu_current");
    const layout = kernel.address("wasm_task_layout") >> 2;
    this.commOffset = this.mem32[layout]! >>> 0;
    this.pidOffset = this.mem32[layout + 1]! >>> 0;
  }

  /** The task running on a CPU (its current), from kernel memory. */
  currentTask(cpu: number): number {
    return this.mem32[(this.cpuCurrentAddr >> 2) + cpu]! >>> 0;
  }

  taskPid(task: number): number {
    return this.mem32[(task + this.pidOffset) >> 2]!;
  }

  /** "comm[pid]" of a task_struct, read from kernel memory. */
  taskName(task: number): string {
    const bytes = new Uint8Array(this.kernel.memory.buffer, task + this.commOffset, 16);
    const end = bytes.indexOf(0);
    return `${this.utf8.decode(bytes.subarray(0, end < 0 ? 16 : end))}[${this.taskPid(task)}]`;
  }
}

/** What the descriptions read: the machine's CPUs, interrupts, suspended tasks and time. */
export interface MachineView {
  cpus: Cpu[];
  irqs: IrqQueue;
  tasks: Map<number, SuspendedActivation>;
  blockedIn: Map<number, string[]>;
  mem32: Int32Array;
  nowNs: number;
  steps: number;
  layout: TaskLayout;
}

/** One line per online CPU: its contexts, interrupt flag and what it waits for; then pending interrupts. */
export function describeCpus(m: MachineView): string[] {
  const out: string[] = [];
  for (const c of m.cpus) {
    if (!c.online) continue;
    const w = topOf(c)?.wait;
    out.push(
      `CPU ${c.id}: ${c.stack.map((a) => (a.kind === "task" && a.task ? m.layout.taskName(a.task) : a.label)).join(" > ") || "no context"}, interrupts ${c.irqOn ? "on" : "off"}, timer ${Number.isFinite(c.timerAt) ? `at ${c.timerAt} ns` : "off"}, ` +
        (c.parked ? "stalled by a breakpoint, " : "") +
        (w ? (w.kind === "idle" ? "idle" : `waiting for ${w.mode} lock at 0x${w.addr.toString(16)} (word 0x${(m.mem32[w.addr >> 2]! >>> 0).toString(16)})`) : "runnable"),
    );
  }
  for (const p of m.irqs.pending) out.push(`pending: ${p.kind} on CPU ${p.cpu}, due ${p.due} ns`);
  out.push(`time ${m.nowNs} ns, ${m.steps} switch points, ${m.tasks.size} suspended tasks`);
  return out;
}

/** Every task off its CPU with where it sleeps (known for tasks that switched out while tracing). */
export function describeTasks(m: MachineView): string[] {
  return [...m.tasks.keys()].map((t) => {
    const w = m.blockedIn.get(t);
    return `${m.layout.taskName(t)}: ${w?.length ? "sleeps in " + w.join(" < ") : "sleeping (stack not traced)"}`;
  });
}

/** Nothing can run and no event is due: why, with the CPUs' and (when traced) the tasks' state. */
export function hangError(m: MachineView, traced: boolean): HangError {
  const details = [...describeCpus(m), ...(traced ? describeTasks(m).filter((l) => !l.endsWith("(stack not traced)")) : [])];
  const spinning = m.cpus.some((c) => topOf(c)?.wait?.kind === "lock");
  const parked = m.cpus.some((c) => c.parked);
  return new HangError(
    spinning
      ? "deadlock: every CPU waits for a lock that no running CPU can release"
      : parked
        ? "nothing can run while a CPU stays stalled by a breakpoint"
        : "every CPU is idle and no timer, interrupt or I/O is pending",
    details,
  );
}
