// The kernel function a console report is about: the first frame of its call
// trace that is not the reporting machinery (lockdep's acquire path, WARN and
// oops handling, the stack walkers), else the first such %pS symbol in its
// text. Reports print traces in the kernel's form ("Call Trace:" with
// name+0x../0x..) or the machine's ("Call trace (host):" with bare names).

/** A call trace section's header: the kernel's, lockdep's "stack backtrace:", the machine's. */
const TRACE_HEADER = /^\s*(Call [Tt]race\b[^:]*:|stack backtrace:)\s*$/;
/** One frame of a trace: "  name", " name+0x1a/0x40", " [<c0123456>] name+0x..", " ? name+0x..", or an unnamed wasm function's index. */
const TRACE_FRAME = /^\s+(?:\[<[0-9a-f]+>\]\s+)?(\? )?(?:([A-Za-z_][\w.]*)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?|\d+)\s*$/;
/** A kernel symbol as %pS prints it: name+offset/size. */
const SYMBOL = /\b([A-Za-z_][\w.]*)\+0x[0-9a-f]+\/0x[0-9a-f]+/g;

/** Functions that print or walk a report rather than cause it, and the arch's ends of a trace. */
const MACHINERY =
  /^(_stext|wasm_text_end|wasm_task_entry|host_\w+|arch_stack_walk|stack_trace_save\w*|save_trace|dump_stack\w*|show_stack\w*|__warn\w*|warn_slowpath\w*|report_bug|panic|die|oops_\w+|lock_acquire\w*|lock_release|lock_acquired|lock_contended|__lock_acquire|lock_is_held_type|lockdep_\w+|mark_lock\w*|mark_usage|mark_held_locks|check_(noncircular|prev_add|prevs_add|irq_usage|deadlock|flags|chain_key|wait_context|usage_\w+)|validate_chain|print_\w+|valid_state|debug_check_no_\w+|debug_print_object|__debug_object_\w+|__list_(add|del)_valid\w*|__list_(add|del)_entry_valid\w*|spin_dump|spin_bug|rwlock_bug|do_raw_\w+)$/;

/** The function a report (its first line and the lines after it) is about, or null when it names none. */
export function reportFrame(lines: readonly string[]): string | null {
  const traced = traceFrames(lines).find((f) => !MACHINERY.test(f));
  if (traced) return traced;
  for (const l of lines) for (const m of l.matchAll(SYMBOL)) if (!MACHINERY.test(m[1]!)) return m[1]!;
  return null;
}

/** Every named frame of the call traces in `lines`, in order (the reporting machinery included). */
export function traceFrames(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inTrace = false;
  for (const l of lines) {
    if (TRACE_HEADER.test(l)) {
      inTrace = true;
      continue;
    }
    const f = inTrace ? TRACE_FRAME.exec(l) : null;
    // "? name" frames are stale stack words the unwinder was unsure of; an index is a function without a name.
    if (!f) inTrace = false;
    else if (!f[1] && f[2]) out.push(f[2]);
  }
  return out;
}
