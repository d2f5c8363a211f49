// Scenarios are files: a module whose default export is a Scenario (or an
// array of them). The bundled ones are every file of harness/scenario/bundled/
// (a directory, not an import list); a user's own is loaded from its path.
// Declarations are checked on load, and every error names the file and, where
// it can be found, the line.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { register } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../paths.ts";
import { BLANK, FS_KINDS, type DiskKind } from "../block/images.ts";
import { SCENARIO_LIMITS, type Scenario } from "./types.ts";
import { ORACLES } from "../oracles/types.ts";

export const BUNDLED_DIR = join(repoRoot, "harness/scenario/bundled");
/** Where a declared patch's bare file name is looked up when it is not next to the scenario file. */
export const SCENARIO_PATCH_DIR = join(repoRoot, "patches/scenario");
/** The module specifier a scenario file outside the repository imports the API by. */
export const API_SPECIFIER = "dioscope/scenario";

export class ScenarioError extends Error {}

let hookRegistered = false;
/** Lets files outside the repository `import ... from "dioscope/scenario"`. */
function registerApiSpecifier(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  const api = pathToFileURL(join(repoRoot, "harness/scenario/api.ts")).href;
  const hook =
    `export async function resolve(s, c, next) {` +
    ` if (s === ${JSON.stringify(API_SPECIFIER)}) return { url: ${JSON.stringify(api)}, shortCircuit: true };` +
    ` return next(s, c); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/** The line of `file` where `key:` is declared (1-based), or of the scenario's name, or 0. */
function lineOf(file: string, key: string, name?: string): number {
  const lines = readFileSync(file, "utf8").split("\n");
  const want = (re: RegExp) => lines.findIndex((l) => re.test(l)) + 1;
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return want(new RegExp(`^\\s*${escaped}\\s*[:(]`)) || (name ? want(new RegExp(`name:\\s*["'\`]${name}`)) : 0);
}

/** "file:line" of the innermost stack frame inside `file`, or just the file. */
export function whereIn(file: string, e: unknown): string {
  const stack = e instanceof Error ? (e.stack ?? "") : "";
  const url = pathToFileURL(file).href;
  for (const l of stack.split("\n")) {
    const m = /((?:file:\/\/)?\/[^\s()]+):(\d+):\d+/.exec(l);
    if (m && (m[1] === url || m[1] === file)) return `${file}:${m[2]}`;
  }
  return file;
}

function fail(file: string, key: string, name: string | undefined, what: string): never {
  const line = lineOf(file, key, name);
  throw new ScenarioError(`${file}${line ? `:${line}` : ""}: scenario ${name ? `"${name}"` : "(unnamed)"}: ${what}`);
}

/** Checks what a scenario declares; a nonsense declaration is an error naming the file and line. */
export function validateScenario(s: Scenario, file: string): void {
  const name = typeof s?.name === "string" ? s.name : undefined;
  const bad = (key: string, what: string) => fail(file, key, name, what);
  if (typeof s !== "object" || s === null) throw new ScenarioError(`${file}: the default export is not a scenario object`);
  if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) bad("name", "name must be a non-empty word of letters, digits, '.', '_' or '-'");
  if (typeof s.title !== "string" || !s.title) bad("title", "title must be a non-empty string");
  if (s.mode !== undefined && s.mode !== "scripted" && s.mode !== "unguided") bad("mode", `mode must be "scripted" or "unguided", not ${JSON.stringify(s.mode)}`);
  if (!Array.isArray(s.exercises) || s.exercises.some((p) => typeof p !== "string" || !p || p.startsWith("/")))
    bad("exercises", "exercises must list tree-relative paths of the code it exercises (e.g. \"fs/ext4/\")");
  if (!Number.isInteger(s.cpus) || s.cpus < 1 || s.cpus > SCENARIO_LIMITS.cpusMax) bad("cpus", `cpus must be an integer 1..${SCENARIO_LIMITS.cpusMax}, not ${s.cpus}`);
  if (s.memoryMiB !== undefined && (!Number.isInteger(s.memoryMiB) || s.memoryMiB < SCENARIO_LIMITS.memoryMiBMin || s.memoryMiB > SCENARIO_LIMITS.memoryMiBMax))
    bad("memoryMiB", `memoryMiB must be an integer ${SCENARIO_LIMITS.memoryMiBMin}..${SCENARIO_LIMITS.memoryMiBMax}`);
  if (!Array.isArray(s.disks) || s.disks.length > SCENARIO_LIMITS.disksMax) bad("disks", `disks must be a list of at most ${SCENARIO_LIMITS.disksMax}`);
  for (const d of s.disks) {
    const kinds: readonly DiskKind[] = [...FS_KINDS, BLANK];
    if (!kinds.includes(d?.kind)) bad("disks", `unknown disk kind ${JSON.stringify(d?.kind)}; known: ${kinds.join(", ")}`);
    if (d.bytes !== undefined && (d.kind !== BLANK || !Number.isInteger(d.bytes) || d.bytes < 512 || d.bytes % 512 || d.bytes > SCENARIO_LIMITS.diskMiBMax * 1024 * 1024))
      bad("disks", `a disk size in bytes is for a blank disk: a multiple of 512 up to ${SCENARIO_LIMITS.diskMiBMax} MiB`);
    if (d.sizeMiB !== undefined && (!Number.isInteger(d.sizeMiB) || d.sizeMiB < 1 || d.sizeMiB > SCENARIO_LIMITS.diskMiBMax)) bad("disks", `disk size must be 1..${SCENARIO_LIMITS.diskMiBMax} MiB`);
  }
  if (typeof s.setup !== "function") bad("setup", "setup must be a function");
  if (typeof s.run !== "function") bad("run", "run must be a function");
  if (!Array.isArray(s.expectations) || s.expectations.length === 0) bad("expectations", "expectations must list at least one expectation (a scenario that cannot fail judges nothing)");
  for (const x of s.expectations) if (typeof x?.name !== "string" || typeof x?.check !== "function") bad("expectations", "each expectation needs a name and a check function");
  validateOracles(s, bad);
  for (const r of s.reproduces ?? []) if (typeof r?.subject !== "string" || !r.subject) bad("reproduces", "each entry of reproduces needs a subject");
  for (const [key, list] of [["alsoApply", s.alsoApply ?? []], ["regression", s.regression ? [s.regression] : []]] as const)
    for (const p of list) {
      if (typeof p?.patch !== "string" || typeof p?.why !== "string" || !p.why) bad(key, `${key} needs { patch, why }`);
      const probe = p.patch.replace(/\{tree\}|\{series\}/g, "*");
      if (!probe.includes("*") && !existsSync(scenarioPatchPath(s, p.patch))) bad(key, `${key}: no such patch file ${p.patch}`);
    }
}

/** The oracles a scenario declares must be known ones; switching one off needs a reason (the report prints it). */
function validateOracles(s: Scenario, bad: (key: string, what: string) => never): void {
  const known = (o: unknown) => (ORACLES as readonly unknown[]).includes(o);
  for (const o of s.oracles?.expect ?? []) if (!known(o)) bad("oracles", `unknown oracle ${JSON.stringify(o)} in oracles.expect; known: ${ORACLES.join(", ")}`);
  for (const o of s.oracles?.off ?? []) {
    if (!known(o?.oracle)) bad("oracles", `unknown oracle ${JSON.stringify(o?.oracle)} in oracles.off; known: ${ORACLES.join(", ")}`);
    if (typeof o.reason !== "string" || !o.reason) bad("oracles", `switching oracle ${o.oracle} off needs a reason`);
  }
}

/** The file a declared patch names on `tree` (kernel series `series`): next to the scenario file, else in patches/scenario/. */
export function scenarioPatchPath(s: Scenario, patch: string, tree?: string, series?: string): string {
  const name = tree === undefined ? patch : patch.replace(/\{tree\}/g, tree).replace(/\{series\}/g, series ?? tree);
  const near = s.source ? resolve(dirname(s.source), name) : "";
  return near && existsSync(near) ? near : join(SCENARIO_PATCH_DIR, name);
}

/** Loads the scenarios a file exports (default export: one scenario or an array). */
export async function loadScenarioFile(path: string): Promise<Scenario[]> {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ScenarioError(`${path}: no such scenario file`);
  registerApiSpecifier();
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    throw new ScenarioError(`${whereIn(file, e)}: the scenario file does not load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  if (mod.default === undefined) throw new ScenarioError(`${file}: no default export (export default a scenario, or an array of them)`);
  const list = (Array.isArray(mod.default) ? mod.default : [mod.default]) as Scenario[];
  return list.map((s) => {
    validateScenario(s, file);
    return { ...s, source: file };
  });
}

let bundled: Promise<Scenario[]> | undefined;
/** Every bundled scenario, in file-name order. */
export function bundledScenarios(): Promise<Scenario[]> {
  bundled ??= (async () => {
    const files = readdirSync(BUNDLED_DIR).filter((f) => f.endsWith(".ts")).sort();
    const all = (await Promise.all(files.map((f) => loadScenarioFile(join(BUNDLED_DIR, f))))).flat();
    const seen = new Set<string>();
    for (const s of all) {
      if (seen.has(s.name)) throw new ScenarioError(`${s.source}: scenario "${s.name}" is defined twice`);
      seen.add(s.name);
    }
    return all;
  })();
  return bundled;
}

/** Looks a scenario up: a path to a scenario file, an exact bundled name, or a name prefix ("001" finds "001-..."). */
export async function findScenarios(spec: string): Promise<Scenario[]> {
  if (spec.endsWith(".ts") || spec.includes("/")) return loadScenarioFile(spec);
  const all = await bundledScenarios();
  const exact = all.filter((s) => s.name === spec);
  if (exact.length) return exact;
  const prefix = all.filter((s) => s.name.startsWith(`${spec}-`));
  if (prefix.length) return prefix;
  throw new ScenarioError(`unknown scenario ${spec}; bundled: ${all.map((s) => s.name).join(", ")} (or give a path to a scenario file)`);
}
