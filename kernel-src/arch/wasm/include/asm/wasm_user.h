/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_USER_H
#define _ASM_WASM_USER_H
/*
 * User mode on the wasm machine (arch/wasm/kernel/syscall.c): a user task's
 * program runs in its task, between system calls "in user mode"; it enters
 * the kernel only through wasm_syscall().
 */
#include <linux/types.h>

struct pt_regs;

/* Makes system call nr with the six argument slots, in the current (user) task, including the exit-to-user work. */
long wasm_syscall(unsigned long nr, const u64 args[6]);
/* The work before returning to user mode; true if an interrupted system call must be restarted. */
bool wasm_exit_to_user_mode(struct pt_regs *regs, bool in_syscall);
/* True if the current task has exit-to-user work flagged (resched, signal, notify). */
bool wasm_exit_work_pending(void);
#endif
