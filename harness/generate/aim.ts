// Fault injection aimed at the change: when the change's words ask for
// allocation failures (the "failnth" emphasis: ENOMEM, kmalloc, leak, ...),
// a fail-nth mark drawn at random rarely lands on the one allocation the
// patch is about. Before such a case runs, its fail-marked ops are swept on
// the kernel before the change (natural schedule, no probe): n = 1, 2, ...
// until the call reaches fewer than n fault points, reading the kernel's own
// FAULT_INJECTION report of each run. An n whose failed allocation has one
// of the changed functions on its call stack is under the change; the first
// reached through a call the hunks themselves make (btrfs_create_dio_extent
// beside the lines a fix changes, not an earlier lookup in the same
// function) are the case's variants: the case runs once per point, the
// same on both sides, until one changes sides. Each variant is a workload
// printed and replayed as any other; only its `failN` differs from the
// drawn one.
import { runWith, type KernelRef } from "../explore/runner.ts";
import { Follow } from "../explore/strategies.ts";
import { traceFrames } from "../oracles/frames.ts";
import { ScenarioError } from "../scenario/load.ts";
import { forgetPrepared } from "../scenario/run.ts";
import { workloadScenario } from "./scenario.ts";
import type { Workload } from "./workload.ts";

/** Most sweep runs spent aiming one case (all its fail-marked ops together), and one op. */
export const AIM_MAX_RUNS = 64;
export const AIM_OP_MAX_RUNS = 40;
/** Most variants (fault points) one aimed case runs. */
export const AIM_VARIANTS_MAX = 4;
/** The kernel's report of an injected fault (lib/fault-inject.c fail_dump()). */
const INJECTED = /FAULT_INJECTION: forcing a failure/;
/** Lines after the report's first that its call trace may take. */
const TRACE_LINES_MAX = 80;

export interface Aimed {
  /** The workloads the case runs, in order: one per fault point under the change (the drawn workload when there is none). */
  variants: Workload[];
  /** The points aimed at ([task, op] indices and n), one per variant; empty when none was found. */
  aimed: { task: number; op: number; nth: number }[];
  runs: number;
}

/** `w` with op [task, op]'s fail mark set to `nth`; with `alone`, every other op's mark removed. */
function withFail(w: Workload, at: readonly [number, number], nth: number, alone = false): Workload {
  return {
    ...w,
    tasks: w.tasks.map((t, ti) => ({ ...t, ops: t.ops.map((o, oi) => (ti === at[0] && oi === at[1] ? { ...o, fail: nth } : alone ? (({ fail: _f, ...rest }) => rest)(o) : o)) })),
  };
}

/** The functions on the call stack of the fault the run's console reports injected, or null when none was. */
function injectedFrames(lines: readonly string[]): string[] | null {
  const i = lines.findIndex((l) => INJECTED.test(l));
  return i < 0 ? null : traceFrames(lines.slice(i, i + TRACE_LINES_MAX));
}

/** A fault point of one op under the change: its n, and whether it is reached through a call the hunks make. */
interface Hit {
  nth: number;
  throughCall: boolean;
}

/**
 * Sweeps the fail-marked ops of `w` on `kernel` for fault points with one
 * of `focus` on their call stack. Those reached through a call the hunks
 * make (`calls`: the frame just inside the changed function is one of them)
 * are the variants, at most AIM_VARIANTS_MAX, in sweep order; when there is
 * none, the first point under the change at all; when there is not even
 * that, the workload as drawn.
 */
export function aimFaults(w: Workload, kernel: KernelRef, focus: readonly string[], calls: readonly string[] = []): Aimed {
  const marked: [number, number][] = [];
  w.tasks.forEach((t, ti) => t.ops.forEach((o, oi) => o.fail !== undefined && marked.push([ti, oi])));
  const want = new Set(focus);
  const through = new Set(calls);
  let runs = 0;
  const best: Aimed["aimed"] = [];
  let fallback: Aimed["aimed"][number] | null = null;
  for (const [task, op] of want.size ? marked : []) {
    const budget = Math.min(AIM_OP_MAX_RUNS, AIM_MAX_RUNS - runs);
    if (budget <= 0 || best.length >= AIM_VARIANTS_MAX) break;
    const swept = sweepOp(w, [task, op], kernel, want, through, budget);
    runs += swept.runs;
    for (const h of swept.hits) if (h.throughCall && best.length < AIM_VARIANTS_MAX) best.push({ task, op, nth: h.nth });
    if (!fallback && swept.hits.length) fallback = { task, op, nth: swept.hits[0]!.nth };
  }
  const aimed = best.length ? best : fallback ? [fallback] : [];
  return { variants: aimed.length ? aimed.map((a) => withFail(w, [a.task, a.op], a.nth)) : [w], aimed, runs };
}

/** Runs op `at` of `w` with n = 1, 2, ... (at most `budget` runs, until the call reaches fewer than n points); its fault points under the change. */
function sweepOp(w: Workload, at: readonly [number, number], kernel: KernelRef, want: ReadonlySet<string>, through: ReadonlySet<string>, budget: number): { hits: Hit[]; runs: number } {
  // Every n of one op shares one booted machine: the set-up does not depend on n (one name, one prepared snapshot).
  const name = `aim-${workloadScenario(withFail(w, at, 1, true)).name}`;
  const scenarioOf = (nth: number) => ({ ...workloadScenario(withFail(w, at, nth, true), { debug: true }), name });
  const hits: Hit[] = [];
  let runs = 0;
  try {
    for (let nth = 1; runs < budget; nth++) {
      runs++;
      const { run } = runWith({ scenario: scenarioOf(nth), kernel, probe: false }, new Follow([], false));
      // The call reached fewer than n fault points: the sweep of this op is over.
      if (!run.commands.some((c) => c.command.op === "SYSCALL" && c.command.mode === nth && c.failNthLeft === 0)) break;
      // An allocation with __GFP_NOWARN fails without a report: its stack is unknown, so it is not aimed at.
      const frames = injectedFrames(run.console.map((l) => l.text)) ?? [];
      const i = frames.findIndex((f) => want.has(f));
      if (i < 0) continue;
      // Frames run from the innermost out: the one before the changed function is what it called.
      hits.push({ nth, throughCall: i > 0 && through.has(frames[i - 1]!) });
    }
  } catch (e) {
    // The workload's own steps failed (a refused mount or open): nothing to aim; the case reports it.
    if (!(e instanceof ScenarioError)) throw e;
  } finally {
    forgetPrepared(scenarioOf(1));
  }
  return { hits, runs };
}
