// SPDX-License-Identifier: GPL-2.0
/*
 * ptrace: the generic requests only. There are no user registers to peek
 * beyond the syscall frame and no single-step hardware.
 */
#include <linux/ptrace.h>
#include <linux/sched.h>

long arch_ptrace(struct task_struct *child, long request, unsigned long addr, unsigned long data)
{
	return ptrace_request(child, request, addr, data);
}

void ptrace_disable(struct task_struct *child)
{
}
