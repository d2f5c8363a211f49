// The debug kernel (kernel-src/config/debug.config): lockdep proves itself
// with the kernel's locking API self-tests at boot, the boot is clean, and
// stack traces (arch/wasm/kernel/stacktrace.c) name real kernel functions
// through kallsyms built from the module's name section.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hostImports } from "../harness/build/host-interface.ts";
import { currentBuild } from "../harness/build/registry.ts";
import { repoRoot } from "../harness/paths.ts";
import { debianTree } from "../harness/tree/debian.ts";
import { bootKernel, type Booted } from "../harness/boot/boot.ts";
import { parseLockingSelftests } from "../harness/selftest/ktap.ts";
import { EXCLUDED_UNDEFINED } from "../harness/selftest/kunit.ts";
import { O, PAGE_SIZE, UserTask } from "../harness/user/index.ts";
import { builtKernels, DEBUG_TREES } from "./support/built.ts";

/** The kernel's own report headers (what its checks print when they fire). */
const REPORT = /WARNING:|BUG:|INFO:|Oops|turning off the locking correctness validator|possible recursive locking|possible circular locking|inconsistent lock state|bad unlock balance|suspicious RCU usage|list_(add|del) corruption|ODEBUG:/;

for (const k of builtKernels("debug", DEBUG_TREES)) {
  describe(`debug kernel ${k.tree}`, function () {
    this.timeout(600_000);
    let booted: Booted;
    let lines: string[];

    before(() => {
      booted = bootKernel(k.wasmPath, { cpus: 2 });
      lines = booted.machine.console.lines.map((l) => l.text);
    });

    it("imports exactly the documented arch interface (kernel-src/link/imports-debug.txt)", () => {
      const b = currentBuild(debianTree(k.tree), "debug")!;
      const imports = b.manifest.imports.map((i) => `${i.module}.${i.name}`).sort();
      const expected = readFileSync(join(repoRoot, "kernel-src/link/imports-debug.txt"), "utf8")
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .sort();
      // Functions only a KUnit module left out of the boot calls (EXCLUDED_MODULES, with why) may stay undefined: imports that trap.
      const excludedTraps = imports.filter((i) => i.startsWith("env.") && EXCLUDED_UNDEFINED.has(i.slice("env.".length)));
      assert.deepEqual(
        imports.filter((i) => !excludedTraps.includes(i)),
        expected,
        "import list changed: update kernel-src/link/imports-debug.txt and asm/wasm_host.h deliberately",
      );
      const declared = new Set(hostImports().map((h) => h.name));
      for (const i of b.manifest.imports.filter((i) => i.module === "host")) assert.ok(declared.has(i.name), `host.${i.name} is not declared in asm/wasm_host.h`);
    });

    it("passes every locking API self-test under lockdep", () => {
      const r = parseLockingSelftests(lines);
      assert.ok(r, "no locking self-test summary on the console");
      assert.deepEqual(r.failedLines, [], "self-test cases that failed");
      assert.equal(r.unexpectedFailures, 0);
      assert.equal(r.expectedFailures, 0);
      assert.ok(r.total > 200, `only ${r.total} cases ran`);
      assert.ok(!lines.some((l) => /lockdep.*(turning off|disabled)|debug_locks.*off/i.test(l)), "lockdep switched itself off");
    });

    it("boots to the agent without a kernel report", () => {
      const reports = lines.filter((l) => REPORT.test(l));
      assert.deepEqual(reports, []);
    });

    it("takes stack traces of the current task with real function names (/proc/self/stack)", () => {
      const a = booted.agent;
      a.call(0, { op: "MKDIR", path: "/proc", mode: 0o555 });
      a.ok(0, { op: "MOUNT", path: "proc", path2: "/proc", str: "proc" });
      const u = UserTask.spawn(a, { name: "stack" });
      const fd = u.open("/proc/self/stack", O.RDONLY);
      const buf = u.buffer(PAGE_SIZE);
      const n = u.sys("read", fd, buf.addr, PAGE_SIZE);
      const text = new TextDecoder().decode(u.readUser(buf.addr, n));
      const fns = text.split("\n").filter(Boolean).map((l) => /^\[<0>\] (\S+?)\+0x/.exec(l)?.[1]);
      assert.ok(fns.length >= 5 && fns.every(Boolean), `not a symbolised trace:\n${text}`);
      // The reading task's own call chain: the read system call into procfs.
      for (const f of ["proc_pid_stack", "vfs_read"]) assert.ok(fns.includes(f), `${f} missing from:\n${text}`);
    });

    it("a user task that touched its memory exits without a kernel report (its page tables freed through the mmu_gather)", () => {
      const a = booted.agent;
      const m = booted.machine;
      const from = m.console.lines.length;
      const u = UserTask.spawn(a, { name: "exits" });
      const buf = u.buffer(8 * PAGE_SIZE);
      u.writeUser(buf.addr, new Uint8Array(8 * PAGE_SIZE).fill(1));
      u.start("exit_group", [0]);
      const alive = () => m.suspendedTasks().some((s) => s.startsWith("exits["));
      m.run(() => !alive(), { untilNs: m.clock.now + 1e9 });
      assert.ok(!alive(), "the task did not exit");
      const reports = m.console.lines.slice(from).map((l) => l.text).filter((l) => REPORT.test(l) || /Bad page state/.test(l));
      assert.deepEqual(reports, []);
    });
  });
}
