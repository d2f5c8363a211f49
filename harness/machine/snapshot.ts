// Snapshots: the whole machine at a quiescent point (between kernel
// contexts) as a value — RAM, CPUs, suspended tasks, interrupts, time,
// console and devices — and putting a machine back to one.
import type { BufferPool } from "./coroutines.ts";
import type { SimClock } from "./clock.ts";
import type { ConsoleLog } from "./console.ts";
import type { IrqQueue } from "./interrupts.ts";
import type { Decision } from "./scheduler.ts";
import type { SliceState } from "./fairness.ts";
import type { Cpu, Device, PendingIrq, SuspendedActivation } from "./types.ts";

export const STATE_VERSION = 2;

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
  slice: SliceState;
  devices: unknown[];
}

// The copies below write every field out, in the order the machine creates
// them (Machine's CPUs, activation(), IrqQueue.raise): objects made by a
// spread get other hidden classes in V8, and the switch path reads these
// objects at every host import.

/** A copy of an activation (its resume action and wait shared: they are replaced, never changed). */
export function copyActivation(a: SuspendedActivation): SuspendedActivation {
  return { kind: a.kind, label: a.label, task: a.task, entry: a.entry, start: a.start, sp: a.sp, buf: a.buf, started: a.started, resume: a.resume, wait: a.wait ?? null };
}

/** A deep copy of an activation's mutable parts (its resume action and wait). */
export function cloneActivation(a: SuspendedActivation): SuspendedActivation {
  const c = copyActivation(a);
  c.resume = a.resume && { ...a.resume };
  c.wait = a.wait && { ...a.wait };
  return c;
}

export function cloneCpus(cpus: Cpu[], act: (a: SuspendedActivation) => SuspendedActivation): Cpu[] {
  return cpus.map((c) => ({ id: c.id, online: c.online, stack: c.stack.map(act), irqOn: c.irqOn, irqSaved: [...c.irqSaved], timerAt: c.timerAt, parked: c.parked }));
}

function copyIrq(x: PendingIrq): PendingIrq {
  return { seq: x.seq, cpu: x.cpu, kind: x.kind, due: x.due, entry: x.entry, start: x.start };
}

/**
 * Copies a saved RAM image back. `liveOnly` copies only the RAM that can
 * matter: the kernel's part and the Asyncify buffers in use in the state
 * (`freeBuffers` lists the others; a buffer is always written by an unwind
 * before a rewind reads it).
 */
export function restoreMemory(ram: Uint8Array, saved: Uint8Array, pool: BufferPool, freeBuffers: number[], liveOnly: boolean): void {
  if (!liveOnly) {
    ram.set(saved);
    return;
  }
  const { base, bufferBytes, count } = pool;
  ram.set(saved.subarray(0, base));
  const free = new Set(freeBuffers);
  for (let b = base; b < base + bufferBytes * count; b += bufferBytes) if (!free.has(b)) ram.set(saved.subarray(b, b + bufferBytes), b);
  ram.set(saved.subarray(base + bufferBytes * count), base + bufferBytes * count);
}

/** The machine's parts a snapshot holds besides RAM (objects restored in place). */
export interface StateParts {
  cpus: Cpu[];
  tasks: Map<number, SuspendedActivation>;
  irqs: IrqQueue;
  clock: SimClock;
  pool: BufferPool;
  console: ConsoleLog;
  devices: Device[];
}

/** The run's counters a snapshot holds (plain values, set back by the machine). */
export interface StateCounters {
  steps: number;
  lastCpu: number;
  decisions: Decision[];
  /** The running CPU's stretch of switch points (./fairness.ts). */
  slice: SliceState;
}

/** A snapshot of `p` with RAM image `memory` (already copied). */
export function captureState(p: StateParts, c: StateCounters, memory: Uint8Array): MachineState {
  return {
    version: STATE_VERSION,
    memory,
    cpus: cloneCpus(p.cpus, cloneActivation),
    tasks: [...p.tasks].map(([k, a]) => [k, cloneActivation(a)]),
    pending: p.irqs.pending.map(copyIrq),
    irqSeq: p.irqs.seq,
    now: p.clock.now,
    steps: c.steps,
    lastCpu: c.lastCpu,
    pool: p.pool.save(),
    console: p.console.save(),
    decisions: [...c.decisions],
    slice: { cpu: c.slice.cpu, switchPoints: c.slice.switchPoints },
    devices: p.devices.map((d) => d.save()),
  };
}

/** Puts `p` back to `s` (everything but RAM); returns the counters to set back. */
export function applyState(p: StateParts, s: MachineState): StateCounters {
  if (s.version !== STATE_VERSION) throw new Error("snapshot from another machine version");
  if (s.devices.length !== p.devices.length) throw new Error(`snapshot of ${s.devices.length} devices loaded into a machine with ${p.devices.length}`);
  p.cpus.splice(0, p.cpus.length, ...cloneCpus(s.cpus, copyActivation));
  p.tasks.clear();
  for (const [k, a] of s.tasks) p.tasks.set(k, copyActivation(a));
  p.irqs.pending = s.pending.map(copyIrq);
  p.irqs.seq = s.irqSeq;
  p.clock.now = s.now;
  p.pool.load(s.pool);
  p.console.load(s.console);
  s.devices.forEach((d, i) => p.devices[i]!.load(d));
  return { steps: s.steps, lastCpu: s.lastCpu, decisions: [...s.decisions], slice: { cpu: s.slice.cpu, switchPoints: s.slice.switchPoints } };
}
