// SPDX-License-Identifier: GPL-2.0
/* Memory set-up: one node, one ZONE_NORMAL over the linear memory. */
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/version.h>

pgd_t swapper_pg_dir[PTRS_PER_PGD] __aligned(PAGE_SIZE);
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 1, 0)
/* Since 7.1 the generic mm code defines the zero page. */
unsigned long empty_zero_page[PAGE_SIZE / sizeof(unsigned long)] __aligned(PAGE_SIZE);
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
/*
 * Since 7.0 the generic mm init calls free_area_init() and
 * memblock_free_all() and sets high_memory itself; the arch only says
 * where its zones end.
 */
void __init arch_zone_limits_init(unsigned long *max_zone_pfn)
{
	max_zone_pfn[ZONE_NORMAL] = max_low_pfn;
	/* max_mapnr (FLATMEM) is set by the generic mm init since 7.0. */
}

void __init paging_init(void)
{
}
#else
void __init paging_init(void)
{
	unsigned long max_zone_pfn[MAX_NR_ZONES] = { 0 };

	max_zone_pfn[ZONE_NORMAL] = max_low_pfn;
	free_area_init(max_zone_pfn);
}

void __init mem_init(void)
{
	high_memory = (void *)__va(max_low_pfn << PAGE_SHIFT);
	/* FLATMEM from pfn 0: every page below max_low_pfn has a struct page (virt_addr_valid). */
	set_max_mapnr(max_low_pfn);
	memblock_free_all();
}
#endif

/*
 * Init memory is kept: __init code has no linear-memory bytes to free, and
 * __initdata ([__init_begin, __init_end): lockdep takes its locks for
 * static objects) is a few KiB.
 */
void free_initmem(void)
{
}
