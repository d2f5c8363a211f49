// Simulated time. No wall clock is ever read: the monotonic clock starts at
// 0 and moves only when the kernel reads it (a small step per read, so
// polling loops end), when a CPU spins with cpu_relax(), or when nothing
// can run and it jumps to the next timer or device event.

export interface ClockOptions {
  /** Nanoseconds each clock read advances time. */
  readStepNs?: number;
  /** Nanoseconds each cpu_relax() advances time. */
  relaxStepNs?: number;
  /** The persistent clock at boot, seconds since the epoch (file times). */
  bootEpochSeconds?: number;
}

export class SimClock {
  now = 0;
  readonly readStepNs: number;
  readonly relaxStepNs: number;
  readonly bootEpochSeconds: number;
  constructor(o: ClockOptions = {}) {
    this.readStepNs = o.readStepNs ?? 50;
    this.relaxStepNs = o.relaxStepNs ?? 100;
    this.bootEpochSeconds = o.bootEpochSeconds ?? 1_767_225_600; // 2026-01-01T00:00:00Z
  }
  read(): number {
    this.now += this.readStepNs;
    return this.now;
  }
  /** "[    1.234567] " — the kernel's own timestamp format, in simulated time. */
  stamp(at = this.now): string {
    const us = Math.floor(at / 1000);
    const s = Math.floor(us / 1e6);
    return `[${String(s).padStart(5)}.${String(us % 1e6).padStart(6, "0")}] `;
  }
}
