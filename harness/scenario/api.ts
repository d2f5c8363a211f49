// The scenario API: everything a scenario file uses, bundled or the user's
// own. A scenario file outside the repository imports it as
// "dioscope/scenario" (the loader resolves that name to this module);
// bundled scenarios import it by relative path. The README's scenario guide
// documents it with a complete example.
export type { Scenario, ScenarioPatch, Reproduces, ScenarioMode, Expectation, Observed } from "./types.ts";
export { expect } from "./types.ts";
export { ScenarioContext, blocks, EIOCBQUEUED, O, type Task } from "./context.ts";
export type { FaultRule } from "../block/faults.ts";
export { UserTask, AioContext, IoUring, PAGE_SIZE, RWF, FALLOC, type UserBuffer, type IoEvent, type Cqe } from "../user/index.ts";
