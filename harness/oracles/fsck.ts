// The host's own filesystem checkers, read-only, on an image after unmount:
// e2fsck -fn, btrfs check --readonly, fsck.vfat -n. A non-zero exit is a
// finding of the fsck oracle (with the checker's output as evidence).
// An ext2/3/4 image first gets its journal replayed (on the checker's own
// copy), as the next mount would: after a failed metadata write the
// journal holds what the disk lost, and a read-only check that skips the
// replay reports the loss as bitmap and count differences.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PATH = `${process.env.PATH}:/usr/sbin:/sbin`;

/** Checker by filesystem type (the mount's type string). */
interface Checker {
  cmd: string;
  args: string[];
  /** Run first on the copy, output kept, exit status not judged: what the next mount would do (replay the journal). */
  replay?: string[];
}

const E2FSCK: Checker = { cmd: "e2fsck", args: ["-fn"], replay: ["-E", "journal_only", "-y"] };

export const FSCK: Record<string, Checker | undefined> = {
  ext4: E2FSCK,
  ext3: E2FSCK,
  ext2: E2FSCK,
  btrfs: { cmd: "btrfs", args: ["check", "--readonly"] },
  vfat: { cmd: "fsck.vfat", args: ["-n"] },
  msdos: { cmd: "fsck.vfat", args: ["-n"] },
};

/** The most checker output kept as evidence. */
const OUTPUT_MAX_CHARS = 4000;

/** Runs the checker for `fstype` on `image`; null when there is none for that type. */
export function fsckImage(fstype: string, image: Uint8Array): { tool: string; exitCode: number; output: string } | null {
  const c = FSCK[fstype];
  if (!c) return null;
  const dir = mkdtempSync(join(tmpdir(), "dioscope-fsck-"));
  try {
    const img = join(dir, "disk.img");
    writeFileSync(img, image);
    const run = (args: string[]) => spawnSync(c.cmd, [...args, img], { encoding: "utf8", env: { ...process.env, PATH }, timeout: 120_000 });
    const text = (r: ReturnType<typeof run>) => `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.replaceAll(img, "<image>");
    const replayed = c.replay ? text(run(c.replay)).trim() : "";
    const r = run(c.args);
    const output = (replayed ? `journal replay (${c.replay!.join(" ")}): ${replayed}\n` : "") + text(r);
    return { tool: [c.cmd, ...c.args].join(" "), exitCode: r.status ?? -1, output: output.slice(0, OUTPUT_MAX_CHARS) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
