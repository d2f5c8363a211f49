// The arch interface as declared in its one C header
// (kernel-src/arch/wasm/include/asm/wasm_host.h): every host import with the
// one-line contract written above it. Used by the build (Asyncify's list of
// switching imports), the import-list check, the loader and `dioscope fidelity`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../paths.ts";

export const HOST_HEADER = join(repoRoot, "kernel-src/arch/wasm/include/asm/wasm_host.h");

export interface HostImport {
  name: string;
  returns: string;
  params: string;
  contract: string;
}

export function hostImports(header = readFileSync(HOST_HEADER, "utf8")): HostImport[] {
  const out: HostImport[] = [];
  let contract = "";
  for (const line of header.split("\n")) {
    const c = /^\/\/\/\s*(.*)$/.exec(line);
    if (c) {
      contract = c[1]!;
      continue;
    }
    const m = /^HOST_IMPORT\((.+?),\s*(\w+),\s*\((.*)\)\);/.exec(line);
    if (m) {
      if (!contract) throw new Error(`${HOST_HEADER}: ${m[2]} has no /// contract line`);
      out.push({ returns: m[1]!.trim(), name: m[2]!, params: m[3]!, contract });
      contract = "";
    }
  }
  return out;
}
