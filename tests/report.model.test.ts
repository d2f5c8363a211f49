// From a check's result to the report model: cases per tree and scenario,
// reproduce commands (the replay token of an explored case), and a run's
// timeline events: bios submitted / held / completed (on the CPU that took
// the interrupt) / failed, agent commands, switches with kernel functions,
// breakpoint stalls, console lines, in simulated time.
import assert from "node:assert/strict";
import type { CheckReport } from "../harness/check/check.ts";
import type { PatchOnTree } from "../harness/variants/units.ts";
import { fromCheckReport } from "../harness/report/adapt.ts";
import { MAX_EVENTS_PER_RUN, timelineEvents } from "../harness/report/events.ts";
import { renderHtml } from "../harness/report/html.ts";
import type { ScenarioRun } from "../harness/scenario/run.ts";
import { syntheticModel } from "./support/report-model.ts";

function run(passed: boolean): ScenarioRun {
  return {
    scenario: "s1",
    wasmPath: "/x/wasm/6.12/0123456789abcdef/kernel.wasm",
    passed,
    results: [{ name: "fsync == 0", failure: passed ? null : "fsync was -5\nmore" }],
    observed: { values: { fsync: passed ? 0 : -5 }, console: [], hang: null },
    trace: [
      { timeNs: 100, cpu: 1, kind: "switch", text: "swapper/1[0] -> dio-B[5]", where: ["schedule_idle"] },
      { timeNs: 300, cpu: 1, kind: "park", text: "dio-B[5] parked in filemap_write_and_wait_range", where: ["filemap_write_and_wait_range", "ext4_dio_write_iter"] },
      { timeNs: 500, cpu: 0, kind: "irq", text: "blk#7" },
      { timeNs: 600, cpu: 0, kind: "irq", text: "doorbell" },
      { timeNs: 700, cpu: 1, kind: "unpark", text: "dio-B[5]" },
    ],
    bios: [
      { index: 7, disk: 0, op: "write", sector: 16, bytes: 4096, nowait: false, flags: 0, cpu: 1, submitNs: 50, status: 0, completion: "hold", completedNs: 500, rule: "held", writeback: false, readahead: false },
      { index: 8, disk: 0, op: "read", sector: 24, bytes: 512, nowait: true, flags: 0, cpu: 0, submitNs: 550, status: 10, completion: "now", completedNs: 550, rule: null, writeback: false, readahead: false },
    ],
    commands: [
      { id: 1, task: 0, command: { op: "WRITE", fd: 3, len: 4096, off: 4096, flags: 1 }, queuedNs: 0, returned: -529, returnedNs: 60, completed: 4096, completedNs: 510, completions: 1, cpus: [0, 0] },
    ],
    console: [{ timeNs: 520, cpu: 0, text: "Page cache invalidation failure on direct I/O.\n" }, { timeNs: 530, cpu: 0, text: "   " }],
    error: null,
    taskNames: ["dio-A", "dio-B"],
    cpus: 2,
    steps: 10,
    decisions: "[]",
    oracles: { findings: [], off: [], wordSize: [] },
    probe: null,
  };
}

function report(): CheckReport {
  return {
    inputs: ["m.txt"],
    trees: ["6.12"],
    config: "plain",
    treeSources: [{ name: "6.12", source: { kind: "debian", package: "linux-source-6.12", version: "6.12.117-1~deb12u1" }, description: "Debian linux-source-6.12 6.12.117-1~deb12u1" }],
    selected: [],
    patches: [{ id: "m.txt#1", subject: "a fix", tree: "6.12", status: "already-applied", relocated: true, notes: ["n"], report: {} as PatchOnTree["report"] }],
    units: [
      {
        label: "a fix",
        tree: "6.12",
        patchIds: ["m.txt#1"],
        declarations: [],
        coverage: null,
        builds: { before: "b", after: "a" },
        problem: null,
        verdicts: [
          { scenario: "s1", mode: "scripted", verdict: "fixed", reason: "fails before (fsync == 0), passes after", before: run(false), after: run(true), reproduce: ["dioscope", "check", "m.txt", "--tree", "6.12", "--scenario", "s1"] },
          {
            scenario: "s1-unguided",
            mode: "unguided",
            verdict: "fixed",
            reason: "before fails, after passes",
            before: null,
            after: null,
            explored: { strategy: "pct", depth: 3, seed: 1, budget: 30, before: { schedules: 3, first: { index: 3, token: "ds1.AbC_-9", failedNames: ["x"] } }, after: { schedules: 30, first: null } },
            reproduce: ["dioscope", "check", "m.txt", "--tree", "6.12", "--scenario", "s1-unguided", "--explore", "30", "--seed", "1"],
          },
          { scenario: "s2", mode: "scripted", verdict: "not-applicable", reason: "not on 6.12", before: null, after: null, reproduce: null },
        ],
      },
    ],
    regressed: false,
  };
}

describe("report: the model of a check", () => {
  it("cases, placements, reproduce commands and tokens", () => {
    const m = fromCheckReport(report(), { series: [], trees: [{ name: "6.12", origin: "test", kernelVersion: "6.12.0" }] });
    assert.deepEqual(m.command, ["check", "m.txt", "--tree", "6.12"]);
    assert.deepEqual(m.cases.map((c) => [c.id, c.verdict, c.reproduce]), [
      ["c1", "fixed", { command: ["check", "m.txt", "--tree", "6.12", "--scenario", "s1"], token: null }],
      ["c2", "fixed", { command: ["check", "m.txt", "--tree", "6.12", "--scenario", "s1-unguided", "--explore", "30", "--seed", "1"], token: "ds1.AbC_-9" }],
      ["c3", "not-applicable", { command: ["check", "m.txt", "--tree", "6.12"], token: null }],
    ]);
    const before = m.cases[0]!.before!;
    assert.equal(before.buildId, "0123456789abcdef");
    assert.deepEqual(before.expectations, [{ name: "fsync == 0", held: false, seen: "fsync was -5" }]);
    assert.deepEqual(before.console, [{ timeNs: 520, cpu: 0, text: "Page cache invalidation failure on direct I/O.", alarming: true }]);
    assert.deepEqual([before.startNs, before.endNs], [50, 700]);
  });

  it("timeline events in simulated-time order, bios on the CPU that submitted and the one that completed them", () => {
    const ev = timelineEvents(run(false));
    assert.deepEqual(ev.map((e) => [e.timeNs, e.cpu, e.kind === "bio" ? `bio ${e.index} ${e.phase}` : e.kind === "command" ? `${e.task} ${e.op} ${e.phase} ${e.result}` : e.kind]), [
      [50, 1, "bio 7 held"],
      [60, 0, "dio-A WRITE returned -EIOCBQUEUED"],
      [100, 1, "switch"],
      [300, 1, "stall"],
      [500, 0, "bio 7 completed"],
      [510, 0, "dio-A WRITE completed 4096"],
      [520, 0, "console"],
      [550, 0, "bio 8 submitted"],
      [550, 0, "bio 8 failed"],
      [700, 1, "resume"],
    ]);
    const stall = ev.find((e) => e.kind === "stall")!;
    assert.deepEqual(stall.kind === "stall" && [stall.task, stall.at, stall.where[1]], ["dio-B[5]", "filemap_write_and_wait_range", "ext4_dio_write_iter"]);
  });

  it("a run with more events than a page holds is cut, and says so", () => {
    const r = run(false);
    r.trace = Array.from({ length: MAX_EVENTS_PER_RUN + 10 }, (_, i) => ({ timeNs: i, cpu: 0, kind: "note" as const, text: `n${i}` }));
    const ev = timelineEvents(r);
    assert.equal(ev.length, MAX_EVENTS_PER_RUN);
    const last = ev[ev.length - 1]!;
    assert.match(last.kind === "note" ? last.text : "", /later events not shown/);
  });
});

describe("report: the HTML page without a browser", () => {
  it("escapes what the kernel and the mail wrote, and references nothing outside the page", () => {
    const html = renderHtml(syntheticModel());
    assert.ok(!html.includes("<script>alert(1)</script>"));
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.doesNotMatch(html, /\b(src|href)="(?!#)/, "only in-page links");
    assert.equal((html.match(/<article class="case /g) ?? []).length, 2, "the cases with a failing run: fixed and regressed");
    assert.equal((html.match(/<tr class="case-row /g) ?? []).length, 4, "every case in the verdict table");
  });
});
