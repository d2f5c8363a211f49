// Reconstruction rate, for `npm run bench`: real edits on real files of the Debian trees,
// exact diffs by diff(1), damaged like the seeds, rebuilt against the tree (forward) and
// against the edited file (reverse). Each case is exact (byte-identical result), whitespace
// (identical except the whitespace of lines the tool marked as re-indented by rule), refused
// (ambiguous or not located: said so) or wrong (a silently different result: must be 0).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { resolveTree } from "../tree/resolve.ts";
import type { PristineTree } from "../tree/source.ts";
import { applyToTree } from "./apply.ts";
import { ingestText } from "./index.ts";
import { damageDiff, prng, realEdit, unifiedDiff } from "./mangle.ts";
import { compareText, evaluateTree, summarise } from "./evaluate.ts";

export const BENCH_FILES = ["fs/ext4/file.c", "fs/direct-io.c", "fs/iomap/direct-io.c", "fs/btrfs/file.c", "fs/fat/inode.c", "block/fops.c"];

export type Outcome = "exact" | "whitespace" | "refused" | "wrong";

export interface CaseResult {
  outcome: Outcome;
  detail: string;
}

/** One case: edit `rel` of `root` with seed, damage, rebuild both ways. */
export function runCase(root: string, rel: string, seed: number, dir: "forward" | "reverse", damage: boolean | { dropMissable: number } = true): CaseResult {
  const rnd = prng(seed);
  const drop = typeof damage === "object" ? damage.dropMissable : 0.5;
  const orig = readFileSync(join(root, rel), "utf8");
  const lines = orig.split("\n");
  const edited = realEdit(lines, rnd).join("\n");
  if (edited === orig) return { outcome: "exact", detail: "no-op edit" };
  const exact = unifiedDiff(rel, orig, edited);
  const text = damage ? damageDiff(exact, { dropMissable: drop, chrome: rnd() < 0.7, indent: rnd() < 0.5 ? 4 : 0, rnd }) : exact;
  const tmp = mkdtempSync(join(tmpdir(), "dioscope-rate-"));
  try {
    const have = dir === "forward" ? orig : edited;
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), have);
    const tree: PristineTree = { name: "6.1", origin: "synthetic", source: { kind: "dir", path: tmp, fingerprint: "synthetic" }, kernelVersion: "0", root: tmp };
    let patches;
    try {
      patches = ingestText(text, "case.txt");
    } catch (e) {
      return { outcome: "refused", detail: `parse: ${(e as Error).message}` };
    }
    if (patches.length !== 1) return { outcome: "wrong", detail: `parsed ${patches.length} patches` };
    // random line copies do not keep the code's structure, which putting back lost lines of
    // the side not in the tree relies on: that rule is measured on real patches (evaluate.ts)
    const r = applyToTree(patches[0]!, tree, { noSearch: true, inventLost: false });
    const st = r.report.status;
    // no overlay is produced for these and the report says why: a refusal, not a silent result
    if (st === "ambiguous" || st === "neither" || st === "partially-applied") return { outcome: "refused", detail: st + ": " + r.report.files.flatMap((f) => f.hunks.map((h) => h.reason ?? "")).join(" | ") };
    const wantStatus = dir === "forward" ? "applies" : "already-applied";
    if (st !== wantStatus) return { outcome: "wrong", detail: `status ${st}, expected ${wantStatus}` };
    const ov = dir === "forward" ? r.after! : r.before!;
    const got = ov.files.get(rel);
    if (got === undefined || got === null) return { outcome: "wrong", detail: "no content" };
    const want = dir === "forward" ? edited : orig;
    const o = compareText(got, want);
    return { outcome: o, detail: o === "wrong" ? `differs:\n${exact}\n---- damaged ----\n${text}` : "" };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The damage the property test draws from: the share of blank and brace lines lost. */
export const PROPERTY_DROPS = [0, 0.3, 0.7, 1] as const;
/** Damaged cases: a sample in `npm test` (tests/ingest.property.test.ts), the full count in `npm run bench`. */
export const PROPERTY_CASES = { test: 150, bench: 600 } as const;

/**
 * For the bench: the property test's cases at full count — damaged real edits (half forward,
 * half already applied, the lost-line shares of PROPERTY_DROPS) on BENCH_FILES of the given
 * trees (default: the Debian 6.1 and 6.12 trees). exact + whitespace = rebuilt; wrong must be 0.
 */
export async function reconstructionRate(opts: { trees?: PristineTree[]; cases?: number; seed?: number } = {}): Promise<{ tried: number; exact: number; whitespace: number; refused: number; wrong: number; examples: string[] }> {
  const n = opts.cases ?? PROPERTY_CASES.bench;
  const trees = opts.trees ?? [resolveTree("6.1"), resolveTree("6.12")];
  const res = { tried: 0, exact: 0, whitespace: 0, refused: 0, wrong: 0, examples: [] as string[] };
  const rnd = prng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let i = 0; i < n; i++) {
    const rel = pick(BENCH_FILES);
    const tree = pick(trees);
    const seed = Math.floor(rnd() * 2 ** 31);
    const c = runCase(tree.root, rel, seed, i % 2 === 0 ? "forward" : "reverse", { dropMissable: pick(PROPERTY_DROPS) });
    res.tried++;
    res[c.outcome]++;
    if (c.outcome === "wrong" && res.examples.length < 3) res.examples.push(`${tree.name} ${rel} seed ${seed}: ${c.detail}`);
  }
  return res;
}

/** For the bench: the evaluation set's agreement with GNU patch per tree and rendering. */
export function evaluationRate(trees: PristineTree[]): Record<string, Record<string, { cases: number; agree: number; exact: number; falseApply: number; rate: number }>> {
  const out: Record<string, Record<string, { cases: number; agree: number; exact: number; falseApply: number; rate: number }>> = {};
  for (const t of trees) {
    const s = summarise(evaluateTree(t));
    out[t.name] = { all: { cases: s.cases, agree: s.agree, exact: s.exact, falseApply: s.falseApply, rate: s.agree / s.cases } };
    for (const [k, v] of Object.entries(s.byRendering)) out[t.name]![k] = { ...v, rate: v.agree / v.cases };
  }
  return out;
}
