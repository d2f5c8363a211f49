/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every kernel C file (arch/wasm/Makefile): what a
 * linker script would do, said to the compiler instead, since wasm-ld has
 * no linker scripts and no --defsym.
 */
#ifndef _ASM_WASM_LINK_H
#define _ASM_WASM_LINK_H
/* vmlinux.lds: jiffies = jiffies_64 (little-endian: the low word). */
#pragma redefine_extname jiffies jiffies_64
#endif
