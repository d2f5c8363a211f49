/*
 * PID 1 of the User-Mode Linux guest of the peer benchmark. The kernel
 * command line gives it (as environment variables, the kernel's way of
 * passing unknown KEY=value parameters to init):
 *   PEER_DEV    the test disk (/dev/ubdb)
 *   PEER_FS     its filesystem type (ext4, btrfs)
 *   PEER_REPRO  the reproducer to run (/repro-001)
 *   PEER_N      how many attempts
 * It mounts the disk on /mnt, runs the reproducer N times (a fresh process
 * per attempt, PEER_ATTEMPT=<i> in its environment, its output on the
 * console), prints one line per attempt and powers the machine off.
 * Lines for the driver start with "PEER-".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UBD_MAJOR 98

static long long now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void power_off(int status)
{
	printf("PEER-DONE status=%d\n", status);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static const char *param(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		printf("PEER-ERROR missing kernel parameter %s\n", name);
		power_off(1);
	}
	return v;
}

/* /dev from devtmpfs; without it, the ubd nodes by hand (ubda = minor 0, ubdb = 16). */
static void make_dev(void)
{
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) == 0)
		return;
	mknod("/dev/ubda", S_IFBLK | 0600, makedev(UBD_MAJOR, 0));
	mknod("/dev/ubdb", S_IFBLK | 0600, makedev(UBD_MAJOR, 16));
	mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1));
}

static int run_attempt(const char *repro, int i)
{
	char attempt[32];
	pid_t pid;
	int status;

	snprintf(attempt, sizeof(attempt), "%d", i);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setenv("PEER_ATTEMPT", attempt, 1);
		execl(repro, repro, "/mnt", (char *)NULL);
		printf("PEER-ERROR exec %s: %s\n", repro, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	const char *dev, *fs, *repro;
	int n, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	make_dev();
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	dev = param("PEER_DEV");
	fs = param("PEER_FS");
	repro = param("PEER_REPRO");
	n = atoi(param("PEER_N"));
	mkdir("/mnt", 0755);
	if (mount(dev, "/mnt", fs, 0, NULL)) {
		printf("PEER-ERROR mount %s (%s) on /mnt: %s\n", dev, fs, strerror(errno));
		power_off(1);
	}
	printf("PEER-BOOTED uptime_us=%lld\n", now_us());
	for (i = 0; i < n; i++) {
		long long t0 = now_us();
		int st = run_attempt(repro, i);
		printf("PEER-ATTEMPT %d exit=%d us=%lld\n", i, st, now_us() - t0);
	}
	if (umount("/mnt"))
		printf("PEER-ERROR umount /mnt: %s\n", strerror(errno));
	power_off(0);
	return 0;
}
