// Seed 002 unguided: the file, user task, ring and buffer of the scripted
// scenario (002-btrfs-uring-nowait-short-read.ts), without holding the
// first extent's bio: every bio completes by an interrupt on the CPU that
// submitted it, due at once, and when it is taken is the scheduler's
// choice. What was found (6.12): before the fix every schedule tried fails
// — the natural one, 300 PCT and 300 random-walk schedules: the first
// extent's completion never comes before the submitter has dropped its dio
// reference, so the short dio is always posted as res 4096 with a zero
// tail; after the fix none of 1000 PCT schedules fails. The race of the
// mail needs no exploration in this machine; the scenario shows that the
// verdict does not depend on the completion's timing.
// The trees are the scripted scenario's (without the later NOWAIT read
// guard, before and after the seed).
import { PAGE_SIZE, type IoUring, type UserBuffer, type UserTask } from "../../user/index.ts";
import { expect, type Scenario } from "../types.ts";
import { seed002 } from "./002-btrfs-uring-nowait-short-read.ts";

interface State {
  u: UserTask;
  fd: number;
  ring: IoUring;
  buf: UserBuffer;
}

const A = 0xab, C = 0xcd;

export const seed002Unguided: Scenario<State> = {
  name: "002-btrfs-uring-short-read-unguided",
  title: "btrfs: io_uring O_DIRECT READV over two extents, second buffer page not resident, unguided (completions due at once)",
  seed: "002",
  trees: seed002.trees,
  notApplicable: seed002.notApplicable,
  disks: seed002.disks,
  cpus: seed002.cpus,
  // Small RAM: restoring the snapshot per schedule copies it (16 MiB is enough for this btrfs).
  memoryMiB: 16,
  setup: (s) => seed002.setup(s) as State,
  run(s, { u, fd, ring, buf }) {
    s.block.setRules([]);
    s.block.completion = { when: "irq", delayNs: 0 };
    ring.prepRw("READV", fd, [{ addr: buf.addr, len: 2 * PAGE_SIZE }], 0, { userData: 2 });
    s.observe("submitted", ring.submit(0));
    ring.wait(1);
    const cqes = ring.reap();
    s.observe("cqes", cqes.length);
    s.observe("res", cqes[0]?.res ?? null);
    const got = u.readUser(buf.addr, 2 * PAGE_SIZE);
    const page = (p: number) => got.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
    const describe = (b: Uint8Array, want: number) => (b.every((x) => x === want) ? "right" : b.every((x) => x === 0) ? "zero" : "wrong");
    s.observe("page0", describe(page(0), A));
    s.observe("page1", describe(page(1), C));
  },
  expectations: [
    expect.value("submitted", 1, "io_uring_enter submits the READV"),
    expect.value("cqes", 1, "one CQE"),
    expect.value("res", 2 * PAGE_SIZE, "the CQE reports 8192 bytes"),
    { name: "the buffer holds both extents", check: (o) => (o.values.page0 === "right" && o.values.page1 === "right" ? null : `page 0 ${o.values.page0}, page 1 ${o.values.page1}`) },
    expect.noHang(),
  ],
  notes: `Unguided: no held bio; the interleaving is the scheduler's. ${seed002.notes ?? ""}`,
};
