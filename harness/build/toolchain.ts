// The toolchain: Debian's clang/lld/llvm 19, compiler-rt builtins for
// wasm32, and binaryen's wasm-opt. Plain clang + wasm-ld + wasm-opt, not emcc:
// emcc wraps the same three and adds a libc and JS glue the kernel cannot use.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const LLVM_SUFFIX = "-19";

export interface Toolchain {
  clang: string;
  wasmLd: string;
  wasmOpt: string;
  builtins: string;
  versions: Record<string, string>;
}

function firstLine(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8" }).split("\n")[0]!.trim();
}

export function findToolchain(): Toolchain {
  // Debian ships the wasm32 builtins under the wasi directory; they are freestanding.
  const builtins = "/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a";
  const alt = "/usr/lib/llvm-19/lib/clang/19/lib/libclang_rt.builtins-wasm32.a";
  const tc = {
    clang: `clang${LLVM_SUFFIX}`,
    wasmLd: `wasm-ld${LLVM_SUFFIX}`,
    wasmOpt: "wasm-opt",
    builtins: existsSync(builtins) ? builtins : alt,
  };
  if (!existsSync(tc.builtins))
    throw new Error("compiler-rt builtins for wasm32 missing (apt-get install libclang-rt-19-dev-wasm32, or ./build.sh)");
  let versions: Record<string, string>;
  try {
    versions = {
      clang: firstLine(tc.clang, ["--version"]),
      wasmLd: firstLine(tc.wasmLd, ["--version"]),
      wasmOpt: firstLine(tc.wasmOpt, ["--version"]),
    };
  } catch (e) {
    throw new Error(`toolchain incomplete (${(e as Error).message.split("\n")[0]}): run ./build.sh`);
  }
  return { ...tc, versions };
}
