// A variant kernel whose changed functions were Asyncified alone and spliced
// into the pristine kernel (harness/build/splice.ts) must be the variant
// Asyncified in full: the same module apart from the DWARF sections, and the
// same runs, event log for event log. Where the splice cannot stand for the
// full Asyncify (layout moved, an unwinding property changed) it refuses
// with its reason, and the build runs the full Asyncify.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildKernel } from "../harness/build/index.ts";
import { hostImports } from "../harness/build/host-interface.ts";
import { LINKED_WASM } from "../harness/build/link.ts";
import { spliceVariant, SpliceRefusal, unwindingStub, withoutDwarf } from "../harness/build/splice.ts";
import { findToolchain } from "../harness/build/toolchain.ts";
import { canUnwind, readAnalysis } from "../harness/build/unwind.ts";
import { SECTION, Writer, writeSections } from "../harness/build/wasm-binary.ts";
import { readModule, type ModuleView } from "../harness/build/wasm-module.ts";
import { eventHash } from "../harness/explore/report.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { bundledScenarios } from "../harness/scenario/load.ts";
import { runScenario } from "../harness/scenario/run.ts";
import { debianTree } from "../harness/tree/debian.ts";
import { buildVariant, overlayFiles } from "../harness/variants/build.ts";
import { prerequisitesOf, unitsFor } from "../harness/variants/units.ts";
import { builtKernels } from "./support/built.ts";

const SCENARIO = (await bundledScenarios()).find((s) => s.name === "001-ext4-dio-buffered-fallback-race")!;
const MAIL_001 = join(repoRoot, "patches/001_60a185f54a9e7512.txt");
const SWITCHING = hostImports().map((h) => h.name);

/** The module with the bodies of `replace` (function index -> body) swapped in. */
function withBodies(m: ModuleView, replace: Map<number, Uint8Array>): Uint8Array {
  const code = new Writer().u32(m.bodies.length);
  m.bodies.forEach((b, i) => {
    const body = replace.get(m.imports.length + i) ?? b;
    code.u32(body.length).bytes(body);
  });
  return writeSections(m.sections.map((s) => (s.id === SECTION.code ? { id: s.id, body: code.finish() } : s)));
}

for (const k of builtKernels()) {
  describe(`variant kernel spliced vs Asyncified in full on ${k.tree}`, function () {
    this.timeout(900_000);
    const t = debianTree(k.tree);

    it("001's before kernel: spliced, the same module apart from DWARF, the same event log", () => {
      const series = ingest([MAIL_001]);
      const [unit] = unitsFor(series, t, prerequisitesOf(SCENARIO, k.tree, series));
      assert.ok(unit && !unit.blocked && unit.before, "001 locates in the tree");
      const spliced = buildVariant(t, unit.before, []);
      assert.equal(spliced.manifest.instrumentation?.method, "splice", `not spliced: ${spliced.manifest.instrumentation?.reason}`);
      assert.ok(spliced.manifest.instrumentation.changedFunctions?.length, "the splice names the functions it instrumented");
      const dir = mkdtempSync(join(tmpdir(), "dioscope-full-"));
      const old = process.env.DIOSCOPE_WASM;
      process.env.DIOSCOPE_WASM = dir;
      try {
        const full = buildKernel({ tree: t, overlay: overlayFiles(t, unit.before!), instrumentation: "full" });
        assert.equal(full.manifest.instrumentation?.method, "full");
        assert.ok(withoutDwarf(readFileSync(full.wasmPath)).equals(withoutDwarf(readFileSync(spliced.wasmPath))), "the spliced module differs from the full one");
        assert.equal(eventHash(runScenario(SCENARIO, spliced.wasmPath)), eventHash(runScenario(SCENARIO, full.wasmPath)), "the runs differ");
      } finally {
        if (old === undefined) delete process.env.DIOSCOPE_WASM;
        else process.env.DIOSCOPE_WASM = old;
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("refuses, with the reason, a variant whose data moved or whose function gained an unwinding call", () => {
      const pristineDir = dirname(k.wasmPath);
      const p = readModule(readFileSync(join(pristineDir, LINKED_WASM)));
      const unwinds = canUnwind(readAnalysis(pristineDir)!.graph);
      const f = p.bodies.findIndex((_, i) => !unwinds[p.imports.length + i]) + p.imports.length;
      const work = mkdtempSync(join(tmpdir(), "dioscope-splice-"));
      const attempt = (variant: Uint8Array): void => {
        writeFileSync(join(work, "v.wasm"), variant);
        spliceVariant({ tc: findToolchain(), pristineDir, variantLinked: join(work, "v.wasm"), output: join(work, "k.wasm"), workDir: work, switching: SWITCHING });
      };
      try {
        const moved = withBodies(p, new Map([[f, unwindingStub(p, SWITCHING)]]));
        assert.throws(() => attempt(moved), (e: unknown) => e instanceof SpliceRefusal && /can unwind in the variant, unlike in the pristine kernel/.test(e.message));
        const data = p.sections.find((s) => s.id === SECTION.data)!;
        const changedData = writeSections(p.sections.map((s) => (s === data ? { id: s.id, body: Uint8Array.from(s.body, (x, i) => (i === s.body.length - 1 ? x ^ 1 : x)) } : s)));
        assert.throws(() => attempt(changedData), (e: unknown) => e instanceof SpliceRefusal && /the data section differs/.test(e.message));
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });
}

