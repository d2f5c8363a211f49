/* SPDX-License-Identifier: GPL-2.0 */
/* MARK(section, symbol, align): a zero-length label placed in section. */
#define MARK(sec, sym, align) \
	char sym[0] __attribute__((used, section(sec), aligned(align)))
