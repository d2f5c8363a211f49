// Running a scenario on a built kernel: boot and set up once per build
// (then snapshot), restore before every run, run, and judge the
// expectations against what the kernel did.
import type { FailNth } from "../agent/host.ts";
import { bootKernel, type Booted } from "../boot/boot.ts";
import { diskOf } from "../block/images.ts";
import { MachineError } from "../machine/errors.ts";
import type { Machine, MachineState, TraceEvent } from "../machine/machine.ts";
import type { Scheduler } from "../machine/scheduler.ts";
import { RunToBlock } from "../machine/scheduler.ts";
import type { ConsoleLine } from "../machine/console.ts";
import { HangObserved, ScenarioContext } from "./context.ts";
import type { Observed, Scenario } from "./types.ts";
import type { BioRecord } from "../block/device.ts";
import type { CommandRecord } from "../agent/host.ts";
import { judge, marksOf, recordRun, type Judgement, type ProbeRecord } from "../oracles/index.ts";
import { AgentTimeout } from "../agent/api.ts";
import { ScenarioError, whereIn } from "./load.ts";

export interface ScenarioRun {
  scenario: string;
  wasmPath: string;
  passed: boolean;
  /** Expectation name → null (held) or what was seen. */
  results: { name: string; failure: string | null }[];
  observed: Observed;
  /** The machine's event log, the bios and agent commands of this run (timelines). */
  trace: TraceEvent[];
  bios: BioRecord[];
  commands: CommandRecord[];
  console: ConsoleLine[];
  /** A machine error (trap, deadlock) that ended the run, if any. */
  error: string | null;
  /** Agent task names by agent id (timelines). */
  taskNames: string[];
  cpus: number;
  /** Steps and decisions of the run, for replay. */
  steps: number;
  decisions: string;
  /** The generic oracles' findings (harness/oracles), and what the after-run probe saw. */
  oracles: Judgement;
  probe: ProbeRecord | null;
}

interface Prepared {
  booted: Booted;
  ctx: ScenarioContext;
  state: unknown;
  snapshot: MachineState;
  consoleMark: number;
  bioMark: number;
  cmdMark: number;
}

const prepared = new Map<string, Prepared>();

/** Simulated time set-up's deferred work gets to finish before the snapshot. */
const QUIESCE_NS = 1e9;

/** The kernel did not finish what the scenario waited for. */
function isHang(e: unknown): e is Error {
  return e instanceof HangObserved || e instanceof AgentTimeout || (e instanceof MachineError && /^hang/.test(e.message));
}

/** An error of the scenario's own code (or a set-up the kernel never finished), naming its file and line. */
function scenarioFault(s: Scenario, phase: "set-up" | "run", e: unknown): ScenarioError {
  if (e instanceof ScenarioError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const what = isHang(e) ? `${phase} did not finish` : `${phase} failed`;
  return new ScenarioError(`${s.source ? whereIn(s.source, e) : "(scenario without a file)"}: scenario "${s.name}": ${what}: ${msg}`);
}

function prepare(scenario: Scenario, wasmPath: string): Prepared {
  const key = `${scenario.source ?? ""}\0${scenario.name}\0${wasmPath}`;
  const have = prepared.get(key);
  if (have) return have;
  const booted = bootKernel(wasmPath, {
    cpus: scenario.cpus,
    memoryMiB: scenario.memoryMiB ?? 64,
    disks: scenario.disks.map((d, i) => diskOf(`wd${String.fromCharCode(97 + i)}`, d)),
  });
  const ctx = new ScenarioContext(booted);
  const m = booted.machine;
  let state: unknown;
  try {
    state = scenario.setup(ctx);
    // Quiesce: let set-up I/O and deferred work finish before the snapshot.
    m.run(() => false, { stopWhenQuiescent: true, untilNs: m.clock.now + QUIESCE_NS });
  } catch (e) {
    throw scenarioFault(scenario, "set-up", e);
  }
  const p: Prepared = {
    booted,
    ctx,
    state,
    snapshot: m.save(),
    consoleMark: m.console.lines.length,
    bioMark: booted.block.log.length,
    cmdMark: booted.agent.host.records.length,
  };
  prepared.set(key, p);
  return p;
}

/** Drops the booted machines kept for `scenario` (a generated workload that will not run again frees its memory). */
export function forgetPrepared(scenario: Scenario): void {
  for (const [key, p] of prepared) if (key.startsWith(`${scenario.source ?? ""}\0${scenario.name}\0`) && p) prepared.delete(key);
}

/** Options of one run (schedule exploration runs many: no event log, no restore afterwards). */
export interface RunOptions {
  /** Keep the machine's event log (default true). */
  trace?: boolean;
  /**
   * Put the machine back to the snapshot after the run (default true). false:
   * the next run restores it anyway, and restores only the live RAM (the
   * kernel's and the Asyncify buffers in use), which is faster.
   */
  restoreAfter?: boolean;
  /** Called with the machine after the restore, before the run (e.g. a scheduler that notes simulated time). */
  onMachine?: (m: Machine) => void;
  /** Benchmarks only: wall-clock milliseconds added up per phase (never part of a result). */
  timing?: RunTiming;
  /** A fault to inject (a run input, debug kernel): the n-th fault point of the run's k-th system call fails. */
  failNth?: FailNth;
  /** The after-run probe of the oracles (re-reads, close, unmount, fsck); default true. Without it the oracles judge the run alone. */
  probe?: boolean;
}

export interface RunTiming {
  restoreMs: number;
  runMs: number;
  /** Expectations, the oracles' after-run probe and judge(). */
  judgeMs: number;
}

/** One run of `scenario` on the kernel at `wasmPath`, from its snapshot, under `scheduler`. */
export function runScenario(scenario: Scenario, wasmPath: string, scheduler: Scheduler = new RunToBlock(), o: RunOptions = {}): ScenarioRun {
  const p = prepare(scenario, wasmPath);
  const m = p.booted.machine;
  const t0 = o.timing ? performance.now() : 0;
  m.load(p.snapshot, { liveOnly: o.restoreAfter === false });
  const t1 = o.timing ? performance.now() : 0;
  m.scheduler = scheduler;
  p.booted.agent.host.setFailNth(o.failNth ?? null);
  o.onMachine?.(m);
  m.decisions = [];
  m.trace = o.trace === false ? null : [];
  const ctx = new ScenarioContext(p.booted);
  const marks = marksOf(p.booted);
  let hang: string | null = null;
  let error: string | null = null;
  try {
    scenario.run(ctx, p.state);
  } catch (e) {
    if (e instanceof HangObserved || e instanceof AgentTimeout) hang = e.message;
    else if (e instanceof MachineError) {
      error = e.message;
      if (/^hang/.test(e.message)) hang = e.message;
    } else throw scenarioFault(scenario, "run", e);
  }
  const t2 = o.timing ? performance.now() : 0;
  const observed: Observed = { values: { ...ctx.values }, console: m.console.lines.slice(p.consoleMark), hang };
  const results = scenario.expectations.map((x) => ({ name: x.name, failure: x.check(observed) }));
  if (error && !hang) results.push({ name: "the machine kept running", failure: error });
  const run: ScenarioRun = {
    scenario: scenario.name,
    wasmPath,
    passed: results.every((r) => r.failure === null),
    results,
    observed,
    trace: m.trace ?? [],
    bios: p.booted.block.log.slice(p.bioMark).map((b) => ({ ...b })),
    commands: p.booted.agent.host.records.slice(p.cmdMark).map((c) => ({ ...c })),
    console: observed.console,
    error,
    taskNames: p.ctx.tasks.map((t) => t.name),
    cpus: scenario.cpus,
    steps: m.steps,
    decisions: JSON.stringify(m.decisions),
    oracles: { findings: [], off: [], wordSize: [] },
    probe: null,
  };
  m.trace = null;
  // The probe is not part of the schedule: it runs under the default scheduler.
  m.scheduler = new RunToBlock();
  const record = recordRun(p.booted, scenario.name, marks, { hang, error }, scenario.oracles ?? {}, o.probe !== false);
  run.oracles = judge(record, scenario.oracles ?? {});
  run.probe = record.probe;
  if (o.timing) {
    o.timing.restoreMs += t1 - t0;
    o.timing.runMs += t2 - t1;
    o.timing.judgeMs += performance.now() - t2;
  }
  if (o.restoreAfter !== false) m.load(p.snapshot);
  m.scheduler = new RunToBlock();
  return run;
}

/** What failed in a run: its expectations by name, and the generic oracles' findings as "oracle:<name>". */
export function failedNames(r: ScenarioRun): string[] {
  return [...r.results.filter((x) => x.failure).map((x) => x.name), ...r.oracles.findings.map((f) => `oracle:${f.oracle}`)];
}

/** A run fails when an expectation fails or a generic oracle finds something (expected by the scenario or not). */
export function runFails(r: ScenarioRun): boolean {
  return !r.passed || r.oracles.findings.length > 0;
}
