// The link: every Kbuild object into one wasm module with wasm-ld, with
// linker-script semantics supplied by the link-order marker objects
// (kernel-src/link/), undefined *functions* turned into imports (the arch
// interface and traps), undefined *data* a hard error, and an explicit
// export list. Then the post-link layout check (layout.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../paths.ts";
import { OBJ_SUBDIR } from "./shadow.ts";
import type { Toolchain } from "./toolchain.ts";

export const LINK_DIR = join(repoRoot, "kernel-src", "link");

/** The linked module before Asyncify, kept beside kernel.wasm: a variant's splice compares its own with the pristine one. */
export const LINKED_WASM = "kernel.linked.wasm";

/** Function pointers are table indices: below 4096 they collide with kernel conventions (__is_kvfree_rcu_offset). */
export const TABLE_BASE = 4096;
/** No kernel data below one page: vsprintf treats pointers < PAGE_SIZE as invalid. */
export const GLOBAL_BASE = 65536;

export function exportList(): string[] {
  return readFileSync(join(LINK_DIR, "exports.txt"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

/** Symbols the arch wraps: every __wrap_X defined in the arch's vmalloc object. */
export function wrappedSymbols(objDir: string): string[] {
  const out = execFileSync("llvm-nm-19", ["--defined-only", join(objDir, "arch/wasm/mm/vmalloc.o")], { encoding: "utf8" });
  return [...out.matchAll(/ T __wrap_(\w+)$/gm)].map((m) => m[1]!).sort();
}

export interface LinkResult {
  wasm: string;
  map: string;
  wrapped: string[];
  log: string;
}

export class LinkError extends Error {}

function compileMarker(tc: Toolchain, name: string, outDir: string): string {
  const out = join(outDir, `${name}.o`);
  execFileSync(tc.clang, ["--target=wasm32-unknown-unknown", "-O2", "-c", join(LINK_DIR, `${name}.c`), "-o", out]);
  return out;
}

export function linkKernel(tc: Toolchain, shadow: string, outDir: string): LinkResult {
  const objDir = join(shadow, OBJ_SUBDIR);
  mkdirSync(outDir, { recursive: true });
  const first = compileMarker(tc, "link_first", outDir);
  const last = compileMarker(tc, "link_last", outDir);
  const wrapped = wrappedSymbols(objDir);
  const wasm = join(outDir, LINKED_WASM);
  const map = join(outDir, "kernel.map");
  const args = [
    "-o", wasm,
    "--no-entry",
    "--import-undefined",
    "--import-memory",
    "--export-table",
    `--table-base=${TABLE_BASE}`,
    `--global-base=${GLOBAL_BASE}`,
    "-z", "stack-size=65536",
    `--Map=${map}`,
    ...exportList().map((s) => `--export=${s}`),
    ...wrapped.map((s) => `--wrap=${s}`),
    first,
    "--whole-archive", join(objDir, "vmlinux.a"), "--no-whole-archive",
    join(objDir, "lib/lib.a"),
    last,
    tc.builtins,
  ];
  const r = spawnSync(tc.wasmLd, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  const log = (r.stdout ?? "") + (r.stderr ?? "");
  if (r.status !== 0) throw new LinkError(`wasm-ld failed:\n${log.split("\n").slice(0, 40).join("\n")}`);
  return { wasm, map, wrapped, log };
}
