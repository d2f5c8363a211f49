// The one place that reads the check's result: CheckReport (plus the
// ingested series, whose text the report does not carry) → ReportModel.
// Every renderer reads only the model.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckReport, UnitResult } from "../check/check.ts";
import type { ScenarioVerdict } from "../check/verdict.ts";
import type { Patch } from "../ingest/index.ts";
import { repoRoot } from "../paths.ts";
import { resolveTree } from "../tree/resolve.ts";
import { runView } from "./events.ts";
import type { CaseView, PatchView, ReportModel, Reproduce, TreeView } from "./model.ts";

/** What the report needs beyond the check's result: what was ingested (the patch text, its author and Message-ID). */
export interface CheckInvocation {
  series: Patch[];
  /** Tree descriptions; default: the Debian tree of each name. */
  trees?: TreeView[];
}

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

function diffText(p: Patch): string {
  const out: string[] = [];
  for (const f of p.files) {
    out.push(`--- ${f.rawOld}`, `+++ ${f.rawNew}`);
    for (const h of f.hunks) {
      out.push(`@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@${h.section ? " " + h.section : ""}`);
      for (const l of h.lines) out.push(`${l.kind === "add" ? "+" : l.kind === "del" ? "-" : " "}${l.text}`);
    }
  }
  return out.join("\n");
}

function patchViews(report: CheckReport, series: Patch[]): PatchView[] {
  return series
    .filter((p) => !p.isCover)
    .map((p) => ({
      id: p.id,
      subject: p.subject,
      from: p.from ?? null,
      date: p.date ?? null,
      messageId: p.messageId ?? null,
      diff: diffText(p),
      placements: report.patches.filter((x) => x.id === p.id).map((x) => ({ tree: x.tree, status: x.relocated ? `${x.status}, relocated` : x.status, notes: [...x.notes] })),
    }));
}

/** The verdict's own reproduce command (argv after `dioscope`) and the first failing schedule's replay token. */
function reproduceOf(report: CheckReport, u: UnitResult, v: ScenarioVerdict): Reproduce {
  const argv = v.reproduce ?? ["dioscope", "check", ...report.inputs, "--tree", u.tree];
  const token = v.explored?.before.first?.token ?? v.explored?.after.first?.token ?? null;
  return { command: argv[0] === "dioscope" ? argv.slice(1) : argv, token };
}

function treeViews(report: CheckReport, inv: CheckInvocation): TreeView[] {
  if (inv.trees) return inv.trees;
  return report.trees.map((n) => {
    const t = resolveTree(n);
    return { name: n, origin: report.config === "debug" ? `${t.origin}, debug kernel` : t.origin, kernelVersion: t.kernelVersion };
  });
}

export function fromCheckReport(report: CheckReport, inv: CheckInvocation): ReportModel {
  const cases: CaseView[] = [];
  for (const u of report.units)
    for (const v of u.verdicts)
      cases.push({
        id: `c${cases.length + 1}`,
        tree: u.tree,
        unit: u.label,
        patchIds: [...u.patchIds],
        scenario: v.scenario,
        verdict: v.verdict,
        reason: v.reason,
        before: v.before ? runView("before", v.before) : null,
        after: v.after ? runView("after", v.after) : null,
        reproduce: reproduceOf(report, u, v),
      });
  const trees = treeViews(report, inv);
  const command = ["check", ...report.inputs, ...report.trees.flatMap((t) => ["--tree", t])];
  return { tool: { name: "dioscope", version: toolVersion() }, command, trees, patches: patchViews(report, inv.series), cases, regressed: report.regressed };
}
