// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts: the host delivers an interrupt by calling one of the entry
 * points below on the receiving CPU, at a switch point where that CPU has
 * interrupts enabled. The handler runs on the interrupted task's stack.
 */
#include <linux/hardirq.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/init.h>
#include <linux/smp.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <asm/wasm_host.h>
#include <asm/wasm_irq_entry.h>

void __init init_IRQ(void)
{
}

int arch_show_interrupts(struct seq_file *p, int prec)
{
	return 0;
}

/* IPI kinds, pending per CPU (the host only knows "an IPI is pending"). */
enum wasm_ipi { WASM_IPI_RESCHEDULE, WASM_IPI_CALL_FUNC, WASM_IPI_STOP };
static unsigned long wasm_ipi_pending[NR_CPUS];

void wasm_raise_ipi(unsigned int cpu, int kind)
{
	wasm_ipi_pending[cpu] |= 1UL << kind;
	host_send_ipi(cpu);
}

/* Host entry point: an IPI is pending on the current CPU. */
void wasm_ipi_interrupt(void)
{
	unsigned int cpu = smp_processor_id();
	unsigned long pending = xchg(&wasm_ipi_pending[cpu], 0);
	bool was_enabled = wasm_irq_entry();

	irq_enter();
#ifdef CONFIG_SMP
	if (pending & (1UL << WASM_IPI_RESCHEDULE))
		scheduler_ipi();
	if (pending & (1UL << WASM_IPI_CALL_FUNC))
		generic_smp_call_function_interrupt();
#endif
	if (pending & (1UL << WASM_IPI_STOP)) {
		set_cpu_online(cpu, false);
		for (;;)
			host_cpu_idle();
	}
	irq_exit();
	wasm_irq_return(was_enabled);
}
