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
