// Real mails from the kernel lists' archives in the encodings mail clients send: decoded by
// postal-mime (quoted-printable, base64 in gb2312, an 8bit iso-8859-1 body, a patch sent as a
// text/x-patch attachment), then parsed into patches like any other mail.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";

const mail = (f: string) => join(repoRoot, "tests", "fixtures", "ingest", "mime", f);

describe("ingest: MIME-encoded mails", function () {
  this.timeout(60000);

  it("quoted-printable (iso-8859-1): soft line breaks and =XX undone in the diff", () => {
    const [p] = ingest([mail("qp-iso-8859-1.eml")]);
    assert.equal(p!.subject, "[PATCH v2] ext4: fix OOB read when checking dotdot dir");
    assert.equal(p!.format, "mail");
    assert.deepEqual(p!.files.map((f) => f.newPath), ["fs/ext4/dir.c"]);
    assert.equal(p!.mangled, false);
  });

  it("base64 in gb2312: the body decoded, two files, five hunks", () => {
    const [p] = ingest([mail("base64.eml")]);
    assert.equal(p!.subject, "[PATCH v6 5/5] ext4: support uncached buffered I/O");
    assert.deepEqual(p!.files.map((f) => `${f.newPath}:${f.hunks.length}`), ["fs/ext4/file.c:1", "fs/ext4/inode.c:4"]);
  });

  it("8bit iso-8859-1: the trailer's name decoded in its charset, not replaced", () => {
    const [p] = ingest([mail("8bit-iso-8859-1.eml")]);
    assert.ok(p!.trailers.some((t) => t.key === "Reported-by" && t.value.startsWith("Breno Leitão")), JSON.stringify(p!.trailers));
    assert.ok(!p!.message.includes("\ufffd"));
  });

  it("a patch sent as a text/x-patch attachment is found", () => {
    const [p] = ingest([mail("multipart-attachment.eml")]);
    assert.deepEqual(p!.files.map((f) => f.newPath), ["misc/tune2fs.c"]);
    assert.equal(p!.files[0]!.hunks.length, 14);
  });
});
