// The generic suite (harness/generate): the generator is a function of its
// seed (same text, and on a kernel the same results), its text parses back;
// on a deliberately broken kernel (direct writes longer than a page report
// 512 bytes short) `check` with only the generic suite says "regressed" and
// shrinks the case to a small workload whose token replays the failure;
// harmless patches (a comment, a no-op refactor) give no "fixed" and no
// "regressed" over two generator seeds.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCheck } from "../harness/check/check.ts";
import type { GenericSummary } from "../harness/check/generic.ts";
import { decodeToken } from "../harness/explore/schedule.ts";
import { replaySteps, runWith } from "../harness/explore/runner.ts";
import { Follow } from "../harness/explore/strategies.ts";
import { generate } from "../harness/generate/generator.ts";
import { candidates } from "../harness/generate/shrink.ts";
import { caseVariants, exploreCase, fsFor, SETUP_FAILED, suiteWorkload, targetOf } from "../harness/generate/suite.ts";
import { emphasisOf, seriesWords } from "../harness/generate/emphasis.ts";
import { parseWorkload, printWorkload, WorkloadSyntaxError } from "../harness/generate/text.ts";
import { BIO_MAX_PAGES, GEN_FS } from "../harness/generate/workload.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";
import { kernelAt, kernelById } from "../harness/variants/kernels.ts";
import { builtKernels, TEST_TREES } from "./support/built.ts";

const FIXTURES = join(repoRoot, "tests/fixtures/generate");

describe("workload generator", () => {
  it("is a function of (seed, index, filesystem): same text twice, different seeds differ", () => {
    for (const fs of GEN_FS)
      for (let i = 0; i < 50; i++) assert.equal(printWorkload(generate(7, i, fs)), printWorkload(generate(7, i, fs)));
    const a = Array.from({ length: 20 }, (_, i) => printWorkload(generate(1, i, "ext4")));
    const b = Array.from({ length: 20 }, (_, i) => printWorkload(generate(2, i, "ext4")));
    assert.notDeepEqual(a, b);
    assert.ok(new Set(a).size > 15, "workloads of one seed differ from each other");
  });

  it("prints text that parses back to the same workload (also with lines joined by |)", () => {
    for (const fs of GEN_FS)
      for (let i = 0; i < 100; i++)
        for (const faultInjection of [false, true]) {
          const w = generate(3, i, fs, { faultInjection });
          const text = printWorkload(w);
          assert.deepEqual(parseWorkload(text), w, text);
          assert.deepEqual(parseWorkload(text.split("\n").join(" | ")), w);
        }
  });

  it("draws fail-nth only for a kernel with fault injection, polled rings and the raw block device as it draws the rest", () => {
    const texts = (faultInjection: boolean, fs: (typeof GEN_FS)[number]) => Array.from({ length: 60 }, (_, i) => printWorkload(generate(5, i, fs, { faultInjection })));
    assert.ok(!texts(false, "ext4").some((t) => / fail\d+/.test(t)), "no fail-nth without fault injection");
    assert.ok(texts(true, "ext4").some((t) => / fail\d+/.test(t)), "fail-nth with it");
    assert.ok(texts(false, "ext4").some((t) => /uring [DB] poll \[/.test(t)), "polled rings");
    // Fault injection only adds fail-nth marks: without them the workloads are the same.
    assert.deepEqual(texts(true, "btrfs").map((t) => t.replace(/ fail\d+/g, "")), texts(false, "btrfs"));
    assert.ok(texts(false, "ext4").some((t) => / AGAIN (now|irq) wait/.test(t)), "AGAIN for a bio that may wait");
    const bdev = texts(false, "bdev").map(parseWorkload);
    assert.ok(bdev.every((w) => w.size % 512 === 0 && w.size > 0), "a device size is whole sectors");
    assert.ok(bdev.some((w) => w.tasks.some((t) => t.ops.some((o) => "off" in o && "len" in o && o.off < w.size && o.off + o.len > w.size))), "I/O across the device's end");
  });

  it("shrinks a fail-nth mark and a polled ring away like any other part", () => {
    const w = parseWorkload("fs bdev, file written 16384 | task: uring D poll [r 12288+8192] fail3 | fault: write#1 AGAIN now wait");
    const texts = candidates(w).map(printWorkload);
    assert.ok(texts.includes("fs bdev, file written 16384\ntask: uring D [r 12288+8192] fail3\nfault: write#1 AGAIN now wait"), texts.join("\n\n"));
    assert.ok(texts.includes("fs bdev, file written 16384\ntask: uring D poll [r 12288+8192]\nfault: write#1 AGAIN now wait"), texts.join("\n\n"));
    assert.ok(texts.includes("fs bdev, file written 16384\ntask: uring D poll [r 12288+8192] fail3"), texts.join("\n\n"));
  });

  it("prints and parses O_APPEND descriptors and untouched or file-mapped write buffers; shrinks a mapped buffer to a filled one", () => {
    const text = "fs btrfs-nodatacow, file written 8192\ntask: pwrite A 8192+4096 mapped; pwritev2 D 0+4096 fresh dsync; aio A [w 0+512]";
    const w = parseWorkload(text);
    assert.equal(printWorkload(w), text);
    assert.deepEqual([w.tasks[0]!.ops.map((o) => ("fd" in o ? o.fd : "")), w.tasks[0]!.ops.map((o) => "mapped" in o && o.mapped === true)], [["append", "direct", "append"], [true, false, false]]);
    assert.ok(candidates(w).map(printWorkload).some((t) => t.includes("pwrite A 8192+4096;")));
    assert.throws(() => parseWorkload("fs ext4, file hole 4096\ntask: pread D 0+4096 mapped"), /mapped buffer \(writes only/);
  });

  it("draws threads of the first task (one descriptor used by two tasks) and O_DSYNC descriptors in a stream of its own; prints, parses and shrinks them", () => {
    const texts = Array.from({ length: 60 }, (_, i) => printWorkload(generate(5, i, "btrfs")));
    assert.ok(texts.some((t) => /\nthread: /.test(t)) && texts.every((t) => !/^thread: /m.test(t.split("\n")[1]!)), "some threads, never the first task");
    const text = "fs btrfs, file written 8192\ntask: pwritev2 D 0+4096 dsync\nthread: fsync";
    const w = parseWorkload(text);
    assert.equal(printWorkload(w), text);
    assert.deepEqual(w.tasks.map((t) => t.thread === true), [false, true]);
    const shrunk = candidates(w).map(printWorkload);
    assert.ok(shrunk.includes("fs btrfs, file written 8192\ntask: pwritev2 D 0+4096 dsync\ntask: fsync"), "a thread becomes a process of its own");
    assert.ok(shrunk.includes("fs btrfs, file written 8192\ntask: fsync"), "without the first task its thread becomes the first task");
    assert.throws(() => parseWorkload("fs ext4, file hole 4096\nthread: fsync"), /first task is a thread/);
    assert.ok(texts.some((t) => /(pwrite|pwritev2|aio|uring) S /.test(t)), "direct writes through an O_DSYNC descriptor");
    const s = parseWorkload("fs ext4, file hole 8192\ntask: pwrite S 0+4096; aio S [w 0+4096]");
    assert.equal(printWorkload(s), "fs ext4, file hole 8192\ntask: pwrite S 0+4096; aio S [w 0+4096]");
    assert.ok(candidates(s).map(printWorkload).includes("fs ext4, file hole 8192\ntask: pwrite D 0+4096; aio S [w 0+4096]"));
  });

  it("draws a filesystem freeze (never on a device node), RWF_DSYNC on asynchronous writes and write bios failing under them in a stream of its own; a loop device's size is whole sectors", () => {
    const texts = (fs: (typeof GEN_FS)[number]) => Array.from({ length: 60 }, (_, i) => printWorkload(generate(5, i, fs)));
    assert.ok(texts("ext4").some((t) => /(^|; |: )freeze(;|$)/m.test(t)), "freezes on ext4");
    for (const fs of ["bdev", "loop"] as const) assert.ok(!texts(fs).some((t) => t.includes("freeze")), `no freeze on ${fs}`);
    // The freeze stream only adds: without its freezes a workload is the text the other streams alone give.
    const w = parseWorkload("fs ext4, file written 8192 | task: pwrite D 0+4096; freeze | task: freeze");
    assert.equal(printWorkload(w), "fs ext4, file written 8192\ntask: pwrite D 0+4096; freeze\ntask: freeze");
    assert.ok(texts("loop").map(parseWorkload).every((x) => x.size % 512 === 0 && x.size > 0));
    assert.throws(() => parseWorkload("fs loop, file hole 1000\ntask: fsync"), /device size 1000/);
    assert.ok(texts("btrfs").some((t) => / dsync[\],]/.test(t)), "RWF_DSYNC on asynchronous writes");
    const dsync = "fs ext4, file hole 8192\ntask: aio D [w 0+4096 nowait dsync, r 0+512]";
    assert.equal(printWorkload(parseWorkload(dsync)), dsync);
    assert.throws(() => parseWorkload("fs ext4, file hole 8192\ntask: uring D [r 0+4096 dsync]"), /dsync on a read/);
    assert.throws(() => parseWorkload("fs ext4, file hole 8192\ntask: uring D [w 0+4096 dsync nowait]"), /only "nowait", then "dsync"/);
  });

  it("cuts about a third of the workloads to short programs in a stream of its own: each task's first one or two operations, half of them on a healthy device", () => {
    const ws = Array.from({ length: 300 }, (_, i) => generate(11, i, "ext4"));
    const short = ws.filter((w) => w.tasks.every((t) => t.ops.length <= 2));
    // Long programs have 2-4 operations per task (3 tasks at most), so some are short by chance too.
    assert.ok(short.length > 0.3 * ws.length && short.length < 0.6 * ws.length, `${short.length} of ${ws.length} short`);
    const single = short.filter((w) => w.tasks.every((t) => t.ops.length === 1));
    assert.ok(single.length > 0.05 * ws.length, `${single.length} with one operation per task`);
    assert.ok(single.some((w) => w.faults.length === 0) && single.some((w) => w.faults.length > 0), "with and without bio faults");
  });

  it("draws, on the raw block device only, a request over more pages than a bio holds (one sector per page), NOWAIT or with its second bio failing, in a stream of its own", () => {
    const ws = Array.from({ length: 200 }, (_, i) => generate(5, i, "bdev"));
    const scattered = ws.filter((w) => w.tasks.some((t) => t.ops.some((o) => "scatter" in o && o.scatter)));
    assert.ok(scattered.length > 0.15 * ws.length && scattered.length < 0.45 * ws.length, `${scattered.length} of ${ws.length}`);
    for (const w of scattered) {
      const o = w.tasks.flatMap((t) => t.ops).find((x) => "scatter" in x && x.scatter)!;
      assert.ok("len" in o && o.len / 512 > BIO_MAX_PAGES && o.off + o.len <= w.size, printWorkload(w));
    }
    assert.ok(scattered.some((w) => /scatter[^;\n]*nowait/.test(printWorkload(w)) && w.faults.some((f) => f.nth === 2 && f.status === "AGAIN" && !f.wait)), "a NOWAIT request whose second bio the device answers AGAIN");
    assert.ok(scattered.some((w) => w.faults.some((f) => f.nth === 2 && f.status === "IOERR")), "a request whose second bio fails");
    for (const fs of GEN_FS.filter((f) => f !== "bdev")) assert.ok(!Array.from({ length: 60 }, (_, i) => printWorkload(generate(5, i, fs))).some((t) => t.includes("scatter")), `none on ${fs}`);
    const text = "fs bdev, file hole 135168\ntask: pwritev2 D 0+131584 scatter nowait\nfault: write#2 AGAIN now";
    assert.equal(printWorkload(parseWorkload(text)), text);
    assert.throws(() => parseWorkload("fs bdev, file hole 262144\ntask: pwrite D 0+1000 scatter"), /scattered over/);
    assert.throws(() => parseWorkload("fs bdev, file hole 262144\ntask: pwrite D 0+4096 iov2 scatter"), /scattered over/);
    assert.throws(() => parseWorkload("fs bdev, file hole 262144\ntask: pwrite D 0+262656 scatter"), /extent 0\+262656|scattered over/);
  });

  it("refuses bad text with the reason", () => {
    assert.throws(() => parseWorkload("fs zfs, file hole 4096\ntask: fsync"), /filesystem "zfs"/);
    assert.throws(() => parseWorkload("fs ext4, file hole 4096\ntask: pread X 0+4096"), WorkloadSyntaxError);
    assert.throws(() => parseWorkload("fs ext4, file hole 4096\ntask: aio D [q 0+4096]"), /request/);
    assert.throws(() => parseWorkload("fs ext4, file hole 4096"), /1\.\.3 tasks|0 tasks/);
    assert.throws(() => parseWorkload("fs bdev, file hole 1000\ntask: fsync"), /device size 1000/);
    assert.throws(() => parseWorkload("fs ext4, file hole 4096\ntask: aio D poll [r 0+4096]"), /polled ring/);
    assert.throws(() => parseWorkload("fs ext4, file hole 4096\ntask: fsync fail0"), /fail-nth 0/);
    assert.throws(() => parseWorkload("fs ext4, file hole 4096\ntask: fsync\nfault: read#1 IOERR now wait"), /only AGAIN/);
  });

  it("favours the filesystem a change touches, the users of iomap, fs/direct-io.c or block/fops.c, all of them for other shared code", () => {
    assert.deepEqual(fsFor(["fs/ext4/file.c"]), ["ext4", "ext4-noextents", "ext4-inline"]);
    assert.deepEqual(fsFor(["fs/btrfs/direct-io.c"]), ["btrfs", "btrfs-nodatacow"]);
    assert.deepEqual(fsFor(["fs/iomap/direct-io.c"]), ["ext4", "ext4-noextents", "btrfs", "btrfs-nodatacow"]);
    assert.deepEqual(fsFor(["fs/direct-io.c"]), ["vfat"]);
    assert.deepEqual(fsFor(["block/fops.c"]), ["bdev"]);
    assert.deepEqual(fsFor(["drivers/block/loop.c"]), ["loop"]);
    assert.deepEqual(fsFor(["fs/ext4/inode.c", "block/bio.c"]), [...GEN_FS]);
  });
});

/** Only the generic suite (no scenario), `budget` cases of one PCT schedule each. */
function genericOnly(mail: string, tree: string, seed: number, budget: number) {
  const r = runCheck(ingest([mail]), { config: "plain", trees: [tree], scenarios: [], candidates: [], generic: { budget, seed, schedules: 1 }, inputs: [mail] });
  const vs = r.units.flatMap((u) => u.verdicts);
  assert.equal(vs.length, 1, JSON.stringify(r.units.map((u) => u.problem)));
  return vs[0] as (typeof vs)[0] & { generated: GenericSummary };
}

for (const tree of TEST_TREES.filter((t) => t === "6.12")) {
  describe(`generic suite on ${tree}`, function () {
    this.timeout(1_800_000);

    /** Runs workload `text` on the plain kernel under the natural schedule and requires that no oracle objects; returns the run. */
    const cleanRun = (text: string) => {
      const [k] = builtKernels("plain", [tree]);
      const { run, outcome } = runWith(targetOf(parseWorkload(text), kernelAt(tree, k!.wasmPath)), new Follow([], false));
      assert.equal(outcome.failed, false, outcome.failures.join("\n"));
      return run;
    };

    it("same workload, same seed: the same results", () => {
      const [k] = builtKernels("plain", [tree]);
      const kernel = kernelAt(tree, k!.wasmPath);
      for (let i = 0; i < 2; i++) {
        const w = suiteWorkload({ seed: 1, fs: ["ext4", "btrfs"] }, i);
        const one = exploreCase(w, kernel, { seed: 1, schedules: 1 });
        const two = exploreCase(parseWorkload(printWorkload(w)), kernel, { seed: 1, schedules: 1 });
        assert.deepEqual(two, one);
      }
    });

    it("the raw block device: I/O across its end is short, at its end -ENOSPC or 0, misaligned -EINVAL; no oracle objects", () => {
      const run = cleanRun("fs bdev, file written 13824 | task: pwrite D 12288+4096; pread D 12288+4096; pread B 8192+8192; pwrite D 14336+512; pread D 13824+512; pread D 100+512");
      const calls = [0, 1, 2, 3, 4, 5].map((i) => run.observed.values[`task 0 call ${i}`]);
      assert.deepEqual(calls, [1536, 1536, 5632, -28, 0, -22]);
    });

    it("the raw block device: a request over more pages than a bio holds takes two bios; the second failing fails the call whichever completes first, and a NOWAIT one is refused whole; no oracle objects", () => {
      for (const when of ["now", "irq"]) {
        const run = cleanRun(`fs bdev, file written 139264 | task: pwrite D 0+131584 scatter | fault: write#2 IOERR ${when}`);
        assert.equal(run.observed.values["task 0 call 0"], -5, `second bio failed (${when}): the call reports it`);
        assert.deepEqual(run.bios.filter((b) => b.op === "write").map((b) => [b.bytes, b.status]), [[131072, 0], [512, 10]]);
      }
      const nowait = cleanRun("fs bdev, file written 139264 | task: pwritev2 D 0+131584 scatter nowait");
      assert.equal(nowait.observed.values["task 0 call 0"], -11, "a NOWAIT request that needs two bios is refused before any is submitted");
    });

    it("a loop device with direct I/O over an ext4 file: I/O across its end is short; a filesystem freeze and thaw beside io_uring writes; no oracle objects", () => {
      const l = cleanRun("fs loop, file hole 13824 | task: pwrite D 12288+4096; pread D 12288+4096; aio D [w 0+4096, r 4096+4096]; pread D 100+512");
      assert.deepEqual([0, 1, 3, 4].map((i) => l.observed.values[`task 0 call ${i}`]), [1536, 1536, 2, -22]);
      const f = cleanRun("fs ext4, file written 16384 | task: uring D [w 0+4096, w 4096+4096]; pwrite D 0+4096 | task: freeze");
      assert.deepEqual([0, 1].map((i) => f.observed.values[`task 1 call ${i}`]), [0, 0], "FIFREEZE and FITHAW return 0");
    });

    it("a lost write is the disk's doing: ext4's journal replayed before fsck, a syncing direct write's writeback of other pages on btrfs; no oracle objects", () => {
      // The freeze's sync_fs writes a metadata block back and the disk fails it: ext4 reports it and aborts the journal, which holds the block.
      const m = cleanRun("fs ext4, file mixed 8192 | task: pread D 4096+8192 fresh; fdatasync | task: aio D [r 7680+512, r 8192+4096]; aio D [r 5120+512, w 8704+12288 nowait dsync]; fallocate alloc 1024+12288 | task: freeze | fault: write#3 IOERR irq");
      assert.ok(m.console.some((l) => /Buffer I\/O error on dev wda, .*lost async page write/.test(l.text)), "the disk lost a metadata write");
      assert.match(m.probe!.fsck[0]!.output, /journal replay \(-E journal_only -y\)/);
      // The direct write's sync writes back the delalloc pages past it, and the disk fails that writeback: those pages may read old (zeros).
      const b = cleanRun("fs btrfs, file delalloc 16384 | task: pwritev2 D 0+4096 dsync | fault: write#2 IOERR now");
      assert.equal(b.observed.values["task 0 call 0"], -5, "the syncing write reports the writeback's error");
    });

    it("a direct write's own failed bio is its error; a failed writeback bio (ext4 fills a hole of an indirect-mapped file by buffered I/O) is the mapping's: no oracle objects", () => {
      const own = cleanRun("fs ext4, file written 16384 | task: pwrite D 8192+4096 | fault: write#1 IOERR now");
      assert.equal(own.observed.values["task 0 call 0"], -5);
      assert.deepEqual(own.bios.filter((b) => b.status).map((b) => b.writeback), [false], "iomap's bio, not writeback");
      const fallback = cleanRun("fs ext4-noextents, file hole 16384 | task: pwrite D 8192+4096; pread D 8192+4096 | fault: write#1 IOERR irq");
      assert.equal(fallback.observed.values["task 0 call 0"], 4096, "the fallback's writeback error goes to the mapping");
      assert.deepEqual(fallback.bios.filter((b) => b.status).map((b) => b.writeback), [true], "submitted under do_writepages");
    });

    it("a failed read bio of the page cache's readahead is marked (btrfs reads a direct read not aligned to its sectors through the page cache, and reads a page again when readahead failed); a direct read's own is not: no oracle objects", () => {
      const ra = cleanRun("fs btrfs, file hole 16384 | task: pwrite D 0+16384; pread D 0+4608 | fault: read#1 IOERR irq");
      assert.equal(ra.observed.values["task 0 call 1"], 4608, "the page read again after the failed readahead");
      assert.deepEqual(ra.bios.filter((b) => b.status).map((b) => b.readahead), [true], "submitted under read_pages");
      const own = cleanRun("fs btrfs, file hole 16384 | task: pwrite D 0+16384; pread D 0+4096 | fault: read#1 IOERR irq");
      assert.equal(own.observed.values["task 0 call 1"], -5);
      assert.deepEqual(own.bios.filter((b) => b.status).map((b) => b.readahead), [false], "iomap's bio, not readahead");
    });

    it("a thread of the first task uses its descriptors (the model's side: oracles.model.test.ts), an O_DSYNC descriptor among them; no oracle objects", () => {
      const run = cleanRun("fs ext4, file written 8192 | task: pwrite S 0+4096; pread B 0+8192 | thread: pwrite B 4096+4096; pread D 0+8192");
      assert.deepEqual([0, 1].map((i) => run.observed.values[`task 1 call ${i}`]), [4096, 8192]);
    });

    it("generated workloads on the raw block device pass on the tree as shipped (i_size is the device's, no fsck)", () => {
      const [k] = builtKernels("plain", [tree]);
      const kernel = kernelAt(tree, k!.wasmPath);
      for (let i = 0; i < 6; i++) {
        const w = suiteWorkload({ seed: 1, fs: ["bdev"] }, i);
        const r = exploreCase(w, kernel, { seed: 1, schedules: 1 });
        assert.equal(r.failure, null, `${printWorkload(w)}: ${r.failure?.failures.join("; ")}`);
      }
    });

    it("direct writes through O_APPEND from untouched and file-mapped buffers, on btrfs without datacow and on ext4: no oracle objects on the tree as shipped", () => {
      const [k] = builtKernels("plain", [tree]);
      const kernel = kernelAt(tree, k!.wasmPath);
      for (const fs of ["btrfs-nodatacow", "ext4"]) {
        const w = parseWorkload(`fs ${fs}, file written 8192 | task: pwrite A 8192+4096 mapped; pwrite A 0+4096 fresh; pwrite D 4096+8192 mapped; pread D 0+16384`);
        const { run, outcome } = runWith(targetOf(w, kernel), new Follow([], false));
        assert.equal(outcome.failed, false, `${fs}: ${outcome.failures.join("\n")}`);
        // The mapped append's buffer is the file past its end (SIGBUS if touched): -EFAULT, or done where the filesystem falls back to a buffered write.
        const calls = [0, 1].map((i) => run.observed.values[`task 0 call ${i}`]);
        assert.ok([4096, -14].includes(calls[0] as number) && calls[1] === 4096, `${fs}: ${JSON.stringify(calls)}`);
      }
    });

    it("fail-nth in a generated workload on the debug kernel: the op's call fails at its first fault point, no oracle objects", () => {
      const [k] = builtKernels("debug", [tree]);
      const w = parseWorkload("fs ext4, file written 16384 | task: aio D [r 0+4096] fail1; pread D 0+4096");
      const { run, outcome } = runWith(targetOf(w, kernelAt(tree, k!.wasmPath)), new Follow([], false));
      assert.equal(outcome.failed, false, outcome.failures.join("\n"));
      assert.ok(Number(run.observed.values["task 0 call 0"]) < 0, `io_submit with its first fault point failed returns an error: ${JSON.stringify(run.observed.values)}`);
      assert.equal(run.observed.values["task 0 call 1"], 4096);
    });

    it("an io_uring submit that fail-nth stops after its first SQE leaves the others in the ring, and the next submit sends them first (as liburing does): each SQE's bytes go with the call that sent it, at its place there, so no oracle objects", () => {
      const [k] = builtKernels("debug", [tree]);
      // The second submit sends the read of 8192+512 left over, the write of 12288+4096, then the read of 0+8192: a read's bytes filed under its request's index in its op (0) would be judged as the leftover read's at 8192.
      const w = parseWorkload("fs ext4, file written 16384 | task: uring D [w 0+512, r 8192+512, w 12288+4096] fail3; uring D [r 0+8192]");
      const { run, outcome } = runWith(targetOf(w, kernelAt(tree, k!.wasmPath)), new Follow([], false));
      assert.equal(outcome.failed, false, outcome.failures.join("\n"));
      const enters = run.commands.filter((c) => c.command.op === "SYSCALL" && c.command.flags === 426).map((c) => [c.command.args?.[1], c.returned]);
      assert.deepEqual(enters, [[3, 1], [3, 3]], "submitted 1 of 3, then the 2 left and the new one");
    });

    it("a kernel whose long direct writes report 512 bytes short: regressed, shrunk, and the token replays it", () => {
      const v = genericOnly(join(FIXTURES, "broken-iomap-short-write.patch"), tree, 1, 4);
      assert.equal(v.verdict, "regressed", v.reason);
      const s = v.generated.shown!;
      assert.equal(s.failing, "after");
      assert.ok(s.failure.names.includes("oracle:return"), s.failure.names.join(", "));
      const w = parseWorkload(s.shrunk);
      assert.equal(w.tasks.length, 1, s.shrunk);
      assert.ok(w.tasks[0]!.ops.length <= 2, s.shrunk);
      const d = decodeToken(s.failure.token);
      const kernel = kernelById(d.tree, d.buildId)!;
      assert.ok(kernel, "the token names a kernel that is still built");
      const again = replaySteps(targetOf(w, kernel), d.steps).outcome;
      assert.equal(again.failed, true, "the token replays the failure");
    });

    it("the two sides of each case at once (the after side on a worker thread) give the verdict and cases of one side after the other, byte for byte", () => {
      const mail = join(FIXTURES, "broken-iomap-short-write.patch");
      const paired = genericOnly(mail, tree, 1, 3);
      const saved = process.env.DIOSCOPE_JOBS;
      process.env.DIOSCOPE_JOBS = "1";
      try {
        assert.equal(JSON.stringify(genericOnly(mail, tree, 1, 3)), JSON.stringify(paired));
      } finally {
        if (saved === undefined) delete process.env.DIOSCOPE_JOBS;
        else process.env.DIOSCOPE_JOBS = saved;
      }
    });

    // The no-op refactor's words are about asynchronous completion: its second round (cases 3-5) also runs bio faults aimed at ext4_dio_read_iter.
    for (const [control, budget] of [["control-comment-iomap", 3], ["control-noop-ext4-dio-read", 6]] as const)
      it(`${control}: no "fixed" and no "regressed" over two generator seeds (${budget} cases)`, () => {
        for (const seed of [1, 2]) {
          const v = genericOnly(join(FIXTURES, `${control}.patch`), tree, seed, budget);
          assert.deepEqual([v.generated.fixed, v.generated.regressed, v.verdict], [[], [], "no-effect"], v.reason);
        }
      });

    it("control-noop-ext4-dio-read: its second round runs aimed bio faults (the control covers them)", () => {
      const mail = join(FIXTURES, "control-noop-ext4-dio-read.patch");
      // The focus as the check resolves it (ext4_dio_read_iter is inlined into ext4_file_read_iter).
      const focus = genericOnly(mail, tree, 1, 1).generated.focus;
      assert.ok(focus.length, "the hunk names its function");
      const o = { seed: 1, fs: fsFor(["fs/ext4/file.c"]), faultInjection: false, emphasis: emphasisOf(seriesWords(ingest([mail]))), focus };
      const [k] = builtKernels("plain", [tree]);
      const counts = [3, 4, 5].map((i) => [...caseVariants(o, i, kernelAt(tree, k!.wasmPath))].length);
      assert.ok(counts.some((n) => n > 1), `variants of cases 3-5: ${counts.join(", ")}`);
    });
  });
}

for (const tree of TEST_TREES.filter((t) => t === "6.1"))
  describe(`generated cases on the debug kernel ${tree}`, function () {
    this.timeout(600_000);

    it("a btrfs error path under lockdep, printk and fail-nth unwinds deeper than 8 KiB: it fits its Asyncify buffer, the case runs to its verdict", () => {
      const [k] = builtKernels("debug", [tree]);
      const w = parseWorkload("fs btrfs, file delalloc 16384 | task: uring S [w 0+12288, w 0+4096] fail10 | task: freeze | fault: write#2 IOERR now; write#3 AGAIN now wait; write#1 IOERR irq");
      const r = exploreCase(w, kernelAt(tree, k!.wasmPath), { seed: 1, schedules: 6, faultInjection: true });
      assert.ok(!r.failure?.names.includes(SETUP_FAILED), r.failure?.failures.join("\n"));
    });
  });
