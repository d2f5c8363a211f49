/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WASM_KERNEL_STACKTRACE_H
#define _WASM_KERNEL_STACKTRACE_H
/* Most wasm functions a module may have for stack traces and kallsyms. */
#define WASM_TEXT_MAX	(64 * 1024)
extern char wasm_text[WASM_TEXT_MAX];
void wasm_kallsyms_init(void);
#endif
