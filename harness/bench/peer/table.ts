// The peer benchmark's results as typed values, and the side-by-side table.
import type { DioscopeRun, DioscopeSide } from "./dioscope-side.ts";
import type { Boot } from "./guest.ts";

export interface UmlSide {
  /** Build of this side's kernel: "pristine" (cached full build) or a variant rebuild. */
  buildMs: number;
  builtNow: boolean;
  boot: Boot;
  reproduced: number;
  errors: number;
}

/** One case of a seed's reproducer (seeds.ts), run on both sides. */
export interface UmlCaseResult {
  name: string;
  what: string;
  attempts: number;
  before: UmlSide;
  after: UmlSide;
  /** fixed (reproduced before, never after), not reproduced (never before), not fixed (after too), or broken (no usable attempts). */
  verdict: string;
  /** The full pristine build + this seed's variant builds + this case's two boots. */
  coldMs: number;
  /** Both boots with their attempts (kernels already built). */
  warmMs: number;
  medianAttemptMs: number | null;
}

export interface SeedResult {
  id: string;
  what: string;
  declarations: string[];
  /** One result per case, the reproducer as the mail gives it first. */
  uml: UmlCaseResult[] | { error: string };
  dioscope: DioscopeSide | { error: string };
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

const umlTool = (s: SeedResult, c: UmlCaseResult) => ("error" in s.uml || s.uml.length === 1 ? "UML" : `UML, ${c.name}`);

function tableRows(seeds: SeedResult[]): string[][] {
  const rows: string[][] = [];
  for (const s of seeds) {
    if ("error" in s.uml) rows.push([s.id, "UML", `error: ${s.uml.error.split("\n")[0]}`, "", "", ""]);
    else for (const u of s.uml) rows.push([s.id, umlTool(s, u), u.verdict, `${u.before.reproduced}/${u.attempts}, ${u.after.reproduced}/${u.attempts}`, sec(u.coldMs), sec(u.warmMs)]);
    if ("error" in s.dioscope) rows.push([s.id, "dioscope", `error: ${s.dioscope.error.split("\n")[0]}`, "", "", ""]);
    else {
      const d = s.dioscope;
      rows.push([s.id, `dioscope (${d.warm.config} kernel)`, Object.values(d.warm.verdicts).join(", ") || "—", `${dioscopeRate(d.warm)} (deterministic)`, sec(d.cold?.ms), sec(d.warm.ms)]);
      for (const c of d.cases) rows.push([s.id, `dioscope, ${c.name}`, Object.values(c.run.verdicts).join(", ") || "—", `${dioscopeRate(c.run)} (deterministic)`, "—", sec(c.run.ms)]);
    }
  }
  return rows;
}

/** What the reproducer printed on a side's first attempt (its REPRO line without the verdict). */
function sample(x: UmlSide): string {
  const a = x.boot.attempts[0];
  return a ? a.detail.replace(/^result=\S+\s*/, "") : "no attempt";
}

function umlDetails(s: SeedResult, u: UmlCaseResult): string[] {
  const side = (name: string, x: UmlSide) =>
    `${name}: build ${sec(x.buildMs)}${x.builtNow ? "" : " (cached)"}, boot ${sec(x.boot.bootMs)}, run ${sec(x.boot.totalMs)}${x.errors ? `, ${x.errors} attempts failed to run` : ""}${x.boot.problem ? ` [${x.boot.problem}]` : ""}`;
  const label = "error" in s.uml || s.uml.length === 1 ? s.id : `${s.id} (${u.name})`;
  return [
    `  ${label}: ${side("before", u.before)}; ${side("after", u.after)}; median attempt ${u.medianAttemptMs === null ? "—" : `${u.medianAttemptMs.toFixed(1)} ms`}`,
    `    first attempt: before ${sample(u.before)}; after ${sample(u.after)}`,
  ];
}

/** a/b with two significant digits (a ratio far below 1 stays readable). */
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? `${Number((a / b).toPrecision(2))}x` : "—");

/** UML's time to verdict over dioscope's, per seed (UML: the reproducer as the mail gives it, its first case). */
function ratioLines(seeds: SeedResult[]): string[] {
  const out: string[] = [];
  for (const s of seeds) {
    if ("error" in s.uml || "error" in s.dioscope) continue;
    const u = s.uml[0]!;
    const d = s.dioscope;
    out.push(`  ${s.id}: cold ${sec(u.coldMs)} / ${sec(d.cold?.ms)} = ${ratio(u.coldMs, d.cold?.ms)}; warm ${sec(u.warmMs)} / ${sec(d.warm.ms)} = ${ratio(u.warmMs, d.warm.ms)}`);
  }
  return out.length ? ["Time to verdict, UML / dioscope:", ...out] : [];
}

/** The side-by-side table (plain text, also pasted into the README). */
export function formatTable(r: PeerResults): string {
  const head = ["seed", "tool", "verdict", "reproduced (before, after)", "time to verdict cold", "warm"];
  const rows = tableRows(r.seeds);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const lines = [row(head, widths), row(widths.map((w) => "-".repeat(w)), widths), ...rows.map((x) => row(x, widths))];
  const details = [`UML ${r.kernelVersion} (ARCH=um, defconfig + harness/bench/peer/uml.config): full build ${sec(r.umlFullBuildMs)}${r.umlFullBuildNow ? "" : " (cached; time of the build on record)"}`];
  for (const s of r.seeds) if (!("error" in s.uml)) for (const u of s.uml) details.push(...umlDetails(s, u));
  return [...lines, "", ...details, "", ...ratioLines(r.seeds)].join("\n").trimEnd();
}
