// Run records built by hand, command by command, for the oracle model tests
// (oracles.model.test.ts, oracles.return.test.ts).
import type { CommandRecord } from "../../harness/agent/host.ts";
import type { JournalEntry } from "../../harness/agent/journal.ts";
import type { AgentCommand } from "../../harness/agent/protocol.ts";
import type { BioRecord } from "../../harness/block/device.ts";
import { judge, type OracleDeclarations, type ProbeRecord, type RunRecord } from "../../harness/oracles/index.ts";
import { O } from "../../harness/user/abi.ts";

export const EIOCBQUEUED = -529;

/** A run built command by command; times are simulated ns. */
export class Run {
  commands: CommandRecord[] = [];
  journal: JournalEntry[] = [];
  bios: BioRecord[] = [];
  probe: ProbeRecord | null = null;
  runFromCmd = 1;
  devices: Record<string, number> = {};
  deviceDisks: Record<string, number> = {};
  console: RunRecord["console"] = [];

  cmd(command: AgentCommand, at: number, returned: number | null, o: { task?: number; end?: number; completed?: number | null; completions?: number; data?: Uint8Array } = {}): CommandRecord {
    const r: CommandRecord = {
      id: this.commands.length + 1, task: o.task ?? 0, command, queuedNs: at, returned, returnedNs: returned === null ? null : (o.end ?? at + 10),
      completed: o.completed ?? null, completedNs: o.completed === undefined || o.completed === null ? null : (o.end ?? at + 10), completions: o.completions ?? (o.completed === undefined || o.completed === null ? 0 : 1), cpus: [],
      ...(o.data ? { data: o.data } : {}),
    };
    this.commands.push(r);
    return r;
  }
  /** An agent file created empty, opened with `flags`. */
  file(path: string, flags = O.RDWR | O.CREAT): number {
    const fd = this.commands.filter((c) => c.command.op === "OPEN").length + 3;
    this.cmd({ op: "OPEN", path, flags }, 0, fd);
    return fd;
  }
  startRun(): void {
    this.runFromCmd = this.commands.length + 1;
  }
  record(): RunRecord {
    return { scenario: "model", console: this.console, hang: null, error: null, tasks: [], commands: this.commands, runFromCmd: this.runFromCmd, probeFromCmd: this.commands.length + 1, journal: this.journal, bios: this.bios, probe: this.probe, injectedFaults: 0, devices: this.devices, deviceDisks: this.deviceDisks };
  }
  judge(d: OracleDeclarations = {}) {
    return judge(this.record(), d);
  }
}

export const fill = (n: number, len = 4096) => new Uint8Array(len).fill(n);
export const failedBio = (op: "read" | "write", at: number, done: number): BioRecord => ({ index: 0, disk: 0, op, sector: 8, bytes: 4096, nowait: false, flags: 0, cpu: 0, submitNs: at, status: 10, completion: "irq", completedNs: done, rule: "test", writeback: false, readahead: false });
export const oracles = (r: Run, d?: OracleDeclarations) => r.judge(d).findings.map((f) => f.oracle);
