// Dirty-page tracking, a post-Asyncify pass over the kernel module: every
// store marks the 4 KiB page it writes in a byte map (one byte per page) at
// the address held by the exported global DIRTY_MAP_GLOBAL, and every
// memory.copy / memory.fill marks its destination range. The machine puts
// the map in host-reserved RAM and restores a snapshot by copying back only
// the pages marked since (plus DIRTY_SPILL_BYTES after each, for a store
// that crosses into the next page). Kernel semantics are unchanged: the
// inserted code only writes the map.
import { Reader, readSections, readTypes, SECTION, skipImmediates, VALTYPE, WasmFormatError, Writer, writeSections, type Section } from "./wasm-binary.ts";

export const DIRTY_MAP_GLOBAL = "dioscope_dirty_map";
export const DIRTY_PAGE_SHIFT = 12;
/** The widest store (8 bytes) starting in a page may reach this far into the next one. */
export const DIRTY_SPILL_BYTES = 8;

const OP = { localGet: 0x20, localSet: 0x21, localTee: 0x22, globalGet: 0x23, i32Const: 0x41, i32Add: 0x6a, i32ShrU: 0x76, i32Store8: 0x3a, call: 0x10 };

/** The value each store opcode (0x36..0x3e) takes from the stack. */
const STORE_VALUE: Record<number, number> = { 0x36: VALTYPE.i32, 0x37: VALTYPE.i64, 0x38: VALTYPE.f32, 0x39: VALTYPE.f64, 0x3a: VALTYPE.i32, 0x3b: VALTYPE.i32, 0x3c: VALTYPE.i64, 0x3d: VALTYPE.i64, 0x3e: VALTYPE.i64 };

export interface Ctx {
  mapGlobal: number;
  markRange: number;
}

/** Emits: map[(local a + offset) >> 12] = 1 (the address is in local `a`). */
function emitMark(w: Writer, c: Ctx, a: number, offset: number): void {
  w.byte(OP.globalGet).u32(c.mapGlobal).byte(OP.localGet).u32(a);
  if (offset) w.byte(OP.i32Const).s32(offset | 0).byte(OP.i32Add);
  w.byte(OP.i32Const).s32(DIRTY_PAGE_SHIFT).byte(OP.i32ShrU).byte(OP.i32Add).byte(OP.i32Const).s32(1).byte(OP.i32Store8).u32(0).u32(0);
}

/** Rewrites one function body (its stores and bulk memory writes), adding six scratch locals when it has any. */
export function rewriteBody(body: Uint8Array, nParams: number, c: Ctx): Uint8Array {
  const r = new Reader(body);
  const nDecls = r.u32();
  let nLocals = nParams;
  for (let i = 0; i < nDecls; i++) {
    nLocals += r.u32();
    r.byte();
  }
  const codeStart = r.pos;
  // Scratch locals: address, i32 value, length, i64 value, f32 value, f64 value.
  const [a, v32, n, v64, f32, f64] = [0, 1, 2, 3, 4, 5].map((k) => nLocals + k) as [number, number, number, number, number, number];
  const valueLocal: Record<number, number> = { [VALTYPE.i32]: v32, [VALTYPE.i64]: v64, [VALTYPE.f32]: f32, [VALTYPE.f64]: f64 };
  const code = new Writer(body.length * 2);
  let copied = codeStart;
  let touched = false;
  while (r.pos < body.length) {
    const at = r.pos;
    const op = r.byte();
    if (op >= 0x36 && op <= 0x3e) {
      r.u32();
      const offset = r.u32();
      code.bytes(body.subarray(copied, at));
      copied = at;
      const v = valueLocal[STORE_VALUE[op]!]!;
      code.byte(OP.localSet).u32(v).byte(OP.localTee).u32(a);
      emitMark(code, c, a, offset);
      code.byte(OP.localGet).u32(v);
      touched = true;
      continue;
    }
    if (op === 0xfc) {
      const save = r.pos;
      const sub = r.u32();
      r.pos = save;
      if (sub === 10 || sub === 11) {
        code.bytes(body.subarray(copied, at));
        copied = at;
        // [dst, src|value, len] -> mark [dst, dst+len), then the same three back.
        code.byte(OP.localSet).u32(n).byte(OP.localSet).u32(v32).byte(OP.localTee).u32(a).byte(OP.localGet).u32(n).byte(OP.call).u32(c.markRange);
        code.byte(OP.localGet).u32(a).byte(OP.localGet).u32(v32).byte(OP.localGet).u32(n);
        touched = true;
      }
    }
    skipImmediates(r, op);
  }
  if (!touched) return body;
  code.bytes(body.subarray(copied));
  const w = new Writer().u32(nDecls + 4);
  w.bytes(body.subarray(lebLength(body), codeStart));
  w.u32(3).byte(VALTYPE.i32).u32(1).byte(VALTYPE.i64).u32(1).byte(VALTYPE.f32).u32(1).byte(VALTYPE.f64);
  return w.bytes(code.finish()).finish();
}

function lebLength(b: Uint8Array, at = 0): number {
  let i = at;
  while (b[i]! & 0x80) i++;
  return i - at + 1;
}

/** mark_range(dst, len): map[dst >> 12 .. (dst + len - 1) >> 12] = 1 (nothing for len 0). */
function markRangeBody(mapGlobal: number): Uint8Array {
  const w = new Writer().u32(0);
  w.byte(0x20).u32(1).byte(0x45).byte(0x04).byte(0x40).byte(0x0f).byte(0x0b); // if (!len) return
  w.byte(0x20).u32(0).byte(0x20).u32(1).byte(0x6a).byte(0x41).s32(1).byte(0x6b).byte(0x41).s32(DIRTY_PAGE_SHIFT).byte(0x76).byte(0x21).u32(1); // len = last page
  w.byte(0x20).u32(0).byte(0x41).s32(DIRTY_PAGE_SHIFT).byte(0x76).byte(0x21).u32(0); // dst = first page
  w.byte(0x03).byte(0x40);
  w.byte(0x23).u32(mapGlobal).byte(0x20).u32(0).byte(0x6a).byte(0x41).s32(1).byte(0x3a).u32(0).u32(0);
  w.byte(0x20).u32(0).byte(0x41).s32(1).byte(0x6a).byte(0x22).u32(0).byte(0x20).u32(1).byte(0x4d).byte(0x0d).u32(0);
  w.byte(0x0b).byte(0x0b);
  return w.finish();
}

interface Imports {
  functions: number;
  globals: number;
}

function countImports(s: Section | undefined): Imports {
  const out = { functions: 0, globals: 0 };
  if (!s) return out;
  const r = new Reader(s.body);
  for (let i = r.u32(); i > 0; i--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) (r.u32(), out.functions++);
    else if (kind === 1) (r.byte(), skipLimits(r));
    else if (kind === 2) skipLimits(r);
    else if (kind === 3) (r.byte(), r.byte(), out.globals++);
    else throw new WasmFormatError(`unknown import kind ${kind}`);
  }
  return out;
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/** A vector section with `extra` entries appended (the count rewritten). */
function appendToVector(body: Uint8Array | undefined, extra: Uint8Array[]): Uint8Array {
  const r = new Reader(body ?? Uint8Array.of(0));
  const n = r.u32();
  const w = new Writer().u32(n + extra.length).bytes((body ?? Uint8Array.of(0)).subarray(r.pos));
  for (const e of extra) w.bytes(e);
  return w.finish();
}

function vectorLength(body: Uint8Array | undefined): number {
  return body ? new Reader(body).u32() : 0;
}

export function instrumentDirtyPages(wasm: Uint8Array): Uint8Array {
  const sections = readSections(wasm);
  const find = (id: number) => sections.find((s) => s.id === id);
  const put = (id: number, body: Uint8Array): void => {
    const s = find(id);
    if (!s) throw new WasmFormatError(`module has no section ${id}`);
    s.body = body;
  };
  const types = readTypes(find(SECTION.type)!.body);
  const imports = countImports(find(SECTION.import));
  const funcTypes: number[] = [];
  const fr = new Reader(find(SECTION.function)!.body);
  for (let i = fr.u32(); i > 0; i--) funcTypes.push(fr.u32());
  // mark_range's type (i32, i32) -> (), appended.
  const markType = types.length;
  put(SECTION.type, appendToVector(find(SECTION.type)!.body, [Uint8Array.of(0x60, 2, VALTYPE.i32, VALTYPE.i32, 0)]));
  const mapGlobal = imports.globals + vectorLength(find(SECTION.global)?.body);
  put(SECTION.global, appendToVector(find(SECTION.global)?.body, [Uint8Array.of(VALTYPE.i32, 1, OP.i32Const, 0, 0x0b)]));
  const markRange = imports.functions + funcTypes.length;
  put(SECTION.function, appendToVector(find(SECTION.function)!.body, [new Writer().u32(markType).finish()]));
  const exportEntry = new Writer().u32(DIRTY_MAP_GLOBAL.length).bytes(new TextEncoder().encode(DIRTY_MAP_GLOBAL)).byte(3).u32(mapGlobal).finish();
  put(SECTION.export, appendToVector(find(SECTION.export)?.body, [exportEntry]));

  const ctx: Ctx = { mapGlobal, markRange };
  const cr = new Reader(find(SECTION.code)!.body);
  const count = cr.u32();
  if (count !== funcTypes.length) throw new WasmFormatError("function and code sections disagree");
  const code = new Writer(find(SECTION.code)!.body.length * 2).u32(count + 1);
  for (let i = 0; i < count; i++) {
    const size = cr.u32();
    const body = rewriteBody(cr.b.subarray(cr.pos, cr.pos + size), types[funcTypes[i]!]!.params.length, ctx);
    cr.skip(size);
    code.u32(body.length).bytes(body);
  }
  const mr = markRangeBody(mapGlobal);
  code.u32(mr.length).bytes(mr);
  put(SECTION.code, code.finish());
  return writeSections(sections);
}
