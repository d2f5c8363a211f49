// Asyncify coroutines. binaryen's Asyncify lets a host import unwind the
// whole wasm call stack into a buffer and later rewind it. Every kernel
// context (a task, or an interrupt running on top of one) is an Activation:
// its entry call, its own C shadow stack (__stack_pointer) and its own
// Asyncify buffer. Buffers live in RAM the kernel never sees (the top of
// memory, reserved through wasm_host_reserved).

export type ResumeAction = { kind: "retry" } | { kind: "return"; value: number | bigint | undefined };

export interface Activation {
  /** What it is, for reports: "task 0x1234", "irq timer", ... */
  label: string;
  kind: "task" | "irq";
  /** The task_struct address for task activations (0 for the boot context before it is known). */
  task: number;
  /** Calls the wasm export that starts (and, while rewinding, resumes) this context. */
  entry: () => void;
  /** Runs once before the first entry call (e.g. a block completion's data transfer). */
  start?: () => void;
  sp: number;
  buf: number;
  started: boolean;
  /** How the import it is suspended in continues once rewound. */
  resume: ResumeAction | null;
}

export interface AsyncifyExports {
  asyncify_start_unwind(data: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(data: number): void;
  asyncify_stop_rewind(): void;
  asyncify_get_state(): number;
}

export const ASYNCIFY_NORMAL = 0;
export const ASYNCIFY_UNWINDING = 1;
export const ASYNCIFY_REWINDING = 2;

/**
 * Bytes of one activation's Asyncify buffer: its whole saved call stack. The
 * deepest seen is 8,872 bytes (a user task in a btrfs error path of 6.1's
 * debug kernel, lockdep and printk under it); boots and seed runs stay
 * under 6 KiB.
 */
export const ASYNCIFY_BUFFER_BYTES = 16384;
/**
 * Asyncify buffers: the most kernel contexts at once. At most 50 are in use
 * in the debug kernels' boots with KUnit and in generated workloads. With
 * the buffer size, 4 MiB of RAM the kernel never sees.
 */
export const ASYNCIFY_BUFFERS = 256;

/** An unwound call stack did not fit its buffer: Asyncify wrote past its end (into the next buffer). A limit of the machine, not a kernel bug. */
export class AsyncifyOverflow extends Error {}

/** Asserts that the stack `act` just unwound fits its buffer (Asyncify itself traps "unreachable" only when stopping, after the overrun). */
export function assertUnwoundFits(mem32: Int32Array, act: Activation, bufferBytes: number): void {
  const used = mem32[act.buf >> 2]! - act.buf;
  if (used > bufferBytes)
    throw new AsyncifyOverflow(`the unwound call stack of ${act.label} needs ${used} bytes, more than its Asyncify buffer of ${bufferBytes} (ASYNCIFY_BUFFER_BYTES): a limit of the machine, not a kernel bug`);
}

/** The pool of Asyncify buffers in the host-reserved RAM. */
export class BufferPool {
  private free: number[] = [];
  constructor(
    readonly base: number,
    readonly bufferBytes: number,
    readonly count: number,
  ) {
    for (let i = count - 1; i >= 0; i--) this.free.push(base + i * bufferBytes);
  }
  alloc(): number {
    const b = this.free.pop();
    if (b === undefined) throw new Error(`out of Asyncify buffers (${this.count} of ${this.bufferBytes} bytes): too many kernel contexts`);
    return b;
  }
  release(buf: number): void {
    this.free.push(buf);
  }
  save(): number[] {
    return [...this.free];
  }
  load(s: number[]): void {
    this.free = [...s];
  }
}

/** Starts an unwind of the running activation into its buffer (called inside a host import). */
export function startUnwind(ex: AsyncifyExports, mem32: Int32Array, act: Activation, bufferBytes: number): void {
  mem32[act.buf >> 2] = act.buf + 8;
  mem32[(act.buf >> 2) + 1] = act.buf + bufferBytes;
  ex.asyncify_start_unwind(act.buf);
}
