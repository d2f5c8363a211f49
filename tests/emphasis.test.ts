// What a change's words ask the generator to favour (harness/generate/
// emphasis.ts): the vocabulary reads kernel interfaces and English from a
// mail; each feature it names is drawn more often, and only then; no
// emphasis gives the generator's own workloads; the same mail gives the
// same emphasis and the same workloads.
import assert from "node:assert/strict";
import { join } from "node:path";
import { emphasisOf, FEATURES, NO_EMPHASIS, seriesWords, type Emphasis, type Feature } from "../harness/generate/emphasis.ts";
import { generate } from "../harness/generate/generator.ts";
import { suiteWorkload } from "../harness/generate/suite.ts";
import { printWorkload } from "../harness/generate/text.ts";
import { FS_BLOCK, MIXED_DATA_AT, requestsOf, writesFile, type GenFs, type Op, type Workload } from "../harness/generate/workload.ts";
import { ingest } from "../harness/ingest/index.ts";
import { repoRoot } from "../harness/paths.ts";


/** How often a workload shows each feature (a count of its marks). */
const SHOWS: Record<Feature, (w: Workload) => number> = {
  append: (w) => ops(w).filter((op) => ("fd" in op && op.fd === "append") || (op.k === "pwritev2" && op.rwf.includes("append"))).length,
  untouched: (w) => ops(w).filter((op) => "mapped" in op && (op.mapped || (op.fresh && writesFile(op)))).length,
  truncate: (w) => ops(w).filter((op) => op.k === "ftruncate").length,
  fallocate: (w) => ops(w).filter((op) => op.k === "fallocate").length + (w.pre === "fallocated" || w.pre === "hole" ? 1 : 0),
  sync: (w) => ops(w).filter((op) => op.k === "fsync" || op.k === "fdatasync" || ("fd" in op && op.fd === "dsync") || (op.k === "pwritev2" && op.rwf.includes("dsync")) || ((op.k === "aio" || op.k === "uring") && op.reqs.some((q) => q.dsync))).length,
  nowait: (w) => ops(w).filter((op) => (op.k === "preadv2" || op.k === "pwritev2" ? op.rwf.includes("nowait") : (op.k === "aio" || op.k === "uring") && op.reqs.some((q) => q.nowait))).length + w.faults.filter((f) => f.status === "AGAIN").length,
  freeze: (w) => ops(w).filter((op) => op.k === "freeze").length,
  thread: (w) => w.tasks.filter((t) => t.thread).length,
  async: (w) => ops(w).filter((op) => op.k === "aio" || op.k === "uring").length,
  poll: (w) => ops(w).filter((op) => op.k === "uring" && op.poll).length,
  failnth: (w) => ops(w).filter((op) => op.fail !== undefined).length,
  "bio-error": (w) => w.faults.filter((f) => f.status === "IOERR").length,
  fallback: (w) => (w.pre === "mixed" ? ops(w).filter((op) => fromHole(op)).length : 0),
  inline: (w) => (w.size <= 2 * 512 ? 1 : 0) + ops(w).filter((op) => (op.k === "ftruncate" && op.size > 0 && op.size <= 2 * 512) || ("fd" in op && op.fd === "buffered" && writesFile(op) && requestsOf(op).some((q) => q.off + q.len <= 2 * 512))).length,
};
const ops = (w: Workload): Op[] => w.tasks.flatMap((t) => t.ops);
/** A direct pwrite from the hole of a "mixed" file (blocks 1-2) over the written block 3. */
const fromHole = (op: Op): boolean => op.k === "pwrite" && op.fd === "direct" && op.off >= FS_BLOCK && op.off < MIXED_DATA_AT && op.off + op.len >= MIXED_DATA_AT + FS_BLOCK;

function total(f: Feature, e: Emphasis, fs: GenFs): number {
  let n = 0;
  for (let i = 0; i < 400; i++) n += SHOWS[f](generate(1, i, fs, { faultInjection: true, emphasis: e }));
  return n;
}

describe("emphasis: the change's words favour the draws that reach what it names", () => {
  it("reads kernel interfaces and English, and nothing from a text that names none", () => {
    const e = emphasisOf("btrfs: fix race between direct IO write and fsync when using same fd\n+\tif (iocb->ki_flags & IOCB_NOWAIT)\n+\t\tsb_start_write_trylock(sb);");
    assert.deepEqual([...e.keys()], ["sync", "nowait", "freeze", "thread"]);
    assert.deepEqual(e.get("sync"), ["fsync"]);
    assert.deepEqual(e.get("freeze"), ["sb_start_write_trylock"]);
    assert.equal(emphasisOf("fix a typo in a comment of the version string").size, 0);
    assert.equal(emphasisOf("+static inline bool ext4_inline(struct inode *inode)").size, 0, "the C keyword names no interface");
    assert.deepEqual(emphasisOf("clear EXT4_STATE_MAY_INLINE_DATA before inline data is created").get("inline"), ["EXT4_STATE_MAY_INLINE_DATA", "inline data"]);
  });

  it("reads a mail's subject, message and changed lines, not its context lines; the same mail twice gives the same emphasis", () => {
    const [p] = ingest([join(repoRoot, "patches/zoo/06-io_uring-rw-nowait-start-write.patch")]);
    const words = seriesWords([p!]);
    assert.ok(words.includes(p!.subject));
    const lines = p!.files.flatMap((f) => f.hunks.flatMap((h) => h.lines));
    const sections = p!.files.flatMap((f) => f.hunks.map((h) => h.section));
    const changed = new Set([...lines.filter((l) => l.kind !== "ctx").map((l) => l.text), ...sections]);
    const context = lines.filter((l) => l.kind === "ctx" && !changed.has(l.text) && l.text.trim().length > 12 && !p!.message.includes(l.text)).map((l) => l.text);
    assert.ok(context.length > 0 && context.every((t) => !words.split("\n").includes(t)), "context lines are not read");
    assert.deepEqual([...emphasisOf(words)], [...emphasisOf(seriesWords(ingest([join(repoRoot, "patches/zoo/06-io_uring-rw-nowait-start-write.patch")])))]);
  });

  it("leaves the generator's own workloads unchanged when nothing is emphasised", () => {
    for (const fs of ["ext4", "btrfs", "bdev"] as const)
      for (let i = 0; i < 60; i++) assert.equal(printWorkload(generate(2, i, fs, { faultInjection: true, emphasis: NO_EMPHASIS })), printWorkload(generate(2, i, fs, { faultInjection: true })));
  });

  it("draws each feature more often when emphasised", () => {
    for (const f of FEATURES) {
      const fs: GenFs = f === "freeze" ? "btrfs" : f === "inline" ? "ext4-inline" : f === "fallback" ? "ext4-noextents" : "ext4";
      const plain = total(f, NO_EMPHASIS, fs);
      const more = total(f, new Map([[f, ["test"]]]), fs);
      assert.ok(more > plain * 1.3, `${f}: ${more} marks emphasised vs ${plain} without (400 workloads)`);
    }
  });

  it("puts a file state one call makes next to a direct write: inline data (a buffered write at 0 of a file without blocks), on ext4-inline only", () => {
    const e: Emphasis = new Map([["inline", ["inline data"]]]);
    const isCall = (op: Op | undefined) => op !== undefined && op.k === "pwrite" && op.fd === "buffered" && op.off === 0 && op.len === 512;
    const isDirectWrite = (op: Op | undefined) => op !== undefined && "fd" in op && op.fd !== "buffered" && requestsOf(op).some((q) => q.write);
    const shapes = (fs: GenFs) => {
      let pairs = 0;
      let beside = 0;
      for (let i = 0; i < 200; i++) {
        const w = generate(3, i, fs, { faultInjection: true, emphasis: e });
        if (w.pre !== "hole") continue;
        if (w.tasks.some((t) => t.ops.some((op, j) => isCall(op) && (isDirectWrite(t.ops[j - 1]) || isDirectWrite(t.ops[j + 1]))))) pairs++;
        else if (w.tasks.some((t, j) => j > 0 && t.ops.length === 1 && isCall(t.ops[0]))) beside++;
      }
      return { pairs, beside };
    };
    const inline = shapes("ext4-inline");
    assert.ok(inline.pairs >= 80 && inline.beside >= 10, `ext4-inline: ${JSON.stringify(inline)} (200 workloads)`);
    const ext4 = shapes("ext4");
    assert.ok(ext4.pairs + ext4.beside < 10, `ext4 has no inline data: ${JSON.stringify(ext4)} (200 workloads)`);
  });

  it("puts a direct write that falls back to buffered I/O (from a hole over written data) next to a direct write on that data, on ext4-noextents only", () => {
    const e: Emphasis = new Map([["fallback", ["ENOTBLK"]]]);
    const onData = (op: Op | undefined) => op !== undefined && "fd" in op && op.fd !== "buffered" && op.fd !== "append" && requestsOf(op).some((q) => q.write && q.off === MIXED_DATA_AT && q.len === FS_BLOCK);
    const shapes = (fs: GenFs) => {
      let pairs = 0;
      let beside = 0;
      for (let i = 0; i < 200; i++) {
        const w = generate(3, i, fs, { faultInjection: true, emphasis: e });
        if (w.pre !== "mixed" || w.size < MIXED_DATA_AT + FS_BLOCK) continue;
        if (w.tasks.some((t) => t.ops.some((op, j) => fromHole(op) && (onData(t.ops[j - 1]) || onData(t.ops[j + 1]))))) pairs++;
        // Beside: the two alone, one task per CPU.
        else if (w.tasks.length === 2 && w.tasks[1]!.ops.length === 1 && fromHole(w.tasks[1]!.ops[0]!) && onData(w.tasks[0]!.ops[0])) beside++;
      }
      return { pairs, beside };
    };
    const noextents = shapes("ext4-noextents");
    assert.ok(noextents.pairs >= 25 && noextents.beside >= 40, `ext4-noextents: ${JSON.stringify(noextents)} (200 workloads)`);
    const ext4 = shapes("ext4");
    assert.ok(ext4.pairs + ext4.beside < 10, `ext4 allocates for direct writes into holes (unwritten extents): ${JSON.stringify(ext4)} (200 workloads)`);
  });

  it("leaves an asynchronous direct write inside the file alone beside a truncate that extends it when the words name truncate, on filesystems only", () => {
    const asyncWriteInside = (op: Op, size: number) => (op.k === "aio" || op.k === "uring") && op.fd === "direct" && op.reqs.some((q) => q.write) && op.reqs.every((q) => !q.write || q.off + q.len <= size);
    const alone = (w: Workload) => w.tasks.length === 2 && w.tasks[0]!.ops.length === 1 && asyncWriteInside(w.tasks[0]!.ops[0]!, w.size) && w.tasks[1]!.ops.length === 1 && w.tasks[1]!.ops[0]!.k === "ftruncate" && w.tasks[1]!.ops[0]!.size > w.size;
    const count = (fs: GenFs, e: Emphasis) => Array.from({ length: 200 }, (_, i) => generate(3, i, fs, { faultInjection: true, emphasis: e })).filter(alone).length;
    const truncate: Emphasis = new Map([["truncate", ["truncate"]]]);
    const ext4 = count("ext4", truncate);
    assert.ok(ext4 >= 40, `ext4, emphasised: ${ext4} of 200`);
    assert.ok(count("ext4", NO_EMPHASIS) < 5, "without the words the shape is the generator's chance");
    assert.equal(count("loop", truncate), 0, "a device node's size is fixed");
  });

  it("is deterministic: an emphasised workload is the same text twice and still a valid workload", () => {
    const e = new Map(FEATURES.map((f) => [f, ["test"]] as const));
    for (let i = 0; i < 100; i++) assert.equal(printWorkload(generate(4, i, "btrfs-nodatacow", { faultInjection: true, emphasis: e })), printWorkload(generate(4, i, "btrfs-nodatacow", { faultInjection: true, emphasis: e })));
  });
});

describe("emphasis in the suite: every other round of the filesystems follows it, the others are the generator's own", () => {
  const e: Emphasis = new Map([["sync", ["fsync"]]]);
  it("cases of even rounds are the workloads without emphasis; of odd rounds, drawn with it; both on every filesystem", () => {
    for (const fs of [["ext4"], ["btrfs", "btrfs-nodatacow"], ["ext4", "ext4-noextents", "ext4-inline"], ["ext4", "ext4-noextents", "btrfs", "btrfs-nodatacow"]] as GenFs[][]) {
      const seen = new Set<GenFs>();
      for (let i = 0; i < 4 * fs.length; i++) {
        const w = suiteWorkload({ seed: 1, fs, emphasis: e }, i);
        assert.equal(w.fs, fs[i % fs.length]);
        const round = Math.floor(i / fs.length);
        assert.equal(printWorkload(w), printWorkload(generate(1, i, w.fs, round % 2 ? { faultInjection: false, emphasis: e } : {})), `case ${i}`);
        if (round % 2) seen.add(w.fs);
      }
      assert.deepEqual([...seen].sort(), [...fs].sort(), `emphasised rounds visit every filesystem of ${fs.join(", ")}`);
    }
  });
});
