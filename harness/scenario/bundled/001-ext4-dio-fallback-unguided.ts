// Seed 001 unguided: the same file, tasks and expectations as the scripted
// scenario (001-ext4-dio-fallback.ts), without any scheduling constraint.
// A's asynchronous O_DIRECT overwrite of block 1 (CPU 0) and B's 8 KiB
// O_DIRECT write over the hole (CPU 1, falls back to a buffered write) are
// queued together; every bio completes by an interrupt on the CPU that
// submitted it, due at once. From then on the machine's
// scheduler decides everything: which CPU runs at each switch point and
// when a due interrupt is taken (deliver now or defer). With the default
// scheduler (run-to-block, interrupts taken as soon as they are due) the
// race does not happen; an explorer (harness/explore) has to find it.
//
// Verdicts come only from what the kernel did: the completions of A and B,
// the console (the "Page cache invalidation failure on direct I/O" warning
// of the completion work's invalidate_inode_pages2_range) and fsync's
// return value (-EIO once the mapping carries the error).
import { expect, type Scenario } from "../api.ts";
import { seed001 } from "./001-ext4-dio-fallback.ts";

type State = Parameters<(typeof seed001)["run"]>[1];

/** The scripted scenario's expectations but for "A's submit returns -EIOCBQUEUED": unguided, A may complete before its submit returns. */
const QUEUED = "A's async write is queued (-EIOCBQUEUED)";
const SHARED = seed001.expectations.filter((x) => x.name !== QUEUED);
if (SHARED.length !== seed001.expectations.length - 1) throw new Error(`seed 001's expectation "${QUEUED}" was renamed: update the unguided scenario`);

/**
 * Completion interrupts are due as soon as the bio is submitted: the
 * device's latency is whatever the schedule makes it. (Two variants were
 * tried and are not registered: completions on CPU 1 — with
 * CONFIG_PREEMPT_NONE the completion work queued on B's CPU cannot run
 * inside B's window, 0 of 10 PCT seeds x 2000 schedules — and a fixed 20 µs
 * latency — simulated time does not pass while the explorer holds a CPU
 * back, so the interrupt is not due before B has written back, 0 of 10 x
 * 2000.)
 */
export const seed001Unguided: Scenario<State> = {
  name: "001-ext4-dio-fallback-unguided",
  title: "ext4 (no extents): async DIO vs. DIO→buffered fallback, unguided (completions on the submitting CPU, due at once)",
  mode: "unguided",
  // The race needs one preemption (B's CPU held between the buffered write
  // and its writeback while A's completion runs). Measured before the fix,
  // explorer seed 1: depth 3 fails 5 of 300 schedules on 6.12 but 14 of
  // 2,000 on 7.3 (first at 391: the second change point often undoes the
  // first); depth 2 finds it within 56 schedules for seeds 1-10 on 6.1,
  // 6.12 and 7.3.
  pctDepth: 2,
  exercises: seed001.exercises,
  reproduces: seed001.reproduces,
  disks: seed001.disks,
  cpus: seed001.cpus,
  // Small RAM: restoring the snapshot per schedule copies it (10 MiB is the least that boots).
  memoryMiB: 12,
  setup: (s) => seed001.setup(s) as State,
  run(s, { A, B, fdA, fdB, bufA, bufB }) {
    s.block.setRules([]);
    s.block.completion = { when: "irq", delayNs: 0 };
    const a = s.start(A, { op: "WRITE", fd: fdA, buf: bufA, len: 4096, off: 4096, flags: 1 });
    const b = s.start(B, { op: "WRITE", fd: fdB, buf: bufB, len: 8192, off: 0 });
    s.runUntil(() => a.completed !== null && b.returned !== null, "A's completion and B's write");
    s.observe("A.completion", a.completed);
    s.observe("A.completions", a.completions);
    s.observe("B.result", b.returned);
    s.observe("fsync", s.call({ op: "FSYNC", fd: fdB }));
  },
  oracles: seed001.oracles,
  expectations: [...SHARED, expect.value("A.completions", 1, "A's kiocb completes exactly once")],
  notes:
    "Unguided: no breakpoint, no held bio; the interleaving is the scheduler's. Every bio completes by an interrupt on its submitting CPU, due at submission; when it is taken is a scheduling choice. A's write may also complete before its submit returns (the value is then returned and reported once by the agent).",
};

export default seed001Unguided;
