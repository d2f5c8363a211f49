// The machine: simulated CPUs running the real kernel as Asyncify
// coroutines, with the arch interface's CPU, interrupt, lock, time and
// console imports. Devices (harness/block, harness/agent) plug in their own
// imports through `MachinePort`. One JS thread runs everything; every
// choice goes through the Scheduler, so the same build, inputs and
// decisions give the same run.
import type { LoadedKernel } from "./loader.ts";
import { ASYNCIFY_UNWINDING, BufferPool, startUnwind, type Activation, type AsyncifyExports, type ResumeAction } from "./coroutines.ts";
import { SimClock, type ClockOptions } from "./clock.ts";
import { ConsoleLog } from "./console.ts";
import { BudgetExceeded, HangError, KernelTrap, MachineError, MachineHalted } from "./errors.ts";
import { hostImports } from "../build/host-interface.ts";
import { NotSimulatedError, wasmCaller } from "./loader.ts";
import { RunToBlock, type Choice, type Decision, type PendingIrqRef, type Scheduler, type SwitchPoint } from "./scheduler.ts";
import { wasmFrameIndices, wasmFrames, writeFunctionNames } from "./stack.ts";

/** Returned by an import implementation that suspended the running activation. */
export const SUSPENDED = Symbol("suspended");
export type ImportResult = number | bigint | undefined | typeof SUSPENDED;
export type ImportImpl = (...args: never[]) => ImportResult;

interface KernelExports extends AsyncifyExports {
  wasm_start_kernel(): void;
  wasm_task_entry(prev: number): void;
  wasm_secondary_start(cpu: number): void;
  wasm_timer_interrupt(): void;
  wasm_ipi_interrupt(): void;
  __stack_pointer: WebAssembly.Global;
}

export interface PendingIrq extends PendingIrqRef {
  due: number;
  entry: () => void;
  start?: () => void;
}

interface Cpu {
  id: number;
  online: boolean;
  /** Bottom: the running task's context; above it, interrupt contexts. */
  stack: Activation[];
  irqOn: boolean;
  /** The interrupt flag to restore when each interrupt context on the stack ends. */
  irqSaved: boolean[];
  timerAt: number;
  /** Frozen by a breakpoint (a stalled CPU): it neither runs nor takes interrupts until unparked. */
  parked: boolean;
}

/** Parks a task's CPU at the first switch point inside kernel function `fn` (the scenario's scripted schedule). */
export interface Breakpoint {
  pid: number;
  fn: string;
  /** Set when it fired: the CPU that was parked. */
  hitCpu: number | null;
}

/** One entry of the run's event log (timelines). */
export interface TraceEvent {
  timeNs: number;
  cpu: number;
  kind: "switch" | "irq" | "park" | "unpark" | "note";
  text: string;
  /** Kernel functions on the stack at the event (innermost first, scheduler frames dropped). */
  where?: string[];
}

/** Why a suspended activation cannot go on yet. */
type Wait = { kind: "idle" } | { kind: "lock"; addr: number; mode: "spin" | "read" | "write" };
type SuspendedActivation = Activation & { wait?: Wait | null };

/** What devices get from the machine. */
export interface MachinePort {
  readonly memory: WebAssembly.Memory;
  readonly clock: SimClock;
  readonly exports: Record<string, WebAssembly.ExportValue>;
  /** The CPU whose code is calling the import. */
  currentCpu(): number;
  /** Makes an interrupt pending on `cpu`, due at `due` ns; `entry` calls the kernel's handler export. */
  raiseIrq(cpu: number, kind: string, due: number, entry: () => void, start?: () => void): PendingIrqRef;
  readonly cpuCount: number;
}

/** A device: a set of host imports (named as in asm/wasm_host.h) and its state for snapshots. */
export interface Device {
  imports(port: MachinePort): Record<string, ImportImpl>;
  save(): unknown;
  load(state: unknown): void;
}

export interface MachineOptions {
  cpus?: number;
  cmdline?: string;
  scheduler?: Scheduler;
  clock?: ClockOptions;
  /** Bytes per Asyncify buffer and how many (taken from the top of RAM). */
  asyncifyBufferBytes?: number;
  asyncifyBuffers?: number;
  devices?: Device[];
}

export interface RunLimits {
  /** Stop with BudgetExceeded after this many switch points. */
  maxSteps?: number;
  /** Stop (returning "time-limit") once simulated time passes this many ns. */
  untilNs?: number;
  /** Return "quiescent" when nothing can run and no device interrupt is pending (only timers left). */
  stopWhenQuiescent?: boolean;
}

export type RunOutcome = "done" | "time-limit" | "quiescent";

const STATE_VERSION = 1;

export interface MachineState {
  version: number;
  memory: Uint8Array;
  cpus: Cpu[];
  tasks: [number, SuspendedActivation][];
  pending: PendingIrq[];
  irqSeq: number;
  now: number;
  steps: number;
  lastCpu: number;
  pool: number[];
  console: ReturnType<ConsoleLog["save"]>;
  decisions: Decision[];
  devices: unknown[];
}

export class Machine {
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
  private pending: PendingIrq[] = [];
  private irqSeq = 0;
  private cur: Cpu | null = null;
  private running: SuspendedActivation | null = null;
  private rewinding = false;
  private afterUnwind: (() => void) | null = null;
  private nextChoice: Choice | null = null;
  private lastCpu = 0;
  private limits: RunLimits = {};
  private readonly thisCpuAddr: number;
  private readonly cpuCurrentAddr: number;
  /** offsetof(struct task_struct, comm / pid), from wasm_task_layout. */
  private readonly taskCommOffset: number;
  private readonly taskPidOffset: number;
  private readonly devices: Device[];

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
    this.pool = new BufferPool(ramEnd - reserved, this.bufferBytes, count);
    this.thisCpuAddr = kernel.address("wasm_this_cpu");
    this.cpuCurrentAddr = kernel.address("wasm_cpu_current");
    const layout = kernel.address("wasm_task_layout") >> 2;
    this.taskCommOffset = this.mem32[layout]! >>> 0;
    this.taskPidOffset = this.mem32[layout + 1]! >>> 0;
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
          if (limits.stopWhenQuiescent && this.pending.length === 0) return "quiescent";
          if (!this.advanceToNextEvent(limits.untilNs)) throw this.hang();
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

  /** The alternatives: continue `at` (if given), its own due interrupts, then other CPUs and theirs. */
  private choices(at: Cpu | null): Choice[] {
    this.materializeTimers();
    const out: Choice[] = [];
    if (at) {
      out.push({ kind: "continue", cpu: at.id });
      if (at.irqOn) for (const p of this.pending) if (p.cpu === at.id && p.due <= this.clock.now) out.push({ kind: "irq", cpu: at.id, irq: p });
    }
    const n = this.cpus.length;
    const first = at ? at.id : this.lastCpu;
    for (let k = at ? 1 : 0; k < n; k++) {
      const cpu = this.cpus[(first + k) % n]!;
      if (!cpu.online || cpu === at || cpu.parked) continue;
      const top = cpu.stack[cpu.stack.length - 1] as SuspendedActivation | undefined;
      if (!top) continue;
      if (this.canRun(top)) out.push({ kind: "run", cpu: cpu.id });
      if (top.started && (cpu.irqOn || top.wait?.kind === "idle"))
        for (const p of this.pending) if (p.cpu === cpu.id && p.due <= this.clock.now) out.push({ kind: "irq", cpu: cpu.id, irq: p });
    }
    return out;
  }

  private canRun(act: SuspendedActivation): boolean {
    const w = act.wait;
    if (!w) return true;
    if (w.kind === "idle") return false;
    const v = this.mem32[w.addr >> 2]!;
    if (w.mode === "spin") return v === 0;
    if (w.mode === "read") return (v & WRITER) === 0;
    return v === 0;
  }

  private materializeTimers(): void {
    for (const cpu of this.cpus)
      if (cpu.online && cpu.timerAt <= this.clock.now) {
        cpu.timerAt = Infinity;
        this.raise(cpu.id, "timer", this.clock.now, () => this.ex.wasm_timer_interrupt());
      }
  }

  private raise(cpu: number, kind: string, due: number, entry: () => void, start?: () => void): PendingIrq {
    const p: PendingIrq = { seq: this.irqSeq++, cpu, kind, due, entry, start };
    this.pending.push(p);
    return p;
  }

  private anyIrqDue(): boolean {
    const now = this.clock.now;
    for (const p of this.pending) if (p.due <= now) return true;
    for (const c of this.cpus) if (c.timerAt <= now) return true;
    return false;
  }

  /** Nothing can run: jump simulated time to the next timer or device event. */
  private advanceToNextEvent(limit?: number): boolean {
    let next = Infinity;
    for (const c of this.cpus) if (c.online) next = Math.min(next, c.timerAt);
    for (const p of this.pending) next = Math.min(next, p.due);
    if (!Number.isFinite(next) || next <= this.clock.now) return false;
    this.clock.now = limit !== undefined ? Math.min(next, limit + 1) : next;
    return true;
  }

  /** One line per online CPU: its contexts, interrupt flag and what it waits for; then pending interrupts. */
  describeCpus(): string[] {
    const out: string[] = [];
    for (const c of this.cpus) {
      if (!c.online) continue;
      const top = c.stack[c.stack.length - 1] as SuspendedActivation | undefined;
      const w = top?.wait;
      out.push(
        `CPU ${c.id}: ${c.stack.map((a) => (a.kind === "task" && a.task ? this.taskName(a.task) : a.label)).join(" > ") || "no context"}, interrupts ${c.irqOn ? "on" : "off"}, timer ${Number.isFinite(c.timerAt) ? `at ${c.timerAt} ns` : "off"}, ` +
          (c.parked ? "stalled by a breakpoint, " : "") +
          (w ? (w.kind === "idle" ? "idle" : `waiting for ${w.mode} lock at 0x${w.addr.toString(16)} (word 0x${(this.mem32[w.addr >> 2]! >>> 0).toString(16)})`) : "runnable"),
      );
    }
    for (const p of this.pending) out.push(`pending: ${p.kind} on CPU ${p.cpu}, due ${p.due} ns`);
    out.push(`time ${this.clock.now} ns, ${this.steps} switch points, ${this.tasks.size} suspended tasks`);
    return out;
  }

  /** "comm[pid]" of a task_struct, read from kernel memory. */
  taskName(task: number): string {
    const bytes = new Uint8Array(this.kernel.memory.buffer, task + this.taskCommOffset, 16);
    const end = bytes.indexOf(0);
    return `${this.utf8.decode(bytes.subarray(0, end < 0 ? 16 : end))}[${this.taskPid(task)}]`;
  }

  /** Suspended tasks (not on a CPU) with their names. */
  suspendedTasks(): string[] {
    return [...this.tasks.keys()].map((t) => this.taskName(t));
  }

  /** Every task off its CPU with where it sleeps (known for tasks that switched out while tracing). */
  describeTasks(): string[] {
    return [...this.tasks.keys()].map((t) => {
      const w = this.blockedIn.get(t);
      return `${this.taskName(t)}: ${w?.length ? "sleeps in " + w.join(" < ") : "sleeping (stack not traced)"}`;
    });
  }

  private hang(): HangError {
    const details = [...this.describeCpus(), ...(this.trace ? this.describeTasks().filter((l) => !l.endsWith("(stack not traced)")) : [])];
    const spinning = this.cpus.some((c) => (c.stack[c.stack.length - 1] as SuspendedActivation | undefined)?.wait?.kind === "lock");
    const parked = this.cpus.some((c) => c.parked);
    return new HangError(
      spinning
        ? "deadlock: every CPU waits for a lock that no running CPU can release"
        : parked
          ? "nothing can run while a CPU stays stalled by a breakpoint"
          : "every CPU is idle and no timer, interrupt or I/O is pending",
      details,
    );
  }

  private activation(kind: "task" | "irq", label: string, task: number, sp: number, entry: () => void, start?: () => void): SuspendedActivation {
    return { kind, label, task, entry, start, sp: sp & ~15, buf: this.pool.alloc(), started: false, resume: null, wait: null };
  }

  private deliver(cpu: Cpu, seq: number): void {
    const i = this.pending.findIndex((p) => p.seq === seq);
    const p = this.pending[i]!;
    this.pending.splice(i, 1);
    const top = cpu.stack[cpu.stack.length - 1] as SuspendedActivation;
    // An idle CPU halts with interrupts enabled (sti; hlt): the interrupt ends the idle wait.
    if (top.wait?.kind === "idle") top.wait = null;
    cpu.irqSaved.push(cpu.irqOn);
    cpu.irqOn = false;
    // The handler runs on the interrupted context's stack, below its frames.
    cpu.stack.push(this.activation("irq", `irq ${p.kind}`, top.task, top.sp - 256, p.entry, p.start));
    if (this.trace) this.trace.push({ timeNs: this.clock.now, cpu: cpu.id, kind: "irq", text: p.kind });
  }

  /** The task running on a CPU (its current), from kernel memory. */
  currentTask(cpu: number): number {
    return this.mem32[(this.cpuCurrentAddr >> 2) + cpu]! >>> 0;
  }

  taskPid(task: number): number {
    return this.mem32[(task + this.taskPidOffset) >> 2]!;
  }

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
    const pid = this.taskPid(this.currentTask(cpu.id));
    const mine = this.breakpoints.filter((b) => b.hitCpu === null && b.pid === pid);
    if (!mine.length) return false;
    const frames = wasmFrames(new Error());
    const hit = mine.find((b) => frames.includes(b.fn));
    if (!hit) return false;
    hit.hitCpu = cpu.id;
    cpu.parked = true;
    if (this.trace) this.trace.push({ timeNs: this.clock.now, cpu: cpu.id, kind: "park", text: `${this.taskName(this.currentTask(cpu.id))} parked in ${hit.fn}`, where: interesting(frames) });
    return true;
  }

  private runTop(cpu: Cpu): void {
    const act = cpu.stack[cpu.stack.length - 1] as SuspendedActivation;
    this.mem32[this.thisCpuAddr >> 2] = cpu.id;
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

  // ------------------------------------------------------ import protocol

  /** Suspends the running activation (inside an import): unwinds it, to continue with `resume`. */
  suspend(resume: ResumeAction, wait: Wait | null = null): typeof SUSPENDED {
    const act = this.running!;
    act.resume = resume;
    act.wait = wait;
    startUnwind(this.ex, this.mem32, act, this.bufferBytes);
    return SUSPENDED;
  }

  /** A switch point inside an import of the running CPU: true if the machine leaves this CPU now. */
  private switchPoint(reason: string, yielding = false): boolean {
    this.steps++;
    if (this.limits.maxSteps !== undefined && this.steps > this.limits.maxSteps)
      throw new BudgetExceeded(`step budget of ${this.limits.maxSteps} switch points exhausted at ${reason} on CPU ${this.cur!.id} (an endless loop?)`);
    if (!yielding && !this.scheduler.preemptive && !this.anyIrqDue()) return false;
    const choices = this.choices(this.cur!);
    if (choices.length === 1) return false;
    const i = this.decide({ step: this.steps, cpu: this.cur!.id, reason, yielding }, choices);
    if (i === 0) return false;
    this.nextChoice = choices[i]!;
    return true;
  }

  private zeroOf(name: string): number | bigint | undefined {
    return this.i64Results.has(name) ? 0n : 0;
  }

  /** Every import call enters here. */
  importCall(name: string, args: never[]): number | bigint | undefined {
    const zero = this.zeroOf(name);
    if (this.rewinding) {
      this.ex.asyncify_stop_rewind();
      this.rewinding = false;
      const act = this.running!;
      const r = act.resume!;
      act.resume = null;
      if (r.kind === "return") return r.value ?? zero;
    } else if ((this.breakpoints.length && this.checkBreakpoints()) || this.switchPoint(name, name === "host_cpu_relax")) {
      this.suspend({ kind: "retry" });
      return zero;
    }
    const impl = this.impls.get(name);
    if (!impl) throw new NotSimulatedError(name, wasmCaller());
    const v = (impl as (...a: never[]) => ImportResult)(...args);
    return v === SUSPENDED ? zero : (v ?? zero);
  }

  // ------------------------------------------------------ the imports

  private readonly impls = new Map<string, ImportImpl>();
  private readonly i64Results = new Set(hostImports().filter((h) => /^[us]64$/.test(h.returns)).map((h) => h.name));
  private readonly utf8 = new TextDecoder();

  /** Binds the machine's own imports and the devices'. Called once, after construction. */
  attach(): void {
    const core: Record<string, ImportImpl> = {
      host_console_write: (buf: number, len: number) => {
        const bytes = new Uint8Array(this.kernel.memory.buffer, buf, len);
        this.console.write(this.utf8.decode(bytes), this.clock.now, this.cur!.id);
        return undefined;
      },
      host_halt: (code: number) => {
        throw (this.halted = new MachineHalted(code));
      },
      host_dump_stack: () => {
        const frames = wasmFrames(new Error());
        this.console.write("Call trace (host):\n" + frames.map((f) => `  ${f}\n`).join(""), this.clock.now, this.cur!.id);
        return undefined;
      },
      host_stack_trace: (entries: number, max: number) => {
        const frames = wasmFrameIndices(new Error()).slice(0, max);
        new Uint32Array(this.kernel.memory.buffer, entries, frames.length).set(frames);
        return frames.length;
      },
      host_function_names: (buf: number, size: number) => writeFunctionNames(this.kernel.module, new Uint8Array(this.kernel.memory.buffer, buf, size)),
      host_switch_to: (prev: number, next: number, nextSp: number, prevDead: number) => this.switchTo(prev >>> 0, next >>> 0, nextSp >>> 0, prevDead !== 0),
      host_cpu_idle: () => this.suspend({ kind: "return", value: undefined }, { kind: "idle" }),
      host_cpu_relax: () => {
        this.clock.now += this.clock.relaxStepNs;
        // Nothing else can run: let time reach the next event (timeouts polled in a loop end).
        if (this.choices(this.cur!).length === 1) this.advanceToNextEvent(this.limits.untilNs);
        return undefined;
      },
      host_cpu_up: (cpu: number, idle: number, sp: number) => {
        const c = this.cpus[cpu];
        if (!c || c.online) return -22;
        c.online = true;
        c.irqOn = false;
        c.stack.push(this.activation("task", `idle/${cpu}`, idle >>> 0, sp >>> 0, () => this.ex.wasm_secondary_start(cpu)));
        return 0;
      },
      host_send_ipi: (cpu: number) => {
        if (!this.pending.some((p) => p.cpu === cpu && p.kind === "ipi")) this.raise(cpu, "ipi", this.clock.now, () => this.ex.wasm_ipi_interrupt());
        return undefined;
      },
      host_irq_flags: () => (this.cur!.irqOn ? 1 : 0),
      host_irq_save: () => {
        const was = this.cur!.irqOn;
        this.cur!.irqOn = false;
        return was ? 1 : 0;
      },
      host_irq_restore: (flags: number) => {
        const cpu = this.cur!;
        const enabling = flags !== 0 && !cpu.irqOn;
        cpu.irqOn = flags !== 0;
        // Interrupts that became deliverable may be taken before the import returns.
        if (enabling && this.switchPoint("host_irq_restore")) return this.suspend({ kind: "return", value: undefined });
        return undefined;
      },
      host_spin_lock: (addr: number) => this.lock(addr, "spin"),
      host_spin_trylock: (addr: number) => this.tryLock(addr, "spin"),
      host_spin_unlock: (addr: number) => this.unlock(addr, "spin"),
      host_read_lock: (addr: number) => this.lock(addr, "read"),
      host_read_trylock: (addr: number) => this.tryLock(addr, "read"),
      host_read_unlock: (addr: number) => this.unlock(addr, "read"),
      host_write_lock: (addr: number) => this.lock(addr, "write"),
      host_write_trylock: (addr: number) => this.tryLock(addr, "write"),
      host_write_unlock: (addr: number) => this.unlock(addr, "write"),
      host_clock_ns: () => BigInt(this.clock.read()),
      host_timer_set: (delta: bigint) => {
        this.cur!.timerAt = this.clock.now + Number(BigInt.asUintN(64, delta));
        return undefined;
      },
      host_timer_stop: () => {
        this.cur!.timerAt = Infinity;
        return undefined;
      },
      host_boot_wallclock: () => BigInt(this.clock.bootEpochSeconds),
    };
    for (const [n, f] of Object.entries(core)) this.impls.set(n, f);
    const port = this.port();
    for (const d of this.devices)
      for (const [n, f] of Object.entries(d.imports(port))) {
        if (this.impls.has(n)) throw new Error(`host import ${n} implemented twice`);
        this.impls.set(n, f);
      }
  }

  private port(): MachinePort {
    return {
      memory: this.kernel.memory,
      clock: this.clock,
      exports: this.kernel.exports,
      currentCpu: () => this.cur?.id ?? this.lastCpu,
      raiseIrq: (cpu, kind, due, entry, start) => this.raise(cpu, kind, due, entry, start),
      cpuCount: this.cpus.length,
    };
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

  private lockWord(addr: number): number {
    return this.mem32[addr >> 2]!;
  }

  private tryLock(addr: number, mode: "spin" | "read" | "write"): number {
    const v = this.lockWord(addr);
    const me = this.cur!.id + 1;
    if (mode === "read") {
      if (v & WRITER) return 0;
      this.mem32[addr >> 2] = v + 1;
      return 1;
    }
    if (v !== 0) return 0;
    this.mem32[addr >> 2] = mode === "spin" ? me : WRITER | me;
    return 1;
  }

  private lock(addr: number, mode: "spin" | "read" | "write"): ImportResult {
    if (this.tryLock(addr, mode)) return undefined;
    const v = this.lockWord(addr) >>> 0;
    const me = this.cur!.id + 1;
    const holder = mode === "spin" ? v : v & WRITER ? v & ~WRITER : 0;
    if (holder === me)
      throw new HangError(`deadlock: CPU ${this.cur!.id} takes a ${mode} lock at 0x${addr.toString(16)} that it already holds`, wasmFrames(new Error()));
    return this.suspend({ kind: "retry" }, { kind: "lock", addr, mode });
  }

  private unlock(addr: number, mode: "spin" | "read" | "write"): ImportResult {
    const v = this.lockWord(addr);
    if (mode === "read") this.mem32[addr >> 2] = v - 1;
    else this.mem32[addr >> 2] = 0;
    return undefined;
  }

  // ------------------------------------------------------ snapshots

  /** The whole machine at a quiescent point (between kernel contexts): RAM, CPUs, tasks, time, devices. */
  save(): MachineState {
    if (this.cur) throw new Error("snapshot while a CPU is running");
    const cloneAct = (a: SuspendedActivation): SuspendedActivation => ({ ...a, resume: a.resume && { ...a.resume }, wait: a.wait && { ...a.wait } });
    return {
      version: STATE_VERSION,
      memory: new Uint8Array(this.kernel.memory.buffer).slice(),
      cpus: this.cpus.map((c) => ({ ...c, stack: c.stack.map(cloneAct), irqSaved: [...c.irqSaved] })),
      tasks: [...this.tasks].map(([k, a]) => [k, cloneAct(a)]),
      pending: this.pending.map((p) => ({ ...p })),
      irqSeq: this.irqSeq,
      now: this.clock.now,
      steps: this.steps,
      lastCpu: this.lastCpu,
      pool: this.pool.save(),
      console: this.console.save(),
      decisions: [...this.decisions],
      devices: this.devices.map((d) => d.save()),
    };
  }

  /**
   * Puts the machine back to a saved state (the same instance and module).
   * `liveOnly` copies only the RAM that can matter: the kernel's part and
   * the Asyncify buffers in use in `s`, not the free ones (a buffer is
   * always written by an unwind before a rewind reads it).
   */
  load(s: MachineState, o: { liveOnly?: boolean } = {}): void {
    if (s.version !== STATE_VERSION) throw new Error("snapshot from another machine version");
    const ram = new Uint8Array(this.kernel.memory.buffer);
    if (o.liveOnly) {
      const { base, bufferBytes, count } = this.pool;
      ram.set(s.memory.subarray(0, base));
      const free = new Set(s.pool);
      for (let b = base; b < base + bufferBytes * count; b += bufferBytes) if (!free.has(b)) ram.set(s.memory.subarray(b, b + bufferBytes), b);
      ram.set(s.memory.subarray(base + bufferBytes * count), base + bufferBytes * count);
    } else ram.set(s.memory);
    this.cpus.splice(0, this.cpus.length, ...s.cpus.map((c) => ({ ...c, stack: c.stack.map((a) => ({ ...a })), irqSaved: [...c.irqSaved] })));
    this.tasks.clear();
    for (const [k, a] of s.tasks) this.tasks.set(k, { ...a });
    this.pending = s.pending.map((p) => ({ ...p }));
    this.irqSeq = s.irqSeq;
    this.clock.now = s.now;
    this.steps = s.steps;
    this.lastCpu = s.lastCpu;
    this.pool.load(s.pool);
    this.console.load(s.console);
    this.decisions = [...s.decisions];
    s.devices.forEach((d, i) => this.devices[i]!.load(d));
    this.halted = null;
    this.nextChoice = null;
    this.consultStep = -1;
    this.breakpoints = [];
    this.blockedIn.clear();
    if (this.trace) this.trace = [];
  }
}

const WRITER = 0x80000000 | 0;

/** Frames worth showing in a timeline: the arch, scheduler and lock plumbing dropped. */
const PLUMBING = /^(__switch_to|__schedule|schedule|schedule_timeout|schedule_preempt_disabled|io_schedule|io_schedule_timeout|_raw_spin_\w+|_raw_read_\w+|_raw_write_\w+|arch_\w+|do_raw_\w+|host_\w+|wasm_\w+|finish_task_switch|context_switch|preempt_schedule_common|__cond_resched|__wait_for_common|wait_for_common\w*|bit_wait\w*|__wait_on_bit\w*|out_of_line_wait_on_bit\w*|rwsem_down_\w+|down_\w+|mutex_lock\w*|__mutex_lock\w*|kthread|ret_from_fork)$/;

export function interesting(frames: string[], n = 4): string[] {
  return frames.filter((f) => !PLUMBING.test(f) && !f.startsWith("Machine") && !f.startsWith("<")).slice(0, n);
}
