// Asyncify: binaryen rewrites the module so a call into the host can unwind
// the whole wasm stack and later rewind it — how simulated CPUs and tasks
// become coroutines. Only host imports can switch; names are kept (-g) so
// traps and stack dumps show kernel function names.
import { spawnSync } from "node:child_process";
import type { Toolchain } from "./toolchain.ts";

export class AsyncifyError extends Error {}

export function asyncify(tc: Toolchain, input: string, output: string, switchingImports: string[]): { log: string } {
  const args = [
    input,
    "-o", output,
    "-g",
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--enable-reference-types",
    "--asyncify",
    `--pass-arg=asyncify-imports@${switchingImports.map((n) => `host.${n}`).join(",")}`,
    "-O2",
  ];
  const r = spawnSync(tc.wasmOpt, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  const log = (r.stdout ?? "") + (r.stderr ?? "");
  if (r.status !== 0) throw new AsyncifyError(`wasm-opt --asyncify failed:\n${log.slice(0, 4000)}`);
  return { log };
}
