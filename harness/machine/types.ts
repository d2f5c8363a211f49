// The machine's shared types: CPUs, pending interrupts, breakpoints, the
// event log, and what devices and callers exchange with the machine.
import type { Activation } from "./coroutines.ts";
import type { SimClock, ClockOptions } from "./clock.ts";
import type { PendingIrqRef, Scheduler } from "./scheduler.ts";

/** Returned by an import implementation that suspended the running activation. */
export const SUSPENDED = Symbol("suspended");
export type ImportResult = number | bigint | undefined | typeof SUSPENDED;
export type ImportImpl = (...args: never[]) => ImportResult;

export interface PendingIrq extends PendingIrqRef {
  due: number;
  entry: () => void;
  start?: () => void;
}

export interface Cpu {
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

export type LockMode = "spin" | "read" | "write";

/** Why a suspended activation cannot go on yet. */
export type Wait = { kind: "idle" } | { kind: "lock"; addr: number; mode: LockMode };
export type SuspendedActivation = Activation & { wait?: Wait | null };

/** The innermost context of a CPU (undefined when it has none). */
export function topOf(cpu: Cpu): SuspendedActivation | undefined {
  return cpu.stack[cpu.stack.length - 1] as SuspendedActivation | undefined;
}

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
