// judge(): every generic oracle on one run. Pure: it reads the RunRecord
// (console, commands, journal, bios, the after-run probe) and returns the
// findings, each with its oracle's name and typed evidence, marked expected
// when the scenario declared that oracle fires; oracles the scenario
// switched off are left out and listed with their reason.
import type { BioRecord } from "../block/device.ts";
import { BLK_STS } from "../block/faults.ts";
import { completionAccounting } from "./completion.ts";
import { consoleHits, excused, wordSizeReport, type ConsoleHit } from "./console.ts";
import { groupByFile, offsetContract, returnContract, sizeContract } from "./contracts.ts";
import { checkReads, probeAgreement, provenance, type SeenRead } from "./data.ts";
import { concurrentOps, fileOps, overlaps, type FileOp } from "./ops.ts";
import type { Evidence, Judgement, OracleDeclarations, OracleFinding, OracleName, RunRecord, WordSizeNote } from "./types.ts";
import { O } from "../user/abi.ts";

type Raw = { oracle: OracleName; message: string; evidence: Evidence };

export function judge(run: RunRecord, declared: OracleDeclarations = {}): Judgement {
  const off = declared.off ?? [];
  const { ops, strayCqes, strayEvents } = fileOps({ commands: run.commands, journal: run.journal, runFromCmd: run.runFromCmd, probeFromCmd: run.probeFromCmd });
  const failedBios = run.bios.filter((b) => b.status !== 0);
  const { kernel, wordSize } = splitConsole(run);
  const raw: Raw[] = [
    ...consoleFindings(kernel, run, ops, failedBios),
    ...machineFindings(run),
    ...completionAccounting(ops, strayCqes, strayEvents, run.runFromCmd).map((f) => opFinding("completion", f)),
    ...returnContract(ops, { failedBios, okBios: run.bios.filter((b) => b.status === 0), injectedFaults: run.injectedFaults, devices: run.devices ?? {}, deviceDisks: run.deviceDisks ?? {} }).map((f) => opFinding("return", f)),
    ...offsetContract(ops, run.commands, run.probe, run.probeFromCmd).map((f) => opFinding("offset-size", f)),
    ...sizeContract(ops, run.probe).map((f) => opFinding("offset-size", f)),
    ...dataFindings(run, ops, failedBios),
    ...probeFindings(run, failedBios),
  ];
  const findings: OracleFinding[] = raw
    .filter((r) => !off.some((o) => o.oracle === r.oracle))
    .map((r) => ({ oracle: r.oracle, message: r.message, evidence: r.evidence, expected: declared.expect?.includes(r.oracle) ?? false }));
  return { findings, off: [...off], wordSize };
}

const consoleMessage = (h: ConsoleHit) => `${h.family}: ${h.line.text.trim()}`;

/** The run's kernel reports, less those only a 32-bit kernel prints, which become notes with why (console.ts). */
function splitConsole(run: RunRecord): { kernel: ConsoleHit[]; wordSize: WordSizeNote[] } {
  const kernel: ConsoleHit[] = [];
  const wordSize: WordSizeNote[] = [];
  for (const h of consoleHits(run.console)) {
    const w = wordSizeReport(h);
    if (w) wordSize.push({ message: consoleMessage(h), frame: h.frame, why: w.why, stopsLockChecking: h.stopsLockChecking });
    else kernel.push(h);
  }
  return { kernel, wordSize };
}

function opFinding(oracle: OracleName, f: { op: string; detail: string }): Raw {
  return { oracle, message: f.detail, evidence: { kind: "op", op: f.op, detail: f.detail } };
}

function consoleFindings(hits: readonly ConsoleHit[], run: RunRecord, ops: readonly FileOp[], failedBios: readonly BioRecord[]): Raw[] {
  return hits
    .filter((h) => excused(h, ops, failedBios.length, run.injectedFaults) === null)
    .map((h) => ({ oracle: "console" as const, message: consoleMessage(h), evidence: { kind: "console" as const, family: h.family, line: h.line, report: h.report, frame: h.frame } }));
}

/** Tasks waiting where they wait when there is nothing to do (an agent for its next command, a worker for work). */
const IDLE = /: sleeps in (agent_task|worker_thread|kthreadd|smpboot_thread_fn|rescuer_thread|kthread_worker_fn|rcu_\w*kthread\w*|rcu_gp_kthread|kswapd|kcompactd|user_wait_command|io_wq_worker)\b/;

/** The machine's own detectors: a hang or deadlock (with where each task sleeps), a trap or halt. */
function machineFindings(run: RunRecord): Raw[] {
  const out: Raw[] = [];
  if (run.hang) {
    const what = run.hang.split("\n")[0]!.trim();
    out.push({ oracle: "hang", message: what, evidence: { kind: "hang", what, tasks: run.tasks.filter((t) => !IDLE.test(t) && !t.endsWith("(stack not traced)")) } });
  }
  if (run.error && !run.hang) out.push({ oracle: "crash", message: run.error.split("\n")[0]!, evidence: { kind: "crash", error: run.error } });
  return out;
}

/**
 * Files the model can follow: created by the record (the first open of the
 * path creates it: images start from mkfs) and written only through
 * descriptors of the path (not through a loop device over it).
 */
function modelled(run: RunRecord, path: string): boolean {
  const first = run.commands.find((c) => (c.command.op === "OPEN" && c.command.path === path) || (c.command.op === "LOOP_ATTACH" && c.command.path2 === path));
  const userOpen = run.journal.find((e) => e.kind === "open" && e.path === path);
  const createdByAgent = first?.command.op === "OPEN" && ((first.command.flags ?? 0) & O.CREAT) !== 0;
  const createdByUser = userOpen?.kind === "open" && (userOpen.flags & O.CREAT) !== 0 && (!first || first.id > userOpen.cmd);
  const loop = run.commands.some((c) => c.command.op === "LOOP_ATTACH" && c.command.path2 === path);
  return !path.startsWith("/dev/") && !loop && (createdByAgent || createdByUser);
}

/** A direct write and a buffered operation on one range at once: the kernel allows either data (see console.ts excused). */
function mixedIo(ops: readonly FileOp[]): boolean {
  return ops.some((d) => d.kind === "write" && d.direct && ops.some((b) => !b.direct && (b.kind === "write" || b.kind === "read") && concurrentOps(d, b) && overlaps(d, b)));
}

const PROBE_NS = Number.MAX_SAFE_INTEGER - 1;

function dataFindings(run: RunRecord, ops: readonly FileOp[], failedBios: readonly BioRecord[]): Raw[] {
  const out: Raw[] = [];
  const writeFailed = failedBios.some((b) => b.op === "write");
  const elsewhere = provenance(ops.filter((o) => o.kind === "write" && o.data));
  const nowaitAgainIsNothing = !failedBios.some((b) => b.status === BLK_STS.AGAIN && !b.nowait);
  for (const [path, mine] of groupByFile(ops)) {
    if (!modelled(run, path)) continue;
    // After a failed write bio, bytes a buffered write left dirty in the page cache may be lost (writeback failed): any value written, or zeros, may be read.
    // (A failed bio inside a write that reported the error is that write's, not writeback; unless the write syncs the file, which writes back its other dirty pages in that window.)
    const reported = (b: BioRecord) => mine.some((o) => o.kind === "write" && !o.syncs && (o.result ?? 0) < 0 && o.startNs <= b.submitNs && b.submitNs <= (o.endNs ?? Infinity));
    // An allocation failed on purpose (fail-nth) can end writeback the same way: the dirty pages are dropped, the error goes to the mapping;
    // so can any failed read bio, which may have been metadata the allocation needed (ext4: "Cannot read block bitmap", then -ENOSPC and the dirty pages never reach the disk).
    // A failed writeback bio (do_writepages) lost page-cache data whoever wrote it: a direct write that fell back to buffered I/O too.
    const buffered = mine.some((o) => o.kind === "write" && !o.direct);
    const lostWriteback = failedBios.some((b) => b.writeback) || ((failedBios.some((b) => b.op === "read" || !reported(b)) || run.injectedFaults > 0) && buffered);
    const mixed = mixedIo(mine) || lostWriteback;
    const reads: SeenRead[] = mine
      .filter((o) => o.kind === "read" && o.data && o.off !== null && o.endNs !== null)
      .map((o) => ({ id: o.id, off: o.off!, data: o.data!, startNs: o.startNs, endNs: o.endNs! }));
    const probe = run.probe?.files.find((f) => f.path === path);
    for (const r of probe?.reads ?? []) if (r.data && r.result > 0) reads.push({ id: `probe ${r.how} read`, off: 0, data: r.data, startNs: PROBE_NS, endNs: PROBE_NS });
    for (const f of checkReads(mine, reads, mixed, elsewhere, { nowaitAgainIsNothing }))
      out.push({ oracle: "data", message: `${path}: ${f.read} saw ${f.seen} at ${f.offset}`, evidence: { kind: "block", file: path, block: Math.floor(f.offset / 4096), offset: f.offset, seen: f.seen, allowed: f.allowed, via: f.read } });
    // After a failed write bio the page cache may keep bytes the disk never got (a writeback error leaves the page clean and uptodate).
    const disagree = probe && !writeFailed && run.injectedFaults === 0 ? probeAgreement(probe, mixed) : null;
    if (disagree) out.push({ oracle: "data", message: disagree, evidence: { kind: "probe", step: "files", detail: disagree } });
  }
  return out;
}

/** Filesystem types that keep no journal. */
const NO_JOURNAL = new Set(["vfat", "msdos", "ext2"]);

/** After the run: a probe step that never finished, descriptors that did not close, filesystems that did not unmount, checkers that found errors, objects a filesystem leaked. */
function probeFindings(run: RunRecord, failedBios: readonly BioRecord[]): Raw[] {
  const p = run.probe;
  if (!p) return [];
  const out: Raw[] = [];
  const probe = (oracle: OracleName, step: string, detail: string): Raw => ({ oracle, message: detail, evidence: { kind: "probe", step, detail } });
  if (p.stuck) out.push(probe("hang", p.stuck.split(":")[0]!, `after the run, the probe did not finish: ${p.stuck}`));
  // A filesystem shuts down after a failed metadata write (ext4 aborts its journal; a file whose data lives in the inode is metadata): then opens fail.
  const faulted = failedBios.length > 0 || run.injectedFaults > 0;
  for (const f of p.files) if (f.refused !== undefined && !faulted) out.push(probe("data", "files", `after the run, opening ${f.path} returned ${f.refused}, though no bio failed and no fault was injected`));
  for (const f of p.files) if (f.writeback !== undefined && !faulted) out.push(probe("data", "files", `after the run, writing ${f.path} back returned ${f.writeback}, though no bio failed and no fault was injected`));
  for (const c of p.closes) if (c.result !== 0) out.push(probe("unmount", "close", `closing ${c.what} (fd ${c.fd} of task ${c.task}) returned ${c.result}`));
  for (const u of p.unmounts) if (u.result !== 0) out.push(probe("unmount", "unmount", `unmounting ${u.mount.dir} (${u.mount.fstype} on ${u.mount.dev}) returned ${u.result}`));
  // A filesystem without a journal (vfat, ext2) promises nothing about its metadata after a failed write bio: the checker may find it inconsistent.
  const unjournalled = (dev: string) => p.unmounts.some((u) => u.mount.dev === dev && NO_JOURNAL.has(u.mount.fstype));
  const writeFailed = failedBios.some((b) => b.op === "write");
  for (const c of p.slabs) {
    const left = c.objects - c.atBoot;
    if (left > 0) out.push(probe("leak", "leak", `after every ${c.fstype} filesystem was unmounted, its slab cache ${c.cache} held ${left} object${left === 1 ? "" : "s"} more than at boot: allocated and never freed`));
  }
  for (const f of p.fsck) if (f.exitCode !== 0 && !(writeFailed && unjournalled(f.dev))) out.push(probe("fsck", "fsck", `${f.tool} on ${f.dev} exited ${f.exitCode}: ${f.output.trim().split("\n").slice(-6).join(" | ")}`));
  return out;
}
