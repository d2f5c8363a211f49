// The dirty-page map of an instrumented kernel (harness/build/dirty.ts): one
// byte per 4 KiB page of RAM, set by every kernel store and by the host's
// own writes (`mark`). Restoring the snapshot the map was last cleared at
// copies back only the marked pages.
import { DIRTY_MAP_GLOBAL, DIRTY_PAGE_SHIFT, DIRTY_SPILL_BYTES } from "../build/dirty.ts";

const PAGE_BYTES = 1 << DIRTY_PAGE_SHIFT;

/** Tests: after each page-wise restore, compare the whole RAM with the snapshot (env DIOSCOPE_CHECK_RESTORE=1). */
export const restoreCheck = { enabled: process.env.DIOSCOPE_CHECK_RESTORE === "1" };

export class DirtyMap {
  private readonly map: Uint8Array;
  private readonly words: Float64Array;

  /** `at`: where the map lives (host-reserved RAM, 8-byte aligned, `bytesFor(ram)` long). */
  constructor(
    private readonly memory: WebAssembly.Memory,
    global: WebAssembly.Global,
    readonly at: number,
  ) {
    const pages = memory.buffer.byteLength >> DIRTY_PAGE_SHIFT;
    if (at % 8 !== 0) throw new Error(`dirty map at 0x${at.toString(16)} is not 8-byte aligned`);
    this.map = new Uint8Array(memory.buffer, at, pages);
    this.words = new Float64Array(memory.buffer, at, Math.ceil(pages / 8));
    global.value = at;
    this.map.fill(0);
  }

  /** The map's size for a RAM of `ramBytes` (whole 8-byte words). */
  static bytesFor(ramBytes: number): number {
    return Math.ceil((ramBytes >> DIRTY_PAGE_SHIFT) / 8) * 8;
  }

  /** The map of a kernel built with the instrumentation, if it was. */
  static globalOf(exports: Record<string, WebAssembly.ExportValue>): WebAssembly.Global | undefined {
    const g = exports[DIRTY_MAP_GLOBAL];
    return g instanceof WebAssembly.Global ? g : undefined;
  }

  /** The host wrote [addr, addr + len). */
  mark(addr: number, len: number): void {
    if (len <= 0) return;
    const first = addr >>> DIRTY_PAGE_SHIFT;
    const last = (addr + len - 1) >>> DIRTY_PAGE_SHIFT;
    if (first === last) this.map[first] = 1;
    else this.map.fill(1, first, last + 1);
  }

  clear(): void {
    this.map.fill(0);
  }

  /**
   * Copies every marked page (and the spill after it) back from `saved`, a
   * full RAM image the map was cleared at, then clears the map. The map's
   * own bytes are never copied. Returns the number of pages copied.
   */
  restore(saved: Uint8Array): number {
    const ram = new Uint8Array(this.memory.buffer);
    const mapStart = this.at >>> DIRTY_PAGE_SHIFT;
    const mapEnd = (this.at + this.map.length - 1) >>> DIRTY_PAGE_SHIFT;
    let copied = 0;
    let runStart = -1;
    const flush = (endPage: number): void => {
      const from = runStart * PAGE_BYTES;
      const to = Math.min(endPage * PAGE_BYTES + DIRTY_SPILL_BYTES, ram.length);
      ram.set(saved.subarray(from, to), from);
      runStart = -1;
    };
    for (let w = 0; w < this.words.length; w++) {
      if (this.words[w] === 0 && runStart < 0) continue;
      for (let p = w * 8; p < w * 8 + 8 && p < this.map.length; p++) {
        const dirty = this.map[p] !== 0 && (p < mapStart || p > mapEnd);
        if (dirty) {
          copied++;
          if (runStart < 0) runStart = p;
        } else if (runStart >= 0) flush(p);
      }
    }
    if (runStart >= 0) flush(this.map.length);
    this.map.fill(0);
    return copied;
  }

  /** Asserts the RAM equals `saved` outside the map's own pages (restoreCheck: a host write without `mark` shows up here). */
  assertRestored(saved: Uint8Array): void {
    const ram = new Uint8Array(this.memory.buffer);
    const skipFrom = this.at, skipTo = this.at + DirtyMap.bytesFor(ram.length);
    for (let p = 0; p < ram.length; p += PAGE_BYTES) {
      const end = Math.min(p + PAGE_BYTES, ram.length);
      if (end > skipFrom && p < skipTo) continue;
      if (Buffer.compare(ram.subarray(p, end), saved.subarray(p, end)) !== 0)
        throw new Error(`snapshot restore missed a write to page 0x${p.toString(16)} (a host write without markDirty?)`);
    }
  }
}
