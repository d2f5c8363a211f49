// The simulated bio layer, host side of kernel-src/arch/wasm/drivers/block.c.
// Every bio the kernel submits arrives here; the fault rules and the
// completion policy decide its status and when it completes: inside
// submission, later as an interrupt on a chosen CPU, or when the scenario
// releases it. Data moves when the bio completes (reads fill the pages,
// writes reach the disk) and only if it succeeds.
import type { Device, ImportImpl, MachinePort } from "../machine/machine.ts";
import { wasmFrames } from "../machine/stack.ts";
import { SECTOR_BYTES, type SparseDisk } from "./disk.ts";
import { BLK_STS, matches, type BioOp, type BioView, type Completion, type FaultRule } from "./faults.ts";

const OPS: Record<number, BioOp> = { 0: "read", 1: "write", 2: "flush", 3: "discard", 9: "write-zeroes" };

/** Flag bits as drivers/block.c passes them. */
export const BIO_FLAGS = { NOWAIT: 1, FUA: 2, PREFLUSH: 4, SYNC: 8, META: 16 } as const;

export interface BioRecord extends BioView {
  flags: number;
  cpu: number;
  submitNs: number;
  status: number;
  completion: Completion["when"];
  completedNs: number | null;
  rule: string | null;
  /** A failed write bio submitted under do_writepages: page-cache writeback (of dirty pages, or a direct write's fallback to buffered I/O), not a direct I/O's own bio (false for every bio that succeeded). */
  writeback: boolean;
  /** A failed read bio submitted by the page cache's readahead (read_pages): a buffered read's, or a direct read's fallback to buffered I/O (btrfs), for pages the call may not need (false for every bio that succeeded). */
  readahead: boolean;
  /** The kernel functions on the bio's submission stack, innermost first (only while the device records them: `recordFrames`). */
  frames?: string[];
}

/** The kernel function every page-cache writeback goes through (fsync, a direct I/O's flush, the flusher thread). */
const WRITEBACK_ENTRY = "do_writepages";
/** The kernel function every readahead goes through to the filesystem's ->readahead (mm/readahead.c). */
const READAHEAD_ENTRY = "read_pages";

interface InFlight {
  rec: BioRecord;
  bio: number;
  segs: { addr: number; len: number }[];
}

export interface BlockDeviceOptions {
  /** Completion of bios no rule decides (default: an interrupt on the submitting CPU 100 µs later). */
  completion?: Completion;
  rules?: FaultRule[];
}

export class BlockDevice implements Device {
  rules: FaultRule[];
  completion: Completion;
  log: BioRecord[] = [];
  /** Record every bio's submission stack in its record (a stack walk per bio: for a run that asks where bios come from, not for exploration). */
  recordFrames = false;
  private ruleHits: number[] = [];
  private held = new Map<number, InFlight>();
  private port: MachinePort | null = null;

  constructor(
    readonly disks: SparseDisk[],
    o: BlockDeviceOptions = {},
  ) {
    this.rules = o.rules ?? [];
    this.completion = o.completion ?? { when: "irq", delayNs: 100_000 };
  }

  /** Replaces the fault rules (e.g. after the snapshot, per scenario run). */
  setRules(rules: FaultRule[]): void {
    this.rules = rules;
    this.ruleHits = [];
  }

  imports(port: MachinePort): Record<string, ImportImpl> {
    this.port = port;
    return {
      host_blk_info: (disk: number, sectorsPtr: number) => {
        const d = this.disks[disk];
        if (!d) return -1;
        new DataView(port.memory.buffer).setBigUint64(sectorsPtr, BigInt(d.sectors), true);
        port.markDirty(sectorsPtr, 8);
        return 0;
      },
      host_blk_submit: (disk: number, bio: number, op: number, flags: number, sector: bigint, segsPtr: number, nsegs: number) =>
        this.submit(disk, bio >>> 0, op, flags, Number(sector), segsPtr >>> 0, nsegs),
    };
  }

  private submit(disk: number, bio: number, op: number, flags: number, sector: number, segsPtr: number, nsegs: number): number {
    const port = this.port!;
    const dv = new DataView(port.memory.buffer);
    const segs: InFlight["segs"] = [];
    let bytes = 0;
    for (let i = 0; i < nsegs; i++) {
      const addr = dv.getUint32(segsPtr + 8 * i, true);
      const len = dv.getUint32(segsPtr + 8 * i + 4, true);
      segs.push({ addr, len });
      bytes += len;
    }
    const view: BioView = { index: this.log.length, disk, op: OPS[op] ?? "other", sector, bytes, nowait: (flags & BIO_FLAGS.NOWAIT) !== 0 };
    const rule = this.decide(view);
    const completion = rule?.completion ?? this.completion;
    const status = BLK_STS[rule?.status ?? "OK"];
    // The stack walk costs: only failed bios get it, the only ones the oracles ask about.
    const frames = status !== 0 || this.recordFrames ? wasmFrames(new Error()) : null;
    const failedFrames = status !== 0 ? frames : null;
    // Every field written out (not `...view`): adding properties after a spread is slow in V8, and this runs per bio.
    const rec: BioRecord = {
      index: view.index,
      disk,
      op: view.op,
      sector,
      bytes,
      nowait: view.nowait,
      flags,
      cpu: port.currentCpu(),
      submitNs: port.clock.now,
      status,
      completion: completion.when,
      completedNs: null,
      rule: rule ? (rule.why ?? JSON.stringify(rule)) : null,
      writeback: failedFrames !== null && view.op === "write" && failedFrames.includes(WRITEBACK_ENTRY),
      readahead: failedFrames !== null && view.op === "read" && failedFrames.includes(READAHEAD_ENTRY),
    };
    if (this.recordFrames) rec.frames = frames!;
    this.log.push(rec);
    const f: InFlight = { rec, bio, segs };
    if (completion.when === "now") {
      this.transfer(f);
      return rec.status;
    }
    if (completion.when === "hold") this.held.set(rec.index, f);
    else this.raise(f, completion.cpu ?? rec.cpu, port.clock.now + (completion.delayNs ?? 0));
    return -1;
  }

  private decide(view: BioView): FaultRule | null {
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i]!;
      if (!matches(r, view)) continue;
      const hits = (this.ruleHits[i] = (this.ruleHits[i] ?? 0) + 1);
      if (r.nth !== undefined && hits !== r.nth) continue;
      return r;
    }
    return null;
  }

  private raise(f: InFlight, cpu: number, due: number): void {
    const port = this.port!;
    const entry = port.exports.wasm_blk_interrupt as (bio: number, status: number) => void;
    port.raiseIrq(
      Math.min(cpu, port.cpuCount - 1),
      `blk#${f.rec.index}`,
      due,
      () => entry(f.bio, this.log[f.rec.index]!.status),
      () => this.transfer(f),
    );
  }

  /** Completes a bio's data movement (at its completion). */
  private transfer(f: InFlight): void {
    const port = this.port!;
    // The record in the current log (a snapshot restore replaces the log's objects).
    const rec = this.log[f.rec.index]!;
    rec.completedNs = port.clock.now;
    if (rec.status !== 0 || (rec.op !== "read" && rec.op !== "write")) return;
    const disk = this.disks[rec.disk]!;
    const mem = new Uint8Array(port.memory.buffer);
    let off = rec.sector * SECTOR_BYTES;
    for (const s of f.segs) {
      const bytes = mem.subarray(s.addr, s.addr + s.len);
      if (rec.op === "read") {
        disk.read(off, bytes);
        port.markDirty(s.addr, s.len);
      } else disk.write(off, bytes);
      off += s.len;
    }
  }

  /** Bios kept by a "hold" completion, in submission order. */
  heldBios(): BioRecord[] {
    return [...this.held.values()].map((f) => f.rec);
  }

  /** Lets a held bio complete: an interrupt on `cpu`, `delayNs` from now. */
  release(index: number, o: { cpu?: number; delayNs?: number } = {}): void {
    const f = this.held.get(index);
    if (!f) throw new Error(`bio #${index} is not held`);
    this.held.delete(index);
    this.raise(f, o.cpu ?? f.rec.cpu, this.port!.clock.now + (o.delayNs ?? 0));
  }

  save(): unknown {
    return {
      disks: this.disks.map((d) => d.save()),
      log: this.log.map((r) => ({ ...r })),
      ruleHits: [...this.ruleHits],
      held: [...this.held].map(([k, f]) => [k, { ...f, rec: { ...f.rec } }]),
      rules: this.rules,
      completion: this.completion,
    };
  }

  load(state: unknown): void {
    const s = state as ReturnType<BlockDevice["save"]> & {
      disks: ReadonlyMap<number, Uint8Array>[];
      log: BioRecord[];
      ruleHits: number[];
      held: [number, InFlight][];
      rules: FaultRule[];
      completion: Completion;
    };
    s.disks.forEach((m, i) => this.disks[i]!.load(m));
    this.log = s.log.map((r) => ({ ...r }));
    this.ruleHits = [...s.ruleHits];
    this.held = new Map(s.held.map(([k, f]) => [k, { ...f, rec: { ...f.rec } }]));
    this.rules = s.rules;
    this.completion = s.completion;
  }
}
