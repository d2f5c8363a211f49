/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_IRQFLAGS_H
#define _ASM_WASM_IRQFLAGS_H
#include <asm/wasm_host.h>

/* The interrupt flag lives in the host (one per simulated CPU). */
#define ARCH_IRQ_ENABLED	1UL
#define ARCH_IRQ_DISABLED	0UL

static inline unsigned long arch_local_save_flags(void)
{
	return host_irq_flags();
}
#define arch_local_save_flags arch_local_save_flags

static inline unsigned long arch_local_irq_save(void)
{
	return host_irq_save();
}
#define arch_local_irq_save arch_local_irq_save

static inline void arch_local_irq_restore(unsigned long flags)
{
	host_irq_restore(flags);
}
#define arch_local_irq_restore arch_local_irq_restore

static inline void arch_local_irq_enable(void)
{
	host_irq_restore(ARCH_IRQ_ENABLED);
}
#define arch_local_irq_enable arch_local_irq_enable

static inline void arch_local_irq_disable(void)
{
	(void)host_irq_save();
}
#define arch_local_irq_disable arch_local_irq_disable

static inline int arch_irqs_disabled_flags(unsigned long flags)
{
	return flags == ARCH_IRQ_DISABLED;
}
#define arch_irqs_disabled_flags arch_irqs_disabled_flags

#include <asm-generic/irqflags.h>
#endif
