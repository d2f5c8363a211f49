// The machine's own host imports (asm/wasm_host.h): console, halt, CPU
// bring-up, context switch, idle/relax, IPIs, the interrupt flag, locks,
// the clock and the per-CPU timer. Each entry is a thin adapter over the
// machine's operations in `CoreHost`.
import type { ResumeAction } from "./coroutines.ts";
import type { SimClock } from "./clock.ts";
import type { ConsoleLog } from "./console.ts";
import { MachineHalted } from "./errors.ts";
import { wasmFrameIndices, wasmFrames, writeFunctionNames } from "./stack.ts";
import { SUSPENDED, type Cpu, type ImportImpl, type ImportResult, type LockMode, type Wait } from "./types.ts";

/** What the core imports need from the machine. */
export interface CoreHost {
  memory: WebAssembly.Memory;
  /** The kernel module (its name section names the functions on stack traces). */
  module: WebAssembly.Module;
  console: ConsoleLog;
  clock: SimClock;
  /** The CPU running the import. */
  cpu(): Cpu;
  cpus: Cpu[];
  /** Records the halt (the run loop rethrows it). */
  halt(e: MachineHalted): MachineHalted;
  suspend(resume: ResumeAction, wait: Wait | null): typeof SUSPENDED;
  switchPoint(reason: string): boolean;
  /** Nothing but the running CPU can go on. */
  onlyChoice(): boolean;
  advanceToNextEvent(): boolean;
  switchTo(prev: number, next: number, nextSp: number, prevDead: boolean): ImportResult;
  /** Pushes the idle task's first context on a CPU being brought up. */
  startCpu(cpu: Cpu, idle: number, sp: number): void;
  sendIpi(cpu: number): void;
  lock(addr: number, mode: LockMode): ImportResult;
  tryLock(addr: number, mode: LockMode): number;
  unlock(addr: number, mode: LockMode): void;
}

export function coreImports(h: CoreHost): Record<string, ImportImpl> {
  const utf8 = new TextDecoder();
  const locks: Record<string, ImportImpl> = {};
  for (const mode of ["spin", "read", "write"] as const) {
    locks[`host_${mode}_lock`] = (addr: number) => h.lock(addr, mode);
    locks[`host_${mode}_trylock`] = (addr: number) => h.tryLock(addr, mode);
    locks[`host_${mode}_unlock`] = (addr: number) => (h.unlock(addr, mode), undefined);
  }
  return {
    host_console_write: (buf: number, len: number) => {
      h.console.write(utf8.decode(new Uint8Array(h.memory.buffer, buf, len)), h.clock.now, h.cpu().id);
      return undefined;
    },
    host_halt: (code: number) => {
      throw h.halt(new MachineHalted(code));
    },
    host_dump_stack: () => {
      const frames = wasmFrames(new Error());
      h.console.write("Call trace (host):\n" + frames.map((f) => `  ${f}\n`).join(""), h.clock.now, h.cpu().id);
      return undefined;
    },
    host_stack_trace: (entries: number, max: number) => {
      const frames = wasmFrameIndices(new Error()).slice(0, max);
      new Uint32Array(h.memory.buffer, entries, frames.length).set(frames);
      return frames.length;
    },
    host_function_names: (buf: number, size: number) => writeFunctionNames(h.module, new Uint8Array(h.memory.buffer, buf, size)),
    host_switch_to: (prev: number, next: number, nextSp: number, prevDead: number) => h.switchTo(prev >>> 0, next >>> 0, nextSp >>> 0, prevDead !== 0),
    host_cpu_idle: () => h.suspend({ kind: "return", value: undefined }, { kind: "idle" }),
    host_cpu_relax: () => {
      h.clock.now += h.clock.relaxStepNs;
      // Nothing else can run: let time reach the next event (timeouts polled in a loop end).
      if (h.onlyChoice()) h.advanceToNextEvent();
      return undefined;
    },
    host_cpu_up: (cpu: number, idle: number, sp: number) => {
      const c = h.cpus[cpu];
      if (!c || c.online) return -22;
      c.online = true;
      c.irqOn = false;
      h.startCpu(c, idle >>> 0, sp >>> 0);
      return 0;
    },
    host_send_ipi: (cpu: number) => (h.sendIpi(cpu), undefined),
    host_irq_flags: () => (h.cpu().irqOn ? 1 : 0),
    host_irq_save: () => {
      const cpu = h.cpu();
      const was = cpu.irqOn;
      cpu.irqOn = false;
      return was ? 1 : 0;
    },
    host_irq_restore: (flags: number) => {
      const cpu = h.cpu();
      const enabling = flags !== 0 && !cpu.irqOn;
      cpu.irqOn = flags !== 0;
      // Interrupts that became deliverable may be taken before the import returns.
      if (enabling && h.switchPoint("host_irq_restore")) return h.suspend({ kind: "return", value: undefined }, null);
      return undefined;
    },
    ...locks,
    host_clock_ns: () => BigInt(h.clock.read()),
    host_timer_set: (delta: bigint) => {
      h.cpu().timerAt = h.clock.now + Number(BigInt.asUintN(64, delta));
      return undefined;
    },
    host_timer_stop: () => {
      h.cpu().timerAt = Infinity;
      return undefined;
    },
    host_boot_wallclock: () => BigInt(h.clock.bootEpochSeconds),
  };
}
