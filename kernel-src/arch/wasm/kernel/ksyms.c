// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's symbol table (the tables kernel/kallsyms.c reads, which
 * scripts/kallsyms generates on other arches) built at boot from the
 * module's own function names, which the host reads from its name section.
 * Symbol i+1 is wasm function i at WASM_TEXT_START(i) (see stacktrace.h);
 * symbol 0 is _stext and the last one ends the function window, so data
 * addresses are never attributed to a function. Tokens are single bytes
 * (no compression): kallsyms_expand_symbol() reads them unchanged.
 *
 * kallsyms_offsets[] holds each symbol's absolute address, with
 * kallsyms_relative_base 0: older kernels add the base to the offset, newer
 * ones (the base gone) read the offset of a 32-bit non-relocatable
 * kernel as the address itself, so one table serves both.
 */
#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/sections.h>
#include <asm/wasm_host.h>
#include "stacktrace.h"

#define WASM_NAMES_MAX	(2 << 20)
#define WASM_SYMS_MAX	(WASM_FUNCS_MAX + 2)

/*
 * The layout kernel/kallsyms_internal.h declares (read-only there);
 * newer kernels no longer declare or read kallsyms_relative_base.
 */
int kallsyms_offsets[WASM_SYMS_MAX];
u8 kallsyms_names[WASM_NAMES_MAX + 3 * WASM_SYMS_MAX];
unsigned int kallsyms_num_syms;
unsigned long kallsyms_relative_base;
char kallsyms_token_table[2 * 256];
u16 kallsyms_token_index[256];
unsigned int kallsyms_markers[WASM_SYMS_MAX / 256 + 1];
u8 kallsyms_seqs_of_names[3 * WASM_SYMS_MAX];

static const char **wasm_sym_name __initdata;

static void *__init boot_alloc(size_t size)
{
	void *p = memblock_alloc(size, SMP_CACHE_BYTES);

	if (!p)
		panic("wasm: no boot memory for the symbol table (%zu bytes)", size);
	return p;
}

static int __init cmp_by_name(const void *a, const void *b)
{
	return strcmp(wasm_sym_name[*(const u32 *)a], wasm_sym_name[*(const u32 *)b]);
}

/* Appends one symbol (type character + name) to kallsyms_names at *off. */
static void __init add_symbol(unsigned int i, unsigned long addr, char type, const char *name, unsigned int *off)
{
	unsigned int len = min_t(unsigned int, strlen(name), KSYM_NAME_LEN - 1) + 1;
	u8 *p = &kallsyms_names[*off];

	if (i % 256 == 0)
		kallsyms_markers[i / 256] = *off;
	kallsyms_offsets[i] = addr;
	if (len >= 0x80) {
		*p++ = (len & 0x7f) | 0x80;
		*p++ = len >> 7;
	} else {
		*p++ = len;
	}
	*p++ = type;
	memcpy(p, name, len - 1);
	*off = p + len - 1 - kallsyms_names;
}

static void __init sort_names(unsigned int n)
{
	u32 *seq = boot_alloc(n * sizeof(u32));
	unsigned int i;

	for (i = 0; i < n; i++)
		seq[i] = i;
	sort(seq, n, sizeof(u32), cmp_by_name, NULL);
	for (i = 0; i < n; i++) {
		kallsyms_seqs_of_names[3 * i] = seq[i] >> 16;
		kallsyms_seqs_of_names[3 * i + 1] = seq[i] >> 8;
		kallsyms_seqs_of_names[3 * i + 2] = seq[i];
	}
	memblock_free(seq, n * sizeof(u32));
}

void __init wasm_kallsyms_init(void)
{
	char *buf = boot_alloc(WASM_NAMES_MAX);
	int nfunc = host_function_names(buf, WASM_NAMES_MAX);
	unsigned int i, n, off = 0;
	const char *s = buf;

	if (nfunc < 0 || nfunc > WASM_FUNCS_MAX)
		panic("wasm: %d function names do not fit the symbol table (at most %d functions, %d bytes)",
		      nfunc, WASM_FUNCS_MAX, WASM_NAMES_MAX);
	BUG_ON((unsigned long)_stext > (unsigned long)wasm_text);
	/* Absolute addresses in kallsyms_offsets (above) need all three off. */
	BUILD_BUG_ON(IS_ENABLED(CONFIG_64BIT) || IS_ENABLED(CONFIG_RELOCATABLE) ||
		     IS_ENABLED(CONFIG_KALLSYMS_ABSOLUTE_PERCPU));
	n = nfunc + 2;
	wasm_sym_name = boot_alloc(n * sizeof(char *));
	for (i = 0; i < 256; i++) {
		kallsyms_token_table[2 * i] = i;
		kallsyms_token_index[i] = 2 * i;
	}
	kallsyms_relative_base = 0;
	wasm_sym_name[0] = "_stext";
	add_symbol(0, (unsigned long)_stext, 'T', "_stext", &off);
	for (i = 0; i < nfunc; i++) {
		wasm_sym_name[i + 1] = s;
		add_symbol(i + 1, (unsigned long)WASM_TEXT_START(i), 't', s, &off);
		s += strlen(s) + 1;
	}
	wasm_sym_name[n - 1] = "wasm_text_end";
	add_symbol(n - 1, (unsigned long)WASM_TEXT_START(nfunc), 'b', "wasm_text_end", &off);
	sort_names(n);
	kallsyms_num_syms = n;
	memblock_free(wasm_sym_name, n * sizeof(char *));
	memblock_free(buf, WASM_NAMES_MAX);
}
