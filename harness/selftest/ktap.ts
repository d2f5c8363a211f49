// The kernel's own boot-time test results, read from its console: KUnit's
// KTAP (one suite per "# Subtest:", its cases one level in) and the locking
// API self-tests' summary line (lib/locking-selftest.c).

export interface KunitCase {
  name: string;
  status: "pass" | "fail" | "skip";
  /** The SKIP reason, or the diagnostic lines printed before a failing case. */
  detail: string[];
}

export interface KunitSuite {
  name: string;
  cases: KunitCase[];
  /** The suite's own result line ("ok N name"), null when the console ended inside it (a crash or hang). */
  status: "pass" | "fail" | "skip" | null;
}

const RESULT = /^(not ok|ok) \d+ (\S+)(?:\s+#\s*(SKIP)\b\s*(.*))?$/;
const INDENT = 4;

function status(ok: string, skip: string | undefined): KunitCase["status"] {
  return skip ? "skip" : ok === "ok" ? "pass" : "fail";
}

/** KUnit suites and cases from console lines (KTAP version 1; parameterised sub-results are folded into their case). */
export function parseKunit(lines: readonly string[]): KunitSuite[] {
  const suites: KunitSuite[] = [];
  let suite: KunitSuite | null = null;
  let diag: string[] = [];
  for (const raw of lines) {
    const indent = raw.length - raw.trimStart().length;
    const text = raw.trim();
    const sub = /^# Subtest: (\S+)/.exec(text);
    if (sub && indent === INDENT) {
      suite = { name: sub[1]!, cases: [], status: null };
      suites.push(suite);
      diag = [];
      continue;
    }
    const r = RESULT.exec(text);
    if (r && suite && indent === INDENT) {
      const s = status(r[1]!, r[3]);
      suite.cases.push({ name: r[2]!, status: s, detail: s === "skip" ? [r[4] ?? ""] : s === "fail" ? diag : [] });
      diag = [];
    } else if (r && suite && indent === 0 && r[2] === suite.name) {
      suite.status = status(r[1]!, r[3]);
      suite = null;
    } else if (suite && text.startsWith("#") && indent >= INDENT) {
      diag.push(text);
    }
  }
  return suites;
}

export interface LockingSelftests {
  /** Test cases run. */
  total: number;
  /** Cases that did not behave as lockdep must (0 when all passed). */
  unexpectedFailures: number;
  /** Cases that fail by design in this configuration (the summary says "as expected"). */
  expectedFailures: number;
  /** The lines of the test matrix that have a FAILED entry. */
  failedLines: string[];
}

/** The locking API self-tests' result, or null if the console has no summary (not built in, or the boot never got there). */
export function parseLockingSelftests(lines: readonly string[]): LockingSelftests | null {
  const failedLines = lines.filter((l) => /FAILED\|/.test(l)).map((l) => l.trim());
  for (const l of lines) {
    const good = /Good, all\s+(\d+) testcases passed!/.exec(l);
    if (good) return { total: Number(good[1]), unexpectedFailures: 0, expectedFailures: 0, failedLines };
    const bad = /(\d+) unexpected failures \(out of\s+(\d+)\)/.exec(l);
    if (bad) return { total: Number(bad[2]), unexpectedFailures: Number(bad[1]), expectedFailures: 0, failedLines };
    const expected = /(\d+) out of\s+(\d+) testcases failed, as expected/.exec(l);
    if (expected) return { total: Number(expected[2]), unexpectedFailures: 0, expectedFailures: Number(expected[1]), failedLines };
  }
  return null;
}
