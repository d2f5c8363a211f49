// The scheduler interface: the one place where the machine's choices are
// made. Every host import call is a switch point; at a switch point the
// machine may keep running the same CPU, run another CPU, or deliver a
// pending interrupt. Strategies (the default, seeded random, the explorers
// of harness/explore) implement `Scheduler`; the machine records every
// decision, so a run is a value that can be replayed.
import { prng } from "../prng.ts";

export { prng };

export interface PendingIrqRef {
  /** Stable id within the run (in order of raising). */
  seq: number;
  cpu: number;
  kind: string;
}

export type Choice =
  /** The CPU at the switch point goes on. Always index 0 when present. */
  | { kind: "continue"; cpu: number }
  /** Run another CPU from where it stopped. */
  | { kind: "run"; cpu: number }
  /** Deliver a pending interrupt on its CPU (which then runs the handler). */
  | { kind: "irq"; cpu: number; irq: PendingIrqRef };

export interface SwitchPoint {
  /** Import calls since boot (or since the snapshot the run started from). */
  step: number;
  /** The CPU at the switch point, or null when the previous one cannot go on. */
  cpu: number | null;
  /** The import called ("host_spin_lock"), or why no CPU is running ("blocked"). */
  reason: string;
  /** True when the running CPU asked to let others run (cpu_relax). */
  yielding: boolean;
}

export interface Scheduler {
  readonly name: string;
  /**
   * true: consulted at every switch point that has alternatives. false:
   * consulted only when the running CPU cannot go on, yields, or an
   * interrupt is due (much cheaper; the default run of a scenario).
   */
  readonly preemptive: boolean;
  /** Returns an index into `choices` (which has at least two entries). */
  choose(point: SwitchPoint, choices: readonly Choice[]): number;
}

/**
 * The natural machine: due interrupts are taken at once (on the current
 * CPU first), a CPU runs until it blocks, idles or yields, and a yield
 * passes to the next CPU in order.
 */
export class RunToBlock implements Scheduler {
  readonly name = "run-to-block";
  readonly preemptive = false;
  choose(point: SwitchPoint, choices: readonly Choice[]): number {
    const own = choices.findIndex((c) => c.kind === "irq" && c.cpu === point.cpu);
    if (own >= 0) return own;
    const irq = choices.findIndex((c) => c.kind === "irq");
    if (irq >= 0) return irq;
    if (point.yielding && choices.length > 1) {
      const next = choices.findIndex((c) => c.kind === "run" && c.cpu > (point.cpu ?? -1));
      return next >= 0 ? next : choices.findIndex((c) => c.kind === "run");
    }
    return 0;
  }
}

/**
 * Uniform random choice at a fraction `p` of switch points (otherwise the
 * natural choice): the same seed gives the same run.
 */
export class SeededRandom implements Scheduler {
  readonly name: string;
  readonly preemptive = true;
  private readonly next: () => number;
  private readonly natural = new RunToBlock();
  constructor(readonly seed: number, readonly p = 0.01) {
    this.name = `random(seed=${seed},p=${p})`;
    this.next = prng(seed);
  }
  choose(point: SwitchPoint, choices: readonly Choice[]): number {
    if (this.next() >= this.p) return this.natural.choose(point, choices);
    return Math.floor(this.next() * choices.length);
  }
}

/** A run's decisions: at which switch point (step) which choice index was taken, when it was not 0. */
export interface Decision {
  step: number;
  index: number;
  of: number;
  /**
   * Set when other consultations came before this one at the same step (a
   * switch point that went on, then the same CPU blocking on a lock): 1 for
   * the second, ... Absent means 0.
   */
  nth?: number;
}

/** Replays recorded decisions; every other switch point takes choice 0, as recorded. */
export class Replay implements Scheduler {
  readonly name = "replay";
  readonly preemptive: boolean;
  private i = 0;
  private lastStep = -1;
  private nth = 0;
  constructor(private readonly decisions: readonly Decision[], preemptive: boolean) {
    this.preemptive = preemptive;
  }
  choose(point: SwitchPoint, choices: readonly Choice[]): number {
    this.nth = point.step === this.lastStep ? this.nth + 1 : 0;
    this.lastStep = point.step;
    const d = this.decisions[this.i];
    if (d && d.step === point.step && (d.nth ?? 0) === this.nth) {
      this.i++;
      if (d.of !== choices.length) throw new Error(`replay diverged at step ${point.step}: ${choices.length} choices, recorded ${d.of}`);
      return d.index;
    }
    return 0;
  }
}
