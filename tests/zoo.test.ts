// Bugs of the zoo (patches/zoo: real upstream fixes nobody wrote a
// scenario or a generator case for) found by `dioscope check` with the
// default generic options on 6.12, where the fixes apply in reverse: with
// --plain (faster; the debug kernel, check's default, also draws fail-nth,
// which changes the workloads) 08 (iomap: s_dio_done_wq for async reads)
// and 13 (ext4: the overwrite-only -EAGAIN warning), and seed 002 (btrfs
// NOWAIT direct I/O over several extents) without its scenario; on the
// debug kernel 03 (loop: sb_writers held across the async completion, which
// only lockdep sees). The default run is 24 cases; each test runs the
// default's cases up to the decisive one only — the same workloads, seed
// and schedules as the default invocation (case i depends on (seed, i) only).
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../harness/check/check.ts";
import { GENERIC_DEFAULT, type GenericSummary } from "../harness/check/generic.ts";
import { parseWorkload } from "../harness/generate/text.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import type { TreeName } from "../harness/tree/source.ts";
import { TEST_TREES } from "./support/built.ts";

const ZOO_08 = join(repoRoot, "patches/zoo/08-iomap-dio-done-wq-async-reads.patch");
const ZOO_13 = join(repoRoot, "patches/zoo/13-ext4-dio-overwrite-only-eagain-warning.patch");
const ZOO_03 = join(repoRoot, "patches/zoo/03-loop-dio-kiocb-start-write.patch");
const SEED_002 = join(repoRoot, "patches/002_af39239f68c27663.txt");

/** The generic verdict of `dioscope check <mail> --tree <tree> --no-scenarios` over the default run's first `cases` cases. */
function genericOf(mail: string, tree: TreeName, cases: number, config: "plain" | "debug" = "plain") {
  const r = runCheck(ingest([mail]), { config, trees: [tree], scenarios: [], candidates: [], generic: { ...GENERIC_DEFAULT, budget: cases }, inputs: [mail] });
  const vs = r.units.flatMap((u) => u.verdicts);
  assert.equal(vs.length, 1, JSON.stringify(r.units.map((u) => u.problem)));
  return vs[0] as (typeof vs)[0] & { generated: GenericSummary };
}

/** The case the default run shows fixed: it failed before (by `oracles`, among others), passed after; `at`: the only fixed case, when given. */
function fixedCase(v: ReturnType<typeof genericOf>, oracles: readonly string[], at?: number) {
  assert.equal(v.verdict, "fixed", v.reason);
  if (at !== undefined) assert.deepEqual(v.generated.fixed, [at], v.reason);
  const s = v.generated.shown!;
  assert.equal(s.failing, "before");
  for (const o of oracles) assert.ok(s.failure.names.includes(o), s.failure.names.join(", "));
  return s;
}

for (const tree of TEST_TREES.filter((t) => t === "6.12"))
  describe(`the zoo on ${tree}, generic suite with the default options`, function () {
    this.timeout(1_800_000);

    it("08 (an async O_DIRECT read whose bio fails by interrupt, no s_dio_done_wq): fixed, by the console and hang oracles, at the default run's case 6", () => {
      const s = fixedCase(genericOf(ZOO_08, tree, 7), ["oracle:console", "oracle:hang"], 6);
      const w = parseWorkload(s.shrunk);
      assert.ok(w.tasks.length === 1 && w.faults.length >= 1, s.shrunk);
    });

    it("13 (an ext4 direct write that gets AGAIN from the block layer without NOWAIT): fixed by the console oracle (a WARNING in ext4), at the default run's case 14", () => {
      const s = fixedCase(genericOf(ZOO_13, tree, 15), ["oracle:console"], 14);
      assert.ok(parseWorkload(s.shrunk).faults.length >= 1, s.shrunk);
    });

    it("seed 002 without its scenario (btrfs: NOWAIT direct I/O over several extents): fixed by the return oracle (an io_uring write without NOWAIT completes with -EAGAIN) on btrfs without datacow, at the default run's case 11", () => {
      const s = fixedCase(genericOf(SEED_002, tree, 12), ["oracle:return"], 11);
      assert.equal(parseWorkload(s.shrunk).fs, "btrfs-nodatacow", s.shrunk);
    });

    it("03 (the loop driver's direct-I/O write holds sb_writers across its asynchronous completion): fixed on the debug kernel (check's default) by the console oracle (lockdep), on the loop device, in the default run's first case", () => {
      const s = fixedCase(genericOf(ZOO_03, tree, 1, "debug"), ["oracle:console"]);
      assert.ok(s.failure.failures.some((f) => /lockdep|workqueue leaked/.test(f)), s.failure.failures.join("; "));
      assert.equal(parseWorkload(s.shrunk).fs, "loop", s.shrunk);
    });
  });
