/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_CURRENT_H
#define _ASM_WASM_CURRENT_H
#ifndef __ASSEMBLY__
struct task_struct;
/*
 * The task running on each simulated CPU, and which CPU is executing now.
 * The host switches CPUs by writing wasm_this_cpu (it reads the address from
 * the exported symbol table); __switch_to() updates wasm_cpu_current[].
 */
extern int wasm_this_cpu;
extern struct task_struct *wasm_cpu_current[];

static __always_inline struct task_struct *get_current(void)
{
	return wasm_cpu_current[wasm_this_cpu];
}
#define current get_current()
#endif
#endif
