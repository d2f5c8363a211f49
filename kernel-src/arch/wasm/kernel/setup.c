// SPDX-License-Identifier: GPL-2.0
/*
 * Boot: the host calls wasm_start_kernel() on CPU 0 with __stack_pointer at
 * the top of init_stack. Memory is the whole wasm linear memory, handed to
 * memblock above the kernel image (FLATMEM, one ZONE_NORMAL).
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/start_kernel.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/seq_file.h>
#include <asm/sections.h>
#include <asm/setup.h>
#include <linux/panic_notifier.h>
#include <asm/wasm_host.h>
#include "stacktrace.h"

/* The initial task's kernel stack (a linker-script symbol on other arches). */
unsigned long init_stack[THREAD_SIZE / sizeof(unsigned long)] __aligned(THREAD_SIZE);

/* Where the host starts CPU 0's stack: init_stack's top, below its pt_regs. */
unsigned long wasm_init_sp = (unsigned long)init_stack + THREAD_SIZE - sizeof(struct pt_regs);

/* Written by the host before boot: bytes at the top of RAM that the host
 * keeps for itself (its Asyncify buffers); never given to memblock. */
unsigned long wasm_host_reserved;

/* Where the host finds a task's name, pid and state (timelines, hang reports). */
const unsigned long wasm_task_layout[3] = {
	offsetof(struct task_struct, comm),
	offsetof(struct task_struct, pid),
	offsetof(struct task_struct, __state),
};

int wasm_this_cpu;
struct task_struct *wasm_cpu_current[NR_CPUS] = { [0] = &init_task };

/* Written by the host before wasm_start_kernel(): command line and CPU count. */
char wasm_boot_cmdline[COMMAND_LINE_SIZE];
unsigned int wasm_nr_cpus = 1;

/* A panic stops the machine (after panic() printed its message and trace). */
static int wasm_panic_event(struct notifier_block *nb, unsigned long event, void *msg)
{
	host_halt(3);
}

static struct notifier_block wasm_panic_nb = {
	.notifier_call = wasm_panic_event,
};

void __init setup_arch(char **cmdline_p)
{
	unsigned long ram_end = __builtin_wasm_memory_size(0) * 65536UL;
	unsigned long kernel_end = PAGE_ALIGN(__pa(_end));
	unsigned int cpu;

	strscpy(boot_command_line, wasm_boot_cmdline, COMMAND_LINE_SIZE);
	*cmdline_p = boot_command_line;

	/* Low memory below the image holds no kernel data (global-base), but
	 * page 0 must never be handed out: NULL must stay distinguishable. */
	ram_end -= PAGE_ALIGN(wasm_host_reserved);
	memblock_add(0, ram_end);
	memblock_reserve(0, kernel_end);
	min_low_pfn = PFN_UP(kernel_end);
	max_low_pfn = max_pfn = PFN_DOWN(ram_end);

	for (cpu = 0; cpu < min_t(unsigned int, wasm_nr_cpus, NR_CPUS); cpu++)
		set_cpu_possible(cpu, true);

	paging_init();
	if (IS_ENABLED(CONFIG_KALLSYMS))
		wasm_kallsyms_init();
	atomic_notifier_chain_register(&panic_notifier_list, &wasm_panic_nb);
}

/* Host entry point: boot CPU 0. Never returns (CPU 0 ends in its idle loop). */
void wasm_start_kernel(void)
{
	wasm_this_cpu = 0;
	wasm_cpu_current[0] = &init_task;
	start_kernel();
}

/* /proc/cpuinfo: one line per simulated CPU. */
static int wasm_cpuinfo_show(struct seq_file *m, void *v)
{
	seq_printf(m, "processor\t: %lu\nmodel name\t: dioscope simulated CPU\n\n", (unsigned long)v - 1);
	return 0;
}

static void *wasm_cpuinfo_start(struct seq_file *m, loff_t *pos)
{
	return *pos < nr_cpu_ids ? (void *)(unsigned long)(*pos + 1) : NULL;
}

static void *wasm_cpuinfo_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return wasm_cpuinfo_start(m, pos);
}

static void wasm_cpuinfo_stop(struct seq_file *m, void *v)
{
}

const struct seq_operations cpuinfo_op = {
	.start	= wasm_cpuinfo_start,
	.next	= wasm_cpuinfo_next,
	.stop	= wasm_cpuinfo_stop,
	.show	= wasm_cpuinfo_show,
};
