// The three seed mails, as received: parse, report per tree, and round-trip the rebuilt 001
// through GNU patch (not through our own engine) to check the reconstruction.
import assert from "node:assert/strict";
import { TREE_NAMES } from "../harness/tree/source.ts";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { applyToTree, formatReport, ingest, type ApplyResult, type Patch } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { resolveTree } from "../harness/tree/resolve.ts";

const seed = (n: string) => join(repoRoot, "patches", n);
const S000 = seed("000_8e22ae30f5917a7e.txt");
const S001 = seed("001_60a185f54a9e7512.txt");
const S002 = seed("002_af39239f68c27663.txt");

function one(file: string): Patch {
  const ps = ingest([file]);
  assert.equal(ps.length, 1);
  return ps[0]!;
}

/** Run GNU patch on a copy of one tree file; returns the result. */
function gnuPatch(root: string, rel: string, content: string | null, diff: string, reverse: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "dioscope-gnu-"));
  try {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content ?? readFileSync(join(root, rel)));
    execFileSync("patch", ["-p1", "--fuzz=0", "--no-backup-if-mismatch", ...(reverse ? ["-R"] : []), "-d", dir], { input: diff, stdio: ["pipe", "pipe", "pipe"] });
    return readFileSync(join(dir, rel), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("ingest: seed mails", function () {
  this.timeout(120000);
  const t61 = resolveTree("6.1");
  const t612 = resolveTree("6.12");

  it("parses all three as they are", () => {
    const p0 = one(S000);
    assert.equal(p0.format, "lkml-page");
    assert.equal(p0.subject, "[patch] direct-io: bug fix in dio handling write error");
    assert.equal(p0.files.length, 1);
    assert.equal(p0.files[0]!.newPath, "fs/direct-io.c");
    assert.deepEqual(p0.files[0]!.hunks.map((h) => [h.oldStart, h.oldCount, h.newStart, h.newCount]), [
      [129, 6, 129, 7],
      [250, 6, 251, 10],
      [406, 7, 411, 7],
      [964, 6, 969, 7],
    ]);
    assert.ok(p0.mangled);
    assert.ok(p0.trailers.some((t) => t.key === "Signed-off-by" && t.value.startsWith("Ken Chen")));
    assert.ok(p0.trailers.some((t) => t.key === "Acked-by" && t.value.startsWith("Zach Brown")));

    const p1 = one(S001);
    assert.equal(p1.format, "lore-page");
    assert.equal(p1.version, 3);
    assert.equal(p1.seq, 2);
    assert.equal(p1.total, 9);
    assert.equal(p1.isCover, false);
    assert.equal(p1.messageId, "20260626083518.1064517-3-libaokun@linux.alibaba.com");
    assert.equal(p1.files[0]!.newPath, "fs/ext4/file.c");
    assert.deepEqual(p1.files[0]!.hunks.map((h) => [h.oldStart, h.oldCount, h.newStart, h.newCount]), [[309, 6, 309, 13]]);
    const keys = p1.trailers.map((t) => t.key);
    for (const k of ["Fixes", "Link", "Reviewed-by", "Signed-off-by", "Suggested-by"]) assert.ok(keys.includes(k), k);
    assert.match(p1.trailers.find((t) => t.key === "Fixes")!.value, /^378f32bab371 /);
    assert.match(p1.message, /^generic\/746 started failing/);

    const p2 = one(S002);
    assert.equal(p2.format, "lkml-page");
    assert.equal(p2.seq, 179);
    assert.equal(p2.total, 186);
    assert.deepEqual(p2.tags, ["5.16"]);
    assert.equal(p2.files[0]!.newPath, "fs/btrfs/inode.c");
    assert.equal(p2.files[0]!.hunks.length, 1);
    // the C program in the message is not mistaken for a diff; the hunk's 26 surviving added lines are there
    assert.equal(p2.files[0]!.hunks[0]!.lines.filter((l) => l.kind === "add").length, 26);
    assert.ok(p2.notes.some((n) => /4-space indent/.test(n)));
  });

  it("001 is already applied in 6.1 and 6.12", () => {
    for (const t of [t61, t612]) {
      const r = applyToTree(one(S001), t);
      assert.equal(r.report.status, "already-applied", formatReport(r.report));
      const h = r.report.files[0]!.hunks[0]!;
      assert.equal(h.status, "reverse");
      assert.equal(h.file, "fs/ext4/file.c");
      assert.equal(h.fuzz, 0);
      assert.equal(h.restored, 1);
      assert.equal(r.after!.files.size, 0, "after = tree");
      assert.equal(r.before!.files.size, 1);
    }
  });

  it("001 round trip on 6.12 through GNU patch: reverse then forward gives the file back byte for byte", () => {
    const r: ApplyResult = applyToTree(one(S001), t612);
    const rel = "fs/ext4/file.c";
    const pristine = readFileSync(join(t612.root, rel), "utf8");
    const reverted = gnuPatch(t612.root, rel, null, r.exactDiff!, true);
    assert.notEqual(reverted, pristine);
    assert.equal(reverted, r.before!.files.get(rel), "GNU patch -R and our before overlay agree");
    assert.ok(!reverted.includes("Prevent concurrent direct I/O and buffered I/O"));
    const again = gnuPatch(t612.root, rel, reverted, r.exactDiff!, false);
    assert.equal(again, pristine, "re-applied file is byte-identical to the tree");
    // and our own engine, on the reverted file as base, says it applies forward to the same bytes
    const base = { root: t612.root, tree: t612.origin, files: new Map([[rel, reverted]]) };
    const fwd = applyToTree(one(S001), t612, { base });
    assert.equal(fwd.report.status, "applies");
    assert.equal(fwd.after!.files.get(rel), pristine);
  });

  it("002 is already applied in 6.1 with fuzz 1 (fs/btrfs/inode.c)", () => {
    const r = applyToTree(one(S002), t61);
    assert.equal(r.report.status, "already-applied", formatReport(r.report));
    const h = r.report.files[0]!.hunks[0]!;
    assert.equal(h.status, "reverse");
    assert.equal(h.fuzz, 1);
    assert.equal(h.file, "fs/btrfs/inode.c");
    // GNU patch agrees with the rebuilt diff at fuzz 0, and the before overlay has no NOWAIT guard
    const rel = "fs/btrfs/inode.c";
    const reverted = gnuPatch(t61.root, rel, null, r.exactDiff!, true);
    assert.equal(reverted, r.before!.files.get(rel));
    assert.ok(!reverted.includes("If we have a NOWAIT request and the range contains multiple extents"));
    assert.equal(gnuPatch(t61.root, rel, reverted, r.exactDiff!, false), readFileSync(join(t61.root, rel), "utf8"));
  });

  it("002 on 6.12 without relocation: neither; the moved code and the rename are named", () => {
    const r = applyToTree(one(S002), t612, { relocate: false });
    assert.equal(r.report.status, "neither");
    assert.equal(r.before, null);
    const h = r.report.files[0]!.hunks[0]!;
    assert.equal(h.status, "neither");
    assert.equal(h.relocated?.to, "fs/btrfs/direct-io.c");
    assert.equal(h.relocated?.applied, false);
    assert.deepEqual(h.renames?.filter((x) => x.kind === "renamed").map((x) => [x.from, x.to]), [["free_extent_map", "btrfs_free_extent_map"]]);
    assert.match(formatReport(r.report), /fs\/btrfs\/direct-io\.c/);
  });

  it("002 on 6.12: already applied, relocated to fs/btrfs/direct-io.c, the rename found and substituted (no table)", () => {
    const r = applyToTree(one(S002), t612);
    assert.equal(r.report.status, "already-applied", formatReport(r.report));
    assert.equal(r.report.relocated, true);
    assert.deepEqual(r.report.relocatedTo, ["fs/btrfs/direct-io.c"]);
    assert.deepEqual(r.report.substitutions, [{ from: "free_extent_map", to: "btrfs_free_extent_map", file: "fs/btrfs/direct-io.c" }]);
    const h = r.report.files[0]!.hunks[0]!;
    assert.equal(h.file, "fs/btrfs/direct-io.c");
    assert.equal(h.relocated?.applied, true);
    assert.deepEqual(h.substitutions, r.report.substitutions);
    const text = formatReport(r.report);
    assert.match(text, /RELOCATED/);
    assert.match(text, /substituted free_extent_map → btrfs_free_extent_map/);
    // the before overlay carries the substitution: the restored lines use the new name
    const before = r.before!.files.get("fs/btrfs/direct-io.c")!;
    assert.ok(!/\bfree_extent_map\(/.test(before));
    // the same result as naming the rename by hand
    const byHand = applyToTree(one(S002), t612, { renames: { free_extent_map: "btrfs_free_extent_map" } });
    assert.equal(byHand.exactDiff, r.exactDiff);
  });

  it("000 applies to neither tree; the report names the functions that no longer exist", () => {
    for (const t of [t61, t612]) {
      const r = applyToTree(one(S000), t);
      assert.equal(r.report.status, "neither", formatReport(r.report));
      const hs = r.report.files[0]!.hunks;
      assert.ok(hs.every((h) => h.status === "neither"));
      const gone = hs.flatMap((h) => (h.missingFunctions ?? []).filter((m) => /exists nowhere/.test(m.where)).map((m) => m.name));
      assert.ok(gone.includes("finished_one_bio"), gone.join());
      assert.ok(gone.includes("direct_io_worker"), gone.join());
      assert.ok(!gone.includes("dio_bio_complete"), "dio_bio_complete still exists");
      assert.match(formatReport(r.report), /function finished_one_bio\(\) exists nowhere/);
    }
  });
});

describe("dioscope apply (CLI) on the seeds", function () {
  this.timeout(120000);
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const { runApply } = await import("../harness/cli/apply.ts");
    const out: string[] = [];
    const err: string[] = [];
    const lo = console.log;
    const le = console.error;
    console.log = (...a: unknown[]) => out.push(a.join(" "));
    console.error = (...a: unknown[]) => err.push(a.join(" "));
    try {
      return { code: await runApply(args), out: out.join("\n"), err: err.join("\n") };
    } finally {
      console.log = lo;
      console.error = le;
    }
  }

  it("--json for 002 on 6.12: already applied, relocated, with the substitution", async () => {
    const r = await cli([S002, "--base", "6.12", "--json", "--dry-run"]);
    assert.equal(r.code, 0, r.err);
    const [rep] = JSON.parse(r.out) as { status: string; relocated: boolean; substitutions: { from: string; to: string; file: string }[] }[];
    assert.equal(rep!.status, "already-applied");
    assert.equal(rep!.relocated, true);
    assert.deepEqual(rep!.substitutions, [{ from: "free_extent_map", to: "btrfs_free_extent_map", file: "fs/btrfs/direct-io.c" }]);
  });

  it("--json reports every patch on every tree; exit 1 because 000 applies nowhere", async () => {
    const r = await cli([S000, S001, S002, "--json", "--dry-run"]);
    assert.equal(r.code, 1, r.err);
    const reports = JSON.parse(r.out) as { id: string; tree: { name: string }; status: string }[];
    const got = reports.map((x) => `${x.tree.name} ${x.id.slice(0, 3)} ${x.status}`);
    assert.deepEqual(got, TREE_NAMES.flatMap((t) => [`${t} 000 neither`, `${t} 001 already-applied`, `${t} 002 already-applied`]));
  });

  it("writes before/after overlays with --out, and only there", async () => {
    const out = mkdtempSync(join(tmpdir(), "dioscope-cli-"));
    try {
      const r = await cli([S001, "--base", "6.12", "--out", out]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /ALREADY APPLIED/);
      const dir = join(out, "6.12", "001_60a185f54a9e7512.txt-1");
      const before = readFileSync(join(dir, "before/fs/ext4/file.c"), "utf8");
      assert.ok(!before.includes("inode_dio_wait(inode);\n\n\tret = ext4_write_checks"));
      assert.equal(execFileSync("find", [join(dir, "after"), "-type", "f"], { encoding: "utf8" }), "", "after = tree: no changed files");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
