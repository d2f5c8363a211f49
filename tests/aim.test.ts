// Fail-nth aimed at the change (harness/generate/aim.ts): the sweep finds the
// allocation a changed function makes, from the kernel's own report of each
// injected fault; it leaves a workload alone when no fault point is under
// the change, and it aims only where the change's words ask for allocation
// failures.
import assert from "node:assert/strict";
import { aimFaults } from "../harness/generate/aim.ts";
import { emphasisOf } from "../harness/generate/emphasis.ts";
import { caseVariants, suiteWorkload } from "../harness/generate/suite.ts";
import { parseWorkload, printWorkload } from "../harness/generate/text.ts";
import { kernelAt } from "../harness/variants/kernels.ts";
import { builtKernels } from "./support/built.ts";

const NOCOW_WRITE = "fs btrfs-nodatacow, file written 16384\ntask: fsync fail2; pwrite D 0+4096 fail3";

for (const k of builtKernels("debug", ["6.12"])) {
  describe(`fail-nth aimed at the change, on the debug kernel ${k.tree}`, function () {
    this.timeout(600_000);
    const kernel = kernelAt(k.tree, k.wasmPath);

    it("a NOCOW direct write: the variants are the fault points reached through the calls the hunk makes (the ordered extent's allocation under btrfs_create_dio_extent), the same every time", () => {
      const w = parseWorkload(NOCOW_WRITE);
      const focus = ["btrfs_get_blocks_direct_write"];
      const all = aimFaults(w, kernel, focus);
      const a = aimFaults(w, kernel, focus, ["btrfs_create_dio_extent", "btrfs_free_extent_map"]);
      assert.ok(a.aimed.length >= 1 && a.aimed.length <= 4, JSON.stringify(a.aimed));
      assert.ok(a.aimed.every((x) => x.task === 0 && x.op === 1), "the fsync never allocates under the write path; the write does");
      assert.equal(all.aimed.length, 1, "without calls to prefer: the first point under the change");
      assert.ok(all.aimed[0]!.nth < a.aimed[0]!.nth, "the lookups before the hunk's call (a path in can_nocow_extent) come first");
      assert.deepEqual(a.variants.map(printWorkload), a.aimed.map((x) => NOCOW_WRITE.replace("fail3", `fail${x.nth}`)));
      assert.deepEqual(aimFaults(w, kernel, focus, ["btrfs_create_dio_extent", "btrfs_free_extent_map"]).aimed, a.aimed);
    });

    it("no fault point under the named functions: the workload as drawn", () => {
      const w = parseWorkload(NOCOW_WRITE);
      const a = aimFaults(w, kernel, ["ext4_dio_write_iter"]);
      assert.deepEqual(a.aimed, []);
      assert.deepEqual(a.variants.map(printWorkload), [NOCOW_WRITE]);
      assert.ok(a.runs > 3 && a.runs < 64, `runs ${a.runs}`);
    });

    it("the suite aims only in the rounds that follow words asking for allocation failures", () => {
      const o = { seed: 1, fs: ["btrfs-nodatacow"] as const, faultInjection: true, focus: ["no_such_function"] };
      const leak = emphasisOf("btrfs: fix extent map leak in NOCOW direct I/O write");
      assert.ok(leak.has("failnth"));
      // Round 0 is the generator's own, round 1 follows the words: with no focus hit, both are as drawn.
      for (const index of [0, 1]) assert.deepEqual([...caseVariants({ ...o, emphasis: leak }, index, kernel)], [suiteWorkload({ ...o, emphasis: leak }, index)]);
    });
  });
}
