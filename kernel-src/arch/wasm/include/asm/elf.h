/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_WASM_ELF_H
#define _ASM_WASM_ELF_H
/* No ELF binaries are loaded; these satisfy linux/elf.h. */
#include <asm/ptrace.h>
#define ELF_CLASS	ELFCLASS32
#define ELF_DATA	ELFDATA2LSB
#define ELF_ARCH	0x1234
#define elf_check_arch(x)	0
#define ELF_EXEC_PAGESIZE	4096
#define ELF_HWCAP	0
#define ELF_PLATFORM	NULL
#define ELF_ET_DYN_BASE	0x10000000UL
typedef unsigned long elf_greg_t;
#define ELF_NGREG	(sizeof(struct user_regs_struct) / sizeof(elf_greg_t))
typedef elf_greg_t elf_gregset_t[ELF_NGREG];
typedef struct { unsigned long unused; } elf_fpregset_t;
#endif
