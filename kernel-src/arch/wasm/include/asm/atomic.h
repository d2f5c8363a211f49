/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_ATOMIC_H
#define _ASM_WASM_ATOMIC_H
#include <linux/types.h>
#include <asm/cmpxchg.h>
#include <asm/barrier.h>

/* 32-bit: linux/types.h defines atomic64_t only for CONFIG_64BIT. */
typedef struct { s64 counter; } atomic64_t;
#define ATOMIC64_INIT(i)	{ (i) }

/* See asm/cmpxchg.h for why plain builtins are atomic on this machine. */
#define arch_atomic_read(v)	READ_ONCE((v)->counter)
#define arch_atomic_set(v, i)	WRITE_ONCE(((v)->counter), (i))
#define arch_atomic64_read(v)	READ_ONCE((v)->counter)
#define arch_atomic64_set(v, i)	WRITE_ONCE(((v)->counter), (i))

#define WASM_ATOMIC_OPS(pfx, type, op)					\
static inline void arch_##pfx##_##op(type i, pfx##_t *v)		\
{ (void)__atomic_fetch_##op(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline type arch_##pfx##_fetch_##op(type i, pfx##_t *v)		\
{ return __atomic_fetch_##op(&v->counter, i, __ATOMIC_SEQ_CST); }

#define WASM_ATOMIC_RETURN(pfx, type, op)				\
static inline type arch_##pfx##_##op##_return(type i, pfx##_t *v)	\
{ return __atomic_##op##_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }

#define WASM_ATOMIC_ALL(pfx, type)					\
	WASM_ATOMIC_OPS(pfx, type, add)					\
	WASM_ATOMIC_OPS(pfx, type, sub)					\
	WASM_ATOMIC_OPS(pfx, type, and)					\
	WASM_ATOMIC_OPS(pfx, type, or)					\
	WASM_ATOMIC_OPS(pfx, type, xor)					\
	WASM_ATOMIC_RETURN(pfx, type, add)				\
	WASM_ATOMIC_RETURN(pfx, type, sub)				\
static inline type arch_##pfx##_xchg(pfx##_t *v, type n)		\
{ return arch_xchg(&v->counter, n); }					\
static inline type arch_##pfx##_cmpxchg(pfx##_t *v, type o, type n)	\
{ return arch_cmpxchg(&v->counter, o, n); }

WASM_ATOMIC_ALL(atomic, int)
WASM_ATOMIC_ALL(atomic64, s64)

#define arch_atomic_add			arch_atomic_add
#define arch_atomic_sub			arch_atomic_sub
#define arch_atomic_and			arch_atomic_and
#define arch_atomic_or			arch_atomic_or
#define arch_atomic_xor			arch_atomic_xor
#define arch_atomic_fetch_add		arch_atomic_fetch_add
#define arch_atomic_fetch_sub		arch_atomic_fetch_sub
#define arch_atomic_fetch_and		arch_atomic_fetch_and
#define arch_atomic_fetch_or		arch_atomic_fetch_or
#define arch_atomic_fetch_xor		arch_atomic_fetch_xor
#define arch_atomic_add_return		arch_atomic_add_return
#define arch_atomic_sub_return		arch_atomic_sub_return
#define arch_atomic_xchg		arch_atomic_xchg
#define arch_atomic_cmpxchg		arch_atomic_cmpxchg
#define arch_atomic64_add		arch_atomic64_add
#define arch_atomic64_sub		arch_atomic64_sub
#define arch_atomic64_and		arch_atomic64_and
#define arch_atomic64_or		arch_atomic64_or
#define arch_atomic64_xor		arch_atomic64_xor
#define arch_atomic64_fetch_add		arch_atomic64_fetch_add
#define arch_atomic64_fetch_sub		arch_atomic64_fetch_sub
#define arch_atomic64_fetch_and		arch_atomic64_fetch_and
#define arch_atomic64_fetch_or		arch_atomic64_fetch_or
#define arch_atomic64_fetch_xor		arch_atomic64_fetch_xor
#define arch_atomic64_add_return	arch_atomic64_add_return
#define arch_atomic64_sub_return	arch_atomic64_sub_return
#define arch_atomic64_xchg		arch_atomic64_xchg
#define arch_atomic64_cmpxchg		arch_atomic64_cmpxchg

#undef WASM_ATOMIC_ALL
#undef WASM_ATOMIC_RETURN
#undef WASM_ATOMIC_OPS
#endif
