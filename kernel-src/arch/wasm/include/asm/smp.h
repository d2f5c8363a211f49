/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_SMP_H
#define _ASM_WASM_SMP_H
#include <asm/current.h>

#define raw_smp_processor_id()	(wasm_this_cpu)

struct cpumask;
void arch_send_call_function_single_ipi(int cpu);
void arch_send_call_function_ipi_mask(const struct cpumask *mask);
#endif
