// Boot: instantiate a built kernel with the machine as its host, attach the
// disks and the agent, and run start_kernel until PID 1 hands control to the
// scenario agent (every initcall done, filesystems registered).
import { loadKernel } from "../machine/loader.ts";
import { Machine, type RunLimits } from "../machine/machine.ts";
import { MachineError } from "../machine/errors.ts";
import { hostTrampolines } from "../machine/dispatch.ts";
import type { Scheduler } from "../machine/scheduler.ts";
import { BlockDevice, type BlockDeviceOptions } from "../block/device.ts";
import type { SparseDisk } from "../block/disk.ts";
import { AgentHost } from "../agent/host.ts";
import { Agent } from "../agent/api.ts";

export interface BootOptions {
  cpus?: number;
  memoryMiB?: number;
  disks?: SparseDisk[];
  block?: BlockDeviceOptions;
  scheduler?: Scheduler;
  /** Extra kernel command line. */
  cmdline?: string;
  limits?: RunLimits;
}

export interface Booted {
  /** What the machine was booted from (another machine of the same kernel boots from it). */
  wasm: string | Uint8Array | WebAssembly.Module;
  machine: Machine;
  block: BlockDevice;
  agent: Agent;
  /** Wall-clock milliseconds the boot took (for benchmarks only; never part of a result). */
  bootMs: number;
}

/** Boot did not reach the agent: the cause, with the machine kept for the report (console, CPUs). */
export class BootError extends Error {
  constructor(
    readonly failure: MachineError,
    readonly machine: Machine,
  ) {
    super(`boot failed: ${failure.message}\n--- console ---\n${machine.console.text((t) => machine.clock.stamp(t)).split("\n").slice(-40).join("\n")}\n--- CPUs ---\n${machine.describeCpus().join("\n")}`);
  }
}

/** lpj preset: the delay loop is not calibrated against simulated time. */
const BASE_CMDLINE = "lpj=100000 rdinit=/init";

export function bootKernel(wasm: string | Uint8Array | WebAssembly.Module, o: BootOptions = {}): Booted {
  const t0 = performance.now();
  let machine: Machine | undefined;
  const host = hostTrampolines(() => machine!);
  const kernel = loadKernel(wasm, { memoryMiB: o.memoryMiB ?? 64, host });
  const block = new BlockDevice(o.disks ?? [], o.block);
  const agentHost = new AgentHost();
  machine = new Machine(kernel, {
    cpus: o.cpus ?? 2,
    cmdline: [BASE_CMDLINE, o.cmdline].filter(Boolean).join(" "),
    scheduler: o.scheduler,
    devices: [block, agentHost],
  });
  machine.attach();
  // DIOSCOPE_CONSOLE=1 echoes the kernel console live on stderr (debugging aid).
  if (process.env.DIOSCOPE_CONSOLE) machine.console.onLine = (l) => process.stderr.write(`${machine!.clock.stamp(l.timeNs)}<${l.cpu}> ${l.text}\n`);
  machine.powerOn();
  try {
    machine.run(() => agentHost.ready, o.limits ?? { maxSteps: Number(process.env.DIOSCOPE_MAX_STEPS ?? 50_000_000) });
  } catch (e) {
    if (e instanceof MachineError) throw new BootError(e, machine);
    throw e;
  }
  const agent = new Agent(machine, agentHost);
  // What an init does first: device nodes (the disks appear as /dev/wda, /dev/wdb, ...).
  agent.ok(0, { op: "MOUNT", path: "devtmpfs", path2: "/dev", str: "devtmpfs" });
  return { wasm, machine, block, agent, bootMs: performance.now() - t0 };
}
