// Asyncify: binaryen rewrites the module so a call into the host can unwind
// the whole wasm stack and later rewind it — how simulated CPUs and tasks
// become coroutines. Only host imports can switch; names are kept (-g) so
// traps and stack dumps show kernel function names.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Toolchain } from "./toolchain.ts";

export class AsyncifyError extends Error {}

/** GNU time (Debian package `time`) reports the child's peak RSS from wait4(). */
const GNU_TIME = "/usr/bin/time";
const RSS_TAG = "dioscope-peak-rss-kib";

export interface AsyncifyResult {
  log: string;
  /** wasm-opt's peak resident set size in KiB, when GNU time is installed. */
  peakRssKiB?: number;
}

/**
 * No binaryen optimisation after the transform: on the 6.1 kernel, -O0
 * costs ~12 s of CPU against ~110 s for -O1/-O2 (binaryen 108), and V8's
 * own compiler recovers most of the run-time difference. Every build, the
 * pristine and each variant, uses the same level, so a variant gives the
 * same run whichever way its objects were compiled.
 */
export const ASYNCIFY_OPT_LEVEL = "-O0";

export function asyncify(tc: Toolchain, input: string, output: string, switchingImports: string[]): AsyncifyResult {
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
    ASYNCIFY_OPT_LEVEL,
  ];
  const timed = existsSync(GNU_TIME);
  const r = timed
    ? spawnSync(GNU_TIME, ["-f", `${RSS_TAG} %M`, tc.wasmOpt, ...args], { encoding: "utf8", maxBuffer: 1 << 28 })
    : spawnSync(tc.wasmOpt, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  let log = (r.stdout ?? "") + (r.stderr ?? "");
  const rss = new RegExp(`^${RSS_TAG} (\\d+)$`, "m").exec(log);
  log = log.replace(new RegExp(`^${RSS_TAG} .*\\n?`, "m"), "");
  if (r.status !== 0) throw new AsyncifyError(`wasm-opt --asyncify failed:\n${log.slice(0, 4000)}`);
  return { log, peakRssKiB: rss ? Number(rss[1]) : undefined };
}
