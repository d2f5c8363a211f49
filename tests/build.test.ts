// The built kernel module (issue 2): real assertions on the real build.
// ./build.sh builds it first; these tests fail (not skip) when it is missing.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hostImports } from "../harness/build/host-interface.ts";
import { checkLayout, LayoutError, markers, parseMap } from "../harness/build/layout.ts";
import { currentBuild, type BuiltKernel } from "../harness/build/registry.ts";
import { loadKernel } from "../harness/machine/loader.ts";
import { repoRoot } from "../harness/paths.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { TEST_TREES } from "./support/built.ts";

/**
 * Byte offset of gen_syndrome in the tree's struct raid6_calls (the first
 * member in 6.x's include/linux/raid/pq.h, after `name` in 7.x's
 * lib/raid/raid6/algos.h): every member before it is a pointer, 4 bytes on wasm32.
 */
function genSyndromeOffset(tree: string): number {
  const root = resolveTree(tree).root;
  const header = ["lib/raid/raid6/algos.h", "include/linux/raid/pq.h"].map((p) => join(root, p)).find((p) => existsSync(p));
  assert.ok(header, "the tree has a raid6 header");
  const body = /struct raid6_calls \{([^}]*)\}/.exec(readFileSync(header, "utf8"))?.[1];
  assert.ok(body, `struct raid6_calls in ${header}`);
  const members = body.split(";").map((m) => m.trim()).filter(Boolean);
  const i = members.findIndex((m) => m.includes("(*gen_syndrome)"));
  assert.ok(i >= 0 && members.slice(0, i).every((m) => m.includes("*")), `gen_syndrome after pointer members only in ${header}`);
  return 4 * i;
}

for (const name of TEST_TREES) {
  describe(`built kernel ${name}`, function () {
    let built: BuiltKernel;
    let symbols: Map<string, number>;

    before(function () {
      const tree = resolveTree(name);
      const b = currentBuild(tree);
      assert.ok(b, `no current build for ${name}: run ./build.sh`);
      built = b;
      symbols = parseMap(readFileSync(join(b.dir, "kernel.map"), "utf8")).symbols;
    });

    it("instantiates in Node with every import bound", function () {
      const k = loadKernel(built.wasmPath);
      assert.ok(k.memory.buffer.byteLength >= 64 << 20);
      assert.equal(typeof k.exports.wasm_start_kernel, "function");
      assert.ok(k.table.length > 4096, "function table starts at --table-base");
    });

    it("imports exactly the documented arch interface", function () {
      const imports = built.manifest.imports.map((i) => `${i.module}.${i.name}`).sort();
      const expected = readFileSync(join(repoRoot, "kernel-src/link/imports.txt"), "utf8")
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .sort();
      assert.deepEqual(imports, expected, "import list changed: update kernel-src/link/imports.txt and asm/wasm_host.h deliberately");
      const declared = new Set(hostImports().map((h) => h.name));
      for (const i of built.manifest.imports.filter((i) => i.module === "host"))
        assert.ok(declared.has(i.name), `host.${i.name} is not declared in asm/wasm_host.h`);
    });

    it("passes the post-link layout check, which fails on a wrong link order", function () {
      const map = join(built.dir, "kernel.map");
      checkLayout(map);
      const list = markers();
      const i = list.findIndex((m) => m.symbol === "__initcall5_start");
      const j = list.findIndex((m) => m.symbol === "__initcall6_start");
      const swapped = [...list];
      [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
      assert.throws(() => checkLayout(map, swapped), LayoutError);
    });

    it("has the kernel's data and BSS initialisers in memory", function () {
      const k = loadKernel(built.wasmPath);
      const mem = new Uint8Array(k.memory.buffer);
      const banner = symbols.get("linux_banner")!;
      const text = Buffer.from(mem.subarray(banner, banner + 40)).toString("latin1");
      assert.match(text, new RegExp(`^Linux version ${built.manifest.tree.kernelVersion.replace(/\./g, "\\.")} `));
      // kernel/time/timer.c: jiffies_64 = INITIAL_JIFFIES = (u32)(-300 * HZ), HZ = 100
      const dv = new DataView(k.memory.buffer);
      assert.equal(dv.getBigUint64(symbols.get("jiffies_64")!, true), BigInt((-300 * 100) >>> 0));
      // arch data written by the host before boot, with its C initialiser
      assert.equal(dv.getUint32(k.address("wasm_nr_cpus"), true), 1);
      // a BSS variable: zero before boot
      assert.equal(dv.getUint32(symbols.get("wasm_this_cpu")!, true), 0);
    });

    it("runs real kernel code through an ops table (lib/raid6 int1 gen_syndrome)", function () {
      const k = loadKernel(built.wasmPath);
      const dv = new DataView(k.memory.buffer);
      const mem = new Uint8Array(k.memory.buffer);
      // struct raid6_calls.gen_syndrome, a table index, at the offset the tree's own header gives
      const fn = k.table.get(dv.getUint32(symbols.get("raid6_intx1")! + genSyndromeOffset(name), true)) as (d: number, b: number, p: number) => void;
      const disks = 5, bytes = 64; // 3 data + P + Q
      const base = (k.address("_end") + 0xffff) & ~0xffff;
      const ptrs = base, buf = base + 4096;
      const data: Uint8Array[] = [];
      for (let d = 0; d < disks; d++) {
        dv.setUint32(ptrs + 4 * d, buf + d * bytes, true);
        const v = new Uint8Array(bytes).map((_, i) => (d < 3 ? (i * 7 + d * 31 + 1) & 0xff : 0));
        mem.set(v, buf + d * bytes);
        data.push(v);
      }
      fn(disks, bytes, ptrs);
      const P = mem.subarray(buf + 3 * bytes, buf + 4 * bytes);
      const Q = mem.subarray(buf + 4 * bytes, buf + 5 * bytes);
      const gfMul2 = (x: number) => ((x << 1) ^ (x & 0x80 ? 0x1d : 0)) & 0xff;
      for (let i = 0; i < bytes; i++) {
        assert.equal(P[i], data[0]![i]! ^ data[1]![i]! ^ data[2]![i]!, `P[${i}]`);
        let q = 0;
        for (let d = 2; d >= 0; d--) q = gfMul2(q) ^ data[d]![i]!;
        assert.equal(Q[i], q, `Q[${i}]`);
      }
    });
  });
}
