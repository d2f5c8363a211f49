// A scenario: disks and filesystems, a set-up that runs once before the
// snapshot, the operations (with an optional scripted schedule expressed
// against kernel function names), and expectations on what the real
// kernel did. Verdicts never come from a model: only from observations.
import type { DiskKind } from "../block/images.ts";
import type { ConsoleLine } from "../machine/console.ts";
import type { OracleDeclarations } from "../oracles/types.ts";
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

/**
 * A kernel change a scenario needs beyond the patch under test, as data the
 * pipeline reads (never a branch on a scenario name). `patch` is a path
 * relative to the scenario file, or a file name in the repository's
 * patches/scenario/; `{tree}` in it is replaced by the tree's name, `{series}`
 * by its kernel series ("7.3", also for a user's tree at 7.3.x).
 */
export interface ScenarioPatch {
  patch: string;
  /** Why the scenario needs it: printed with every verdict that used it. */
  why: string;
}

/** A mail the scenario reproduces, recognised by its subject (without "[PATCH ...]"). */
export interface Reproduces {
  subject: string;
  /** Upstream commit id of the fix, for the report. */
  upstream?: string;
}

export type ScenarioMode = "scripted" | "unguided";

export interface Scenario<S = any> {
  name: string;
  title: string;
  /**
   * "scripted" (default): one run under the default schedule. "unguided":
   * no scripted interleaving; it runs under the explorers (`dioscope
   * explore`, `dioscope check --explore N`).
   */
  mode?: ScenarioMode;
  /**
   * Tree-relative paths (files or directory prefixes) of the kernel code the
   * scenario exercises: a check selects the scenarios whose paths a patch
   * touches.
   */
  exercises: readonly string[];
  /** Mails this scenario reproduces: selected for them, and a verdict other than "fixed" fails the main job. */
  reproduces?: readonly Reproduces[];
  /**
   * The PCT depth explorers use for it unless told otherwise (default
   * PCT_DEPTH): one more than the preemptions its race needs. A deeper
   * search adds change points that can undo the one the race needs.
   */
  pctDepth?: number;
  /** Trees it does not run on, with the reason (default: it runs on every tree). */
  notApplicable?: Readonly<Record<string, string>>;
  /** Changes both sides also carry (e.g. a later guard that hides the bug), applied before the patch under test. */
  alsoApply?: readonly ScenarioPatch[];
  /**
   * For a mail it reproduces that applies to no tree in either direction
   * (written for a tree long gone): the "before" side is the tree plus this
   * patch, which puts the bug back; "after" is the tree as it is.
   */
  regression?: ScenarioPatch;
  /** Each disk: an empty filesystem of a kind, or blank (`bytes`: its exact size, a multiple of 512). */
  disks: readonly { kind: DiskKind; sizeMiB?: number; bytes?: number }[];
  cpus: number;
  memoryMiB?: number;
  /** Runs once per build before the snapshot: mounts, files, tasks. Returns what run() needs (fds, buffers, tasks). */
  setup(s: ScenarioContext): S;
  /** The operations of one run (restored from the snapshot each time). */
  run(s: ScenarioContext, state: S): void;
  expectations: readonly Expectation[];
  /** What the scenario changes or assumes beyond the literal patch, for the report. */
  notes?: string;
  /** The generic oracles this scenario's bug makes fire, and those it switches off (with the reason): harness/oracles. */
  oracles?: OracleDeclarations;
  /** Set by the loader: the file the scenario came from (patch paths, error messages, reproduce commands). */
  source?: string;
}

/** Limits the loader enforces on a scenario's declarations. */
export const SCENARIO_LIMITS = { cpusMax: 8, memoryMiBMin: 10, memoryMiBMax: 1024, disksMax: 4, diskMiBMax: 1024 } as const;

export const scenarioMode = (s: Scenario): ScenarioMode => s.mode ?? "scripted";

/** null when `s` runs on `tree`, else why not. */
export function notApplicableOn(s: Scenario, tree: string): string | null {
  return s.notApplicable?.[tree] ?? null;
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
