// Scenarios are files: one outside the repository is loaded by path (its
// imports of "dioscope/scenario" resolved to the API), checked against a real
// patch with the same pipeline as the bundled ones, and bad ones are refused
// with the file and line.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCheck } from "../harness/check/check.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { bundledScenarios, findScenarios, loadScenarioFile, ScenarioError } from "../harness/scenario/load.ts";
import { runScenario } from "../harness/scenario/run.ts";
import { builtKernels, TEST_TREES } from "./support/built.ts";

const dir = mkdtempSync(join(tmpdir(), "dioscope-scenarios-"));
const EXAMPLE = join(dir, "example.ts");
copyFileSync(join(repoRoot, "tests/fixtures/example-scenario.ts"), EXAMPLE);

/** A scenario file in the temporary directory; `body` goes inside the object literal after the valid fields. */
function scenarioFile(name: string, fields: string, setup = "setup(s) { s.mount('/dev/wda', '/mnt', 'ext4'); return {}; },"): string {
  const f = join(dir, `${name}.ts`);
  writeFileSync(
    f,
    [
      `import { expect, type Scenario } from "dioscope/scenario";`,
      `const s: Scenario = {`,
      `  name: "${name}",`,
      `  title: "a test scenario",`,
      `  exercises: ["fs/ext4/"],`,
      `  disks: [{ kind: "ext4", sizeMiB: 16 }],`,
      fields,
      `  ${setup}`,
      `  run(s) { s.observe("x", 1); },`,
      `  expectations: [expect.value("x", 1)],`,
      `};`,
      `export default s;`,
      ``,
    ].join("\n"),
  );
  return f;
}

describe("scenario files", function () {
  this.timeout(1_200_000);

  it("the README's scenario guide shows exactly the example this test loads", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const m = /<!-- example-scenario -->\n```ts\n([\s\S]*?)```\n<!-- \/example-scenario -->/.exec(readme);
    assert.ok(m, "README has the example block");
    assert.equal(m[1], readFileSync(join(repoRoot, "tests/fixtures/example-scenario.ts"), "utf8"));
  });

  it("the bundled scenarios are the files of harness/scenario/bundled, each with its source", async () => {
    const all = await bundledScenarios();
    assert.ok(all.length >= 7, `${all.length} bundled scenarios`);
    for (const s of all) assert.match(s.source ?? "", /harness\/scenario\/bundled\/[^/]+\.ts$/);
    assert.deepEqual((await findScenarios("000-vfat-aio-getevents")).map((s) => s.name), ["000-vfat-aio-getevents"]);
  });

  it("a declaration that makes no sense is refused with the file and line", async () => {
    const f = scenarioFile("bad-cpus", "  cpus: 99,");
    await assert.rejects(loadScenarioFile(f), (e: Error) => e instanceof ScenarioError && e.message.startsWith(`${f}:7: scenario "bad-cpus": cpus must be`));
    const g = scenarioFile("bad-disk", "  cpus: 1,");
    writeFileSync(g, readFileSync(g, "utf8").replace('kind: "ext4"', 'kind: "zfs"'));
    await assert.rejects(loadScenarioFile(g), (e: Error) => e instanceof ScenarioError && /bad-disk\.ts:6: .*unknown disk kind "zfs"/.test(e.message));
    const h = scenarioFile("bad-patch", '  cpus: 1,\n  alsoApply: [{ patch: "no-such.patch", why: "a test" }],');
    await assert.rejects(loadScenarioFile(h), (e: Error) => e instanceof ScenarioError && /bad-patch\.ts:8: .*no such patch file no-such\.patch/.test(e.message));
    const o = scenarioFile("bad-oracle", '  cpus: 1,\n  oracles: { off: [{ oracle: "lockdep", reason: "a test" }] },');
    await assert.rejects(loadScenarioFile(o), (e: Error) => e instanceof ScenarioError && /bad-oracle\.ts:8: .*unknown oracle "lockdep" in oracles\.off; known: console, crash/.test(e.message));
    const r = scenarioFile("no-reason", '  cpus: 1,\n  oracles: { off: [{ oracle: "fsck", reason: "" }] },');
    await assert.rejects(loadScenarioFile(r), (e: Error) => e instanceof ScenarioError && /no-reason\.ts:8: .*switching oracle fsck off needs a reason/.test(e.message));
    await assert.rejects(loadScenarioFile(join(dir, "absent.ts")), /no such scenario file/);
  });

  for (const tree of TEST_TREES) {
    it(`on ${tree}: a set-up that throws names its file and line; one that never finishes says so`, async () => {
      const k = builtKernels().find((b) => b.tree === tree)!;
      const [thrower] = await loadScenarioFile(scenarioFile("throws", "  cpus: 1,", `setup(s) {\n    throw new Error("no such file");\n  },`));
      assert.throws(() => runScenario(thrower!, k.wasmPath), (e: Error) => e instanceof ScenarioError && e.message.includes("throws.ts:9: scenario \"throws\": set-up failed: no such file"));
      const [stuck] = await loadScenarioFile(
        scenarioFile("stuck", "  cpus: 1,", `setup(s) {\n    s.mount("/dev/wda", "/mnt", "ext4");\n    s.block.setRules([{ op: "write", completion: { when: "hold" }, why: "never completes" }]);\n    s.createFile("/mnt/f", new Uint8Array(4096));\n    return {};\n  },`),
      );
      assert.throws(() => runScenario(stuck!, k.wasmPath), (e: Error) => e instanceof ScenarioError && /stuck\.ts:\d+: scenario "stuck": set-up did not finish/.test(e.message));
    });
  }

  for (const tree of TEST_TREES) {
    it(`on ${tree}: a scenario loaded from a directory outside the repository gets its verdict on a real patch`, async () => {
      const [s] = await loadScenarioFile(EXAMPLE);
      assert.equal(s!.source, EXAMPLE);
      const mail = join(repoRoot, "patches/001_60a185f54a9e7512.txt");
      const r = runCheck(ingest([mail]), { config: "plain", trees: [tree], scenarios: [s!], candidates: [], inputs: [mail] });
      const [v] = r.units.flatMap((u) => u.verdicts);
      assert.equal(v!.scenario, "example-ext4-dio-write-eio");
      assert.equal(v!.verdict, "no-effect", v!.reason);
      assert.equal(v!.reason, "passes before and after");
      assert.equal(v!.after!.observed.values.pwrite, -5);
      assert.equal(v!.after!.observed.values["stalled in iomap_dio_rw"], 1);
      assert.deepEqual(v!.reproduce!.slice(-3), ["--scenario", EXAMPLE, "--plain"]);
    });
  }
});
