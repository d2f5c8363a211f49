// The generic oracles' vocabulary: what a run hands them (RunRecord), what
// a scenario declares about them, and what they find. Every run of every
// scenario is judged by every oracle; a finding names its oracle and
// carries typed evidence, never a formatted string to parse again.
import type { CommandRecord } from "../agent/host.ts";
import type { JournalEntry } from "../agent/journal.ts";
import type { BioRecord } from "../block/device.ts";
import type { FsKind } from "../block/images.ts";
import type { ConsoleLine } from "../machine/console.ts";

export const ORACLES = ["console", "crash", "hang", "completion", "return", "offset-size", "data", "unmount", "fsck", "leak"] as const;
export type OracleName = (typeof ORACLES)[number];

/** What a scenario says about the oracles. */
export interface OracleDeclarations {
  /** Oracles the scenario's bug makes fire (a seed's before side): their findings are marked expected. */
  expect?: readonly OracleName[];
  /** Oracles this scenario cannot honour, each with the reason the report prints. */
  off?: readonly { oracle: OracleName; reason: string }[];
  /** Block device nodes the scenario makes (a loop device), with their sizes in bytes: reads and writes stop at their end, as at a disk's. */
  devices?: Readonly<Record<string, number>>;
}

/** The file a mounted filesystem lives on: the image the fsck oracle checks. */
export interface MountedDisk {
  dev: string;
  dir: string;
  fstype: string;
  /** Index of the machine's disk ("/dev/wda" → 0), or null (a loop device, ...). */
  disk: number | null;
  kind: FsKind | null;
}

/** One read of a file's whole contents by the after-run probe. */
export interface ProbeRead {
  how: "buffered" | "direct" | "after-drop-cache";
  /** read's result: the bytes read (the file's size when smaller than asked) or an errno. */
  result: number;
  asked: number;
  data: Uint8Array | null;
}

export interface ProbeFile {
  path: string;
  reads: ProbeRead[];
  /** The probe's open of the file failed with this (negative errno): nothing was read. */
  refused?: number;
  /** Writing the file back before dropping its cache failed with this (negative errno): no after-drop-cache read. */
  writeback?: number;
}

/** What the host checker said about a filesystem image after unmount. */
export interface FsckResult {
  dev: string;
  tool: string;
  exitCode: number;
  output: string;
}

/** Objects a filesystem's own slab cache held once every filesystem of its type was unmounted, and at boot (more than at boot: leaked). */
export interface SlabCount {
  cache: string;
  fstype: string;
  objects: number;
  atBoot: number;
}

/** What the after-run probe did and saw (null fields: that step did not run). */
export interface ProbeRecord {
  /** Why the probe did not run at all (the run hung or trapped), or null. */
  skipped: string | null;
  /** A probe step that did not finish (the kernel stuck): later steps did not run. */
  stuck: string | null;
  /** Held bios the probe let complete before looking. */
  releasedBios: number;
  files: ProbeFile[];
  /** File positions of user descriptors (llseek SEEK_CUR). */
  positions: { task: number; fd: number; pos: number }[];
  /** Descriptors the run left open, closed by the probe. */
  closes: { task: number; fd: number; what: string; result: number }[];
  unmounts: { mount: MountedDisk; result: number }[];
  fsck: FsckResult[];
  /** The caches of each filesystem type the probe unmounted entirely (harness/oracles/slabs.ts); empty when not counted (see notes). */
  slabs: SlabCount[];
  /** Steps left out, with the reason (an oracle switched off). */
  notes: string[];
}

/** Everything the oracles judge: pure data, copied out of the machine. */
export interface RunRecord {
  scenario: string;
  /** Console lines of the run and the probe. */
  console: ConsoleLine[];
  /** The run did not finish: what was still waited for, with where each task sleeps. */
  hang: string | null;
  /** A machine error (trap, deadlock) that ended the run. */
  error: string | null;
  /** When the run hung: every task off its CPU and where it sleeps (Machine.describeTasks). */
  tasks: string[];
  /** Every agent command since boot (set-up included: the data model starts from empty files). */
  commands: CommandRecord[];
  /** The first command id of the run, and of the probe (commands from then on are the probe's). */
  runFromCmd: number;
  probeFromCmd: number;
  /** Every journal entry since boot (harness/agent/journal.ts). */
  journal: JournalEntry[];
  /** Bios of the run (the probe's excluded). */
  bios: BioRecord[];
  probe: ProbeRecord | null;
  /** Faults injected by the kernel's fault injection during the run (none until the host drives it). */
  injectedFaults: number;
  /** The machine's disks as files: device node path → size in bytes (a block device's size is fixed; absent in older records). */
  devices?: Record<string, number>;
  /** The machine's own disks: device node path → the disk's index in `bios` (absent in older records). */
  deviceDisks?: Record<string, number>;
}

/** The evidence of a finding, by oracle. */
export type Evidence =
  /** frame: the kernel function the report is about (oracles/frames.ts), or null. */
  | { kind: "console"; family: string; line: ConsoleLine; report: string[]; frame: string | null }
  | { kind: "hang"; what: string; tasks: string[] }
  | { kind: "crash"; error: string }
  | { kind: "op"; op: string; detail: string }
  | { kind: "block"; file: string; block: number; offset: number; seen: string; allowed: string[]; via: string }
  | { kind: "probe"; step: string; detail: string };

export interface OracleFinding {
  oracle: OracleName;
  /** One line: what broke ("lockdep: possible circular locking dependency detected"). */
  message: string;
  evidence: Evidence;
  /** The scenario declared that this oracle fires (its bug). */
  expected: boolean;
}

/** The oracles' verdict on one run. */
export interface Judgement {
  findings: OracleFinding[];
  /** Oracles switched off by the scenario, with the reason (printed by the report). */
  off: { oracle: OracleName; reason: string }[];
  /** Kernel reports only a 32-bit kernel prints (oracles/console.ts WORD_SIZE_REPORTS): listed with the reason, not findings. */
  wordSize: WordSizeNote[];
}

export interface WordSizeNote {
  /** The report's first line, as a finding's message would be. */
  message: string;
  frame: string | null;
  why: string;
  /** The kernel turned its lock checking off with this report. */
  stopsLockChecking: boolean;
}
