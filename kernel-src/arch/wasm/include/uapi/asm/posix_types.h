/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_ASM_WASM_POSIX_TYPES_H
#define _UAPI_ASM_WASM_POSIX_TYPES_H
/*
 * clang's wasm32 size_t is "unsigned long" (asm-generic picks "unsigned int"
 * on 32-bit); the two must agree or every size_t prototype conflicts.
 */
typedef unsigned long	__kernel_size_t;
typedef long		__kernel_ssize_t;
typedef long		__kernel_ptrdiff_t;
#define __kernel_size_t __kernel_size_t
#include <asm-generic/posix_types.h>
#endif
