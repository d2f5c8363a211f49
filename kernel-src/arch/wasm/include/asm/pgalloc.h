/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_PGALLOC_H
#define _ASM_WASM_PGALLOC_H
#include <linux/mm.h>
#define __HAVE_ARCH_PGD_FREE
#include <asm-generic/pgalloc.h>

static inline void pmd_populate_kernel(struct mm_struct *mm, pmd_t *pmd, pte_t *pte)
{
	set_pmd(pmd, __pmd(__pa(pte)));
}

static inline void pmd_populate(struct mm_struct *mm, pmd_t *pmd, pgtable_t pte)
{
	set_pmd(pmd, __pmd(page_to_pfn(pte) << PAGE_SHIFT));
}

pgd_t *pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm, pgd_t *pgd);

#define __pte_free_tlb(tlb, pte, addr)	tlb_remove_page((tlb), (pte))
#endif
