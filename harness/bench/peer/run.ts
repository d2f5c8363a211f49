// `npm run bench:peer`: the same question answered the way a reviewer answers
// it today, beside dioscope. The same Debian tree built natively as
// User-Mode Linux, before and after each seed's fix (the sides dioscope's
// check uses), a reproducer run N times inside it; then `dioscope check` on
// the same mail. Prints the side-by-side table, writes bench-results/peer.json.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { COMMON, command, intOf, ONE_TREE, type CommandSpec } from "../../cli/args.ts";
import { cacheDir } from "../../paths.ts";
import { writeBenchResult } from "../results.ts";
import { resolveTree } from "../../tree/resolve.ts";
import type { PristineTree } from "../../tree/source.ts";
import { dioscopeCheck } from "./dioscope-side.ts";
import { bootAndRun, makeDisk, rootImage } from "./guest.ts";
import { PEER_SEEDS, sidesOf, type PeerCase, type PeerSeed } from "./seeds.ts";
import { formatTable, median, umlVerdict, type PeerResults, type SeedResult, type UmlCaseResult, type UmlSide } from "./table.ts";
import { pristineUml, variantUml } from "./uml-build.ts";

/** Debian packages the peer bench needs beyond build.sh's (installed the way build.sh installs). */
const APT_PACKAGES = ["build-essential", "bc", "flex", "bison", "liburing-dev", "e2fsprogs", "btrfs-progs"];
const DEFAULT_TREE = "6.12";
const DEFAULT_ATTEMPTS = 30;
const DEFAULT_TIMEOUT_S = 300;

const PEER: CommandSpec = {
  name: "bench:peer",
  positionals: "",
  summary: "UML (the Debian tree built natively, a reproducer run N times before and after the fix) beside `dioscope check`, per seed: time to verdict and reproduction rate. Prints the table; writes bench-results/peer.json.",
  options: {
    tree: { ...ONE_TREE.tree, help: `kernel tree (default ${DEFAULT_TREE}): a Debian series or a kernel tree's path` },
    base: ONE_TREE.base,
    attempts: { type: "string", value: "N", help: `reproducer attempts per side inside UML (default ${DEFAULT_ATTEMPTS})` },
    only: { type: "string", multiple: true, value: "ID", help: `a seed to run (${PEER_SEEDS.map((s) => s.id).join(", ")}; default all); repeat for several` },
    timeout: { type: "string", value: "S", help: `seconds one UML boot may take before it is killed (default ${DEFAULT_TIMEOUT_S})` },
    "no-cold": { type: "boolean", help: "dioscope warm only (skip the cold check: no kernel built)" },
    help: COMMON.help,
  },
};

const log = (l: string) => process.stderr.write(`[peer] ${l}\n`);

function ensurePackages(): void {
  const missing = APT_PACKAGES.filter((p) => !/ installed$/.test(spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" }).stdout ?? ""));
  if (!missing.length) return;
  if (process.getuid?.() !== 0) throw new Error(`missing Debian packages. Run as root:\n  apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}`);
  log(`installing ${missing.join(" ")}`);
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", ...missing]]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (exit ${r.status})`);
  }
}

async function umlSide(linux: string, buildMs: number, builtNow: boolean, seed: PeerSeed, c: PeerCase, label: string, n: number, timeoutMs: number): Promise<UmlSide> {
  const disk = join(cacheDir(), "peer", "tmp", `${seed.id}-${label}.img`);
  const what = seed.cases.length > 1 ? `${seed.id} (${c.name}) ${label}` : `${seed.id} ${label}`;
  makeDisk(disk, seed.disk);
  log(`${what}: booting UML, ${n} attempts of ${seed.repro}`);
  const boot = await bootAndRun(linux, disk, seed.disk.fs, seed.repro, c.params, n, timeoutMs);
  if (boot.problem) log(`${what}: ${boot.problem}; console tail:\n${boot.console.split("\n").slice(-20).join("\n")}`);
  const reproduced = boot.attempts.filter((a) => a.result === "bug").length;
  const errors = boot.attempts.filter((a) => a.result === "error").length;
  log(`${what}: ${reproduced}/${boot.attempts.length} reproduced, ${errors} errors, boot ${boot.bootMs} ms, total ${boot.totalMs} ms`);
  return { buildMs, builtNow, boot, reproduced, errors };
}

/** Every case of `seed` on both sides; the variant builds count in each case's cold time. */
async function umlSeed(tree: PristineTree, seed: PeerSeed, fullBuildMs: number, n: number, timeoutMs: number): Promise<{ uml: UmlCaseResult[]; declarations: string[] }> {
  const sides = await sidesOf(seed, tree);
  const bb = variantUml(tree, sides.before, log);
  const ab = variantUml(tree, sides.after, log);
  const variantMs = (b: typeof bb, ov: typeof sides.before) => (ov.size ? b.buildMs : 0);
  const uml: UmlCaseResult[] = [];
  for (const c of seed.cases) {
    const before = await umlSide(bb.linux, variantMs(bb, sides.before), bb.built, seed, c, "before", n, timeoutMs);
    const after = await umlSide(ab.linux, variantMs(ab, sides.after), ab.built, seed, c, "after", n, timeoutMs);
    const warmMs = before.boot.totalMs + after.boot.totalMs;
    const times = [...before.boot.attempts, ...after.boot.attempts].map((a) => a.us / 1000);
    const coldMs = fullBuildMs + before.buildMs + after.buildMs + warmMs;
    uml.push({ name: c.name, what: c.what, attempts: n, before, after, verdict: umlVerdict(before, after, n), coldMs, warmMs, medianAttemptMs: median(times) });
  }
  return { declarations: sides.declarations, uml };
}

const errorOf = (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) });

async function main(argv: string[]): Promise<number> {
  return command(PEER, argv, async (p) => {
    const tree = resolveTree((p.values.tree ?? p.values.base ?? DEFAULT_TREE) as string);
    const n = intOf(p, "attempts", DEFAULT_ATTEMPTS, 1);
    const timeoutMs = intOf(p, "timeout", DEFAULT_TIMEOUT_S, 1) * 1000;
    const only = (p.values.only as string[] | undefined) ?? PEER_SEEDS.map((s) => s.id);
    const seeds = PEER_SEEDS.filter((s) => only.includes(s.id));
    if (seeds.length !== only.length) throw new Error(`--only: unknown seed (known: ${PEER_SEEDS.map((s) => s.id).join(", ")})`);
    ensurePackages();
    rootImage();
    let full: { ms: number; now: boolean } | { error: string };
    try {
      const b = pristineUml(tree, log);
      full = { ms: b.buildMs, now: b.built };
      log(`UML pristine ${tree.kernelVersion}: ${b.built ? "built" : "cached"}, ${b.buildMs} ms`);
    } catch (e) {
      full = errorOf(e);
      log(full.error);
    }
    const results: SeedResult[] = [];
    for (const seed of seeds) {
      let uml: SeedResult["uml"];
      let declarations: string[] = [];
      if ("error" in full) uml = { error: `UML build failed: ${full.error}` };
      else {
        try {
          const r = await umlSeed(tree, seed, full.ms, n, timeoutMs);
          uml = r.uml;
          declarations = r.declarations;
        } catch (e) {
          uml = errorOf(e);
          log(`${seed.id}: ${uml.error}`);
        }
      }
      let dioscope: SeedResult["dioscope"];
      try {
        log(`${seed.id}: dioscope check ${seed.mail} --base ${tree.name} --json${p.values["no-cold"] ? "" : " (cold, then warm)"}`);
        const cases = seed.cases.flatMap((c) => (c.dioscopeScenario ? [{ name: c.name, file: c.dioscopeScenario }] : []));
        dioscope = dioscopeCheck(seed.mail, tree.name, !p.values["no-cold"], cases);
      } catch (e) {
        dioscope = errorOf(e);
      }
      results.push({ id: seed.id, what: seed.what, declarations, uml, dioscope });
    }
    const out: PeerResults = {
      tree: tree.name,
      kernelVersion: tree.kernelVersion,
      umlFullBuildMs: "error" in full ? null : full.ms,
      umlFullBuildNow: !("error" in full) && full.now,
      attempts: n,
      seeds: results,
      note: "UML, per case of a seed's reproducer: cold = full UML build (nice 10, -j2) + the seed's variant rebuilds + the case's two boots with N attempts each; warm = those two boots. dioscope cold = `dioscope check` with Kbuild objects cached and no kernel built; warm = kernels built. Both sides of each seed are the trees dioscope's check uses (the mail located on the tree, the reproducing scenarios' declared patches on both sides).",
    };
    const table = formatTable(out);
    console.log(table);
    writeBenchResult("peer", JSON.stringify({ ...out, seeds: out.seeds.map(stripConsole), table }, null, 1));
    return results.some((r) => "error" in r.uml || "error" in r.dioscope) ? 1 : 0;
  });
}

/** The JSON keeps a boot's console only when something went wrong (the tail). */
function stripConsole(s: SeedResult): SeedResult {
  if ("error" in s.uml) return s;
  const side = (x: UmlSide): UmlSide => ({ ...x, boot: { ...x.boot, console: x.boot.problem ? x.boot.console.split("\n").slice(-40).join("\n") : "" } });
  return { ...s, uml: s.uml.map((u) => ({ ...u, before: side(u.before), after: side(u.after) })) };
}

process.exitCode = await main(process.argv.slice(2));
