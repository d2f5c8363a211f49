/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_UACCESS_H
#define _ASM_WASM_UACCESS_H
/*
 * User memory is reached only through current->mm's page tables
 * (arch/wasm/mm/uaccess.c walks them and calls handle_mm_fault() on a miss,
 * unless page faults are disabled). Both return the bytes NOT copied.
 */
#include <linux/types.h>
unsigned long raw_copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long raw_copy_to_user(void __user *to, const void *from, unsigned long n);
#include <asm-generic/uaccess.h>
#endif
