// SPDX-License-Identifier: GPL-2.0
/*
 * Linked before every kernel object: zero-length labels that open each
 * section a linker script would lay out (include/asm-generic/vmlinux.lds.h).
 * wasm-ld keeps output segments whose names do not start with ".data." /
 * ".rodata." / ".bss." in first-seen order and places input pieces in link
 * order, so these labels land at the start of their segments and the
 * segments appear in the order below. That is observed wasm-ld behaviour,
 * not a contract: harness/build/layout.ts checks it after every link and
 * fails the build if it ever changes.
 *
 * MARK(section, symbol, align): one line each; layout.ts reads this file.
 */
#include "marker.h"

/* Read-only data: kfree_const()/kstrdup_const() test for it. */
MARK(".rodata.0wasm_start", __start_rodata, 4);
/* Code has no linear-memory address: every "is this kernel text" range is empty. */
MARK(".rodata.0wasm_start", _stext, 4);
MARK(".rodata.0wasm_start", _etext, 4);
MARK(".rodata.0wasm_start", _text, 4);
MARK(".rodata.0wasm_start", _sinittext, 4);
MARK(".rodata.0wasm_start", _einittext, 4);
MARK(".rodata.0wasm_start", __sched_text_start, 4);
MARK(".rodata.0wasm_start", __sched_text_end, 4);
MARK(".rodata.0wasm_start", __lock_text_start, 4);
MARK(".rodata.0wasm_start", __lock_text_end, 4);
MARK(".rodata.0wasm_start", __irqentry_text_start, 4);
MARK(".rodata.0wasm_start", __irqentry_text_end, 4);
MARK(".rodata.0wasm_start", __softirqentry_text_start, 4);
MARK(".rodata.0wasm_start", __softirqentry_text_end, 4);
MARK(".data.0wasm_start", _sdata, 4);
MARK(".bss.0wasm_start", __bss_start, 4);
MARK(".data.0wasm_start", __start_ro_after_init, 4);
MARK(".data.0wasm_start", __end_ro_after_init, 4);
/* WARN_ONCE() flags are not gathered in one range: clear_warn_once (debugfs) resets none. */
MARK(".data.0wasm_start", __start_once, 4);
MARK(".data.0wasm_start", __end_once, 4);

/* __setup() parameters, then the initcall levels in vmlinux.lds order. */
MARK(".init.setup", __setup_start, 4);
MARK(".initcallearly.init", __setup_end, 4);
MARK(".initcallearly.init", __initcall_start, 4);
MARK(".initcall0.init", __initcall0_start, 4);
MARK(".initcall0s.init", __wasm_initcall0s, 4);
MARK(".initcall1.init", __initcall1_start, 4);
MARK(".initcall1s.init", __wasm_initcall1s, 4);
MARK(".initcall2.init", __initcall2_start, 4);
MARK(".initcall2s.init", __wasm_initcall2s, 4);
MARK(".initcall3.init", __initcall3_start, 4);
MARK(".initcall3s.init", __wasm_initcall3s, 4);
MARK(".initcall4.init", __initcall4_start, 4);
MARK(".initcall4s.init", __wasm_initcall4s, 4);
MARK(".initcall5.init", __initcall5_start, 4);
MARK(".initcall5s.init", __wasm_initcall5s, 4);
MARK(".initcallrootfs.init", __initcallrootfs_start, 4);
MARK(".initcallrootfss.init", __wasm_initcallrootfss, 4);
MARK(".initcall6.init", __initcall6_start, 4);
MARK(".initcall6s.init", __wasm_initcall6s, 4);
MARK(".initcall7.init", __initcall7_start, 4);
MARK(".initcall7s.init", __wasm_initcall7s, 4);
MARK(".con_initcall.init", __initcall_end, 4);
MARK(".con_initcall.init", __con_initcall_start, 4);
MARK(".wasm_con_initcall_end", __con_initcall_end, 4);

/* Scheduling classes, highest priority first (sched_init() checks adjacency). */
MARK("__stop_sched_class", __sched_class_highest, 4);
MARK("__dl_sched_class", __wasm_sched_dl, 4);
MARK("__rt_sched_class", __wasm_sched_rt, 4);
MARK("__fair_sched_class", __wasm_sched_fair, 4);
MARK("__ext_sched_class", __wasm_sched_ext, 4);
MARK("__idle_sched_class", __wasm_sched_idle, 4);
MARK("wasm_sched_class_end", __sched_class_lowest, 4);

/* The per-cpu template (PERCPU_INPUT), page aligned; copied per CPU at boot. */
MARK("wasm_percpu..first", __per_cpu_load, 4096);
MARK("wasm_percpu..first", __per_cpu_start, 4096);
MARK("wasm_percpu..page_aligned", __wasm_percpu_page_aligned, 4096);
MARK("wasm_percpu..read_mostly", __wasm_percpu_read_mostly, 4);
MARK("wasm_percpu", __wasm_percpu, 4);
MARK("wasm_percpu..shared_aligned", __wasm_percpu_shared_aligned, 4);
MARK("wasm_percpu_end", __per_cpu_end, 4096);

/*
 * Sections the kernel brackets with __start_/__stop_ symbols (C-identifier
 * names, so wasm-ld defines those itself) but that this configuration leaves
 * empty: one empty piece each makes the bounds exist (an empty table).
 */
MARK("__ex_table", __wasm_ex_table, 4);
MARK("__modver", __wasm_modver, 4);
MARK("notes", __wasm_notes, 4);

/*
 * Tables the kernel brackets under other names (the debug kernel's
 * tracing and KUnit); link_last.c closes them.
 */
MARK("_ftrace_eval_map", __start_ftrace_eval_maps, 4);
MARK("__trace_printk_fmt", __start___trace_bprintk_fmt, 4);
MARK("_ftrace_events", __start_ftrace_events, 4);
/* __initdata: a range, so lockdep knows objects there are static (link_last.c closes it). */
MARK(".init.data", __init_begin, 64);
/* The KUnit suites built in (the debug kernel runs them with kunit.enable=1). */
MARK(".kunit_test_suites", __kunit_suites_start, 4);
MARK(".kunit_init_test_suites", __kunit_init_suites_start, 4);
