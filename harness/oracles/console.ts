// The console oracle: the kernel's own reports of its bugs, recognised from
// the console. The table below is the one list of what counts; each row is
// a pattern family with the kernel code that prints it. The first row
// that matches a line decides, so the specific rows (lockdep's "WARNING:
// possible circular ...") come before the generic ones ("WARNING:").
import type { ConsoleLine } from "../machine/console.ts";
import { reportFrame } from "./frames.ts";
import type { FileOp } from "./ops.ts";
import { concurrentOps, overlaps } from "./ops.ts";

export interface ConsolePattern {
  family: string;
  pattern: RegExp;
  /** false: recognised so that nothing else claims it, and never a failure. */
  failure: boolean;
  /** Where the kernel prints it. */
  source: string;
  /** The kernel turns its lock checking off with this report (debug_locks_off()): later lock problems of the boot go unreported. */
  stopsLockChecking?: boolean;
}

export const CONSOLE_PATTERNS: readonly ConsolePattern[] = [
  { family: "fault-injection", pattern: /FAULT_INJECTION: forcing a failure/, failure: false, source: "lib/fault-inject.c fail_dump(): a fault the run asked for" },
  { family: "lockdep", pattern: /WARNING: (possible circular locking dependency|possible recursive locking|inconsistent lock state|bad unlock balance|held lock freed|lock held when returning to user space|possible irq lock inversion|\S+-safe -> \S+-unsafe lock order|Nested lock was not taken|bad contention)/, failure: true, source: "kernel/locking/lockdep.c", stopsLockChecking: true },
  { family: "lockdep", pattern: /INFO: trying to register non-static key|DEBUG_LOCKS_WARN_ON\(|DEBUG_RWSEMS_WARN_ON\(|BUG: MAX_LOCK\w* too low|BUG: looking up invalid subclass/, failure: true, source: "kernel/locking/lockdep.c, rwsem.c", stopsLockChecking: true },
  { family: "rcu", pattern: /WARNING: suspicious RCU usage|rcu: INFO: \S+ (self-)?detected stall/, failure: true, source: "kernel/rcu (lockdep_rcu_suspicious, stall warnings)" },
  { family: "lock-debug", pattern: /BUG: (spinlock|rwlock) \w+/, failure: true, source: "kernel/locking/spinlock_debug.c (spin_bug, rwlock_bug)", stopsLockChecking: true },
  { family: "lock-debug", pattern: /BUG: sleeping function called from invalid context|BUG: scheduling while atomic|BUG: workqueue leaked/, failure: true, source: "kernel/sched/core.c, kernel/workqueue.c" },
  { family: "list", pattern: /list_(add|del)(_rcu)? corruption|list_add double add/, failure: true, source: "lib/list_debug.c (DEBUG_LIST)" },
  { family: "odebug", pattern: /ODEBUG: /, failure: true, source: "lib/debugobjects.c (DEBUG_OBJECTS)" },
  { family: "btrfs", pattern: /assertion failed: .*, in .*:\d+|BTRFS (critical|error|emergency|alert) \(device |BTRFS: error \(device |BTRFS: Transaction aborted/, failure: true, source: "fs/btrfs/messages.c (btrfs_assertfail, btrfs_printk), fs/btrfs/transaction.h" },
  { family: "fs-error", pattern: /EXT4-fs error|FAT-fs \([^)]*\): error,/, failure: true, source: "fs/ext4/super.c __ext4_error*, fs/fat/misc.c __fat_fs_error" },
  { family: "stale-pagecache", pattern: /Page cache invalidation failure on direct I\/O/, failure: true, source: "fs/direct-io.c, fs/iomap/direct-io.c dio_warn_stale_pagecache()" },
  { family: "busy-inodes", pattern: /VFS: Busy inodes after unmount/, failure: true, source: "fs/super.c generic_shutdown_super()" },
  { family: "hung-task", pattern: /INFO: task \S+ blocked for more than \d+ seconds/, failure: true, source: "kernel/hung_task.c" },
  { family: "bug", pattern: /kernel BUG at |BUG: |\bOops\b|Kernel panic - not syncing|general protection fault|UBSAN: /, failure: true, source: "BUG(), page faults, panic(), lib/ubsan.c" },
  { family: "warning", pattern: /WARNING: /, failure: true, source: "include/asm-generic/bug.h WARN() (__warn)" },
];

/** The first table row that matches a console line, or null. */
export function classifyLine(text: string): ConsolePattern | null {
  return CONSOLE_PATTERNS.find((p) => p.pattern.test(text)) ?? null;
}

/** Lines of a report after its first line (the kernel prints the detail below it). */
const REPORT_LINES = 24;
/** How far after its first line a report's call trace may end (lockdep prints ~40 lines before its backtrace). */
const TRACE_LINES = 100;

export interface ConsoleHit {
  family: string;
  line: ConsoleLine;
  report: string[];
  /** The kernel function the report is about (frames.ts), or null. */
  frame: string | null;
  /** The kernel turned its lock checking off with this report. */
  stopsLockChecking: boolean;
}

/** Every failure line of the console with the lines that follow it. */
export function consoleHits(lines: readonly ConsoleLine[]): ConsoleHit[] {
  const out: ConsoleHit[] = [];
  lines.forEach((line, i) => {
    const p = classifyLine(line.text);
    if (!p?.failure) return;
    // The report's own lines: up to the next report.
    const rest = lines.slice(i + 1, i + 1 + TRACE_LINES).map((l) => l.text);
    const next = rest.findIndex((t) => classifyLine(t)?.failure);
    const own = next < 0 ? rest : rest.slice(0, next);
    out.push({ family: p.family, line, report: rest.slice(0, REPORT_LINES), frame: reportFrame([line.text, ...own]), stopsLockChecking: p.stopsLockChecking === true });
  });
  return out;
}

/**
 * Reports of a 32-bit machine: real kernel reports that only a 32-bit SMP
 * kernel (wasm32 is one) can print, because the code they are about takes
 * a path there that 64-bit kernels, the ones a patch is usually judged
 * for, do not have. Each is set aside from the findings and listed in
 * every report that saw it, with its reason; it decides no verdict. The
 * whole report must match (its first line and the lines below it).
 */
export interface WordSizeReport {
  family: string;
  /** Every pattern must match somewhere in the report's text. */
  report: readonly RegExp[];
  why: string;
}

export const WORD_SIZE_REPORTS: readonly WordSizeReport[] = [
  {
    family: "lockdep",
    report: [/WARNING: inconsistent lock state/, /\{HARDIRQ-ON-W\} -> \{IN-HARDIRQ-R\}/, /\bi_size_seqcount\b/],
    why:
      "i_size_read() in a hard interrupt (7.x's iomap completes a direct write with no page cache to invalidate in the bio's interrupt, " +
      "and the filesystem's end_io reads i_size there): on a 32-bit SMP kernel i_size is guarded by a seqcount whose writer, i_size_write(), " +
      "runs with interrupts on, so lockdep reports the pair; on a 64-bit kernel i_size_read() is a plain load and there is no lock to report",
  },
];

/** The 32-bit report a console hit is, or null. */
export function wordSizeReport(hit: ConsoleHit): WordSizeReport | null {
  const text = [hit.line.text, ...hit.report].join("\n");
  return WORD_SIZE_REPORTS.find((w) => w.family === hit.family && w.report.every((re) => re.test(text))) ?? null;
}

/** The op uses the page cache over its range: a buffered read or write; a truncate or fallocate, whatever its descriptor (zeroing part of a block dirties that page). */
const throughPageCache = (b: FileOp): boolean => ((b.kind === "write" || b.kind === "read") && !b.direct) || b.kind === "truncate" || b.kind === "fallocate";

/**
 * Why a console report is the workload's doing rather than the kernel's
 * bug, or null. Only where the kernel documents the outcome as allowed:
 * - stale-pagecache: the kernel prints it when "userspace is doing mixed
 *   buffered/direct IO to the same range" (dio_warn_stale_pagecache); a
 *   direct write with a concurrent buffered operation on an overlapping
 *   range of the same file is such a workload, and so is one with a
 *   concurrent truncate or fallocate (zeroing part of a block goes through
 *   the page cache: btrfs punching 512 bytes dirties that page).
 * - btrfs / fs-error: a filesystem reporting the I/O errors the disk gave
 *   it (the run failed a bio) is its documented answer, not a bug; so is
 *   one reporting the allocation failure fault injection forced on it
 *   (ext4_std_error / btrfs_handle_fs_error with -ENOMEM: "Out of
 *   memory", errno=-12). Warnings, BUGs, lockdep and the other families
 *   stay findings whatever was injected.
 */
export function excused(hit: ConsoleHit, ops: readonly FileOp[], failedBios: number, injectedFaults = 0): string | null {
  if (hit.family === "stale-pagecache") {
    const mixed = ops.some((d) => d.kind === "write" && d.direct && ops.some((b) => throughPageCache(b) && b.file === d.file && concurrentOps(d, b) && overlaps(d, b)));
    return mixed ? "the workload mixes buffered and direct I/O on one range concurrently" : null;
  }
  if (hit.family !== "btrfs" && hit.family !== "fs-error") return null;
  const text = hit.line.text;
  // ext4's "mark_inode_dirty error" carries no errno: the inode's buffer could not be had or written, which a failed bio or an injected failure explains.
  if ((failedBios > 0 || injectedFaults > 0) && /mark_inode_dirty error/.test(text)) return `the run failed ${failedBios} bio(s) and ${injectedFaults} allocation(s)`;
  // btrfs 7.x says "Transaction 7 aborted (-5)" and "failed to run delayed ref for logical ...: -5" (6.x: "(error -5)").
  // ext4 reporting a metadata or journal write the disk failed: "Error while async write back metadata" (the device's mapping has a writeback error), then at unmount "Couldn't clean up the journal";
  // and a metadata read it failed: "Cannot read block bitmap" (ext4_wait_block_bitmap), "unable to read itable block".
  if (failedBios > 0 && /errs: wr|I\/O error|errno=-5|\(error -5\)|\(-5\)|: -5$|error writing|IO failure|Detected aborted journal|Journal has aborted|Error while async write back metadata|Couldn't clean up the journal|Cannot read (?:block|inode) bitmap|unable to read itable block/.test(text)) return `the disk failed ${failedBios} bio(s) in this run`;
  // btrfs ends its delalloc reports with the errno: "run_delalloc_nocow failed, root=5 inode=257 start=4096 len=4096: -12"; 7.x aborts with "Transaction 8 aborted (-12)".
  if (injectedFaults > 0 && /Out of memory|errno=-12\b|error -12\b|\(-12\)|: -12$/.test(text)) return `fault injection failed ${injectedFaults} allocation(s) in this run`;
  return null;
}
