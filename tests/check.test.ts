// The one path from mail to verdict: `dioscope check` on each bundled mail
// gives the main job's verdicts; a patch to code this configuration does not
// compile is "not judged" (with the Kconfig symbol) and builds nothing; the
// generic layers know no seed.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCheck, type CheckReport } from "../harness/check/check.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot, wasmDir } from "../harness/paths.ts";
import { bundledScenarios } from "../harness/scenario/load.ts";
import { notApplicableOn } from "../harness/scenario/types.ts";
import { resolveTree } from "../harness/tree/resolve.ts";
import { TEST_TREES } from "./support/built.ts";

const BUNDLED = await bundledScenarios();

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "harness/cli/dioscope.ts"), ...args], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A one-line change to `file` of tree `tree` as a unified diff (diff -u of the tree's own file and a changed copy). */
function onelinePatch(tree: (typeof TEST_TREES)[number], file: string): string {
  const d = mkdtempSync(join(tmpdir(), "dioscope-patch-"));
  const text = readFileSync(join(resolveTree(tree).root, file), "utf8");
  const changed = text.replace(/\n\n/, "\n/* a change */\n\n");
  for (const [side, t] of [["a", text], ["b", changed]] as const) {
    const p = join(d, side, file);
    execFileSync("mkdir", ["-p", join(p, "..")]);
    writeFileSync(p, t);
  }
  const r = spawnSync("diff", ["-u", join("a", file), join("b", file)], { cwd: d, encoding: "utf8" });
  const mail = join(d, "change.patch");
  writeFileSync(mail, `From: someone <someone@example.org>\nSubject: [PATCH] ${file}: a change\n\n---\n${r.stdout}`);
  return mail;
}

describe("check: the generic layers know no seed", () => {
  it("no seed id or seed file name in harness/check, harness/explore, harness/cli (outside comments)", () => {
    const r = spawnSync("grep", ["-rn", '"000"\\|"001"\\|"002"\\|00[012]_', "harness/check", "harness/explore", "harness/cli"], { cwd: repoRoot, encoding: "utf8" });
    const code = r.stdout.split("\n").filter((l) => l && !/^[^:]+:\d+:\s*(\/\/|\*|\/\*)/.test(l));
    assert.deepEqual(code, []);
  });
});

for (const tree of TEST_TREES) {
  describe(`check on ${tree}`, function () {
    this.timeout(1_200_000);

    it("a patch to a file this configuration does not compile is not judged, names the Kconfig symbol, and builds nothing", () => {
      const mail = onelinePatch(tree, "fs/xfs/xfs_file.c");
      const builds = () => (existsSync(join(wasmDir(), tree)) ? readdirSync(join(wasmDir(), tree)).length : 0);
      const n = builds();
      const named = BUNDLED.filter((s) => s.name === "001-ext4-dio-buffered-fallback-race");
      const r: CheckReport = runCheck(ingest([mail]), { config: "plain", trees: [tree], scenarios: named, candidates: BUNDLED, inputs: [mail] });
      assert.equal(builds(), n, "no kernel was built");
      const [u] = r.units;
      assert.equal(u!.problem, "not judged: fs/xfs/xfs_file.c is not compiled in this configuration (CONFIG_XFS_FS is not set)");
      assert.deepEqual(u!.coverage!.notCompiled.map((x) => x.symbol), ["CONFIG_XFS_FS"]);
      assert.deepEqual(u!.verdicts.map((v) => v.verdict), ["not-judged"]);
      assert.deepEqual(u!.builds, { before: null, after: null });
    });

    for (const [mail, scenarios] of [
      ["000_8e22ae30f5917a7e.txt", ["000-vfat-aio-dio-write-error", "000-vfat-aio-getevents", "000-vfat-loop-dio-write-error"]],
      ["001_60a185f54a9e7512.txt", ["001-ext4-dio-buffered-fallback-race"]],
      ["002_af39239f68c27663.txt", ["002-btrfs-uring-nowait-short-read"]],
    ] as const) {
      it(`dioscope check patches/${mail} --base ${tree} --json --no-generic --plain: "fixed" for every scenario that reproduces it`, () => {
        // The scenarios' path; the generic suite has its own tests (tests/generate.test.ts).
        const r = cli(["check", join("patches", mail), "--base", tree, "--json", "--no-generic", "--plain"]);
        assert.equal(r.code, 0, r.err);
        const rep = JSON.parse(r.out) as CheckReport;
        const verdicts = rep.units.flatMap((u) => u.verdicts.map((v) => [v.scenario, v.verdict]));
        // "fixed", except where the scenario declares (and tests/seeds.test.ts proves) that the bug cannot happen on this tree.
        const want = scenarios.map((s) => [s, notApplicableOn(BUNDLED.find((x) => x.name === s)!, tree) ? "not-applicable" : "fixed"]);
        assert.deepEqual(verdicts.sort(), want);
        assert.deepEqual(rep.selected.map((s) => s.by), scenarios.map(() => "reproduces"));
        if (mail.startsWith("000")) {
          const text = JSON.stringify(rep.units.flatMap((u) => u.verdicts.filter((v) => v.scenario === "000-vfat-aio-getevents").map((v) => v.after!.observed)));
          assert.match(text, /io_submit/);
          assert.match(text, /io_getevents/);
        }
      });
    }
  });
}

describe("command line", () => {
  it("every command has --help describing its flags; --base and --tree are the same option", () => {
    for (const c of ["check", "explore", "replay", "build", "boot", "fidelity", "main-job"]) {
      const r = cli([c, "--help"]);
      assert.equal(r.code, 0, `${c}: ${r.err}`);
      assert.match(r.out, new RegExp(`^usage: dioscope ${c}`), c);
      if (c !== "replay") assert.match(r.out, /--tree TREE/, c);
    }
    const bad = cli(["check", "--no-such-flag", "x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Unknown option '--no-such-flag'/);
    assert.match(cli(["check", "patches/001_60a185f54a9e7512.txt", "--tree", "2.6"]).err, /unknown tree "2\.6"/);
  });

  it("check builds the debug kernel unless --plain; build the plain one unless --debug; both flags at once are refused", () => {
    assert.match(cli(["check", "--help"]).out, /--debug .*\(the default\)/);
    assert.match(cli(["build", "--help"]).out, /--debug .*\(default: the plain kernel\)/);
    for (const c of ["check", "build"]) {
      const r = cli([c, ...(c === "check" ? ["patches/001_60a185f54a9e7512.txt"] : []), "--debug", "--plain"]);
      assert.equal(r.code, 2, c);
      assert.match(r.err, /--debug and --plain name two kernels/, c);
    }
  });
});
