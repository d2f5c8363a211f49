// Kernel trees behind one interface: a Debian series, a directory, a git
// checkout at a revision (exported into the cache, the user's work tree and
// index untouched). Each records exactly what it was; a tree the arch cannot
// build is refused with the reason, and a failing build names the failing
// line. The git test repository is made once per tree version in the cache
// (~1 min); its revision builds once (a cold build, ~3 min on 2 cores) and is
// then cached under its commit id.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootKernel } from "../harness/boot/boot.ts";
import { buildKernel } from "../harness/build/index.ts";
import { KbuildError } from "../harness/build/kbuild.ts";
import { parseMap } from "../harness/build/layout.ts";
import type { CheckReport } from "../harness/check/check.ts";
import { repoRoot } from "../harness/paths.ts";
import { BROKEN_LINE, discardBuild, PROBE_FILE, PROBE_LINE, PROBE_SYMBOL, PROBE_VALUE, probeOverlay } from "../harness/build/probe.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { NEWEST_TREE, TREE_NAMES, compareKernelVersions, describeTree, kernelSeries } from "../harness/tree/source.ts";
import { testRepo, type TestRepo } from "./support/git-repo.ts";

const fileSha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

function fakeTree(makefile: string): string {
  const dir = mkdtempSync(join(tmpdir(), "dioscope-tree-"));
  writeFileSync(join(dir, "Makefile"), makefile);
  return dir;
}

describe("kernel trees", function () {
  this.timeout(60_000);

  it("a Debian series resolves to its package and version; the default is the newest", function () {
    for (const name of TREE_NAMES) assert.ok(compareKernelVersions(NEWEST_TREE, name) >= 0, `${NEWEST_TREE} is older than ${name}`);
    const t = resolveTree(NEWEST_TREE);
    assert.equal(t.source.kind, "debian");
    assert.ok(t.source.kind === "debian" && t.origin === `debian:${t.source.package}=${t.source.version}`, t.origin);
    assert.equal(kernelSeries(t.kernelVersion), NEWEST_TREE);
    assert.ok(existsSync(join(t.root, "Makefile")));
  });

  it("refuses a name that is no tree, a directory that is no kernel, and a kernel older than the arch supports", function () {
    assert.throws(() => resolveTree("no-such-tree"), /unknown kernel tree "no-such-tree"/);
    const empty = fakeTree("all:\n");
    const old = fakeTree("VERSION = 2\nPATCHLEVEL = 6\nSUBLEVEL = 32\n");
    try {
      assert.throws(() => resolveTree(empty), /not a kernel tree/);
      const t = resolveTree(old);
      assert.equal(t.kernelVersion, "2.6.32");
      assert.equal(t.source.kind, "dir");
      assert.throws(() => buildKernel({ tree: t }), (e: unknown) => e instanceof KbuildError && /2\.6\.32 .*older than 6\.1/.test(e.message));
    } finally {
      rmSync(empty, { recursive: true, force: true });
      rmSync(old, { recursive: true, force: true });
    }
  });

  it("a build that fails in 'make prepare' names clang's file:line: error", function () {
    this.timeout(15 * 60_000);
    const tree = resolveTree(NEWEST_TREE);
    const probe = probeOverlay(tree, BROKEN_LINE, "kernel/bounds.c");
    discardBuild(tree, probe.overlay);
    try {
      assert.throws(
        () => buildKernel({ tree, overlay: probe.overlay, jobs: 2 }),
        (e: unknown) => e instanceof KbuildError && /make prepare/.test(e.message) && e.message.includes(`kernel/bounds.c:${probe.line}:`) && /error: /.test(e.message),
      );
    } finally {
      discardBuild(tree, probe.overlay);
      probe.cleanup();
    }
  });
});

describe("a git checkout as the tree", function () {
  this.timeout(20 * 60_000);
  let repo: TestRepo;

  before(function () {
    repo = testRepo(resolveTree(NEWEST_TREE), PROBE_FILE, PROBE_LINE);
  });

  it("a revision is exported into the cache; the work tree and index are untouched; commit and dirty flag recorded", function () {
    const index = join(repo.dir, ".git", "index");
    const before = fileSha(index);
    // Work in progress in the user's checkout: a tracked file changed (restored afterwards).
    const edited = join(repo.dir, "README");
    const original = readFileSync(edited);
    writeFileSync(edited, Buffer.concat([original, Buffer.from("work in progress\n")]));
    try {
      const t = resolveTree(repo.dir, repo.first);
      assert.equal(t.name, `git-${repo.first.slice(0, 12)}`);
      assert.deepEqual(t.source, { kind: "git", repo: repo.dir, commit: repo.first, rev: repo.first, dirty: true });
      assert.equal(t.origin, `git:${repo.dir}@${repo.first}`);
      assert.equal(describeTree(t), `git ${repo.dir} at ${repo.first}, work tree dirty (Linux ${t.kernelVersion})`);
      assert.ok(!t.root.startsWith(repo.dir), "exported outside the user's checkout");
      assert.ok(!readFileSync(join(t.root, repo.file), "utf8").includes(repo.line), "the export is the first commit, not the work tree");
      assert.ok(!readFileSync(join(t.root, "README"), "utf8").includes("work in progress"));
      assert.deepEqual(resolveTree(t.name), t, "its name resolves back to it");
      assert.equal(fileSha(index), before, "the index was not written");
      assert.ok(readFileSync(edited, "utf8").endsWith("work in progress\n"), "the work tree was not touched");
      assert.equal(execFileSync("git", ["-C", repo.dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim(), repo.second, "HEAD did not move");
    } finally {
      writeFileSync(edited, original);
    }
  });

  it("a directory is used in place: a clean work tree records HEAD, any other directory a content fingerprint", function () {
    const t = resolveTree(repo.dir);
    assert.equal(t.root, repo.dir);
    assert.deepEqual(t.source, { kind: "git", repo: repo.dir, commit: repo.second, rev: "HEAD", dirty: false });
    const plain = fakeTree("VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 0\n");
    try {
      const a = resolveTree(plain);
      assert.equal(a.source.kind, "dir");
      writeFileSync(join(plain, "extra.c"), "int x;\n");
      const b = resolveTree(plain);
      assert.equal(b.name, a.name, "same directory, same name");
      assert.notEqual(b.origin, a.origin, "changed contents, new origin (and build id)");
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it("a revision builds and boots, with its commit id in the manifest and its change in the kernel", function () {
    const t = resolveTree(repo.dir, repo.second);
    const b = buildKernel({ tree: t, jobs: 2 });
    assert.deepEqual(b.manifest.tree.source, { kind: "git", repo: repo.dir, commit: repo.second, rev: repo.second, dirty: false });
    assert.equal(b.manifest.tree.kernelVersion, resolveTree(NEWEST_TREE).kernelVersion);
    const booted = bootKernel(b.wasmPath, { cpus: 1 });
    const addr = parseMap(readFileSync(join(b.dir, "kernel.map"), "utf8")).symbols.get(PROBE_SYMBOL);
    assert.ok(addr, `${PROBE_SYMBOL} (the second commit's line) is in the link map`);
    assert.equal(new DataView(booted.machine.kernel.memory.buffer).getUint32(addr, true), PROBE_VALUE);
  });

  it("dioscope check <mail> --tree <checkout> --rev <commit> --plain judges that revision (the plain kernel built above), with the commit id in the report", function () {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "harness/cli/dioscope.ts"), "check", join(repoRoot, "patches/001_60a185f54a9e7512.txt"), "--tree", repo.dir, "--rev", repo.second, "--json", "--no-generic", "--plain"], {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
    });
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as CheckReport;
    assert.deepEqual(rep.treeSources.map((t) => t.source), [{ kind: "git", repo: repo.dir, commit: repo.second, rev: repo.second, dirty: false }]);
    assert.deepEqual(rep.units.flatMap((u) => u.verdicts.map((v) => [v.scenario, v.verdict])), [["001-ext4-dio-buffered-fallback-race", "fixed"]]);
  });
});
