/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_PTRACE_H
#define _ASM_WASM_PTRACE_H
#include <uapi/asm/ptrace.h>

#ifndef __ASSEMBLY__
#include <linux/types.h>
/*
 * A task's saved user context: the system call the host asked it to make
 * (number, arguments, return value). It sits at the top of the task's
 * kernel stack, as on real machines. Each argument has a 64-bit slot (see
 * asm/syscall_wrapper.h); syscallno is WASM_NO_SYSCALL outside a call.
 */
#define WASM_NO_SYSCALL	(~0UL)
struct pt_regs {
	unsigned long syscallno;
	u64 args[6];
	unsigned long ret;
	unsigned long pc;
	unsigned long sp;
	unsigned long user;	/* 1: a user task's frame; 0: a kernel thread */
};

#define user_mode(regs)			((regs)->user != 0)
#define instruction_pointer(regs)	((regs)->pc)
#define profile_pc(regs)		instruction_pointer(regs)
#define user_stack_pointer(regs)	((regs)->sp)
#define current_pt_regs()		task_pt_regs(current)
#define current_user_stack_pointer()	user_stack_pointer(current_pt_regs())

static inline long regs_return_value(struct pt_regs *regs)
{
	return regs->ret;
}
#endif
#endif
