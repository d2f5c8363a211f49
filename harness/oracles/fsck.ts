// The host's own filesystem checkers, read-only, on an image after unmount:
// e2fsck -fn, btrfs check --readonly, fsck.vfat -n. A non-zero exit is a
// finding of the fsck oracle (with the checker's output as evidence).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PATH = `${process.env.PATH}:/usr/sbin:/sbin`;

/** Checker by filesystem type (the mount's type string). */
export const FSCK: Record<string, { cmd: string; args: string[] } | undefined> = {
  ext4: { cmd: "e2fsck", args: ["-fn"] },
  ext3: { cmd: "e2fsck", args: ["-fn"] },
  ext2: { cmd: "e2fsck", args: ["-fn"] },
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
    const r = spawnSync(c.cmd, [...c.args, img], { encoding: "utf8", env: { ...process.env, PATH }, timeout: 120_000 });
    const output = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.replaceAll(img, "<image>");
    return { tool: [c.cmd, ...c.args].join(" "), exitCode: r.status ?? -1, output: output.slice(0, OUTPUT_MAX_CHARS) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
