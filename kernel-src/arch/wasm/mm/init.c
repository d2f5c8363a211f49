// SPDX-License-Identifier: GPL-2.0
/* Memory set-up: one node, one ZONE_NORMAL over the linear memory. */
#include <linux/init.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pgtable.h>

pgd_t swapper_pg_dir[PTRS_PER_PGD] __aligned(PAGE_SIZE);
unsigned long empty_zero_page[PAGE_SIZE / sizeof(unsigned long)] __aligned(PAGE_SIZE);

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

/*
 * Init memory is kept: __init code has no linear-memory bytes to free, and
 * __initdata ([__init_begin, __init_end): lockdep takes its locks for
 * static objects) is a few KiB.
 */
void free_initmem(void)
{
}
