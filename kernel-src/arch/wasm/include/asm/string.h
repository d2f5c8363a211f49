/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_STRING_H
#define _ASM_WASM_STRING_H
/* lib/string.c provides everything; clang turns memcpy/memset into bulk memory ops. */
#endif
