// The report's own view of a check: what the HTML page, the mail reply and
// the b4 / patchwork check formats show, as plain typed data. Every
// renderer reads only this; adapt.ts builds it from the check's result.

export type CaseVerdict = "fixed" | "regressed" | "no-effect" | "not-applicable" | "not-judged";

export interface ReportModel {
  tool: { name: string; version: string };
  /** The command that ran the whole check (argv after `dioscope`). */
  command: string[];
  trees: TreeView[];
  patches: PatchView[];
  cases: CaseView[];
  /** Some case passed before and fails after (or the change breaks the build). */
  regressed: boolean;
}

export interface TreeView {
  name: string;
  /** "debian:linux-source-6.12=6.12.38-1", or a user checkout. */
  origin: string;
  kernelVersion: string;
}

export interface PatchView {
  id: string;
  subject: string;
  from: string | null;
  date: string | null;
  messageId: string | null;
  /** The diff as ingested (per file: the ---/+++ header and the hunks). */
  diff: string;
  /** How the patch was located on each tree. */
  placements: PlacementView[];
}

export interface PlacementView {
  tree: string;
  /** applies / already-applied / partially-applied / neither / ambiguous */
  status: string;
  notes: string[];
}

export interface CaseView {
  /** Stable anchor within the page ("c3"). */
  id: string;
  tree: string;
  /** The change judged (a patch, or a series). */
  unit: string;
  patchIds: string[];
  scenario: string;
  verdict: CaseVerdict;
  reason: string;
  before: RunView | null;
  after: RunView | null;
  /** What reproduces the case exactly. */
  reproduce: Reproduce;
}

export interface Reproduce {
  /** argv after `dioscope`, e.g. ["check", "mail.txt", "--base", "6.12", "--scenario", "001-..."]. */
  command: string[];
  /** A replay token (`dioscope replay <token>`) when the case came from a schedule explorer. */
  token: string | null;
}

export interface RunView {
  side: "before" | "after";
  passed: boolean;
  /** The kernel build the run used (content hash), not a path. */
  buildId: string;
  expectations: { name: string; held: boolean; seen: string | null }[];
  /** Kernel reports only a 32-bit kernel prints: shown with the reason, not judged (oracles/console.ts). */
  wordSize: { message: string; why: string }[];
  observed: Record<string, number | string | null>;
  /** A machine error or hang that ended the run. */
  ended: string | null;
  cpus: number;
  /** Simulated time span of the events, ns. */
  startNs: number;
  endNs: number;
  events: TimelineEvent[];
  console: ConsoleEntry[];
}

export interface ConsoleEntry {
  timeNs: number;
  cpu: number;
  text: string;
  /** WARNING/BUG/error lines. */
  alarming: boolean;
}

export type BioPhase = "submitted" | "held" | "completed" | "failed";

/** One mark on a CPU's column at a simulated time. `task` is the task it concerns, when known. */
export type TimelineEvent =
  | { kind: "switch"; timeNs: number; cpu: number; task: string; from: string; where: string[] }
  | { kind: "stall"; timeNs: number; cpu: number; task: string; at: string; where: string[] }
  | { kind: "resume"; timeNs: number; cpu: number; task: string; where: string[] }
  | { kind: "bio"; timeNs: number; cpu: number; phase: BioPhase; index: number; op: string; sector: number; sectors: number; nowait: boolean; status: number }
  | { kind: "command"; timeNs: number; cpu: number; task: string; phase: "returned" | "completed"; op: string; detail: string; result: string }
  | { kind: "console"; timeNs: number; cpu: number; text: string }
  | { kind: "note"; timeNs: number; cpu: number; text: string };

export const VERDICT_WORDS: Record<CaseVerdict, string> = {
  fixed: "fixed",
  regressed: "REGRESSED",
  "no-effect": "no effect",
  "not-applicable": "not applicable",
  "not-judged": "not judged",
};

/** A case whose runs show a failure (its timelines are drawn). */
export function hasFailingRun(c: CaseView): boolean {
  return (c.before !== null && !c.before.passed) || (c.after !== null && !c.after.passed);
}

/** The patch was shown to fix what it claims and regressed nothing: some case fixed, none regressed or not judged. */
export function shownFixed(m: ReportModel): boolean {
  return m.cases.some((c) => c.verdict === "fixed") && !m.regressed && !m.cases.some((c) => c.verdict === "regressed");
}

export function commandLine(argv: readonly string[]): string {
  return ["dioscope", ...argv].map(shellQuote).join(" ");
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
