// SPDX-License-Identifier: GPL-2.0
/* Delays wait on the host's simulated clock (each read advances it). */
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/time64.h>
#include <asm/processor.h>
#include <asm/wasm_host.h>

void __ndelay(unsigned long nsecs)
{
	u64 end = host_clock_ns() + nsecs;

	while (host_clock_ns() < end)
		cpu_relax();
}

void __udelay(unsigned long usecs)
{
	__ndelay(usecs * NSEC_PER_USEC);
}

/* asm-generic/delay.h scales usecs by 2^32/10^6 into "xloops". */
void __const_udelay(unsigned long xloops)
{
	__ndelay(DIV_ROUND_UP((u64)xloops * NSEC_PER_USEC, 0x10c7UL) );
}

/* A "loop" is one nanosecond here (lpj is preset on the command line). */
void __delay(unsigned long loops)
{
	__ndelay(loops);
}
