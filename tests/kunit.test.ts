// The kernel's own KUnit suites on the machine (the debug kernel has them
// built in; kunit.enable=1 runs them at boot), results parsed as KTAP from
// the console. The fidelity check of arch/wasm: every case passes, or is
// listed in KNOWN_FAILURES below (and in the README) with its reason.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bootKernel } from "../harness/boot/boot.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { KUNIT_CMDLINE, KUNIT_MAX_STEPS, KNOWN_FAILURES, kunitFailures } from "../harness/selftest/kunit.ts";
import { parseKunit, type KunitSuite } from "../harness/selftest/ktap.ts";
import { builtKernels, KUNIT_TREES } from "./support/built.ts";

/** The direct-I/O suites the test requires, with the source files that define each (lib's tests moved to lib/tests/ in 6.15). */
const DIRECT_IO_SUITES = [
  ["iov_iter", ["lib/kunit_iov_iter.c", "lib/tests/kunit_iov_iter.c"]],
  ["ext4_inode_test", ["fs/ext4/inode-test.c"]],
  ["ext4_mballoc_test", ["fs/ext4/mballoc-test.c"]],
] as const;

for (const k of builtKernels("debug", KUNIT_TREES)) {
  describe(`KUnit on the debug kernel ${k.tree}`, function () {
    this.timeout(1_200_000);
    let suites: KunitSuite[];

    before(() => {
      const b = bootKernel(k.wasmPath, { cpus: 2, cmdline: KUNIT_CMDLINE, limits: { maxSteps: KUNIT_MAX_STEPS } });
      suites = parseKunit(b.machine.console.lines.map((l) => l.text));
      const cases = suites.flatMap((s) => s.cases);
      console.log(
        `      ${suites.length} suites, ${cases.length} cases: ${cases.filter((c) => c.status === "pass").length} passed, ` +
          `${cases.filter((c) => c.status === "fail").length} failed, ${cases.filter((c) => c.status === "skip").length} skipped`,
      );
    });

    it("runs every suite to its end", () => {
      assert.ok(suites.length > 10, `only ${suites.length} suites ran`);
      assert.deepEqual(suites.filter((s) => s.status === null).map((s) => s.name), []);
    });

    it("runs the iov_iter suite (the heart of direct I/O) and passes the ext4 suites, where the tree has them", () => {
      // Suites newer than a tree (iov_iter and ext4_mballoc_test came after 6.1) are required only where their source is.
      const have = DIRECT_IO_SUITES.filter(([, files]) => files.some((f) => existsSync(join(resolveTree(k.tree).root, f))));
      assert.ok(have.some(([name]) => name === "ext4_inode_test"), "every tree has the ext4 inode suite");
      for (const [name] of have) {
        const s = suites.find((x) => x.name === name);
        assert.ok(s, `suite ${name} did not run (have: ${suites.map((x) => x.name).join(", ")})`);
        assert.ok(s.cases.length > 0);
        if (name.startsWith("ext4")) assert.deepEqual(s.cases.filter((c) => c.status === "fail").map((c) => c.name), [], name);
      }
    });

    it("fails no case except the known failures, each with its reason", () => {
      assert.deepEqual(kunitFailures(suites), []);
      for (const f of KNOWN_FAILURES) assert.ok(f.reason.length > 20, `${f.suite}.${f.case}: give the reason`);
    });
  });
}
