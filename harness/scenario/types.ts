// A scenario: disks and filesystems, a set-up that runs once before the
// snapshot, the operations (with an optional scripted schedule expressed
// against kernel function names), and expectations on what the real
// kernel did. Verdicts never come from a model: only from observations.
import type { FsKind } from "../block/images.ts";
import type { ConsoleLine } from "../machine/console.ts";
import type { ScenarioContext } from "./context.ts";

/** What a run observed: named values the scenario recorded, the console, and whether it hung. */
export interface Observed {
  values: Record<string, number | string | null>;
  console: ConsoleLine[];
  /** Set when the run did not finish: what was still waited for. */
  hang: string | null;
}

export interface Expectation {
  /** Short name for KTAP ("no stale page-cache warning"). */
  name: string;
  /** Returns null when it holds, else what was seen instead. */
  check(o: Observed): string | null;
}

/** Kernel versions, e.g. { from: "6.1" } or { from: "6.1", until: "6.9" }. */
export interface KernelRange {
  from: string;
  until?: string;
}

export interface Scenario<S = any> {
  name: string;
  title: string;
  /** The seed mail it reproduces ("001"), if any. */
  seed: string | null;
  /** Kernel versions it is written for: `from` (inclusive) up to `until` (exclusive; open when absent). */
  kernels: KernelRange;
  /** Ranges inside `kernels` where it does not apply, with the reason. */
  notApplicable?: readonly (KernelRange & { reason: string })[];
  disks: readonly { kind: FsKind; sizeMiB?: number }[];
  cpus: number;
  memoryMiB?: number;
  /** Runs once per build before the snapshot: mounts, files, tasks. Returns what run() needs (fds, buffers, tasks). */
  setup(s: ScenarioContext): S;
  /** The operations of one run (restored from the snapshot each time). */
  run(s: ScenarioContext, state: S): void;
  expectations: readonly Expectation[];
  /** What the scenario changes or assumes beyond the literal patch, for the report. */
  notes?: string;
}

/** Expectation helpers. */
export const expect = {
  value(key: string, want: number, name = `${key} == ${want}`): Expectation {
    return { name, check: (o) => (o.values[key] === want ? null : `${key} was ${o.values[key] ?? "never recorded"}`) };
  },
  noConsole(text: string, name = `no console message "${text}"`): Expectation {
    return {
      name,
      check: (o) => {
        const l = o.console.find((c) => c.text.includes(text));
        return l ? `console: ${l.text.trim()}` : null;
      },
    };
  },
  noWarnings(name = "no kernel WARNING/BUG"): Expectation {
    return {
      name,
      check: (o) => {
        const l = o.console.find((c) => /WARNING:|BUG:|Oops/.test(c.text));
        return l ? `console: ${l.text.trim()}` : null;
      },
    };
  },
  noHang(name = "every operation finished (no hang)"): Expectation {
    return { name, check: (o) => o.hang };
  },
};
