// Trees from Debian's linux-source-<series> packages: the package ships
// /usr/src/linux-source-<series>.tar.xz; we extract it once into the git-ignored
// cache (.cache/trees/<package>@<version>/) and never write into it again.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../paths.ts";
import type { PristineTree, TreeName } from "./source.ts";

export function debianPackage(name: TreeName): string {
  return `linux-source-${name}`;
}

/** Installed version of the package, or undefined when it is not installed. */
export function installedVersion(pkg: string): string | undefined {
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

export function kernelVersionOf(root: string): string {
  const mk = readFileSync(join(root, "Makefile"), "utf8");
  const field = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\S*)`, "m").exec(mk)?.[1] ?? "";
  const sub = field("SUBLEVEL");
  return `${field("VERSION")}.${field("PATCHLEVEL")}${sub ? "." + sub : ""}`;
}

/** Extract (if needed) and return the pristine tree for a Debian series. */
export function debianTree(name: TreeName): PristineTree {
  const pkg = debianPackage(name);
  const version = installedVersion(pkg);
  if (!version) {
    throw new Error(
      `kernel tree ${name}: Debian package ${pkg} is not installed (run: apt-get install ${pkg}, or ./build.sh)`,
    );
  }
  const root = join(cacheDir(), "trees", `${pkg}@${version}`);
  const stamp = join(root, ".dioscope-extracted");
  if (!existsSync(stamp)) {
    const tarball = `/usr/src/${pkg}.tar.xz`;
    if (!existsSync(tarball)) throw new Error(`kernel tree ${name}: ${tarball} missing (reinstall ${pkg})`);
    const tmp = `${root}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    execFileSync("tar", ["-xf", tarball, "-C", tmp, "--strip-components=1"], { stdio: "inherit" });
    writeFileSync(join(tmp, ".dioscope-extracted"), `${pkg}=${version}\n`);
    rmSync(root, { recursive: true, force: true });
    renameSync(tmp, root);
  }
  return { name, origin: `debian:${pkg}=${version}`, kernelVersion: kernelVersionOf(root), root };
}
