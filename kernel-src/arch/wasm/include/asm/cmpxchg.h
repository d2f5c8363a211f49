/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_CMPXCHG_H
#define _ASM_WASM_CMPXCHG_H
/*
 * Simulated CPUs are coroutines on one host thread and switch only inside
 * host imports, so a read-modify-write with no call in between is atomic
 * with respect to other CPUs and interrupts. Without the wasm "atomics"
 * feature clang lowers these builtins to plain loads and stores.
 */
#define arch_xchg(ptr, x)	__atomic_exchange_n((ptr), (x), __ATOMIC_SEQ_CST)

#define arch_cmpxchg(ptr, o, n)						\
({									\
	__typeof__(*(ptr)) __old = (o);					\
	__atomic_compare_exchange_n((ptr), &__old, (n), 0,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);\
	__old;								\
})
#define arch_cmpxchg_local	arch_cmpxchg
#define arch_cmpxchg64		arch_cmpxchg
#define arch_cmpxchg64_local	arch_cmpxchg
#endif
