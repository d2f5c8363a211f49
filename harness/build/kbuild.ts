// Kbuild driver: configure (allnoconfig + our fragment) and compile every
// object the configuration enables with the kernel's own build system, its
// own flags and dependency tracking, incrementally and in parallel.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { LLVM_SUFFIX } from "./toolchain.ts";
import { OBJ_SUBDIR } from "./shadow.ts";
import { repoRoot } from "../paths.ts";

export const CONFIG_FRAGMENT = join(repoRoot, "kernel-src", "config", "dioscope.config");

/**
 * The kernel configurations: "plain" (dioscope.config) and "debug" (plus
 * debug.config: lockdep and the kernel's other own checks, fault
 * injection, the locking self-tests and the KUnit suites). Each is its
 * fragments, in order, on top of allnoconfig.
 */
export const KERNEL_CONFIGS = ["plain", "debug"] as const;
export type KernelConfig = (typeof KERNEL_CONFIGS)[number];
const FRAGMENTS: Record<KernelConfig, string[]> = {
  plain: ["dioscope.config"],
  debug: ["dioscope.config", "debug.config"],
};

export function isKernelConfig(s: string): s is KernelConfig {
  return (KERNEL_CONFIGS as readonly string[]).includes(s);
}

/** The configuration's fragment text (what KCONFIG_ALLCONFIG reads; its hash is part of the build id). */
export function configFragment(config: KernelConfig = "plain"): string {
  return FRAGMENTS[config].map((f) => readFileSync(join(repoRoot, "kernel-src", "config", f), "utf8")).join("\n");
}

export class KbuildError extends Error {
  constructor(message: string, readonly log: string) {
    super(message);
  }
}

function makeArgs(): string[] {
  return [
    `O=${OBJ_SUBDIR}`,
    "ARCH=wasm",
    `LLVM=${LLVM_SUFFIX}`,
    // 6.1 derives clang's --target from CROSS_COMPILE, 6.12 from CLANG_TARGET_FLAGS_<arch>.
    "CROSS_COMPILE=wasm32-unknown-unknown-",
    "CLANG_TARGET_FLAGS_wasm=wasm32-unknown-unknown",
    // Reproducible objects: no build host, user or time stamped into them.
    "KBUILD_BUILD_USER=dioscope",
    "KBUILD_BUILD_HOST=dioscope",
    "KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 2026",
  ];
}

export interface MakeResult {
  status: number;
  log: string;
}

function make(shadow: string, goals: string[], extra: string[] = [], onLine?: (l: string) => void): MakeResult {
  const r = spawnSync("make", ["-C", shadow, ...makeArgs(), ...extra, ...goals], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, LC_ALL: "C" },
  });
  const log = (r.stdout ?? "") + (r.stderr ?? "");
  if (onLine) for (const l of log.split("\n")) if (l) onLine(l);
  return { status: r.status ?? 1, log };
}

/** Objects Kbuild (re)compiled in this run, from its quiet "  CC      path" lines. */
export function compiledObjects(log: string): string[] {
  return [...log.matchAll(/^\s+CC\s+(\S+\.o)$/gm)].map((m) => m[1]!);
}

/**
 * clang diagnostics in `file:line:col: error: ...` form, with tree-relative
 * paths (Kbuild runs clang in the object directory, the sources are at "../").
 */
export function compileErrors(log: string): string[] {
  const errs = log.split("\n").filter((l) => /^[^\s:]+:\d+:\d+: (fatal )?error: /.test(l));
  return [...new Set(errs.map((l) => l.replace(/^\.\.\//, "")))];
}

/** Lines of a failed make run that say what failed, beyond clang's diagnostics. */
const FAILURE_LINES: readonly RegExp[] = [
  /^[^\s:]+:\d+:\d+: (fatal )?error: /, // clang: file:line:col: error (a missing header is a fatal error)
  /^[^\s:]*Kconfig[^\s:]*:\d+: /, // Kconfig parse errors: file:line: message
  /^(\S+: )?error: /i, // kconfig, scripts and linkers: "error: ..."
  /^make(\[\d+\])?: \*\*\* (?!.*\] Error \d+$)/, // make's own reason ("No rule to make target ..."), not its "Error 1" cascade
  /^(wasm-ld|ld\.lld)(-\d+)?: error: /,
];
/** Lines shown from the end of the log when nothing in it matches FAILURE_LINES. */
const LOG_TAIL_LINES = 15;
/** Failure lines reported at most. */
const MAX_FAILURE_LINES = 20;

/**
 * What a failed make run says went wrong, for the user: the failure lines
 * (tree-relative paths), or the log's last lines when none is recognised.
 */
export function failureSummary(log: string): string[] {
  const lines = log.split("\n");
  const hits = [...new Set(lines.filter((l) => FAILURE_LINES.some((re) => re.test(l))).map((l) => l.replace(/^\.\.\//, "")))];
  if (hits.length) return hits.slice(0, MAX_FAILURE_LINES);
  return lines.filter((l) => l.trim() !== "").slice(-LOG_TAIL_LINES);
}

function failed(what: string, log: string): KbuildError {
  return new KbuildError(`${what}:\n${failureSummary(log).join("\n")}`, log);
}

export function configure(shadow: string, config: KernelConfig = "plain"): void {
  const obj = join(shadow, OBJ_SUBDIR);
  const stamp = join(obj, ".dioscope-config-input");
  const fragment = configFragment(config);
  const input = fragment + readFileSync(join(repoRoot, "kernel-src/arch/wasm/Kconfig"), "utf8");
  if (existsSync(join(obj, ".config")) && existsSync(stamp) && readFileSync(stamp, "utf8") === input) return;
  let allconfig = CONFIG_FRAGMENT;
  if (config !== "plain") {
    mkdirSync(obj, { recursive: true });
    allconfig = join(obj, ".dioscope-config-fragment");
    writeFileSync(allconfig, fragment);
  }
  const r = make(shadow, ["allnoconfig"], [`KCONFIG_ALLCONFIG=${allconfig}`]);
  if (r.status !== 0) throw failed("kernel configuration (make allnoconfig) failed", r.log);
  writeFileSync(stamp, input);
}

/**
 * modpost's mk_elfconfig reads the target's scripts/mod/empty.o to learn the
 * ELF class and byte order, but wasm objects are not ELF. Put a host-made
 * ELF32 little-endian empty.o in its place, keeping Kbuild's record of the
 * command and the timestamp so Kbuild considers it up to date.
 */
function elfEmptyObject(shadow: string): boolean {
  const o = join(shadow, OBJ_SUBDIR, "scripts/mod/empty.o");
  if (!existsSync(o)) return false;
  const head = readFileSync(o).subarray(0, 4);
  if (head.toString("latin1") === "\x7fELF") return false;
  const elf = `${o}.elf`;
  const r = spawnSync(`clang${LLVM_SUFFIX}`, ["--target=i386-linux-gnu", "-x", "c", "-c", "/dev/null", "-o", elf]);
  if (r.status !== 0) throw new Error("could not make the host ELF empty.o for modpost");
  const st = statSync(o);
  copyFileSync(elf, o);
  utimesSync(o, st.atime, st.mtime);
  return true;
}

export function prepare(shadow: string): void {
  let r = make(shadow, ["prepare"], ["-k"]);
  if (r.status !== 0 && elfEmptyObject(shadow)) r = make(shadow, ["prepare"]);
  if (r.status !== 0) throw failed("kernel 'make prepare' failed", r.log);
}

export interface CompileResult {
  compiled: string[];
  log: string;
}

/** Compile everything the config enables into vmlinux.a and lib/lib.a. */
export function compileAll(shadow: string, jobs = cpus().length, onLine?: (l: string) => void, config: KernelConfig = "plain"): CompileResult {
  configure(shadow, config);
  prepare(shadow);
  const r = make(shadow, ["wasm_objects"], [`-j${jobs}`], onLine);
  if (r.status !== 0) throw failed("kernel compile failed", r.log);
  return { compiled: compiledObjects(r.log), log: r.log };
}
