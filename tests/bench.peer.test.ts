// The peer benchmark's parsing and verdicts (no UML here: `npm run bench:peer`
// builds and boots it). Cheap: pure functions over console text.
import assert from "node:assert/strict";
import { parseAttempts, type Boot } from "../harness/bench/peer/guest.ts";
import type { DioscopeRun } from "../harness/bench/peer/dioscope-side.ts";
import { formatTable, umlVerdict, type UmlCaseResult, type UmlSide } from "../harness/bench/peer/table.ts";

const CONSOLE = [
  "Linux version 6.12.118 (root@host) ...",
  "PEER-BOOTED uptime_us=812345",
  "io_uring read result for file foo:",
  " cqe->res == 4096 (expected 8192)",
  "REPRO result=bug res=4096",
  "PEER-ATTEMPT 0 exit=0 us=2100",
  "REPRO result=ok res=8192",
  "[   1.234567] some kernel line",
  "PEER-ATTEMPT 1 exit=0 us=1900",
  "PEER-ATTEMPT 2 exit=139 us=50",
  "REPRO result=error what=open errno=2",
  "PEER-ATTEMPT 3 exit=1 us=70",
  "PEER-DONE status=0",
].join("\n");

function side(results: ("bug" | "ok" | "error")[]): UmlSide {
  const attempts = results.map((result, index) => ({ index, result, detail: "", us: 1000 }));
  const boot: Boot = { bootMs: 800, totalMs: 2000, attempts, problem: null, console: "" };
  return { buildMs: 0, builtNow: false, boot, reproduced: results.filter((r) => r === "bug").length, errors: results.filter((r) => r === "error").length };
}

describe("peer bench (UML side): console parsing and verdicts", () => {
  it("each REPRO line belongs to the next PEER-ATTEMPT line; a crash or an error line is an error", () => {
    const a = parseAttempts(CONSOLE);
    assert.deepEqual(
      a.map((x) => [x.index, x.result, x.us]),
      [
        [0, "bug", 2100],
        [1, "ok", 1900],
        [2, "error", 50],
        [3, "error", 70],
      ],
    );
    assert.equal(a[2]!.detail, "no REPRO line (exit 139)");
  });

  it("verdicts: fixed, not reproduced, not fixed, broken", () => {
    assert.equal(umlVerdict(side(["ok", "bug"]), side(["ok", "ok"]), 2), "fixed");
    assert.equal(umlVerdict(side(["ok", "ok"]), side(["ok", "ok"]), 2), "not reproduced in 2");
    assert.equal(umlVerdict(side(["bug"]), side(["bug", "ok"]), 2), "not fixed");
    assert.equal(umlVerdict(side(["error"]), side(["ok"]), 1), "broken");
  });

  it("the table: one UML row per case, a dioscope row per scenario file, the first attempt's line, the ratio of the first case", () => {
    const uml = (name: string, before: ("bug" | "ok")[], after: ("bug" | "ok")[]): UmlCaseResult => {
      const b = side(before), a = side(after);
      b.boot.attempts[0]!.detail = "result=bug res=4096 layout=x";
      return { name, what: name, attempts: 2, before: b, after: a, verdict: umlVerdict(b, a, 2), coldMs: 20_000, warmMs: 4_000, medianAttemptMs: 1 };
    };
    const run = (ms: number, afterPassed: number): DioscopeRun => ({ ms, config: "debug", verdicts: { s: afterPassed ? "fixed" : "no-effect" }, beforeFailed: 1, afterPassed, scenarios: 1 });
    const text = formatTable({
      tree: "6.12", kernelVersion: "6.12.118", umlFullBuildMs: 1_000_000, umlFullBuildNow: false, attempts: 2, note: "",
      seeds: [{
        id: "002", what: "", declarations: [],
        uml: [uml("mail's layout", ["bug", "bug"], ["bug", "bug"]), uml("extents apart", ["bug", "bug"], ["ok", "ok"])],
        dioscope: { cold: run(10_000, 1), warm: run(2_000, 1), cases: [{ name: "mail's layout", run: run(1_000, 0) }] },
      }],
    });
    const rows = text.split("\n").filter((l) => l.startsWith("002 "));
    assert.deepEqual(rows.map((l) => l.split(/\s{2,}/).slice(1, 4)), [
      ["UML, mail's layout", "not fixed", "2/2, 2/2"],
      ["UML, extents apart", "fixed", "2/2, 0/2"],
      ["dioscope (debug kernel)", "fixed", "1/1 before, 0/1 after (deterministic)"],
      ["dioscope, mail's layout", "no-effect", "1/1 before, 1/1 after (deterministic)"],
    ]);
    assert.match(text, /first attempt: before res=4096 layout=x; after $/m);
    assert.match(text, /002: cold 20\.0 s \/ 10\.0 s = 2x; warm 4\.0 s \/ 2\.0 s = 2x/);
  });
});
