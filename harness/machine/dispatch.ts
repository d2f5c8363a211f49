// How a host import call reaches its implementation. Every import the
// kernel can call (asm/wasm_host.h) has a slot, numbered in the header's
// order; the kernel instance imports one trampoline per slot, which enters
// the machine with the slot number and the arguments as they are (no array,
// no lookup by name: this runs at every switch point). A slot holds the
// implementation, the value an import returns when its call is suspended
// (0, or 0n for 64-bit results) and whether the call yields the CPU.
import { hostImports } from "../build/host-interface.ts";
import { NotSimulatedError, wasmCaller, type HostFunctions } from "./loader.ts";
import type { ImportImpl, ImportResult } from "./types.ts";

/** The host imports, in slot order. */
export const HOST_IMPORTS = hostImports();

/** Host imports that return a 64-bit value (a BigInt in JS). */
export const i64Results: ReadonlySet<string> = new Set(HOST_IMPORTS.filter((h) => /^[us]64$/.test(h.returns)).map((h) => h.name));

/** The import that yields the CPU (cpu_relax: the CPU spins waiting for another). */
const YIELDING = "host_cpu_relax";

/** An import's implementation, called with at most seven arguments (the most any host import takes). */
export type SlotImpl = (a: never, b: never, c: never, d: never, e: never, f: never, g: never) => ImportResult;

export interface ImportSlot {
  name: string;
  impl: SlotImpl;
  /** What the import returns to the kernel when its call is suspended (and for an undefined result). */
  zero: number | bigint;
  yields: boolean;
}

/** The slots, from the implementations by name; an import without one traps naming its caller. */
export function importSlots(impls: ReadonlyMap<string, ImportImpl>): ImportSlot[] {
  return HOST_IMPORTS.map(({ name }) => {
    const impl = impls.get(name);
    const missing: SlotImpl = () => {
      throw new NotSimulatedError(name, wasmCaller());
    };
    return { name, impl: (impl as SlotImpl | undefined) ?? missing, zero: i64Results.has(name) ? 0n : 0, yields: name === YIELDING };
  });
}

/** What the trampolines enter: the machine. */
export interface ImportTarget {
  importCall(slot: number, a: never, b: never, c: never, d: never, e: never, f: never, g: never): number | bigint;
}

/** The host functions a kernel instance imports: one trampoline per slot into `target()` (the machine, once it exists). */
export function hostTrampolines(target: () => ImportTarget): HostFunctions {
  const out: HostFunctions = {};
  HOST_IMPORTS.forEach(({ name }, slot) => {
    out[name] = (a: never, b: never, c: never, d: never, e: never, f: never, g: never) => target().importCall(slot, a, b, c, d, e, f, g);
  });
  return out;
}
