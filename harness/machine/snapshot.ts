// Snapshots: the whole machine at a quiescent point (between kernel
// contexts) as a value — RAM, CPUs, suspended tasks, interrupts, time,
// console and devices — and putting a machine back to one.
import type { BufferPool } from "./coroutines.ts";
import type { ConsoleLog } from "./console.ts";
import type { Decision } from "./scheduler.ts";
import type { Cpu, PendingIrq, SuspendedActivation } from "./types.ts";

export const STATE_VERSION = 1;

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

/** A deep copy of an activation's mutable parts (its resume action and wait). */
export function cloneActivation(a: SuspendedActivation): SuspendedActivation {
  return { ...a, resume: a.resume && { ...a.resume }, wait: a.wait && { ...a.wait } };
}

export function cloneCpus(cpus: Cpu[], act: (a: SuspendedActivation) => SuspendedActivation): Cpu[] {
  return cpus.map((c) => ({ ...c, stack: c.stack.map(act), irqSaved: [...c.irqSaved] }));
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
