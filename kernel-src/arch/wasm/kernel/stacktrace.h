/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WASM_KERNEL_STACKTRACE_H
#define _WASM_KERNEL_STACKTRACE_H
/* Most wasm functions a module may have for stack traces and kallsyms. */
#define WASM_FUNCS_MAX	(64 * 1024)
/*
 * Two bytes per wasm function: function i "starts" at wasm_text[2 * i],
 * and a stack entry in it is wasm_text[2 * i + 1] (a return address lies
 * inside its function: %pB looks up the byte before it).
 */
#define WASM_TEXT_START(i)	(&wasm_text[2 * (i)])
#define WASM_TEXT_RET(i)	(&wasm_text[2 * (i) + 1])
extern char wasm_text[2 * WASM_FUNCS_MAX];
void wasm_kallsyms_init(void);
#endif
