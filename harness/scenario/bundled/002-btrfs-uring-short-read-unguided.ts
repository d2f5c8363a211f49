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
import { expect, PAGE_SIZE, type Scenario } from "../api.ts";
import { observeRead, seed002, type State } from "./002-btrfs-uring-nowait-short-read.ts";

export const seed002Unguided: Scenario<State> = {
  name: "002-btrfs-uring-short-read-unguided",
  title: "btrfs: io_uring O_DIRECT READV over two extents, second buffer page not resident, unguided (completions due at once)",
  mode: "unguided",
  notApplicable: {
    "7.3": seed002.notApplicable!["7.3"]!,
  },
  exercises: seed002.exercises,
  reproduces: seed002.reproduces,
  alsoApply: seed002.alsoApply,
  disks: seed002.disks,
  cpus: seed002.cpus,
  // Small RAM: restoring the snapshot per schedule copies it (16 MiB is enough for this btrfs).
  memoryMiB: 16,
  setup: (s) => seed002.setup(s),
  run(s, st) {
    s.block.setRules([]);
    s.block.completion = { when: "irq", delayNs: 0 };
    st.ring.prepRw("READV", st.fd, [{ addr: st.buf.addr, len: 2 * PAGE_SIZE }], 0, { userData: 2 });
    s.observe("submitted", st.ring.submit(0));
    observeRead(s, st);
  },
  oracles: seed002.oracles,
  expectations: [...seed002.expectations, expect.value("cqes", 1, "one CQE")],
  notes: `Unguided: no held bio; the interleaving is the scheduler's. ${seed002.notes ?? ""}`,
};

export default seed002Unguided;
