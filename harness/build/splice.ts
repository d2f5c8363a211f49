// Incremental Asyncify: a variant kernel differs from the pristine one in a
// few function bodies (the recompiled objects), so instead of running
// wasm-opt --asyncify over the whole variant (most of a cold check), only
// those functions are instrumented and spliced into the pristine kernel.
//
// It applies only when the variant's linked module is the pristine linked
// module with some function bodies changed (same imports, types, globals,
// tables, elements, data, exports, names, function count and order), and
// when every function keeps the property Asyncify's whole-module analysis
// gives it (whether it can unwind: it calls a switching import, makes an
// indirect call, or calls such a function). Our own analysis of that
// property must agree with binaryen's on the pristine module (binaryen
// instruments exactly the functions that can unwind, and only those touch
// its state global). The changed functions are then instrumented by the same
// wasm-opt command in a module where every other body is a stub with the
// same property (it calls a switching import, or is `unreachable`), so every
// index is the pristine one; binaryen's flatten/dce and Asyncify's flow and
// locals passes work function by function, so the changed bodies come out as
// a full run makes them. Type indices are remapped by signature, the
// dirty-page rewrite applied, and the bodies replace the pristine ones in
// the pristine kernel.wasm. Anything else refuses with a reason and the
// caller runs the full Asyncify.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncify } from "./asyncify.ts";
import { DIRTY_MAP_GLOBAL, rewriteBody } from "./dirty.ts";
import type { Toolchain } from "./toolchain.ts";
import { Reader, readSections, SECTION, VALTYPE, Writer, writeSections, type Section } from "./wasm-binary.ts";
import { LINKED_WASM } from "./link.ts";
import { canUnwind, readAnalysis, switchingIndices, UNWIND_ANALYSIS, withChanged, type UnwindAnalysis } from "./unwind.ts";
import { functionNames, readModule, typeKey, walkBody, type ModuleView } from "./wasm-module.ts";

/** The splice cannot give what the full Asyncify would: the reason, for the manifest. */
export class SpliceRefusal extends Error {}

/** The instrumented kernel in a build directory. */
export const KERNEL_WASM = "kernel.wasm";

/**
 * DWARF sections (a few assembler objects carry some) name the object
 * directory and code offsets; the machine never reads them, so the spliced
 * kernel keeps the pristine kernel's.
 */
export const DWARF_PREFIX = ".debug_";

const SECTION_NAMES = Object.fromEntries(Object.entries(SECTION).map(([k, v]) => [v, k])) as Record<number, string>;

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

/** Function indices whose bodies differ between two linked modules that are otherwise the same byte for byte. */
export function changedFunctions(pristine: ModuleView, variant: ModuleView): number[] {
  const p = pristine.sections;
  const v = variant.sections;
  if (p.length !== v.length || p.some((s, i) => s.id !== v[i]!.id)) throw new SpliceRefusal("the variant's module has other sections than the pristine one");
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.id === SECTION.code || sameBytes(p[i]!.body, v[i]!.body)) continue;
    const custom = p[i]!.id === SECTION.custom ? new Reader(p[i]!.body).name() : undefined;
    if (custom?.startsWith(DWARF_PREFIX)) continue;
    const what = custom ? `custom section ${custom}` : `${SECTION_NAMES[p[i]!.id]} section`;
    throw new SpliceRefusal(`the ${what} differs from the pristine kernel's (functions, data or layout moved)`);
  }
  if (pristine.bodies.length !== variant.bodies.length) throw new SpliceRefusal("the variant defines another number of functions");
  const base = pristine.imports.length;
  const out: number[] = [];
  pristine.bodies.forEach((b, i) => sameBytes(b, variant.bodies[i]!) || out.push(base + i));
  return out;
}

/** A zero of a value type, as an instruction. */
function zero(w: Writer, t: number): void {
  if (t === VALTYPE.i32) w.byte(0x41).s32(0);
  else if (t === VALTYPE.i64) w.byte(0x42).s32(0);
  else if (t === VALTYPE.f32) w.byte(0x43).bytes(new Uint8Array(4));
  else if (t === VALTYPE.f64) w.byte(0x44).bytes(new Uint8Array(8));
  else w.byte(0xd0).byte(t);
}

/** A stub body that can unwind: calls the switching import with the fewest parameters, then traps (valid for any function type). */
export function unwindingStub(m: ModuleView, switching: readonly string[]): Uint8Array {
  const params = (f: number) => m.types[m.funcTypes[f]!]!.params.length;
  const via = switchingIndices(m, switching).sort((a, b) => params(a) - params(b))[0];
  if (via === undefined) throw new SpliceRefusal("the module imports no switching function");
  const t = m.types[m.funcTypes[via]!]!;
  const w = new Writer().u32(0);
  for (const p of t.params) zero(w, p);
  w.byte(0x10).u32(via);
  for (let i = 0; i < t.results.length; i++) w.byte(0x1a);
  return w.byte(0x00).byte(0x0b).finish();
}

/** A stub body that cannot unwind. */
const STAYING_STUB = Uint8Array.of(0, 0x00, 0x0b);

const isDwarf = (s: Section): boolean => s.id === SECTION.custom && new Reader(s.body).name().startsWith(DWARF_PREFIX);

/** A module without its DWARF sections. */
export function withoutDwarf(wasm: Uint8Array): Buffer {
  return Buffer.from(writeSections(readSections(wasm).filter((s) => !isDwarf(s))));
}

/**
 * The variant module with every body outside `keep` replaced by a stub with
 * the same unwinding property. Its DWARF sections stay: with them binaryen
 * keeps every local in place (without, it groups locals by type), so the
 * bodies come out as the full Asyncify writes them; that costs ~1 s of CPU.
 */
export function stubModule(v: ModuleView, keep: ReadonlySet<number>, unwinds: Uint8Array, switching: readonly string[]): Uint8Array {
  const unwinding = unwindingStub(v, switching);
  const base = v.imports.length;
  const code = new Writer(1 << 20).u32(v.bodies.length);
  v.bodies.forEach((b, i) => {
    const body = keep.has(base + i) ? b : unwinds[base + i] ? unwinding : STAYING_STUB;
    code.u32(body.length).bytes(body);
  });
  const sections: Section[] = v.sections.map((s) => (s.id === SECTION.code ? { id: s.id, body: code.finish() } : s));
  return writeSections(sections);
}

/** A body with its call_indirect and block type indices mapped through `map`. */
export function remapTypes(body: Uint8Array, map: (t: number) => number): Uint8Array {
  const w = new Writer(body.length + 16);
  let copied = 0;
  walkBody(body, (op, r, at) => {
    if (op === 0x11) {
      w.bytes(body.subarray(copied, at)).byte(op).u32(map(r.u32())).u32(r.u32());
      copied = r.pos;
    } else if (op >= 0x02 && op <= 0x04) {
      const x = body[r.pos]!;
      if (x === 0x40 || (x >= 0x6f && x <= 0x7f)) return;
      const t = r.u32(); // a type index is a non-negative s33: the same groups of seven bits
      w.bytes(body.subarray(copied, at)).byte(op).s32(map(t));
      copied = r.pos;
    }
  });
  return w.bytes(body.subarray(copied)).finish();
}

/** Checks that the instrumented stub module's globals are the prefix of the pristine kernel's (same indices). */
function checkGlobals(out: ModuleView, kernel: ModuleView): void {
  const g = (m: ModuleView) => m.sections.find((s) => s.id === SECTION.global)?.body ?? Uint8Array.of(0);
  const a = g(out);
  const b = g(kernel);
  const ra = new Reader(a);
  const rb = new Reader(b);
  ra.u32();
  rb.u32();
  const rest = a.subarray(ra.pos);
  if (out.globalCount + 1 !== kernel.globalCount || !sameBytes(rest, b.subarray(rb.pos, rb.pos + rest.length)))
    throw new SpliceRefusal("the instrumented functions' globals are not the pristine kernel's");
  if (out.imports.length !== kernel.imports.length || out.bodies.length + 1 !== kernel.bodies.length)
    throw new SpliceRefusal("the instrumented module's functions do not line up with the pristine kernel's");
}

export interface SpliceInput {
  tc: Toolchain;
  /** The pristine build's directory: its linked module, kernel.wasm (Asyncify + dirty-page pass) and unwinding analysis. */
  pristineDir: string;
  /** The variant's linked module. */
  variantLinked: string;
  /** Where to write the variant's kernel.wasm, and a directory for the stub module. */
  output: string;
  workDir: string;
  switching: readonly string[];
}

export interface SpliceResult {
  changed: string[];
  /** wasm-opt's time on the stub module, ms. */
  asyncifyMs: number;
}

/** Which functions changed, after checking every function keeps the unwinding property binaryen gave it in the pristine kernel. */
function checkedChanges(p: ModuleView, v: ModuleView, pristine: UnwindAnalysis | undefined, switching: readonly string[]): { changed: number[]; unwinds: Uint8Array } {
  if (!pristine) throw new SpliceRefusal(`the pristine kernel has no ${UNWIND_ANALYSIS}`);
  if (pristine.disagreement) throw new SpliceRefusal(pristine.disagreement);
  if (pristine.switchingNames.join() !== switching.join()) throw new SpliceRefusal("the switching imports changed since the pristine build");
  const changed = changedFunctions(p, v);
  if (!changed.length) throw new SpliceRefusal("no function body changed");
  const before = canUnwind(pristine.graph);
  const after = canUnwind(withChanged(pristine.graph, v, changed));
  const names = functionNames(v);
  for (let f = 0; f < before.length; f++)
    if (after[f] !== before[f]) throw new SpliceRefusal(`${names.get(f) ?? f} ${after[f] ? "can" : "cannot"} unwind in the variant, unlike in the pristine kernel`);
  return { changed, unwinds: after };
}

export function spliceVariant(inp: SpliceInput): SpliceResult {
  const p = readModule(readFileSync(join(inp.pristineDir, LINKED_WASM)));
  const v = readModule(readFileSync(inp.variantLinked));
  const { changed, unwinds } = checkedChanges(p, v, readAnalysis(inp.pristineDir), inp.switching);
  const kernelBytes = readFileSync(join(inp.pristineDir, KERNEL_WASM));
  const kernel = readModule(kernelBytes);
  const stubIn = join(inp.workDir, "splice.in.wasm");
  const stubOut = join(inp.workDir, "splice.out.wasm");
  writeFileSync(stubIn, stubModule(v, new Set(changed), unwinds, inp.switching));
  const t0 = performance.now();
  asyncify(inp.tc, stubIn, stubOut, [...inp.switching]);
  const asyncifyMs = Math.round(performance.now() - t0);
  const out = readModule(readFileSync(stubOut));
  rmSync(stubIn);
  rmSync(stubOut);
  checkGlobals(out, kernel);
  const kernelType = new Map(kernel.types.map((t, i) => [typeKey(t), i]));
  const mapType = (t: number): number => {
    const k = kernelType.get(typeKey(out.types[t]!));
    if (k === undefined) throw new SpliceRefusal(`an instrumented function uses a type the pristine kernel lacks (${typeKey(out.types[t]!)})`);
    return k;
  };
  const map = kernel.exports.get(DIRTY_MAP_GLOBAL);
  if (!map || map.kind !== 3) throw new SpliceRefusal(`the pristine kernel exports no ${DIRTY_MAP_GLOBAL} global`);
  const ctx = { mapGlobal: map.index, markRange: kernel.funcTypes.length - 1 };
  const base = kernel.imports.length;
  const bodies = [...kernel.bodies];
  for (const f of changed) {
    const body = remapTypes(out.bodies[f - base]!, mapType);
    bodies[f - base] = rewriteBody(body, kernel.types[kernel.funcTypes[f]!]!.params.length, ctx);
  }
  const code = new Writer(kernelBytes.length).u32(bodies.length);
  for (const b of bodies) code.u32(b.length).bytes(b);
  writeFileSync(inp.output, writeSections(kernel.sections.map((s) => (s.id === SECTION.code ? { id: s.id, body: code.finish() } : s))));
  const names = functionNames(v);
  return { changed: changed.map((f) => names.get(f) ?? `function ${f}`), asyncifyMs };
}
