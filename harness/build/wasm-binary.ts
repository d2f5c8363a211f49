// Reading and writing the WebAssembly binary format, as much as the
// post-link passes need: sections, LEB128 numbers, function types, and an
// instruction walker that knows every immediate of the features the kernel
// is built with (MVP, bulk memory, sign extension, non-trapping float to int,
// multi-value, reference types).

export const SECTION = { custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, element: 9, code: 10, data: 11, dataCount: 12 } as const;

export class WasmFormatError extends Error {}

export class Reader {
  constructor(
    readonly b: Uint8Array,
    public pos = 0,
    readonly end = b.length,
  ) {}

  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end of wasm at ${this.pos}`);
    return this.b[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      result += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) return result;
      shift += 7;
      if (shift > 35) throw new WasmFormatError(`bad LEB128 at ${this.pos}`);
    }
  }

  /** Skips a signed LEB128 number of any width. */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }

  skip(n: number): void {
    this.pos += n;
    if (this.pos > this.end) throw new WasmFormatError("unexpected end of wasm");
  }

  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.skip(n);
    return s;
  }
}

/** Appends bytes and LEB128 numbers to a growing buffer. */
export class Writer {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(x: number): this {
    this.room(1);
    this.buf[this.length++] = x & 0xff;
    return this;
  }

  u32(x: number): this {
    do {
      let b = x & 0x7f;
      x = Math.floor(x / 128);
      if (x) b |= 0x80;
      this.byte(b);
    } while (x);
    return this;
  }

  s32(x: number): this {
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      const done = (x === 0 && !(b & 0x40)) || (x === -1 && b & 0x40);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    if (b.length < 16) for (let i = 0; i < b.length; i++) this.buf[this.length + i] = b[i]!;
    else this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export interface Section {
  id: number;
  /** The section's contents (without id and size). */
  body: Uint8Array;
}

export function readSections(wasm: Uint8Array): Section[] {
  const r = new Reader(wasm, 8);
  if (wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new WasmFormatError("not a wasm module");
  const out: Section[] = [];
  while (r.pos < wasm.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, body: wasm.subarray(r.pos, r.pos + size) });
    r.skip(size);
  }
  return out;
}

export function writeSections(sections: Section[]): Uint8Array {
  const w = new Writer().bytes(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
  for (const s of sections) w.byte(s.id).u32(s.body.length).bytes(s.body);
  return w.finish();
}

export const VALTYPE = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, funcref: 0x70, externref: 0x6f } as const;

export interface FuncType {
  params: number[];
  results: number[];
}

export function readTypes(body: Uint8Array): FuncType[] {
  const r = new Reader(body);
  const n = r.u32();
  const out: FuncType[] = [];
  for (let i = 0; i < n; i++) {
    if (r.byte() !== 0x60) throw new WasmFormatError("only function types are supported");
    const params = Array.from({ length: r.u32() }, () => r.byte());
    const results = Array.from({ length: r.u32() }, () => r.byte());
    out.push({ params, results });
  }
  return out;
}

/** Skips a block type (empty, a value type, or a type index). */
function skipBlockType(r: Reader): void {
  const x = r.b[r.pos]!;
  if (x === 0x40 || (x >= 0x6f && x <= 0x7f)) r.pos++;
  else r.skipLeb();
}

/**
 * Walks one instruction at r.pos (its opcode already read as `op`), leaving
 * r.pos after its immediates. Throws on an opcode outside the supported
 * features, so a module built with more features fails loudly.
 */
export function skipImmediates(r: Reader, op: number): void {
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1) return;
  if (op >= 0x45 && op <= 0xc4) return;
  if (op >= 0x02 && op <= 0x04) return skipBlockType(r);
  if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) return void r.u32();
  if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.u32();
    return;
  }
  if (op === 0x11) return void (r.u32(), r.u32());
  if (op === 0x1c) return r.skip(r.u32());
  if (op >= 0x28 && op <= 0x3e) return void (r.u32(), r.u32());
  if (op === 0x3f || op === 0x40 || op === 0xd0) return r.skip(1);
  if (op === 0x41 || op === 0x42) return r.skipLeb();
  if (op === 0x43) return r.skip(4);
  if (op === 0x44) return r.skip(8);
  if (op === 0xfc) {
    const sub = r.u32();
    if (sub <= 7) return;
    if (sub === 8) return void (r.u32(), r.skip(1));
    if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) return void r.u32();
    if (sub === 10) return r.skip(2);
    if (sub === 11) return r.skip(1);
    if (sub === 12 || sub === 14) return void (r.u32(), r.u32());
  }
  throw new WasmFormatError(`unsupported opcode 0x${op.toString(16)} at ${r.pos - 1}`);
}
