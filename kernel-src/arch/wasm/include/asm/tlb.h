/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_TLB_H
#define _ASM_WASM_TLB_H
#include <asm-generic/tlb.h>
#endif
