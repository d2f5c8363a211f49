// SPDX-License-Identifier: GPL-2.0
/*
 * Linked after every kernel object: zero-length labels that close the
 * merged .rodata/.data/.bss segments. See link_first.c.
 */
#include "marker.h"

MARK(".rodata.zwasm_end", __end_rodata, 4);
MARK(".data.zwasm_end", _edata, 4);
MARK(".bss.zwasm_end", __bss_stop, 4);
MARK(".bss.zwasm_end", _end, 4);
