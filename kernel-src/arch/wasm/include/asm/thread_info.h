/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_THREAD_INFO_H
#define _ASM_WASM_THREAD_INFO_H
#include <asm/page.h>

/*
 * Each task's kernel stack is also its wasm shadow stack (the host points
 * __stack_pointer at its top when the task runs). 16 KiB: wasm frames of
 * real kernel code (ext4/btrfs paths) are larger than on native arches.
 */
#define THREAD_SIZE_ORDER	2
#define THREAD_SIZE		(PAGE_SIZE << THREAD_SIZE_ORDER)

#ifndef __ASSEMBLY__
struct thread_info {
	unsigned long	flags;		/* TIF_* */
	unsigned long	syscall_work;	/* SYSCALL_WORK_* (6.12 generic entry) */
	int		preempt_count;
	unsigned int	cpu;
};

#define INIT_THREAD_INFO(tsk)			\
{						\
	.flags		= 0,			\
	.preempt_count	= INIT_PREEMPT_COUNT,	\
}
#endif

#define TIF_SIGPENDING		0
#define TIF_NEED_RESCHED	1
#define TIF_NOTIFY_RESUME	2
#define TIF_NOTIFY_SIGNAL	3
#define TIF_SYSCALL_TRACE	4
#define TIF_MEMDIE		5
#define TIF_POLLING_NRFLAG	6
#define TIF_RESTORE_SIGMASK	7

#define _TIF_SIGPENDING		(1 << TIF_SIGPENDING)
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)
#define _TIF_NOTIFY_RESUME	(1 << TIF_NOTIFY_RESUME)
#define _TIF_NOTIFY_SIGNAL	(1 << TIF_NOTIFY_SIGNAL)
#define _TIF_SYSCALL_TRACE	(1 << TIF_SYSCALL_TRACE)
#define _TIF_POLLING_NRFLAG	(1 << TIF_POLLING_NRFLAG)
#endif
