// Seed 000 as the mail tells it: an application's asynchronous O_DIRECT
// write fails on the device and the application waits in io_getevents()
// for its completion. A user process opens a synced vfat file (fs/direct-io.c)
// O_DIRECT, io_setup(), io_submit() of one 4 KiB write inside i_size whose
// bio the disk fails with BLK_STS_IOERR after io_submit has returned, then
// io_getevents(min 1, no timeout). Fixed: exactly one event, res = -EIO.
// With the 2006 bug (the declared regression patch) the event never
// arrives: the run is a hang, reported with where the task sleeps.
import { AioContext, blocks, expect, O, PAGE_SIZE, type Scenario, type UserTask } from "../api.ts";
import { SEED000, seed000 } from "./000-vfat-aio-write-error.ts";

interface State {
  u: UserTask;
  fd: number;
  ctx: AioContext;
  buf: number;
}

/** After the first event: a short io_getevents that must find no second one. */
const SECOND_EVENT_WAIT_NS = 10_000_000;

export const seed000Aio: Scenario<State> = {
  name: "000-vfat-aio-getevents",
  title: "vfat (fs/direct-io.c): io_submit of an O_DIRECT write whose bio fails after submit; io_getevents must return its -EIO event",
  exercises: [...seed000.exercises, "fs/aio.c"],
  ...SEED000,
  setup(s) {
    s.mount("/dev/wda", "/mnt", "vfat");
    s.createFile("/mnt/f", blocks(1, 2, 3, 4), { dropCache: true });
    const u = s.userTask("aio-app", 1);
    const fd = u.open("/mnt/f", O.RDWR | O.DIRECT);
    const buf = u.buffer(PAGE_SIZE);
    u.writeUser(buf.addr, blocks(0xee));
    return { u, fd, ctx: AioContext.setup(u, 8), buf: buf.addr };
  },
  run(s, { u, fd, ctx, buf }) {
    s.block.setRules([{ op: "write", nth: 1, status: "IOERR", completion: { when: "irq", delayNs: 100_000, cpu: 0 }, why: "the disk fails the write after io_submit returned" }]);
    const sub = ctx.submit([{ opcode: "PWRITE", fd, buf, nbytes: PAGE_SIZE, offset: PAGE_SIZE, data: 0xd10 }]);
    s.observe("io_submit", sub.submitted);
    const pending = ctx.startGetEvents(1, 1, null);
    s.runUntil(() => pending.rec.returned !== null, `io_getevents of ${u.name}[${u.pid}]`);
    const events = pending.events();
    s.observe("io_getevents", events.length);
    s.observe("event.res", events[0]?.res ?? null);
    s.observe("event.is-the-write", events[0]?.obj === sub.addrs[0] && events[0]?.data === 0xd10n ? 1 : 0);
    s.observe("failed-bios", s.block.log.filter((b) => b.status !== 0).length);
    s.block.setRules([]);
    s.observe("second io_getevents", ctx.getEvents(0, 4, SECOND_EVENT_WAIT_NS).length);
  },
  expectations: [
    expect.value("io_submit", 1, "io_submit queues the write"),
    expect.value("failed-bios", 1, "the disk failed exactly one bio"),
    expect.value("io_getevents", 1, "io_getevents returns the write's event"),
    expect.value("event.is-the-write", 1, "the event is the write's (obj and data)"),
    expect.value("event.res", -5, "the event's res is -EIO"),
    expect.value("second io_getevents", 0, "no second event for the same iocb"),
    expect.noHang(),
  ],
  notes: "The application's view of 000: io_setup/io_submit/io_getevents from a user process; the in-kernel kiocb and loop-device scenarios are the same bug seen by in-kernel users.",
};

export default seed000Aio;
