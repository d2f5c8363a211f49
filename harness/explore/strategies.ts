// The explorers' schedulers. All are preemptive (consulted at every switch
// point with alternatives) and record the run as a Schedule's steps: the
// consultations where the choice differs from the natural one.
//
// The natural choice ("lazy"): the CPU at the switch point goes on (index
// 0); when it yields (cpu_relax: it spins waiting for another CPU) the next
// CPU runs instead, as on real hardware where the other CPU runs in
// parallel; when no CPU is running (blocked), the first alternative in the
// machine's order. Due interrupts are not taken by the natural choice until
// nothing else can run: taking one earlier is a step.
import { interesting, type Machine } from "../machine/machine.ts";
import type { Choice, Scheduler, SwitchPoint } from "../machine/scheduler.ts";
import { wasmFrames } from "../machine/stack.ts";
import { prng } from "../machine/scheduler.ts";
import type { Step } from "./schedule.ts";

/** The natural choice at a consultation (see above). */
export function lazyChoice(point: SwitchPoint, choices: readonly Choice[]): number {
  if (!point.yielding || point.cpu === null) return 0;
  const run = choices.findIndex((c, i) => i > 0 && c.kind === "run");
  return run >= 0 ? run : choices.length > 1 ? 1 : 0;
}

/** A short name of an alternative: "go on 0", "run 1", "irq 0 blk#20". */
export function choiceName(c: Choice): string {
  return c.kind === "continue" ? `go on ${c.cpu}` : c.kind === "run" ? `run ${c.cpu}` : `irq ${c.cpu} ${c.irq.kind}`;
}

/** A step where the running CPU could have gone on and did not (not a yield, not a blocked point). */
function isPreemption(point: SwitchPoint, index: number): boolean {
  return point.cpu !== null && !point.yielding && index !== 0;
}

/** Counts consultations and records the steps of the run. */
export abstract class Recording implements Scheduler {
  abstract readonly name: string;
  readonly preemptive = true;
  consultations = 0;
  steps: Step[] = [];
  preemptions = 0;
  /** When set (a traced run), each step is noted in the machine's event log with the kernel functions it interrupted. */
  machine: Machine | null = null;
  /** When set, per consultation: the number of alternatives and the natural choice (the bounded search enumerates from them). */
  alternatives: { of: number[]; natural: number[] } | null = null;

  choose(point: SwitchPoint, choices: readonly Choice[]): number {
    const at = this.consultations++;
    const i = this.pick(at, point, choices);
    const natural = lazyChoice(point, choices);
    if (this.alternatives) {
      this.alternatives.of.push(choices.length);
      this.alternatives.natural.push(natural);
    }
    if (i !== natural) {
      this.steps.push({ at, index: i, of: choices.length, what: choiceName(choices[i]!) });
      const preempt = isPreemption(point, i);
      if (preempt) this.preemptions++;
      this.note(point, choices[i]!, preempt);
    }
    return i;
  }

  private note(point: SwitchPoint, c: Choice, preempt: boolean): void {
    const trace = this.machine?.trace;
    if (!trace) return;
    const then = c.kind === "irq" ? `takes ${c.irq.kind}` : `CPU ${c.cpu} runs`;
    if (point.cpu === null) {
      trace.push({ timeNs: this.machine!.clock.now, cpu: c.cpu, kind: "note", text: `explorer: ${then}` });
      return;
    }
    const where = interesting(wasmFrames(new Error()), 2).join(" < ");
    trace.push({ timeNs: this.machine!.clock.now, cpu: point.cpu, kind: "note", text: `${preempt ? "preempted" : "yields"}${where ? ` in ${where}` : ""}: ${then}` });
  }

  protected abstract pick(at: number, point: SwitchPoint, choices: readonly Choice[]): number;
}

/** A 32-bit seed for schedule `index` of an exploration seeded with `seed` (each schedule independent: sharding). */
export function scheduleSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((index >>> 0) + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface PctParams {
  /** Bug depth d: d-1 priority change points. */
  depth: number;
  /** Consultations the change points are drawn from (the natural run's count). */
  horizon: number;
  /**
   * Consultations of the natural run where the running CPU is inside a
   * function the change under test touches (explore/focus.ts): each change
   * point is drawn from them with probability FOCUS_SHARE, else uniformly.
   */
  hot?: readonly number[];
}

/** The share of PCT change points drawn from the focus consultations when there are any. */
export const FOCUS_SHARE = 0.5;

/**
 * PCT (Burckhardt et al., ASPLOS 2010) over the machine's entities: each
 * CPU, and each pending interrupt (deliver it = run that entity). Every
 * entity gets a random priority in [d, d+1) when first seen (CPUs at the
 * start, an interrupt when it first becomes deliverable); at each
 * consultation the highest-priority alternative runs; at the d-1 change
 * points (consultation ordinals drawn uniformly from [0, horizon)) the
 * entity about to run drops to priority d-1, d-2, ... below every other.
 * A CPU that yields (spins in cpu_relax) lets the best other entity run.
 */
export class Pct extends Recording {
  readonly name: string;
  private readonly rand: () => number;
  /** Priorities by entity: CPUs by id, interrupts by sequence number (numbers, not names: looked up at every consultation). */
  private readonly cpuPrio: number[] = [];
  private readonly irqPrio = new Map<number, number>();
  private readonly changes: number[];
  private nextChange = 0;

  constructor(
    readonly seed32: number,
    readonly params: PctParams,
    cpus: number,
  ) {
    super();
    this.name = `pct(d=${params.depth},k=${params.horizon}${params.hot?.length ? `,hot=${params.hot.length}` : ""})`;
    this.rand = prng(seed32);
    for (let c = 0; c < cpus; c++) this.cpuPrio[c] = params.depth + this.rand();
    const picks = new Set<number>();
    const want = Math.min(params.depth - 1, params.horizon);
    const hot = params.hot?.filter((at) => at < params.horizon) ?? [];
    while (picks.size < want) {
      const fromHot = hot.length > 0 && this.rand() < FOCUS_SHARE;
      picks.add(fromHot ? hot[Math.floor(this.rand() * hot.length)]! : Math.floor(this.rand() * params.horizon));
    }
    this.changes = [...picks].sort((a, b) => a - b);
  }

  /** The entity's priority; one first seen gets a random one. */
  private priority(c: Choice): number {
    let p = c.kind === "irq" ? this.irqPrio.get(c.irq.seq) : this.cpuPrio[c.cpu];
    if (p === undefined) {
      p = this.params.depth + this.rand();
      this.setPriority(c, p);
    }
    return p;
  }

  private setPriority(c: Choice, p: number): void {
    if (c.kind === "irq") this.irqPrio.set(c.irq.seq, p);
    else this.cpuPrio[c.cpu] = p;
  }

  private best(point: SwitchPoint, choices: readonly Choice[]): number {
    const skipOwn = point.yielding && point.cpu !== null && choices.length > 1;
    let best = -1;
    let bp = -Infinity;
    for (let i = skipOwn ? 1 : 0; i < choices.length; i++) {
      const p = this.priority(choices[i]!);
      if (p > bp) {
        bp = p;
        best = i;
      }
    }
    return best;
  }

  protected pick(at: number, point: SwitchPoint, choices: readonly Choice[]): number {
    let i = this.best(point, choices);
    while (this.nextChange < this.changes.length && this.changes[this.nextChange]! <= at) {
      if (this.changes[this.nextChange] === at) {
        this.setPriority(choices[i]!, this.params.depth - 1 - this.nextChange);
        i = this.best(point, choices);
      }
      this.nextChange++;
    }
    return i;
  }
}

/** Uniform random walk: at every consultation, each alternative with the same probability. */
export class RandomWalk extends Recording {
  readonly name = "random-walk";
  private readonly rand: () => number;
  constructor(readonly seed32: number) {
    super();
    this.rand = prng(seed32);
  }
  protected pick(_at: number, _point: SwitchPoint, choices: readonly Choice[]): number {
    return Math.floor(this.rand() * choices.length);
  }
}

/** The run diverged from the schedule it replays (another kernel, or a non-deterministic harness). */
export class Divergence extends Error {}

/**
 * Follows a schedule's steps; every other consultation takes the natural
 * choice. Strict: a step whose number of alternatives differs from the
 * recorded one is a divergence (recorded in `diverged`, and the run is
 * stopped). Lenient (minimisation): a step takes the alternative of the
 * name it recorded ("run 1", "irq 0 blk#20") when there is one (else, for
 * a step without a name, the same index if it exists), and is skipped
 * otherwise.
 */
export class Follow extends Recording {
  readonly name: string;
  private readonly byAt = new Map<number, Step>();
  applied = 0;
  diverged: string | null = null;

  constructor(
    steps: readonly Step[],
    readonly strict: boolean,
  ) {
    super();
    this.name = strict ? "replay" : "follow";
    for (const s of steps) this.byAt.set(s.at, s);
  }

  protected pick(at: number, point: SwitchPoint, choices: readonly Choice[]): number {
    const s = this.byAt.get(at);
    if (!s) return lazyChoice(point, choices);
    if (this.strict) {
      if (s.of !== choices.length) {
        this.diverged ??= `consultation ${at}: ${choices.length} alternatives, the schedule recorded ${s.of}`;
        throw new Divergence(this.diverged);
      }
      this.applied++;
      return s.index;
    }
    // Lenient: the alternative of the same name if there is one, else the same index if it exists.
    const named = s.what === undefined ? -1 : choices.findIndex((c) => choiceName(c) === s.what);
    const i = named >= 0 ? named : s.index < choices.length && s.what === undefined ? s.index : -1;
    if (i < 0) return lazyChoice(point, choices);
    this.applied++;
    return i;
  }

  /** True when every step was applied exactly as recorded. */
  complete(total: number): boolean {
    return this.diverged === null && this.applied === total;
  }
}
