/*
 * Seed 002's reproducer: the program in the mail (btrfs: fallback to blocking
 * mode when doing async dio over multiple extents, upstream ca93e44bfb5f),
 * with the lines the web archive dropped (closing braces, #endif, the start
 * of the comments, the first argument of the multi-line fprintf calls) put
 * back. Additions for the benchmark, marked "peer:":
 *  - PEER_LAYOUT in the environment (from the kernel command line, through
 *    init) picks the file's layout: "mail" (default: the mail's two writes in
 *    order, which a fresh btrfs allocates physically contiguous), "reverse"
 *    (the second extent written first, so the two are not contiguous, as
 *    dioscope's scenario does), "evict" (the mail's writes, then the file
 *    closed and the inode evicted, so the read finds no cached extent map);
 *  - the file's extents as FIEMAP reports them, and which pages of the read
 *    buffer are resident before the read (mincore);
 *  - the last printf: a result line the peer benchmark parses
 *    ("REPRO result=bug" when the read came back short or with the wrong
 *    bytes), with the layout, FIEMAP's extent count and the residency.
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
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/*
 * peer: the file's extents as FIEMAP reports them (synced), one PEER-EXTENT
 * line each; returns their count (-1 on error). FIEMAP reports physically
 * contiguous file extents as one: 1 here means the two writes landed side by
 * side on disk, which is also when btrfs merges their extent maps in memory.
 */
#define PEER_MAX_EXTENTS 8
static int peer_extents(const char *path)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[PEER_MAX_EXTENTS];
	} m;
	int fd = open(path, O_RDONLY), i;

	if (fd < 0)
		return -1;
	memset(&m, 0, sizeof(m));
	m.fm.fm_length = FIEMAP_MAX_OFFSET;
	m.fm.fm_flags = FIEMAP_FLAG_SYNC;
	m.fm.fm_extent_count = PEER_MAX_EXTENTS;
	if (ioctl(fd, FS_IOC_FIEMAP, &m.fm)) {
		close(fd);
		return -1;
	}
	close(fd);
	for (i = 0; i < (int)m.fm.fm_mapped_extents; i++)
		printf("PEER-EXTENT %d logical=%llu physical=%llu length=%llu flags=0x%x\n", i,
		       (unsigned long long)m.fm.fm_extents[i].fe_logical,
		       (unsigned long long)m.fm.fm_extents[i].fe_physical,
		       (unsigned long long)m.fm.fm_extents[i].fe_length,
		       m.fm.fm_extents[i].fe_flags);
	return m.fm.fm_mapped_extents;
}

/* peer: evicts the file's inode (and with it its cached extent maps). */
static int peer_evict(int fd)
{
	int dc;

	close(fd);
	sync();
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc < 0 || write(dc, "3", 1) != 1)
		return -1;
	close(dc);
	return 0;
}

/* peer: residency of the read buffer's pages, "10" = page 0 resident, page 1 not. */
static void peer_resident(void *buf, long len, long pagesize, char *out)
{
	unsigned char vec[16];
	long i, n = len / pagesize;

	if (n > 15 || mincore(buf, len, vec)) {
		strcpy(out, "?");
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = (vec[i] & 1) ? '1' : '0';
	out[n] = 0;
}

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
	/* peer: the layout, the extents, the buffer's residency. */
	const char *layout = getenv("PEER_LAYOUT") ? getenv("PEER_LAYOUT") : "mail";
	int reverse = !strcmp(layout, "reverse"), extents;
	char resident[16];

	if (strcmp(layout, "mail") && !reverse && strcmp(layout, "evict")) {
		printf("REPRO result=error what=PEER_LAYOUT=%s (mail, reverse or evict)\n", layout);
		return 1;
	}

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
		int e = reverse ? 1 - i : i; /* peer: the extent written now */

		ret = pwrite(fd, write_buf + e * pagesize, pagesize,
			     e * pagesize);
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

	/* peer: the layout on disk; with "evict", no cached extent map. */
	if (!strcmp(layout, "evict") && peer_evict(fd)) {
		printf("REPRO result=error what=evict errno=%d\n", errno);
		return 1;
	}
	extents = peer_extents(foo_path);

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
	peer_resident(read_buf, 2 * pagesize, pagesize, resident);

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
	printf("REPRO result=%s res=%d layout=%s extents=%d resident=%s\n",
	       cqe->res != 2 * pagesize || memcmp(read_buf, write_buf, 2 * pagesize) ? "bug" : "ok", cqe->res,
	       layout, extents, resident);

	io_uring_cqe_seen(&ring, cqe);

	return 0;
}
