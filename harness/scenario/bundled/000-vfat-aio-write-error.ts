// Seed 000 (direct-io: bug fix in dio handling write error, 2006, upstream
// 174e27c607cf) on today's fs/direct-io.c, which vfat still uses.
//
// A vfat file, fully allocated and synced, page cache empty, opened
// O_DIRECT. An asynchronous 4 KiB write inside i_size (so the dio is
// async) whose bio the disk fails with BLK_STS_IOERR after the submit path
// returned. The kiocb must complete exactly once with -EIO, and the dio
// must end (a later truncate, which waits in inode_dio_wait, returns). With
// the 2006 bug (the declared regression patch: the bug put back into 6.x) the
// completion is lost: the run hangs waiting for it.
import { blocks, EIOCBQUEUED, expect, O, type Scenario, type Task } from "../api.ts";

interface State {
  W: Task;
  fd: number;
  buf: number;
}

/** What every scenario of seed 000 shares: the mail, its regression patch, a vfat disk on 2 CPUs. */
export const SEED000 = {
  reproduces: [{ subject: "direct-io: bug fix in dio handling write error", upstream: "174e27c607cf" }],
  regression: {
    patch: "000-regression-direct-io-lost-aio-completion.patch",
    why: "the 2006 mail applies to no 6.x tree; this puts its bug (a failed bio's AIO completion is lost) back into today's dio_bio_end_aio()",
  },
  disks: [{ kind: "vfat", sizeMiB: 16 }],
  cpus: 2,
} as const satisfies Partial<Scenario>;

export const seed000: Scenario<State> = {
  name: "000-vfat-aio-dio-write-error",
  title: "vfat (fs/direct-io.c): async O_DIRECT write whose bio fails after submit returned",
  exercises: ["fs/direct-io.c", "fs/fat/"],
  ...SEED000,
  setup(s) {
    s.mount("/dev/wda", "/mnt", "vfat");
    s.createFile("/mnt/f", blocks(1, 2, 3, 4));
    const st: State = { W: s.task("aio-W", 1), fd: s.open("/mnt/f", O.RDWR | O.DIRECT), buf: s.buffer(blocks(0xee)) };
    s.ok({ op: "DROP_CACHE", fd: st.fd });
    return st;
  },
  run(s, { W, fd, buf }) {
    s.block.setRules([{ op: "write", nth: 1, status: "IOERR", completion: { when: "irq", delayNs: 100_000, cpu: 0 }, why: "the disk fails the write after submit returned" }]);
    const w = s.start(W, { op: "WRITE", fd, buf, len: 4096, off: 4096, flags: 1 });
    s.observe("submit", s.wait(w));
    s.observe("failed-bios", s.block.log.filter((b) => b.status !== 0).length);
    s.observe("completion", s.wait(w, true));
    // Let any second completion show up before counting.
    s.machine.run(() => false, { stopWhenQuiescent: true, untilNs: s.machine.clock.now + 1e9 });
    s.observe("completions", w.completions);
    s.block.setRules([]);
    s.observe("truncate", s.call({ op: "TRUNCATE", fd, len: 16384 }));
  },
  expectations: [
    expect.value("submit", EIOCBQUEUED, "the write is queued (-EIOCBQUEUED)"),
    expect.value("failed-bios", 1, "the disk failed exactly one bio"),
    expect.value("completion", -5, "the kiocb completes with -EIO"),
    expect.value("completions", 1, "exactly one completion"),
    expect.value("truncate", 0, "the dio ended: truncate (inode_dio_wait) returns"),
    expect.noHang(),
  ],
  notes: "The kiocb is the agent's (in-kernel, like the loop driver's); 000-vfat-aio-getevents is the same through io_submit/io_getevents.",
};

export default seed000;
