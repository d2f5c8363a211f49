// Pieces the host uses to reach the kernel's pseudo filesystems (debugfs,
// procfs, sysfs) from a short-lived user task: a mount point made and
// mounted, and the task's exit waited for. Fault injection's knobs and the
// leak count's slab counts both go this way.
import type { Agent } from "../agent/api.ts";
import { ERR } from "./abi.ts";
import type { UserTask } from "./task.ts";

/** Longest simulated time a helper task may take to exit. */
export const HELPER_EXIT_NS = 1e9;

/** Mounts a pseudo filesystem of type `fstype` at `dir` (made if missing), through the agent. */
export function mountPseudo(agent: Agent, fstype: string, dir: string): void {
  const mk = agent.call(0, { op: "MKDIR", path: dir, mode: 0o700 });
  // EEXIST: a mount point left by an earlier use.
  if (mk < 0 && mk !== ERR.EEXIST) throw new Error(`mkdir ${dir}: ${mk}`);
  agent.ok(0, { op: "MOUNT", path: fstype, path2: dir, str: fstype });
}

/** Ends helper task `t` (named `name`) with exit_group and runs the machine until it is gone (at most HELPER_EXIT_NS of simulated time). */
export function endHelper(agent: Agent, t: UserTask, name: string): void {
  t.start("exit_group", [0]);
  const m = agent.machine;
  m.run(() => !m.suspendedTasks().some((s) => s.startsWith(`${name}[`)), { untilNs: m.clock.now + HELPER_EXIT_NS });
}
