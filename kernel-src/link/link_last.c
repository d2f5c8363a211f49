// SPDX-License-Identifier: GPL-2.0
/*
 * Linked after every kernel object: zero-length labels that close the
 * merged .rodata/.data/.bss segments. See link_first.c.
 */
#include "marker.h"

MARK(".rodata.zwasm_end", __end_rodata, 4);
MARK(".data.zwasm_end", _edata, 4);
MARK(".bss.zwasm_end", __bss_stop, 4);
MARK(".bss.zwasm_end", _end, 4);
MARK(".init.data", __init_end, 4);
MARK("_ftrace_eval_map", __stop_ftrace_eval_maps, 4);
MARK("__trace_printk_fmt", __stop___trace_bprintk_fmt, 4);
MARK("_ftrace_events", __stop_ftrace_events, 4);
MARK(".kunit_test_suites", __kunit_suites_end, 4);
MARK(".kunit_init_test_suites", __kunit_init_suites_end, 4);
