// The kernel functions a patch changes (check/changed.ts): PCT's preferred
// change points for the generic suite. A hunk's @@ section that names a
// macro (`EXPORT_SYMBOL(submit_bio);` before the next function) is not a
// function the hunk sits in.
import assert from "node:assert/strict";
import { join } from "node:path";
import { changedFunctions } from "../harness/check/changed.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";

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
