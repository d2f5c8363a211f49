/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_PROCESSOR_H
#define _ASM_WASM_PROCESSOR_H
#include <asm/ptrace.h>
#include <asm/page.h>
#include <asm/wasm_host.h>

/*
 * User virtual addresses are only ever reached through the task's page
 * tables (arch/wasm/mm/uaccess.c), so they may overlap kernel addresses.
 */
#define TASK_SIZE		0xc0000000UL
#define TASK_SIZE_MAX		TASK_SIZE
#define STACK_TOP		TASK_SIZE
#define STACK_TOP_MAX		STACK_TOP
#define TASK_UNMAPPED_BASE	0x40000000UL

#ifndef __ASSEMBLY__
struct task_struct;

/* What copy_thread() records for a new task's first run (wasm_task_entry). */
struct thread_struct {
	int (*fn)(void *);
	void *fn_arg;
	/* The user thread pointer (clone's CLONE_SETTLS value): which host command queue a user task's program reads. */
	unsigned long tp;
};
#define INIT_THREAD	{ }

#define task_pt_regs(tsk) \
	((struct pt_regs *)(task_stack_page(tsk) + THREAD_SIZE) - 1)

#define KSTK_EIP(tsk)	(task_pt_regs(tsk)->pc)
#define KSTK_ESP(tsk)	(task_pt_regs(tsk)->sp)

static inline void cpu_relax(void)
{
	host_cpu_relax();
}

static inline unsigned long __get_wchan(struct task_struct *p)
{
	return 0;
}

static inline void start_thread(struct pt_regs *regs, unsigned long pc, unsigned long sp)
{
	regs->pc = pc;
	regs->sp = sp;
	regs->user = 1;
}

struct seq_file;
#endif
#endif
