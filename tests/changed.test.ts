// The kernel functions a patch changes, from its hunks: the @@ section's
// function (not a macro such as EXPORT_SYMBOL) and every function head
// inside a hunk, not the declarations and calls around them; and the
// function the hunk sits in. A changed function the compiler inlined is
// replaced, for PCT's focus, by the callers that have frames.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { changedFunctions } from "../harness/check/changed.ts";
import { framedFunctions, functionBodies, resolveFocus } from "../harness/check/inlined.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { builtKernels } from "./support/built.ts";

describe("changed functions", () => {
  it("names the functions a hunk changes or sits in, not a macro in its @@ section", () => {
    const [p] = ingest([join(repoRoot, "patches/zoo/17-block-bio-poll-null-bdev.patch")]);
    assert.ok(p!.files[0]!.hunks[0]!.section.startsWith("EXPORT_SYMBOL(submit_bio)"), "the mail's first hunk follows an EXPORT_SYMBOL line");
    assert.deepEqual(changedFunctions([p!]), ["bio_poll", "iocb_bio_iopoll"]);
  });

  it("keeps a function whose name has capitals", () => {
    const [p] = ingest([join(repoRoot, "patches/zoo/15-block-fops-nowait-multiple-bios.patch")]);
    assert.deepEqual(changedFunctions([p!]), ["__blkdev_direct_IO"]);
  });
});

describe("inlined changed functions", () => {
  const SOURCE = [
    "static int leaf(int x)",
    "{",
    "\treturn x + 1;",
    "}",
    "",
    "static int middle(int x,",
    "\t\t  int y)",
    "{",
    "\tif (x)",
    "\t\treturn leaf(y);",
    "\treturn 0;",
    "}",
    "",
    "int top(int x)",
    "{",
    "\treturn middle(x, 2) + leaf(3);",
    "}",
    "static int other(void);",
    "int unrelated(void)",
    "{",
    "\t/* unlike leaf(), this one */",
    "\treturn other(); // not middle()",
    "}",
  ].join("\n");

  it("reads each function's body from kernel-style C (heads over several lines, declarations skipped)", () => {
    assert.deepEqual([...functionBodies(SOURCE).keys()], ["leaf", "middle", "top", "unrelated"]);
  });

  it("puts the nearest callers with a frame in place of a function without one, and keeps the others", () => {
    assert.deepEqual(resolveFocus(["leaf", "top"], new Set(["top", "unrelated"]), [SOURCE]), { focus: ["top"], inlined: [{ fn: "leaf", by: ["top"] }] });
    assert.deepEqual(resolveFocus(["leaf"], new Set(["middle", "top"]), [SOURCE]), { focus: ["middle", "top"], inlined: [{ fn: "leaf", by: ["middle", "top"] }] });
    assert.deepEqual(resolveFocus(["unrelated"], new Set(["unrelated"]), [SOURCE]), { focus: ["unrelated"], inlined: [] });
    assert.deepEqual(resolveFocus(["missing"], new Set(["top"]), [SOURCE]), { focus: [], inlined: [{ fn: "missing", by: [] }] }, "a function no one calls keeps no focus, and says so");
  });

  it("finds, in the 6.12 kernel, that ext4_dio_write_iter has no frame and ext4_file_write_iter stands for it", function () {
    const [k] = builtKernels("plain", ["6.12"]);
    const framed = framedFunctions(k!.wasmPath);
    assert.ok(framed.has("ext4_file_write_iter") && framed.has("ext4_dio_write_end_io"), "the name section lists ext4's framed functions");
    assert.ok(!framed.has("ext4_dio_write_iter"), "ext4_dio_write_iter is inlined (if the compiler stops inlining it, this test's premise is gone)");
    const source = readFileSync(join(resolveTree("6.12").root, "fs/ext4/file.c"), "utf8");
    const r = resolveFocus(["ext4_dio_write_iter", "ext4_dio_write_end_io"], framed, [source]);
    assert.deepEqual(r, { focus: ["ext4_dio_write_end_io", "ext4_file_write_iter"], inlined: [{ fn: "ext4_dio_write_iter", by: ["ext4_file_write_iter"] }] });
  });
});
