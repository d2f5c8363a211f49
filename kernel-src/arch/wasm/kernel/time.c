// SPDX-License-Identifier: GPL-2.0
/*
 * Time: one clocksource (the host's simulated nanosecond clock) and one
 * one-shot clockevent per CPU (the host's per-CPU timer). No wall clock is
 * ever read: the persistent clock is a fixed epoch chosen by the host.
 */
#include <linux/clocksource.h>
#include <linux/clockchips.h>
#include <linux/hardirq.h>
#include <linux/init.h>
#include <linux/percpu.h>
#include <linux/sched_clock.h>
#include <linux/timekeeping.h>
#include <asm/irq_regs.h>
#include <asm/wasm_host.h>
#include <asm/wasm_irq_entry.h>

static u64 wasm_clock_read(struct clocksource *cs)
{
	return host_clock_ns();
}

static struct clocksource wasm_clocksource = {
	.name	= "wasm-host",
	.rating	= 400,
	.read	= wasm_clock_read,
	.mask	= CLOCKSOURCE_MASK(64),
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS,
};

static int wasm_timer_next(unsigned long delta_ns, struct clock_event_device *evt)
{
	host_timer_set(delta_ns);
	return 0;
}

static int wasm_timer_shutdown(struct clock_event_device *evt)
{
	host_timer_stop();
	return 0;
}

static DEFINE_PER_CPU(struct clock_event_device, wasm_clockevent);

void wasm_clockevent_init(unsigned int cpu)
{
	struct clock_event_device *evt = per_cpu_ptr(&wasm_clockevent, cpu);

	evt->name = "wasm-timer";
	evt->features = CLOCK_EVT_FEAT_ONESHOT;
	evt->rating = 400;
	evt->cpumask = cpumask_of(cpu);
	evt->set_next_event = wasm_timer_next;
	evt->set_state_shutdown = wasm_timer_shutdown;
	evt->set_state_oneshot_stopped = wasm_timer_shutdown;
	clockevents_config_and_register(evt, NSEC_PER_SEC, 1000, 0x7fffffff);
}

/*
 * The interrupted context as the tick sees it (get_irq_regs()): always
 * kernel mode, since a user task's program runs in its task. Without it
 * the nohz/highres tick handler skips update_process_times(): no timer
 * wheel, no scheduler tick, no RCU grace periods.
 */
static DEFINE_PER_CPU(struct pt_regs, wasm_irq_regs);

/* Host entry point: the current CPU's timer fired. */
void wasm_timer_interrupt(void)
{
	struct clock_event_device *evt = this_cpu_ptr(&wasm_clockevent);
	struct pt_regs *old = set_irq_regs(this_cpu_ptr(&wasm_irq_regs));
	bool was_enabled = wasm_irq_entry();

	irq_enter();
	if (evt->event_handler)
		evt->event_handler(evt);
	irq_exit();
	set_irq_regs(old);
	wasm_irq_return(was_enabled);
}

static u64 notrace wasm_sched_clock(void)
{
	return host_clock_ns();
}

void read_persistent_clock64(struct timespec64 *ts)
{
	ts->tv_sec = host_boot_wallclock();
	ts->tv_nsec = 0;
}

void __init time_init(void)
{
	clocksource_register_hz(&wasm_clocksource, NSEC_PER_SEC);
	sched_clock_register(wasm_sched_clock, 64, NSEC_PER_SEC);
	wasm_clockevent_init(0);
}
