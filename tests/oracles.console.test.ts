// The console oracle's table, one test per pattern family, on console text
// as the kernel prints it (the lines below are the kernel's formats, with
// our device names); plus lines that must never fire.
import assert from "node:assert/strict";
import { CONSOLE_PATTERNS, classifyLine, judge, judgementLines, type RunRecord } from "../harness/oracles/index.ts";
import { WORD_SIZE_REPORTS } from "../harness/oracles/console.ts";
import type { BioRecord } from "../harness/block/device.ts";

function record(text: string, bios: BioRecord[] = []): RunRecord {
  return {
    scenario: "console-test",
    console: text.split("\n").map((t, i) => ({ timeNs: i * 1000, cpu: 0, text: t })),
    hang: null,
    error: null,
    tasks: [],
    commands: [],
    runFromCmd: 1,
    probeFromCmd: 1,
    journal: [],
    bios,
    probe: null,
    injectedFaults: 0,
  };
}

const families = (text: string, bios: BioRecord[] = [], injectedFaults = 0) =>
  judge({ ...record(text, bios), injectedFaults }).findings.map((f) => (f.evidence.kind === "console" ? f.evidence.family : f.oracle));

const FAMILIES: Record<string, string> = {
  lockdep: `======================================================
WARNING: possible circular locking dependency detected
6.12.0 #1 Not tainted
------------------------------------------------------
dio-B/42 is trying to acquire lock:
c0a1b2c4 (&sb->s_type->i_mutex_key#3){++++}-{3:3}, at: ext4_dio_write_iter+0x1c/0x400

but task is already holding lock:
c0a1b2d8 (&ei->i_mmap_sem){++++}-{3:3}, at: ext4_file_write_iter+0x40/0x90`,
  rcu: `=============================
WARNING: suspicious RCU usage
6.12.0 #1 Not tainted
-----------------------------
include/linux/rcupdate.h:737 rcu_read_lock() used illegally while idle!`,
  list: `list_add corruption. prev->next should be next (c1234567), but was c7654321. (prev=c1234560).
------------[ cut here ]------------
kernel BUG at lib/list_debug.c:30!`,
  odebug: `ODEBUG: free active (active state 0) object: c1a2b3c4 object type: timer_list hint: delayed_work_timer_fn+0x0/0x20`,
  btrfs: `assertion failed: refcount_read(&eb->refs), in fs/btrfs/extent_io.c:3404`,
  "fs-error": `EXT4-fs error (device wda): ext4_find_entry:1677: inode #2: comm ls: reading directory lblock 0`,
  "stale-pagecache": `Page cache invalidation failure on direct I/O.  Possible data corruption due to collision with buffered I/O!
File: /mnt/F PID: 12 Comm: kworker/0:1`,
  "busy-inodes": `VFS: Busy inodes after unmount of wda (ext4)`,
  "hung-task": `INFO: task dio-B:43 blocked for more than 120 seconds.
      Not tainted 6.12.0 #1`,
  "lock-debug": `BUG: sleeping function called from invalid context at mm/slab.h:742
in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 42, name: dio-A`,
  bug: `kernel BUG at fs/iomap/direct-io.c:123!
Oops: invalid opcode: 0000 [#1] SMP`,
  warning: `------------[ cut here ]------------
WARNING: CPU: 1 PID: 42 at fs/iomap/direct-io.c:432 iomap_dio_bio_iter+0x3c/0x5a0
Modules linked in:
CPU: 1 PID: 42 Comm: dio-B Not tainted 6.12.0 #1`,
};

describe("console oracle: the pattern table", () => {
  for (const [family, text] of Object.entries(FAMILIES)) {
    it(`${family}: a report as the kernel prints it is a finding of that family, with the lines after it`, () => {
      const j = judge(record(text));
      assert.ok(j.findings.length >= 1, `no finding for ${family}`);
      const f = j.findings[0]!;
      assert.equal(f.oracle, "console");
      assert.ok(f.evidence.kind === "console");
      assert.equal(f.evidence.family, family);
      assert.ok(f.message.startsWith(`${family}: `));
    });
  }

  it("every lockdep report kind is recognised as lockdep, not as a plain WARNING", () => {
    for (const head of [
      "WARNING: possible circular locking dependency detected",
      "WARNING: possible recursive locking detected",
      "WARNING: inconsistent lock state",
      "WARNING: bad unlock balance detected!",
      "WARNING: held lock freed!",
      "WARNING: lock held when returning to user space!",
      "WARNING: possible irq lock inversion dependency detected",
      "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
      "INFO: trying to register non-static key.",
      "DEBUG_LOCKS_WARN_ON(current->hardirqs_enabled)",
    ])
      assert.equal(classifyLine(head)?.family, "lockdep", head);
  });

  it("btrfs critical/error and ext4/fat errors are findings; the same I/O-error report is excused when the disk failed a bio", () => {
    assert.deepEqual(families("BTRFS critical (device wda): corrupt leaf: root=5 block=30408704 slot=0, invalid key objectid"), ["btrfs"]);
    assert.deepEqual(families("BTRFS error (device wda): bad tree block start, mirror 1 want 30408704 have 0"), ["btrfs"]);
    assert.deepEqual(families("FAT-fs (wda): error, invalid access to FAT (entry 0x0000abcd)"), ["fs-error"]);
    const io = "BTRFS: error (device wda) in btrfs_finish_ordered_io:3108: errno=-5 IO failure";
    assert.deepEqual(families(io), ["btrfs"]);
    const failed: BioRecord = { index: 0, disk: 0, op: "write", sector: 8, bytes: 4096, nowait: false, flags: 0, cpu: 0, submitNs: 0, status: 10, completion: "irq", completedNs: 1, rule: "test", writeback: false, readahead: false };
    assert.deepEqual(families(io, [failed]), [], "the filesystem reporting the disk's error is its documented answer");
    assert.deepEqual(families("BTRFS error (device wda state EA): Transaction aborted (error -5)", [failed]), [], "so is aborting the transaction on it");
    assert.deepEqual(families("BTRFS error (device wda state EA): Transaction aborted (error -5)"), ["btrfs"]);
    // 7.x words it differently: the transaction's number, the bare errno.
    assert.deepEqual(families("BTRFS error (device wda state A): Transaction 7 aborted (-5)", [failed]), []);
    assert.deepEqual(families("BTRFS error (device wda state EA): failed to run delayed ref for logical 13631488 num_bytes 16384 type 178 action 1 ref_mod 1: -5", [failed]), []);
    assert.deepEqual(families("BTRFS error (device wda state A): Transaction 7 aborted (-5)"), ["btrfs"]);
    const oom = "EXT4-fs error (device wda) in ext4_setattr:5683: Out of memory";
    assert.deepEqual(families(oom), ["fs-error"], "an allocation failure nobody injected is a finding");
    assert.deepEqual(families(oom, [], 1), [], "the filesystem reporting the allocation failure fault injection forced is its documented answer");
    assert.deepEqual(families("BTRFS: error (device wda) in btrfs_create_new_inode:6379: errno=-12 Out of memory", [], 1), []);
    const nocow = "BTRFS error (device wda): run_delalloc_nocow failed, root=5 inode=257 start=4096 len=4096: -12";
    assert.deepEqual(families(nocow, [], 1), [], "btrfs's delalloc report ends with the injected errno");
    assert.deepEqual(families(nocow), ["btrfs"], "nothing injected: a finding");
    assert.deepEqual(families("BTRFS error (device wda state A): Transaction 8 aborted (-12)", [], 1), [], "7.x's abort wording, with the injected errno");
    assert.deepEqual(families("BTRFS error (device wda state A): Transaction 8 aborted (-12)"), ["btrfs"]);
    assert.deepEqual(families(io, [], 1), ["btrfs"], "an injected allocation failure does not excuse an I/O error report");
    assert.deepEqual(families("WARNING: CPU: 0 PID: 41 at fs/ext4/inode.c:5683 ext4_setattr+0x1/0x2", [], 1), ["warning"], "nor a warning");
    const dirty = "EXT4-fs error (device wda): ext4_dirty_inode:6157: inode #12: comm init: mark_inode_dirty error";
    assert.deepEqual(families(dirty), ["fs-error"], "with no failed bio and nothing injected it is a finding");
    assert.deepEqual(families(dirty, [failed]), [], "ext4 could not write back the inode's buffer the disk failed");
    const metadata = "EXT4-fs error (device wda): ext4_check_bdev_write_error:218: comm init: Error while async write back metadata";
    const journal = "EXT4-fs error (device wda): ext4_put_super:1305: comm init: Couldn't clean up the journal";
    assert.deepEqual(families(metadata), ["fs-error"], "with no failed bio it is a finding");
    assert.deepEqual(families(journal), ["fs-error"]);
    assert.deepEqual(families(metadata, [failed]), [], "ext4 reporting metadata writeback the disk failed");
    assert.deepEqual(families(journal, [failed]), [], "and the journal it then could not clean up at unmount");
    const aborted = "EXT4-fs error (device wda) in ext4_reserve_inode_write:5937: Journal has aborted";
    assert.deepEqual(families(aborted), ["fs-error"], "with no failed bio it is a finding");
    assert.deepEqual(families(aborted, [failed]), [], "ext4 reporting the journal it aborted on the disk's error");
    const bitmap = "EXT4-fs error (device wda): ext4_wait_block_bitmap:588: comm gen0: Cannot read block bitmap - block_group = 0, block_bitmap = 3";
    assert.deepEqual(families(bitmap), ["fs-error"], "with no failed bio it is a finding");
    assert.deepEqual(families(bitmap, [failed]), [], "ext4 reporting a bitmap read the disk failed");
  });

  it("the fault-injection dump is not a failure, nor are I/O errors, mount messages or boot lines", () => {
    const clean = `FAULT_INJECTION: forcing a failure.
name failslab, interval 1, probability 0, space 0, times 0
CPU: 0 PID: 41 Comm: dio-A Not tainted 6.12.0 #1
Call Trace:
EXT4-fs (wda): mounted filesystem d105c09e-0000-4000-8000-000000000001 r/w with ordered data mode. Quota mode: disabled.
BTRFS info (device wda): first mount of filesystem d105c09e-0000-4000-8000-000000000001
I/O error, dev wda, sector 2056 op 0x1:(WRITE) flags 0x8800 phys_seg 1 prio class 2
Buffer I/O error on dev wda, logical block 257, lost async page write
EXT4-fs warning (device wda): ext4_end_bio:343: I/O error 10 writing to inode 12 starting block 258)
Run /init as init process`;
    assert.deepEqual(families(clean), []);
    assert.equal(classifyLine("FAULT_INJECTION: forcing a failure.")?.failure, false);
  });

  it("the table is one list: every family has a source and every pattern a family", () => {
    for (const p of CONSOLE_PATTERNS) assert.ok(p.family && p.source, JSON.stringify(p));
  });

  it("a report only a 32-bit kernel prints is listed with its reason, not a finding; the same lockdep kind on another lock is a finding", () => {
    const report = (lock: string, usage: string) => `================================
WARNING: inconsistent lock state
7.3.4 #1 Not tainted
--------------------------------
inconsistent ${usage} usage.
swapper/1/0 [HC1[1]:SC0[0]:HE0:SE1] takes:
c1a2b3c4 (${lock}){+-+.}-{0:0}, at: ext4_dio_write_end_io+0x1/0x2
{HARDIRQ-ON-W} state was registered at:
  lock_acquire+0x1/0x2
stack backtrace:
Call trace (host):
  show_stack
  print_usage_bug
  mark_lock
  ext4_dio_write_end_io
  iomap_dio_complete`;
    const iSize = judge(record(report("&inode->i_size_seqcount", "{HARDIRQ-ON-W} -> {IN-HARDIRQ-R}")));
    assert.deepEqual(iSize.findings, []);
    assert.equal(iSize.wordSize.length, 1);
    assert.equal(iSize.wordSize[0]!.frame, "ext4_dio_write_end_io");
    assert.equal(iSize.wordSize[0]!.why, WORD_SIZE_REPORTS[0]!.why);
    const lines = judgementLines(iSize);
    assert.ok(lines.some((l) => l.startsWith("32-bit only, not judged: lockdep: WARNING: inconsistent lock state in ext4_dio_write_end_io (")), lines.join("\n"));
    assert.ok(lines.some((l) => l.startsWith("lock checking off after lockdep: WARNING: inconsistent lock state")), lines.join("\n"));
    assert.deepEqual(families(report("&ei->i_data_sem", "{HARDIRQ-ON-W} -> {IN-HARDIRQ-W}")), ["lockdep"]);
    assert.deepEqual(families(report("&inode->i_size_seqcount", "{SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}")), ["lockdep"]);
  });
});
