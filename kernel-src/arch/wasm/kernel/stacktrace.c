// SPDX-License-Identifier: GPL-2.0
/*
 * Stack traces: wasm has no frame chain in memory, but the host sees the
 * wasm call stack (the engine's own frames, with each function's index).
 * A stack entry is an address inside the bytes reserved for that function
 * in wasm_text[], so every wasm function has distinct "code addresses" that
 * the symbol table below (kallsyms, filled at boot from the module's name
 * section) turns back into its name: %pS prints real kernel function names.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <asm/wasm_host.h>
#include "stacktrace.h"

/* Bytes standing for the wasm functions' code (see stacktrace.h). */
char wasm_text[2 * WASM_FUNCS_MAX] __aligned(16);

#define WASM_TRACE_MAX	64

/*
 * Only the current task's stack is visible to the host (another task's
 * stack is an unwound coroutine); others get an empty trace, as arches
 * without a reliable unwinder give.
 */
void arch_stack_walk(stack_trace_consume_fn consume_entry, void *cookie,
		     struct task_struct *task, struct pt_regs *regs)
{
	u32 idx[WASM_TRACE_MAX];
	unsigned int n, i;

	if (regs || (task && task != current))
		return;
	n = host_stack_trace(idx, WASM_TRACE_MAX);
	/* idx[0] is this function, as x86 starts at its caller. */
	for (i = 1; i < n; i++) {
		if (idx[i] >= WASM_FUNCS_MAX)
			break;
		if (!consume_entry(cookie, (unsigned long)WASM_TEXT_RET(idx[i])))
			break;
	}
}
