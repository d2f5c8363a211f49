// The check of seed 001's mail as `dioscope check patches/001_….txt` runs it
// (the scenarios it selects, the test trees), run once per mocha process and shared
// by the report tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCheck, type CheckReport } from "../../harness/check/check.ts";
import { ingest } from "../../harness/ingest/index.ts";
import { repoRoot } from "../../harness/paths.ts";
import { fromCheckReport } from "../../harness/report/adapt.ts";
import type { ReportModel } from "../../harness/report/model.ts";
import { bundledScenarios } from "../../harness/scenario/load.ts";
import type { TreeName } from "../../harness/tree/source.ts";
import { TEST_TREES } from "./built.ts";

export const MAIL_001 = "patches/001_60a185f54a9e7512.txt";

export interface Check001 {
  report: CheckReport;
  model: ReportModel;
  mailText: string;
}

const cached = new Map<string, Check001>();

/** The check on `trees` (default: the test trees), run once per process and set of trees. */
export async function check001(trees: TreeName[] = TEST_TREES): Promise<Check001> {
  const key = trees.join("+");
  const have = cached.get(key);
  if (have) return have;
  const file = join(repoRoot, MAIL_001);
  const series = ingest([file]);
  const report = runCheck(series, { config: "plain", trees, scenarios: null, candidates: await bundledScenarios(), inputs: [MAIL_001] });
  const model = fromCheckReport(report, { series });
  const c = { report, model, mailText: readFileSync(file, "utf8") };
  cached.set(key, c);
  return c;
}
