// Argument parsing for every command: Node's util.parseArgs over one table of
// options per command. Options shared by several commands are defined once
// here, so the same flag means the same thing everywhere, and --help is made
// from the same table.
import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptions = NonNullable<ParseArgsConfig["options"]>;
import type { KernelConfig } from "../build/kbuild.ts";
import { resolveTree } from "../tree/resolve.ts";
import { NEWEST_TREE, TREE_NAMES, isTreeName, type TreeName } from "../tree/source.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's name in --help ("N", "TREE"). */
  value?: string;
  help: string;
}

export type OptionTable = Record<string, OptionSpec>;

export interface CommandSpec {
  name: string;
  /** Positional arguments in the usage line ("<mail|mbox|dir>..."). */
  positionals: string;
  summary: string;
  options: OptionTable;
  /** Extra --help text (exit status, examples). */
  more?: string;
}

export class UsageError extends Error {}

/** Options several commands share. */
export const COMMON = {
  tree: { type: "string", short: "t", multiple: true, value: "TREE", help: `kernel tree: a Debian series (${TREE_NAMES.join(", ")}, default all) or the path of a kernel tree (with --rev: a git checkout); repeat for several. --base is the same option` },
  base: { type: "string", multiple: true, value: "TREE", help: "the same as --tree" },
  rev: { type: "string", value: "REV", help: "with one --tree naming a git checkout: that revision (a tag or commit), exported into the cache" },
  json: { type: "boolean", help: "machine-readable JSON on stdout instead of text" },
  scenario: { type: "string", short: "s", multiple: true, value: "NAME|FILE", help: "a bundled scenario (name or name prefix) or a scenario file (path to a .ts module); repeat for several" },
  seed: { type: "string", value: "S", help: "explorer and workload-generator seed (default 1)" },
  debug: { type: "boolean", help: "the debug kernel (kernel-src/config/debug.config: lockdep, list/object debugging, fault injection, the locking self-tests at boot); its own build per tree" },
  plain: { type: "boolean", help: "the plain kernel (kernel-src/config/dioscope.config: none of the debug kernel's run-time checks, no fault injection; faster runs)" },
  help: { type: "boolean", short: "h", help: "this help" },
} as const satisfies OptionTable;

export function helpText(c: CommandSpec): string {
  const opts = Object.entries(c.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return `  ${flag.padEnd(30)} ${o.help}`;
  });
  return [`usage: dioscope ${c.name} ${c.positionals}`.trimEnd(), "", c.summary, "", "options:", ...opts, ...(c.more ? ["", c.more] : [])].join("\n");
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv against the command's table; unknown options and missing values are a UsageError. */
export function parse(c: CommandSpec, argv: string[]): Parsed {
  try {
    const r = parseArgs({ args: argv, options: c.options as ParseArgsOptions, allowPositionals: true, strict: true });
    return { values: r.values as Parsed["values"], positionals: r.positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** The trees named with --tree/--base (checked), or `fallback`. */
/**
 * The trees named with --tree/--base (each resolved: a Debian series, a
 * directory, or with --rev a git revision of one), or `fallback`. Returns the
 * trees' names (a git revision's is "git-<commit>"), which every later step
 * resolves again.
 */
export function treesOf(p: Parsed, fallback: readonly TreeName[]): TreeName[] {
  const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [String(v)]);
  const named = [...list(p.values.tree), ...list(p.values.base)];
  const rev = typeof p.values.rev === "string" ? p.values.rev : undefined;
  if (rev !== undefined && named.length !== 1) throw new UsageError("--rev needs exactly one --tree (a git checkout's directory)");
  const names = named.map((t) => {
    if (!isTreeName(t)) throw new UsageError(`unknown tree "${t}" (known: ${TREE_NAMES.join(", ")}, or a kernel tree's path)`);
    try {
      return resolveTree(t, rev).name;
    } catch (e) {
      throw new UsageError(`unknown tree "${t}": ${(e as Error).message}`);
    }
  });
  return names.length ? [...new Set(names)] : [...fallback];
}

/** --tree/--base for commands that use one tree (default: the newest). */
export const ONE_TREE = {
  tree: { ...COMMON.tree, multiple: false, help: `kernel tree (default ${NEWEST_TREE}): a Debian series or a kernel tree's path; --base is the same option` },
  base: { ...COMMON.base, multiple: false },
} as const satisfies OptionTable;

/** A non-negative integer option, or `fallback`. */
export function intOf(p: Parsed, name: string, fallback: number, min = 0): number {
  const v = p.values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !/^\d+$/.test(v) || n < min) throw new UsageError(`--${name} needs an integer >= ${min}, not "${String(v)}"`);
  return n;
}

/** The --debug and --plain options of a command whose default is `fallback`: the default marked, the other naming it. */
export function configFlags(fallback: KernelConfig): { debug: OptionSpec; plain: OptionSpec } {
  const mark = (c: KernelConfig) => (c === fallback ? " (the default)" : ` (default: the ${fallback} kernel)`);
  return { debug: { ...COMMON.debug, help: COMMON.debug.help + mark("debug") }, plain: { ...COMMON.plain, help: COMMON.plain.help + mark("plain") } };
}

/** The kernel configuration --debug or --plain names, or `fallback` (the command's default). */
export function configOf(p: Parsed, fallback: KernelConfig): KernelConfig {
  if (p.values.debug && p.values.plain) throw new UsageError("--debug and --plain name two kernels: give one");
  return p.values.debug ? "debug" : p.values.plain ? "plain" : fallback;
}

/** Runs a command body with --help and usage errors handled the same way everywhere (exit 2 on bad usage). */
export async function command(c: CommandSpec, argv: string[], body: (p: Parsed) => Promise<number>): Promise<number> {
  let p: Parsed;
  try {
    p = parse(c, argv);
  } catch (e) {
    console.error(`dioscope ${c.name}: ${(e as Error).message}\n${helpText(c).split("\n")[0]}\n(dioscope ${c.name} --help)`);
    return 2;
  }
  if (p.values.help) {
    console.log(helpText(c));
    return 0;
  }
  try {
    return await body(p);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`dioscope ${c.name}: ${e.message}\n(dioscope ${c.name} --help)`);
    return 2;
  }
}
