// What the peer benchmark runs per seed: the mail, the test disk and the
// reproducer inside UML, and the tree before and after the fix exactly as
// dioscope's check makes them (harness/variants/units.ts: the mail located
// on the tree, what the scenarios that reproduce it declare beyond the
// patch applied to both sides), so both tools answer the same question.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ingest } from "../../ingest/index.ts";
import { repoRoot } from "../../paths.ts";
import { bundledScenarios } from "../../scenario/load.ts";
import type { PristineTree } from "../../tree/source.ts";
import type { OverlayFiles } from "../../build/shadow.ts";
import { overlayFiles } from "../../variants/build.ts";
import { prerequisitesKey, prerequisitesOf, reproduces, unitsFor } from "../../variants/units.ts";
import type { DiskSpec, Reproducer } from "./guest.ts";

/** One way of running a seed's reproducer: guest parameters (PEER_* on the kernel command line, passed to the reproducer by init). */
export interface PeerCase {
  name: string;
  what: string;
  params: Record<string, string>;
  /** A scenario file that runs the same case in dioscope (`check --scenario`), when the bundled ones do not. */
  dioscopeScenario?: string;
}

export interface PeerSeed {
  id: string;
  mail: string;
  what: string;
  disk: DiskSpec;
  repro: Reproducer;
  /** Each case runs on both sides (one boot per side and case), at least one. */
  cases: PeerCase[];
}

const PEER_SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), "scenarios");
const AS_IS: PeerCase = { name: "as written", what: "the reproducer as written", params: {} };

const MKE2FS_NO_EXTENTS = ["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-O", "^extent,^flex_bg,^64bit"];

export const PEER_SEEDS: readonly PeerSeed[] = [
  {
    id: "001",
    mail: join(repoRoot, "patches", "001_60a185f54a9e7512.txt"),
    what: "ext4 without extents: async O_DIRECT write A in flight, O_DIRECT write B over [hole][A's block] falls back to buffered I/O; bug = stale page-cache warning / fsync -EIO",
    disk: { fs: "ext4", sizeMiB: 64, mkfs: MKE2FS_NO_EXTENTS },
    repro: "repro-001",
    cases: [AS_IS],
  },
  {
    id: "002",
    mail: join(repoRoot, "patches", "002_af39239f68c27663.txt"),
    what: "btrfs: the mail's liburing program (NOWAIT O_DIRECT readv of two extents, buffer page 2 not faulted in); bug = short read",
    disk: { fs: "btrfs", sizeMiB: 256, mkfs: ["mkfs.btrfs", "-q", "-f"] },
    repro: "repro-002",
    // The seed's check (`len < length` in btrfs_dio_iomap_begin) sees one
    // extent map when the two extents are physically contiguous: btrfs merges
    // their maps in memory once the writes are done (try_merge_map). The mail's
    // order of writes gives that layout on a fresh filesystem; dioscope's
    // scenario writes the second extent first.
    cases: [
      { name: "mail's layout", what: "the mail's program as written: extents written in order, physically contiguous, their extent maps merged in memory", params: { PEER_LAYOUT: "mail" }, dioscopeScenario: join(PEER_SCENARIOS, "002-mail-layout.ts") },
      { name: "extents apart", what: "the second extent written first (not contiguous), as dioscope's scenario lays the file out", params: { PEER_LAYOUT: "reverse" } },
      { name: "mail's, evicted", what: "the mail's writes, then the inode evicted (drop_caches): the same disk layout, no merged map in memory", params: { PEER_LAYOUT: "evict" } },
    ],
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
