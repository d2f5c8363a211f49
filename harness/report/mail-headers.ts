// The To: and Cc: addressees of a patch mail, for a reply to all: from the
// RFC 2822 headers of a mail or mbox, or from the header lines at the top
// of text copied from a web archive (whose continuation lines lost their
// indentation).
import { detectFormat, splitMbox } from "../ingest/mail.ts";
import { decodeMails } from "../ingest/mime.ts";

const HEADER_LINES_MAX = 40;
const ADDRESS_LIST = /^\s*[^:\s]*@[^:]*$/;

/** Splits an address list at commas outside quotes and angle brackets. */
export function splitAddresses(list: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let angle = false;
  for (const ch of list) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "<") angle = true;
    else if (ch === ">") angle = false;
    if (ch === "," && !quoted && !angle) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function fromPage(text: string): { to: string[]; cc: string[] } {
  const got: Record<"to" | "cc", string[]> = { to: [], cc: [] };
  let open: "to" | "cc" | null = null;
  for (const line of text.split("\n").slice(0, HEADER_LINES_MAX)) {
    const m = /^(To|Cc):\s*(.*)$/i.exec(line);
    if (m) {
      open = m[1]!.toLowerCase() as "to" | "cc";
      got[open].push(...splitAddresses(m[2]!));
    } else if (open && ADDRESS_LIST.test(line)) got[open].push(...splitAddresses(line));
    else open = null;
  }
  return got;
}

export function mailAddressees(text: string): { to: string[]; cc: string[] } {
  const format = detectFormat(text);
  if (format === "lore-page" || format === "lkml-page") return fromPage(text);
  const raw = format === "mail" ? text : (splitMbox(text)[0] ?? "");
  const h = decodeMails([Buffer.from(raw, "utf8")])[0]!.headers;
  return { to: splitAddresses(h.get("to") ?? ""), cc: splitAddresses(h.get("cc") ?? "") };
}
