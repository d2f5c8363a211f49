// The kernel functions a patch series changes, read from its hunks: the
// function diff names after each hunk's @@ (the one around the hunk's
// start) and every function head among the hunk's lines. The generic suite
// prefers schedule changes where these run (explore/focus.ts). A function
// the compiler inlined has no frame of its own: check/inlined.ts puts its
// callers in its place.
import type { Patch } from "../ingest/index.ts";
import { NOT_FUNCS, sectionFunction } from "../ingest/search.ts";

/** A C function head at column 0: `[qualifiers] type name(`, not a declaration ending in `;`. */
const HEAD = /^(?:[A-Za-z_][\w\s*]*?[\s*])?([a-z_][a-z0-9_]*)\s*\(/;

/** A name with no lower-case letter is a macro (EXPORT_SYMBOL, SYSCALL_DEFINE3, DEFINE_MUTEX): a hunk after it sits in no function it names. */
const isMacro = (name: string): boolean => !/[a-z]/.test(name);

/** The function a line at column 0 starts the definition of, if it is a function head. */
export function functionOf(line: string): string | null {
  if (/^\s/.test(line) || /;\s*$/.test(line) || line.startsWith("#")) return null;
  const m = HEAD.exec(line);
  return m && !NOT_FUNCS.has(m[1]!) ? m[1]! : null;
}

/** Function names the series' hunks change or sit in, sorted. */
export function changedFunctions(series: readonly Patch[]): string[] {
  const out = new Set<string>();
  for (const p of series)
    for (const f of p.files) {
      if (!/\.c$/.test(f.newPath ?? f.oldPath ?? "")) continue;
      for (const h of f.hunks) {
        const inSection = sectionFunction(h.section);
        if (inSection && !NOT_FUNCS.has(inSection) && !isMacro(inSection)) out.add(inSection);
        for (const l of h.lines) {
          const fn = functionOf(l.text);
          if (fn) out.add(fn);
        }
      }
    }
  return [...out].sort();
}

/** A call in a line of C: a lower-case name followed by `(`. */
const CALL = /\b([a-z_][a-z0-9_]*)\s*\(/g;

/**
 * The functions the series' hunks call, on their changed and context lines,
 * sorted: the calls the patch sits among. A fault aimed at the change
 * prefers an allocation reached through one of them (generate/aim.ts).
 */
export function hunkCalls(series: readonly Patch[]): string[] {
  const out = new Set<string>();
  for (const p of series)
    for (const f of p.files) {
      if (!/\.c$/.test(f.newPath ?? f.oldPath ?? "")) continue;
      for (const h of f.hunks) for (const l of h.lines) for (const m of l.text.matchAll(CALL)) if (!NOT_FUNCS.has(m[1]!) && functionOf(l.text) !== m[1]) out.add(m[1]!);
    }
  return [...out].sort();
}
