// The text of one tree file as lines, and what locating a hunk in it gives: the placement
// (where, which direction, offset, fuzz) and the hunk as rebuilt line by line.
import type { Certainty } from "./lost.ts";
import type { LineKind } from "./types.ts";

export interface FileText {
  lines: string[];
  /** content ends with a newline */
  eol: boolean;
}

export function splitFile(content: string): FileText {
  if (content === "") return { lines: [], eol: true };
  const lines = content.split("\n");
  const eol = lines[lines.length - 1] === "";
  if (eol) lines.pop();
  return { lines, eol };
}

export function joinFile(f: FileText): string {
  if (f.lines.length === 0) return "";
  return f.lines.join("\n") + (f.eol ? "\n" : "");
}

export type Provenance = "tree" | "patch" | "inferred";

export interface FullLine {
  kind: LineKind;
  text: string;
  /** tree: bytes taken from the file; patch: bytes as given by an exact diff; inferred: rebuilt whitespace */
  prov: Provenance;
  /** a line the input lost, restored from the file */
  restored?: boolean;
  /** a context line ignored by fuzz (not checked against the file) */
  fuzzed?: boolean;
  /** a line of the side not in the tree that the text lost, put back by rule (lost.ts) */
  invented?: boolean;
}

export interface Placement {
  dir: "forward" | "reverse";
  fuzz: number;
  /** 0-based index of the first file line replaced */
  at: number;
  /** number of file lines replaced */
  len: number;
  /** what replaces them (forward: new side; reverse: old side), fuzz-ignored context excluded */
  replacement: string[];
  /** the whole hunk as rebuilt */
  lines: FullLine[];
  /** 1-based line where the hunk's side starts in the file, minus the header's */
  offset: number;
  /** 1-based line in the file where the matched side starts */
  line: number;
  restored: number;
  inferred: number;
  /** header lines the text lost that could not be placed (inside fuzz-ignored context) */
  unaccounted: number;
  /** compared ignoring whitespace (the hunk's own whitespace disagreed with the file) */
  loose: boolean;
  /** lines of the side not in the tree that the text lost, put back by rule, and how sure */
  lost?: { count: number; certainty: Certainty; what: string };
  /** readings chosen where another also fitted (what was assumed, for the report) */
  assumed?: string[];
}

export type LocateResult =
  | { kind: "found"; placement: Placement; others: string[] }
  | { kind: "ambiguous"; reason: string; directionOnly?: boolean }
  | { kind: "none"; notes: string[] };

