// SPDX-License-Identifier: GPL-2.0
/* Secondary simulated CPUs: created by the host, started on their idle task. */
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/smp.h>
#include <linux/version.h>
#include <asm/wasm_host.h>

void wasm_raise_ipi(unsigned int cpu, int kind);
void wasm_clockevent_init(unsigned int cpu);

void __init smp_prepare_cpus(unsigned int max_cpus)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (cpu < max_cpus)
			set_cpu_present(cpu, true);
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
void __init smp_prepare_boot_cpu(void)
{
}
#endif

void __init smp_cpus_done(unsigned int max_cpus)
{
}

int __cpu_up(unsigned int cpu, struct task_struct *idle)
{
	int ret;

	/* current on the new CPU is its idle task from its first instruction. */
	wasm_cpu_current[cpu] = idle;
	ret = host_cpu_up(cpu, idle, (unsigned long)task_pt_regs(idle));

	if (ret)
		return ret;
	while (!cpu_online(cpu))
		cpu_relax();
	return 0;
}

/* Host entry point: first run of a secondary CPU, on its idle task's stack. */
void wasm_secondary_start(unsigned int cpu)
{
	wasm_this_cpu = cpu;
	mmgrab(&init_mm);
	current->active_mm = &init_mm;
	notify_cpu_starting(cpu);
	set_cpu_online(cpu, true);
	wasm_clockevent_init(cpu);
	local_irq_enable();
	cpu_startup_entry(CPUHP_AP_ONLINE_IDLE);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
void arch_smp_send_reschedule(int cpu)
#else
void smp_send_reschedule(int cpu)
#endif
{
	wasm_raise_ipi(cpu, 0);
}

void arch_send_call_function_single_ipi(int cpu)
{
	wasm_raise_ipi(cpu, 1);
}

void arch_send_call_function_ipi_mask(const struct cpumask *mask)
{
	unsigned int cpu;

	for_each_cpu(cpu, mask)
		wasm_raise_ipi(cpu, 1);
}

void smp_send_stop(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (cpu != smp_processor_id())
			wasm_raise_ipi(cpu, 2);
}
