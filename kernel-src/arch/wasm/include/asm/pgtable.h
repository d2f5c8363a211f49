/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_PGTABLE_H
#define _ASM_WASM_PGTABLE_H
/*
 * Two-level page tables for user address spaces, walked in software by
 * arch/wasm/mm/uaccess.c (there is no MMU: kernel addresses are linear
 * memory addresses and never go through these tables). The layout follows
 * the generic 32-bit scheme: 1024 pgd entries of 4 MiB, 1024 ptes of 4 KiB.
 */
#include <asm-generic/pgtable-nopmd.h>
#include <asm/page.h>
#include <linux/version.h>

#define PGDIR_SHIFT		22
#define PGDIR_SIZE		(1UL << PGDIR_SHIFT)
#define PGDIR_MASK		(~(PGDIR_SIZE - 1))
#define PTRS_PER_PGD		1024
#define PTRS_PER_PTE		1024
#define USER_PTRS_PER_PGD	(TASK_SIZE / PGDIR_SIZE)
#define FIRST_USER_ADDRESS	0UL

/* Never used for mappings (vmalloc is served from the direct map), but defined. */
#define VMALLOC_START		0xd0000000UL
#define VMALLOC_END		0xe0000000UL

#define _PAGE_PRESENT		(1UL << 0)
#define _PAGE_RW		(1UL << 1)
#define _PAGE_USER		(1UL << 2)
#define _PAGE_ACCESSED		(1UL << 3)
#define _PAGE_DIRTY		(1UL << 4)
#define _PAGE_SPECIAL		(1UL << 5)
#define _PAGE_EXEC		(1UL << 6)
#define _PAGE_SWP_EXCLUSIVE	(1UL << 7)
#define PFN_PTE_SHIFT		PAGE_SHIFT
#define _PAGE_CHG_MASK		(PAGE_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL)

#define PAGE_NONE		__pgprot(_PAGE_PRESENT | _PAGE_ACCESSED)
#define PAGE_SHARED		__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY		__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY		PAGE_COPY
#define PAGE_KERNEL		__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_KERNEL_RO		__pgprot(_PAGE_PRESENT | _PAGE_ACCESSED)
#define PAGE_KERNEL_EXEC	PAGE_KERNEL

#ifndef __ASSEMBLY__
#include <linux/mm_types.h>

extern pgd_t swapper_pg_dir[PTRS_PER_PGD];
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 1, 0)
/* Since 7.1 mm/mm_init.c defines empty_zero_page and ZERO_PAGE() for every arch. */
extern unsigned long empty_zero_page[PAGE_SIZE / sizeof(unsigned long)];
#define ZERO_PAGE(vaddr)	(virt_to_page(empty_zero_page))
#endif

#define pte_none(pte)		(!(pte_val(pte) & ~_PAGE_SWP_EXCLUSIVE))
#define pte_present(pte)	(pte_val(pte) & _PAGE_PRESENT)
#define pte_pfn(pte)		(pte_val(pte) >> PFN_PTE_SHIFT)
#define pfn_pte(pfn, prot)	__pte(((pfn) << PFN_PTE_SHIFT) | pgprot_val(prot))
#define pte_page(pte)		pfn_to_page(pte_pfn(pte))
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
/* Since 6.16 mk_pte() is a generic inline in linux/mm.h built on pfn_pte(). */
#define mk_pte(page, prot)	pfn_pte(page_to_pfn(page), prot)
#endif

static inline int pte_write(pte_t pte)	{ return pte_val(pte) & _PAGE_RW; }
static inline int pte_dirty(pte_t pte)	{ return pte_val(pte) & _PAGE_DIRTY; }
static inline int pte_young(pte_t pte)	{ return pte_val(pte) & _PAGE_ACCESSED; }
static inline int pte_special(pte_t pte) { return pte_val(pte) & _PAGE_SPECIAL; }
static inline int pte_exec(pte_t pte)	{ return pte_val(pte) & _PAGE_EXEC; }

#define WASM_PTE_SET(name, bits) \
	static inline pte_t pte_##name(pte_t pte) { return __pte(pte_val(pte) | (bits)); }
#define WASM_PTE_CLEAR(name, bits) \
	static inline pte_t pte_##name(pte_t pte) { return __pte(pte_val(pte) & ~(bits)); }
WASM_PTE_SET(mkdirty, _PAGE_DIRTY)
WASM_PTE_SET(mkyoung, _PAGE_ACCESSED)
WASM_PTE_SET(mkspecial, _PAGE_SPECIAL)
WASM_PTE_SET(mkexec, _PAGE_EXEC)
WASM_PTE_SET(mkwrite_novma, _PAGE_RW)
WASM_PTE_CLEAR(mkclean, _PAGE_DIRTY)
WASM_PTE_CLEAR(mkold, _PAGE_ACCESSED)
WASM_PTE_CLEAR(wrprotect, _PAGE_RW)
WASM_PTE_CLEAR(exprotect, _PAGE_EXEC)
#undef WASM_PTE_SET
#undef WASM_PTE_CLEAR
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
/* 6.1 has no pte_mkwrite_novma(): the arch provides pte_mkwrite() itself. */
#define pte_mkwrite(pte)	pte_mkwrite_novma(pte)
#endif

static inline pte_t pte_modify(pte_t pte, pgprot_t prot)
{
	return __pte((pte_val(pte) & _PAGE_CHG_MASK) | pgprot_val(prot));
}

static inline void set_pte(pte_t *ptep, pte_t pte)
{
	*ptep = pte;
}
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define set_pte_at(mm, addr, ptep, pte)	set_pte(ptep, pte)
#endif

static inline void pte_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	set_pte(ptep, __pte(0));
}

/* The pmd level is folded: a pmd entry is the pgd entry, the address of a pte page. */
static inline void set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	*pmdp = pmd;
}
#define pmd_none(pmd)		(!pmd_val(pmd))
#define pmd_bad(pmd)		(pmd_val(pmd) & ~PAGE_MASK)
#define pmd_present(pmd)	(pmd_val(pmd) != 0)
#define pmd_clear(pmdp)		(pmd_val(*(pmdp)) = 0)
#define pmd_page_vaddr(pmd)	((unsigned long)__va(pmd_val(pmd) & PAGE_MASK))
#define pmd_page(pmd)		virt_to_page(pmd_page_vaddr(pmd))
#define pmd_pfn(pmd)		(pmd_val(pmd) >> PAGE_SHIFT)
#define pmd_leaf(pmd)		0
#define pmd_leaf_size(pmd)	PMD_SIZE

/* Swap and migration entries: type in bits 8..12, offset above. */
#define __swp_type(x)		(((x).val >> 8) & 0x1f)
#define __swp_offset(x)		((x).val >> 13)
#define __swp_entry(type, off)	((swp_entry_t) { ((type) << 8) | ((off) << 13) })
#define __pte_to_swp_entry(pte)	((swp_entry_t) { pte_val(pte) & ~_PAGE_SWP_EXCLUSIVE })
#define __swp_entry_to_pte(x)	__pte((x).val)
#define MAX_SWAPFILES_CHECK()	BUILD_BUG_ON(MAX_SWAPFILES_SHIFT > 5)

static inline int pte_swp_exclusive(pte_t pte) { return pte_val(pte) & _PAGE_SWP_EXCLUSIVE; }
static inline pte_t pte_swp_mkexclusive(pte_t pte) { return __pte(pte_val(pte) | _PAGE_SWP_EXCLUSIVE); }
static inline pte_t pte_swp_clear_exclusive(pte_t pte) { return __pte(pte_val(pte) & ~_PAGE_SWP_EXCLUSIVE); }
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define __HAVE_ARCH_PTE_SWP_EXCLUSIVE
#endif

#define pte_ERROR(e)	pr_err("%s:%d: bad pte %08lx\n", __FILE__, __LINE__, pte_val(e))
#define pgd_ERROR(e)	pr_err("%s:%d: bad pgd %08lx\n", __FILE__, __LINE__, pgd_val(e))

/* No TLB, no caches to maintain. */
#define update_mmu_cache(vma, addr, ptep)	do { } while (0)
#define update_mmu_cache_range(vmf, vma, addr, ptep, nr)	do { } while (0)
#define kern_addr_valid(addr)	(1)
#define pgprot_noncached(prot)	(prot)
#define pgprot_writecombine(prot) (prot)

void paging_init(void);
#endif /* !__ASSEMBLY__ */
#endif
