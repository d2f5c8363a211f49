// Changed functions the compiler inlined. PCT prefers the consultations
// where a changed function is on the running CPU's stack (explore/focus.ts),
// but a static function called once is usually inlined into its caller and
// has no frame of its own: the preference would silently match nothing.
// Such a function's callers in the same file stand for it (the functions
// whose bodies call it, followed up the file until one has a frame), and
// the report names both.
import { readFileSync } from "node:fs";
import { functionNames, readModule } from "../build/wasm-module.ts";
import { functionOf } from "./changed.ts";

/** A changed function with no frame in the kernel, and the functions whose frames stand for it. */
export interface Inlined {
  fn: string;
  /** Callers with frames, sorted; empty when none was found in the files read. */
  by: string[];
}

export interface ResolvedFocus {
  /** Functions PCT prefers: the changed ones with frames, then the callers standing for the others (sorted, unique). */
  focus: string[];
  inlined: Inlined[];
}

/** How many callers up a file the search goes for a function with a frame. */
export const CALLER_HOPS_MAX = 3;

/** The source with its comments blanked (line breaks kept): a comment naming a function is not a call. */
const withoutComments = (source: string): string => source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/\/\/[^\n]*/g, "");

/** The bodies of the functions defined in a C file, by name (kernel style: `{` and `}` of a body at column 0; comments left out). */
export function functionBodies(source: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = withoutComments(source).split("\n");
  let name: string | null = null;
  let body: string[] | null = null;
  for (const line of lines) {
    if (body) {
      if (line.startsWith("}")) {
        out.set(name!, (out.get(name!) ?? "") + body.join("\n"));
        body = null;
        name = null;
      } else body.push(line);
      continue;
    }
    if (line.startsWith("{") && name) body = [];
    else if (line.length > 0 && !/^[\s#]/.test(line)) {
      const fn = functionOf(line);
      if (fn) name = fn;
      else if (/;\s*$/.test(line) || line.startsWith("}")) name = null;
    }
  }
  return out;
}

/** Functions (of `bodies`) whose bodies call `fn`, sorted. */
function callersOf(fn: string, bodies: ReadonlyMap<string, string>): string[] {
  const call = new RegExp(`\\b${fn}\\s*\\(`);
  return [...bodies].filter(([name, body]) => name !== fn && call.test(body)).map(([name]) => name).sort();
}

/** The focus as the kernel can see it: each changed function without a frame replaced by its nearest callers with one. */
export function resolveFocus(focus: readonly string[], framed: ReadonlySet<string>, sources: readonly string[]): ResolvedFocus {
  const bodies = new Map<string, string>();
  for (const s of sources) for (const [name, body] of functionBodies(s)) bodies.set(name, (bodies.get(name) ?? "") + body);
  const out = new Set<string>();
  const inlined: Inlined[] = [];
  for (const fn of focus) {
    if (framed.has(fn)) {
      out.add(fn);
      continue;
    }
    const by = new Set<string>();
    let level = [fn];
    const seen = new Set(level);
    for (let hop = 0; hop < CALLER_HOPS_MAX && level.length; hop++) {
      const next: string[] = [];
      for (const f of level)
        for (const c of callersOf(f, bodies)) {
          if (seen.has(c)) continue;
          seen.add(c);
          if (framed.has(c)) by.add(c);
          else next.push(c);
        }
      level = next;
    }
    inlined.push({ fn, by: [...by].sort() });
    for (const c of by) out.add(c);
  }
  return { focus: [...out].sort(), inlined };
}

/** Names of the functions that have a frame in a built kernel (its name section). */
export function framedFunctions(wasmPath: string): Set<string> {
  return new Set(functionNames(readModule(readFileSync(wasmPath))).values());
}
