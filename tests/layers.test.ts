// The layers of harness/, one way: a module imports only modules of its own
// layer or of lower ones, and no modules import each other in a circle.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { repoRoot } from "../harness/paths.ts";

/** Highest first. A layer may import itself and anything after it. */
const LAYERS = [
  ["cli", "bench"],
  ["report"],
  ["check"],
  ["generate"],
  ["explore"],
  ["variants"],
  ["scenario"],
  ["oracles"],
  ["boot", "selftest"],
  ["user"],
  ["agent"],
  ["block"],
  ["machine"],
  ["build"],
  ["ingest"],
  ["tree"],
  ["paths", "prng"],
] as const;

const HARNESS = join(repoRoot, "harness");
const rank = (layer: string): number => LAYERS.findIndex((l) => (l as readonly string[]).includes(layer));
const layerOf = (file: string): string => relative(HARNESS, file).split("/")[0]!.replace(/\.ts$/, "");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const graph = new Map<string, string[]>(
  files(HARNESS).map((f) => [
    f,
    [...readFileSync(f, "utf8").matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gms)].map((m) => normalize(join(dirname(f), m[1]!))),
  ]),
);

describe("layers of harness/", () => {
  it("every layer is known, and imports go to the same layer or a lower one", () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      assert.notEqual(rank(layerOf(f)), -1, `${relative(repoRoot, f)}: layer ${layerOf(f)} is not in the list`);
      for (const d of deps) if (rank(layerOf(d)) < rank(layerOf(f))) bad.push(`${relative(repoRoot, f)} imports ${relative(repoRoot, d)}`);
    }
    assert.deepEqual(bad, []);
  });

  it("no import cycles between modules", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...path.slice(path.indexOf(f)), f].map((x) => relative(HARNESS, x)).join(" -> "));
        return;
      }
      state.set(f, "open");
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f, []);
    assert.deepEqual(cycles, []);
  });
});
