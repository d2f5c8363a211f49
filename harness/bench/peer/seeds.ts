// What the peer benchmark runs per seed: the mail, the test disk and the
// reproducer inside UML, and the tree before and after the fix exactly as
// dioscope's check makes them (harness/variants/units.ts: the mail located
// on the tree, what the scenarios that reproduce it declare beyond the
// patch applied to both sides), so both tools answer the same question.
import { join } from "node:path";
import { ingest } from "../../ingest/index.ts";
import { repoRoot } from "../../paths.ts";
import { bundledScenarios } from "../../scenario/load.ts";
import type { PristineTree } from "../../tree/source.ts";
import type { OverlayFiles } from "../../build/shadow.ts";
import { overlayFiles } from "../../variants/build.ts";
import { prerequisitesKey, prerequisitesOf, reproduces, unitsFor } from "../../variants/units.ts";
import type { DiskSpec, Reproducer } from "./guest.ts";

export interface PeerSeed {
  id: string;
  mail: string;
  what: string;
  disk: DiskSpec;
  repro: Reproducer;
}

const MKE2FS_NO_EXTENTS = ["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-O", "^extent,^flex_bg,^64bit"];

export const PEER_SEEDS: readonly PeerSeed[] = [
  {
    id: "001",
    mail: join(repoRoot, "patches", "001_60a185f54a9e7512.txt"),
    what: "ext4 without extents: async O_DIRECT write A in flight, O_DIRECT write B over [hole][A's block] falls back to buffered I/O; bug = stale page-cache warning / fsync -EIO",
    disk: { fs: "ext4", sizeMiB: 64, mkfs: MKE2FS_NO_EXTENTS },
    repro: "repro-001",
  },
  {
    id: "002",
    mail: join(repoRoot, "patches", "002_af39239f68c27663.txt"),
    what: "btrfs: the mail's liburing program (NOWAIT O_DIRECT readv of two extents, buffer page 2 not faulted in); bug = short read",
    disk: { fs: "btrfs", sizeMiB: 256, mkfs: ["mkfs.btrfs", "-q", "-f"] },
    repro: "repro-002",
  },
];

export interface Sides {
  /** Tree path -> file, per side (empty: the pristine tree). */
  before: OverlayFiles;
  after: OverlayFiles;
  /** The scenarios whose declarations made the sides, and what they declared. */
  scenarios: string[];
  declarations: string[];
}

/** The tree before and after `seed`'s mail on `tree`, as `dioscope check` makes them. */
export async function sidesOf(seed: PeerSeed, tree: PristineTree): Promise<Sides> {
  const series = ingest([seed.mail]);
  const scenarios = (await bundledScenarios()).filter((s) => series.some((p) => reproduces(s, p)));
  if (!scenarios.length) throw new Error(`${seed.mail}: no bundled scenario reproduces it`);
  const pres = scenarios.map((s) => prerequisitesOf(s, tree.name, series));
  const keys = new Set(pres.map(prerequisitesKey));
  if (keys.size !== 1) throw new Error(`${seed.mail}: the scenarios reproducing it declare different prerequisites on ${tree.name}; the peer bench needs one before/after pair`);
  const [unit] = unitsFor(series, tree, pres[0]!);
  if (!unit) throw new Error(`${seed.mail}: no patch in it`);
  if (unit.blocked) throw new Error(`${seed.mail} on ${tree.name}: ${unit.blocked}`);
  const files = (ov: typeof unit.before): OverlayFiles => (ov && ov.files.size ? overlayFiles(tree, ov) : new Map());
  return {
    before: files(unit.before),
    after: files(unit.after),
    scenarios: scenarios.map((s) => s.name),
    declarations: unit.declarations.map((d) => `${d.kind} ${d.patch}: ${d.why}`),
  };
}
