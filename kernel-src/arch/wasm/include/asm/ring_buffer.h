/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_RING_BUFFER_H
#define _ASM_WASM_RING_BUFFER_H
/*
 * The trace ring buffer (the debug kernel has tracing: irq-flag tracing
 * selects it) lives in ordinary memory: nothing to flush.
 */
#define arch_ring_buffer_flush_range(start, end)	do { } while (0)
#endif
