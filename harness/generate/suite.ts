// The generic suite: generated workloads explored on a kernel, and on the
// kernels before and after a change. A case is one workload explored with
// a fixed set of schedules (the natural one, then PCT schedules 0..k-1 of
// one seed); the budget counts cases and schedules, never time. The same
// case on both sides (the natural schedule with the after-run probe, the
// PCT schedules without it): "fixed" when it fails before and passes after,
// "regressed" when it passes before and fails after.
import { explore, PCT_DEPTH } from "../explore/explore.ts";
import { runWith, type KernelRef, type Target } from "../explore/runner.ts";
import { encodeToken, type Step, type StrategyName } from "../explore/schedule.ts";
import { naturalFocus } from "../explore/focus.ts";
import { ScenarioError } from "../scenario/load.ts";
import { forgetPrepared } from "../scenario/run.ts";
import { aimFaults } from "./aim.ts";
import { aimBioFaults } from "./aim-bios.ts";
import { generate } from "./generator.ts";
import { pairsInParallel, PairRunner } from "./pair.ts";
import type { Emphasis } from "./emphasis.ts";
import { workloadScenario } from "./scenario.ts";
import { printWorkload } from "./text.ts";
import { BDEV, GEN_FS, LOOP, type GenFs, type Workload } from "./workload.ts";

export interface CaseOptions {
  /** Generator and PCT seed. */
  seed: number;
  /** The kernels have fault injection (debug configuration): the generator may add fail-nth to an op. */
  faultInjection?: boolean;
  /** PCT schedules per case after the natural one. */
  schedules: number;
  depth?: number;
  /** Kernel functions the change under test touches: PCT's preferred places for schedule changes (explore/focus.ts). */
  focus?: readonly string[];
}

export interface SuiteOptions extends CaseOptions {
  /** Cases (generated workloads) per tree. */
  budget: number;
  /** Filesystems the workloads use, in turn. */
  fs: readonly GenFs[];
  /** What the change's words ask the generator to favour (emphasis.ts); none by default. */
  emphasis?: Emphasis;
  /** The functions the change's hunks call: an aimed fault prefers an allocation reached through one (aim.ts). */
  calls?: readonly string[];
  /** Stop after the first case that changes sides: the budget is then an upper bound. */
  stopAtChange?: boolean;
  progress?: (done: number, total: number) => void;
}

/** The first failing schedule of a case on one kernel. */
export interface CaseFailure {
  /** -1: the natural schedule; else the PCT schedule's index. */
  schedule: number;
  strategy: StrategyName;
  steps: Step[];
  token: string;
  /** Oracle names that fired (unique, sorted): "oracle:return", ... */
  names: string[];
  failures: string[];
}

export interface SideOutcome {
  schedules: number;
  failure: CaseFailure | null;
}

export function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

/**
 * A workload's target on a kernel. `probe`: the after-run probe (re-reads,
 * unmount, fsck) judged too; a case runs it after the natural schedule only
 * (it costs 0.5-3 s, the checkers are processes), PCT schedules are judged
 * by what the run itself showed, as the explorer judges every scenario.
 */
export function targetOf(w: Workload, kernel: KernelRef, probe = true): Target {
  return { scenario: workloadScenario(w, { debug: kernel.config === "debug" }), kernel, probe };
}

/** Explores workload `w` on `kernel`: the natural schedule, then PCT; stops at the first failure. Frees the machine afterwards. */
export function exploreCase(w: Workload, kernel: KernelRef, o: CaseOptions): SideOutcome {
  const t = targetOf(w, kernel);
  try {
    return exploreTarget(t, kernel, o);
  } catch (e) {
    // The workload's own steps failed (the kernel refused a mount or an open, a task's memory faulted): a failure of the case, not of the check.
    if (!(e instanceof ScenarioError)) throw e;
    const token = encodeToken({ scenario: t.scenario.name, tree: kernel.tree, buildId: kernel.buildId, seed: o.seed, strategy: "replay", index: 0, steps: [] });
    return { schedules: 1, failure: { schedule: -1, strategy: "replay", steps: [], token, names: [SETUP_FAILED], failures: [e.message.split("\n")[0]!] } };
  } finally {
    forgetPrepared(t.scenario);
  }
}

/** The name of a case whose workload could not be set up or run (a ScenarioError). */
export const SETUP_FAILED = "workload:set-up or run failed";

function exploreTarget(t: Target, kernel: KernelRef, o: CaseOptions): SideOutcome {
  const { outcome: nat, hot } = naturalFocus(t, o.focus ?? []);
  const base = { scenario: t.scenario.name, tree: kernel.tree, buildId: kernel.buildId, seed: o.seed };
  if (nat.failed) {
    const token = encodeToken({ ...base, strategy: "replay", index: 0, steps: [] });
    return { schedules: 1, failure: { schedule: -1, strategy: "replay", steps: [], token, names: uniqueNames(nat.failedNames), failures: nat.failures } };
  }
  if (o.schedules === 0) return { schedules: 1, failure: null };
  const r = explore({ ...t, probe: false }, { strategy: "pct", seed: o.seed, budget: o.schedules, depth: o.depth ?? PCT_DEPTH, horizon: nat.consultations, hot });
  const f = r.first;
  if (!f) return { schedules: 1 + r.schedules, failure: null };
  return {
    schedules: 1 + r.schedules,
    failure: { schedule: f.index, strategy: "pct", steps: f.schedule.steps, token: f.token, names: uniqueNames(f.outcome.failedNames), failures: f.outcome.failures },
  };
}

export type CaseVerdict = "fixed" | "regressed" | "no-effect";

export interface GeneratedCase {
  index: number;
  fs: GenFs;
  workload: Workload;
  text: string;
  before: SideOutcome;
  after: SideOutcome;
  verdict: CaseVerdict;
}

export function caseVerdict(before: SideOutcome, after: SideOutcome): CaseVerdict {
  if (before.failure && !after.failure) return "fixed";
  if (!before.failure && after.failure) return "regressed";
  return "no-effect";
}

/**
 * Cases that follow the change's emphasis: every other round of the
 * filesystems (cases n..2n-1, 3n..4n-1, ... for n filesystems). The other
 * rounds are the generator's own, so a mail whose words mislead cannot take
 * the whole budget, and both kinds visit every filesystem.
 */
export const emphasised = (index: number, filesystems: number, e: Emphasis | undefined): boolean => Math.floor(index / filesystems) % 2 === 1 && e !== undefined && e.size > 0;

/** Workload `index` of the suite: the filesystems in turn, the generator seeded by (seed, index); every other round favours what the change names. */
export function suiteWorkload(o: Pick<SuiteOptions, "seed" | "fs" | "faultInjection" | "emphasis">, index: number): Workload {
  const n = o.fs.length;
  if (!n) throw new Error("the generic suite needs at least one filesystem");
  const e = emphasised(index, n, o.emphasis);
  return generate(o.seed, index, o.fs[index % n]!, { faultInjection: o.faultInjection ?? false, ...(e ? { emphasis: o.emphasis } : {}) });
}

/** Words that ask for a bio under the change to fail inside its submission (aim-bios.ts): requests that complete asynchronously. */
const BIO_AIM_FEATURE = "async";

/**
 * The workloads case `index` runs, in turn until one changes sides: in a
 * round that follows the change's words asking for allocation failures, one
 * variant per fault point under the changed functions (aim.ts; swept on
 * `before`), else the drawn one; then, in a round whose words are about
 * asynchronous completion, one per kind of bio the changed functions submit,
 * failed inside its submission (aim-bios.ts; swept only when reached).
 */
export function* caseVariants(o: Pick<SuiteOptions, "seed" | "fs" | "faultInjection" | "emphasis" | "focus" | "calls">, index: number, before: KernelRef): Generator<Workload, void, void> {
  const w = suiteWorkload(o, index);
  const round = emphasised(index, o.fs.length, o.emphasis);
  const focus = o.focus ?? [];
  if (o.faultInjection && round && o.emphasis!.has("failnth") && focus.length) yield* aimFaults(w, before, focus, o.calls ?? []).variants;
  else yield w;
  if (round && o.emphasis!.has(BIO_AIM_FEATURE) && focus.length) yield* aimBioFaults(w, before, focus).variants;
}

/** One side of one case, as a side worker (side-worker.ts) is asked it. */
export interface SideRequest {
  workload: Workload;
  kernel: KernelRef;
  o: CaseOptions;
}

/** Every case of the suite on the kernels before and after a change (the two sides at once on a second core: pair.ts). */
export function runSuite(before: KernelRef, after: KernelRef, o: SuiteOptions): GeneratedCase[] {
  const out: GeneratedCase[] = [];
  const pair = pairsInParallel() ? new PairRunner<SideRequest, SideOutcome>() : null;
  // The case options alone (no progress callback): they go to the worker as a message.
  const { budget: _budget, fs: _fs, emphasis: _emphasis, calls: _calls, stopAtChange: _stop, progress: _progress, ...c } = o;
  try {
    for (let index = 0; index < o.budget; index++) {
      const ran: GeneratedCase[] = [];
      // An aimed case runs its variants in turn until one changes sides.
      for (const workload of caseVariants(o, index, before)) {
        const [b, a] = pair ? pair.both(() => exploreCase(workload, before, c), { workload, kernel: after, o: c }) : [exploreCase(workload, before, c), exploreCase(workload, after, c)];
        ran.push({ index, fs: workload.fs, workload, text: printWorkload(workload), before: b, after: a, verdict: caseVerdict(b, a) });
        if (ran[ran.length - 1]!.verdict !== "no-effect") break;
      }
      // The variant that stands for the case: the one that changed sides, else one failing on both, else the first (the drawn workload, or the first aimed fail-nth).
      const shown = ran.find((r) => r.verdict !== "no-effect") ?? ran.find((r) => r.before.failure && r.after.failure) ?? ran[0]!;
      out.push(shown);
      o.progress?.(index + 1, o.budget);
      if (o.stopAtChange && shown.verdict !== "no-effect") break;
    }
  } finally {
    pair?.close();
  }
  return out;
}

/**
 * Shared direct-I/O code and the generated filesystems whose direct I/O goes
 * through it (every tree: ext4 and btrfs use iomap, vfat the old
 * fs/direct-io.c), so a change there is exercised by every case, not one in four.
 */
const SHARED_USERS: readonly (readonly [prefix: string, fs: readonly GenFs[]])[] = [
  ["fs/iomap/", ["ext4", "ext4-noextents", "btrfs", "btrfs-nodatacow"]],
  ["fs/direct-io.c", ["vfat"]],
  // The block device's own file and address-space operations: reached through the device node.
  ["block/fops.c", [BDEV]],
  // The loop driver: reached through a loop device node (direct I/O over a file).
  ["drivers/block/loop.c", [LOOP]],
];

/** Filesystems the workloads favour for a change touching `paths`: its filesystem's, the users of shared direct-I/O code, or all for other shared code (block, mm, io_uring, ...). */
export function fsFor(paths: readonly string[]): GenFs[] {
  const own = new Set<GenFs>();
  let shared = false;
  for (const p of paths) {
    const users = SHARED_USERS.find(([prefix]) => p.startsWith(prefix))?.[1];
    if (users) for (const f of users) own.add(f);
    else if (p.startsWith("fs/ext4/") || p.startsWith("fs/jbd2/")) own.add("ext4").add("ext4-noextents").add("ext4-inline");
    else if (p.startsWith("fs/btrfs/")) own.add("btrfs").add("btrfs-nodatacow");
    else if (p.startsWith("fs/fat/")) own.add("vfat");
    else shared = true;
  }
  return shared || own.size === 0 ? [...GEN_FS] : GEN_FS.filter((f) => own.has(f));
}
