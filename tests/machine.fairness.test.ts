// Fairness between CPUs (harness/machine/fairness.ts): a CPU that passes a
// slice of consecutive switch points while something else could run gives
// way at a yielding point, deterministically.
import assert from "node:assert/strict";
import { bootKernel } from "../harness/boot/boot.ts";
import { FAIR_SLICE_SWITCH_POINTS, Slice } from "../harness/machine/fairness.ts";
import { RunToBlock, type Choice, type SwitchPoint } from "../harness/machine/scheduler.ts";
import { builtKernels, DEBUG_TREES } from "./support/built.ts";

describe("fairness: the slice of a CPU", () => {
  it("ends after FAIR_SLICE_SWITCH_POINTS consecutive switch points of one CPU; another CPU's switch point starts a new one; a saved count carries on", () => {
    const s = new Slice();
    for (let i = 1; i < FAIR_SLICE_SWITCH_POINTS; i++) assert.equal(s.tick(0), false, `switch point ${i}`);
    assert.equal(s.tick(0), true, "the last switch point of the slice");
    assert.equal(s.tick(0), false, "a new slice starts");
    for (let i = 0; i < FAIR_SLICE_SWITCH_POINTS - 10; i++) s.tick(0);
    assert.equal(s.tick(1), false, "CPU 1 ran: CPU 0's count is gone");
    const saved = s.save();
    const t = new Slice();
    t.load(saved);
    for (let i = 2; i < FAIR_SLICE_SWITCH_POINTS; i++) assert.equal(t.tick(1), false);
    assert.equal(t.tick(1), true);
  });
});

/** RunToBlock, noting the yielding points that are not cpu_relax (the ends of slices). */
class SliceSpy extends RunToBlock {
  ends: { step: number; cpu: number | null; chose: Choice }[] = [];
  override choose(p: SwitchPoint, choices: readonly Choice[]): number {
    const i = super.choose(p, choices);
    if (p.yielding && p.reason !== "host_cpu_relax") this.ends.push({ step: p.step, cpu: p.cpu, chose: choices[i]! });
    return i;
  }
}

for (const k of builtKernels("debug", DEBUG_TREES.filter((t) => t === "6.12")))
  describe(`fairness on the ${k.tree} debug kernel's boot`, function () {
    this.timeout(120_000);

    it("a CPU that runs a whole slice while the other could run passes to it, the same way every boot", () => {
      const boot = () => {
        const spy = new SliceSpy();
        const b = bootKernel(k.wasmPath, { cpus: 2, scheduler: spy });
        return { ends: spy.ends, decisions: b.machine.decisions, steps: b.machine.steps };
      };
      const one = boot();
      assert.ok(one.ends.length > 0, "the boot has a stretch of a slice with the other CPU runnable (the locking self-tests)");
      for (const e of one.ends) assert.ok(e.chose.kind === "irq" || e.chose.cpu !== e.cpu, `step ${e.step}: CPU ${e.cpu} gave way (${JSON.stringify(e.chose)})`);
      assert.deepEqual(boot(), one);
    });
  });
