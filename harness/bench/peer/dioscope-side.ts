// dioscope's side of the peer benchmark: the reviewer's command
// `dioscope check <mail> --base <tree> --json` (the default kernel
// configuration, named in the table), run as a separate process and
// timed, cold (Kbuild objects cached, no kernel built: an empty wasm
// directory, as harness/bench/check.ts measures it) and warm (the kernels
// built by the cold run).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckReport } from "../../check/check.ts";
import { repoRoot } from "../../paths.ts";
import type { TreeName } from "../../tree/source.ts";

export interface DioscopeRun {
  ms: number;
  /** The kernel configuration the check built (the default invocation's: check.ts CHECK_DEFAULT_CONFIG). */
  config: string;
  /** scenario -> verdict, for the scenarios that reproduce the mail. */
  verdicts: Record<string, string>;
  /** Whether each such scenario failed before and passed after. */
  beforeFailed: number;
  afterPassed: number;
  scenarios: number;
}

const CLI = join(repoRoot, "harness", "cli", "dioscope.ts");

/**
 * One timed `dioscope check`; `wasmDir` replaces the built-kernel directory
 * (cold: an empty one); `scenario` (a scenario file) runs that one alone,
 * without the generic suite, instead of the scenarios the mail selects.
 */
function checkOnce(mail: string, tree: TreeName, wasmDir: string | null, scenario: string | null = null): DioscopeRun {
  const env = { ...process.env };
  if (wasmDir) env.DIOSCOPE_WASM = wasmDir;
  const t0 = performance.now();
  const only = scenario ? ["--scenario", scenario, "--no-generic"] : [];
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "check", mail, "--base", tree, "--json", ...only], { cwd: repoRoot, env, encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = Math.round(performance.now() - t0);
  if (r.status !== 0 && r.status !== 1) throw new Error(`dioscope check ${mail} --base ${tree} exited ${r.status ?? r.signal}:\n${r.stderr.split("\n").slice(-15).join("\n")}`);
  const rep = JSON.parse(r.stdout) as CheckReport;
  const repro = new Set(rep.selected.filter((s) => s.by === (scenario ? "named" : "reproduces")).map((s) => s.scenario));
  const vs = rep.units.flatMap((u) => u.verdicts).filter((v) => repro.has(v.scenario));
  return {
    ms,
    config: rep.config,
    verdicts: Object.fromEntries(vs.map((v) => [v.scenario, v.verdict])),
    beforeFailed: vs.filter((v) => v.before && !v.before.passed).length,
    afterPassed: vs.filter((v) => v.after?.passed).length,
    scenarios: vs.length,
  };
}

export interface DioscopeSide {
  cold: DioscopeRun | null;
  warm: DioscopeRun;
  /** Scenario files run alone, warm, by name. */
  cases: { name: string; run: DioscopeRun }[];
}

/** Cold then warm (the warm run uses the kernels the cold run built), then each of `cases` warm. */
export function dioscopeCheck(mail: string, tree: TreeName, cold: boolean, cases: { name: string; file: string }[]): DioscopeSide {
  const runCases = (dir: string | null) => cases.map((c) => ({ name: c.name, run: checkOnce(mail, tree, dir, c.file) }));
  if (!cold) {
    checkOnce(mail, tree, null); // builds what is missing (not timed)
    return { cold: null, warm: checkOnce(mail, tree, null), cases: runCases(null) };
  }
  const dir = mkdtempSync(join(tmpdir(), "dioscope-peer-"));
  try {
    const c = checkOnce(mail, tree, dir);
    return { cold: c, warm: checkOnce(mail, tree, dir), cases: runCases(dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
