// The parsers of the kernel's own test output (harness/selftest/ktap.ts) on
// text in the exact form KUnit and lib/locking-selftest.c print it.
import assert from "node:assert/strict";
import { parseKunit, parseLockingSelftests } from "../harness/selftest/ktap.ts";

const KTAP = `KTAP version 1
1..2
    KTAP version 1
    # Subtest: list-kernel-test
    # module: list_test
    1..3
    ok 1 list_test_list_init
        # list_test_list_add: EXPECTATION FAILED at lib/list-test.c:40
        Expected list.next == &b, but
    not ok 2 list_test_list_add
    ok 3 list_test_slow # SKIP not on this machine
# list-kernel-test: pass:1 fail:1 skip:1 total:3
not ok 1 list-kernel-test
    KTAP version 1
    # Subtest: param
    1..1
        KTAP version 1
        # Subtest: p
        ok 1 one
        ok 2 two
    ok 1 p
ok 2 param
    KTAP version 1
    # Subtest: crashed
    1..4
    ok 1 first`;

describe("kernel self-test output parsers", () => {
  it("KUnit KTAP: suites, cases, skips, failures with their diagnostics, parameterised cases folded, an unfinished suite", () => {
    const s = parseKunit(KTAP.split("\n"));
    assert.deepEqual(s.map((x) => [x.name, x.status, x.cases.length]), [["list-kernel-test", "fail", 3], ["param", "pass", 1], ["crashed", null, 1]]);
    assert.deepEqual(s[0]!.cases.map((c) => c.status), ["pass", "fail", "skip"]);
    assert.deepEqual(s[0]!.cases[1]!.detail, ["# list_test_list_add: EXPECTATION FAILED at lib/list-test.c:40"]);
    assert.deepEqual(s[0]!.cases[2]!.detail, ["not on this machine"]);
  });

  it("locking self-tests: all passed, unexpected failures, expected failures, absent", () => {
    assert.deepEqual(parseLockingSelftests(["Good, all 261 testcases passed! |"]), { total: 261, unexpectedFailures: 0, expectedFailures: 0, failedLines: [] });
    const bad = parseLockingSelftests(["  A-A deadlock:FAILED|  ok  |", "BUG:   3 unexpected failures (out of 261) - debugging disabled! |"]);
    assert.equal(bad?.unexpectedFailures, 3);
    assert.equal(bad?.failedLines.length, 1);
    assert.equal(parseLockingSelftests([" 12 out of 261 testcases failed, as expected. |"])?.expectedFailures, 12);
    assert.equal(parseLockingSelftests(["nothing"]), null);
  });
});
