/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_SPINLOCK_TYPES_H
#define _ASM_WASM_SPINLOCK_TYPES_H
#include <linux/types.h>
/* The word is written only by the host: 0 free, else holder CPU + 1. */
typedef struct { volatile u32 lock; } arch_spinlock_t;
#define __ARCH_SPIN_LOCK_UNLOCKED	{ 0 }
/* 0 free, 0x80000000 a writer, else the number of readers. */
typedef struct { volatile u32 lock; } arch_rwlock_t;
#define __ARCH_RW_LOCK_UNLOCKED		{ 0 }
#endif
