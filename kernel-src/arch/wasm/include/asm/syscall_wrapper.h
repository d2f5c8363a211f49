/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_SYSCALL_WRAPPER_H
#define _ASM_WASM_SYSCALL_WRAPPER_H
/*
 * System calls on the wasm machine. The syscall table is called with
 * call_indirect, which needs one exact function type for every entry, so
 * every system call is reached through a wrapper taking the task's pt_regs
 * (as on arm64 and riscv): long __wasm_sys_<name>(const struct pt_regs *).
 *
 * The ABI: pt_regs holds the number and six 64-bit argument slots, one slot
 * per C argument. A 64-bit argument (loff_t) takes one slot; there are no
 * register pairs. Calls whose 32-bit prototype splits a position into two
 * words (preadv, pwritev: pos_l, pos_h) take the two words in two slots, as
 * the generic 32-bit table defines them.
 */
#include <asm/ptrace.h>

#define SC_WASM_REGS_TO_ARGS(x, ...)					\
	__MAP(x, __SC_ARGS						\
	      , , regs->args[0], , regs->args[1], , regs->args[2]	\
	      , , regs->args[3], , regs->args[4], , regs->args[5])

#define __SYSCALL_DEFINEx(x, name, ...)						\
	asmlinkage long __wasm_sys##name(const struct pt_regs *regs);		\
	ALLOW_ERROR_INJECTION(__wasm_sys##name, ERRNO);				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));		\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__));	\
	asmlinkage long __wasm_sys##name(const struct pt_regs *regs)		\
	{									\
		return __se_sys##name(SC_WASM_REGS_TO_ARGS(x, __VA_ARGS__));	\
	}									\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))		\
	{									\
		long ret = __do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__));	\
		__MAP(x, __SC_TEST, __VA_ARGS__);				\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));		\
		return ret;							\
	}									\
	static inline long __do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define SYSCALL_DEFINE0(sname)							\
	SYSCALL_METADATA(_##sname, 0);						\
	asmlinkage long __wasm_sys_##sname(const struct pt_regs *__unused);	\
	ALLOW_ERROR_INJECTION(__wasm_sys_##sname, ERRNO);			\
	asmlinkage long __wasm_sys_##sname(const struct pt_regs *__unused)

/* kernel/sys_ni.c: a configured-out call is a weak stub returning -ENOSYS. */
#define COND_SYSCALL(name)							\
	asmlinkage long __weak __wasm_sys_##name(const struct pt_regs *regs);	\
	asmlinkage long __weak __wasm_sys_##name(const struct pt_regs *regs)	\
	{									\
		return sys_ni_syscall();					\
	}

/* 6.1's kernel/time/posix-stubs.c: the POSIX timer calls that are configured out. */
#define SYS_NI(name)								\
	asmlinkage long __wasm_sys_##name(const struct pt_regs *regs);		\
	asmlinkage long __wasm_sys_##name(const struct pt_regs *regs)		\
	{									\
		return sys_ni_posix_timers();					\
	}

asmlinkage long __wasm_sys_ni_syscall(const struct pt_regs *regs);

#endif
