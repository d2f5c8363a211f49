// The leak oracle: after the probe unmounts every filesystem of a type, the
// caches that filesystem owns hold no more objects than at boot. The counts
// are the kernel's own (SLUB's sysfs, the debug kernel); the plain kernel has
// none and says so. That the oracle fires on a real leak is shown by zoo bug
// 09 (tests/zoo.test.ts: the NOCOW write's extent map, before its fix).
import assert from "node:assert/strict";
import { emptyProbe } from "../harness/oracles/probe.ts";
import { runScenario } from "../harness/scenario/run.ts";
import { targetOf } from "../harness/generate/suite.ts";
import { parseWorkload } from "../harness/generate/text.ts";
import { kernelAt } from "../harness/variants/kernels.ts";
import { builtKernels, DEBUG_TREES } from "./support/built.ts";
import { Run, oracles } from "./support/run-record.ts";

const slab = (cache: string, objects: number, atBoot: number) => ({ cache, fstype: cache.split("_")[0]!, objects, atBoot });

describe("leak oracle (model)", () => {
  it("names a cache that holds more objects after unmount than at boot, and only that one", () => {
    const r = new Run();
    r.probe = { ...emptyProbe(null), slabs: [slab("btrfs_extent_map", 1, 0), slab("btrfs_inode", 0, 0), slab("ext4_bio_post_read_ctx", 128, 128)] };
    const j = r.judge();
    assert.deepEqual(j.findings.map((f) => f.oracle), ["leak"]);
    assert.match(j.findings[0]!.message, /btrfs_extent_map held 1 object more than at boot/);
    assert.deepEqual(oracles(new Run()), [], "no counts, no finding");
    const off = r.judge({ off: [{ oracle: "leak", reason: "the scenario keeps a filesystem busy" }] });
    assert.deepEqual(off.findings, []);
  });
});

/** A generated workload's run on `wasmPath`, with the probe. */
function probed(tree: (typeof DEBUG_TREES)[number], wasmPath: string, text: string) {
  const t = targetOf(parseWorkload(text), kernelAt(tree, wasmPath));
  return runScenario(t.scenario, wasmPath);
}

for (const k of builtKernels("debug", DEBUG_TREES)) {
  describe(`leak oracle on the debug kernel ${k.tree}`, function () {
    this.timeout(600_000);
    for (const [fs, caches] of [["btrfs-nodatacow", /^btrfs_/], ["ext4", /^(ext4|jbd2)_/], ["vfat", /^fat_/]] as const) {
      it(`${fs}: the probe counts the filesystem's own caches after unmount; a direct write leaks nothing`, () => {
        const r = probed(k.tree, k.wasmPath, `fs ${fs}, file written 16384 | task: pwrite D 0+4096; pread D 4096+4096`);
        assert.deepEqual(r.oracles.findings, [], JSON.stringify(r.oracles.findings));
        const counted = r.probe!.slabs;
        assert.ok(counted.length >= 2 && counted.every((c) => caches.test(c.cache)), JSON.stringify(counted));
        assert.ok(counted.every((c) => c.objects <= c.atBoot), JSON.stringify(counted));
      });
    }
  });
}

for (const k of builtKernels("plain").slice(0, 1)) {
  it(`leak oracle on the plain kernel ${k.tree}: no counts (no SLUB_DEBUG), and the probe says why`, function () {
    this.timeout(600_000);
    const r = probed(k.tree, k.wasmPath, "fs btrfs, file written 16384 | task: pwrite D 0+4096");
    assert.deepEqual(r.probe!.slabs, []);
    assert.ok(r.probe!.notes.some((n) => /no leak count: opening \/proc\/slabinfo returned -2/.test(n)), JSON.stringify(r.probe!.notes));
  });
}
