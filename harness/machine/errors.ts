// What can end a run other than success. Every error carries what
// reproduces it (the machine fills `repro` with build id, seed and schedule).

export class MachineError extends Error {
  repro = "";
  withRepro(repro: string): this {
    this.repro = repro;
    this.message += `\n  reproduce: ${repro}`;
    return this;
  }
}

/** The kernel trapped (wasm unreachable, out-of-bounds access, a not-simulated import). */
export class KernelTrap extends MachineError {
  constructor(readonly error: unknown, readonly cpu: number, readonly wasmStack: string[]) {
    super(`kernel trap on CPU ${cpu}: ${error instanceof Error ? error.message : String(error)}${wasmStack.length ? "\n    at " + wasmStack.join("\n    at ") : ""}`);
  }
}

/** Nothing can run and nothing is pending: every CPU idle or waiting, or a lock that can never be released. */
export class HangError extends MachineError {
  constructor(readonly reason: string, readonly details: string[] = []) {
    super(`hang: ${reason}${details.length ? "\n  " + details.join("\n  ") : ""}`);
  }
}

/** The kernel stopped the machine (halt, power off, restart, panic). */
export class MachineHalted extends MachineError {
  constructor(readonly code: number) {
    super(`machine halted by the kernel (${["halt", "power off", "restart", "panic"][code] ?? code})`);
  }
}

/** A run exceeded its step or simulated-time budget while still busy. */
export class BudgetExceeded extends MachineError {}
