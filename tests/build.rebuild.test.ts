// Incremental and failing builds (issue 2): a one-file change through an
// overlay recompiles only what Kbuild says depends on it and still links,
// passes the layout check and loads; a file that does not compile gives
// clang's `file:line: error`, a non-zero exit from the CLI, and leaves no
// half-written build behind. Each probe build is discarded before and after
// (it relinks and asyncifies: ~1-2 min per build on 2 cores). A base whose
// objects are not compiled for the current sources is compiled first (that
// is the pristine build's compile step, not counted as the probe's).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { buildKernel } from "../harness/build/index.ts";
import { KbuildError } from "../harness/build/kbuild.ts";
import { currentBuild } from "../harness/build/registry.ts";
import { parseMap } from "../harness/build/layout.ts";
import { BROKEN_LINE, buildDir, discardBuild, PROBE_FILE, PROBE_LINE, PROBE_SYMBOL, PROBE_VALUE, probeOverlay, type Probe } from "../harness/build/probe.ts";
import { loadKernel } from "../harness/machine/loader.ts";
import { repoRoot, wasmDir } from "../harness/paths.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { TEST_TREES } from "./support/built.ts";

// One tree each keeps the cost down (both go through the same Kbuild driver):
// the newest tree rebuilds, the oldest fails.
const REBUILD_TREE = TEST_TREES.at(-1)!;
const BROKEN_TREE = TEST_TREES[0]!;
const PROBE_OBJECT = PROBE_FILE.replace(/\.c$/, ".o");

describe("one-file rebuild through an overlay", function () {
  this.timeout(15 * 60_000);
  const tree = resolveTree(REBUILD_TREE);
  let probe: Probe;

  before(function () {
    probe = probeOverlay(tree, PROBE_LINE);
    discardBuild(tree, probe.overlay);
  });
  after(function () {
    if (!probe) return;
    discardBuild(tree, probe.overlay);
    probe.cleanup();
  });

  it(`recompiles only ${PROBE_OBJECT}, links, and the result loads with the change in it`, function () {
    const r = buildKernel({ tree, overlay: probe.overlay });
    assert.equal(r.cached, false);
    assert.deepEqual(r.manifest.recompiled, [PROBE_OBJECT]);
    assert.equal(r.manifest.recompiledObjects, 1);
    assert.equal(r.manifest.coldCompile, false);
    assert.deepEqual(r.manifest.overlay, [PROBE_FILE]);
    // A new kernel global moves the data layout: the changed functions cannot be spliced into the pristine kernel.
    assert.equal(r.manifest.instrumentation?.method, "full");
    assert.match(r.manifest.instrumentation.reason, currentBuild(tree) ? /section differs from the pristine kernel's/ : /the pristine kernel is not built/);

    const k = loadKernel(r.wasmPath);
    const addr = parseMap(readFileSync(join(r.dir, "kernel.map"), "utf8")).symbols.get(PROBE_SYMBOL);
    assert.ok(addr, `${PROBE_SYMBOL} is in the link map`);
    assert.equal(new DataView(k.memory.buffer).getUint32(addr, true), PROBE_VALUE);

    // The same inputs never build twice.
    assert.equal(buildDir(tree, probe.overlay), r.dir, "the sources changed while the test ran");
    const again = buildKernel({ tree, overlay: probe.overlay });
    assert.equal(again.cached, true);
    assert.equal(again.dir, r.dir);
  });
});

describe("a kernel file that does not compile", function () {
  this.timeout(15 * 60_000);
  const tree = resolveTree(BROKEN_TREE);
  let probe: Probe;
  let clangError: RegExp;

  /** Half-written outputs of this build (`<build-id>.partial-<pid>`). */
  const leftovers = (): string[] => {
    const id = basename(buildDir(tree, probe.overlay));
    return readdirSync(join(wasmDir(), tree.name)).filter((d) => d.startsWith(`${id}.partial`));
  };

  before(function () {
    probe = probeOverlay(tree, BROKEN_LINE);
    clangError = new RegExp(`^${PROBE_FILE.replace(/\./g, "\\.")}:${probe.line}:\\d+: error: `, "m");
    discardBuild(tree, probe.overlay);
  });
  after(function () {
    if (!probe) return;
    discardBuild(tree, probe.overlay);
    probe.cleanup();
  });

  it("throws clang's file:line: error and leaves no build behind", function () {
    assert.throws(
      () => buildKernel({ tree, overlay: probe.overlay }),
      (e: unknown) => {
        assert.ok(e instanceof KbuildError, String(e));
        assert.match(e.message, clangError);
        return true;
      },
    );
    assert.equal(existsSync(buildDir(tree, probe.overlay)), false, "no build directory");
    assert.deepEqual(leftovers(), [], "no .partial directory");
  });

  it("makes `dioscope build --overlay` exit non-zero with the same error", function () {
    const [path, file] = [...probe.overlay][0]!;
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "harness/cli/dioscope.ts", "build", "--tree", BROKEN_TREE, "--overlay", `${path}=${file}`],
      { cwd: repoRoot, encoding: "utf8" },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, clangError);
    assert.equal(existsSync(buildDir(tree, probe.overlay)), false, "no build directory");
    assert.deepEqual(leftovers(), [], "no .partial directory");
  });
});
