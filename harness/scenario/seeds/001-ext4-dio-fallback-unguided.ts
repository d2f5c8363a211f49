// Seed 001 unguided: the same file, tasks and expectations as the scripted
// scenario (001-ext4-dio-fallback.ts), without any scheduling constraint.
// A's asynchronous O_DIRECT overwrite of block 1 (CPU 0) and B's 8 KiB
// O_DIRECT write over the hole (CPU 1, falls back to a buffered write) are
// queued together; every bio completes by an interrupt on the CPU that
// submitted it, due `delayNs` after submission. From then on the machine's
// scheduler decides everything: which CPU runs at each switch point and
// when a due interrupt is taken (deliver now or defer). With the default
// scheduler (run-to-block, interrupts taken as soon as they are due) the
// race does not happen; an explorer (harness/explore) has to find it.
//
// Verdicts come only from what the kernel did: the completions of A and B,
// the console (the "Page cache invalidation failure on direct I/O" warning
// of the completion work's invalidate_inode_pages2_range) and fsync's
// return value (-EIO once the mapping carries the error).
import type { Completion } from "../../block/faults.ts";
import type { Task } from "../context.ts";
import { expect, type Scenario } from "../types.ts";
import { seed001 } from "./001-ext4-dio-fallback.ts";

const WARNING = "Page cache invalidation failure on direct I/O";

interface State {
  A: Task;
  B: Task;
  fdA: number;
  fdB: number;
  bufA: number;
  bufB: number;
}

function unguided(name: string, title: string, completion: Completion, memoryMiB: number | undefined, note: string): Scenario<State> {
  return {
    name,
    title,
    seed: "001",
    trees: seed001.trees,
    disks: seed001.disks,
    cpus: seed001.cpus,
    memoryMiB,
    setup: (s) => seed001.setup(s) as State,
    run(s, { A, B, fdA, fdB, bufA, bufB }) {
      s.block.setRules([]);
      s.block.completion = completion;
      const a = s.start(A, { op: "WRITE", fd: fdA, buf: bufA, len: 4096, off: 4096, flags: 1 });
      const b = s.start(B, { op: "WRITE", fd: fdB, buf: bufB, len: 8192, off: 0 });
      s.runUntil(() => a.completed !== null && b.returned !== null, "A's completion and B's write");
      s.observe("A.completion", a.completed);
      s.observe("A.completions", a.completions);
      s.observe("B.result", b.returned);
      s.observe("fsync", s.call({ op: "FSYNC", fd: fdB }));
    },
    expectations: [
      expect.value("A.completion", 4096, "A completes 4096 bytes"),
      expect.value("A.completions", 1, "A's kiocb completes exactly once"),
      expect.value("B.result", 8192, "B writes 8192 bytes"),
      expect.noConsole(WARNING, "no stale page-cache warning"),
      expect.value("fsync", 0, "fsync returns 0 (no -EIO on the mapping)"),
      expect.noHang(),
    ],
    notes: `Unguided: no breakpoint, no held bio; the interleaving is the scheduler's. ${note}`,
  };
}

/** Completion interrupts due as soon as the bio is submitted: the device's latency is whatever the schedule makes it. */
export const seed001Unguided = unguided(
  "001-ext4-dio-fallback-unguided",
  "ext4 (no extents): async DIO vs. DIO→buffered fallback, unguided (completion on the submitting CPU, due at once)",
  { when: "irq", delayNs: 0 },
  12,
  "Every bio completes by an interrupt on its submitting CPU, due at submission; when it is taken is a scheduling choice.",
);

/** The same with a device latency: completions due 20 µs of simulated time after submission. */
export const seed001UnguidedLatency = unguided(
  "001-ext4-dio-fallback-unguided-20us",
  "ext4 (no extents): async DIO vs. DIO→buffered fallback, unguided, 20 µs device latency",
  { when: "irq", delayNs: 20_000 },
  12,
  "Every bio completes by an interrupt on its submitting CPU, due 20 µs of simulated time after submission (time moves with clock reads and idle jumps).",
);
