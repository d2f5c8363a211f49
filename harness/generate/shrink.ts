// Shrinking a failing case: fewer tasks, operations, requests and faults,
// a simpler file and simpler buffers, kept while the case still fails the
// same oracles (explored with the same seed and schedules); then the
// failing schedule itself minimised (harness/explore/minimise.ts). The
// result is the workload's text and a replay token of the minimal schedule.
import { minimise } from "../explore/minimise.ts";
import { encodeToken } from "../explore/schedule.ts";
import type { KernelRef } from "../explore/runner.ts";
import { forgetPrepared } from "../scenario/run.ts";
import { exploreCase, targetOf, type CaseFailure, type CaseOptions } from "./suite.ts";
import { printWorkload } from "./text.ts";
import type { Op, TaskSpec, Workload } from "./workload.ts";

export interface Shrunk {
  workload: Workload;
  text: string;
  failure: CaseFailure;
  /** Workloads tried, and schedule candidates the step minimisation ran. */
  tries: number;
  scheduleTries: number;
  from: { tasks: number; ops: number; faults: number; steps: number };
}

const opsOf = (w: Workload) => w.tasks.reduce((n, t) => n + t.ops.length, 0);

/** Simpler forms of one operation (fewer requests, no O_DSYNC, one iovec, resident buffers, fewer flags). */
function simplerOps(op: Op): Op[] {
  const out: Op[] = [];
  if (op.fail !== undefined) {
    const { fail: _, ...plain } = op;
    out.push(plain as Op);
  }
  if (op.k === "uring" && op.poll) {
    const { poll: _, ...unpolled } = op;
    out.push(unpolled);
  }
  if ((op.k === "aio" || op.k === "uring") && op.reqs.length > 1) op.reqs.forEach((_, i) => out.push({ ...op, reqs: op.reqs.filter((__, j) => j !== i) }));
  if ("fd" in op && op.fd === "dsync") out.push({ ...op, fd: "direct" });
  if ("iov" in op && op.iov > 1) out.push({ ...op, iov: 1 });
  if ("fresh" in op && op.fresh) out.push({ ...op, fresh: false });
  if ("scatter" in op && op.scatter) {
    const { scatter: _, ...contiguous } = op;
    out.push(contiguous);
  }
  if ("mapped" in op && op.mapped) {
    const { mapped: _, ...unmapped } = op;
    out.push(unmapped);
  }
  if ((op.k === "preadv2" || op.k === "pwritev2") && op.rwf.length > 1) op.rwf.forEach((_, i) => out.push({ ...op, rwf: op.rwf.filter((__, j) => j !== i) }));
  return out;
}

/** Every one-step simplification of `w`, the biggest cuts first. */
export function candidates(w: Workload): Workload[] {
  const out: Workload[] = [];
  // Without the first task its threads have no process: the new first task becomes one.
  const first = (ts: TaskSpec[]) => (ts[0]?.thread ? [{ ops: ts[0].ops }, ...ts.slice(1)] : ts);
  if (w.tasks.length > 1) w.tasks.forEach((_, i) => out.push({ ...w, tasks: first(w.tasks.filter((__, j) => j !== i)) }));
  w.tasks.forEach((t, i) => t.thread && out.push({ ...w, tasks: w.tasks.map((x, j) => (j === i ? { ops: x.ops } : x)) }));
  w.faults.forEach((_, i) => out.push({ ...w, faults: w.faults.filter((__, j) => j !== i) }));
  w.tasks.forEach((t, i) => {
    const withOps = (ops: Op[]) => ({ ...w, tasks: w.tasks.map((x, j) => (j === i ? { ...x, ops } : x)) });
    if (t.ops.length > 1) t.ops.forEach((_, k) => out.push(withOps(t.ops.filter((__, j) => j !== k))));
    t.ops.forEach((op, k) => simplerOps(op).forEach((s) => out.push(withOps(t.ops.map((x, j) => (j === k ? s : x))))));
  });
  if (w.pre !== "hole") out.push({ ...w, pre: "hole" });
  return out;
}

/**
 * Shrinks workload `w` whose case fails on `kernel` with `failure`: a
 * candidate is kept when its case fails at least the same oracles (a
 * smaller case may show the same fault through one more: an appending
 * write that ran alone is also judged by the size oracles). At most
 * `maxTries` workloads are run.
 */
export function shrinkCase(w: Workload, kernel: KernelRef, failure: CaseFailure, o: CaseOptions & { maxTries?: number; maxScheduleTries?: number }): Shrunk {
  const maxTries = o.maxTries ?? 60;
  const same = (f: CaseFailure | null) => f !== null && failure.names.every((n) => f.names.includes(n));
  let cur = w;
  let curFail = failure;
  let tries = 0;
  for (let progress = true; progress && tries < maxTries; ) {
    progress = false;
    for (const c of candidates(cur)) {
      if (tries >= maxTries) break;
      tries++;
      const f = exploreCase(c, kernel, o).failure;
      if (same(f)) {
        cur = c;
        curFail = f!;
        progress = true;
        break;
      }
    }
  }
  let scheduleTries = 0;
  if (curFail.steps.length) {
    // Steps come from a PCT schedule, judged without the after-run probe (suite.ts).
    const t = targetOf(cur, kernel, false);
    try {
      const m = minimise(t, curFail.steps, { maxTries: o.maxScheduleTries ?? 100 });
      scheduleTries = m.tries;
      const token = encodeToken({ scenario: t.scenario.name, tree: kernel.tree, buildId: kernel.buildId, strategy: "minimised", seed: o.seed, index: Math.max(0, curFail.schedule), steps: m.steps });
      curFail = { ...curFail, strategy: "minimised", steps: m.steps, token, failures: m.outcome.failures };
    } catch (e) {
      // The schedule as found is kept (its token replays it) when minimisation cannot proceed (a replay that does not fail again).
      if (!(e instanceof Error) || !/minimise|reproduce/.test(e.message)) throw e;
    } finally {
      forgetPrepared(t.scenario);
    }
  }
  return {
    workload: cur,
    text: printWorkload(cur),
    failure: curFail,
    tries,
    scheduleTries,
    from: { tasks: w.tasks.length, ops: opsOf(w), faults: w.faults.length, steps: failure.steps.length },
  };
}
