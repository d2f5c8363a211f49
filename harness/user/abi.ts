// The user-space ABI of the wasm machine: the generic (asm-generic/unistd.h)
// system call numbers of a 32-bit arch, the flag values and the layouts of
// the structures user tasks pass to the kernel (wasm32: 4-byte pointers and
// longs, little-endian). These numbers are the kernel's stable ABI, the
// same in 6.1 and 6.12 (tests/user.test.ts checks them against the tree).

/** System call numbers (32-bit names: mmap2, ftruncate64, llseek; io_getevents is the 32-bit-time call). */
export const NR = {
  io_setup: 0, io_destroy: 1, io_submit: 2, io_cancel: 3, io_getevents: 4,
  dup: 23, fcntl64: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, ftruncate64: 46, fallocate: 47,
  openat: 56, close: 57, llseek: 62, read: 63, write: 64, readv: 65, writev: 66,
  pread64: 67, pwrite64: 68, preadv: 69, pwritev: 70, sync: 81, fsync: 82, fdatasync: 83,
  exit: 93, exit_group: 94, nanosleep: 101, sched_setaffinity: 122, sched_yield: 124, kill: 129, prctl: 167,
  getpid: 172, gettid: 178, munmap: 215, clone: 220, mmap2: 222, mprotect: 226, mincore: 232, madvise: 233,
  io_pgetevents: 292, preadv2: 286, pwritev2: 287, io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
} as const;
export type SyscallName = keyof typeof NR;

export const AT_FDCWD = -100;
/** Errors as a call returns them (negative errno). */
export const ERR = { EIO: -5, EAGAIN: -11, EEXIST: -17 } as const;
export const O = { RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, EXCL: 0o200, TRUNC: 0o1000, APPEND: 0o2000, DSYNC: 0o10000, DIRECT: 0o40000, LARGEFILE: 0o100000, NOATIME: 0o1000000 } as const;
export const PROT = { NONE: 0, READ: 1, WRITE: 2, EXEC: 4 } as const;
export const MAP = { SHARED: 1, PRIVATE: 2, FIXED: 0x10, ANONYMOUS: 0x20, POPULATE: 0x8000 } as const;
export const MADV = { NORMAL: 0, RANDOM: 1, SEQUENTIAL: 2, WILLNEED: 3, DONTNEED: 4, FREE: 8, REMOVE: 9, PAGEOUT: 21 } as const;
export const FALLOC = { KEEP_SIZE: 1, PUNCH_HOLE: 2, ZERO_RANGE: 0x10 } as const;
/** preadv2/pwritev2 and io_uring/AIO rw_flags. */
export const RWF = { HIPRI: 1, DSYNC: 2, SYNC: 4, NOWAIT: 8, APPEND: 16 } as const;
/** clone(2) flags of a thread as libpthread makes one (shares memory, descriptors, fs context and signal handlers; its own TLS). */
export const CLONE = { VM: 0x100, FS: 0x200, FILES: 0x400, SIGHAND: 0x800, THREAD: 0x10000, SYSVSEM: 0x40000, SETTLS: 0x80000 } as const;
export const CLONE_THREAD_FLAGS = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM | CLONE.SETTLS;
export const SIG = { KILL: 9, TERM: 15, USR1: 10, CHLD: 17 } as const;
export const PR_SET_NAME = 15;

/** ioctl(2) requests on a file of a filesystem: freeze it, thaw it (_IOWR('X', 119 / 120, int)). */
export const FIFREEZE = 0xc0045877;
export const FITHAW = 0xc0045878;

export const PAGE_SIZE = 4096;

/** Errors come back as values in [-4095, -1]; everything else is a result (addresses as unsigned). */
export function isError(v: number): boolean {
  return v < 0 && v >= -4095;
}

/** struct iovec: { void *iov_base; size_t iov_len } = 8 bytes on wasm32. */
export const IOVEC_SIZE = 8;

// ---------------------------------------------------------------- AIO

export const IOCB_CMD = { PREAD: 0, PWRITE: 1, FSYNC: 2, FDSYNC: 3, POLL: 5, NOOP: 6, PREADV: 7, PWRITEV: 8 } as const;
export const IOCB_FLAG_RESFD = 1;
/** struct iocb (uapi linux/aio_abi.h), 64 bytes. */
export const IOCB = { size: 64, data: 0, key: 8, rwFlags: 12, opcode: 16, reqprio: 18, fildes: 20, buf: 24, nbytes: 32, offset: 40, flags: 56, resfd: 60 } as const;
/** struct io_event: data, obj, res, res2 (u64/s64 each), 32 bytes. */
export const IO_EVENT = { size: 32, data: 0, obj: 8, res: 16, res2: 24 } as const;
/** aio_context_t is an unsigned long: 4 bytes on wasm32. */
export const AIO_CONTEXT_SIZE = 4;
/** struct old_timespec32 { s32 tv_sec; s32 tv_nsec } (io_getevents' timeout, nanosleep's duration). */
export const TIMESPEC32_SIZE = 8;

/** A struct old_timespec32 of `ns` nanoseconds, as the 32-bit-time calls read it. */
export function timespec32(ns: number): Uint8Array {
  const b = new Uint8Array(TIMESPEC32_SIZE);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, Math.floor(ns / 1e9), true);
  dv.setInt32(4, ns % 1e9, true);
  return b;
}

// ---------------------------------------------------------------- io_uring

export const IORING_OP = { NOP: 0, READV: 1, WRITEV: 2, FSYNC: 3, READ_FIXED: 4, WRITE_FIXED: 5, READ: 22, WRITE: 23 } as const;
export const IORING_ENTER_GETEVENTS = 1;
/** io_uring_setup flag: completions are polled for (io_uring_enter reaps by calling the file's ->iopoll), not signalled. */
export const IORING_SETUP_IOPOLL = 1;
export const IORING_FEAT_SINGLE_MMAP = 1;
export const IORING_OFF = { SQ_RING: 0, CQ_RING: 0x8000000, SQES: 0x10000000 } as const;
export const IOSQE = { FIXED_FILE: 1, IO_DRAIN: 2, IO_LINK: 4, IO_HARDLINK: 8, ASYNC: 16 } as const;
/** struct io_uring_sqe, 64 bytes. */
export const SQE = { size: 64, opcode: 0, flags: 1, ioprio: 2, fd: 4, off: 8, addr: 16, len: 24, rwFlags: 28, userData: 32, bufIndex: 40 } as const;
/** struct io_uring_cqe, 16 bytes (no CQE32). */
export const CQE = { size: 16, userData: 0, res: 8, flags: 12 } as const;
/** struct io_uring_params, 120 bytes: sq_off at 40, cq_off at 80. */
export const URING_PARAMS = {
  size: 120, sqEntries: 0, cqEntries: 4, flags: 8, features: 20,
  sqOff: { head: 40, tail: 44, ringMask: 48, ringEntries: 52, flags: 56, dropped: 60, array: 64 },
  cqOff: { head: 80, tail: 84, ringMask: 88, ringEntries: 92, overflow: 96, cqes: 100, flags: 104 },
} as const;
