// KUnit on the machine: the command line that runs the built-in suites at
// boot, and the cases known to fail on this arch with the reason (the
// README lists the same). A failure not listed here is a fidelity bug of
// arch/wasm or the machine.
import type { KunitSuite } from "./ktap.ts";

/** A test module the machine cannot run to its end, left out of the boot (KUnit's module attribute filter), with why. */
export interface ExcludedModule {
  module: string;
  reason: string;
  /**
   * Kernel functions the module calls that no configured code defines: the
   * link turns them into imports that trap ("not simulated"), so a debug
   * kernel with this module may import them (tests/debug.test.ts allows
   * exactly these beyond kernel-src/link/imports-debug.txt).
   */
  undefinedFunctions?: readonly string[];
}

/**
 * Why 7.x's SHA-2 library suites cannot run here: arch/wasm builds every
 * file with __DISABLE_EXPORTS (EXPORT_SYMBOL's ELF section asm means nothing
 * to wasm-ld), which 7.x's lib/crypto/sha256.c reads as "a pre-boot
 * environment" and leaves out HMAC-SHA224/256 and sha256_finup_2x().
 */
const SHA2_PREBOOT =
  "its HMAC cases call library functions lib/crypto/sha256.c leaves out under __DISABLE_EXPORTS (which arch/wasm defines for every file: " +
  "7.x reads it as a pre-boot build), so they are undefined imports that trap ('not simulated') and would stop the boot";

export const EXCLUDED_MODULES: readonly ExcludedModule[] = [
  {
    module: "backtrace_suppression_test",
    reason:
      "its cross_kthread case (7.x) has a kthread loop on schedule() until kthread_stop() while the test task on the other CPU waits " +
      "for a spin lock with interrupts off; the machine's default scheduler runs a CPU until it blocks or yields, so the looping CPU " +
      "never lets the other run (a livelock of the simulation, not of the kernel: real CPUs run at once)",
  },
  {
    module: "sha224_kunit",
    reason: SHA2_PREBOOT,
    undefinedFunctions: ["__hmac_sha256_init", "hmac_sha224", "hmac_sha224_final", "hmac_sha224_preparekey", "hmac_sha224_usingrawkey"],
  },
  {
    module: "sha256_kunit",
    reason: `${SHA2_PREBOOT}; its finup_2x cases call sha256_finup_2x(), left out the same way`,
    undefinedFunctions: ["__hmac_sha256_init", "hmac_sha256", "hmac_sha256_final", "hmac_sha256_preparekey", "hmac_sha256_usingrawkey", "sha256_finup_2x"],
  },
];

/** Every function an excluded module may leave undefined (the trapping imports a KUnit build is allowed). */
export const EXCLUDED_UNDEFINED: ReadonlySet<string> = new Set(EXCLUDED_MODULES.flatMap((e) => e.undefinedFunctions ?? []));

/**
 * Runs every built-in suite at boot (the debug kernel has
 * KUNIT_DEFAULT_ENABLED=n; since 6.15 the configuration also leaves
 * KUNIT_AUTORUN_ENABLED off, allnoconfig's answer to a new option, and older
 * kernels ignore the unused kunit.autorun), except cases their authors mark
 * slow (as kunit_tool's --filter "speed>slow" does) and the modules
 * excluded above (older kernels, without attribute filters, run them all).
 */
export const KUNIT_CMDLINE = `kunit.enable=1 kunit.autorun=1 kunit.filter=${["speed>slow", ...EXCLUDED_MODULES.map((e) => `module!=${e.module}`)].join(",")}`;

/** Switch points the boot with every suite may take (the default boot budget is for a boot alone). */
export const KUNIT_MAX_STEPS = 600_000_000;

export interface KnownFailure {
  suite: string;
  /** A case name, or "*" for the whole suite. */
  case: string;
  reason: string;
}

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  {
    suite: "iov_iter",
    case: "*",
    reason:
      "every case builds its buffers with vmap() of scattered pages, which needs an MMU mapping kernel virtual addresses; " +
      "wasm linear memory has none, so vmap() fails (arch/wasm/mm/vmalloc.c) and the case fails its first assertion",
  },
  {
    suite: "sysctl_test",
    case: "*",
    reason: "the reduced configuration has no PROC_SYSCTL: proc_dointvec() and friends are the -ENOSYS stubs the suite does not expect",
  },
  {
    suite: "overflow",
    case: "DEFINE_FLEX_test",
    reason: "checks __struct_size() (__builtin_dynamic_object_size) of a DEFINE_FLEX object; clang 19 for wasm32 answers otherwise (a compiler difference, not investigated further)",
  },
];

/** Failing cases not covered by KNOWN_FAILURES, as "suite.case". */
export function kunitFailures(suites: readonly KunitSuite[]): string[] {
  const known = (s: string, c: string) => KNOWN_FAILURES.some((f) => f.suite === s && (f.case === "*" || f.case === c));
  return suites.flatMap((s) => s.cases.filter((c) => c.status === "fail" && !known(s.name, c.name)).map((c) => `${s.name}.${c.name}`));
}
