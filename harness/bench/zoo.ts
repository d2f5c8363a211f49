// Time to first failure for the bug zoo (patches/zoo: real upstream fixes
// nobody wrote a scenario for) and the seeds without their scenarios, for
// `npm run bench` and `npm run bench:zoo`: each run below checked the way
// `dioscope check <mail> --tree T --no-scenarios <flags>` checks it, and for
// each, the verdict, the first case that changed sides, its oracles, and the
// wall-clock seconds from the start of the check until that case had run on
// both sides (variant builds included). Which case is deterministic; the
// seconds are benchmark data.
//
// The runs are the found rows of the README's zoo table, with the flags
// that found them: the bench measures them again, it does not assume them
// (a run that no longer finds its bug reports its verdict as it is). Each
// stops at its first case that changes sides (`--first`).
import { join } from "node:path";
import { runCheck } from "../check/check.ts";
import { GENERIC_DEFAULT, type GenericSummary } from "../check/generic.ts";
import type { KernelConfig } from "../build/kbuild.ts";
import { ingest } from "../ingest/index.ts";
import { repoRoot } from "../paths.ts";
import type { TreeName } from "../tree/source.ts";

export interface ZooRun {
  /** Relative to patches/. */
  mail: string;
  tree: TreeName;
  config: KernelConfig;
  /** Generic options other than the default's (GENERIC_DEFAULT); absent = the default. */
  budget?: number;
  emphasis?: boolean;
  seed?: number;
  schedules?: number;
}

/** Every run stops at its first case that changes sides (`--first`): the time to it is the figure, the cases after it are not needed. */
const FIRST = { first: true } as const;

/** The found rows of the README's zoo table, each with the flags it was found with. */
export const ZOO_RUNS: readonly ZooRun[] = [
  { mail: "zoo/08-iomap-dio-done-wq-async-reads.patch", tree: "6.12", config: "plain", seed: 2 },
  { mail: "zoo/13-ext4-dio-overwrite-only-eagain-warning.patch", tree: "6.12", config: "plain" },
  { mail: "zoo/03-loop-dio-kiocb-start-write.patch", tree: "6.12", config: "debug" },
  { mail: "zoo/14-ext4-dio-write-clear-may-inline.patch", tree: "6.1", config: "debug" },
  { mail: "zoo/04-ext4-dio-write-may-inline-race.patch", tree: "6.12", config: "plain", budget: 96, schedules: 48 },
  { mail: "zoo/16-io_uring-iopoll-partial-result.patch", tree: "6.12", config: "plain", budget: 384 },
  { mail: "zoo/12-btrfs-dio-append-short-write-isize.patch", tree: "6.12", config: "plain", budget: 384 },
  { mail: "zoo/05-btrfs-dio-sync-write-double-unlock.patch", tree: "6.1", config: "plain", budget: 384 },
  { mail: "scenario/000-regression-direct-io-lost-aio-completion.patch", tree: "6.12", config: "debug", budget: 4 },
  { mail: "002_af39239f68c27663.txt", tree: "6.12", config: "plain", budget: 12, emphasis: false },
  { mail: "001_60a185f54a9e7512.txt", tree: "6.12", config: "plain", schedules: 48 },
  { mail: "zoo/15-block-fops-nowait-multiple-bios.patch", tree: "6.1", config: "debug" },
  { mail: "zoo/01-ext4-dio-write-end-io-warning.patch", tree: "6.12", config: "plain", schedules: 1000 },
  { mail: "zoo/15-block-fops-nowait-multiple-bios.patch", tree: "6.12", config: "plain", budget: 384 },
  { mail: "zoo/09-btrfs-nocow-dio-extent-map-leak.patch", tree: "6.12", config: "debug", budget: 96 },
  { mail: "zoo/10-block-fops-no-revert-eiocbqueued.patch", tree: "7.3", config: "debug" },
];

export interface ZooRow {
  run: ZooRun;
  verdict: string;
  /** The first generated case that changed sides, its oracles, and the seconds until it had run. */
  first: { case: number; oracles: string[]; seconds: number } | null;
  totalSeconds: number;
  problem: string | null;
}

export function zooRow(run: ZooRun): ZooRow {
  const file = join(repoRoot, "patches", run.mail);
  const doneAt: number[] = [];
  const t0 = performance.now();
  const tick = (_what: string, done: number) => void (doneAt[done] ??= (performance.now() - t0) / 1000);
  const { mail: _mail, tree: _tree, config: _config, ...flags } = run;
  const generic = { ...GENERIC_DEFAULT, ...FIRST, ...flags };
  const r = runCheck(ingest([file]), { config: run.config, trees: [run.tree], scenarios: [], candidates: [], generic, inputs: [file], tick });
  const totalSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const problem = r.units.map((u) => u.problem).find((p) => p) ?? null;
  const v = r.units.flatMap((u) => u.verdicts)[0] as { verdict: string; generated?: GenericSummary } | undefined;
  const changed = v?.generated?.changed[0];
  const first = changed ? { case: changed.index, oracles: changed.failure.names, seconds: Math.round((doneAt[changed.index + 1] ?? totalSeconds) * 10) / 10 } : null;
  return { run, verdict: v?.verdict ?? "not-judged", first, totalSeconds, problem };
}

/** Every run of ZOO_RUNS, in order. */
export function zooBench(runs: readonly ZooRun[] = ZOO_RUNS): ZooRow[] {
  return runs.map(zooRow);
}
