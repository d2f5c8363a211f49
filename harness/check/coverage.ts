// Is a changed file part of what this configuration compiles? Read from the
// pristine tree's Kbuild objects, before any variant is built: a .c/.S file
// is compiled when its object exists; a header when some compiled object
// depended on it (Kbuild's .cmd files list every dependency). For a file that
// is not compiled, the Kconfig symbol that leaves it out is found in the
// Makefiles (obj-$(CONFIG_X) += ...) and its value in the build's .config.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { kbuildShadow } from "../build/index.ts";
import { OBJ_SUBDIR } from "../build/shadow.ts";
import type { PristineTree } from "../tree/source.ts";

export interface NotCompiled {
  file: string;
  /** The Kconfig symbol that leaves it out (CONFIG_XFS_FS), when the Makefiles name one. */
  symbol: string | null;
  /** One line: "fs/xfs/xfs_file.c is not compiled in this configuration (CONFIG_XFS_FS is not set)". */
  reason: string;
}

export interface Coverage {
  /** Changed files this configuration compiles (or that steer the build: Kconfig, Makefiles). */
  compiled: string[];
  notCompiled: NotCompiled[];
  /** Set when the pristine objects are not there to tell; every file then counts as compiled. */
  unknown: string | null;
}

/** Paths that are never part of a kernel build. */
const NEVER_BUILT = /^(Documentation|tools|samples|LICENSES|scripts\/(?!Makefile|Kbuild))\/|^(MAINTAINERS|CREDITS|README|COPYING)$/;

const depsCache = new Map<string, Set<string>>();

function walkCmdFiles(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) walkCmdFiles(join(dir, e.name), out);
    else if (e.name.startsWith(".") && e.name.endsWith(".cmd")) out.push(join(dir, e.name));
  }
}

/** Every tree-relative source file some compiled target (objects, and what "make prepare" generates: bounds.s, asm-offsets.s) depended on. */
function compiledDeps(objDir: string): Set<string> {
  const have = depsCache.get(objDir);
  if (have) return have;
  const files: string[] = [];
  walkCmdFiles(objDir, files);
  const deps = new Set<string>();
  for (const f of files)
    for (const m of readFileSync(f, "utf8").matchAll(/^\s+\.\.\/(\S+)/gm)) deps.add(m[1]!);
  depsCache.set(objDir, deps);
  return deps;
}

function configValue(objDir: string, symbol: string): string | null {
  const m = new RegExp(`^CONFIG_${symbol}=(.*)$`, "m").exec(readFileSync(join(objDir, ".config"), "utf8"));
  return m ? m[1]! : null;
}

/**
 * The Kconfig symbol guarding `file`: its object named with $(CONFIG_X) in
 * its directory's Makefile, else its directory named so in the parent's, and
 * so on up. The first such symbol that is not set is the reason.
 */
function guardingSymbol(root: string, objDir: string, file: string): string | null {
  let name = basename(file).replace(/\.[cS]$/, ".o");
  for (let dir = dirname(file); dir !== "."; name = `${basename(dir)}/`, dir = dirname(dir)) {
    for (const mk of ["Makefile", "Kbuild"]) {
      const path = join(root, dir, mk);
      if (!existsSync(path)) continue;
      const text = readFileSync(path, "utf8").replace(/\\\n/g, " ");
      for (const line of text.split("\n")) {
        const m = /\$\(CONFIG_([A-Z0-9_]+)\)/.exec(line);
        if (!m || !new RegExp(`(^|[\\s=])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$)`).test(line)) continue;
        const v = configValue(objDir, m[1]!);
        if (v === null || v === "n") return m[1]!;
      }
    }
  }
  return null;
}

/** Which of `files` (tree-relative) tree `t`'s configuration compiles. */
export function coverage(t: PristineTree, files: readonly string[]): Coverage {
  const objDir = join(kbuildShadow(t), OBJ_SUBDIR);
  if (!existsSync(join(objDir, "vmlinux.a")) || !existsSync(join(objDir, ".config")))
    return { compiled: [...files], notCompiled: [], unknown: `no compiled pristine objects of ${t.name} to tell which files are compiled` };
  const deps = compiledDeps(objDir);
  const out: Coverage = { compiled: [], notCompiled: [], unknown: null };
  for (const f of files) {
    const isSource = /\.[cS]$/.test(f);
    const built = NEVER_BUILT.test(f)
      ? false
      : isSource
        ? existsSync(join(objDir, f.replace(/\.[cS]$/, ".o"))) || deps.has(f)
        : /\.h$/.test(f)
          ? deps.has(f)
          : true; // Kconfig, Makefiles and other build inputs: judged
    if (built) {
      out.compiled.push(f);
      continue;
    }
    const symbol = isSource ? guardingSymbol(t.root, objDir, f) : null;
    const why = symbol ? ` (CONFIG_${symbol} is not set)` : /\.h$/.test(f) ? " (no compiled file includes it)" : "";
    out.notCompiled.push({ file: f, symbol: symbol ? `CONFIG_${symbol}` : null, reason: `${f} is not compiled in this configuration${why}` });
  }
  return out;
}
