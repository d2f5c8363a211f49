// The machine's core: simulated CPUs running the real kernel as Asyncify
// coroutines, the run loop that picks what runs next through the
// Scheduler, and the import protocol (every host import is a switch
// point). Machine (./machine.ts) adds the imports themselves, task
// introspection and snapshots; locks, interrupts and timers, breakpoints,
// fairness and the task layout have their own modules.
import type { LoadedKernel } from "./loader.ts";
import { ASYNCIFY_BUFFER_BYTES, ASYNCIFY_BUFFERS, ASYNCIFY_UNWINDING, assertUnwoundFits, BufferPool, startUnwind, type AsyncifyExports, type ResumeAction } from "./coroutines.ts";
import { SimClock } from "./clock.ts";
import { ConsoleLog } from "./console.ts";
import { BudgetExceeded, HangError, KernelTrap, MachineError, MachineHalted } from "./errors.ts";
import { RunToBlock, type Choice, type Decision, type Scheduler, type SwitchPoint } from "./scheduler.ts";
import { wasmFrames } from "./stack.ts";
import { choicesAt, hasAlternative } from "./choices.ts";
import { anyIrqDue, IrqQueue, materializeTimers, nextEventNs } from "./interrupts.ts";
import { armedFor, hitBy, interesting } from "./breakpoints.ts";
import { hangError, TaskLayout, type MachineView } from "./tasks.ts";
import type { ImportSlot, ImportTarget } from "./dispatch.ts";
import { SUSPENDED, topOf } from "./types.ts";
import { DirtyMap } from "./dirty.ts";
import { Slice } from "./fairness.ts";
import type { Breakpoint, Cpu, Device, MachineOptions, RunLimits, RunOutcome, SuspendedActivation, TraceEvent, Wait } from "./types.ts";

export interface KernelExports extends AsyncifyExports {
  wasm_start_kernel(): void;
  wasm_task_entry(prev: number): void;
  wasm_secondary_start(cpu: number): void;
  wasm_timer_interrupt(): void;
  wasm_ipi_interrupt(): void;
  __stack_pointer: WebAssembly.Global;
}

export abstract class MachineCore implements ImportTarget {
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

  protected readonly ex: KernelExports;
  protected readonly mem32: Int32Array;
  protected readonly pool: BufferPool;
  protected readonly bufferBytes: number;
  protected readonly tasks = new Map<number, SuspendedActivation>();
  protected readonly irqs = new IrqQueue();
  protected readonly layout: TaskLayout;
  protected cur: Cpu | null = null;
  protected running: SuspendedActivation | null = null;
  protected rewinding = false;
  protected afterUnwind: (() => void) | null = null;
  protected nextChoice: Choice | null = null;
  protected lastCpu = 0;
  /** The imports by slot (./dispatch.ts), bound by attach(). */
  protected slots: ImportSlot[] = [];
  protected limits: RunLimits = {};
  /** The running CPU's stretch of switch points (fairness between CPUs: ./fairness.ts). */
  protected readonly slice = new Slice();
  protected readonly thisCpuAddr: number;
  protected readonly devices: Device[];
  /** Pages written since the RAM last equalled `baseline` (kernels built with the dirty-page pass). */
  protected readonly dirty: DirtyMap | null = null;
  protected baseline: Uint8Array | null = null;

  constructor(
    readonly kernel: LoadedKernel,
    readonly opts: MachineOptions = {},
  ) {
    this.ex = kernel.exports as unknown as KernelExports;
    this.mem32 = new Int32Array(kernel.memory.buffer);
    this.clock = new SimClock(opts.clock);
    this.scheduler = opts.scheduler ?? new RunToBlock();
    this.devices = opts.devices ?? [];
    this.bufferBytes = opts.asyncifyBufferBytes ?? ASYNCIFY_BUFFER_BYTES;
    const count = opts.asyncifyBuffers ?? ASYNCIFY_BUFFERS;
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

  /** Lets `ns` of simulated time pass; a machine where nothing can happen any more (no task can run, no timer is set) has settled early, which is no error here. */
  runFor(ns: number): void {
    try {
      this.run(() => false, { untilNs: this.clock.now + ns });
    } catch (e) {
      if (!(e instanceof HangError)) throw e;
    }
  }

  protected apply(choice: Choice): void {
    const cpu = this.cpus[choice.cpu]!;
    if (choice.kind === "irq") this.deliver(cpu, choice.irq.seq);
    this.runTop(cpu);
  }

  /** The step of the last consultation, and how many came before it at that step (Decision.nth). */
  protected consultStep = -1;
  protected consultNth = 0;

  protected decide(point: SwitchPoint, choices: Choice[]): number {
    if (choices.length === 1) return 0;
    this.consultNth = point.step === this.consultStep ? this.consultNth + 1 : 0;
    this.consultStep = point.step;
    const i = this.scheduler.choose(point, choices);
    if (!Number.isInteger(i) || i < 0 || i >= choices.length) throw new Error(`scheduler ${this.scheduler.name} chose ${i} of ${choices.length}`);
    if (i !== 0) this.decisions.push(this.consultNth ? { step: point.step, index: i, of: choices.length, nth: this.consultNth } : { step: point.step, index: i, of: choices.length });
    return i;
  }

  protected choices(at: Cpu | null): Choice[] {
    materializeTimers(this.cpus, this.clock.now, this.raiseTimer);
    return choicesAt(this.cpus, this.irqs, this.mem32, this.clock.now, this.lastCpu, at);
  }

  protected hasAlternative(at: Cpu): boolean {
    materializeTimers(this.cpus, this.clock.now, this.raiseTimer);
    return hasAlternative(this.cpus, this.irqs, this.mem32, this.clock.now, at);
  }

  /** Makes an expired timer a pending interrupt (bound once: the switch path allocates no closures). */
  protected readonly timerEntry = (): void => this.ex.wasm_timer_interrupt();
  protected readonly raiseTimer = (cpu: number): void => void this.irqs.raise(cpu, "timer", this.clock.now, this.timerEntry);

  /** Nothing can run: jump simulated time to the next timer or device event. */
  protected advanceToNextEvent(limit?: number): boolean {
    const next = nextEventNs(this.cpus, this.irqs);
    if (!Number.isFinite(next) || next <= this.clock.now) return false;
    this.clock.now = limit !== undefined ? Math.min(next, limit + 1) : next;
    return true;
  }

  protected activation(kind: "task" | "irq", label: string, task: number, sp: number, entry: () => void, start?: () => void): SuspendedActivation {
    return { kind, label, task, entry, start, sp: sp & ~15, buf: this.pool.alloc(), started: false, resume: null, wait: null };
  }

  protected deliver(cpu: Cpu, seq: number): void {
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

  protected runTop(cpu: Cpu): void {
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
      assertUnwoundFits(this.mem32, act, this.bufferBytes);
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

  /** What hang reports and the introspection of ./machine.ts read. */
  protected view(): MachineView {
    return { cpus: this.cpus, irqs: this.irqs, tasks: this.tasks, blockedIn: this.blockedIn, mem32: this.mem32, nowNs: this.clock.now, steps: this.steps, layout: this.layout };
  }

  // ------------------------------------------------------ breakpoints

  /** A breakpoint of the running task fired: park its CPU (true). */
  protected checkBreakpoints(): boolean {
    const cpu = this.cur!;
    const mine = armedFor(this.breakpoints, this.layout.taskPid(this.layout.currentTask(cpu.id)));
    const hit = mine.length ? hitBy(mine, wasmFrames(new Error())) : null;
    if (!hit) return false;
    hit.bp.hitCpu = cpu.id;
    cpu.parked = true;
    if (this.trace) this.trace.push({ timeNs: this.clock.now, cpu: cpu.id, kind: "park", text: `${this.layout.taskName(this.layout.currentTask(cpu.id))} parked in ${hit.bp.fn}`, where: interesting(hit.frames) });
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
  protected switchPoint(reason: string, yielding = false): boolean {
    this.steps++;
    if (this.limits.maxSteps !== undefined && this.steps > this.limits.maxSteps)
      throw new BudgetExceeded(`step budget of ${this.limits.maxSteps} switch points exhausted at ${reason} on CPU ${this.cur!.id} (an endless loop?)`);
    // The end of a CPU's slice (./fairness.ts): a yielding point when anything else could run, else time moves on.
    if (this.slice.tick(this.cur!.id) && !yielding) {
      if (this.hasAlternative(this.cur!)) yielding = true;
      else this.advanceToNextEvent(this.limits.untilNs);
    }
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
}
