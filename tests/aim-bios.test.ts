// Bio faults aimed at the change (harness/generate/aim-bios.ts): one run on
// the kernel before the change records each bio's submission stack; the
// first bio of each kind a changed function submits gets a fault inside its
// submission (AGAIN when it may not wait, IOERR when it may), one variant
// each, after the drawn workload; none when no bio comes from the change,
// and only in rounds whose words are about asynchronous completion.
import assert from "node:assert/strict";
import { aimBioFaults } from "../harness/generate/aim-bios.ts";
import { emphasisOf } from "../harness/generate/emphasis.ts";
import { caseVariants, suiteWorkload } from "../harness/generate/suite.ts";
import { parseWorkload, printWorkload } from "../harness/generate/text.ts";
import { kernelAt } from "../harness/variants/kernels.ts";
import { builtKernels } from "./support/built.ts";

/** An io_uring read across the device's end (NOWAIT bios: io_uring tries without blocking first), then a plain direct read; a drawn fault that the variants replace. */
const READS = "fs bdev, file hole 16384\ntask: uring D [r 12288+8192]; pread D 0+4096\nfault: write#1 IOERR irq";

for (const k of builtKernels("plain", ["6.12"])) {
  describe(`bio faults aimed at the change, on ${k.tree}`, function () {
    this.timeout(600_000);
    const kernel = kernelAt(k.tree, k.wasmPath);

    it("reads blkdev_read_iter submits: the io_uring read's NOWAIT bio gets AGAIN, the plain read's IOERR, each inside submission, counted as the device counts; the same every time", () => {
      const a = aimBioFaults(parseWorkload(READS), kernel, ["blkdev_read_iter"]);
      assert.deepEqual(a.faults, [
        { op: "read", nth: 1, status: "AGAIN", when: "now" },
        { op: "read", nth: 2, status: "IOERR", when: "now" },
      ]);
      const body = READS.split("\nfault:")[0];
      assert.deepEqual(a.variants.map(printWorkload), [`${body}\nfault: read#1 AGAIN now`, `${body}\nfault: read#2 IOERR now`]);
      assert.deepEqual(aimBioFaults(parseWorkload(READS), kernel, ["blkdev_read_iter"]), a);
    });

    it("no bio under the named functions: no variant", () => {
      assert.deepEqual(aimBioFaults(parseWorkload(READS), kernel, ["ext4_dio_read_iter"]), { variants: [], faults: [] });
    });

    it("the suite adds the variants after the drawn workload, only in the rounds that follow words about asynchronous completion", () => {
      const o = { seed: 1, fs: ["bdev"] as const, faultInjection: false, focus: ["blkdev_read_iter"] };
      const words = emphasisOf("block: don't revert iter for -EIOCBQUEUED");
      assert.ok(words.has("async"));
      const drawn = (index: number) => suiteWorkload({ ...o, emphasis: words }, index);
      // Round 0 is the generator's own: the drawn workload alone.
      assert.deepEqual([...caseVariants({ ...o, emphasis: words }, 0, kernel)], [drawn(0)]);
      // Round 1 follows the words: the drawn workload first, then one per kind of bio blkdev_read_iter submitted.
      const v = [...caseVariants({ ...o, emphasis: words }, 3, kernel)];
      assert.deepEqual(v[0], drawn(3));
      assert.ok(v.length > 1, `variants of case 3: ${v.map(printWorkload).join(" / ")}`);
      for (const x of v.slice(1)) assert.deepEqual([x.faults.length, x.faults[0]!.when, { ...x, faults: [] }], [1, "now", { ...drawn(3), faults: [] }]);
      // Words about something else: no variants in any round.
      const other = emphasisOf("block: fix a leak");
      assert.deepEqual([...caseVariants({ ...o, emphasis: other }, 3, kernel)], [suiteWorkload({ ...o, emphasis: other }, 3)]);
    });
  });
}
