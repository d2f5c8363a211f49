/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_SYSCALL_H
#define _ASM_WASM_SYSCALL_H
#include <linux/sched.h>
#include <linux/err.h>
#include <asm/ptrace.h>

static inline int syscall_get_nr(struct task_struct *task, struct pt_regs *regs)
{
	return regs->syscallno;
}
static inline void syscall_rollback(struct task_struct *task, struct pt_regs *regs) { }
static inline long syscall_get_error(struct task_struct *task, struct pt_regs *regs)
{
	return IS_ERR_VALUE(regs->ret) ? regs->ret : 0;
}
static inline long syscall_get_return_value(struct task_struct *task, struct pt_regs *regs)
{
	return regs->ret;
}
static inline void syscall_set_return_value(struct task_struct *task, struct pt_regs *regs,
					    int error, long val)
{
	regs->ret = error ? error : val;
}
static inline void syscall_get_arguments(struct task_struct *task, struct pt_regs *regs,
					 unsigned long *args)
{
	int i;
	for (i = 0; i < 6; i++)
		args[i] = regs->args[i];
}
static inline int syscall_get_arch(struct task_struct *task)
{
	return 0;
}
#endif
