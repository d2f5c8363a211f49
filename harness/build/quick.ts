// The quick variant compile: when a patch changes only C sources and
// headers, the objects to recompile are the pristine objects whose Kbuild
// dependency record (.<obj>.cmd: the command line, the source, every header
// it read) names a changed file. They are recompiled with exactly the
// command Kbuild recorded, in an object directory whose other files are hard
// links to the pristine ones; the archives are thin (member paths, no
// copies), so the link picks the new objects up. Anything else (a Makefile,
// Kconfig, a new file, a non-thin archive) takes Kbuild's own incremental
// build instead. tests/speed.test.ts checks the result is byte-identical to
// a variant compiled from scratch.
import { spawnSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileErrors, KbuildError } from "./kbuild.ts";
import type { OverlayFiles } from "./shadow.ts";

export interface ObjectRecord {
  /** Object path in the object directory ("fs/ext4/file.o"). */
  target: string;
  /** The command Kbuild ran (in the object directory). */
  command: string;
  /** Tree-relative files it read (source and headers). */
  deps: string[];
}

const CMD_LINE = /^(?:saved)?cmd_(\S+\.o) := (.*)$/m;

/** The dependency records of every object in `objDir` (from Kbuild's .<name>.o.cmd files). */
export function objectRecords(objDir: string): ObjectRecord[] {
  const out: ObjectRecord[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith(".o.cmd")) {
        const text = readFileSync(join(dir, e.name), "utf8");
        const m = CMD_LINE.exec(text);
        if (!m) continue;
        const deps = [...text.matchAll(/^\s+\.\.\/(\S+?)\s*\\?$/gm), ...text.matchAll(/^source_\S+ := \.\.\/(\S+)$/gm)].map((d) => d[1]!);
        out.push({ target: m[1]!, command: m[2]!, deps });
      }
    }
  };
  walk(objDir);
  return out;
}

const INDEX_FILE = ".dioscope-deps.json";

interface DepsIndex {
  key: string;
  files: string[];
  records: { target: string; command: string; deps: number[] }[];
}

/**
 * objectRecords of the pristine objects, kept in `objDir` beside them for
 * the inputs `key` they were compiled for (parsing every .cmd file takes
 * about a second).
 */
export function pristineRecords(objDir: string, key: string): ObjectRecord[] {
  const at = join(objDir, INDEX_FILE);
  if (existsSync(at)) {
    const idx = JSON.parse(readFileSync(at, "utf8")) as DepsIndex;
    if (idx.key === key) return idx.records.map((r) => ({ target: r.target, command: r.command, deps: r.deps.map((d) => idx.files[d]!) }));
  }
  const records = objectRecords(objDir);
  const ids = new Map<string, number>();
  const id = (f: string): number => ids.get(f) ?? (ids.set(f, ids.size), ids.size - 1);
  const idx: DepsIndex = { key, files: [], records: records.map((r) => ({ target: r.target, command: r.command, deps: r.deps.map(id) })) };
  idx.files = [...ids.keys()];
  writeFileSync(at, JSON.stringify(idx));
  return records;
}

/** Why the quick path does not apply to `overlay` (null: it does). */
export function quickCompileRefusal(overlay: OverlayFiles, baseObj: string, records: readonly ObjectRecord[]): string | null {
  const named = new Set(records.flatMap((r) => r.deps));
  for (const p of overlay.keys()) {
    if (!/\.[ch]$/.test(p)) return `${p} is not a C source or header`;
    if (/^(scripts|tools)\//.test(p)) return `${p} is part of the build's host tools`;
    // A file no object's record names is read by another step (kernel/bounds.c, asm-offsets.c make
    // generated headers during "make prepare"): only Kbuild knows what follows from it.
    if (!named.has(p)) return `${p} is read by no object's recorded compile (a generated file's input?)`;
  }
  for (const a of ["vmlinux.a", "lib/lib.a"]) {
    const f = join(baseObj, a);
    if (!existsSync(f) || readFileSync(f).subarray(0, 7).toString("latin1") !== "!<thin>") return `${a} is not a thin archive`;
  }
  return null;
}

/** Hard-links every file of `from` into `to` (directories recreated), except names in `skip`. */
export function linkTree(from: string, to: string, skip: ReadonlySet<string>): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (skip.has(e.name)) continue;
    if (e.isDirectory()) linkTree(join(from, e.name), join(to, e.name), skip);
    else linkSync(join(from, e.name), join(to, e.name));
  }
}

/**
 * Recompiles, in `objDir` (hard links to the pristine objects), every
 * object whose record (`records`: the pristine ones) names an overlay file, with its recorded command;
 * `jobs` at a time. Returns the recompiled objects.
 */
export function quickCompile(objDir: string, records: ObjectRecord[], overlay: OverlayFiles, jobs: number): string[] {
  const changed = new Set(overlay.keys());
  const stale = records.filter((r) => r.deps.some((d) => changed.has(d)));
  if (!stale.length) return [];
  // A hard-linked object must not be written through: remove it first.
  for (const r of stale) rmSync(join(objDir, r.target), { force: true });
  const mk = join(objDir, ".dioscope-quick.mk");
  // The recorded commands are in make syntax (Kbuild includes the .cmd files): a recipe expands them the same way.
  writeFileSync(mk, `all: ${stale.map((_, i) => `o${i}`).join(" ")}\n` + stale.map((r, i) => `o${i}:\n\t${r.command}\n`).join(""));
  const res = spawnSync("make", ["-f", mk, `-j${jobs}`, "-k", "-s"], { cwd: objDir, encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: "C" } });
  rmSync(mk, { force: true });
  for (const r of stale) rmSync(join(objDir, r.target.replace(/([^/]+)$/, ".$1.d")), { force: true });
  const log = (res.stdout ?? "") + (res.stderr ?? "");
  if (res.status !== 0) {
    const errs = compileErrors(log);
    throw new KbuildError(errs.length ? `kernel compile failed:\n${errs.slice(0, 20).join("\n")}` : "kernel build failed (see log)", log);
  }
  return stale.map((r) => r.target).sort();
}
