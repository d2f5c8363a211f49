/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_PAGE_H
#define _ASM_WASM_PAGE_H
#include <linux/const.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

/*
 * Kernel virtual = wasm linear address = "physical" address: the direct map
 * starts at 0 and covers the whole linear memory (FLATMEM, one node).
 */
#define PAGE_OFFSET	_AC(0, UL)
#define ARCH_PFN_OFFSET	0UL

#ifndef __ASSEMBLY__
#include <linux/types.h>
#include <linux/version.h>

typedef struct { unsigned long pte; } pte_t;
typedef struct { unsigned long pgd; } pgd_t;
typedef struct { unsigned long pgprot; } pgprot_t;
typedef struct page *pgtable_t;

#define pte_val(x)	((x).pte)
#define pgd_val(x)	((x).pgd)
#define pgprot_val(x)	((x).pgprot)
#define __pte(x)	((pte_t) { (x) })
#define __pgd(x)	((pgd_t) { (x) })
#define __pgprot(x)	((pgprot_t) { (x) })

#define __pa(x)		((unsigned long)(x) - PAGE_OFFSET)
#define __va(x)		((void *)((unsigned long)(x) + PAGE_OFFSET))
#define __pa_symbol(x)	__pa(x)
#define virt_to_pfn(kaddr)	(__pa(kaddr) >> PAGE_SHIFT)
#define pfn_to_virt(pfn)	__va((unsigned long)(pfn) << PAGE_SHIFT)
#define virt_to_page(kaddr)	pfn_to_page(virt_to_pfn(kaddr))
#define page_to_virt(page)	pfn_to_virt(page_to_pfn(page))
#define virt_addr_valid(kaddr)	pfn_valid(virt_to_pfn(kaddr))

#define page_to_phys(page)	((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT)
#define phys_to_page(phys)	pfn_to_page((phys) >> PAGE_SHIFT)

#define clear_page(page)	memset((page), 0, PAGE_SIZE)
#define copy_page(to, from)	memcpy((to), (from), PAGE_SIZE)
#define clear_user_page(page, vaddr, pg)	clear_page(page)
#define copy_user_page(to, from, vaddr, pg)	copy_page(to, from)

/*
 * FLATMEM pfn_valid(): asm-generic/memory_model.h provides it since 6.4;
 * before that (6.1) each arch defines it. Every pfn below max_mapnr has a
 * struct page here.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
static inline int pfn_valid(unsigned long pfn)
{
	extern unsigned long max_mapnr;

	return pfn - ARCH_PFN_OFFSET < max_mapnr;
}
#define pfn_valid pfn_valid
#endif

#include <asm-generic/memory_model.h>
#include <asm-generic/getorder.h>
#endif
#endif
