// A disk's contents, sparse: 4 KiB blocks that were never written read as
// zeros. Blocks are replaced, never changed in place: a snapshot freezes the
// block map (later writes go to a map of changed blocks on top of it), and a
// restore drops the changes, so neither copies block data.
import { closeSync, openSync, readSync, fstatSync } from "node:fs";

export const BLOCK = 4096;
/** The unit of a bio's sector numbers and of a disk's size. */
export const SECTOR_BYTES = 512;
const ZERO = new Uint8Array(BLOCK);

export class SparseDisk {
  /** The frozen map of the last snapshot (shared with it) and the blocks written since. */
  private base: ReadonlyMap<number, Uint8Array> = new Map();
  private changed = new Map<number, Uint8Array>();
  constructor(
    readonly name: string,
    readonly bytes: number,
  ) {
    if (bytes % SECTOR_BYTES) throw new Error(`disk ${name}: size ${bytes} is not a multiple of ${SECTOR_BYTES}`);
  }

  get sectors(): number {
    return this.bytes / SECTOR_BYTES;
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
          d.changed.set(off / BLOCK, blk);
        }
      }
      return d;
    } finally {
      closeSync(fd);
    }
  }

  private block(b: number): Uint8Array | undefined {
    return this.changed.get(b) ?? this.base.get(b);
  }

  /** Walks [offset, offset+len) block by block: f(block index, offset in it, bytes, bytes done so far). */
  private spans(offset: number, len: number, f: (b: number, inBlk: number, n: number, done: number) => void): void {
    this.check(offset, len);
    for (let done = 0; done < len; ) {
      const pos = offset + done;
      const inBlk = pos % BLOCK;
      const n = Math.min(BLOCK - inBlk, len - done);
      f(Math.floor(pos / BLOCK), inBlk, n, done);
      done += n;
    }
  }

  read(offset: number, into: Uint8Array): void {
    this.spans(offset, into.length, (b, inBlk, n, done) => into.set((this.block(b) ?? ZERO).subarray(inBlk, inBlk + n), done));
  }

  write(offset: number, from: Uint8Array): void {
    this.spans(offset, from.length, (b, inBlk, n, done) => {
      // A whole block replaces the old one: a copy of the new bytes, nothing to merge.
      if (n === BLOCK) {
        this.changed.set(b, from.slice(done, done + BLOCK));
        return;
      }
      const blk = new Uint8Array(BLOCK);
      const old = this.block(b);
      if (old) blk.set(old);
      blk.set(from.subarray(done, done + n), inBlk);
      this.changed.set(b, blk);
    });
  }

  /** Another disk with the same contents (blocks are shared: they are never changed in place). */
  copy(name: string): SparseDisk {
    const d = new SparseDisk(name, this.bytes);
    d.base = this.save();
    return d;
  }

  /** The whole disk as one buffer (for host-side checks such as fsck). */
  image(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    for (const [b, blk] of this.save()) out.set(blk.subarray(0, Math.min(BLOCK, this.bytes - b * BLOCK)), b * BLOCK);
    return out;
  }

  private check(offset: number, len: number): void {
    if (offset < 0 || offset + len > this.bytes) throw new Error(`disk ${this.name}: access ${offset}+${len} beyond ${this.bytes} bytes`);
  }

  /** The contents as a frozen map (blocks written since the last snapshot folded in). */
  save(): ReadonlyMap<number, Uint8Array> {
    if (this.changed.size) {
      this.base = new Map([...this.base, ...this.changed]);
      this.changed = new Map();
    }
    return this.base;
  }

  load(s: ReadonlyMap<number, Uint8Array>): void {
    this.base = s;
    if (this.changed.size) this.changed = new Map();
  }
}
