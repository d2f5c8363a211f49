/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_MMU_CONTEXT_H
#define _ASM_WASM_MMU_CONTEXT_H
/* The page-table walk always uses current->mm: switching needs no work. */
static inline void switch_mm(struct mm_struct *prev, struct mm_struct *next,
			     struct task_struct *tsk)
{
}
#include <asm-generic/mm_hooks.h>
#include <asm-generic/mmu_context.h>
#endif
