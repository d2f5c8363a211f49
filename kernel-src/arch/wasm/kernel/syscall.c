// SPDX-License-Identifier: GPL-2.0
/*
 * System calls and the return to user mode.
 *
 * A user task's program (arch/wasm/agent/user.c) makes a system call the way
 * a trap handler would: the number and arguments go into the task's pt_regs
 * at the top of its kernel stack, the generic table (built from
 * asm-generic/unistd.h, every entry a pt_regs wrapper, see
 * asm/syscall_wrapper.h) dispatches it, and before "returning to user mode"
 * the task does the exit-to-user work: rescheduling, signals (which may
 * restart the call), task_work (deferred fput/mntput, io_uring completions).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/linkage.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/resume_user_mode.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/syscalls.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <asm/wasm_user.h>

asmlinkage long sys_ni_syscall(void);

asmlinkage long __wasm_sys_ni_syscall(const struct pt_regs *regs)
{
	return sys_ni_syscall();
}

/* The 32-bit mmap: the offset in 4 KiB units, which are pages here. */
#define __wasm_sys_mmap2	__wasm_sys_mmap_pgoff

/* No user signal frames on this machine: there is nothing to return from. */
SYSCALL_DEFINE0(rt_sigreturn)
{
	return -ENOSYS;
}

typedef long (*wasm_syscall_fn)(const struct pt_regs *);

#undef __SYSCALL
#define __SYSCALL(nr, call)	asmlinkage long __wasm_##call(const struct pt_regs *);
#include <asm/unistd.h>

#undef __SYSCALL
#define __SYSCALL(nr, call)	[nr] = __wasm_##call,

static const wasm_syscall_fn wasm_sys_call_table[__NR_syscalls] = {
	[0 ... __NR_syscalls - 1] = __wasm_sys_ni_syscall,
#include <asm/unistd.h>
};

/*
 * Signals on the way back to user mode. Handlers in user memory cannot run
 * (the host is the user program): a caught signal is taken as a handler
 * that returns at once. An interrupted call is restarted or fails with
 * -EINTR exactly as the arch signal code of other machines decides.
 * Returns true when the call must be made again.
 */
static bool wasm_do_signal(struct pt_regs *regs, bool in_syscall)
{
	struct ksignal ksig;
	bool handler = get_signal(&ksig);
	long ret = (long)regs->ret;
	bool restart = false;

	if (in_syscall) {
		switch (ret) {
		case -ERESTART_RESTARTBLOCK:
		case -ERESTARTNOHAND:
			if (handler) {
				regs->ret = -EINTR;
				break;
			}
			if (ret == -ERESTART_RESTARTBLOCK)
				regs->syscallno = __NR_restart_syscall;
			restart = true;
			break;
		case -ERESTARTSYS:
			if (handler && !(ksig.ka.sa.sa_flags & SA_RESTART)) {
				regs->ret = -EINTR;
				break;
			}
			restart = true;
			break;
		case -ERESTARTNOINTR:
			restart = true;
			break;
		}
	}
	if (handler)
		pr_warn_once("dioscope: signal %d to %s[%d] has a user handler, which this machine cannot run; taken as returning at once\n",
			     ksig.sig, current->comm, task_pid_nr(current));
	else
		restore_saved_sigmask();
	return restart;
}

#define WASM_EXIT_WORK	(_TIF_NEED_RESCHED | _TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL | _TIF_NOTIFY_RESUME)

bool wasm_exit_to_user_mode(struct pt_regs *regs, bool in_syscall)
{
	unsigned long work;
	bool restart = false;

	while ((work = read_thread_flags()) & WASM_EXIT_WORK) {
		if (work & _TIF_NEED_RESCHED)
			schedule();
		if (work & (_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL)) {
			restart |= wasm_do_signal(regs, in_syscall);
			in_syscall = false;
		}
		if (work & _TIF_NOTIFY_RESUME)
			resume_user_mode_work(regs);
	}
	return restart;
}

bool wasm_exit_work_pending(void)
{
	return read_thread_flags() & WASM_EXIT_WORK;
}

long wasm_syscall(unsigned long nr, const u64 args[6])
{
	struct pt_regs *regs = current_pt_regs();
	int i;

	regs->syscallno = nr;
	for (i = 0; i < 6; i++)
		regs->args[i] = args[i];
	do {
		nr = regs->syscallno;
		regs->ret = nr < __NR_syscalls ? wasm_sys_call_table[nr](regs) : __wasm_sys_ni_syscall(regs);
	} while (wasm_exit_to_user_mode(regs, true));
	/* Back to user mode: no lock may be held (lockdep reports one that is). */
	lockdep_sys_exit();
	regs->syscallno = WASM_NO_SYSCALL;
	return (long)regs->ret;
}
