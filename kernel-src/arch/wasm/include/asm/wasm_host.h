/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arch interface: every function the host (the dioscope harness, the
 * "machine") implements for the kernel. This is the ONLY place host imports
 * are declared. Each line states what the host does; tools/fidelity reads
 * these comments to print `dioscope fidelity`, and a test checks that the
 * built module imports exactly these names (plus env.memory and the traps
 * for kernel functions no configured code defines).
 *
 * Every call below is a point where the host may switch to another
 * simulated CPU or deliver a pending interrupt (the scheduler decides).
 *
 * Format for the generator: one `HOST_IMPORT(ret, name, (args))` per line,
 * preceded by a `/// ` comment line with its contract.
 */
#ifndef _ASM_WASM_HOST_H
#define _ASM_WASM_HOST_H

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct task_struct;

#define HOST_IMPORT(ret, name, args) \
	extern ret name args __attribute__((import_module("host"), import_name(#name)))

/* --- console ----------------------------------------------------------- */
/// Appends len bytes of console text to the run's console log (simulated timestamp added by printk itself).
HOST_IMPORT(void, host_console_write, (const char *buf, unsigned int len));

/* --- machine ----------------------------------------------------------- */
/// Stops the machine: the kernel halted, powered off or panicked (code: 0 halt, 1 power off, 2 restart, 3 panic).
HOST_IMPORT(void __noreturn, host_halt, (int code));
/// Records the host-side call chain (wasm stack with kernel function names) in the console log; used by dump_stack/WARN.
HOST_IMPORT(void, host_dump_stack, (void));

/// Writes the wasm function indices of the current call stack into entries (at most max), innermost first, starting with the function that called this import; returns how many.
HOST_IMPORT(unsigned int, host_stack_trace, (u32 *entries, unsigned int max));
/// Copies the module's function names (its name section), each NUL-terminated, in function-index order, into buf (at most size bytes); returns how many functions, or -1 when they do not fit.
HOST_IMPORT(int, host_function_names, (char *buf, unsigned int size));

/* --- CPUs and tasks ----------------------------------------------------- */
/// Context switch on the current CPU: suspends prev's coroutine (dropped if prev_dead), resumes next's (a new task starts at wasm_task_entry with its stack pointer at next_sp); returns the task that ran last on this CPU.
HOST_IMPORT(struct task_struct *, host_switch_to, (struct task_struct *prev, struct task_struct *next, unsigned long next_sp, int prev_dead));
/// This CPU has nothing to run: the host runs other CPUs, advances time to the next event and delivers interrupts; returns when this CPU has an interrupt or work.
HOST_IMPORT(void, host_cpu_idle, (void));
/// A spin-wait hint: the host may run other CPUs before returning.
HOST_IMPORT(void, host_cpu_relax, (void));
/// Brings CPU cpu online: the host creates its context, running idle (its idle task, stack pointer idle_sp) from wasm_secondary_start(cpu).
HOST_IMPORT(int, host_cpu_up, (unsigned int cpu, struct task_struct *idle, unsigned long idle_sp));
/// Marks an inter-processor interrupt pending on cpu; it is delivered through wasm_ipi_interrupt when that CPU has interrupts enabled.
HOST_IMPORT(void, host_send_ipi, (unsigned int cpu));

/* --- interrupt flag ------------------------------------------------------ */
/// Returns the current CPU's interrupt flag (1 enabled, 0 disabled).
HOST_IMPORT(unsigned long, host_irq_flags, (void));
/// Disables interrupts on the current CPU and returns the previous flag.
HOST_IMPORT(unsigned long, host_irq_save, (void));
/// Sets the current CPU's interrupt flag; when it becomes enabled, pending interrupts may be delivered before returning.
HOST_IMPORT(void, host_irq_restore, (unsigned long flags));

/* --- locks (the lock word is owned by the host: holder CPU + 1, or reader count) --- */
/// Acquires a spin lock for the current CPU; while another CPU holds it the host runs other CPUs (a deadlock is reported as a hang).
HOST_IMPORT(void, host_spin_lock, (volatile u32 *lock));
/// Tries once to acquire a spin lock; returns 1 on success.
HOST_IMPORT(int, host_spin_trylock, (volatile u32 *lock));
/// Releases a spin lock held by the current CPU.
HOST_IMPORT(void, host_spin_unlock, (volatile u32 *lock));
/// Acquires a reader/writer lock for reading (waits while a writer holds it).
HOST_IMPORT(void, host_read_lock, (volatile u32 *lock));
/// Tries once to read-acquire; returns 1 on success.
HOST_IMPORT(int, host_read_trylock, (volatile u32 *lock));
/// Drops one reader.
HOST_IMPORT(void, host_read_unlock, (volatile u32 *lock));
/// Acquires a reader/writer lock for writing (waits while anyone holds it).
HOST_IMPORT(void, host_write_lock, (volatile u32 *lock));
/// Tries once to write-acquire; returns 1 on success.
HOST_IMPORT(int, host_write_trylock, (volatile u32 *lock));
/// Releases the write lock.
HOST_IMPORT(void, host_write_unlock, (volatile u32 *lock));

/* --- time ---------------------------------------------------------------- */
/// Reads the simulated monotonic clock in ns; each read advances it by a small fixed step so polling loops end.
HOST_IMPORT(u64, host_clock_ns, (void));
/// Programs the current CPU's one-shot timer to fire delta_ns from now (wasm_timer_interrupt on that CPU).
HOST_IMPORT(void, host_timer_set, (u64 delta_ns));
/// Stops the current CPU's timer.
HOST_IMPORT(void, host_timer_stop, (void));
/// Returns the persistent (wall) clock at boot in seconds since the epoch: a fixed value per run, so file times are stable.
HOST_IMPORT(s64, host_boot_wallclock, (void));

/* --- block device (kernel-src/arch/wasm/drivers/block.c) -------------------- */
struct wasm_blk_seg {
	u32 addr;	/* kernel (direct-map) address of the bytes */
	u32 len;
};
/// Describes host disk `disk`: writes its size in 512-byte sectors and returns 0, or returns -1 when there is no such disk.
HOST_IMPORT(int, host_blk_info, (unsigned int disk, u64 *sectors));
/// Hands one bio to the host (op is REQ_OP_*, flags the WASM_BLK_* bits of drivers/block.c); returns a blk_status_t if the host completed it now, or -1 if it completes later through wasm_blk_interrupt(bio, status) on a CPU the host chooses.
HOST_IMPORT(int, host_blk_submit, (unsigned int disk, void *bio, unsigned int op, unsigned int flags, u64 sector, const struct wasm_blk_seg *segs, unsigned int nsegs));

/* --- scenario agent (kernel-src/arch/wasm/agent/agent.c) -------------------- */
struct wasm_agent_cmd;
/// Boot is complete: PID 1 runs the agent and waits for commands (the host may snapshot from here).
HOST_IMPORT(void, host_agent_ready, (void));
/// Returns 1 if the host has a command queued for agent task `task` (polled in the task's wait condition).
HOST_IMPORT(int, host_agent_pending, (unsigned int task));
/// Copies the next command for agent task `task` into *cmd and returns 1, or returns 0 if there is none.
HOST_IMPORT(int, host_agent_fetch, (unsigned int task, struct wasm_agent_cmd *cmd));
/// Reports an event of command `id` to the host: event 0 = the operation returned `value`, 1 = its asynchronous completion with `value`, 2 = the fail-nth count its system call left (0: the fault was injected).
HOST_IMPORT(void, host_agent_report, (u32 id, u32 event, s64 value));

#undef HOST_IMPORT

/*
 * Entry points the host calls (exported by the link; see harness/build/link.ts):
 *   wasm_start_kernel()            boot CPU: set up and call start_kernel()
 *   wasm_task_entry(prev)          first run of a new task (ret_from_fork)
 *   wasm_secondary_start(cpu)      first run of a secondary CPU's idle task
 *   wasm_timer_interrupt()         the current CPU's timer fired
 *   wasm_ipi_interrupt()           an IPI is pending on the current CPU
 *   wasm_blk_interrupt(bio, st)    a bio the host held completed with status st
 *   wasm_agent_doorbell()          the host queued agent commands (wakes the agent tasks)
 */
#endif /* __ASSEMBLY__ */
#endif /* _ASM_WASM_HOST_H */
