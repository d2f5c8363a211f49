// Where a change under test runs: the natural run of a target is watched,
// and each consultation at which the running CPU's kernel call stack names
// one of the changed functions is kept. PCT prefers those consultations for
// its priority change points (strategies.ts, PctParams.hot), so schedules
// change where the patch's code runs rather than anywhere in the run.
import type { Choice, SwitchPoint } from "../machine/scheduler.ts";
import { wasmFrames } from "../machine/stack.ts";
import { runWith, type Target } from "./runner.ts";
import { Follow } from "./strategies.ts";

/** The natural scheduler that also notes the consultations inside `fns`. */
export class Watching extends Follow {
  readonly hot: number[] = [];
  private readonly fns: ReadonlySet<string>;

  constructor(fns: readonly string[]) {
    super([], false);
    this.fns = new Set(fns);
  }

  override choose(point: SwitchPoint, choices: readonly Choice[]): number {
    if (this.fns.size && point.cpu !== null && wasmFrames(new Error()).some((f) => this.fns.has(f))) this.hot.push(this.consultations);
    return super.choose(point, choices);
  }
}

/** The natural run of `t` and its consultations inside `fns` (in order). */
export function naturalFocus(t: Target, fns: readonly string[]): { outcome: ReturnType<typeof runWith>["outcome"]; hot: number[] } {
  const w = new Watching(fns);
  const { outcome } = runWith(t, w);
  return { outcome, hot: w.hot };
}
