/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The wasm machine uses the generic system call numbers (a 32-bit arch:
 * mmap2, fcntl64, ftruncate64, llseek, ...). Like arm and i386 it keeps the
 * 32-bit-time calls, so io_getevents is the call that the 2006-era programs
 * use. No include guard: the syscall table includes this file a second time
 * with __SYSCALL defined (arch/wasm/kernel/syscall.c).
 */
#define __ARCH_WANT_STAT64
#define __ARCH_WANT_SET_GET_RLIMIT
#define __ARCH_WANT_TIME32_SYSCALLS
#define __ARCH_WANT_SYS_CLONE
#define __ARCH_WANT_SYS_CLONE3

#include <asm-generic/unistd.h>
