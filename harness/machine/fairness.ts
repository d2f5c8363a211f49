// Fairness between the machine's CPUs. A scheduler that lets the running
// CPU go on until it blocks (RunToBlock, the explorers' natural choice, a
// high-priority CPU under PCT) starves every other CPU while that one spins
// without blocking — a kthread looping on schedule() while the other CPU
// waits for a lock it will release only when it runs. The rule: a CPU that
// passes FAIR_SLICE_SWITCH_POINTS consecutive switch points (other CPUs ran
// none in between) while something else could run gives way once, as if it
// called cpu_relax(): that switch point is a yielding one, and the scheduler
// is consulted there like at any other (its decision is recorded and
// replays). The count is machine state (snapshots keep it), so a run from
// a snapshot meets the same yielding points every time.
//
// Time: simulated time moves only when the kernel reads the clock or calls
// cpu_relax(). A CPU that spins through a whole slice while nothing else
// can run (a kthread looping on schedule() while the other CPU idles until
// a timer) would keep time still, so that timer never comes due. At the
// end of such a slice time jumps to the next timer or device event, as
// cpu_relax() does when nothing else can run.
//
// Only switch points are counted: a loop that makes no host call at all
// (no lock, no interrupt flag, no clock read) gives the machine no point to
// act and is not covered by this rule.

/**
 * Consecutive switch points of one CPU before it gives way (or time moves
 * on). Far above the longest stretch a CPU runs in a scenario run (about
 * 2,000 with another CPU runnable) or in a plain kernel's boot (41,000
 * switch points in all), so those are the same with and without the rule;
 * a debug kernel's boot (1.8 million) meets it.
 */
export const FAIR_SLICE_SWITCH_POINTS = 50_000;

/** The running stretch: which CPU, and how many switch points it has passed since another CPU last did. */
export interface SliceState {
  cpu: number;
  switchPoints: number;
}

export class Slice implements SliceState {
  cpu = -1;
  switchPoints = 0;

  /** Counts a switch point of `cpu`; true when it ends the CPU's slice (the counter starts again). */
  tick(cpu: number): boolean {
    if (cpu !== this.cpu) {
      this.cpu = cpu;
      this.switchPoints = 0;
    }
    if (++this.switchPoints < FAIR_SLICE_SWITCH_POINTS) return false;
    this.switchPoints = 0;
    return true;
  }

  save(): SliceState {
    return { cpu: this.cpu, switchPoints: this.switchPoints };
  }

  load(s: SliceState): void {
    this.cpu = s.cpu;
    this.switchPoints = s.switchPoints;
  }
}
