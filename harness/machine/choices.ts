// What the scheduler may choose between at a switch point: continue the
// running CPU, take one of its due interrupts, or run another CPU (its
// context, if what it waits for is free, or one of its due interrupts).
// Pure functions of the CPUs, the pending interrupts and the lock words in
// kernel memory; the order is fixed, so a decision's index names a choice
// stably across replays.
import type { IrqQueue } from "./interrupts.ts";
import { canRun } from "./locks.ts";
import type { Choice } from "./scheduler.ts";
import { topOf, type Cpu } from "./types.ts";

/** Each CPU's "continue" and "run" choices: immutable values shared by every consultation (which then allocates only its list). */
const CONTINUE: Choice[] = [];
const RUN: Choice[] = [];
const continueOf = (cpu: number): Choice => (CONTINUE[cpu] ??= Object.freeze({ kind: "continue", cpu }));
const runOf = (cpu: number): Choice => (RUN[cpu] ??= Object.freeze({ kind: "run", cpu }));

/** The alternatives: continue `at` (if given), its own due interrupts, then other CPUs (from `at`, else from `lastCpu`) and theirs. */
export function choicesAt(cpus: Cpu[], irqs: IrqQueue, mem32: Int32Array, nowNs: number, lastCpu: number, at: Cpu | null): Choice[] {
  const out: Choice[] = [];
  const pending = irqs.pending;
  if (at) {
    out.push(continueOf(at.id));
    if (at.irqOn) for (const p of pending) if (p.cpu === at.id && p.due <= nowNs) out.push({ kind: "irq", cpu: at.id, irq: p });
  }
  const n = cpus.length;
  const first = at ? at.id : lastCpu;
  for (let k = at ? 1 : 0; k < n; k++) {
    const cpu = cpus[(first + k) % n]!;
    if (!cpu.online || cpu === at || cpu.parked) continue;
    const top = topOf(cpu);
    if (!top) continue;
    if (canRun(mem32, top.wait)) out.push(runOf(cpu.id));
    if (top.started && (cpu.irqOn || top.wait?.kind === "idle"))
      for (const p of pending) if (p.cpu === cpu.id && p.due <= nowNs) out.push({ kind: "irq", cpu: cpu.id, irq: p });
  }
  return out;
}

function irqDueOn(irqs: IrqQueue, cpu: number, nowNs: number): boolean {
  for (const p of irqs.pending) if (p.cpu === cpu && p.due <= nowNs) return true;
  return false;
}

/**
 * Whether choicesAt(.., at) would offer more than continuing `at` (the
 * common case at a switch point is no: then nothing is allocated).
 */
export function hasAlternative(cpus: Cpu[], irqs: IrqQueue, mem32: Int32Array, nowNs: number, at: Cpu): boolean {
  if (at.irqOn && irqDueOn(irqs, at.id, nowNs)) return true;
  for (const cpu of cpus) {
    if (cpu === at || !cpu.online || cpu.parked) continue;
    const top = topOf(cpu);
    if (!top) continue;
    if (canRun(mem32, top.wait)) return true;
    if (top.started && (cpu.irqOn || top.wait?.kind === "idle") && irqDueOn(irqs, cpu.id, nowNs)) return true;
  }
  return false;
}
