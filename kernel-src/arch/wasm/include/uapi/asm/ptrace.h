/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_ASM_WASM_PTRACE_H
#define _UAPI_ASM_WASM_PTRACE_H
#ifndef __ASSEMBLY__
/* The simulated machine has no user-visible registers beyond a syscall frame. */
struct user_regs_struct {
	unsigned long syscallno;
	unsigned long args[6];
	unsigned long ret;
	unsigned long pc;
	unsigned long sp;
};
#endif
#endif
