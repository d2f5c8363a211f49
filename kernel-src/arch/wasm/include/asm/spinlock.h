/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_SPINLOCK_H
#define _ASM_WASM_SPINLOCK_H
#include <asm/spinlock_types.h>
#include <asm/wasm_host.h>

/* Lock primitives are the host's (see asm/wasm_host.h): each is a switch point. */
#define arch_spin_lock(l)		host_spin_lock(&(l)->lock)
#define arch_spin_trylock(l)		host_spin_trylock(&(l)->lock)
#define arch_spin_unlock(l)		host_spin_unlock(&(l)->lock)
#define arch_spin_is_locked(l)		(READ_ONCE((l)->lock) != 0)
#define arch_spin_is_contended(l)	0
#define arch_spin_value_unlocked(l)	((l).lock == 0)

#define arch_read_lock(l)		host_read_lock(&(l)->lock)
#define arch_read_trylock(l)		host_read_trylock(&(l)->lock)
#define arch_read_unlock(l)		host_read_unlock(&(l)->lock)
#define arch_write_lock(l)		host_write_lock(&(l)->lock)
#define arch_write_trylock(l)		host_write_trylock(&(l)->lock)
#define arch_write_unlock(l)		host_write_unlock(&(l)->lock)

#define smp_mb__after_spinlock()	smp_mb()
#endif
