/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_UACCESS_H
#define _ASM_WASM_UACCESS_H
/*
 * User memory is reached only through current->mm's page tables
 * (arch/wasm/mm/uaccess.c walks them and calls handle_mm_fault() on a miss,
 * unless page faults are disabled). All return the bytes NOT copied.
 */
#include <linux/types.h>
unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long raw_copy_to_user(void __user *to, const void *from, unsigned long n);
/* asm-generic's default would memset the user address as a kernel address. */
unsigned long __clear_user(void __user *to, unsigned long n);
#define __clear_user __clear_user

/*
 * Kernel addresses are linear-memory addresses, never in a user page table:
 * the nofault accessors read them directly (linux/uaccess.h's default would
 * walk current->mm with a kernel address), failing outside the RAM the
 * kernel owns as a bad access would.
 */
bool wasm_kernel_range_ok(const void *addr, unsigned long n);
#define __get_kernel_nofault(dst, src, type, err_label)			\
do {									\
	if (!wasm_kernel_range_ok((src), sizeof(type)))			\
		goto err_label;						\
	__builtin_memcpy((void *)(dst), (const void *)(src), sizeof(type)); \
} while (0)
#define __put_kernel_nofault(dst, src, type, err_label)			\
do {									\
	if (!wasm_kernel_range_ok((dst), sizeof(type)))			\
		goto err_label;						\
	__builtin_memcpy((void *)(dst), (const void *)(src), sizeof(type)); \
} while (0)

#include <asm-generic/uaccess.h>
#endif
