/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_PERCPU_H
#define _ASM_WASM_PERCPU_H
/*
 * wasm-ld merges every input segment whose name starts with ".data." into
 * one ".data": per-cpu variables get their own output segment so the
 * link-order markers (kernel-src/link/) can bracket them as
 * __per_cpu_start/__per_cpu_end.
 */
#ifdef CONFIG_SMP
#define PER_CPU_BASE_SECTION	"wasm_percpu"
#endif
#include <asm-generic/percpu.h>
#endif
