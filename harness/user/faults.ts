// Host-driven kernel fault injection, the kernel's own machinery with
// syzkaller's fail-nth semantics: inside one system call of one task, the
// n-th fault point it reaches (should_fail(): a slab allocation, a page
// allocation, a usercopy) fails; a sweep tries n = 1, 2, ... until the
// call reaches fewer than n points. Needs the debug kernel (FAULT_INJECTION,
// FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_USERCOPY, its debugfs knobs).
import type { Agent } from "../agent/api.ts";
import { O } from "./abi.ts";
import { endHelper, mountPseudo } from "./pseudo.ts";
import { UserTask } from "./task.ts";

/** Where enableFailNth() mounts debugfs (unmounted again before it returns). */
const DEBUGFS_MOUNT = "/dioscope-debugfs";
const SETUP_TASK = "fault-setup";

/**
 * The knobs syzkaller sets too: by default failslab and fail_page_alloc
 * skip allocations that may sleep (ignore-gfp-wait) and fail_page_alloc
 * skips order-0 pages (min-order 1) — that is, nearly every allocation of
 * an I/O path. With these, every allocation is a fault point.
 */
export const FAIL_NTH_KNOBS: Readonly<Record<string, string>> = {
  "failslab/ignore-gfp-wait": "N",
  "fail_page_alloc/ignore-gfp-wait": "N",
  "fail_page_alloc/ignore-gfp-highmem": "N",
  "fail_page_alloc/min-order": "0",
};

/** Most fault points a sweep visits before it is taken for a loop. */
export const MAX_FAIL_NTH = 10_000;

/** Makes every allocation a fault point (the debugfs knobs, written by a user task through write(2)). */
export function enableFailNth(agent: Agent): void {
  mountPseudo(agent, "debugfs", DEBUGFS_MOUNT);
  const t = UserTask.spawn(agent, { name: SETUP_TASK });
  for (const [knob, value] of Object.entries(FAIL_NTH_KNOBS)) {
    const fd = t.open(`${DEBUGFS_MOUNT}/${knob}`, O.WRONLY);
    const buf = t.put(new TextEncoder().encode(value + "\n"));
    const n = t.sys("write", fd, buf, value.length + 1);
    if (n !== value.length + 1) throw new Error(`write ${knob}: ${n}`);
    t.close(fd);
  }
  endHelper(agent, t, SETUP_TASK);
  agent.ok(0, { op: "UMOUNT", path: DEBUGFS_MOUNT });
}

export interface FailNthStep {
  nth: number;
  /** The n-th fault point was reached and failed. */
  injected: boolean;
  /** What the system call returned. */
  result: number;
}

/**
 * The sweep: runs `tryNth(n)` (each from the same starting state, e.g. a
 * restored snapshot) for n = 1, 2, ... until a run reaches fewer than n
 * fault points; returns every step, the last one not injected.
 */
export function sweepFailNth(tryNth: (nth: number) => FailNthStep, maxNth = MAX_FAIL_NTH): FailNthStep[] {
  const steps: FailNthStep[] = [];
  for (let nth = 1; ; nth++) {
    if (nth > maxNth) throw new Error(`fail-nth sweep: still injecting at n = ${maxNth} (a loop that allocates forever?)`);
    const s = tryNth(nth);
    if (s.nth !== nth) throw new Error(`fail-nth sweep: asked for n = ${nth}, got a step for ${s.nth}`);
    steps.push(s);
    if (!s.injected) return steps;
  }
}
