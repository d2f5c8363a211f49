/*
 * Seed 001's race as a reviewer would script it from the mail (ext4: drain
 * in-flight DIO before buffered write fallback, upstream 15cdefd0c052): a
 * file without extents laid out [hole][written]; writer A submits an
 * asynchronous O_DIRECT write of the written block (AIO, so its bio is in
 * flight and completes later, in the DIO completion worker); writer B then
 * does an O_DIRECT write spanning both blocks, which falls back to buffered
 * I/O over the hole. If A's completion invalidates the page cache while B's
 * pages are dirty, the kernel prints "Page cache invalidation failure on
 * direct I/O" and sets -EIO on the mapping: the next fsync fails.
 *
 * Usage: repro-001 <directory>, with PEER_ATTEMPT=<n> in the environment
 * (set by the guest's init). The attempt number picks a busy wait between A's submission and B's write (0..190 us in steps of 10), so
 * a run of attempts sweeps the window. Prints one line:
 *   REPRO result=bug|ok fsync=<ret> warn=<0|1> delay_us=<n>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096
#define KLOG_READ_ALL 3
#define KLOG_CLEAR 5
#define STALE_WARNING "Page cache invalidation failure on direct I/O"

static void die(const char *what)
{
	printf("REPRO result=error what=%s errno=%d\n", what, errno);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void spin_us(int us)
{
	long long end = now_ns() + us * 1000LL;
	while (now_ns() < end)
		;
}

static int kernel_warned(void)
{
	static char log[1 << 17];
	int n = klogctl(KLOG_READ_ALL, log, sizeof(log) - 1);
	if (n < 0)
		return 0;
	log[n] = 0;
	return strstr(log, STALE_WARNING) != NULL;
}

int main(int argc, char *argv[])
{
	char path[4096];
	void *a_buf, *b_buf, *init_buf;
	aio_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	int fd, fda, fdb, delay, ret;

	if (argc != 2) {
		fprintf(stderr, "Use: PEER_ATTEMPT=<n> %s <directory>\n", argv[0]);
		return 2;
	}
	delay = (atoi(getenv("PEER_ATTEMPT") ? getenv("PEER_ATTEMPT") : "0") % 20) * 10;
	snprintf(path, sizeof(path), "%s/f", argv[1]);
	if (posix_memalign(&a_buf, BLOCK, BLOCK) || posix_memalign(&b_buf, BLOCK, 2 * BLOCK) ||
	    posix_memalign(&init_buf, BLOCK, BLOCK))
		die("posix_memalign");
	memset(init_buf, 0x22, BLOCK);
	memset(a_buf, 0xaa, BLOCK);
	memset(b_buf, 0xbb, 2 * BLOCK);

	/* [hole][written]: block 1 written and synced, block 0 never written. */
	unlink(path);
	fd = open(path, O_CREAT | O_RDWR, 0644);
	if (fd < 0)
		die("create");
	if (pwrite(fd, init_buf, BLOCK, BLOCK) != BLOCK || fsync(fd))
		die("initial write");
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	klogctl(KLOG_CLEAR, NULL, 0);

	fda = open(path, O_RDWR | O_DIRECT);
	fdb = open(path, O_RDWR | O_DIRECT);
	if (fda < 0 || fdb < 0)
		die("open");
	if (syscall(SYS_io_setup, 1, &ctx))
		die("io_setup");
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fda;
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	cb.aio_buf = (unsigned long)a_buf;
	cb.aio_nbytes = BLOCK;
	cb.aio_offset = BLOCK;

	/* A: the in-flight DIO; B: the DIO spanning the hole (buffered fallback). */
	if (syscall(SYS_io_submit, ctx, 1, cbs) != 1)
		die("io_submit");
	spin_us(delay);
	if (pwrite(fdb, b_buf, 2 * BLOCK, 0) != 2 * BLOCK)
		die("pwrite B");
	if (syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) != 1)
		die("io_getevents");
	ret = fsync(fdb) ? -errno : 0;
	int warned = kernel_warned();
	printf("REPRO result=%s fsync=%d warn=%d delay_us=%d aio_res=%lld\n",
	       ret == -EIO || warned ? "bug" : "ok", ret, warned, delay, (long long)ev.res);
	syscall(SYS_io_destroy, ctx);
	close(fda);
	close(fdb);
	return 0;
}
