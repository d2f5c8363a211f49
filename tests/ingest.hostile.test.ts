// Hostile input: refused with a clear message and a non-zero exit, nothing written.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runApply } from "../harness/cli/apply.ts";
import { applyToTree, IngestError, ingest, ingestText, LIMITS, materialiseOverlay } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import type { PristineTree } from "../harness/tree/source.ts";

const FIX = join(repoRoot, "tests/fixtures/ingest");
const fx = (n: string) => join(FIX, n);

function refuses(fn: () => unknown, code: IngestError["code"], msg: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IngestError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, msg);
    return true;
  });
}

/** runApply with console captured. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const lo = console.log;
  const le = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await runApply(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = lo;
    console.error = le;
  }
}

describe("ingest: hostile input", function () {
  this.timeout(60000);
  let tmp: string;
  let fake: PristineTree;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "dioscope-hostile-"));
    // a tiny fake tree: a regular file, a symlinked directory, a FIFO
    const root = join(tmp, "tree");
    mkdirSync(join(root, "fs"), { recursive: true });
    writeFileSync(join(root, "fs/ok.c"), "int a;\nint b;\nint c;\n");
    mkdirSync(join(tmp, "outside"));
    writeFileSync(join(tmp, "outside/evil.c"), "int x;\n");
    symlinkSync(join(tmp, "outside"), join(root, "fs/link"));
    execFileSync("mkfifo", [join(root, "fs/fifo.c")]);
    fake = { name: "6.1", origin: "test", source: { kind: "dir", path: root, fingerprint: "test" }, kernelVersion: "0", root };
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("the fake tree itself works (control)", () => {
    const r = applyToTree(ingest([fx("ok.diff")])[0]!, fake, { noSearch: true });
    assert.equal(r.report.status, "applies");
    assert.equal(r.after!.files.get("fs/ok.c"), "int a;\nint b;\nint new;\nint c;\n");
  });

  it('".." in a diff path', () => refuses(() => ingest([fx("dotdot.diff")]), "hostile-path", /contains "\.\."/));

  it("absolute diff path", () => refuses(() => ingest([fx("absolute.diff")]), "hostile-path", /is absolute/));

  it("binary patch", () => refuses(() => ingest([fx("binary.diff")]), "binary", /binary patch/));

  it("a path that resolves through a symlink in the tree", () => {
    const p = ingest([fx("through-symlink.diff")])[0]!;
    refuses(() => applyToTree(p, fake, { noSearch: true }), "hostile-path", /through the symlink "fs\/link"/);
  });

  it("a path naming a device/FIFO in the tree", () => {
    const p = ingest([fx("device.diff")])[0]!;
    refuses(() => applyToTree(p, fake, { noSearch: true }), "not-regular-file", /FIFO, not a regular file/);
  });

  it("a device file, a directory or a FIFO as input", () => {
    refuses(() => ingest(["/dev/zero"]), "not-regular-file", /device file/);
    refuses(() => ingest([FIX]), "not-regular-file", /directory/);
    refuses(() => ingest([join(fake.root, "fs/fifo.c")]), "not-regular-file", /FIFO/);
  });

  it("enormous input (sparse file past the limit) and a gzip bomb", () => {
    const big = join(tmp, "big.mbox");
    writeFileSync(big, "");
    truncateSync(big, LIMITS.maxInputBytes + 1);
    refuses(() => ingest([big]), "too-large", /more than the limit/);
    const bomb = join(tmp, "bomb.mbox.gz");
    writeFileSync(bomb, gzipSync(Buffer.alloc(LIMITS.maxTextBytes + 1024, 0x61)));
    refuses(() => ingest([bomb]), "too-large", /decompresses to more than/);
  });

  it("NUL bytes in the input", () => {
    refuses(() => ingestText("diff --git a/x b/x\0", "nul"), "binary", /NUL bytes/);
    const f = join(tmp, "nul.diff");
    writeFileSync(f, Buffer.from("--- a/x\n+++ b/x\n\0\0"));
    refuses(() => ingest([f]), "binary", /NUL bytes/);
  });

  it("no patch at all", () => refuses(() => ingestText("hello\nworld\n", "x.txt"), "no-patch", /no patch found/));

  it("overlays refuse to be written inside the pristine tree", () => {
    const r = applyToTree(ingest([fx("ok.diff")])[0]!, fake, { noSearch: true });
    refuses(() => materialiseOverlay(r.after!, join(fake.root, "fs")), "hostile-path", /inside the pristine tree/);
    const out = join(tmp, "ov");
    materialiseOverlay(r.after!, out);
    assert.deepEqual(readdirSync(join(out, "fs")), ["ok.c"]);
  });

  it("the CLI exits 2 with a clear message and writes nothing", async () => {
    const out = join(tmp, "cli-out");
    for (const f of ["dotdot.diff", "absolute.diff", "binary.diff"]) {
      const r = await cli([fx(f), "--base", "6.1", "--out", out]);
      assert.equal(r.code, 2, f);
      assert.match(r.err, /^dioscope apply: refused: /, f);
      assert.equal(existsSync(out), false, f);
    }
    const r = await cli(["/dev/zero", "--base", "6.1"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /device file/);
    const u = await cli([fx("ok.diff"), "--base", "7.0"]);
    assert.equal(u.code, 2);
    assert.match(u.err, /unknown base: .*7\.0/);
  });
});
