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

/**
 * Why a test calling kunit_run_irq_test() (include/kunit/run-in-irq-context.h,
 * 7.x) never ends here: its task-context loop runs until an hrtimer has fired
 * and a BH work item has run, or one second of jiffies has passed, and the
 * loop body (the function under test, atomics, a jiffies read) makes no host
 * import. The machine can take an interrupt or move simulated time only at a
 * host import, so the 5 us hrtimer is never taken, jiffies stay still, and
 * the loop spins without a single switch point (the step budget never trips).
 */
const IRQ_TEST_LOOP =
  "calls kunit_run_irq_test(), whose task-context loop waits for an hrtimer interrupt and a BH work item (or one second of jiffies) " +
  "while making no host import; the machine takes interrupts and moves simulated time only at host imports, so the loop never ends " +
  "(a limit of the machine: real CPUs take the timer interrupt anywhere)";

/**
 * Test modules left out of the KUnit boot. Every one exists only in 7.x
 * (6.1 and 6.12 do not build them), so one list serves every tree: a module
 * filter naming a module a tree lacks changes nothing there.
 */
export const EXCLUDED_MODULES: readonly ExcludedModule[] = [
  {
    module: "crc_kunit",
    reason: `each *_test case ${IRQ_TEST_LOOP}; measured: the first case (crc7_be_test) still running after 12 wall-minutes without reaching a 30-million switch-point budget`,
  },
  {
    module: "blake2b_kunit",
    reason: `its test_hash_interrupt_context_1/2 cases (lib/crypto/tests/hash-test-template.h) ${IRQ_TEST_LOOP}; measured: the first one alone ran 40 s without reaching a 100-million switch-point budget`,
  },
  {
    module: "blake2s_kunit",
    reason: `its test_hash_interrupt_context_1/2 cases (lib/crypto/tests/hash-test-template.h) ${IRQ_TEST_LOOP}; measured: the first one alone ran 55 s without reaching a 100-million switch-point budget`,
  },
  {
    module: "dmabuf_kunit",
    reason:
      "dma-buf-fence's test_race_signal_callback runs two kthreads that allocate, signal and RCU-free a fence per pass while the test " +
      "sleeps 50 ms, twice; simulated time moves only 50 ns per clock read, so a pass costs about a hundred nanoseconds of it " +
      "(measured: 600,000 passes per kthread in the first window): with 64 MiB the fences (kmalloc-96, 33 MB) run the machine out of memory and the " +
      "kernel panics; with 256 MiB one of the two 50 ms windows alone took 400 million switch points (32 s wall) and the case did not " +
      "end within 600 million. The module's other suites (dma-fence-chain, -unwrap, dma-resv) go with it: KUnit's filter has no " +
      "per-case exclusion",
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
    suite: "gpu_buddy",
    case: "gpu_test_buddy_alloc_exceeds_max_order",
    reason:
      "a bug of 32-bit kernels, not of the arch: gpu_buddy_alloc_blocks() rounds a u64 size with roundup_pow_of_two(), which takes " +
      "unsigned long, so the test's 9 GiB CONTIGUOUS|RANGE request becomes 1 GiB and succeeds where the test expects -EINVAL " +
      "(7.x; the leaked blocks then trip gpu_buddy_fini()'s three warnings)",
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
