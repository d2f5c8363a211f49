// Pending interrupts and the per-CPU timers. A timer that expired becomes
// a pending "timer" interrupt; devices and IPIs raise their own. Each
// interrupt has a sequence number so a schedule names it stably.
import type { Cpu, PendingIrq } from "./types.ts";

export class IrqQueue {
  pending: PendingIrq[] = [];
  seq = 0;

  raise(cpu: number, kind: string, due: number, entry: () => void, start?: () => void): PendingIrq {
    const p: PendingIrq = { seq: this.seq++, cpu, kind, due, entry, start };
    this.pending.push(p);
    return p;
  }

  /** Removes and returns the interrupt with sequence number `seq`. */
  take(seq: number): PendingIrq {
    const i = this.pending.findIndex((p) => p.seq === seq);
    if (i < 0) throw new Error(`interrupt #${seq} is not pending`);
    return this.pending.splice(i, 1)[0]!;
  }

  /** Whether an interrupt of `kind` is pending on `cpu`. */
  has(cpu: number, kind: string): boolean {
    return this.pending.some((p) => p.cpu === cpu && p.kind === kind);
  }
}

/** Turns every expired timer of an online CPU into a pending timer interrupt. */
export function materializeTimers(cpus: Cpu[], nowNs: number, raiseTimer: (cpu: number) => void): void {
  for (const cpu of cpus)
    if (cpu.online && cpu.timerAt <= nowNs) {
      cpu.timerAt = Infinity;
      raiseTimer(cpu.id);
    }
}

/** Whether any interrupt or timer is due at `nowNs`. */
export function anyIrqDue(cpus: Cpu[], irqs: IrqQueue, nowNs: number): boolean {
  for (const p of irqs.pending) if (p.due <= nowNs) return true;
  for (const c of cpus) if (c.timerAt <= nowNs) return true;
  return false;
}

/** The time of the next timer or device event (Infinity: none). */
export function nextEventNs(cpus: Cpu[], irqs: IrqQueue): number {
  let next = Infinity;
  for (const c of cpus) if (c.online) next = Math.min(next, c.timerAt);
  for (const p of irqs.pending) next = Math.min(next, p.due);
  return next;
}
