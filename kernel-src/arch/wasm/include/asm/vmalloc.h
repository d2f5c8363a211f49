/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_VMALLOC_H
#define _ASM_WASM_VMALLOC_H
/* No huge vmap mappings. */
#endif
