/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_ASM_WASM_BYTEORDER_H
#define _UAPI_ASM_WASM_BYTEORDER_H
/* WebAssembly linear memory is little-endian. */
#include <linux/byteorder/little_endian.h>
#endif
