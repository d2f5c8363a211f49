/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_IRQ_ENTRY_H
#define _ASM_WASM_IRQ_ENTRY_H
#include <linux/irqflags.h>

/*
 * Interrupt entry and exit as the irq-flag tracing (lockdep) sees them. The
 * host disabled interrupts before calling an interrupt entry point; lockdep
 * is told so first, and on the way out (after irq_exit(), outside hardirq
 * context) gets back its view of the interrupted context: enabled, or not
 * (an idle CPU is interrupted in its idle wait, which the idle loop entered
 * with interrupts disabled).
 */
static __always_inline bool wasm_irq_entry(void)
{
	bool was_enabled = lockdep_hardirqs_enabled();

	trace_hardirqs_off();
	return was_enabled;
}

static __always_inline void wasm_irq_return(bool was_enabled)
{
	if (was_enabled)
		trace_hardirqs_on();
}
#endif
