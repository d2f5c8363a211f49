// Seed 002's bundled scenario with the file laid out as the mail's program
// lays it out: the first extent written first, then the second, each synced.
// A fresh btrfs allocates the two side by side, and once the writes are done
// btrfs merges their extent maps in memory (try_merge_map), so the seed's
// check in btrfs_dio_iomap_begin (a NOWAIT range longer than its extent map)
// never fires: the short read happens with the fix too. The peer benchmark
// runs it with `dioscope check --scenario` beside the UML case of the same
// layout (not a bundled scenario: it does not tell the seed's sides apart).
import { IoUring, O, PAGE_SIZE, UserTask, type Scenario } from "../../../scenario/api.ts";
import { seed002, type State } from "../../../scenario/bundled/002-btrfs-uring-nowait-short-read.ts";

const A = 0xab, C = 0xcd;

export const mailLayout: Scenario<State> = {
  ...seed002,
  name: "002-btrfs-uring-mail-layout",
  title: "btrfs: io_uring O_DIRECT READV over two extents written in order (the mail's layout), second buffer page not resident",
  setup(s) {
    s.mount("/dev/wda", "/btr", "btrfs");
    const u = UserTask.spawn(s.agent, { name: "uring-reader" });
    const fd = u.open("/btr/f", O.RDWR | O.CREAT | O.DIRECT);
    const src = u.buffer(PAGE_SIZE);
    for (const [i, fill] of [A, C].entries()) {
      u.writeUser(src.addr, new Uint8Array(PAGE_SIZE).fill(fill));
      if (u.pwrite(fd, src.addr, PAGE_SIZE, i * PAGE_SIZE) !== PAGE_SIZE || u.fsync(fd) !== 0) throw new Error(`002 mail layout set-up: extent ${i}`);
    }
    const ring = IoUring.setup(u, 8);
    const buf = u.buffer(2 * PAGE_SIZE, { resident: [0] });
    return { u, fd, ring, buf };
  },
  notes: "The peer benchmark's counterpart of the mail's program (harness/bench/peer/guest/repro-002.c, PEER_LAYOUT=mail).",
};

export default mailLayout;
