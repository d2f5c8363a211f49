// SPDX-License-Identifier: GPL-2.0
/* The console: printk output goes to the host's per-run console log. */
#include <linux/console.h>
#include <linux/init.h>
#include <asm/wasm_host.h>

static void wasm_console_write(struct console *con, const char *s, unsigned int n)
{
	host_console_write(s, n);
}

static struct console wasm_console = {
	.name	= "wasm",
	.write	= wasm_console_write,
	.flags	= CON_PRINTBUFFER | CON_ENABLED,
	.index	= -1,
};

static int __init wasm_console_init(void)
{
	register_console(&wasm_console);
	return 0;
}
console_initcall(wasm_console_init);
