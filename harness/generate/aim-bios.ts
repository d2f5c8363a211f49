// Bio faults aimed at the change: when the change's words are about
// requests that complete asynchronously (the "async" emphasis: EIOCBQUEUED,
// ki_complete, io_uring, AIO, ...), the path most such fixes mend is the one
// where the request's bio completes, with an error, before the code that
// submitted it has returned: inside submit_bio. A fault drawn at random
// rarely lands on a bio the changed code submits, and "now" on it is one
// draw of several. Here the case's workload is run once on the kernel
// before the change (natural schedule, no probe, its drawn faults left out)
// with the call stack of every bio recorded; the first bio of each kind
// (direction, NOWAIT or not) with a changed function on its stack becomes a
// variant: the workload with that one fault, completed inside submission,
// with the status the device gives a bio of that kind (AGAIN to a bio that
// may not wait, IOERR to one that may). The variants run after the drawn
// workload, only when it changed nothing; each is a workload printed and
// replayed as any other.
import type { BioRecord } from "../block/device.ts";
import { runWith, type KernelRef } from "../explore/runner.ts";
import { Follow } from "../explore/strategies.ts";
import type { ScenarioContext } from "../scenario/api.ts";
import { ScenarioError } from "../scenario/load.ts";
import { forgetPrepared } from "../scenario/run.ts";
import { AIM_VARIANTS_MAX } from "./aim.ts";
import { workloadScenario, type WorkloadState } from "./scenario.ts";
import type { BioFault, Workload } from "./workload.ts";

export interface AimedBios {
  /** The workloads with one aimed fault each, in the order their bios were submitted (none when no bio was under the change). */
  variants: Workload[];
  /** The faults aimed at, one per variant. */
  faults: BioFault[];
}

/** The fault that fails bio `b` of a run inside its submission, counted as the device's rules count (AGAIN among NOWAIT bios of its direction, IOERR among all). */
function faultOn(b: BioRecord, bios: readonly BioRecord[]): BioFault {
  const op = b.op as BioFault["op"];
  const counted = bios.filter((x) => x.index <= b.index && x.op === b.op && (!b.nowait || x.nowait));
  return { op, nth: counted.length, status: b.nowait ? "AGAIN" : "IOERR", when: "now" };
}

/**
 * Runs `w` without its faults on `kernel` and returns one variant per kind
 * of bio (direction × NOWAIT) first submitted with one of `focus` on its
 * call stack, at most AIM_VARIANTS_MAX.
 */
export function aimBioFaults(w: Workload, kernel: KernelRef, focus: readonly string[]): AimedBios {
  const want = new Set(focus);
  if (!want.size) return { variants: [], faults: [] };
  const clean: Workload = { ...w, faults: [] };
  const base = workloadScenario(clean, { debug: kernel.config === "debug" });
  const scenario = {
    ...base,
    name: `aim-bio-${base.name}`,
    run: (s: ScenarioContext, st: WorkloadState) => {
      s.block.recordFrames = true;
      try {
        base.run(s, st);
      } finally {
        s.block.recordFrames = false;
      }
    },
  };
  let bios: BioRecord[] = [];
  try {
    bios = runWith({ scenario, kernel, probe: false }, new Follow([], false)).run.bios;
  } catch (e) {
    // The workload's own steps failed (a refused mount or open): nothing to aim at; the case reports it.
    if (!(e instanceof ScenarioError)) throw e;
  } finally {
    forgetPrepared(scenario);
  }
  const faults: BioFault[] = [];
  const kinds = new Set<string>();
  for (const b of bios) {
    if (faults.length >= AIM_VARIANTS_MAX) break;
    if ((b.op !== "read" && b.op !== "write") || !b.frames?.some((f) => want.has(f))) continue;
    const kind = `${b.op}/${b.nowait}`;
    if (kinds.has(kind)) continue;
    kinds.add(kind);
    faults.push(faultOn(b, bios));
  }
  return { variants: faults.map((f) => ({ ...w, faults: [f] })), faults };
}
