// Seeded draws the generator's streams share: a choice, a chance, a weighted choice, each one value of the stream.
export type Rand = () => number;

export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const chance = (r: Rand, p: number): boolean => r() < p;

/** Weighted choice: [weight, value] pairs. */
export function weighted<T>(r: Rand, xs: readonly (readonly [number, T])[]): T {
  const total = xs.reduce((n, [w]) => n + w, 0);
  let x = r() * total;
  for (const [w, v] of xs) if ((x -= w) < 0) return v;
  return xs[xs.length - 1]![1];
}

/** A task's first one or two operations: a short program (a call's own edge, or a race between two calls, is met by the first calls on the file). */
export const shortProgram = <T>(r: Rand, ops: readonly T[]): T[] => ops.slice(0, chance(r, 0.5) ? 1 : 2);
/** Share of short programs that also lose their bio faults (the calls alone, on a healthy device). */
export const P_SHORT_CLEAN = 0.5;
