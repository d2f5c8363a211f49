// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario agent. PID 1 execs /init, a file this agent creates at boot
 * and runs through its own binfmt; its "user program" is the agent loop
 * (see wasm_task_entry), so PID 1 has finished kernel_init like on any
 * machine. Agent task 0 is PID 1; SPAWN makes more agent tasks (kernel
 * threads). Each task waits for commands from the host (a doorbell
 * interrupt wakes them), runs them through the real VFS — ->read_iter and
 * ->write_iter with a kiocb, synchronous or asynchronous like the loop
 * driver and AIO — and reports every result with host_agent_report().
 */
#include <linux/binfmts.h>
#include <linux/bvec.h>
#include <linux/cpumask.h>
#include <linux/falloc.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/loop.h>
#include <linux/fs.h>
#include <linux/hardirq.h>
#include <linux/init.h>
#include <linux/init_syscalls.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <asm/wasm_irq_entry.h>
#include <asm/wasm_host.h>
#include "agent.h"

#define AGENT_ASYNC		1	/* READ/WRITE flags: asynchronous kiocb */
#define AGENT_PENDING		LONG_MIN	/* exec result: the report comes later (never a value or errno) */
#define AGENT_MAX_FILES		64

DECLARE_WAIT_QUEUE_HEAD(wasm_agent_wq);
static DEFINE_SPINLOCK(agent_files_lock);
static struct file *agent_files[AGENT_MAX_FILES];

/* Host entry point: commands are queued (an interrupt on this CPU). */
void wasm_agent_doorbell(void)
{
	bool was_enabled = wasm_irq_entry();

	irq_enter();
	wake_up_all(&wasm_agent_wq);
	irq_exit();
	wasm_irq_return(was_enabled);
}

static struct file *agent_file(int fd)
{
	struct file *f = NULL;

	spin_lock(&agent_files_lock);
	if (fd >= 0 && fd < AGENT_MAX_FILES)
		f = agent_files[fd];
	if (f)
		get_file(f);
	spin_unlock(&agent_files_lock);
	return f;
}

static long agent_open(struct wasm_agent_cmd *c)
{
	struct file *f = filp_open(c->path, c->flags, c->mode);
	int fd;

	if (IS_ERR(f))
		return PTR_ERR(f);
	spin_lock(&agent_files_lock);
	for (fd = 0; fd < AGENT_MAX_FILES; fd++)
		if (!agent_files[fd]) {
			agent_files[fd] = f;
			break;
		}
	spin_unlock(&agent_files_lock);
	if (fd == AGENT_MAX_FILES) {
		fput(f);
		return -EMFILE;
	}
	return fd;
}

static long agent_close(int fd)
{
	struct file *f = NULL;

	spin_lock(&agent_files_lock);
	if (fd >= 0 && fd < AGENT_MAX_FILES) {
		f = agent_files[fd];
		agent_files[fd] = NULL;
	}
	spin_unlock(&agent_files_lock);
	return f ? filp_close(f, NULL) : -EBADF;
}

/* One read or write through the file's ->read_iter/->write_iter. */
struct agent_rw {
	struct kiocb iocb;
	struct bio_vec *bvec;
	u32 cmd_id;
	bool write;
};

static void agent_rw_free(struct agent_rw *rw)
{
	if (rw->write)
		kiocb_end_write(&rw->iocb);
	fput(rw->iocb.ki_filp);
	kfree(rw->bvec);
	kfree(rw);
}

/* ki_complete of asynchronous commands: may run in interrupt context. */
static void agent_rw_complete(struct kiocb *iocb, long ret)
{
	struct agent_rw *rw = container_of(iocb, struct agent_rw, iocb);

	host_agent_report(rw->cmd_id, 1, ret);
	agent_rw_free(rw);
}

static long agent_rw(struct wasm_agent_cmd *c, bool write)
{
	unsigned long addr = c->buf, end = c->buf + c->len;
	unsigned int nr = DIV_ROUND_UP(end, PAGE_SIZE) - addr / PAGE_SIZE, i = 0;
	struct agent_rw *rw;
	struct iov_iter iter;
	struct file *f;
	long ret;

	if (!c->len || !addr)
		return -EINVAL;
	f = agent_file(c->fd);
	if (!f)
		return -EBADF;
	rw = kzalloc(sizeof(*rw), GFP_KERNEL);
	if (rw)
		rw->bvec = kcalloc(nr, sizeof(*rw->bvec), GFP_KERNEL);
	if (!rw || !rw->bvec) {
		kfree(rw);
		fput(f);
		return -ENOMEM;
	}
	while (addr < end) {
		unsigned int off = offset_in_page(addr);
		unsigned int len = min_t(unsigned long, PAGE_SIZE - off, end - addr);

		rw->bvec[i].bv_page = virt_to_page((void *)addr);
		rw->bvec[i].bv_len = len;
		rw->bvec[i].bv_offset = off;
		i++;
		addr += len;
	}
	iov_iter_bvec(&iter, write ? WRITE : READ, rw->bvec, nr, c->len);

	init_sync_kiocb(&rw->iocb, f);
	rw->iocb.ki_pos = c->off;
	rw->cmd_id = c->id;
	rw->write = write;
	if (c->flags & AGENT_ASYNC)
		rw->iocb.ki_complete = agent_rw_complete;
	if (write) {
		/* As AIO does: freeze protection held until completion. */
		rw->iocb.ki_flags |= IOCB_WRITE;
		kiocb_start_write(&rw->iocb);
		ret = f->f_op->write_iter(&rw->iocb, &iter);
	} else {
		ret = f->f_op->read_iter(&rw->iocb, &iter);
	}
	if (!(c->flags & AGENT_ASYNC)) {
		agent_rw_free(rw);
		return ret;
	}
	host_agent_report(c->id, 0, ret);
	if (ret != -EIOCBQUEUED)
		agent_rw_complete(&rw->iocb, ret);	/* as aio_rw_done() does */
	return AGENT_PENDING;
}

static long agent_with_file(struct wasm_agent_cmd *c)
{
	struct file *f = agent_file(c->fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	switch (c->op) {
	case AGENT_FSYNC:
		ret = vfs_fsync(f, c->flags);
		break;
	case AGENT_TRUNCATE:
		ret = vfs_truncate(&f->f_path, c->len);
		break;
	case AGENT_FALLOCATE:
		ret = vfs_fallocate(f, c->mode, c->off, c->len);
		break;
	case AGENT_DROP_CACHE:
		/* What drop_caches does, for one file: write back, then drop clean pages. */
		ret = filemap_write_and_wait(f->f_mapping);
		if (!ret)
			invalidate_mapping_pages(f->f_mapping, 0, -1);
		break;
	}
	fput(f);
	return ret;
}

static int agent_task(void *arg);

static long agent_spawn(struct wasm_agent_cmd *c)
{
	struct task_struct *t;

	t = kthread_create(agent_task, (void *)(unsigned long)c->fd, "%s", c->str);
	if (IS_ERR(t))
		return PTR_ERR(t);
	wake_up_process(t);
	return task_pid_nr(t);
}

/*
 * LOOP_ATTACH: a free loop device (from /dev/loop-control, as losetup -f
 * does) over the file c->path2, with direct I/O when flags & 1 (the loop
 * driver then reads and writes the file with asynchronous kiocbs:
 * lo_rw_aio). LOOP_SET_FD takes a descriptor of this task, then
 * LOOP_SET_DIRECT_IO. Returns the loop device's number.
 */
static long agent_loop_attach(struct wasm_agent_cmd *c)
{
	struct file *ctl, *lo, *backing;
	char name[32];
	long nr, ret;
	int fd;

	ctl = filp_open("/dev/loop-control", O_RDWR, 0);
	if (IS_ERR(ctl))
		return PTR_ERR(ctl);
	nr = ctl->f_op->unlocked_ioctl(ctl, LOOP_CTL_GET_FREE, 0);
	fput(ctl);
	if (nr < 0)
		return nr;
	snprintf(name, sizeof(name), "/dev/loop%ld", nr);
	lo = filp_open(name, O_RDWR, 0);
	if (IS_ERR(lo))
		return PTR_ERR(lo);
	backing = filp_open(c->path2, O_RDWR, 0);
	if (IS_ERR(backing)) {
		fput(lo);
		return PTR_ERR(backing);
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		fput(backing);
		fput(lo);
		return fd;
	}
	fd_install(fd, backing);
	ret = lo->f_op->unlocked_ioctl(lo, LOOP_SET_FD, fd);
	if (!ret && (c->flags & 1))
		ret = lo->f_op->unlocked_ioctl(lo, LOOP_SET_DIRECT_IO, 1);
	close_fd(fd);
	fput(lo);
	return ret ? ret : nr;
}

static long agent_exec(struct wasm_agent_cmd *c)
{
	switch (c->op) {
	case AGENT_NOP:
		return 0;
	case AGENT_LOOP_ATTACH:
		return agent_loop_attach(c);
	case AGENT_SPAWN:
		return agent_spawn(c);
	case AGENT_MKDIR:
		return init_mkdir(c->path, c->mode);
	case AGENT_MOUNT:
		return init_mount(c->path, c->path2, c->str[0] ? c->str : NULL,
				  c->flags, c->str[64] ? &c->str[64] : NULL);
	case AGENT_UMOUNT:
		return init_umount(c->path, c->flags);
	case AGENT_OPEN:
		return agent_open(c);
	case AGENT_CLOSE:
		return agent_close(c->fd);
	case AGENT_ALLOC: {
		void *p = alloc_pages_exact(c->len, GFP_KERNEL | __GFP_ZERO);

		return p ? (long)(unsigned long)p : -ENOMEM;
	}
	case AGENT_FREE:
		free_pages_exact((void *)(unsigned long)c->buf, c->len);
		return 0;
	case AGENT_READ:
		return agent_rw(c, false);
	case AGENT_WRITE:
		return agent_rw(c, true);
	case AGENT_FSYNC:
	case AGENT_TRUNCATE:
	case AGENT_FALLOCATE:
	case AGENT_DROP_CACHE:
		return agent_with_file(c);
	case AGENT_SYNC:
		ksys_sync();
		return 0;
	case AGENT_PIN_CPU:
		return set_cpus_allowed_ptr(current, cpumask_of(c->flags));
	case AGENT_USER_SPAWN:
		return wasm_user_spawn(c);
	}
	return -EINVAL;
}

/* The loop of every agent task: wait for a command, run it, report. */
static int agent_task(void *arg)
{
	unsigned int id = (unsigned long)arg;
	struct wasm_agent_cmd *c = kmalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	for (;;) {
		long ret;

		wait_event_idle(wasm_agent_wq, host_agent_pending(id));
		if (!host_agent_fetch(id, c))
			continue;
		ret = agent_exec(c);
		/* The exit-to-user work a system call would end with (deferred fput). */
		if (task_work_pending(current))
			task_work_run();
		if (ret != AGENT_PENDING)
			host_agent_report(c->id, 0, ret);
	}
	return 0;
}

extern void (*wasm_init_user_mode)(void);

static void agent_pid1(void)
{
	host_agent_ready();
	agent_task((void *)0UL);
}

/* /init: a file whose only content is this magic; exec'ing it runs the agent. */
static const char agent_magic[] = "\177DIOSCOPE-AGENT\n";

static int agent_load_binary(struct linux_binprm *bprm)
{
	int ret;

	if (memcmp(bprm->buf, agent_magic, sizeof(agent_magic) - 1))
		return -ENOEXEC;
	ret = begin_new_exec(bprm);
	if (ret)
		return ret;
	setup_new_exec(bprm);
	finalize_exec(bprm);
	wasm_init_user_mode = agent_pid1;
	return 0;
}

static struct linux_binfmt agent_format = {
	.module		= THIS_MODULE,
	.load_binary	= agent_load_binary,
};

static int __init agent_register(void)
{
	register_binfmt(&agent_format);
	return 0;
}
core_initcall(agent_register);

/*
 * An executable holding only `magic`, made at boot (in PID 1, before it
 * looks for /init: kernel_init_freeable); exec'ing it runs a binfmt's program.
 */
int __init wasm_agent_make_exec(const char *path, const char *magic)
{
	struct file *f = filp_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, magic, strlen(magic), &pos);
	fput(f);
	task_work_run();	/* the deferred fput: the file must not stay open for writing */
	return n < 0 ? n : 0;
}

static int __init agent_make_init(void)
{
	return wasm_agent_make_exec("/init", agent_magic);
}
late_initcall(agent_make_init);
