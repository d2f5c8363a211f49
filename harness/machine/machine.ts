// The machine: simulated CPUs running the real kernel as Asyncify
// coroutines, with the arch interface's CPU, interrupt, lock, time and
// console imports. Devices (harness/block, harness/agent) plug in their own
// imports through `MachinePort`. One JS thread runs everything; every
// choice goes through the Scheduler, so the same build, inputs and
// decisions give the same run. This file is the run loop and the import
// protocol; locks, interrupts and timers, breakpoints, task introspection
// and snapshots have their own modules.
import type { LoadedKernel } from "./loader.ts";
import { ASYNCIFY_UNWINDING, BufferPool, startUnwind, type AsyncifyExports, type ResumeAction } from "./coroutines.ts";
import { SimClock } from "./clock.ts";
import { ConsoleLog } from "./console.ts";
import { BudgetExceeded, HangError, KernelTrap, MachineError, MachineHalted } from "./errors.ts";
import { RunToBlock, type Choice, type Decision, type Scheduler, type SwitchPoint } from "./scheduler.ts";
import { wasmFrames } from "./stack.ts";
import { heldBy, tryLock, unlock } from "./locks.ts";
import { choicesAt, hasAlternative } from "./choices.ts";
import { anyIrqDue, IrqQueue, materializeTimers, nextEventNs } from "./interrupts.ts";
import { armedFor, hitBy, interesting } from "./breakpoints.ts";
import { describeCpus, describeTasks, hangError, TaskLayout, type MachineView } from "./tasks.ts";
import { applyState, captureState, restoreMemory, STATE_VERSION, type MachineState, type StateParts } from "./snapshot.ts";
import { coreImports } from "./imports.ts";
import { importSlots, type ImportSlot, type ImportTarget } from "./dispatch.ts";
import { SUSPENDED, topOf } from "./types.ts";
import { DirtyMap, restoreCheck } from "./dirty.ts";
import { Slice } from "./fairness.ts";
import type { Breakpoint, Cpu, Device, ImportImpl, ImportResult, LockMode, MachineOptions, MachinePort, PendingIrq, RunLimits, RunOutcome, SuspendedActivation, TraceEvent, Wait } from "./types.ts";

export { SUSPENDED, interesting };
export type { Breakpoint, Device, ImportImpl, ImportResult, MachineOptions, MachinePort, MachineState, PendingIrq, RunLimits, RunOutcome, TraceEvent };

interface KernelExports extends AsyncifyExports {
  wasm_start_kernel(): void;
  wasm_task_entry(prev: number): void;
  wasm_secondary_start(cpu: number): void;
  wasm_timer_interrupt(): void;
  wasm_ipi_interrupt(): void;
  __stack_pointer: WebAssembly.Global;
}

export class Machine implements ImportTarget {
  readonly clock: SimClock;
  readonly console = new ConsoleLog();
  readonly cpus: Cpu[] = [];
  scheduler: Scheduler;
  /** Every non-zero decision of this run (with the scheduler's preemptive flag, a replayable schedule). */
  decisions: Decision[] = [];
  steps = 0;
  halted: MachineHalted | null = null;
  /** Armed breakpoints (checked at every switch point while any is armed). */
  breakpoints: Breakpoint[] = [];
  /** The event log, when enabled (null: off). */
  trace: TraceEvent[] | null = null;
  /** While tracing: where each task last left its CPU (kernel functions, innermost first) — hang reports. */
  readonly blockedIn = new Map<number, string[]>();

  private readonly ex: KernelExports;
  private readonly mem32: Int32Array;
  private readonly pool: BufferPool;
  private readonly bufferBytes: number;
  private readonly tasks = new Map<number, SuspendedActivation>();
  private readonly irqs = new IrqQueue();
  private readonly layout: TaskLayout;
  private cur: Cpu | null = null;
  private running: SuspendedActivation | null = null;
  private rewinding = false;
  private afterUnwind: (() => void) | null = null;
  private nextChoice: Choice | null = null;
  private lastCpu = 0;
  private limits: RunLimits = {};
  /** The running CPU's stretch of switch points (fairness between CPUs: ./fairness.ts). */
  private readonly slice = new Slice();
  private readonly thisCpuAddr: number;
  private readonly devices: Device[];
  /** Pages written since the RAM last equalled `baseline` (kernels built with the dirty-page pass). */
  private readonly dirty: DirtyMap | null = null;
  private baseline: Uint8Array | null = null;

  constructor(
    readonly kernel: LoadedKernel,
    readonly opts: MachineOptions = {},
  ) {
    this.ex = kernel.exports as unknown as KernelExports;
    this.mem32 = new Int32Array(kernel.memory.buffer);
    this.clock = new SimClock(opts.clock);
    this.scheduler = opts.scheduler ?? new RunToBlock();
    this.devices = opts.devices ?? [];
    this.bufferBytes = opts.asyncifyBufferBytes ?? 8192;
    const count = opts.asyncifyBuffers ?? 512;
    const reserved = this.bufferBytes * count;
    const ramEnd = kernel.memory.buffer.byteLength;
    // The dirty map takes the top Asyncify buffers' place: the kernel's RAM stays the same.
    const mapGlobal = DirtyMap.globalOf(kernel.exports);
    const mapBuffers = mapGlobal ? Math.ceil(DirtyMap.bytesFor(ramEnd) / this.bufferBytes) : 0;
    this.pool = new BufferPool(ramEnd - reserved, this.bufferBytes, count - mapBuffers);
    if (mapGlobal) this.dirty = new DirtyMap(kernel.memory, mapGlobal, ramEnd - mapBuffers * this.bufferBytes);
    this.thisCpuAddr = kernel.address("wasm_this_cpu");
    this.layout = new TaskLayout(kernel);
    this.mem32[kernel.address("wasm_host_reserved") >> 2] = reserved;
    const ncpu = opts.cpus ?? 2;
    this.mem32[kernel.address("wasm_nr_cpus") >> 2] = ncpu;
    const cmdline = new TextEncoder().encode((opts.cmdline ?? "") + "\0");
    new Uint8Array(kernel.memory.buffer).set(cmdline, kernel.address("wasm_boot_cmdline"));
    for (let id = 0; id < ncpu; id++) this.cpus.push({ id, online: false, stack: [], irqOn: false, irqSaved: [], timerAt: Infinity, parked: false });
  }

  // ---------------------------------------------------------------- boot

  /** Starts CPU 0 at wasm_start_kernel on init_stack. */
  powerOn(): void {
    const cpu0 = this.cpus[0]!;
    cpu0.online = true;
    const sp = this.mem32[this.kernel.address("wasm_init_sp") >> 2]! >>> 0;
    cpu0.stack.push(this.activation("task", "boot", 0, sp, () => this.ex.wasm_start_kernel()));
  }

  // ------------------------------------------------------------ run loop

  /** Runs until `until()` holds (checked between kernel contexts), the time limit, or an error. */
  run(until: () => boolean, limits: RunLimits = {}): RunOutcome {
    this.limits = limits;
    for (;;) {
      if (this.halted) throw this.halted;
      if (until()) return "done";
      if (limits.untilNs !== undefined && this.clock.now > limits.untilNs) return "time-limit";
      let choice = this.nextChoice;
      this.nextChoice = null;
      if (!choice) {
        const choices = this.choices(null);
        if (choices.length === 0) {
          if (limits.stopWhenQuiescent && this.irqs.pending.length === 0) return "quiescent";
          if (!this.advanceToNextEvent(limits.untilNs)) throw hangError(this.view(), this.trace !== null);
          continue;
        }
        choice = choices[this.decide({ step: this.steps, cpu: null, reason: "blocked", yielding: false }, choices)]!;
      }
      this.apply(choice);
    }
  }

  private apply(choice: Choice): void {
    const cpu = this.cpus[choice.cpu]!;
    if (choice.kind === "irq") this.deliver(cpu, choice.irq.seq);
    this.runTop(cpu);
  }

  /** The step of the last consultation, and how many came before it at that step (Decision.nth). */
  private consultStep = -1;
  private consultNth = 0;

  private decide(point: SwitchPoint, choices: Choice[]): number {
    if (choices.length === 1) return 0;
    this.consultNth = point.step === this.consultStep ? this.consultNth + 1 : 0;
    this.consultStep = point.step;
    const i = this.scheduler.choose(point, choices);
    if (!Number.isInteger(i) || i < 0 || i >= choices.length) throw new Error(`scheduler ${this.scheduler.name} chose ${i} of ${choices.length}`);
    if (i !== 0) this.decisions.push(this.consultNth ? { step: point.step, index: i, of: choices.length, nth: this.consultNth } : { step: point.step, index: i, of: choices.length });
    return i;
  }

  private choices(at: Cpu | null): Choice[] {
    materializeTimers(this.cpus, this.clock.now, this.raiseTimer);
    return choicesAt(this.cpus, this.irqs, this.mem32, this.clock.now, this.lastCpu, at);
  }

  private hasAlternative(at: Cpu): boolean {
    materializeTimers(this.cpus, this.clock.now, this.raiseTimer);
    return hasAlternative(this.cpus, this.irqs, this.mem32, this.clock.now, at);
  }

  /** Makes an expired timer a pending interrupt (bound once: the switch path allocates no closures). */
  private readonly timerEntry = (): void => this.ex.wasm_timer_interrupt();
  private readonly raiseTimer = (cpu: number): void => void this.irqs.raise(cpu, "timer", this.clock.now, this.timerEntry);

  /** Nothing can run: jump simulated time to the next timer or device event. */
  private advanceToNextEvent(limit?: number): boolean {
    const next = nextEventNs(this.cpus, this.irqs);
    if (!Number.isFinite(next) || next <= this.clock.now) return false;
    this.clock.now = limit !== undefined ? Math.min(next, limit + 1) : next;
    return true;
  }

  private activation(kind: "task" | "irq", label: string, task: number, sp: number, entry: () => void, start?: () => void): SuspendedActivation {
    return { kind, label, task, entry, start, sp: sp & ~15, buf: this.pool.alloc(), started: false, resume: null, wait: null };
  }

  private deliver(cpu: Cpu, seq: number): void {
    const p = this.irqs.take(seq);
    const top = topOf(cpu)!;
    // An idle CPU halts with interrupts enabled (sti; hlt): the interrupt ends the idle wait.
    if (top.wait?.kind === "idle") top.wait = null;
    cpu.irqSaved.push(cpu.irqOn);
    cpu.irqOn = false;
    // The handler runs on the interrupted context's stack, below its frames.
    cpu.stack.push(this.activation("irq", `irq ${p.kind}`, top.task, top.sp - 256, p.entry, p.start));
    if (this.trace) this.trace.push({ timeNs: this.clock.now, cpu: cpu.id, kind: "irq", text: p.kind });
  }

  private runTop(cpu: Cpu): void {
    const act = topOf(cpu)!;
    this.mem32[this.thisCpuAddr >> 2] = cpu.id;
    this.dirty?.mark(this.thisCpuAddr, 4);
    this.ex.__stack_pointer.value = act.sp;
    this.cur = cpu;
    this.running = act;
    this.lastCpu = cpu.id;
    act.wait = null;
    if (!act.started) {
      act.started = true;
      act.start?.();
    } else {
      this.ex.asyncify_start_rewind(act.buf);
      this.rewinding = true;
    }
    try {
      act.entry();
    } catch (e) {
      this.cur = null;
      this.running = null;
      if (e instanceof MachineHalted) throw (this.halted = e);
      if (e instanceof MachineError) throw e;
      throw new KernelTrap(e, cpu.id, wasmFrames(e));
    }
    this.cur = null;
    this.running = null;
    if (this.ex.asyncify_get_state() === ASYNCIFY_UNWINDING) {
      this.ex.asyncify_stop_unwind();
      act.sp = this.ex.__stack_pointer.value as number;
      const after = this.afterUnwind;
      this.afterUnwind = null;
      after?.();
      return;
    }
    // The context returned.
    cpu.stack.pop();
    this.pool.release(act.buf);
    if (act.kind === "irq") {
      cpu.irqOn = cpu.irqSaved.pop()!;
      return;
    }
    throw new KernelTrap(new Error(`${act.label} returned to user mode, which is not simulated yet`), cpu.id, []);
  }

  // ------------------------------------------------------ introspection

  private view(): MachineView {
    return { cpus: this.cpus, irqs: this.irqs, tasks: this.tasks, blockedIn: this.blockedIn, mem32: this.mem32, nowNs: this.clock.now, steps: this.steps, layout: this.layout };
  }

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

  /** A breakpoint of the running task fired: park its CPU (true). */
  private checkBreakpoints(): boolean {
    const cpu = this.cur!;
    const mine = armedFor(this.breakpoints, this.taskPid(this.currentTask(cpu.id)));
    const hit = mine.length ? hitBy(mine, wasmFrames(new Error())) : null;
    if (!hit) return false;
    hit.bp.hitCpu = cpu.id;
    cpu.parked = true;
    if (this.trace) this.trace.push({ timeNs: this.clock.now, cpu: cpu.id, kind: "park", text: `${this.taskName(this.currentTask(cpu.id))} parked in ${hit.bp.fn}`, where: interesting(hit.frames) });
    return true;
  }

  // ------------------------------------------------------ import protocol

  /** Suspends the running activation (inside an import): unwinds it, to continue with `resume`. */
  suspend(resume: ResumeAction, wait: Wait | null = null): typeof SUSPENDED {
    const act = this.running!;
    act.resume = resume;
    act.wait = wait;
    startUnwind(this.ex, this.mem32, act, this.bufferBytes);
    this.dirty?.mark(act.buf, 8);
    return SUSPENDED;
  }

  /** A switch point inside an import of the running CPU: true if the machine leaves this CPU now. */
  private switchPoint(reason: string, yielding = false): boolean {
    this.steps++;
    if (this.limits.maxSteps !== undefined && this.steps > this.limits.maxSteps)
      throw new BudgetExceeded(`step budget of ${this.limits.maxSteps} switch points exhausted at ${reason} on CPU ${this.cur!.id} (an endless loop?)`);
    // The end of a CPU's slice is a yielding point when anything else could run.
    if (this.slice.tick(this.cur!.id) && !yielding && this.hasAlternative(this.cur!)) yielding = true;
    const preemptive = this.scheduler.preemptive;
    if (!yielding && !preemptive && !anyIrqDue(this.cpus, this.irqs, this.clock.now)) return false;
    // A preemptive scheduler has alternatives at most switch points: list them at once (one pass, not two).
    if (!preemptive && !this.hasAlternative(this.cur!)) return false;
    const choices = this.choices(this.cur!);
    if (choices.length === 1) return false;
    const i = this.decide({ step: this.steps, cpu: this.cur!.id, reason, yielding }, choices);
    if (i === 0) return false;
    this.nextChoice = choices[i]!;
    return true;
  }

  /** Every import call enters here: `slot` numbers the import (./dispatch.ts), a..g are its arguments as the kernel passed them. */
  importCall(slot: number, a: never, b: never, c: never, d: never, e: never, f: never, g: never): number | bigint {
    const s = this.slots[slot]!;
    if (this.rewinding) {
      this.ex.asyncify_stop_rewind();
      this.rewinding = false;
      const act = this.running!;
      const r = act.resume!;
      act.resume = null;
      if (r.kind === "return") return r.value ?? s.zero;
    } else if ((this.breakpoints.length && this.checkBreakpoints()) || this.switchPoint(s.name, s.yields)) {
      this.suspend({ kind: "retry" });
      return s.zero;
    }
    const v = s.impl(a, b, c, d, e, f, g);
    return v === SUSPENDED ? s.zero : (v ?? s.zero);
  }

  // ------------------------------------------------------ the imports

  private readonly impls = new Map<string, ImportImpl>();
  private slots: ImportSlot[] = [];

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
