// Instantiates a built kernel.wasm in Node with every import bound: host
// imports (the arch interface, asm/wasm_host.h) to the implementation the
// machine supplies, and everything else — kernel functions no configured code
// defines — to a trap that names the function and its kernel caller.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { hostImports } from "../build/host-interface.ts";
import { wasmFrames } from "./stack.ts";

/**
 * Which V8 tier compiles the kernel (DIOSCOPE_WASM_TIER; the runs are the
 * same either way). "baseline" (the default): V8's own tiering, which leaves
 * most kernel functions in its baseline compiler (they are not called often
 * enough to be optimized). "optimizing": every function compiled by the
 * optimizing compiler when first called (node --no-liftoff) — seconds more
 * per kernel, about half the time per schedule of a long exploration
 * (harness/bench/throughput.ts). Read once, before any kernel is compiled.
 */
const WASM_TIERS = ["baseline", "optimizing"] as const;
const wasmTier = process.env.DIOSCOPE_WASM_TIER ?? "baseline";
if (!(WASM_TIERS as readonly string[]).includes(wasmTier)) throw new Error(`DIOSCOPE_WASM_TIER=${wasmTier}: expected one of ${WASM_TIERS.join(", ")}`);
if (wasmTier === "optimizing") setFlagsFromString("--no-liftoff");

export class NotSimulatedError extends Error {
  constructor(readonly importName: string, readonly caller: string) {
    super(`not simulated: ${importName} (called from ${caller})`);
  }
}

/** The innermost kernel (wasm) function on the stack of `e` (by default: here). */
export function wasmCaller(e: unknown = new Error()): string {
  return wasmFrames(e)[0] ?? "<unknown>";
}

export type HostFunctions = Partial<Record<string, (...args: never[]) => unknown>>;

export interface LoadOptions {
  /** Linear memory in MiB (the kernel's RAM). */
  memoryMiB?: number;
  /** Implementations of host imports; any host import left out traps when called. */
  host?: HostFunctions;
}

export interface LoadedKernel {
  module: WebAssembly.Module;
  instance: WebAssembly.Instance;
  memory: WebAssembly.Memory;
  exports: Record<string, WebAssembly.ExportValue>;
  /** Address of an exported data symbol (wasm-ld exports data as an i32 global holding its address). */
  address(symbol: string): number;
  /** The kernel's indirect function table (function pointers are indices into it). */
  table: WebAssembly.Table;
  /** Import names bound to traps. */
  trapped: string[];
}

function trap(name: string): () => never {
  return () => {
    throw new NotSimulatedError(name, wasmCaller());
  };
}

export function loadKernel(wasm: string | Uint8Array | WebAssembly.Module, opts: LoadOptions = {}): LoadedKernel {
  const module =
    wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module((typeof wasm === "string" ? readFileSync(wasm) : wasm) as BufferSource);
  const pages = ((opts.memoryMiB ?? 64) * 1024 * 1024) / 65536;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const declared = new Set(hostImports().map((h) => h.name));
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  const trapped: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.kind === "memory") {
      ns[imp.name] = memory;
      continue;
    }
    if (imp.kind !== "function") throw new Error(`unexpected ${imp.kind} import ${imp.module}.${imp.name}`);
    const impl = imp.module === "host" && declared.has(imp.name) ? opts.host?.[imp.name] : undefined;
    if (impl) ns[imp.name] = impl as WebAssembly.ImportValue;
    else {
      ns[imp.name] = trap(imp.name);
      trapped.push(`${imp.module}.${imp.name}`);
    }
  }
  const instance = new WebAssembly.Instance(module, imports);
  const exports = instance.exports as Record<string, WebAssembly.ExportValue>;
  return {
    module,
    instance,
    memory,
    exports,
    table: exports.__indirect_function_table as WebAssembly.Table,
    trapped,
    address(symbol) {
      const g = exports[symbol];
      if (!(g instanceof WebAssembly.Global)) throw new Error(`${symbol} is not an exported data symbol`);
      return g.value as number;
    },
  };
}
