// SPDX-License-Identifier: GPL-2.0
/* arch/wasm has no assembly: nothing needs structure offsets. */
