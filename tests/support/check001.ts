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
import { TEST_TREES } from "./built.ts";

export const MAIL_001 = "patches/001_60a185f54a9e7512.txt";

export interface Check001 {
  report: CheckReport;
  model: ReportModel;
  mailText: string;
}

let cached: Check001 | null = null;

/** Runs the check once per process (await it in a before hook). */
export async function check001(): Promise<Check001> {
  if (cached) return cached;
  const file = join(repoRoot, MAIL_001);
  const series = ingest([file]);
  const report = runCheck(series, { trees: TEST_TREES, scenarios: null, candidates: await bundledScenarios(), inputs: [MAIL_001] });
  const model = fromCheckReport(report, { series });
  cached = { report, model, mailText: readFileSync(file, "utf8") };
  return cached;
}
