// Host-driven kernel fault injection (fail-nth, harness/user/faults.ts) on
// the debug kernel: a sweep over one O_DIRECT write by a user task, failing
// its 1st, 2nd, ... fault point (slab, page allocation, usercopy) until the
// write reaches no more. Every injected failure must end in a clean result
// (the full write, a short write, or an errno the write may return), the
// file must still close and the filesystem unmount, nothing may hang, and
// the kernel may print no report except those named below as real findings.
import assert from "node:assert/strict";
import { bootKernel, type Booted } from "../harness/boot/boot.ts";
import { makeDisk, type FsKind } from "../harness/block/images.ts";
import { enableFailNth, O, PAGE_SIZE, sweepFailNth, UserTask, type FailNthStep } from "../harness/user/index.ts";
import { builtKernels, DEBUG_TREES } from "./support/built.ts";

/** What a failed allocation or copy may make a write return. */
const CLEAN_ERRORS = new Set([-12 /* ENOMEM */, -14 /* EFAULT */, -28 /* ENOSPC: btrfs reserves with allocations */, -5 /* EIO: a failed bio or journal allocation */]);

/** The kernel's report headers; the fault-injection dump itself ("FAULT_INJECTION: forcing a failure") is not one. */
const REPORT = /WARNING:|BUG:|INFO:|Oops|possible recursive locking|possible circular locking|inconsistent lock state|bad unlock balance|suspicious RCU usage|list_(add|del) corruption|ODEBUG:|BTRFS critical|assertion failed|EXT4-fs error/;

/** Reports a sweep is known to produce on a tree, with why each is a real finding of that kernel (not of the arch or the test). */
const KNOWN_FINDINGS: { tree: string; fs: FsKind; pattern: RegExp; why: string }[] = [
  {
    tree: "6.1",
    fs: "btrfs",
    pattern: /WARNING: CPU: \d+ PID: \d+ at fs\/btrfs\/space-info\.h:\d+ /,
    why:
      "6.1's btrfs: when the extent map allocation in btrfs_create_dio_extent fails (btrfs_new_extent_direct), " +
      "btrfs_dio_iomap_begin's error path frees the write's reserved data space a second time " +
      "(btrfs_free_reserved_data_space_noquota: bytes_may_use would go negative, WARN_ON); the write itself returns -ENOMEM. " +
      "6.12 (the dio code moved to fs/btrfs/direct-io.c) does not",
  },
  {
    tree: "7.3",
    fs: "btrfs",
    pattern: /WARNING: fs\/btrfs\/space-info\.h:\d+ at /,
    why:
      "7.3's btrfs (fs/btrfs/direct-io.c): btrfs_new_extent_direct's btrfs_reserve_extent already took the write's data reservation " +
      "out of bytes_may_use (btrfs_add_reserved_bytes); when btrfs_create_dio_extent then fails (its extent map at n = 10, its ordered " +
      "extent at n = 14), btrfs_dio_iomap_begin's error path frees the same reservation from bytes_may_use again " +
      "(btrfs_free_reserved_data_space_noquota: bytes_may_use would go negative, WARN_ON); the write returns -ENOMEM",
  },
];

const FILESYSTEMS: { kind: FsKind; type: string; sizeMiB: number }[] = [
  { kind: "ext4", type: "ext4", sizeMiB: 16 },
  { kind: "btrfs", type: "btrfs", sizeMiB: 128 },
];

const LEN = 4 * PAGE_SIZE;

for (const k of builtKernels("debug", DEBUG_TREES)) {
  describe(`fail-nth on the debug kernel ${k.tree}`, function () {
    this.timeout(1_200_000);
    for (const fs of FILESYSTEMS) {
      it(`${fs.kind}: every failure injected into an O_DIRECT write is clean, and the sweep ends`, () => {
        const b: Booted = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", fs.kind, fs.sizeMiB)] });
        const a = b.agent;
        const m = b.machine;
        enableFailNth(a);
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: fs.type });
        const u = UserTask.spawn(a, { name: "writer" });
        const fd = u.open("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
        const buf = u.buffer(LEN);
        u.writeUser(buf.addr, new Uint8Array(LEN).fill(0x5a));
        const base = m.save();
        const consoleFrom = m.console.lines.length;
        const problems: string[] = [];
        const findings: string[] = [];

        const steps = sweepFailNth((nth): FailNthStep => {
          m.load(base);
          const { result, injected } = u.syscallFailNth("pwrite64", [fd, buf.addr, LEN, 0, 0], nth);
          if (!(result === LEN || (result >= 0 && result < LEN) || CLEAN_ERRORS.has(result))) problems.push(`n=${nth}: pwrite returned ${result}`);
          const closed = u.syscall("close", [fd]);
          if (closed !== 0) problems.push(`n=${nth}: close returned ${closed}`);
          const um = a.call(0, { op: "UMOUNT", path: "/mnt" });
          if (um !== 0) problems.push(`n=${nth}: umount returned ${um}`);
          for (const l of m.console.lines.slice(consoleFrom).filter((l) => REPORT.test(l.text))) {
            const known = KNOWN_FINDINGS.find((f) => f.tree === k.tree && f.fs === fs.kind && f.pattern.test(l.text));
            (known ? findings : problems).push(`n=${nth}: ${l.text}${known ? ` (${known.why})` : ""}`);
          }
          return { nth, injected, result };
        });

        const last = steps[steps.length - 1]!;
        assert.ok(steps.length > 1, "the write reached no fault point");
        assert.equal(last.result, LEN, "with no fault left to inject, the write succeeds");
        assert.ok(steps.slice(0, -1).every((s) => s.injected));
        const errors = steps.filter((s) => s.result < 0).length;
        console.log(`      ${fs.kind}: ${steps.length - 1} fault points; ${errors} injected failures gave an error, ${steps.length - 1 - errors} were absorbed${findings.length ? `; findings: ${findings.length}` : ""}`);
        assert.deepEqual(problems, []);
      });
    }

    it("replays: the same fail-nth gives the same run, and the plan form (k-th system call) equals the per-call form", () => {
      const b = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
      const a = b.agent;
      const m = b.machine;
      enableFailNth(a);
      a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
      a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
      const u = UserTask.spawn(a, { name: "writer" });
      const fd = u.open("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
      const buf = u.buffer(LEN);
      const base = m.save();
      const run = (form: "call" | "plan") => {
        m.load(base);
        if (form === "plan") b.agent.host.setFailNth({ syscall: 1, nth: 2 });
        const r = form === "call" ? u.syscallFailNth("pwrite64", [fd, buf.addr, LEN, 0, 0], 2).result : u.syscall("pwrite64", [fd, buf.addr, LEN, 0, 0]);
        b.agent.host.setFailNth(null);
        return { r, now: m.clock.now, console: m.console.lines.map((l) => l.text).join("\n") };
      };
      const first = run("call");
      assert.deepEqual(run("call"), first);
      const plan = run("plan");
      assert.equal(plan.r, first.r);
      assert.match(plan.console, /FAULT_INJECTION: forcing a failure/);
    });
  });
}
