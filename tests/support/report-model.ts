// Report models built by hand, for the renderers' unit tests: every verdict,
// and a run with every kind of timeline event.
import type { CaseVerdict, CaseView, ReportModel, RunView, TimelineEvent } from "../../harness/report/model.ts";

const EVENTS: TimelineEvent[] = [
  { kind: "command", timeNs: 1000, cpu: 0, task: "dio-A", phase: "returned", op: "WRITE", detail: "4096 bytes at 4096", result: "-EIOCBQUEUED" },
  { kind: "bio", timeNs: 900, cpu: 0, phase: "held", index: 7, op: "write", sector: 16, sectors: 8, nowait: false, status: 0 },
  { kind: "switch", timeNs: 1200, cpu: 1, task: "dio-B[5]", from: "swapper/1[0]", where: ["schedule_idle", "do_idle"] },
  { kind: "stall", timeNs: 1500, cpu: 1, task: "dio-B[5]", at: "filemap_write_and_wait_range", where: ["filemap_write_and_wait_range", "ext4_dio_write_iter", "ext4_file_write_iter", "vfs_write"] },
  { kind: "bio", timeNs: 2000, cpu: 0, phase: "completed", index: 7, op: "write", sector: 16, sectors: 8, nowait: false, status: 0 },
  { kind: "bio", timeNs: 2100, cpu: 0, phase: "failed", index: 8, op: "write", sector: 24, sectors: 8, nowait: true, status: 10 },
  { kind: "console", timeNs: 2500, cpu: 0, text: "Page cache invalidation failure on direct I/O.  Possible data corruption due to collision with buffered I/O!" },
  { kind: "resume", timeNs: 3000, cpu: 1, task: "dio-B[5]", where: [] },
  { kind: "note", timeNs: 3100, cpu: 1, text: "preempted in <script>alert(1)</script>" },
];

export function syntheticRun(side: "before" | "after", passed: boolean): RunView {
  const events = [...EVENTS].sort((a, b) => a.timeNs - b.timeNs);
  return {
    side,
    passed,
    buildId: side === "before" ? "0123456789abcdef" : "fedcba9876543210",
    expectations: [
      { name: "no stale page-cache warning", held: passed, seen: passed ? null : "console: Page cache invalidation failure on direct I/O." },
      { name: "fsync == 0", held: passed, seen: passed ? null : "fsync was -5" },
    ],
    wordSize: [],
    observed: { fsync: passed ? 0 : -5 },
    ended: null,
    cpus: 2,
    startNs: events[0]!.timeNs,
    endNs: events[events.length - 1]!.timeNs,
    events,
    console: [{ timeNs: 2500, cpu: 0, text: "Page cache invalidation failure on direct I/O.", alarming: true }],
  };
}

function kase(n: number, tree: string, verdict: CaseVerdict, before: RunView | null, after: RunView | null, token: string | null = null): CaseView {
  return {
    id: `c${n}`,
    tree,
    unit: "ext4: drain in-flight DIO before buffered write fallback",
    patchIds: ["mail.txt#1"],
    scenario: `scenario-${verdict}`,
    verdict,
    reason: `${verdict} because`,
    before,
    after,
    reproduce: { command: ["check", "mail.txt", "--tree", tree, "--scenario", `scenario-${verdict}`], token },
  };
}

/** One tree per outcome: 6.1 fixed, 6.12 regressed, 7.0 no effect / not applicable. */
export function syntheticModel(): ReportModel {
  return {
    tool: { name: "dioscope", version: "0.0.0" },
    command: ["check", "mail.txt", "--tree", "6.1", "--tree", "6.12"],
    trees: [
      { name: "6.1", origin: "debian:linux-source-6.1=6.1.0-1", kernelVersion: "6.1.0" },
      { name: "6.12", origin: "debian:linux-source-6.12=6.12.0-1", kernelVersion: "6.12.0" },
      { name: "7.0", origin: "checkout", kernelVersion: "7.0.0" },
    ],
    patches: [
      {
        id: "mail.txt#1",
        subject: "[PATCH] ext4: drain in-flight DIO before buffered write fallback",
        from: "A Developer <dev@example.org>",
        date: "Fri, 26 Jun 2026 16:35:11 +0800",
        messageId: "20260626083518.1-3-dev@example.org",
        diff: "--- a/fs/ext4/file.c\n+++ b/fs/ext4/file.c\n@@ -309,6 +309,7 @@\n inode_lock(inode);\n+inode_dio_wait(inode);\n ret = ext4_write_checks(iocb, from);",
        placements: [
          { tree: "6.1", status: "already-applied", notes: [] },
          { tree: "6.12", status: "applies", notes: ["offset +3"] },
        ],
      },
    ],
    cases: [
      kase(1, "6.1", "fixed", syntheticRun("before", false), syntheticRun("after", true)),
      kase(2, "6.12", "regressed", syntheticRun("before", true), syntheticRun("after", false), "ds1.AAAA"),
      kase(3, "7.0", "no-effect", syntheticRun("before", true), syntheticRun("after", true)),
      kase(4, "7.0", "not-applicable", null, null),
    ],
    regressed: true,
  };
}
