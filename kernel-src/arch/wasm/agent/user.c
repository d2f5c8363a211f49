// SPDX-License-Identifier: GPL-2.0
/*
 * User tasks: real processes whose user program is driven by the host.
 *
 * USER_SPAWN (run by an agent task) starts a process the way the kernel
 * starts user processes: user_mode_thread() (not a kthread), which execs
 * /user, a file whose only content is a magic this binfmt recognises. The
 * exec gives the task its own mm with the stack VMA from the bprm, and
 * start_thread() points its program counter at wasm_user_program(). From
 * then on the task is in "user mode": its program waits for host commands
 * (queue = its thread pointer, which clone's CLONE_SETTLS sets for threads)
 * and enters the kernel only through system calls (wasm_syscall, with
 * pt_regs on its stack and the exit-to-user work). The host reads and
 * writes the task's memory only through its page tables (copy_to_user /
 * copy_from_user in the task), so faults are the real kernel's.
 */
#include <linux/binfmts.h>
#include <linux/mman.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/unistd.h>
#include <asm/wasm_host.h>
#include <asm/wasm_user.h>
#include "agent.h"

/* USER_READ / USER_WRITE / USER_TOUCH flags */
#define USER_NOFAULT	1	/* with page faults disabled: a missing page fails, as in atomic context */
#define USER_TOUCH_WRITE 2	/* TOUCH: a write access (content kept), else a read access */

/* USER_READ/WRITE: copy between kernel buffer c->buf and user address c->off; returns bytes not copied. */
static long user_copy(struct wasm_agent_cmd *c, bool to_user)
{
	void *kbuf = (void *)(unsigned long)c->buf;
	void __user *ubuf = (void __user *)(unsigned long)c->off;
	unsigned long left;

	if (c->flags & USER_NOFAULT)
		pagefault_disable();
	left = to_user ? copy_to_user(ubuf, kbuf, c->len) : copy_from_user(kbuf, ubuf, c->len);
	if (c->flags & USER_NOFAULT)
		pagefault_enable();
	return left;
}

/* USER_TOUCH: one access to every page of [c->off, c->off + c->len); returns how many pages it accessed, or -EFAULT. */
static long user_touch(struct wasm_agent_cmd *c)
{
	unsigned long addr = c->off & PAGE_MASK, end = c->off + c->len;
	long ret = 0;

	if (c->flags & USER_NOFAULT)
		pagefault_disable();
	for (; addr < end; addr += PAGE_SIZE) {
		u8 __user *p = (u8 __user *)addr;
		u8 v;

		if (get_user(v, p) || ((c->flags & USER_TOUCH_WRITE) && put_user(v, p))) {
			ret = -EFAULT;
			break;
		}
		ret++;
	}
	if (c->flags & USER_NOFAULT)
		pagefault_enable();
	return ret;
}

/* The program's own state (in its task, so snapshots keep it): a bump heap for system call arguments. */
struct user_program {
	unsigned long heap, heap_used, heap_size;
	struct wasm_agent_cmd cmd;
};

#define USER_HEAP_CHUNK	(64 * 1024)

/* USER_PUT: copies c->len bytes from kernel buffer c->buf to fresh heap memory aligned to c->flags; returns its address. */
static long user_put(struct user_program *p, struct wasm_agent_cmd *c)
{
	unsigned long align = c->flags ? c->flags : 8, at;

	if (align & (align - 1) || align > PAGE_SIZE)
		return -EINVAL;
	at = ALIGN(p->heap_used, align);
	if (!p->heap || at + c->len > p->heap_size) {
		/* The program calls mmap for more heap, as malloc would. */
		unsigned long size = max_t(unsigned long, USER_HEAP_CHUNK, PAGE_ALIGN(c->len));
		u64 args[6] = { 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 };
		long addr = wasm_syscall(__NR_mmap2, args);

		if (IS_ERR_VALUE(addr))
			return addr;
		p->heap = addr;
		p->heap_size = size;
		at = 0;
	}
	if (copy_to_user((void __user *)(p->heap + at), (void *)(unsigned long)c->buf, c->len))
		return -EFAULT;
	p->heap_used = at + c->len;
	return p->heap + at;
}

/*
 * SYSCALL with c->mode = n > 0: the n-th fault point (should_fail(): slab,
 * page allocation, usercopy) this task reaches inside the call fails, as
 * syzkaller's fail-nth does through /proc/thread-self/fail-nth, but set
 * exactly at the call's entry. Before the result, reports event 2: the
 * count left (0: the fault was injected; otherwise the call reached fewer
 * than n fault points). The count never outlives the call.
 */
static long user_syscall_fail_nth(struct wasm_agent_cmd *c)
{
#ifdef CONFIG_FAULT_INJECTION
	long ret;

	WRITE_ONCE(current->fail_nth, c->mode);
	ret = wasm_syscall(c->flags, c->args);
	host_agent_report(c->id, 2, READ_ONCE(current->fail_nth));
	WRITE_ONCE(current->fail_nth, 0);
	return ret;
#else
	return -EOPNOTSUPP;
#endif
}

static long user_exec(struct user_program *p, struct wasm_agent_cmd *c)
{
	long ret = 0;
	u64 n;

	switch (c->op) {
	case AGENT_NOP:
		return 0;
	case AGENT_SYSCALL:
		if (c->mode)
			return user_syscall_fail_nth(c);
		/* c->len > 1: the same call that many times (a benchmark loop in user space) */
		for (n = 0; n < max_t(u64, c->len, 1); n++)
			ret = wasm_syscall(c->flags, c->args);
		return ret;
	case AGENT_USER_READ:
		return user_copy(c, false);
	case AGENT_USER_WRITE:
		return user_copy(c, true);
	case AGENT_USER_TOUCH:
		return user_touch(c);
	case AGENT_USER_PUT:
		return user_put(p, c);
	}
	return -EINVAL;
}

/*
 * The user program: wait for a command (sleeping interruptibly, as user
 * space is interruptible: pending signals and task_work are handled at
 * once, as the kernel does when it interrupts user code), run it, report.
 */
static void wasm_user_program(void)
{
	unsigned int queue = current->thread.tp;
	struct pt_regs *regs = current_pt_regs();
	struct user_program *p = kzalloc(sizeof(*p), GFP_KERNEL);
	struct wasm_agent_cmd *c = p ? &p->cmd : NULL;

	if (!p)
		do_exit(SIGKILL);
	for (;;) {
		DEFINE_WAIT(wait);
		long ret;

		wasm_exit_to_user_mode(regs, false);
		prepare_to_wait(&wasm_agent_wq, &wait, TASK_INTERRUPTIBLE);
		if (!host_agent_pending(queue) && !wasm_exit_work_pending())
			schedule();
		finish_wait(&wasm_agent_wq, &wait);
		if (!host_agent_fetch(queue, c))
			continue;
		ret = user_exec(p, c);
		wasm_exit_to_user_mode(regs, false);
		host_agent_report(c->id, 0, ret);
	}
}

/* /user: exec'ing it makes the task run wasm_user_program in user mode. */
static const char user_magic[] = "\177DIOSCOPE-USER\n";

static struct linux_binfmt user_format;

static int user_load_binary(struct linux_binprm *bprm)
{
	int ret;

	if (memcmp(bprm->buf, user_magic, sizeof(user_magic) - 1))
		return -ENOEXEC;
	ret = begin_new_exec(bprm);
	if (ret)
		return ret;
	setup_new_exec(bprm);
	ret = setup_arg_pages(bprm, STACK_TOP, EXSTACK_DISABLE_X);
	if (ret)
		return ret;
	set_binfmt(&user_format);
	finalize_exec(bprm);
	start_thread(current_pt_regs(), (unsigned long)wasm_user_program, bprm->p);
	return 0;
}

static struct linux_binfmt user_format = {
	.module		= THIS_MODULE,
	.load_binary	= user_load_binary,
};

struct user_start {
	unsigned int queue;
	char comm[TASK_COMM_LEN];
};

/* The new process's first kernel code (a user-mode thread): exec /user. */
static int user_start(void *arg)
{
	static const char *const argv[] = { "/user", NULL };
	static const char *const envp[] = { "HOME=/", NULL };
	struct user_start s = *(struct user_start *)arg;
	int ret;

	kfree(arg);
	current->thread.tp = s.queue;
	ret = kernel_execve(argv[0], argv, envp);
	if (ret)
		return ret;
	set_task_comm(current, s.comm);
	return 0;
}

long wasm_user_spawn(struct wasm_agent_cmd *c)
{
	struct user_start *s = kzalloc(sizeof(*s), GFP_KERNEL);
	pid_t pid;

	if (!s)
		return -ENOMEM;
	s->queue = c->fd;
	strscpy(s->comm, c->str[0] ? c->str : "user", sizeof(s->comm));
	pid = user_mode_thread(user_start, s, SIGCHLD);
	if (pid < 0)
		kfree(s);
	return pid;
}

static int __init user_register(void)
{
	register_binfmt(&user_format);
	return 0;
}
core_initcall(user_register);

static int __init user_make_file(void)
{
	return wasm_agent_make_exec("/user", user_magic);
}
late_initcall(user_make_file);
