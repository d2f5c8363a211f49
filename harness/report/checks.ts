// Machine-readable check results, one per tree: `--format b4` (the JSON
// array b4's review-perpatch-check-cmd prints) and `--format patchwork`
// (the fields of a patchwork check: POST /api/patches/<id>/checks/).
import { commandLine, VERDICT_WORDS, type CaseView, type ReportModel } from "./model.ts";

export type B4Status = "pass" | "warn" | "fail";
export interface B4Check {
  tool: string;
  status: B4Status;
  summary: string;
  url: string;
  details: string;
}

export type PatchworkState = "pending" | "success" | "warning" | "fail";
export interface PatchworkCheck {
  /** A slug: letters, digits, '-' and '_' (patchwork rejects anything else). */
  context: string;
  state: PatchworkState;
  description: string;
  target_url: string | null;
}

export interface CheckFormatOptions {
  /** Where the HTML report is published, if anywhere. */
  url?: string;
}

type Outcome = "pass" | "warn" | "fail";

/** A tree fails when a case regressed, passes when some case was fixed, and warns otherwise. */
function outcome(cases: readonly CaseView[]): Outcome {
  if (cases.some((c) => c.verdict === "regressed")) return "fail";
  if (cases.some((c) => c.verdict === "fixed")) return "pass";
  return "warn";
}

function byTree(m: ReportModel): [string, CaseView[]][] {
  const trees = [...new Set([...m.trees.map((t) => t.name), ...m.cases.map((c) => c.tree)])];
  return trees.map((t) => [t, m.cases.filter((c) => c.tree === t)]);
}

function counts(cases: readonly CaseView[]): string {
  const n = new Map<string, number>();
  for (const c of cases) n.set(VERDICT_WORDS[c.verdict], (n.get(VERDICT_WORDS[c.verdict]) ?? 0) + 1);
  return [...n].map(([w, k]) => `${k} ${w}`).join(", ") || "nothing ran";
}

function details(cases: readonly CaseView[]): string {
  return cases
    .map((c) => {
      const lines = [`${VERDICT_WORDS[c.verdict]}: ${c.scenario} (${c.unit})`, `  ${c.reason}`, `  reproduce: ${commandLine(c.reproduce.command)}`];
      if (c.reproduce.token) lines.push(`  replay: ${commandLine(["replay", c.reproduce.token])}`);
      return lines.join("\n");
    })
    .join("\n");
}

export function toB4(m: ReportModel, o: CheckFormatOptions = {}): B4Check[] {
  return byTree(m).map(([tree, cases]) => ({
    tool: `${m.tool.name} ${tree}`,
    status: outcome(cases),
    summary: `${tree}: ${counts(cases)}`,
    url: o.url ?? "",
    details: details(cases),
  }));
}

const STATE: Record<Outcome, PatchworkState> = { pass: "success", warn: "warning", fail: "fail" };

export function patchworkContext(tool: string, tree: string): string {
  return `${tool}-${tree}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

export function toPatchwork(m: ReportModel, o: CheckFormatOptions = {}): PatchworkCheck[] {
  return byTree(m).map(([tree, cases]) => ({
    context: patchworkContext(m.tool.name, tree),
    state: STATE[outcome(cases)],
    description: `${tree}: ${counts(cases)}`,
    target_url: o.url ?? null,
  }));
}
