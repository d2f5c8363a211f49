// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks: every task is a coroutine of the host with its own kernel stack
 * (used as the wasm shadow stack) and its own Asyncify buffer. Switching is
 * host_switch_to(); a task's first run enters wasm_task_entry().
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/sched/signal.h>
#include <linux/sched/debug.h>
#include <linux/sched/idle.h>
#include <linux/ptrace.h>
#include <linux/reboot.h>
#include <linux/pm.h>
#include <linux/printk.h>
#include <linux/version.h>
#include <asm/switch_to.h>
#include <asm/wasm_host.h>
#include <asm/wasm_user.h>

void (*pm_power_off)(void);

int copy_thread(struct task_struct *p, const struct kernel_clone_args *args)
{
	struct pt_regs *childregs = task_pt_regs(p);

	if (args->fn) {
		/* kernel thread, or io_uring worker: runs fn(fn_arg) */
		memset(childregs, 0, sizeof(*childregs));
		p->thread.fn = args->fn;
		p->thread.fn_arg = args->fn_arg;
	} else {
		/* user task: a copy of the parent's syscall frame, returning 0 */
		*childregs = *current_pt_regs();
		childregs->ret = 0;
		if (args->stack)
			childregs->sp = args->stack;
		if (args->flags & CLONE_SETTLS)
			p->thread.tp = args->tls;
		p->thread.fn = NULL;
		p->thread.fn_arg = NULL;
	}
	return 0;
}

struct task_struct *__switch_to(struct task_struct *prev, struct task_struct *next)
{
	wasm_cpu_current[wasm_this_cpu] = next;
	/* When prev runs again (maybe on another CPU) the host has set wasm_this_cpu. */
	return host_switch_to(prev, next, (unsigned long)task_pt_regs(next),
			      READ_ONCE(prev->__state) == TASK_DEAD);
}

/*
 * Host entry point: a new task's first instructions (ret_from_fork). A
 * kernel thread runs its function; when a user-mode task's function returns
 * (kernel_init or a user task's start after a successful exec), the task
 * returns to user mode, where its program runs. A task forked by a user
 * task's system call returns to user mode at once, in its parent's program.
 */
void (*wasm_init_user_mode)(void);

void wasm_task_entry(struct task_struct *prev)
{
	struct pt_regs *regs = current_pt_regs();

	schedule_tail(prev);
	if (current->thread.fn) {
		int ret = current->thread.fn(current->thread.fn_arg);

		/* Only a user-mode thread's function returns: 0 after its exec. */
		if (ret)
			do_exit(ret);
		regs->ret = 0;
	}
	/*
	 * "Return to user mode". PID 1 exec'd /init, which the scenario agent's
	 * binfmt handles: its user program is the agent loop, run here.
	 */
	if (is_global_init(current) && wasm_init_user_mode)
		wasm_init_user_mode();
	/*
	 * Other user tasks: the program counter their binfmt set
	 * (start_thread) is a function of the user program (agent/user.c).
	 */
	if (user_mode(regs) && regs->pc) {
		regs->syscallno = WASM_NO_SYSCALL;
		wasm_exit_to_user_mode(regs, false);
		((void (*)(void))regs->pc)();
	}
	do_exit(0);
}

void flush_thread(void)
{
}

void arch_cpu_idle(void)
{
	host_cpu_idle();
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	raw_local_irq_enable();		/* 6.1: return with interrupts enabled */
#endif
}

void show_regs(struct pt_regs *regs)
{
	show_regs_print_info(KERN_DEFAULT);
	pr_info("syscall %lu ret %ld\n", regs->syscallno, (long)regs->ret);
}

void show_stack(struct task_struct *task, unsigned long *sp, const char *loglvl)
{
	if (!task || task == current)
		host_dump_stack();
}

void machine_halt(void)
{
	host_halt(0);
}

void machine_power_off(void)
{
	host_halt(1);
}

void machine_restart(char *cmd)
{
	host_halt(2);
}
