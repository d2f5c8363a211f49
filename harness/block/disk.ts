// A disk's contents, sparse: 4 KiB blocks that were never written read as
// zeros. Blocks are replaced, never changed in place, so a snapshot is a
// copy of the map (copy-on-write).
import { closeSync, openSync, readSync, fstatSync } from "node:fs";

export const BLOCK = 4096;
const ZERO = new Uint8Array(BLOCK);

export class SparseDisk {
  private blocks = new Map<number, Uint8Array>();
  constructor(
    readonly name: string,
    readonly bytes: number,
  ) {
    if (bytes % 512) throw new Error(`disk ${name}: size ${bytes} is not a multiple of 512`);
  }

  get sectors(): number {
    return this.bytes / 512;
  }

  /** Loads an image file (e.g. made by mkfs), keeping only blocks that are not all zero. */
  static fromImage(name: string, path: string): SparseDisk {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      const d = new SparseDisk(name, size);
      const buf = new Uint8Array(BLOCK);
      for (let off = 0; off < size; off += BLOCK) {
        const n = readSync(fd, buf, 0, BLOCK, off);
        if (buf.subarray(0, n).some((b) => b !== 0)) {
          const blk = new Uint8Array(BLOCK);
          blk.set(buf.subarray(0, n));
          d.blocks.set(off / BLOCK, blk);
        }
      }
      return d;
    } finally {
      closeSync(fd);
    }
  }

  read(offset: number, into: Uint8Array): void {
    this.check(offset, into.length);
    let done = 0;
    while (done < into.length) {
      const pos = offset + done;
      const b = Math.floor(pos / BLOCK);
      const inBlk = pos % BLOCK;
      const n = Math.min(BLOCK - inBlk, into.length - done);
      into.set((this.blocks.get(b) ?? ZERO).subarray(inBlk, inBlk + n), done);
      done += n;
    }
  }

  write(offset: number, from: Uint8Array): void {
    this.check(offset, from.length);
    let done = 0;
    while (done < from.length) {
      const pos = offset + done;
      const b = Math.floor(pos / BLOCK);
      const inBlk = pos % BLOCK;
      const n = Math.min(BLOCK - inBlk, from.length - done);
      const blk = new Uint8Array(BLOCK);
      const old = this.blocks.get(b);
      if (old) blk.set(old);
      blk.set(from.subarray(done, done + n), inBlk);
      this.blocks.set(b, blk);
      done += n;
    }
  }

  /** The whole disk as one buffer (for host-side checks such as fsck). */
  image(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    for (const [b, blk] of this.blocks) out.set(blk.subarray(0, Math.min(BLOCK, this.bytes - b * BLOCK)), b * BLOCK);
    return out;
  }

  private check(offset: number, len: number): void {
    if (offset < 0 || offset + len > this.bytes) throw new Error(`disk ${this.name}: access ${offset}+${len} beyond ${this.bytes} bytes`);
  }

  save(): Map<number, Uint8Array> {
    return new Map(this.blocks);
  }
  load(s: Map<number, Uint8Array>): void {
    this.blocks = new Map(s);
  }
}
