// Breakpoints (a scenario's scripted schedule parks a task's CPU inside a
// kernel function) and the frame filter timelines use.
import type { Breakpoint } from "./types.ts";

/** The breakpoints of task `pid` that have not fired yet. */
export function armedFor(breakpoints: Breakpoint[], pid: number): Breakpoint[] {
  return breakpoints.filter((b) => b.hitCpu === null && b.pid === pid);
}

/** The first of `armed` whose function is on the call stack `frames` (innermost first), with the frames. */
export function hitBy(armed: Breakpoint[], frames: string[]): { bp: Breakpoint; frames: string[] } | null {
  const bp = armed.find((b) => frames.includes(b.fn));
  return bp ? { bp, frames } : null;
}

/** Frames worth showing in a timeline: the arch, scheduler and lock plumbing dropped. */
const PLUMBING = /^(__switch_to|__schedule|schedule|schedule_timeout|schedule_preempt_disabled|io_schedule|io_schedule_timeout|_raw_spin_\w+|_raw_read_\w+|_raw_write_\w+|arch_\w+|do_raw_\w+|host_\w+|wasm_\w+|finish_task_switch|context_switch|preempt_schedule_common|__cond_resched|__wait_for_common|wait_for_common\w*|bit_wait\w*|__wait_on_bit\w*|out_of_line_wait_on_bit\w*|rwsem_down_\w+|down_\w+|mutex_lock\w*|__mutex_lock\w*|kthread|ret_from_fork)$/;

export function interesting(frames: string[], n = 4): string[] {
  return frames.filter((f) => !PLUMBING.test(f) && !f.startsWith("Machine") && !f.startsWith("<")).slice(0, n);
}
