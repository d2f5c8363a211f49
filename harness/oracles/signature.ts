// When two findings are the same failure: the signature a finding of one
// run is matched by in another run of the same case (the before and after
// sides of a check). A kernel report is its pattern family and the function
// it is about (frames.ts: the first frame of its trace after the reporting
// machinery); any other finding is its oracle. A failure with the same signature on both sides is
// the tree's, not the change's (harness/check/verdict.ts).
import { classifyLine } from "./console.ts";
import type { OracleFinding, OracleName } from "./types.ts";

export interface FindingSignature {
  oracle: OracleName;
  /** The console pattern family of a kernel report, else null. */
  family: string | null;
  /** The first kernel function the report names (after the reporting machinery), else null. */
  frame: string | null;
}

export function signatureOf(f: OracleFinding): FindingSignature {
  const e = f.evidence;
  if (e.kind !== "console") return { oracle: f.oracle, family: null, frame: null };
  return { oracle: f.oracle, family: e.family, frame: e.frame };
}

export function sameSignature(a: FindingSignature, b: FindingSignature): boolean {
  return a.oracle === b.oracle && a.family === b.family && a.frame === b.frame;
}

/** The first finding after which the kernel stopped checking locks in that run (lockdep's debug_locks_off(): later lock problems go unreported), or null. */
export function lockCheckingOffAfter(findings: readonly OracleFinding[]): OracleFinding | null {
  return findings.find((f) => f.evidence.kind === "console" && classifyLine(f.evidence.line.text)?.stopsLockChecking === true) ?? null;
}
