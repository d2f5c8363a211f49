// What the simulated bio layer does with each bio, as data: fault rules
// and completion timing. A rule matches bios by disk, operation, sector
// range, flags, global bio index, or "the Nth matching bio"; the first rule
// that matches decides.
import { SECTOR_BYTES } from "./disk.ts";

export type BioOp = "read" | "write" | "flush" | "discard" | "write-zeroes" | "other";

/** blk_status_t values (the same numbers in 6.1 and 6.12 for these). */
export const BLK_STS = { OK: 0, NOTSUPP: 1, TIMEOUT: 2, NOSPC: 3, RESOURCE: 9, IOERR: 10, AGAIN: 12 } as const;
export type BlkStatusName = keyof typeof BLK_STS;

/** When a bio completes: inside submit_bio, later as an interrupt, or when the scenario releases it. */
export type Completion =
  | { when: "now" }
  | { when: "irq"; delayNs?: number; cpu?: number }
  | { when: "hold" };

export interface BioMatch {
  disk?: number;
  op?: BioOp;
  /** Matches bios that touch any sector in [from, to). */
  sectors?: { from: number; to: number };
  /** Matches bios with REQ_NOWAIT. */
  nowait?: boolean;
  /** The global index of the bio (0-based, in submission order since the run started). */
  index?: number;
  /** Only the Nth (1-based) bio among those matching the other fields. */
  nth?: number;
}

export interface FaultRule extends BioMatch {
  status?: BlkStatusName;
  completion?: Completion;
  /** Free text for reports ("the write fails after submit returned"). */
  why?: string;
}

export interface BioView {
  index: number;
  disk: number;
  op: BioOp;
  sector: number;
  bytes: number;
  nowait: boolean;
}

export function matches(m: BioMatch, b: BioView): boolean {
  if (m.disk !== undefined && m.disk !== b.disk) return false;
  if (m.op !== undefined && m.op !== b.op) return false;
  if (m.nowait !== undefined && m.nowait !== b.nowait) return false;
  if (m.index !== undefined && m.index !== b.index) return false;
  if (m.sectors) {
    const end = b.sector + Math.max(1, Math.ceil(b.bytes / SECTOR_BYTES));
    if (end <= m.sectors.from || b.sector >= m.sectors.to) return false;
  }
  return true;
}
