/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_LINKAGE_H
#define _ASM_WASM_LINKAGE_H

#define __ALIGN		.balign 4
#define __ALIGN_STR	".balign 4"

/*
 * Wasm code has no addresses and no frame chain: return addresses and
 * "this IP" are hard errors in clang. Report 0 ("unknown"), which every user
 * of _RET_IP_/_THIS_IP_ (lockdep, tracing, WARN) accepts.
 */
#define __builtin_return_address(n)	((void *)0)
#define _THIS_IP_			0UL

/*
 * cond_syscall()'s .weak/.set asm crashes clang 19 for wasm. Syscalls that
 * are configured out are resolved by the syscall table instead.
 */
#define cond_syscall(x)
#define SYSCALL_ALIAS(alias, name)

#endif
