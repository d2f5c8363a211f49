// What a failed Kbuild run reports: the lines that say what failed (clang's
// file:line: error, a missing header, Kconfig's file:line, make's reason),
// not make's "Error 1" cascade; the log's tail when nothing is recognised.
// The real failing builds are in tests/tree.test.ts and build.rebuild.test.ts.
import assert from "node:assert/strict";
import { failureSummary } from "../harness/build/kbuild.ts";

describe("build failure summaries", function () {
  it("keeps clang's errors (tree-relative), a missing header, Kconfig and make's reasons; drops the cascade", function () {
    const log = [
      "  CC      kernel/bounds.s",
      "../include/linux/mm.h:2679:21: error: expected ')'",
      "../arch/wasm/kernel/setup.c:3:10: fatal error: 'linux/gone.h' file not found",
      "init/Kconfig:12: syntax error",
      "make[3]: *** No rule to make target 'arch/wasm/kernel/gone.o', needed by 'arch/wasm/kernel/built-in.a'.  Stop.",
      "make[3]: *** [../scripts/Makefile.build:185: kernel/bounds.s] Error 1",
      "make[2]: *** [Makefile:1436: prepare0] Error 2",
      "10 warnings and 1 error generated.",
    ].join("\n");
    assert.deepEqual(failureSummary(log), [
      "include/linux/mm.h:2679:21: error: expected ')'",
      "arch/wasm/kernel/setup.c:3:10: fatal error: 'linux/gone.h' file not found",
      "init/Kconfig:12: syntax error",
      "make[3]: *** No rule to make target 'arch/wasm/kernel/gone.o', needed by 'arch/wasm/kernel/built-in.a'.  Stop.",
    ]);
  });

  it("falls back to the log's last lines when no line is recognised", function () {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const got = failureSummary(lines.join("\n"));
    assert.equal(got.at(-1), "line 39");
    assert.ok(got.length > 0 && got.length < 40);
  });
});
