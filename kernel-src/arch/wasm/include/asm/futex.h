/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_FUTEX_H
#define _ASM_WASM_FUTEX_H
#include <asm-generic/futex.h>
#ifdef CONFIG_SMP
/*
 * Simulated CPUs switch only inside host imports. The "_local" futex ops run
 * with page faults disabled, so their user accesses never fault into
 * handle_mm_fault() (the only path that could reach an import): they are
 * atomic with respect to the other CPUs here, as the name requires.
 */
#define futex_atomic_cmpxchg_inatomic(uval, uaddr, oldval, newval) \
	futex_atomic_cmpxchg_inatomic_local(uval, uaddr, oldval, newval)
#define arch_futex_atomic_op_inuser(op, oparg, oval, uaddr) \
	futex_atomic_op_inuser_local(op, oparg, oval, uaddr)
#endif
#endif
