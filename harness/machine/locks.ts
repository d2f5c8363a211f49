// The kernel's spin and rw locks as words in kernel memory, taken and
// released by host imports: a spin lock holds its owner's CPU id + 1, a
// rw lock the reader count or WRITER | owner. A CPU that cannot take a lock
// suspends with a Wait the run loop checks before running it again.
import type { LockMode, Wait } from "./types.ts";

export const WRITER = 0x80000000 | 0;

/** Takes the lock at `addr` for `cpu` if it is free for `mode` (true). */
export function tryLock(mem32: Int32Array, addr: number, mode: LockMode, cpu: number): boolean {
  const v = mem32[addr >> 2]!;
  const me = cpu + 1;
  if (mode === "read") {
    if (v & WRITER) return false;
    mem32[addr >> 2] = v + 1;
    return true;
  }
  if (v !== 0) return false;
  mem32[addr >> 2] = mode === "spin" ? me : WRITER | me;
  return true;
}

/** Whether `cpu` itself holds the lock at `addr` that it cannot take for `mode` (a self-deadlock). */
export function heldBy(mem32: Int32Array, addr: number, mode: LockMode, cpu: number): boolean {
  const v = mem32[addr >> 2]! >>> 0;
  const holder = mode === "spin" ? v : v & WRITER ? v & ~WRITER : 0;
  return holder === cpu + 1;
}

export function unlock(mem32: Int32Array, addr: number, mode: LockMode): void {
  const v = mem32[addr >> 2]!;
  mem32[addr >> 2] = mode === "read" ? v - 1 : 0;
}

/** Whether a context suspended with `w` can go on now. */
export function canRun(mem32: Int32Array, w: Wait | null | undefined): boolean {
  if (!w) return true;
  if (w.kind === "idle") return false;
  const v = mem32[w.addr >> 2]!;
  if (w.mode === "read") return (v & WRITER) === 0;
  return v === 0;
}
