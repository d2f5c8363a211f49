// The machine: simulated CPUs running the real kernel as Asyncify
// coroutines, with the arch interface's CPU, interrupt, lock, time and
// console imports. Devices (harness/block, harness/agent) plug in their own
// imports through `MachinePort`. One JS thread runs everything; every
// choice goes through the Scheduler, so the same build, inputs and
// decisions give the same run. The run loop and the import protocol are
// in ./core.ts; this file binds the imports (context switch, locks,
// devices), and holds task introspection, breakpoints and snapshots.
import { MachineCore } from "./core.ts";
import { HangError } from "./errors.ts";
import { wasmFrames } from "./stack.ts";
import { heldBy, tryLock, unlock } from "./locks.ts";
import { interesting } from "./breakpoints.ts";
import { describeCpus, describeTasks } from "./tasks.ts";
import { applyState, captureState, restoreMemory, STATE_VERSION, type MachineState, type StateParts } from "./snapshot.ts";
import { coreImports } from "./imports.ts";
import { importSlots } from "./dispatch.ts";
import { SUSPENDED } from "./types.ts";
import { restoreCheck } from "./dirty.ts";
import type { Breakpoint, Device, ImportImpl, ImportResult, LockMode, MachineOptions, MachinePort, PendingIrq, RunLimits, RunOutcome, TraceEvent } from "./types.ts";

export { SUSPENDED, interesting };
export type { Breakpoint, Device, ImportImpl, ImportResult, MachineOptions, MachinePort, MachineState, PendingIrq, RunLimits, RunOutcome, TraceEvent };

export class Machine extends MachineCore {
  // ------------------------------------------------------ introspection

  /** One line per online CPU: its contexts, interrupt flag and what it waits for; then pending interrupts. */
  describeCpus(): string[] {
    return describeCpus(this.view());
  }

  /** Every task off its CPU with where it sleeps (known for tasks that switched out while tracing). */
  describeTasks(): string[] {
    return describeTasks(this.view());
  }

  /** "comm[pid]" of a task_struct, read from kernel memory. */
  taskName(task: number): string {
    return this.layout.taskName(task);
  }

  /** Suspended tasks (not on a CPU) with their names. */
  suspendedTasks(): string[] {
    return [...this.tasks.keys()].map((t) => this.taskName(t));
  }

  /** The task running on a CPU (its current), from kernel memory. */
  currentTask(cpu: number): number {
    return this.layout.currentTask(cpu);
  }

  taskPid(task: number): number {
    return this.layout.taskPid(task);
  }

  // ------------------------------------------------------ breakpoints

  /** Lets a parked CPU run again. */
  unpark(cpu: number): void {
    const c = this.cpus[cpu]!;
    if (!c.parked) return;
    c.parked = false;
    if (this.trace) this.trace.push({ timeNs: this.clock.now, cpu, kind: "unpark", text: this.taskName(this.currentTask(cpu)) });
  }

  // ------------------------------------------------------ the imports

  private readonly impls = new Map<string, ImportImpl>();

  /** Binds the machine's own imports and the devices'. Called once, after construction. */
  attach(): void {
    const core = coreImports({
      memory: this.kernel.memory,
      module: this.kernel.module,
      console: this.console,
      clock: this.clock,
      cpu: () => this.cur!,
      cpus: this.cpus,
      halt: (e) => (this.halted = e),
      suspend: (resume, wait) => this.suspend(resume, wait),
      switchPoint: (reason) => this.switchPoint(reason),
      onlyChoice: () => this.choices(this.cur!).length === 1,
      advanceToNextEvent: () => this.advanceToNextEvent(this.limits.untilNs),
      switchTo: this.switchTo.bind(this),
      startCpu: (c, idle, sp) => c.stack.push(this.activation("task", `idle/${c.id}`, idle, sp, () => this.ex.wasm_secondary_start(c.id))),
      sendIpi: (cpu) => {
        if (!this.irqs.has(cpu, "ipi")) this.irqs.raise(cpu, "ipi", this.clock.now, () => this.ex.wasm_ipi_interrupt());
      },
      lock: this.lock.bind(this),
      tryLock: (addr, mode) => (this.markDirty(addr, 4), tryLock(this.mem32, addr, mode, this.cur!.id) ? 1 : 0),
      unlock: (addr, mode) => (this.markDirty(addr, 4), unlock(this.mem32, addr, mode)),
    });
    for (const [n, f] of Object.entries(core)) this.impls.set(n, f);
    const port = this.port();
    for (const d of this.devices)
      for (const [n, f] of Object.entries(d.imports(port))) {
        if (this.impls.has(n)) throw new Error(`host import ${n} implemented twice`);
        this.impls.set(n, f);
      }
    this.slots = importSlots(this.impls);
  }

  private port(): MachinePort {
    return {
      memory: this.kernel.memory,
      clock: this.clock,
      exports: this.kernel.exports,
      currentCpu: () => this.cur?.id ?? this.lastCpu,
      raiseIrq: (cpu, kind, due, entry, start) => this.irqs.raise(cpu, kind, due, entry, start),
      cpuCount: this.cpus.length,
      markDirty: (addr, len) => this.markDirty(addr, len),
    };
  }

  /** The host wrote kernel RAM [addr, addr + len) (every host write must say so: snapshots restore only written pages). */
  markDirty(addr: number, len: number): void {
    this.dirty?.mark(addr, len);
  }

  /** Names of the imports implemented (machine + devices). */
  implemented(): string[] {
    return [...this.impls.keys()];
  }

  private switchTo(prev: number, next: number, nextSp: number, prevDead: boolean): ImportResult {
    const cpu = this.cur!;
    if (cpu.stack.length !== 1) throw new Error(`context switch inside an interrupt on CPU ${cpu.id}`);
    const act = this.running!;
    act.task = prev;
    if (this.trace) {
      const where = interesting(wasmFrames(new Error()), 8);
      this.trace.push({ timeNs: this.clock.now, cpu: cpu.id, kind: "switch", text: `${this.taskName(prev)} -> ${this.taskName(next)}${prevDead ? " (exit)" : ""}`, where });
      this.blockedIn.set(prev, where);
    }
    this.afterUnwind = () => {
      cpu.stack.pop();
      if (prevDead) this.pool.release(act.buf);
      else this.tasks.set(prev, act);
      let nx = this.tasks.get(next);
      if (nx) {
        this.tasks.delete(next);
        nx.resume = { kind: "return", value: prev };
      } else {
        nx = this.activation("task", `task 0x${next.toString(16)}`, next, nextSp, () => this.ex.wasm_task_entry(prev));
      }
      cpu.stack.push(nx);
    };
    return this.suspend({ kind: "return", value: 0 });
  }

  private lock(addr: number, mode: LockMode): ImportResult {
    const cpu = this.cur!.id;
    this.markDirty(addr, 4);
    if (tryLock(this.mem32, addr, mode, cpu)) return undefined;
    if (heldBy(this.mem32, addr, mode, cpu))
      throw new HangError(`deadlock: CPU ${cpu} takes a ${mode} lock at 0x${addr.toString(16)} that it already holds`, wasmFrames(new Error()));
    return this.suspend({ kind: "retry" }, { kind: "lock", addr, mode });
  }

  // ------------------------------------------------------ snapshots

  private stateParts(): StateParts {
    return { cpus: this.cpus, tasks: this.tasks, irqs: this.irqs, clock: this.clock, pool: this.pool, console: this.console, devices: this.devices };
  }

  /** The whole machine at a quiescent point (between kernel contexts): RAM, CPUs, tasks, time, devices. */
  save(): MachineState {
    if (this.cur) throw new Error("snapshot while a CPU is running");
    const memory = new Uint8Array(this.kernel.memory.buffer).slice();
    this.dirty?.clear();
    this.baseline = memory;
    return captureState(this.stateParts(), { steps: this.steps, lastCpu: this.lastCpu, decisions: this.decisions, slice: this.slice.save() }, memory);
  }

  /**
   * Puts the machine back to a saved state (the same instance and module).
   * The snapshot the RAM last equalled is restored by its written pages
   * only; another one in full (`liveOnly`: see restoreMemory, for kernels
   * without the dirty-page map).
   */
  load(s: MachineState, o: { liveOnly?: boolean } = {}): void {
    if (s.version !== STATE_VERSION) throw new Error("snapshot from another machine version");
    if (this.dirty && this.baseline === s.memory) {
      this.dirty.restore(s.memory);
      if (restoreCheck.enabled) this.dirty.assertRestored(s.memory);
    } else {
      restoreMemory(new Uint8Array(this.kernel.memory.buffer), s.memory, this.pool, s.pool, !this.dirty && (o.liveOnly ?? false));
      this.dirty?.clear();
      this.baseline = this.dirty ? s.memory : null;
    }
    const counters = applyState(this.stateParts(), s);
    ({ steps: this.steps, lastCpu: this.lastCpu, decisions: this.decisions } = counters);
    this.slice.load(counters.slice);
    this.halted = null;
    this.nextChoice = null;
    this.consultStep = -1;
    this.breakpoints = [];
    this.blockedIn.clear();
    if (this.trace) this.trace = [];
  }
}
