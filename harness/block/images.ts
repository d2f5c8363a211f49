// Filesystem images made by the real Debian mkfs tools (e2fsprogs,
// btrfs-progs, dosfstools), with fixed UUIDs, seeds and times so the same
// tools give the same bytes; made once and cached under .cache/images.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, closeSync, openSync, ftruncateSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { cacheDir } from "../paths.ts";
import { SparseDisk } from "./disk.ts";

export const FS_KINDS = ["ext4", "ext4-noextents", "ext3", "btrfs", "vfat", "ext4-inline"] as const;
export type FsKind = (typeof FS_KINDS)[number];

const UUID = "d105c09e-0000-4000-8000-000000000001";
/** 2026-01-01T00:00:00Z: the time the tools write into the image. */
const FAKE_TIME = "1767225600";

interface Recipe {
  tool: string;
  args: (img: string) => string[];
  minMiB: number;
  version: () => string;
  /** The Debian package that has the tool (./build.sh installs it). */
  package: string;
}

/** PATH for the mkfs tools: root's sbin directories are not always on it. */
const TOOL_PATH = `${process.env.PATH}:/usr/sbin:/sbin`;

/** mke2fs prints its version on stderr. */
const e2fsVersion = () => {
  const r = spawnSync("mke2fs", ["-V"], { encoding: "utf8", env: { ...process.env, PATH: TOOL_PATH } });
  if (r.error) throw r.error;
  return `${r.stdout}${r.stderr}`.split("\n")[0]!.trim();
};
const e2fs = (fsType: string, features: string, inodeBytes?: number) => (img: string) => [
  "-q", "-F", "-t", fsType, "-b", "4096", "-U", UUID, "-E", `hash_seed=${UUID},lazy_itable_init=0,lazy_journal_init=0`,
  ...(inodeBytes ? ["-I", String(inodeBytes)] : []), ...(features ? ["-O", features] : []), img,
];
/** Inode size of the inline-data image: room in the inode for a file of up to ~900 bytes (a 256-byte inode holds ~120). */
const INLINE_INODE_BYTES = 1024;

const RECIPES: Record<FsKind, Recipe> = {
  ext4: { tool: "mke2fs", args: e2fs("ext4", ""), minMiB: 8, version: e2fsVersion, package: "e2fsprogs" },
  // ext3-style inodes: block maps instead of extents (DIO over holes falls back to buffered I/O).
  "ext4-noextents": { tool: "mke2fs", args: e2fs("ext4", "^extent,^64bit,^flex_bg"), minMiB: 8, version: e2fsVersion, package: "e2fsprogs" },
  ext3: { tool: "mke2fs", args: e2fs("ext3", ""), minMiB: 8, version: e2fsVersion, package: "e2fsprogs" },
  // Small files live inside the inode (inline_data): direct I/O to them falls back to buffered, and a write past the inode converts them.
  "ext4-inline": { tool: "mke2fs", args: e2fs("ext4", "inline_data", INLINE_INODE_BYTES), minMiB: 8, version: e2fsVersion, package: "e2fsprogs" },
  btrfs: {
    tool: "mkfs.btrfs",
    args: (img) => ["-q", "-f", "-U", UUID, "--sectorsize", "4096", "--nodesize", "16384", img],
    minMiB: 128,
    version: () => execFileSync("mkfs.btrfs", ["--version"], { encoding: "utf8" }).trim(),
    package: "btrfs-progs",
  },
  vfat: {
    tool: "mkfs.vfat",
    args: (img) => ["--invariant", "-i", "d105c09e", "-n", "DIOSCOPE", "-S", "512", "-s", "8", img],
    minMiB: 8,
    version: () => execFileSync("dpkg-query", ["-W", "-f=${Version}", "dosfstools"], { encoding: "utf8" }).trim(),
    package: "dosfstools",
  },
};

const installHint = (r: Recipe) => `is ${r.package} installed? ./build.sh installs it`;

/** Each kind's cache key, made once per process (every boot makes disks). */
const keys = new Map<FsKind, string>();

/** The cache key of `kind`'s images: its tool's version and a hash of its recipe's arguments (a changed recipe makes a new image). */
function imageKey(kind: FsKind): string {
  const known = keys.get(kind);
  if (known) return known;
  const r = RECIPES[kind];
  let version: string;
  try {
    version = r.version().replace(/[^A-Za-z0-9.+-]+/g, "_").slice(0, 60);
  } catch (e) {
    throw new Error(`${r.tool} could not run (${installHint(r)}): ${(e as Error).message}`);
  }
  if (!version) throw new Error(`${r.tool} printed no version: the image cache is keyed by it`);
  const recipe = createHash("sha256").update(JSON.stringify([r.tool, r.args("IMG")])).digest("hex").slice(0, 12);
  const key = `${version}-${recipe}`;
  keys.set(kind, key);
  return key;
}

/** Path of a cached empty filesystem image of `kind` and `sizeMiB`, made on first use. */
export function imagePath(kind: FsKind, sizeMiB: number): string {
  const r = RECIPES[kind];
  if (sizeMiB < r.minMiB) throw new Error(`${kind} images need at least ${r.minMiB} MiB`);
  const dir = join(cacheDir(), "images");
  const out = join(dir, `${kind}-${sizeMiB}M-${imageKey(kind)}.img`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  // Unique per thread: both sides of a case (pair.ts: a worker thread in the same process) may make the same image at once.
  const tmp = `${out}.tmp-${process.pid}-${threadId}`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, "w");
  ftruncateSync(fd, sizeMiB * 1024 * 1024);
  closeSync(fd);
  try {
    execFileSync(r.tool, r.args(tmp), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, E2FSPROGS_FAKE_TIME: FAKE_TIME, SOURCE_DATE_EPOCH: FAKE_TIME, PATH: TOOL_PATH },
    });
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`${r.tool} failed (${installHint(r)}): ${err.stderr?.toString() ?? err.message}`);
  }
  renameSync(tmp, out);
  return out;
}

/** Images already read in this process, by path (disks copy them: blocks are copy-on-write). */
const loaded = new Map<string, SparseDisk>();

/** A disk with no filesystem: every sector reads zero (the raw block device as a workload's target). */
export const BLANK = "blank";
/** What a disk holds: an empty filesystem of a kind, or nothing. */
export type DiskKind = FsKind | typeof BLANK;

/** A fresh blank disk of `bytes` (a multiple of 512). */
export function blankDisk(name: string, bytes: number): SparseDisk {
  if (!(Number.isInteger(bytes) && bytes > 0 && bytes % 512 === 0)) throw new Error(`blank disk ${name}: ${bytes} bytes is not a positive multiple of 512`);
  return new SparseDisk(name, bytes);
}

/** A fresh disk of `kind`: an empty filesystem, or blank (`bytes`, else `sizeMiB`). */
export function diskOf(name: string, d: { kind: DiskKind; sizeMiB?: number; bytes?: number }): SparseDisk {
  if (d.kind === BLANK) return blankDisk(name, d.bytes ?? (d.sizeMiB ?? 16) * 1024 * 1024);
  if (d.bytes !== undefined) throw new Error(`disk ${name}: a size in bytes is for blank disks (${d.kind} takes sizeMiB)`);
  return makeDisk(name, d.kind, d.sizeMiB);
}

/** A fresh disk holding an empty filesystem of `kind`. */
export function makeDisk(name: string, kind: FsKind, sizeMiB = Math.max(RECIPES[kind].minMiB, 16)): SparseDisk {
  const path = imagePath(kind, sizeMiB);
  let image = loaded.get(path);
  if (!image) loaded.set(path, (image = SparseDisk.fromImage(path, path)));
  return image.copy(name);
}
