// User-Mode Linux built natively from the same Debian tree dioscope uses:
// `make ARCH=um defconfig` + uml.config, in a shadow tree of symlinks (the
// cached tree is never written; harness/build/shadow.ts) with the object
// directory inside it, so Kbuild's srctree is ".." and command lines are the
// same for every variant. The pristine build is cached by content (tree,
// config fragment, gcc); a variant (the tree with some files replaced) starts
// from a copy of the pristine objects and recompiles what the files touch.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "../../build/hash.ts";
import { makeShadowTree, OBJ_SUBDIR, type OverlayFiles } from "../../build/shadow.ts";
import { cacheDir } from "../../paths.ts";
import type { PristineTree } from "../../tree/source.ts";

export const UML_CONFIG = join(dirname(fileURLToPath(import.meta.url)), "uml.config");
/** Build jobs, and the niceness the build runs at (other work on the machine comes first). */
const JOBS = 2;
const NICE = 10;
/** Lines of the build log shown when a build fails. */
const LOG_TAIL = 25;

export interface UmlBuild {
  /** The UML executable. */
  linux: string;
  /** Whether this run built it (false: found in the cache). */
  built: boolean;
  /** Wall time of the build that made it (from the cache record when not built now). */
  buildMs: number;
  /** Where it lives (cache key directory). */
  dir: string;
}

interface BuildRecord {
  buildMs: number;
  origin: string;
  overlay: string[];
}

/** The cache key of the pristine UML build of `tree`: tree, config fragment, compiler. */
function pristineKey(tree: PristineTree): string {
  const gcc = spawnSync("gcc", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "";
  return sha256([tree.origin, tree.kernelVersion, readFileSync(UML_CONFIG, "utf8"), gcc].join("\0")).slice(0, 16);
}

function umlRoot(tree: PristineTree): string {
  return join(cacheDir(), "peer", "uml", `${tree.name}-${pristineKey(tree)}`);
}

/** `make ARCH=um` in `shadow` (object dir `obj` inside it), output appended to `log`; throws with the failing lines. */
function make(shadow: string, obj: string, args: string[], log: string, what: string): void {
  const fd = openSync(log, "a");
  const rel = obj.slice(shadow.length + 1);
  const r = spawnSync("nice", ["-n", String(NICE), "make", "-C", shadow, `O=${rel}`, "ARCH=um", ...args], { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  if (r.status === 0) return;
  const lines = readFileSync(log, "utf8").split("\n");
  const errors = lines.filter((l) => /error:|Error \d|\*\*\*/.test(l)).slice(0, 10);
  throw new Error(
    `UML ${what} failed (make ARCH=um ${args.join(" ")} in ${shadow}, exit ${r.status ?? r.signal}; log ${log}):\n` +
      [...errors, "--- last lines:", ...lines.slice(-LOG_TAIL)].join("\n"),
  );
}

/** .config = defconfig + the fragment; every fragment line must survive olddefconfig. */
function configure(shadow: string, obj: string, log: string): void {
  make(shadow, obj, ["defconfig"], log, "defconfig");
  const fragment = readFileSync(UML_CONFIG, "utf8");
  writeFileSync(join(obj, ".config"), readFileSync(join(obj, ".config"), "utf8") + "\n" + fragment);
  make(shadow, obj, ["olddefconfig"], log, "olddefconfig");
  const config = new Set(readFileSync(join(obj, ".config"), "utf8").split("\n"));
  const lost = fragment.split("\n").filter((l) => /^CONFIG_\w+=/.test(l) && !config.has(l));
  if (lost.length) throw new Error(`UML config: olddefconfig dropped ${lost.join(", ")} (unmet dependencies in ${shadow}/arch/um/Kconfig?)`);
}

function record(dir: string): BuildRecord | null {
  const f = join(dir, "build.json");
  return existsSync(f) && existsSync(join(dir, "linux")) ? (JSON.parse(readFileSync(f, "utf8")) as BuildRecord) : null;
}

/** Builds in `dir` (a fresh shadow + object dir, seeded from `seedObj` when given); keeps only what a variant needs. */
function buildIn(tree: PristineTree, dir: string, overlay: OverlayFiles, seedObj: string | null, log: (l: string) => void): UmlBuild {
  const done = record(dir);
  if (done) return { linux: join(dir, "linux"), built: false, buildMs: done.buildMs, dir };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const shadow = join(dir, "src");
  const logFile = join(dir, "build.log");
  const t0 = performance.now();
  const obj = makeShadowTree(tree.root, shadow, overlay);
  if (seedObj) {
    rmSync(obj, { recursive: true, force: true });
    const cp = spawnSync("cp", ["-a", "--reflink=auto", seedObj, obj], { encoding: "utf8" });
    if (cp.status !== 0) throw new Error(`copying the pristine UML objects ${seedObj} -> ${obj}: ${cp.stderr.trim()}`);
  } else configure(shadow, obj, logFile);
  log(`UML ${seedObj ? "variant" : "pristine"} build of ${tree.name} (${tree.kernelVersion}) in ${dir} (log ${logFile})`);
  make(shadow, obj, [`-j${JOBS}`, "linux"], logFile, "build");
  const buildMs = Math.round(performance.now() - t0);
  copyFileSync(join(obj, "linux"), join(dir, "linux.partial"));
  renameSync(join(dir, "linux.partial"), join(dir, "linux"));
  const rec: BuildRecord = { buildMs, origin: tree.origin, overlay: [...overlay.keys()] };
  writeFileSync(join(dir, "build.json"), JSON.stringify(rec, null, 1) + "\n");
  return { linux: join(dir, "linux"), built: true, buildMs, dir };
}

/** The pristine UML kernel of `tree` (built once per content key). */
export function pristineUml(tree: PristineTree, log: (l: string) => void): UmlBuild {
  return buildIn(tree, join(umlRoot(tree), "pristine"), new Map(), null, log);
}

/**
 * `tree` with the files of `overlay` replaced (tree path -> file), built from
 * the pristine objects: only what the files touch recompiles, then the link.
 * The variant's object directory is dropped afterwards (the executable stays).
 */
export function variantUml(tree: PristineTree, overlay: OverlayFiles, log: (l: string) => void): UmlBuild {
  if (overlay.size === 0) return pristineUml(tree, log);
  const pristine = pristineUml(tree, log);
  const key = sha256([...overlay].sort().map(([p, f]) => `${p}\0${readFileSync(f, "utf8")}`).join("\0")).slice(0, 16);
  const dir = join(umlRoot(tree), `variant-${key}`);
  if (record(dir)) return buildIn(tree, dir, overlay, null, log);
  // Fresh copies: newer than every pristine object, so make recompiles what includes them.
  const copies = new Map([...overlay].map(([p, f]) => [p, join(`${dir}.files`, p)] as const));
  rmSync(`${dir}.files`, { recursive: true, force: true });
  for (const [p, f] of overlay) {
    mkdirSync(dirname(copies.get(p)!), { recursive: true });
    copyFileSync(f, copies.get(p)!);
  }
  const b = buildIn(tree, dir, copies, join(pristine.dir, "src", OBJ_SUBDIR), log);
  if (b.built) rmSync(join(dir, "src"), { recursive: true, force: true });
  return b;
}
