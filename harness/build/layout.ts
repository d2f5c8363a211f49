// Post-link layout check. wasm-ld has no linker scripts; the marker objects
// (kernel-src/link/link_first.c, link_last.c) rely on observed wasm-ld
// behaviour to emulate vmlinux.lds. This check verifies, from the link map,
// that every marker exists, that the marked segments appear in the declared
// order, that each opening marker is the first thing in its segment and each
// closing marker the last, and that no data lies beyond _end. Any mismatch
// fails the build.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LINK_DIR } from "./link.ts";

export interface Marker {
  section: string;
  symbol: string;
  align: number;
  file: "link_first" | "link_last";
}

export function markers(dir = LINK_DIR): Marker[] {
  const out: Marker[] = [];
  for (const file of ["link_first", "link_last"] as const) {
    const src = readFileSync(join(dir, `${file}.c`), "utf8");
    for (const m of src.matchAll(/^MARK\("([^"]+)",\s*(\w+),\s*(\d+)\);/gm))
      out.push({ section: m[1]!, symbol: m[2]!, align: Number(m[3]), file });
  }
  return out;
}

export interface MapSegment {
  name: string;
  addr: number;
  size: number;
}

export interface LinkMap {
  segments: MapSegment[];
  symbols: Map<string, number>;
  /** Input pieces per output segment, in placement order: [object, section]. */
  pieces: Map<string, { addr: number; size: number; input: string }[]>;
}

/**
 * wasm-ld --Map output: lines of `Addr Off Size Out In Symbol`. The column
 * says the level: output sections (address "-": TYPE, CODE, DATA) and, in
 * DATA, output segments one blank after the size; input pieces
 * (`file:(section)`) nine blanks after; symbols seventeen.
 */
export function parseMap(text: string): LinkMap {
  const segments: MapSegment[] = [];
  const symbols = new Map<string, number>();
  const pieces = new Map<string, { addr: number; size: number; input: string }[]>();
  let inData = false;
  let seg: string | undefined;
  for (const line of text.split("\n")) {
    const m = /^\s*([0-9a-f]+|-)\s+([0-9a-f]+)\s+([0-9a-f]+)( +)(\S.*)$/.exec(line);
    if (!m) continue;
    const [, addrS, , sizeS, gap, rest] = m;
    const addr = addrS === "-" ? -1 : parseInt(addrS!, 16);
    const size = parseInt(sizeS!, 16);
    if (gap!.length === 1 && addr < 0) {
      // an output section (TYPE, CODE, DATA, ...)
      inData = rest === "DATA";
      seg = undefined;
    } else if (!inData) continue;
    else if (gap!.length === 1) {
      seg = rest!;
      segments.push({ name: seg, addr, size });
      pieces.set(seg, []);
    } else if (gap!.length === 9 && seg) pieces.get(seg)!.push({ addr, size, input: rest! });
    else if (gap!.length === 17) symbols.set(rest!, addr);
  }
  return { segments, symbols, pieces };
}

export class LayoutError extends Error {}

/** The output segment a marker's input section lands in (wasm-ld's merge rule). */
export function outputSegmentOf(section: string): string {
  for (const p of [".rodata", ".data", ".bss", ".tdata"]) if (section.startsWith(p + ".")) return p;
  return section;
}

export function checkLayout(mapPath: string, list = markers()): void {
  const map = parseMap(readFileSync(mapPath, "utf8"));
  const problems: string[] = [];
  const segByName = new Map(map.segments.map((s) => [s.name, s]));
  const addrOf = (sym: string) => map.symbols.get(sym);

  // 1. every marker symbol exists, aligned as declared
  for (const mk of list) {
    const a = addrOf(mk.symbol);
    if (a === undefined) problems.push(`marker ${mk.symbol} (${mk.section}) missing from the link`);
    else if (a % mk.align) problems.push(`marker ${mk.symbol} at 0x${a.toString(16)} not aligned to ${mk.align}`);
  }
  // 2. link_first's own segments appear in declared order, each opened by its marker
  const firstOwn = list.filter((m) => m.file === "link_first" && outputSegmentOf(m.section) === m.section);
  let prev = -1;
  for (const mk of firstOwn) {
    const seg = segByName.get(mk.section);
    const a = addrOf(mk.symbol);
    if (!seg || a === undefined) continue; // an empty section may be dropped only if the marker is missing too
    if (seg.addr < prev) problems.push(`segment ${mk.section} at 0x${seg.addr.toString(16)} is out of order (expected after 0x${prev.toString(16)})`);
    prev = Math.max(prev, seg.addr);
    if (a !== seg.addr) problems.push(`marker ${mk.symbol} at 0x${a.toString(16)} does not open ${mk.section} (starts 0x${seg.addr.toString(16)})`);
  }
  // 3. consecutive marked segments are adjacent: tables spanning them (initcalls, sched classes) have no holes
  for (let i = 0; i + 1 < firstOwn.length; i++) {
    const a = segByName.get(firstOwn[i]!.section);
    const b = segByName.get(firstOwn[i + 1]!.section);
    if (!a || !b || a === b) continue;
    // The next segment may start at its own alignment (its marker's); a table spanning both is 4-aligned.
    const gapOk = b.addr - (a.addr + a.size) < Math.max(4, firstOwn[i + 1]!.align);
    if (!gapOk && !firstOwn[i + 1]!.section.startsWith("wasm_percpu") && firstOwn[i]!.section !== ".init.setup")
      problems.push(`segments ${a.name} and ${b.name} are not adjacent (0x${(a.addr + a.size).toString(16)} .. 0x${b.addr.toString(16)})`);
  }
  // 4. merged segments: link_first markers are the first piece, link_last markers end it
  for (const mk of list.filter((m) => outputSegmentOf(m.section) !== m.section)) {
    const seg = segByName.get(outputSegmentOf(mk.section));
    const a = addrOf(mk.symbol);
    if (!seg || a === undefined) continue;
    if (mk.file === "link_first" && a !== seg.addr) problems.push(`marker ${mk.symbol} at 0x${a.toString(16)} does not open ${seg.name} (0x${seg.addr.toString(16)})`);
    if (mk.file === "link_last" && a !== seg.addr + seg.size) problems.push(`marker ${mk.symbol} at 0x${a.toString(16)} does not close ${seg.name} (ends 0x${(seg.addr + seg.size).toString(16)})`);
  }
  // 5. nothing beyond _end
  const end = addrOf("_end");
  if (end !== undefined)
    for (const s of map.segments)
      if (s.addr + s.size > end) problems.push(`segment ${s.name} ends at 0x${(s.addr + s.size).toString(16)}, beyond _end 0x${end.toString(16)}`);
  if (problems.length) throw new LayoutError(`post-link layout check failed:\n  ${problems.join("\n  ")}`);
}
