// Data model of patch ingestion (issue 5). See index.ts for the public API.

/** Any refusal: hostile input, unparseable input, ambiguity. The message is meant for the user. */
export class IngestError extends Error {
  constructor(
    message: string,
    readonly code:
      | "hostile-path"
      | "not-regular-file"
      | "too-large"
      | "binary"
      | "unsupported"
      | "no-patch"
      | "parse" = "parse",
  ) {
    super(message);
    this.name = "IngestError";
  }
}

export type InputFormat =
  | "mbox" // one or more RFC 2822 messages with From_ separators (mboxrd unescaped), also b4 am output and git format-patch files
  | "b4-am"
  | "format-patch"
  | "unified-diff" // plain diff (git or GNU diff -u) with no mail around it
  | "quilt" // Index:/=== headers, --- a.orig/ +++ b/ without diff --git
  | "lkml-page" // text copied from an lkml.org page
  | "lore-page" // text copied from a lore.kernel.org HTML page (or the HTML itself)
  | "mail"; // a single mail without From_ line

export type LineKind = "ctx" | "add" | "del";

/** One line of a hunk as it was observed in the input. */
export interface ObservedLine {
  kind: LineKind;
  /** Content without the diff prefix. For mangled input: what survived (whitespace collapsed, leading stripped). */
  text: string;
  /** Mangled input only: the whole observed line, if it could also be a context line that starts with '+' or '-'. */
  altCtx?: string;
  /** `\ No newline at end of file` followed this line. */
  noEol?: boolean;
}

export interface ParsedHunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Text after the second @@ (the function context diff printed). */
  section: string;
  lines: ObservedLine[];
  /** true when the lines are not a well-formed hunk (web-archive damage): needs reconstruction against a tree. */
  mangled: boolean;
}

export interface FileDiff {
  /** Path relative to the tree root (prefix stripped and validated), before and after; null for /dev/null. */
  oldPath: string | null;
  newPath: string | null;
  /** Raw names as they appeared on the ---/+++ or diff --git lines. */
  rawOld: string;
  rawNew: string;
  hunks: ParsedHunk[];
  /** Whether any hunk is mangled. */
  mangled: boolean;
}

export interface Trailer {
  key: string;
  value: string;
}

export interface Patch {
  /** Stable id: <input file basename>#<message index>. */
  id: string;
  sourceFile: string;
  format: InputFormat;
  subject: string;
  from?: string;
  date?: string;
  messageId?: string;
  /** From the [PATCH vN m/n] prefix. */
  version?: number;
  seq?: number;
  total?: number;
  /** Other tags of the prefix, e.g. "5.16", "RFC", "net-next". */
  tags: string[];
  /** [PATCH 0/N]: a cover letter. Never applied. */
  isCover: boolean;
  baseCommit?: string;
  trailers: Trailer[];
  /** Commit message (the part before the diff), as recovered. */
  message: string;
  files: FileDiff[];
  /** Whole-patch: any file mangled. */
  mangled: boolean;
  /** Parse notes (what was stripped, what was guessed). */
  notes: string[];
}
