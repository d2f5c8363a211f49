// Time to first failure for the bug zoo (patches/zoo: real upstream fixes
// nobody wrote a scenario for), for `npm run bench`: each mail checked the
// way `dioscope check <mail> --tree T --no-scenarios` checks it (the
// default generic options), and for each, the verdict, the first case that
// changed sides, its oracles, and the wall-clock seconds from the start of
// the check until that case had run on both sides (variant builds
// included). Which case is deterministic; the seconds are benchmark data.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CHECK_DEFAULT_CONFIG, runCheck } from "../check/check.ts";
import { GENERIC_DEFAULT, type GenericSummary } from "../check/generic.ts";
import { ingest } from "../ingest/index.ts";
import { repoRoot } from "../paths.ts";
import type { TreeName } from "../tree/source.ts";

const ZOO_DIR = join(repoRoot, "patches/zoo");

export interface ZooRow {
  verdict: string;
  /** The first generated case that changed sides, its oracles, and the seconds until it had run. */
  first: { case: number; oracles: string[]; seconds: number } | null;
  totalSeconds: number;
  problem: string | null;
}

export function zooRow(file: string, tree: TreeName): ZooRow {
  const doneAt: number[] = [];
  const t0 = performance.now();
  const tick = (_what: string, done: number) => void (doneAt[done] ??= (performance.now() - t0) / 1000);
  const r = runCheck(ingest([file]), { config: CHECK_DEFAULT_CONFIG, trees: [tree], scenarios: [], candidates: [], generic: GENERIC_DEFAULT, inputs: [file], tick });
  const totalSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const problem = r.units.map((u) => u.problem).find((p) => p) ?? null;
  const v = r.units.flatMap((u) => u.verdicts)[0] as ({ verdict: string; generated?: GenericSummary } | undefined);
  const changed = v?.generated?.changed[0];
  const first = changed ? { case: changed.index, oracles: changed.failure.names, seconds: Math.round((doneAt[changed.index + 1] ?? totalSeconds) * 10) / 10 } : null;
  return { verdict: v?.verdict ?? "not-judged", first, totalSeconds, problem };
}

/** Every zoo mail on each of `trees` (a mail that does not apply to a tree says so in `problem`). */
export function zooBench(trees: readonly TreeName[]): Record<string, Record<string, ZooRow>> {
  const mails = readdirSync(ZOO_DIR).filter((f) => f.endsWith(".patch")).sort();
  return Object.fromEntries(mails.map((m) => [m, Object.fromEntries(trees.map((t) => [t, zooRow(join(ZOO_DIR, m), t)]))]));
}
