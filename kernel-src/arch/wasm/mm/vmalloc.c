// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc without an MMU: kernel addresses are linear-memory addresses, so
 * a virtually contiguous mapping of scattered pages cannot exist. The link
 * wraps (wasm-ld --wrap, see harness/build/link.ts: every __wrap_* defined
 * here) the vmalloc entry points other code calls and serves them from the
 * physically contiguous allocator, as mm/nommu.c does. is_vmalloc_addr() is
 * then false for these blocks, so kvfree() frees them with kfree().
 * vmap() of arbitrary pages is not supportable: the real one would hand
 * out an address in the vmalloc range, outside linear memory, so it is
 * wrapped to fail (NULL), as when the vmalloc space is exhausted.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

static void *wasm_vmalloc(unsigned long size, gfp_t gfp)
{
	return kmalloc(size ? size : 1, (gfp & ~__GFP_HIGHMEM) | __GFP_NOWARN);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
/* 6.10+: allocation profiling renamed the entry points *_noprof. */
#define WASM_VMALLOC_NAME(n)	__wrap_##n##_noprof
#else
#define WASM_VMALLOC_NAME(n)	__wrap_##n
#endif

void *WASM_VMALLOC_NAME(vmalloc)(unsigned long size);
void *WASM_VMALLOC_NAME(vmalloc)(unsigned long size)
{
	return wasm_vmalloc(size, GFP_KERNEL);
}

void *WASM_VMALLOC_NAME(vzalloc)(unsigned long size);
void *WASM_VMALLOC_NAME(vzalloc)(unsigned long size)
{
	return wasm_vmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

void *WASM_VMALLOC_NAME(__vmalloc)(unsigned long size, gfp_t gfp);
void *WASM_VMALLOC_NAME(__vmalloc)(unsigned long size, gfp_t gfp)
{
	return wasm_vmalloc(size, gfp);
}

void *WASM_VMALLOC_NAME(vmalloc_node)(unsigned long size, int node);
void *WASM_VMALLOC_NAME(vmalloc_node)(unsigned long size, int node)
{
	return wasm_vmalloc(size, GFP_KERNEL);
}

void *WASM_VMALLOC_NAME(vzalloc_node)(unsigned long size, int node);
void *WASM_VMALLOC_NAME(vzalloc_node)(unsigned long size, int node)
{
	return wasm_vmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

void *WASM_VMALLOC_NAME(__vmalloc_node_range)(unsigned long size, unsigned long align,
		unsigned long start, unsigned long end, gfp_t gfp_mask, pgprot_t prot,
		unsigned long vm_flags, int node, const void *caller);
void *WASM_VMALLOC_NAME(__vmalloc_node_range)(unsigned long size, unsigned long align,
		unsigned long start, unsigned long end, gfp_t gfp_mask, pgprot_t prot,
		unsigned long vm_flags, int node, const void *caller)
{
	return wasm_vmalloc(size, gfp_mask);
}

void *WASM_VMALLOC_NAME(__vmalloc_node)(unsigned long size, unsigned long align,
		gfp_t gfp_mask, int node, const void *caller);
void *WASM_VMALLOC_NAME(__vmalloc_node)(unsigned long size, unsigned long align,
		gfp_t gfp_mask, int node, const void *caller)
{
	return wasm_vmalloc(size, gfp_mask);
}

void *__wrap_vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void *__wrap_vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	return NULL;
}

void __wrap_vfree(const void *addr);
void __wrap_vfree(const void *addr)
{
	kfree(addr);
}
