/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_PGALLOC_H
#define _ASM_WASM_PGALLOC_H
#include <linux/mm.h>
#include <linux/version.h>
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

/*
 * A PTE page freed through the mmu_gather (exit_mmap, free_pgtables) must
 * lose its page-table state (PageTable, the split ptlock) first, as
 * pte_free() does, or the page allocator finds a bad page on free. Since
 * 6.14 tlb_remove_table() runs the destructor itself; 6.5-6.13 name it
 * pagetable_pte_dtor() on a ptdesc; before 6.5 pgtable_pte_page_dtor().
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#define __pte_free_tlb(tlb, pte, addr)	tlb_remove_ptdesc((tlb), page_ptdesc(pte))
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define __pte_free_tlb(tlb, pte, addr)				\
do {								\
	pagetable_pte_dtor(page_ptdesc(pte));			\
	tlb_remove_page_ptdesc((tlb), page_ptdesc(pte));	\
} while (0)
#else
#define __pte_free_tlb(tlb, pte, addr)				\
do {								\
	pgtable_pte_page_dtor(pte);				\
	tlb_remove_page((tlb), (pte));				\
} while (0)
#endif
#endif
