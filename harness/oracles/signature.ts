// When two findings are the same failure: the signature a finding of one
// run is matched by in another run of the same case (the before and after
// sides of a check). A kernel report is its pattern family and the first
// kernel function its text names that is not the reporting machinery (the
// function that took the lock, hit the WARN, corrupted the list); any other
// finding is its oracle. A failure with the same signature on both sides is
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

/** A kernel symbol as %pS prints it: name+offset/size. */
const FRAME = /\b([A-Za-z_][\w.]*)\+0x[0-9a-f]+\/0x[0-9a-f]+/g;

/**
 * Functions that print or walk a report rather than cause it: lockdep's own
 * acquire/check path, WARN/BUG/oops handling, the stack walkers and the
 * arch's host calls they end in.
 */
const MACHINERY =
  /^(_stext|wasm_text_end|host_\w+|arch_stack_walk|stack_trace_save\w*|save_trace|dump_stack\w*|show_stack\w*|__warn\w*|warn_slowpath\w*|report_bug|panic|die|oops_\w+|lock_acquire\w*|lock_release|lock_acquired|lock_contended|__lock_acquire|lock_is_held_type|lockdep_\w+|mark_lock\w*|mark_usage|mark_held_locks|check_(noncircular|prev_add|prevs_add|irq_usage|deadlock|flags|chain_key|wait_context|usage_\w+)|validate_chain|print_\w+|valid_state|debug_check_no_\w+|debug_print_object|__debug_object_\w+|__list_(add|del)_valid\w*|__list_(add|del)_entry_valid\w*|spin_dump|spin_bug|rwlock_bug|do_raw_\w+)$/;

/** The first function a report names that is not the reporting machinery, or null (no symbolised frame). */
export function firstFrame(lines: readonly string[]): string | null {
  for (const l of lines) for (const m of l.matchAll(FRAME)) if (!MACHINERY.test(m[1]!)) return m[1]!;
  return null;
}

export function signatureOf(f: OracleFinding): FindingSignature {
  const e = f.evidence;
  if (e.kind !== "console") return { oracle: f.oracle, family: null, frame: null };
  return { oracle: f.oracle, family: e.family, frame: firstFrame([e.line.text, ...e.report]) };
}

export function sameSignature(a: FindingSignature, b: FindingSignature): boolean {
  return a.oracle === b.oracle && a.family === b.family && a.frame === b.frame;
}

/** The first finding after which the kernel stopped checking locks in that run (lockdep's debug_locks_off(): later lock problems go unreported), or null. */
export function lockCheckingOffAfter(findings: readonly OracleFinding[]): OracleFinding | null {
  return findings.find((f) => f.evidence.kind === "console" && classifyLine(f.evidence.line.text)?.stopsLockChecking === true) ?? null;
}
