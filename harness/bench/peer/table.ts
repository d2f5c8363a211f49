// The peer benchmark's results as typed values, and the side-by-side table.
import type { DioscopeRun } from "./dioscope-side.ts";
import type { Boot } from "./guest.ts";

export interface UmlSide {
  /** Build of this side's kernel: "pristine" (cached full build) or a variant rebuild. */
  buildMs: number;
  builtNow: boolean;
  boot: Boot;
  reproduced: number;
  errors: number;
}

export interface UmlSeedResult {
  attempts: number;
  before: UmlSide;
  after: UmlSide;
  /** fixed (reproduced before, never after), not reproduced (never before), not fixed (after too), or broken (no usable attempts). */
  verdict: string;
  /** The full pristine build + this seed's variant builds + both boots. */
  coldMs: number;
  /** Both boots with their attempts (kernels already built). */
  warmMs: number;
  medianAttemptMs: number | null;
}

export interface SeedResult {
  id: string;
  what: string;
  declarations: string[];
  uml: UmlSeedResult | { error: string };
  dioscope: { cold: DioscopeRun | null; warm: DioscopeRun } | { error: string };
}

export interface PeerResults {
  tree: string;
  kernelVersion: string;
  umlFullBuildMs: number | null;
  umlFullBuildNow: boolean;
  attempts: number;
  seeds: SeedResult[];
  note: string;
}

const sec = (ms: number | null | undefined) => (ms === null || ms === undefined ? "—" : `${(ms / 1000).toFixed(1)} s`);

/** The UML verdict from the two sides' counts. */
export function umlVerdict(before: UmlSide, after: UmlSide, n: number): string {
  const usable = (s: UmlSide) => s.boot.attempts.length - s.errors;
  if (usable(before) === 0 || usable(after) === 0) return "broken";
  if (after.reproduced > 0) return before.reproduced > 0 ? "not fixed" : "fails after only";
  return before.reproduced > 0 ? "fixed" : `not reproduced in ${n}`;
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
}

function dioscopeRate(d: DioscopeRun): string {
  return `${d.beforeFailed}/${d.scenarios} before, ${d.scenarios - d.afterPassed}/${d.scenarios} after`;
}

/** The side-by-side table (plain text, also pasted into the README). */
export function formatTable(r: PeerResults): string {
  const head = ["seed", "tool", "verdict", "reproduced (before, after)", "time to verdict cold", "warm"];
  const rows: string[][] = [];
  for (const s of r.seeds) {
    if ("error" in s.uml) rows.push([s.id, "UML", `error: ${s.uml.error.split("\n")[0]}`, "", "", ""]);
    else {
      const u = s.uml;
      rows.push([s.id, "UML", u.verdict, `${u.before.reproduced}/${u.attempts}, ${u.after.reproduced}/${u.attempts}`, sec(u.coldMs), sec(u.warmMs)]);
    }
    if ("error" in s.dioscope) rows.push([s.id, "dioscope", `error: ${s.dioscope.error.split("\n")[0]}`, "", "", ""]);
    else {
      const d = s.dioscope;
      rows.push([s.id, "dioscope", Object.values(d.warm.verdicts).join(", ") || "—", `${dioscopeRate(d.warm)} (deterministic)`, sec(d.cold?.ms), sec(d.warm.ms)]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const lines = [row(head, widths), row(widths.map((w) => "-".repeat(w)), widths), ...rows.map((x) => row(x, widths))];
  const details: string[] = [];
  details.push(`UML ${r.kernelVersion} (ARCH=um, defconfig + harness/bench/peer/uml.config): full build ${sec(r.umlFullBuildMs)}${r.umlFullBuildNow ? "" : " (cached; time of the build on record)"}`);
  for (const s of r.seeds) {
    if ("error" in s.uml) continue;
    const u = s.uml;
    const side = (name: string, x: UmlSide) =>
      `${name}: build ${sec(x.buildMs)}${x.builtNow ? "" : " (cached)"}, boot ${sec(x.boot.bootMs)}, run ${sec(x.boot.totalMs)}${x.errors ? `, ${x.errors} attempts failed to run` : ""}${x.boot.problem ? ` [${x.boot.problem}]` : ""}`;
    details.push(`  ${s.id}: ${side("before", u.before)}; ${side("after", u.after)}; median attempt ${u.medianAttemptMs === null ? "—" : `${u.medianAttemptMs.toFixed(1)} ms`}`);
  }
  return [...lines, "", ...details].join("\n");
}
