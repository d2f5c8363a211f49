// The instrumentation phase of a build: Asyncify, then the dirty-page pass,
// over the whole linked module; or, for a variant of a built pristine
// kernel, the splice of only its changed functions (splice.ts), when it
// applies. A pristine build also records its unwinding analysis for the
// variants' splices. The manifest says which method ran and why.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncify, type AsyncifyResult } from "./asyncify.ts";
import { instrumentDirtyPages } from "./dirty.ts";
import { LINKED_WASM } from "./link.ts";
import { KERNEL_WASM, spliceVariant, SpliceRefusal } from "./splice.ts";
import type { Toolchain } from "./toolchain.ts";
import { analysePristine, writeAnalysis } from "./unwind.ts";
import { readModule } from "./wasm-module.ts";

export interface Instrumentation {
  method: "splice" | "full";
  /** Why this method: the splice's refusal, or why it was not tried. */
  reason: string;
  /** Functions the splice instrumented (their names). */
  changedFunctions?: string[];
}

export interface InstrumentRequest {
  tc: Toolchain;
  /** The build's directory: LINKED_WASM is there, KERNEL_WASM is written there. */
  dir: string;
  switching: string[];
  /** What is built: the pristine kernel, or a variant (spliced against the pristine build in `pristineDir`, or Asyncified in full). */
  kind: { build: "pristine" } | { build: "variant"; pristineDir: string } | { build: "full variant" };
  timed: <T>(step: string, f: () => T) => T;
  log: (line: string) => void;
}

export interface Instrumented {
  instrumentation: Instrumentation;
  asyncifyPeakRssKiB?: number;
}

function full(req: InstrumentRequest, reason: string): Instrumented {
  const out = join(req.dir, KERNEL_WASM);
  const r: AsyncifyResult = req.timed("asyncify", () => asyncify(req.tc, join(req.dir, LINKED_WASM), out, req.switching));
  req.timed("dirty-pages", () => writeFileSync(out, instrumentDirtyPages(readFileSync(out))));
  if (req.kind.build === "pristine")
    req.timed("unwind-analysis", () => {
      const a = analysePristine(readModule(readFileSync(join(req.dir, LINKED_WASM))), readModule(readFileSync(out)), req.switching);
      if (a.disagreement) req.log(`variants of this kernel will not be spliced: ${a.disagreement}`);
      writeAnalysis(req.dir, a);
    });
  return { instrumentation: { method: "full", reason }, asyncifyPeakRssKiB: r.peakRssKiB };
}

export function instrumentKernel(req: InstrumentRequest): Instrumented {
  if (req.kind.build === "pristine") return full(req, "pristine build");
  if (req.kind.build === "full variant") return full(req, "full instrumentation requested");
  const pristineDir = req.kind.pristineDir;
  if (!existsSync(join(pristineDir, "manifest.json"))) return full(req, "the pristine kernel is not built");
  try {
    const r = req.timed("splice", () =>
      spliceVariant({ tc: req.tc, pristineDir, variantLinked: join(req.dir, LINKED_WASM), output: join(req.dir, KERNEL_WASM), workDir: req.dir, switching: req.switching }),
    );
    req.log(`spliced ${r.changed.length} instrumented function(s) into the pristine kernel: ${r.changed.join(", ")}`);
    return { instrumentation: { method: "splice", reason: `${r.changed.length} function(s) changed, every unwinding property as in the pristine kernel`, changedFunctions: r.changed } };
  } catch (e) {
    if (!(e instanceof SpliceRefusal)) throw e;
    req.log(`full Asyncify: ${e.message}`);
    return full(req, e.message);
  }
}
