// From input text to patches: format detection, mbox splitting (mboxrd), mail headers,
// web-archive page text (lkml.org, lore), subjects of a series, trailers, base-commit.
import { collapse, isChromeEnd, parseDiffs } from "./diff.ts";
import { LIMITS } from "./input.ts";
import { decodeMails } from "./mime.ts";
import { IngestError, type InputFormat, type Patch, type Trailer } from "./types.ts";

const TRAILER_RE =
  /^(Signed-off-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Co-developed-by|Reported-and-tested-by|Fixes|Link|Closes|Cc|Stable-dep-of|Message-ID|Debugged-by|Requested-by|Helped-by|Originally-by):\s*(.*)$/i;

export function detectFormat(text: string): InputFormat {
  const head = text.slice(0, 4000);
  if (/^From \S+ .*\d{4}\s*$/m.test(head.split("\n")[0] ?? "")) {
    if (/^From git@z /.test(head)) return "b4-am";
    if (/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/m.test(head)) {
      const n = (text.match(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/gm) ?? []).length;
      return n >= 1 && !/^From (?![0-9a-f]{40} Mon Sep 17)\S+ /m.test(text) ? "format-patch" : "mbox";
    }
    return "mbox";
  }
  if (/^\s*<(!DOCTYPE html|html)/i.test(head)) return "lore-page";
  // a mail as stored (headers first, however long: Received, DKIM, ...)
  const block = text.slice(0, Math.max(0, text.indexOf("\n\n"))).slice(0, 256 * 1024);
  if (/^[!-9;-~]+:[ \t]/.test(block) && /^Subject:/im.test(block) && block.split("\n").every((l) => /^[!-9;-~]+:/.test(l) || /^[ \t]/.test(l))) return "mail";
  if (/^\[lkml\]/m.test(head) || /Messages in this thread/.test(head) || /Jasper Spaans/.test(text.slice(-2000))) return "lkml-page";
  if (/\[thread overview\]|\(raw\)$/m.test(head) || /^next prev parent reply other threads/m.test(text) || /^Reply instructions:/m.test(text)) return "lore-page";
  if (/^(From|Subject|Date|Message-I[dD]|To):\s/m.test(head.split("\n\n")[0] ?? "") && /^(Subject):\s/m.test(head)) return "mail";
  if (/^diff --git /m.test(text)) return "unified-diff";
  if (/^Index: /m.test(text) || /^--- .*\n\+\+\+ /m.test(text)) return "quilt";
  throw new IngestError("no patch found: the input is not an mbox, a mail, a diff or a recognised web-archive page", "no-patch");
}

/** Split an mbox (mboxo/mboxrd) into messages; unescape >From. */
export function splitMbox(text: string): string[] {
  const lines = text.split("\n");
  const msgs: string[][] = [];
  let cur: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^From \S+ /.test(l) && (i === 0 || lines[i - 1] === "") && /\d{4}\s*$|\d\d:\d\d/.test(l)) {
      if (cur) {
        while (cur.length && cur[cur.length - 1] === "") cur.pop();
        msgs.push(cur);
      }
      cur = [];
      continue;
    }
    if (cur) cur.push(/^>+From /.test(l) ? l.slice(1) : l);
  }
  if (cur) msgs.push(cur);
  return msgs.map((m) => m.join("\n"));
}

export interface SubjectInfo {
  title: string;
  version?: number;
  seq?: number;
  total?: number;
  tags: string[];
  isPatch: boolean;
  isReply: boolean;
}

export function parseSubject(subject: string): SubjectInfo {
  let s = collapse(subject);
  const isReply = /^(re|aw|fwd?):/i.test(s);
  s = s.replace(/^((re|aw|fwd?):\s*)+/i, "");
  const tags: string[] = [];
  let version: number | undefined;
  let seq: number | undefined;
  let total: number | undefined;
  let isPatch = false;
  for (;;) {
    const m = /^\[([^\]]*)\]\s*/.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
    for (const tok of m[1]!.split(/[\s,]+/).filter(Boolean)) {
      let mm: RegExpExecArray | null;
      if (/^(patch|rfc)$/i.test(tok)) isPatch = true;
      if (/^patch$/i.test(tok)) continue;
      if ((mm = /^[vV](\d+)$/.exec(tok))) version = +mm[1]!;
      else if ((mm = /^(\d+)\/(\d+)$/.exec(tok))) {
        seq = +mm[1]!;
        total = +mm[2]!;
      } else tags.push(tok);
    }
  }
  return { title: s, version, seq, total, tags, isPatch, isReply };
}

function trailersOf(lines: string[]): Trailer[] {
  const out: Trailer[] = [];
  for (const l of lines) {
    const m = TRAILER_RE.exec(l.trim());
    if (m) out.push({ key: canonicalKey(m[1]!), value: m[2]!.trim() });
  }
  return out;
}

const CANON = new Map(
  "Signed-off-by Reviewed-by Acked-by Tested-by Reported-by Suggested-by Co-developed-by Reported-and-tested-by Fixes Link Closes Cc Stable-dep-of Message-ID Debugged-by Requested-by Helped-by Originally-by"
    .split(" ")
    .map((k) => [k.toLowerCase(), k] as const),
);

function canonicalKey(k: string): string {
  return CANON.get(k.toLowerCase()) ?? k;
}

/** Turn one message (headers known) into a Patch, or null when it carries no diff and is no cover letter. */
function patchFromBody(
  id: string,
  sourceFile: string,
  format: InputFormat,
  fields: { subject: string; from?: string; date?: string; messageId?: string },
  body: string,
  opts: { forceMangled?: boolean; notes?: string[] },
): Patch | null {
  const lines = body.split("\n");
  if (lines.length > LIMITS.maxTextBytes / 8) throw new IngestError(`refused: ${sourceFile} has too many lines`, "too-large");
  const d = parseDiffs(lines, { forceMangled: opts.forceMangled });
  const hunks = d.files.reduce((a, f) => a + f.hunks.length, 0);
  if (hunks > LIMITS.maxHunks) throw new IngestError(`refused: ${sourceFile} has ${hunks} hunks (limit ${LIMITS.maxHunks})`, "too-large");
  const subj = parseSubject(fields.subject);
  const msgLines = d.firstDiffLine >= 0 ? lines.slice(0, d.firstDiffLine) : lines;
  // format-patch: the message ends at the "---" line before the diffstat
  let sep = msgLines.findIndex((l) => l === "---" || l === "--- ");
  if (sep < 0) sep = msgLines.length;
  const messageLines = msgLines.slice(0, sep);
  while (messageLines.length && messageLines[messageLines.length - 1]!.trim() === "") messageLines.pop();
  while (messageLines.length && messageLines[0]!.trim() === "") messageLines.shift();
  const baseM = /^base-commit:\s*([0-9a-f]{7,40})\s*$/m.exec(body);
  const isCover = subj.seq === 0 && d.files.length === 0;
  if (d.files.length === 0 && !isCover) return null;
  return {
    id,
    sourceFile,
    format,
    subject: fields.subject,
    from: fields.from,
    date: fields.date,
    messageId: fields.messageId,
    version: subj.version,
    seq: subj.seq,
    total: subj.total,
    tags: subj.tags,
    isCover,
    baseCommit: baseM?.[1],
    trailers: trailersOf(messageLines),
    message: messageLines.join("\n"),
    files: d.files,
    mangled: d.anyMangled,
    notes: [...(opts.notes ?? [])],
  };
}

function htmlToText(html: string): string {
  let s = html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, "");
  s = s.replace(/<br\s*\/?>/gi, "\n").replace(/<\/(p|div|h\d|li|tr)>/gi, "\n").replace(/<[^>]*>/g, "");
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&nbsp;/g, "\u00a0")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(+d))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, "&");
}

const PAGE_HEADER_RE = /^(From|To|Cc|CC|Subject|Date|Message-ID|Message-Id|In-Reply-To|References)(:\s?|(?=\[))(.*)$/;

/** Text copied from an lkml.org or lore page: strip chrome and the uniform indent, read the headers. */
function patchFromPage(id: string, sourceFile: string, format: InputFormat, text: string, fromHtml: boolean): Patch | null {
  const notes: string[] = [];
  let lines = text.replace(/\u00a0/g, " ").split("\n");
  // the message starts at its first header line
  let start = lines.findIndex((l) => PAGE_HEADER_RE.test(l.trim()) && /^(From|Subject)/.test(l.trim()));
  if (start < 0) start = 0;
  if (start > 0) notes.push(`dropped ${start} line(s) of page chrome before the message`);
  let end = lines.length;
  for (let i = start; i < lines.length; i++) {
    if (isChromeEnd(lines[i]!.trim()) || /^\s*\\ \/\s*$/.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  if (end < lines.length) notes.push(`dropped ${lines.length - end} line(s) of page chrome after the message`);
  lines = lines.slice(start, end);
  // uniform indent added by the page (lkml.org: 4 spaces on every body line)
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^[ ]*/.exec(l)![0].length);
  const ind = indents.length ? Math.min(...indents) : 0;
  if (ind > 0) {
    lines = lines.map((l) => l.slice(Math.min(ind, /^[ ]*/.exec(l)![0].length)));
    notes.push(`removed a uniform ${ind}-space indent`);
  }
  const fields: { subject: string; from?: string; date?: string; messageId?: string } = { subject: "" };
  let i = 0;
  let lastWasList = false;
  for (; i < lines.length && i < 40; i++) {
    const l = lines[i]!.trim();
    const m = PAGE_HEADER_RE.exec(l);
    if (m) {
      const v = m[3]!.replace(/\s*\[thread overview\]\s*$/, "").replace(/\s*\(raw\)\s*$/, "").trim();
      const k = m[1]!.toLowerCase();
      if (k === "subject") fields.subject = v;
      else if (k === "from") fields.from = v;
      else if (k === "date") fields.date = v;
      else if (k === "message-id") fields.messageId = v.replace(/^<|>$/g, "");
      lastWasList = /,$/.test(v);
      continue;
    }
    if (lastWasList) {
      lastWasList = /,$/.test(l);
      continue;
    }
    break;
  }
  const body = lines.slice(i).join("\n");
  const hasTabs = /\t/.test(body);
  const forceMangled = !fromHtml && !hasTabs;
  if (forceMangled) notes.push("web-archive text without tabs: hunks are treated as whitespace-damaged and rebuilt from the tree");
  return patchFromBody(id, sourceFile, format, fields, body, { forceMangled, notes });
}

/** All patches (and cover letters) found in one input text. */
export function patchesFromText(text: string, sourceFile: string, base: string, encoding: "utf8" | "latin1" = "utf8"): Patch[] {
  const format = detectFormat(text);
  const out: Patch[] = [];
  if (format === "mbox" || format === "b4-am" || format === "format-patch" || format === "mail") {
    const msgs = format === "mail" ? [text] : splitMbox(text);
    decodeMails(msgs.map((m) => Buffer.from(m, encoding))).forEach((mail, k) => {
      const h = (name: string) => mail.headers.get(name);
      const p = patchFromBody(`${base}#${k + 1}`, sourceFile, format, { subject: h("subject") ?? "", from: h("from"), date: h("date"), messageId: h("message-id")?.replace(/^<|>$/g, "") }, mail.body, {});
      if (p) out.push(p);
    });
  } else if (format === "lkml-page" || format === "lore-page") {
    const html = /^\s*<(!DOCTYPE html|html)/i.test(text);
    const p = patchFromPage(`${base}#1`, sourceFile, format, html ? htmlToText(text) : text, html);
    if (p) out.push(p);
  } else {
    const p = patchFromBody(`${base}#1`, sourceFile, format, { subject: "" }, text, {});
    if (p) out.push(p);
  }
  return out;
}
