// The main job: every bundled seed mail on every tree, judged by its own
// scenario. Seed 000's mail applies to no 6.x tree, so its reproduction
// uses patches/000-regression-*.patch (the 2006 bug put back into today's
// code) as the tree *before* the fix.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { applyToTree, ingest } from "../ingest/index.ts";
import { repoRoot } from "../paths.ts";
import { resolveTree } from "../tree/resolve.ts";
import { kernelSeries, type TreeName } from "../tree/source.ts";
import { PENDING_SEEDS, scenariosForSeed } from "../scenario/registry.ts";
import { runUnit, unitsFor, type PatchOnTree, type Unit, type UnitResult } from "./check.ts";
import type { ScenarioVerdict } from "./verdict.ts";

export interface SeedRow {
  seed: string;
  tree: TreeName;
  patch: string;
  /** "passes" / "fails: ..." / "—" */
  before: string;
  after: string;
  verdict: string;
  unit: UnitResult | null;
  verdictOf?: ScenarioVerdict;
}

const MUTANT = /^000-regression-.*\.patch$/;

/** The main job also runs each seed's unguided scenario under PCT (same budget per side). */
export const MAIN_JOB_EXPLORE = { budget: 300, seed: 1, depth: 3 };

export function seedFiles(): { seed: string; file: string }[] {
  const dir = join(repoRoot, "patches");
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[0-9a-f]+\.txt$/.test(f))
    .sort()
    .map((f) => ({ seed: f.slice(0, 3), file: join(dir, f) }));
}

function side(r: { passed: boolean; results: { name: string; failure: string | null }[] } | null): string {
  if (!r) return "—";
  return r.passed ? "passes" : `fails (${r.results.filter((x) => x.failure).map((x) => x.name).join("; ")})`;
}

/**
 * Seed 002's unit: both trees without the later NOWAIT read guard (a
 * documented scenario patch), before = without the seed, after = with it.
 * On 6.12 the seed is located where the code moved, with the rename.
 */
export function seed002Unit(file: string, tree: TreeName): Unit {
  return locate002(file, tree).unit;
}

/** Seed 002's unit and how the mail was located on the tree ("already-applied, relocated"). */
function locate002(file: string, tree: TreeName): { unit: Unit; located: string } {
  const t = resolveTree(tree);
  const guardFile = join(repoRoot, "patches", `002-scenario-nowait-read-guard-removed-${kernelSeries(t.kernelVersion)}.patch`);
  if (!existsSync(guardFile)) return { unit: { label: "002", tree, patchIds: [], before: null, after: null, blocked: `no guard-removal scenario patch for kernel ${kernelSeries(t.kernelVersion)} (${guardFile})` }, located: "—" };
  const [guard] = ingest([guardFile]);
  const g = applyToTree(guard!, t);
  if (g.report.status !== "applies" || !g.after)
    return { unit: { label: "002", tree, patchIds: [], before: null, after: null, blocked: `the guard-removal patch is ${g.report.status} on ${tree}` }, located: "—" };
  const [seed] = ingest([file]);
  const located = (st: string) => st === "already-applied" || st === "applies";
  // As written first; where the code moved (6.12: fs/btrfs/direct-io.c, with the rename), there.
  let r = applyToTree(seed!, t, { base: g.after });
  if (!located(r.report.status)) r = applyToTree(seed!, t, { base: g.after, allowRelocated: true, renames: { free_extent_map: "btrfs_free_extent_map" } });
  const ok = located(r.report.status);
  const how = `${r.report.status}${r.report.relocated ? ", relocated" : ""}`;
  return {
    unit: {
      label: `002 (${how}) on ${tree} without the NOWAIT read guard`,
      tree,
      patchIds: [seed!.id, guard!.id],
      before: ok ? r.before : null,
      after: ok ? r.after : null,
      blocked: ok ? null : `the seed is ${r.report.status} on ${tree} (without the guard)`,
    },
    located: how,
  };
}

/** Seed 000's unit: the tree with the regression mutant before, the tree as it is after. */
function mutant000Unit(tree: TreeName): Unit {
  const mutantFile = readdirSync(join(repoRoot, "patches")).find((f) => MUTANT.test(f))!;
  const [mutant] = ingest([join(repoRoot, "patches", mutantFile)]);
  const r = applyToTree(mutant!, resolveTree(tree));
  return { label: `000 via ${mutantFile}`, tree, patchIds: [mutant!.id], before: r.after, after: null, blocked: r.report.status === "applies" ? null : `the regression mutant is ${r.report.status} on ${tree}` };
}

export function seedRows(trees: TreeName[], log: (l: string) => void = () => {}, only?: string): SeedRow[] {
  const rows: SeedRow[] = [];
  for (const { seed, file } of seedFiles().filter((f) => only === undefined || f.seed === only)) {
    const scenarios = scenariosForSeed(seed);
    const series = ingest([file]);
    for (const tree of trees) {
      const out: PatchOnTree[] = [];
      let units = unitsFor(series, tree, out);
      let patch = out.map((p) => p.status).join("+");
      if (!scenarios.length) {
        rows.push({ seed, tree, patch, before: "—", after: "—", verdict: `not yet: ${PENDING_SEEDS[seed] ?? "no scenario"}`, unit: null });
        continue;
      }
      let label = seed;
      if (seed === "000") {
        rows.push({ seed: "000 (the mail)", tree, patch, before: "—", after: "—", verdict: "not applicable: the 2006 patch applies to no available tree", unit: null });
        [units, patch, label] = [[mutant000Unit(tree)], "mutant applies", "000 (mutant)"];
      } else if (seed === "002") {
        const l = locate002(file, tree);
        [units, patch] = [[l.unit], l.located];
      }
      for (const u of units) {
        const res = runUnit(u, scenarios, log, MAIN_JOB_EXPLORE);
        for (const v of res.verdicts)
          rows.push({
            seed: `${label} ${v.scenario.replace(/^\d{3}-/, "")}`,
            tree,
            patch,
            before: side(v.before),
            after: side(v.after),
            verdict: `${v.verdict}${v.verdict === "not-applicable" ? ": " + v.reason : ""}`,
            unit: res,
            verdictOf: v,
          });
      }
    }
  }
  return rows;
}
