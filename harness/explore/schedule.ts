// A schedule: the machine's choices of one run, as a value. Explorers run
// with a preemptive scheduler, so the machine consults them at every switch
// point that has alternatives (a "consultation"). A schedule lists the
// consultations (by ordinal, 0-based, counted from the snapshot the run
// starts from) where a choice other than index 0 was taken; index 0 is
// "the CPU at the switch point goes on" (or, when it cannot, the first
// alternative in the machine's order). Keying by consultation ordinal, not
// by the machine's step count, keeps two consultations at the same step
// apart (a switch point that continued, then the same CPU blocking on a
// lock, both happen at one step).
//
// A replay token is the schedule with the kernel it ran on (tree + build
// id) and the scenario, as base64url: "ds2." + payload.
import type { FailNth } from "../agent/host.ts";
import type { TreeName } from "../tree/source.ts";

/** One non-default choice: at consultation `at`, index `index` of `of` alternatives. */
export interface Step {
  at: number;
  index: number;
  of: number;
  /** The alternative taken ("run 1", "irq 0 blk#20", ...): reports and lenient replay; not in tokens. */
  what?: string;
}

export const STRATEGIES = ["pct", "random", "bounded", "replay", "minimised"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface Schedule {
  scenario: string;
  tree: TreeName;
  /** The kernel build (wasm/<tree>/<buildId>/). */
  buildId: string;
  /** How it was made (provenance; replay uses only `steps`). */
  strategy: StrategyName;
  seed: number;
  index: number;
  steps: Step[];
  /** The fault injected into the run, if any (a run input: replay injects it again). */
  failNth?: FailNth;
}

// ------------------------------------------------------------ encoding

class Writer {
  bytes: number[] = [];
  uint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`cannot encode ${v}`);
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }
  raw(b: Uint8Array): void {
    for (const x of b) this.bytes.push(x);
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.uint(b.length);
    this.raw(b);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  uint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.b.length) throw new TokenError("token truncated");
      const x = this.b[this.pos++]!;
      v += (x & 0x7f) * mul;
      if (!(x & 0x80)) return v;
      mul *= 0x80;
      if (mul > 2 ** 53) throw new TokenError("token corrupt (varint too long)");
    }
  }
  raw(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new TokenError("token truncated");
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    const n = this.uint();
    if (n > MAX_TREE_NAME_BYTES) throw new TokenError("token corrupt (string too long)");
    return new TextDecoder("utf-8", { fatal: true }).decode(this.raw(n));
  }
  get done(): boolean {
    return this.pos === this.b.length;
  }
}

export class TokenError extends Error {}

/** FNV-1a, 32 bits. */
export function fnv1a(s: string | Uint8Array): number {
  const b = typeof s === "string" ? new TextEncoder().encode(s) : s;
  let h = 0x811c9dc5;
  for (const x of b) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return h;
}

const PREFIX = "ds2.";
/** Tree names are short ("7.3", "git-<12 hex>"); a longer one in a token is corruption. */
const MAX_TREE_NAME_BYTES = 64;

function hexBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new Error(`build id ${hex} is not 16 hex digits`);
  return Uint8Array.from({ length: 8 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** The replay token of a schedule. The scenario is named by a 32-bit hash of its name. */
export function encodeToken(s: Schedule): string {
  const w = new Writer();
  w.uint(fnv1a(s.scenario));
  w.str(s.tree);
  w.raw(hexBytes(s.buildId));
  w.uint(STRATEGIES.indexOf(s.strategy));
  w.uint(s.seed);
  w.uint(s.index);
  w.uint(s.steps.length);
  let prev = -1;
  for (const d of s.steps) {
    if (d.at <= prev) throw new Error("schedule steps out of order");
    w.uint(d.at - prev - 1);
    w.uint(d.index);
    w.uint(d.of);
    prev = d.at;
  }
  // Optional trailer: the run's fail-nth input (tokens without one stay as they were).
  if (s.failNth) {
    w.uint(1);
    w.uint(s.failNth.syscall);
    w.uint(s.failNth.nth);
  }
  const body = Uint8Array.from(w.bytes);
  const check = fnv1a(body) & 0xffff;
  const all = new Uint8Array(body.length + 2);
  all.set(body);
  all[body.length] = check & 0xff;
  all[body.length + 1] = check >> 8;
  return PREFIX + Buffer.from(all).toString("base64url");
}

/** What a token holds; `scenarioHash` is resolved against the registered scenarios by the caller. */
export interface DecodedToken extends Omit<Schedule, "scenario"> {
  scenarioHash: number;
}

export function decodeToken(token: string): DecodedToken {
  if (!token.startsWith(PREFIX)) throw new TokenError(`not a dioscope replay token (expected "${PREFIX}...")`);
  const all = new Uint8Array(Buffer.from(token.slice(PREFIX.length), "base64url"));
  if (all.length < 3) throw new TokenError("token truncated");
  const body = all.subarray(0, all.length - 2);
  if ((fnv1a(body) & 0xffff) !== (all[all.length - 2]! | (all[all.length - 1]! << 8))) throw new TokenError("token corrupt (checksum)");
  const r = new Reader(body);
  const scenarioHash = r.uint();
  const tree = r.str();
  if (!tree) throw new TokenError("token names no tree");
  const buildId = [...r.raw(8)].map((x) => x.toString(16).padStart(2, "0")).join("");
  const strategy = STRATEGIES[r.uint()];
  if (!strategy) throw new TokenError("token names an unknown strategy");
  const seed = r.uint();
  const index = r.uint();
  const n = r.uint();
  const steps: Step[] = [];
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const at = prev + 1 + r.uint();
    const index = r.uint();
    const of = r.uint();
    if (index < 1 || index >= of) throw new TokenError("token corrupt (choice index)");
    steps.push({ at, index, of });
    prev = at;
  }
  let failNth: FailNth | undefined;
  if (!r.done) {
    if (r.uint() !== 1) throw new TokenError("token corrupt (unknown trailer)");
    failNth = { syscall: r.uint(), nth: r.uint() };
    if (failNth.syscall < 1 || failNth.nth < 1) throw new TokenError("token corrupt (fail-nth)");
  }
  if (!r.done) throw new TokenError("token corrupt (trailing bytes)");
  return { scenarioHash, tree, buildId, strategy, seed, index, steps, ...(failNth ? { failNth } : {}) };
}
