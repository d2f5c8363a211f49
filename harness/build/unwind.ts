// Which functions can unwind: Asyncify's whole-module property ("can change
// state" in binaryen's Asyncify.cpp, version 108, with our flags: indirect
// calls can switch, only the listed host imports can). A function can
// unwind when it calls a switching import, makes an indirect call, or calls
// directly a function that can. The pristine build records its call graph
// and checks this analysis against what binaryen did (it instruments exactly
// the functions that can unwind, and only they touch its state global); a
// variant's splice then re-walks only its changed functions.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { callsOf, functionNames, touchesGlobal, type ModuleView } from "./wasm-module.ts";
import { WasmFormatError } from "./wasm-binary.ts";

/** Beside a pristine kernel.wasm: its call graph, and whether our analysis agrees with binaryen's there. */
export const UNWIND_ANALYSIS = "kernel.calls.json";

/** The module the switching imports come from (asyncify-imports names them `host.<name>`). */
export const HOST_MODULE = "host";

export interface CallGraph {
  /** Number of function imports (defined function i is function index imports + i). */
  imports: number;
  /** Function indices of the switching imports. */
  switching: number[];
  /** Per defined function: whether it makes an indirect call, and the function indices it calls. */
  indirect: boolean[];
  callees: number[][];
}

export interface UnwindAnalysis {
  /** The switching import names the analysis was made for. */
  switchingNames: string[];
  /** Why our analysis cannot stand for binaryen's on this kernel (null: it agrees on every function). */
  disagreement: string | null;
  graph: CallGraph;
}

export function switchingIndices(m: ModuleView, switching: readonly string[]): number[] {
  const names = new Set(switching);
  return m.imports.flatMap((imp, i) => (imp.module === HOST_MODULE && names.has(imp.name) ? [i] : []));
}

export function callGraph(m: ModuleView, switching: readonly string[]): CallGraph {
  const g: CallGraph = { imports: m.imports.length, switching: switchingIndices(m, switching), indirect: [], callees: [] };
  for (const body of m.bodies) {
    const c = callsOf(body);
    g.indirect.push(c.indirect);
    g.callees.push([...c.callees]);
  }
  return g;
}

/** The graph with the calls of defined functions `changed` (function indices) read again from `m`. */
export function withChanged(g: CallGraph, m: ModuleView, changed: readonly number[]): CallGraph {
  const out = { ...g, indirect: [...g.indirect], callees: [...g.callees] };
  for (const f of changed) {
    const c = callsOf(m.bodies[f - g.imports]!);
    out.indirect[f - g.imports] = c.indirect;
    out.callees[f - g.imports] = [...c.callees];
  }
  return out;
}

/** Can-unwind for every function index (least fixpoint, propagated from callees to callers). */
export function canUnwind(g: CallGraph): Uint8Array {
  const n = g.imports + g.callees.length;
  const out = new Uint8Array(n);
  for (const i of g.switching) out[i] = 1;
  const callers: number[][] = Array.from({ length: n }, () => []);
  g.callees.forEach((cs, i) => {
    if (g.indirect[i]) out[g.imports + i] = 1;
    for (const t of cs) {
      if (t >= n) throw new WasmFormatError(`function ${g.imports + i} calls function ${t}, outside the module`);
      callers[t]!.push(g.imports + i);
    }
  });
  const work: number[] = [];
  out.forEach((x, i) => x && work.push(i));
  while (work.length) {
    for (const caller of callers[work.pop()!]!) {
      if (out[caller]) continue;
      out[caller] = 1;
      work.push(caller);
    }
  }
  return out;
}

/**
 * The pristine kernel's analysis: its call graph (from the linked module)
 * and the first function where our can-unwind differs from binaryen's
 * instrumentation of `asyncified` (whose state global is the first global
 * Asyncify adds: index linked.globalCount).
 */
export function analysePristine(linked: ModuleView, asyncified: ModuleView, switching: readonly string[]): UnwindAnalysis {
  const graph = callGraph(linked, switching);
  const ours = canUnwind(graph);
  const state = linked.globalCount;
  let disagreement: string | null = null;
  for (let i = 0; i < linked.bodies.length && !disagreement; i++) {
    const theirs = touchesGlobal(asyncified.bodies[i]!, state);
    if (theirs !== Boolean(ours[graph.imports + i])) {
      const name = functionNames(linked).get(graph.imports + i) ?? `function ${graph.imports + i}`;
      disagreement = `binaryen ${theirs ? "instruments" : "does not instrument"} ${name}, our unwinding analysis says otherwise`;
    }
  }
  return { switchingNames: [...switching], disagreement, graph };
}

export function writeAnalysis(dir: string, a: UnwindAnalysis): void {
  writeFileSync(join(dir, UNWIND_ANALYSIS), JSON.stringify(a));
}

export function readAnalysis(dir: string): UnwindAnalysis | undefined {
  const f = join(dir, UNWIND_ANALYSIS);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as UnwindAnalysis) : undefined;
}
