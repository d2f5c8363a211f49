// The peer benchmark's parsing and verdicts (no UML here: `npm run bench:peer`
// builds and boots it). Cheap: pure functions over console text.
import assert from "node:assert/strict";
import { parseAttempts, type Boot } from "../harness/bench/peer/guest.ts";
import { umlVerdict, type UmlSide } from "../harness/bench/peer/table.ts";

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
});
