// A linked or instrumented kernel module seen function by function: its
// sections, function imports, every function's type, and the defined
// functions' bodies; and the walks over a body that the splice needs (the
// functions it calls, whether it makes an indirect call or touches a
// global). Built on wasm-binary.ts.
import { Reader, readSections, readTypes, SECTION, skipImmediates, WasmFormatError, Writer, type FuncType, type Section } from "./wasm-binary.ts";

export interface FunctionImport {
  module: string;
  name: string;
}

export interface ModuleView {
  sections: Section[];
  types: FuncType[];
  /** Function imports, in index order (function index i < imports.length). */
  imports: FunctionImport[];
  /** Type index of every function, imported ones first. */
  funcTypes: number[];
  /** Body of every defined function (function index imports.length + i), local declarations included. */
  bodies: Uint8Array[];
  /** Imported plus defined globals. */
  globalCount: number;
  /** Export name -> index, for function (kind 0) and global (kind 3) exports. */
  exports: Map<string, { kind: number; index: number }>;
}

const OP = { call: 0x10, callIndirect: 0x11, globalGet: 0x23, globalSet: 0x24 } as const;

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/** Reads the import section: the function imports with their types, and how many globals are imported. */
function readImports(s: Section | undefined, funcTypes: number[]): { imports: FunctionImport[]; globals: number } {
  const imports: FunctionImport[] = [];
  let globals = 0;
  if (!s) return { imports, globals };
  const r = new Reader(s.body);
  for (let i = r.u32(); i > 0; i--) {
    const module = r.name();
    const name = r.name();
    const kind = r.byte();
    if (kind === 0) {
      imports.push({ module, name });
      funcTypes.push(r.u32());
    } else if (kind === 1) (r.byte(), skipLimits(r));
    else if (kind === 2) skipLimits(r);
    else if (kind === 3) (r.byte(), r.byte(), globals++);
    else throw new WasmFormatError(`unknown import kind ${kind}`);
  }
  return { imports, globals };
}

function readExports(s: Section | undefined): Map<string, { kind: number; index: number }> {
  const out = new Map<string, { kind: number; index: number }>();
  if (!s) return out;
  const r = new Reader(s.body);
  for (let i = r.u32(); i > 0; i--) {
    const name = r.name();
    const kind = r.byte();
    out.set(name, { kind, index: r.u32() });
  }
  return out;
}

export function readModule(wasm: Uint8Array): ModuleView {
  const sections = readSections(wasm);
  const find = (id: number) => sections.find((s) => s.id === id);
  const types = readTypes(find(SECTION.type)?.body ?? Uint8Array.of(0));
  const funcTypes: number[] = [];
  const { imports, globals } = readImports(find(SECTION.import), funcTypes);
  const fr = new Reader(find(SECTION.function)?.body ?? Uint8Array.of(0));
  for (let i = fr.u32(); i > 0; i--) funcTypes.push(fr.u32());
  const bodies: Uint8Array[] = [];
  const cr = new Reader(find(SECTION.code)?.body ?? Uint8Array.of(0));
  for (let i = cr.u32(); i > 0; i--) {
    const size = cr.u32();
    bodies.push(cr.b.subarray(cr.pos, cr.pos + size));
    cr.skip(size);
  }
  if (bodies.length !== funcTypes.length - imports.length) throw new WasmFormatError("function and code sections disagree");
  const globalSection = find(SECTION.global);
  const globalCount = globals + (globalSection ? new Reader(globalSection.body).u32() : 0);
  return { sections, types, imports, funcTypes, bodies, globalCount, exports: readExports(find(SECTION.export)) };
}

/** Position of the first instruction of a body (after its local declarations). */
export function codeStart(body: Uint8Array): number {
  const r = new Reader(body);
  for (let n = r.u32(); n > 0; n--) (r.u32(), r.byte());
  return r.pos;
}

/** Calls `visit(op, r)` for every instruction of a body, r.pos at its immediates; then steps over them. */
export function walkBody(body: Uint8Array, visit: (op: number, r: Reader, at: number) => void): void {
  const r = new Reader(body, codeStart(body));
  while (r.pos < body.length) {
    const at = r.pos;
    const op = r.byte();
    const immediates = r.pos;
    visit(op, r, at);
    r.pos = immediates;
    skipImmediates(r, op);
  }
}

export interface CallInfo {
  /** Function indices called directly. */
  callees: Set<number>;
  indirect: boolean;
}

export function callsOf(body: Uint8Array): CallInfo {
  const out: CallInfo = { callees: new Set(), indirect: false };
  walkBody(body, (op, r) => {
    if (op === OP.call) out.callees.add(r.u32());
    else if (op === OP.callIndirect) out.indirect = true;
  });
  return out;
}

/** Whether a body reads or writes global `g`. */
export function touchesGlobal(body: Uint8Array, g: number): boolean {
  // Most bodies lack even the bytes of global.get/global.set g: skip the walk there.
  const leb = new Writer().u32(g).finish();
  const buf = Buffer.from(body.buffer, body.byteOffset, body.length);
  if (buf.indexOf(Uint8Array.of(OP.globalGet, ...leb)) < 0 && buf.indexOf(Uint8Array.of(OP.globalSet, ...leb)) < 0) return false;
  let hit = false;
  walkBody(body, (op, r) => {
    if ((op === OP.globalGet || op === OP.globalSet) && r.u32() === g) hit = true;
  });
  return hit;
}

/** A function type as a comparable key. */
export const typeKey = (t: FuncType): string => `${t.params.join(",")}>${t.results.join(",")}`;

/** Function name of every index from the name section (subsection 1), when the module has one. */
export function functionNames(m: ModuleView): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of m.sections) {
    if (s.id !== SECTION.custom) continue;
    const r = new Reader(s.body);
    if (r.name() !== "name") continue;
    while (r.pos < s.body.length) {
      const id = r.byte();
      const end = r.u32() + r.pos;
      if (id === 1) for (let n = r.u32(); n > 0; n--) out.set(r.u32(), r.name());
      r.pos = end;
    }
  }
  return out;
}
