// Every filesystem the scenarios use, on the real kernel: mount an image
// made by the Debian mkfs tool, O_DIRECT and buffered round trips, clean
// unmount, then the host's own checker on the image.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootKernel } from "../harness/boot/boot.ts";
import { makeDisk, type FsKind } from "../harness/block/images.ts";
import { builtKernels } from "./support/built.ts";

const O_RDWR = 0o2, O_CREAT = 0o100, O_DIRECT = 0o40000;
const PATH = `${process.env.PATH}:/usr/sbin:/sbin`;

/** A host checker on the image; a non-zero exit (errors found) throws. */
const checker = (cmd: string, ...args: string[]) => (img: string) => void execFileSync(cmd, [...args, img], { stdio: "pipe", env: { ...process.env, PATH } });

const FILESYSTEMS: { kind: FsKind; type: string; check: (img: string) => void }[] = [
  { kind: "ext4", type: "ext4", check: checker("e2fsck", "-fn") },
  { kind: "ext4-noextents", type: "ext4", check: checker("e2fsck", "-fn") },
  { kind: "ext3", type: "ext4", check: checker("e2fsck", "-fn") },
  { kind: "btrfs", type: "btrfs", check: checker("btrfs", "check", "--readonly") },
  { kind: "vfat", type: "vfat", check: checker("fsck.vfat", "-n") },
];

function pattern(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 13 + seed * 101 + (i >> 12)) & 0xff;
  return b;
}

for (const k of builtKernels()) {
  describe(`filesystems on kernel ${k.tree}`, function () {
    this.timeout(300_000);
    for (const fs of FILESYSTEMS) {
      it(`${fs.kind}: mounts, O_DIRECT and buffered writes read back, clean unmount, host checker finds no errors`, () => {
        const b = bootKernel(k.wasmPath, { cpus: 2, disks: [makeDisk("wda", fs.kind)] });
        const a = b.agent;
        a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
        a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: fs.type });
        const len = 16384;
        const buf = a.alloc(0, len);
        for (const [name, flags, seed] of [["direct", O_DIRECT, 1], ["buffered", 0, 2]] as const) {
          const fd = a.ok(0, { op: "OPEN", path: `/mnt/${name}`, flags: O_RDWR | O_CREAT | flags, mode: 0o644 });
          const data = pattern(len, seed);
          a.writeMemory(buf, data);
          assert.equal(a.call(0, { op: "WRITE", fd, buf, len, off: 0 }), len, `${name} write`);
          assert.equal(a.call(0, { op: "FSYNC", fd }), 0);
          assert.equal(a.call(0, { op: "DROP_CACHE", fd }), 0);
          a.writeMemory(buf, new Uint8Array(len));
          assert.equal(a.call(0, { op: "READ", fd, buf, len, off: 0 }), len, `${name} read`);
          assert.deepEqual(a.readMemory(buf, len), data, `${name} data`);
          a.ok(0, { op: "CLOSE", fd });
        }
        assert.equal(a.call(0, { op: "UMOUNT", path: "/mnt" }), 0, "clean unmount");
        assert.equal(b.machine.console.grep(/WARNING:|BUG:|Oops|EXT4-fs error|BTRFS error|FAT-fs \(.*\): error|I\/O error/).length, 0, b.machine.console.text((t) => b.machine.clock.stamp(t)));
        const dir = mkdtempSync(join(tmpdir(), "dioscope-fsck-"));
        try {
          const img = join(dir, "disk.img");
          writeFileSync(img, b.block.disks[0]!.image());
          fs.check(img);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
