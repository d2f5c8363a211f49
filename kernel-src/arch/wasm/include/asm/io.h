/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_IO_H
#define _ASM_WASM_IO_H
#include <linux/types.h>
/* The machine has no device memory: nothing can be mapped. */
#define ioremap ioremap
static inline void __iomem *ioremap(phys_addr_t addr, size_t size)
{
	return NULL;
}
#define iounmap iounmap
static inline void iounmap(volatile void __iomem *addr)
{
}
#include <asm-generic/io.h>
#endif
