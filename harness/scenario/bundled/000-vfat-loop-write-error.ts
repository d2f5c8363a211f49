// Seed 000 through an in-kernel asynchronous user: the loop driver with
// direct I/O over a vfat file. A 4 KiB O_DIRECT write to /dev/loop0 becomes
// the loop driver's asynchronous kiocb on the vfat file (lo_rw_aio →
// fs/direct-io.c); the disk fails that bio after submission. The loop
// request must complete with an error, so the write to /dev/loop0 returns
// -EIO. With the 2006 bug (the regression mutant) the kiocb never completes,
// nor does the loop request: the writer hangs.
import { blocks, expect, O, type Scenario, type Task } from "../api.ts";
import { SEED000, seed000 } from "./000-vfat-aio-write-error.ts";

interface State {
  W: Task;
  fd: number;
  buf: number;
}

export const seed000loop: Scenario<State> = {
  name: "000-vfat-loop-dio-write-error",
  title: "vfat under a loop device with direct I/O: the backing write fails after submission",
  exercises: [...seed000.exercises, "drivers/block/loop.c"],
  ...SEED000,
  setup(s) {
    s.mount("/dev/wda", "/mnt", "vfat");
    s.createFile("/mnt/backing", blocks(1, 2, 3, 4, 5, 6, 7, 8), { dropCache: true });
    const nr = s.ok({ op: "LOOP_ATTACH", path2: "/mnt/backing", flags: 1 });
    return { W: s.task("loop-W", 1), fd: s.open(`/dev/loop${nr}`, O.RDWR | O.DIRECT), buf: s.buffer(blocks(0xee)) };
  },
  run(s, { W, fd, buf }) {
    s.block.setRules([{ disk: 0, op: "write", nth: 1, status: "IOERR", completion: { when: "irq", delayNs: 100_000, cpu: 0 }, why: "the disk fails the loop driver's write of the backing file" }]);
    const w = s.start(W, { op: "WRITE", fd, buf, len: 4096, off: 4096 });
    s.observe("write", s.wait(w));
    s.observe("failed-bios", s.block.log.filter((b) => b.status !== 0).length);
  },
  expectations: [
    expect.value("failed-bios", 1, "the disk failed exactly one bio"),
    expect.value("write", -5, "the write to /dev/loop0 returns -EIO"),
    expect.noHang(),
  ],
  notes: "The loop device's own request completion carries the error back.",
};

export default seed000loop;
