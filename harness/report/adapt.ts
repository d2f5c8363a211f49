// The one place that reads the check's result: CheckReport (plus the
// ingested series and the command line, which the report does not carry)
// → ReportModel. Every renderer reads only the model.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckReport, UnitResult } from "../check/check.ts";
import type { ScenarioVerdict } from "../check/verdict.ts";
import type { Patch } from "../ingest/index.ts";
import { repoRoot } from "../paths.ts";
import { debianTree } from "../tree/debian.ts";
import type { TreeName } from "../tree/source.ts";
import { runView } from "./events.ts";
import type { CaseVerdict, CaseView, PatchView, ReportModel, Reproduce, TreeView } from "./model.ts";

/** What the check was asked: the inputs as given on the command line and what was ingested from them. */
export interface CheckInvocation {
  /** Input paths exactly as given (they go into the reproduce commands). */
  inputs: string[];
  series: Patch[];
  /** Options of the check that change what runs (e.g. ["--explore", "300", "--seed", "1"]). */
  options?: string[];
  /** Tree descriptions; default: the Debian tree of each name. */
  trees?: TreeView[];
}

const TOKEN = /dioscope replay (ds1\.[A-Za-z0-9_-]+)/;

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
      placements: report.patches.filter((x) => x.id === p.id).map((x) => ({ tree: x.tree, status: x.status, notes: [...x.notes] })),
    }));
}

function verdictOf(v: ScenarioVerdict): CaseVerdict {
  return v.verdict;
}

function reproduceOf(inv: CheckInvocation, u: UnitResult, v: ScenarioVerdict): Reproduce {
  const token = TOKEN.exec(v.reason)?.[1] ?? null;
  const base = ["check", ...inv.inputs, "--base", u.tree];
  // An explored case is named by its token; a scripted one by its scenario (its single run is deterministic).
  if (token) return { command: [...base, ...(inv.options ?? [])], token };
  return { command: [...base, "--scenario", v.scenario], token: null };
}

function treeViews(report: CheckReport, inv: CheckInvocation): TreeView[] {
  if (inv.trees) return inv.trees;
  const names = [...new Set([...report.patches.map((p) => p.tree), ...report.units.map((u) => u.tree)])];
  return names.map((n) => {
    const t = debianTree(n as TreeName);
    return { name: n, origin: t.origin, kernelVersion: t.kernelVersion };
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
        verdict: verdictOf(v),
        reason: v.reason,
        before: v.before ? runView("before", v.before) : null,
        after: v.after ? runView("after", v.after) : null,
        reproduce: reproduceOf(inv, u, v),
      });
  const trees = treeViews(report, inv);
  const command = ["check", ...inv.inputs, ...trees.flatMap((t) => ["--base", t.name]), ...(inv.options ?? [])];
  return { tool: { name: "dioscope", version: toolVersion() }, command, trees, patches: patchViews(report, inv.series), cases, regressed: report.regressed };
}
