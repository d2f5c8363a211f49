// The generic oracles (console, crash, hang, completion, return, offset-size,
// data, unmount, fsck): judge() on a RunRecord, the after-run probe that
// gathers what they need from the machine, and the record of a run.
import type { Booted } from "../boot/boot.ts";
import { emptyProbe, probeAfterRun } from "./probe.ts";
import { lockCheckingOffAfter } from "./signature.ts";
import type { Judgement, OracleDeclarations, ProbeRecord, RunRecord, WordSizeNote } from "./types.ts";

/** The kernel's report of each fault its fault injection forced (lib/fault-inject.c fail_dump). */
const FAULT_INJECTED = /FAULT_INJECTION: forcing a failure/;

export * from "./types.ts";
export { judge } from "./judge.ts";
export { CONSOLE_PATTERNS, classifyLine } from "./console.ts";
export { fileOps, type FileOp, type RunOps } from "./ops.ts";
export { probeAfterRun, emptyProbe } from "./probe.ts";
export { lockCheckingOffAfter, sameSignature, signatureOf, type FindingSignature } from "./signature.ts";
export { reportFrame } from "./frames.ts";

/** Where a run began in the machine's logs (taken before the run). */
export interface RunMarks {
  consoleLine: number;
  bio: number;
  /** The id of the run's first command. */
  cmd: number;
}

export function marksOf(b: Booted): RunMarks {
  return { consoleLine: b.machine.console.lines.length, bio: b.block.log.length, cmd: b.agent.host.records.length + 1 };
}

/**
 * After the scenario's run: the probe (unless the run hung or trapped, or
 * `probe` is false), then the record the oracles judge.
 */
export function recordRun(b: Booted, scenario: string, marks: RunMarks, end: { hang: string | null; error: string | null }, declared: OracleDeclarations, probe = true): RunRecord {
  const bios = b.block.log.slice(marks.bio).map((x) => ({ ...x }));
  const probeFromCmd = b.agent.host.records.length + 1;
  let p: ProbeRecord | null = null;
  if (end.hang || end.error) p = emptyProbe(`the run did not finish (${(end.hang ?? end.error)!.split("\n")[0]})`);
  else if (probe) p = probeAfterRun(b, marks.cmd, declared);
  return {
    scenario,
    console: b.machine.console.lines.slice(marks.consoleLine),
    hang: end.hang,
    error: end.error,
    tasks: end.hang || end.error ? b.machine.describeTasks() : [],
    commands: b.agent.host.records.map((c) => ({ ...c })),
    runFromCmd: marks.cmd,
    probeFromCmd,
    journal: [...b.agent.host.journal],
    bios,
    probe: p,
    injectedFaults: b.machine.console.lines.slice(marks.consoleLine).filter((l) => FAULT_INJECTED.test(l.text)).length,
    devices: { ...Object.fromEntries(b.block.disks.map((d) => [`/dev/${d.name}`, d.bytes])), ...declared.devices },
    deviceDisks: Object.fromEntries(b.block.disks.map((d, i) => [`/dev/${d.name}`, i])),
  };
}

/** One line per finding, per oracle switched off and per 32-bit report, for reports (KTAP diagnostics). */
export function judgementLines(j: Judgement): string[] {
  return [
    ...j.findings.map((f) => `oracle ${f.oracle}${f.expected ? " (expected by the scenario)" : ""}: ${f.message}`),
    ...j.off.map((o) => `oracle ${o.oracle} off: ${o.reason}`),
    ...j.wordSize.map((w) => `32-bit only, not judged: ${wordSizeLabel(w)} (${w.why})`),
    ...lockOffLine(j),
  ];
}

/** A 32-bit report in one line: its first line and the function it is about. */
export function wordSizeLabel(w: WordSizeNote): string {
  return `${w.message}${w.frame ? ` in ${w.frame}` : ""}`;
}

function lockOffLine(j: Judgement): string[] {
  const message = lockCheckingOffAfter(j.findings)?.message ?? j.wordSize.find((w) => w.stopsLockChecking)?.message;
  return message ? [`lock checking off after ${message} (the kernel reports no lock problem after its first)`] : [];
}
