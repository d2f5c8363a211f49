// The verdict of one case, before against after, on synthetic runs: a
// failure both sides show with the same signature (same oracle; for a kernel
// report the same family and first function) is the tree's and decides
// nothing; a failure only the after side shows still makes "regressed".
import assert from "node:assert/strict";
import { verdictOf } from "../harness/check/verdict.ts";
import { consoleHits } from "../harness/oracles/console.ts";
import { judgementLines, reportFrame, type OracleFinding } from "../harness/oracles/index.ts";
import type { ScenarioRun } from "../harness/scenario/run.ts";

/** A lockdep report as the debug kernel prints it on this machine (kernel/locking/lockdep.c print_usage_bug, the trace by host_dump_stack), taken in `fn`. */
function lockdep(fn: string): OracleFinding {
  const text = [
    "WARNING: inconsistent lock state",
    "inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-R} usage.",
    " (&inode->i_size_seqcount){+-+.}-{0:0}, at: 0x0",
    "{HARDIRQ-ON-W} state was registered at:",
    "  lock_acquire+0x1/0x2",
    "  bdev_set_nr_sectors+0x1/0x2",
    "stack backtrace:",
    "Call trace (host):",
    "  show_stack",
    "  dump_stack_lvl",
    "  print_usage_bug",
    "  mark_lock",
    "  __lock_acquire",
    "  lock_acquire",
    "  12",
    `  ${fn}`,
    "  bio_endio",
  ];
  const [h] = consoleHits(text.map((t) => ({ timeNs: 1, cpu: 1, text: t })));
  return { oracle: "console", message: `lockdep: ${h!.line.text}`, evidence: { kind: "console", family: h!.family, line: h!.line, report: h!.report, frame: h!.frame }, expected: false };
}

function run(expectationHolds: boolean, findings: OracleFinding[]): ScenarioRun {
  return {
    scenario: "s",
    wasmPath: "/k.wasm",
    passed: expectationHolds,
    results: [{ name: "read == 4096", failure: expectationHolds ? null : "read was 0" }],
    observed: { values: {}, console: [], hang: null },
    trace: [],
    bios: [],
    commands: [],
    console: [],
    error: null,
    taskNames: [],
    cpus: 2,
    steps: 1,
    decisions: "[]",
    oracles: { findings, off: [], wordSize: [] },
    probe: null,
  };
}

describe("verdict: failures on both sides of a case", () => {
  it("names the function a report is about: its trace's first frame after the reporting machinery, else its first symbol", () => {
    const e = lockdep("ext4_dio_write_end_io").evidence;
    assert.equal(e.kind === "console" ? e.frame : null, "ext4_dio_write_end_io");
    assert.equal(reportFrame(["BUG: x", "CPU: 0 PID: 1", "Call Trace:", " ? stale_word+0x1/0x2", " dump_stack_lvl+0x1/0x2", " list_del_entry+0x9/0x20"]), "list_del_entry");
    assert.equal(reportFrame(["WARNING: CPU: 0 PID: 1 at fs/btrfs/space-info.h:225 btrfs_space_info_update_bytes_may_use+0x9/0x80"]), "btrfs_space_info_update_bytes_may_use");
    assert.equal(reportFrame(["no frame here"]), null);
  });

  it("a report on both sides with the same signature decides nothing: the patch whose own failure disappears is fixed", () => {
    const v = verdictOf("s", run(false, [lockdep("iomap_dio_bio_end_io")]), run(true, [lockdep("iomap_dio_bio_end_io")]), []);
    assert.equal(v.verdict, "fixed", v.reason);
    assert.equal(v.preExisting?.length, 1);
    assert.equal(v.preExisting![0]!.signature.frame, "iomap_dio_bio_end_io");
    assert.match(v.reason, /^fails before \(read == 4096\), passes after; also on both sides: lockdep: WARNING: inconsistent lock state in iomap_dio_bio_end_io; lock checking off after it$/);
  });

  it("a report on both sides and nothing else is no effect, passing on both sides", () => {
    const v = verdictOf("s", run(true, [lockdep("f")]), run(true, [lockdep("f")]), []);
    assert.equal(v.verdict, "no-effect");
    assert.match(v.reason, /^passes before and after; also on both sides: /);
  });

  it("a report only after still regresses, also next to a pre-existing one", () => {
    assert.equal(verdictOf("s", run(true, []), run(true, [lockdep("f")]), []).verdict, "regressed");
    const v = verdictOf("s", run(false, [lockdep("f")]), run(true, [lockdep("f"), lockdep("g")]), []);
    assert.equal(v.verdict, "regressed", v.reason);
    assert.match(v.reason, /after, new: oracle:console \(lockdep: WARNING: inconsistent lock state in g\); also on both sides: .* in f;/);
  });

  it("the same family in another function is not the same failure", () => {
    const v = verdictOf("s", run(false, [lockdep("f")]), run(true, [lockdep("g")]), []);
    assert.equal(v.verdict, "regressed", v.reason);
    assert.deepEqual(v.preExisting, []);
  });

  it("a run's report says when the kernel stopped checking locks", () => {
    const lines = judgementLines({ findings: [lockdep("f")], off: [], wordSize: [] });
    assert.ok(lines.some((l) => l.startsWith("lock checking off after lockdep: WARNING: inconsistent lock state")), lines.join("\n"));
  });
});
