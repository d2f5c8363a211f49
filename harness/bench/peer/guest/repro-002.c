/*
 * Seed 002's reproducer: the program in the mail (btrfs: fallback to blocking
 * mode when doing async dio over multiple extents, upstream ca93e44bfb5f),
 * with the lines the web archive dropped (closing braces, #endif, the start
 * of the comments, the first argument of the multi-line fprintf calls) put
 * back. The one addition is the last printf: a result line the peer
 * benchmark parses ("REPRO result=bug" when the read came back short or with
 * the wrong bytes).
 */
/* Get O_DIRECT */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <string.h>
#include <liburing.h>

int main(int argc, char *argv[])
{
	char *foo_path;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct iovec iovec;
	int fd;
	long pagesize;
	void *write_buf;
	void *read_buf;
	ssize_t ret;
	int i;

	if (argc != 2) {
		fprintf(stderr, "Use: %s <directory>\n", argv[0]);
		return 1;
	}

	foo_path = malloc(strlen(argv[1]) + 5);
	if (!foo_path) {
		fprintf(stderr, "Failed to allocate memory for file path\n");
		return 1;
	}
	strcpy(foo_path, argv[1]);
	strcat(foo_path, "/foo");

	/*
	 * Create file foo with 2 extents, each with a size matching
	 * the page size. Then allocate a buffer to read both extents
	 * with io_uring, using O_DIRECT and IOCB_NOWAIT. Before doing
	 * the read with io_uring, access the first page of the buffer
	 * to fault it in, so that during the read we only trigger a
	 * page fault when accessing the second page of the buffer.
	 */
	fd = open(foo_path, O_CREAT | O_TRUNC | O_WRONLY |
		  O_DIRECT, 0666);
	if (fd == -1) {
		fprintf(stderr,
			"Failed to create file 'foo': %s (errno %d)",
			strerror(errno), errno);
		return 1;
	}

	pagesize = sysconf(_SC_PAGE_SIZE);
	ret = posix_memalign(&write_buf, pagesize, 2 * pagesize);
	if (ret) {
		fprintf(stderr, "Failed to allocate write buffer\n");
		return 1;
	}

	memset(write_buf, 0xab, pagesize);
	memset(write_buf + pagesize, 0xcd, pagesize);

	/* Create 2 extents, each with a size matching page size. */
	for (i = 0; i < 2; i++) {
		ret = pwrite(fd, write_buf + i * pagesize, pagesize,
			     i * pagesize);
		if (ret != pagesize) {
			fprintf(stderr,
				"Failed to write to file, ret = %ld errno %d (%s)\n",
				ret, errno, strerror(errno));
			return 1;
		}
		ret = fsync(fd);
		if (ret != 0) {
			fprintf(stderr, "Failed to fsync file\n");
			return 1;
		}
	}

	fd = open(foo_path, O_RDONLY | O_DIRECT);
	if (fd == -1) {
		fprintf(stderr,
			"Failed to open file 'foo': %s (errno %d)",
			strerror(errno), errno);
		return 1;
	}

	ret = posix_memalign(&read_buf, pagesize, 2 * pagesize);
	if (ret) {
		fprintf(stderr, "Failed to allocate read buffer\n");
		return 1;
	}

	/*
	 * Fault in only the first page of the read buffer.
	 * We want to trigger a page fault for the 2nd page of the
	 * read buffer during the read operation with io_uring
	 */
	memset(read_buf, 0, 1);

	ret = io_uring_queue_init(1, &ring, 0);
	if (ret != 0) {
		fprintf(stderr, "Failed to create io_uring queue\n");
		return 1;
	}

	sqe = io_uring_get_sqe(&ring);
	if (!sqe) {
		fprintf(stderr, "Failed to get io_uring sqe\n");
		return 1;
	}

	iovec.iov_base = read_buf;
	iovec.iov_len = 2 * pagesize;
	io_uring_prep_readv(sqe, fd, &iovec, 1, 0);

	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret != 1) {
		fprintf(stderr,
			"Failed at io_uring_submit_and_wait()\n");
		return 1;
	}

	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0) {
		fprintf(stderr, "Failed at io_uring_wait_cqe()\n");
		return 1;
	}

	printf("io_uring read result for file foo:\n\n");
	printf(" cqe->res == %d (expected %d)\n", cqe->res, 2 * pagesize);
	printf(" memcmp(read_buf, write_buf) == %d (expected 0)\n",
	       memcmp(read_buf, write_buf, 2 * pagesize));

	/* Added for the benchmark: one line its driver parses. */
	printf("REPRO result=%s res=%d\n",
	       cqe->res != 2 * pagesize || memcmp(read_buf, write_buf, 2 * pagesize) ? "bug" : "ok", cqe->res);

	io_uring_cqe_seen(&ring, cqe);

	return 0;
}
