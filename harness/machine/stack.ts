// Kernel call chains from JS stacks: V8 names wasm frames by the module's
// name section (kept by wasm-opt -g), so a stack taken inside a host import
// or from a trap lists kernel function names.

Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 100);

const FRAME = /at (?:\S+\.)?([^\s(]+) \((?:wasm:\/\/|.*wasm-function)/;

/** Kernel function names on the stack of `e`, innermost first. */
export function wasmFrames(e: unknown): string[] {
  const stack = e instanceof Error ? (e.stack ?? "") : "";
  const out: string[] = [];
  for (const line of stack.split("\n")) {
    const m = FRAME.exec(line);
    if (m && !m[1]!.startsWith("asyncify_")) out.push(m[1]!);
  }
  return out;
}

const FRAME_INDEX = /wasm-function\[(\d+)\]/;

/** Wasm function indices on the stack of `e`, innermost first (Asyncify's own helpers left out). */
export function wasmFrameIndices(e: unknown): number[] {
  const stack = e instanceof Error ? (e.stack ?? "") : "";
  const out: number[] = [];
  for (const line of stack.split("\n")) {
    const m = FRAME.exec(line);
    const i = FRAME_INDEX.exec(line);
    if (m && i && !m[1]!.startsWith("asyncify_")) out.push(Number(i[1]));
  }
  return out;
}

/** The module's function names by function index (its "name" custom section; "" where it has none). */
export function functionNames(module: WebAssembly.Module): string[] {
  const [sec] = WebAssembly.Module.customSections(module, "name");
  if (!sec) throw new Error("kernel.wasm has no name section (built without -g?)");
  const b = new Uint8Array(sec);
  let p = 0;
  const leb = (): number => {
    let v = 0, shift = 0, byte: number;
    do {
      byte = b[p++]!;
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return v;
  };
  const names: string[] = [];
  const utf8 = new TextDecoder();
  while (p < b.length) {
    const id = b[p++]!;
    const size = leb();
    const end = p + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        const idx = leb();
        const len = leb();
        names[idx] = utf8.decode(b.subarray(p, p + len));
        p += len;
      }
    }
    p = end;
  }
  return Array.from(names, (n) => n ?? "");
}

const encodedNames = new WeakMap<WebAssembly.Module, { bytes: Uint8Array; count: number }>();

/** Writes the module's function names, each NUL-terminated, into `out`; returns how many, or -1 when they do not fit. */
export function writeFunctionNames(module: WebAssembly.Module, out: Uint8Array): number {
  let enc = encodedNames.get(module);
  if (!enc) {
    const names = functionNames(module);
    enc = { bytes: new TextEncoder().encode(names.map((n) => n + "\0").join("")), count: names.length };
    encodedNames.set(module, enc);
  }
  if (enc.bytes.length > out.length) return -1;
  out.set(enc.bytes);
  return enc.count;
}
