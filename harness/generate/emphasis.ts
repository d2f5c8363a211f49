// What a change's words ask the generator to draw more often. A patch's
// subject, message and changed lines name the kernel interfaces it is
// about (IOCB_APPEND, fsync, sb_start_write, i_size, private_data, ...);
// each interface is reached by some user operations, and the workloads of
// a check favour those. The table maps kernel vocabulary to the operations
// that reach it, by what the interface is, not by any one bug: a word that
// names no operation here changes nothing. Emphasis scales the
// probabilities of draws the generator makes anyway, and for a file state
// one call makes but the per-operation draws rarely keep (inline data: a
// small buffered write at the start of a file without blocks; a direct
// write that falls back to buffered I/O: one from a hole the filesystem
// cannot allocate for), puts the file in that state and the call next to
// a direct write (transitions.ts). Either way the set of possible workloads
// is the same with or without it, the first six streams make the same
// number of random draws, and an empty emphasis gives exactly the
// generator's own workloads.
import type { Patch } from "../ingest/index.ts";

/** A kind of draw the generator can make more often. */
export type Feature =
  | "append" // direct writes through O_APPEND descriptors
  | "untouched" // write buffers never touched or mapped from the file itself
  | "truncate" // ftruncate operations
  | "fallocate" // fallocate operations, unwritten and holed files
  | "sync" // fsync / fdatasync, O_DSYNC descriptors, RWF_DSYNC
  | "nowait" // NOWAIT requests and AGAIN from the device
  | "freeze" // a filesystem freeze beside the writers
  | "thread" // tasks that are threads of the first (one struct file, two tasks)
  | "async" // AIO and io_uring submissions
  | "poll" // polled io_uring rings
  | "failnth" // kernel fault injection inside a call
  | "bio-error" // bios failing, now or by interrupt
  | "inline" // small files whose data fits in the inode (ext4's inline_data): small sizes, writes and truncates at the start, buffered writes
  | "fallback"; // direct writes that fall back to buffered I/O (-ENOTBLK): a direct write from a hole where the filesystem cannot allocate for it, beside direct I/O on the range

export const FEATURES: readonly Feature[] = ["append", "untouched", "truncate", "fallocate", "sync", "nowait", "freeze", "thread", "async", "poll", "failnth", "bio-error", "inline", "fallback"];

/** The features a change asks for, each with the words that asked (first few, in order of appearance). */
export type Emphasis = ReadonlyMap<Feature, readonly string[]>;

export const NO_EMPHASIS: Emphasis = new Map();

/** How much more often an emphasised draw happens: probabilities and operation weights are multiplied by this. */
export const EMPHASIS_FACTOR = 3;
/** No emphasised probability goes above this: the other outcomes stay possible. */
export const EMPHASIS_MAX_P = 0.8;

/**
 * Kernel vocabulary → the feature whose operations reach it. Matched
 * case-sensitively on identifiers and case-insensitively on English, each
 * as a whole word or identifier prefix where the pattern says so.
 */
const VOCABULARY: readonly (readonly [Feature, RegExp])[] = [
  ["append", /\b(?:IOCB_APPEND|O_APPEND|RWF_APPEND)\b|\bappend(?:s|ing|ed)?\b/gi],
  ["append", /\bi_size_(?:read|write)\b|\bi_disksize\b|\bisize\b|\bextend(?:s|ing|ed)?\b/gi],
  ["untouched", /\bEFAULT\b|\bpage faults?\b|\bfault_in\w*|\bIOCB_NOFAULT\b|\bFOLL_NOFAULT\b|\bpagefault_(?:disable|enable)\b|\bfaulted in\b|\bmmap(?:ped)?\b/gi],
  ["truncate", /\b\w*truncate\w*|\b\w*setattr\b|\bi_disksize\b/gi],
  ["fallocate", /\b\w*fallocate\b|\bpunch(?:_hole)?\b|\bPREALLOC\b|\bunwritten\b|\bzero[ _]range\b/gi],
  ["sync", /\b\w*fsync\b|\b\w*sync_file\b|\b(?:IOCB|O|RWF)_D?SYNC\b|\bgeneric_write_sync\b|\bdatasync\b|\bsync (?:direct )?(?:IO|I\/O|write)s?\b/gi],
  ["nowait", /\b(?:IOCB|REQ|RWF|IOMAP)_NOWAIT\b|\bnowait\b|\bEAGAIN\b|\bBLK_STS_AGAIN\b/gi],
  ["freeze", /\bfreez\w*|\bsb_start_write\w*|\bSB_FREEZE_\w+|\bkiocb_start_write\b|\bsb_writers\b|\bthaw\w*/gi],
  ["thread", /\bprivate_data\b|\bsame (?:fd|file descriptor|file)\b|\bf_pos\b|\bfdget\w*|\bCLONE_FILES\b/gi],
  ["async", /\bki_complete\b|\bEIOCBQUEUED\b|\bis_sync_kiocb\b|\bio_uring\b|\bio_submit\b|\baio\b|\basync(?:hronous)?\b/gi],
  ["poll", /\b(?:IOCB|REQ)_HIPRI\b|\biopoll\w*|\bbio_poll\b|\bIORING_SETUP_IOPOLL\b|\bpolled\b/gi],
  ["failnth", /\bENOMEM\b|\bk[mz]alloc\w*|\bkmem_cache_alloc\w*|\bleak(?:s|ed)?\b|\ballocation failure\b/gi],
  ["bio-error", /\bbi_status\b|\bBLK_STS_\w+|\bEIO\b|\bI\/O error\b|\bio error\b|\bbio error\b/gi],
  // Not the C keyword: data stored in the inode itself (ext4 inline_data, its MAY_INLINE_DATA state).
  ["inline", /\binline[ _]data\b|\b\w+_inline_data\w*|\bmay[ _]inline\b/gi],
  // iomap's -ENOTBLK: the filesystem cannot do this direct write, the caller writes through the page cache instead.
  ["fallback", /\bENOTBLK\b|\bfall(?:s|ing)?[\s-]*back\s+(?:to|on)\s+buffered\b|\bbuffered\s+(?:write\s+|IO\s+|I\/O\s+)?fall[\s-]*back\b/gi],
];

/** The words of a series the vocabulary reads: subjects, messages, hunk sections, added and removed lines (not context). */
export function seriesWords(series: readonly Patch[]): string {
  const parts: string[] = [];
  for (const p of series) {
    parts.push(p.subject, p.message);
    for (const f of p.files) for (const h of f.hunks) parts.push(h.section, ...h.lines.filter((l) => l.kind !== "ctx").map((l) => l.text));
  }
  return parts.join("\n");
}

/** How many words per feature an emphasis keeps as its evidence. */
const WORDS_SHOWN = 3;

/** The emphasis a text asks for (deterministic: the table's order, the words' order of appearance). */
export function emphasisOf(text: string): Emphasis {
  const out = new Map<Feature, string[]>();
  for (const [feature, re] of VOCABULARY) {
    for (const m of text.matchAll(re)) {
      const words = out.get(feature) ?? [];
      const word = m[0].replace(/\s+/g, " ");
      if (!words.includes(word) && words.length < WORDS_SHOWN) words.push(word);
      out.set(feature, words);
    }
  }
  return new Map(FEATURES.filter((f) => out.has(f)).map((f) => [f, out.get(f)!]));
}

/** `p`, raised when `f` is emphasised. */
export function boosted(e: Emphasis, f: Feature, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`a probability is in [0, 1], not ${p}`);
  return e.has(f) ? Math.max(p, Math.min(EMPHASIS_MAX_P, p * EMPHASIS_FACTOR)) : p;
}

/** A weight, multiplied when `f` is emphasised. */
export function weightFor(e: Emphasis, f: Feature, w: number): number {
  return e.has(f) ? w * EMPHASIS_FACTOR : w;
}

/** One line for reports: `sync (fsync, same fd), thread (private_data)`. */
export function describeEmphasis(e: Iterable<readonly [Feature, readonly string[]]>): string {
  return [...e].map(([f, words]) => `${f} (${words.join(", ")})`).join(", ");
}
