// Trees from Debian's linux-source-<series> packages. A package ships
// /usr/src/linux-source-<series>.tar.xz; it is extracted once into the
// git-ignored cache (.cache/trees/<package>@<version>/) and never written to
// again. Series the machine's own package sources carry are installed with
// apt (build.sh); the others are downloaded by name from their suite with a
// private apt configuration under .cache/debian/ (sources list, lists,
// archives), so the machine's package sources and dpkg state never change.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../paths.ts";
import { kernelVersionOf, type PristineTree } from "./source.ts";

export interface DebianSeries {
  series: string;
  /** The suite it is downloaded from into the cache; null: installed from the machine's own sources. */
  suite: string | null;
}

/** Debian kernel source packages the tool knows about. A new series is one more line. */
export const DEBIAN_TREES: readonly DebianSeries[] = [
  { series: "6.1", suite: null },
  { series: "6.12", suite: null },
  { series: "7.2", suite: "unstable" },
  { series: "7.3", suite: "trixie-backports" },
];

const MIRROR = "http://deb.debian.org/debian";
const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
const STAMP = ".dioscope-extracted";

export function debianPackage(series: string): string {
  return `linux-source-${series}`;
}

export function isDebianSeries(s: string): boolean {
  return DEBIAN_TREES.some((t) => t.series === s);
}

const installed = new Map<string, string | undefined>();

/** Installed version of the package, or undefined when it is not installed (asked of dpkg once per process). */
export function installedVersion(pkg: string): string | undefined {
  if (!installed.has(pkg)) installed.set(pkg, queryInstalled(pkg));
  return installed.get(pkg);
}

function queryInstalled(pkg: string): string | undefined {
  try {
    const out = execFileSync("dpkg-query", ["-W", "-f=${Status}\t${Version}", pkg], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const [status, version] = out.split("\t");
    return status?.endsWith(" installed") ? version : undefined;
  } catch {
    return undefined;
  }
}

/** dpkg's version order. */
function debVersionNewer(a: string, b: string): boolean {
  try {
    execFileSync("dpkg", ["--compare-versions", a, "gt", b], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Versions of `pkg` already extracted into the cache, newest first. */
function extractedVersions(pkg: string): string[] {
  const dir = join(cacheDir(), "trees");
  if (!existsSync(dir)) return [];
  const vs = readdirSync(dir)
    .filter((d) => d.startsWith(`${pkg}@`) && existsSync(join(dir, d, STAMP)))
    .map((d) => d.slice(pkg.length + 1));
  return vs.sort((a, b) => (debVersionNewer(a, b) ? -1 : debVersionNewer(b, a) ? 1 : 0));
}

const treeRoot = (pkg: string, version: string) => join(cacheDir(), "trees", `${pkg}@${version}`);

/** Extract a linux-source tarball (or the tarball inside a .deb) into the cache, atomically. */
function extract(pkg: string, version: string, from: { tarball: string } | { deb: string }): void {
  const root = treeRoot(pkg, version);
  const tmp = `${root}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const tarArgs = ["-xJ", "-C", tmp, "--strip-components=1"];
    if ("tarball" in from) execFileSync("tar", ["-f", from.tarball, ...tarArgs], { stdio: "inherit" });
    else
      execFileSync("sh", ["-c", `dpkg-deb --fsys-tarfile "$0" | tar -xO ./usr/src/${pkg}.tar.xz | tar ${tarArgs.join(" ")}`, from.deb], {
        stdio: "inherit",
      });
    writeFileSync(join(tmp, STAMP), `${pkg}=${version}\n`);
    rmSync(root, { recursive: true, force: true });
    renameSync(tmp, root);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

function hint(series: string): string {
  const known = DEBIAN_TREES.find((t) => t.series === series);
  if (!known) return `Debian series ${series} is not one the tool knows (${DEBIAN_TREES.map((t) => t.series).join(", ")})`;
  return known.suite
    ? `run ./build.sh (or: npm run dioscope -- trees --fetch ${series}) to download ${debianPackage(series)} from ${known.suite}`
    : `run ./build.sh (or: apt-get install ${debianPackage(series)})`;
}

/** Where a series' package is: its version, and whether it is extracted into the cache yet; undefined when absent. */
export function locateDebianTree(series: string): { pkg: string; version: string; root: string; extracted: boolean } | undefined {
  const pkg = debianPackage(series);
  const version = installedVersion(pkg) ?? extractedVersions(pkg)[0];
  if (!version) return undefined;
  const root = treeRoot(pkg, version);
  return { pkg, version, root, extracted: existsSync(join(root, STAMP)) };
}

/** The pristine tree of a Debian series: the installed package, else the newest version fetched into the cache. */
export function debianTree(series: string): PristineTree {
  const at = locateDebianTree(series);
  if (!at) throw new Error(`kernel tree ${series}: ${debianPackage(series)} is neither installed nor in the cache; ${hint(series)}`);
  const { pkg, version, root } = at;
  if (!at.extracted) {
    const tarball = `/usr/src/${pkg}.tar.xz`;
    if (!existsSync(tarball)) throw new Error(`kernel tree ${series}: ${tarball} missing (reinstall ${pkg})`);
    extract(pkg, version, { tarball });
  }
  return { name: series, origin: `debian:${pkg}=${version}`, source: { kind: "debian", package: pkg, version }, kernelVersion: kernelVersionOf(root), root };
}

/** apt options that keep every file apt writes under `dir` and read only our sources list. */
function aptOptions(dir: string): string[] {
  return [
    `-o`, `Dir::Etc::sourcelist=${join(dir, "sources.list")}`,
    `-o`, `Dir::Etc::sourceparts=-`,
    `-o`, `Dir::State::Lists=${join(dir, "lists")}`,
    `-o`, `Dir::Cache=${join(dir, "cache")}`,
    `-o`, `Debug::NoLocking=1`,
    `-o`, `APT::Sandbox::User=root`,
  ];
}

/**
 * Download a Debian series' linux-source package from its suite into the
 * cache and extract it (nothing outside the cache changes). Returns the
 * version, or undefined when that version is already extracted.
 */
export function fetchDebianTree(series: string, log: (l: string) => void = () => {}): string | undefined {
  const known = DEBIAN_TREES.find((t) => t.series === series);
  if (!known?.suite) throw new Error(`${debianPackage(series)}: not downloaded by the tool; ${hint(series)}`);
  const pkg = debianPackage(series);
  const dir = join(cacheDir(), "debian");
  for (const d of ["lists/partial", "cache/archives/partial", "debs"]) mkdirSync(join(dir, d), { recursive: true });
  const suites = [...new Set(DEBIAN_TREES.flatMap((t) => (t.suite ? [t.suite] : [])))];
  writeFileSync(join(dir, "sources.list"), suites.map((s) => `deb [signed-by=${KEYRING}] ${MIRROR} ${s} main\n`).join(""));
  const opts = aptOptions(dir);
  const apt = (cmd: string, args: string[], cwd?: string) =>
    execFileSync(cmd, [...opts, ...args], { encoding: "utf8", cwd, stdio: ["ignore", "pipe", "pipe"] });
  log(`apt-get update (${suites.join(", ")}, private lists in ${dir})`);
  apt("apt-get", ["-qq", "update"]);
  const version = /Version: (\S+)/.exec(apt("apt-cache", ["show", `${pkg}/${known.suite}`]))?.[1];
  if (!version) throw new Error(`${pkg}: not found in ${known.suite}`);
  if (existsSync(join(treeRoot(pkg, version), STAMP))) return undefined;
  const debs = join(dir, "debs");
  log(`apt-get download ${pkg}=${version}`);
  apt("apt-get", ["-qq", "download", `${pkg}=${version}`], debs);
  const deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  if (!deb) throw new Error(`${pkg}=${version}: apt-get download left no .deb in ${debs}`);
  log(`extracting ${deb}`);
  extract(pkg, version, { deb: join(debs, deb) });
  rmSync(join(debs, deb));
  return version;
}
