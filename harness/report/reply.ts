// `--reply`: the text of a reply to the patch mail in list conventions:
// plain text, interleaved quoting (the claim, then what dioscope saw; the
// diff, then the verdicts), no top-posting, lines wrapped at 72 columns
// except commands. A Tested-by: only when the patch was shown to fix what
// it claims and nothing regressed.
import { ingestText, type Patch } from "../ingest/index.ts";
import { commandLine, shownFixed, VERDICT_WORDS, type CaseView, type ReportModel, type RunView } from "./model.ts";
import { mailAddressees } from "./mail-headers.ts";

export interface ReplyOptions {
  /** "Name <address>" for the Tested-by: trailer; null: none is written (the reply says why). */
  testedBy: string | null;
}

const WRAP_COLUMNS = 72;
const HEADER_COLUMNS = 78;
const QUOTED_CLAIM_MAX_LINES = 8;
const QUOTED_DIFF_MAX_LINES = 40;

export function wrap(text: string, indent = ""): string[] {
  const out: string[] = [];
  let line = "";
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + w.length > WRAP_COLUMNS) {
      out.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(indent + line);
  return out;
}

/** The claim: the message's opening lines up to the first sentence end after three lines (at most 8). */
function claimLines(p: Patch): { lines: string[]; cut: boolean } {
  const msg = p.message.split("\n");
  const lines: string[] = [];
  for (const l of msg) {
    if (!l.trim() && lines.length) break;
    if (!l.trim()) continue;
    lines.push(l.trimEnd());
    if ((lines.length >= 3 && /\.\s*$/.test(l)) || lines.length >= QUOTED_CLAIM_MAX_LINES) break;
  }
  return { lines, cut: lines.length < msg.filter((l) => l.trim()).length };
}

function quote(lines: string[]): string[] {
  return lines.map((l) => (l ? `> ${l}` : ">"));
}

function authorName(from: string | undefined): string {
  if (!from) return "you";
  return /^"?([^"<]+?)"?\s*</.exec(from)?.[1] ?? from;
}

function failedExpectations(r: RunView): string[] {
  return r.expectations.filter((x) => !x.held).map((x) => `${x.name}${x.seen ? `; got: ${x.seen}` : ""}`);
}

function sideWord(r: RunView | null): string {
  return r ? (r.passed ? "passes" : "fails") : "-";
}

/** What the kernel did before the patch, for the first fixed case per tree. */
function reproduction(m: ReportModel): string[] {
  const out: string[] = [];
  for (const c of m.cases.filter((c) => c.verdict === "fixed" && c.before)) {
    const alarms = c.before!.console.filter((l) => l.alarming).slice(0, 3);
    out.push(...wrap(`On ${c.tree} without the change, ${c.scenario} failed:`));
    for (const f of failedExpectations(c.before!)) out.push(...wrap(f, "    "));
    for (const l of alarms) out.push(`    [${(l.timeNs / 1e9).toFixed(6)}] ${l.text.trim()}`);
    out.push("");
  }
  return out;
}

function placementsSay(m: ReportModel): string[] {
  const out: string[] = [];
  for (const p of m.patches)
    for (const x of p.placements) {
      const how = x.status === "already-applied" ? `already applied (the tree before the change is ${x.tree} with the patch reverted)` : x.status;
      out.push(...wrap(`${x.tree} (${m.trees.find((t) => t.name === x.tree)?.kernelVersion ?? "?"}): ${how}${x.notes.length ? "; " + x.notes.join("; ") : ""}`, "  "));
    }
  return out;
}

function table(cases: CaseView[]): string[] {
  const rows = [["tree", "scenario", "before", "after", "verdict"], ...cases.map((c) => [c.tree, c.scenario, sideWord(c.before), sideWord(c.after), VERDICT_WORDS[c.verdict]])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => "  " + r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]!))).join("  "));
}

function reproduceLines(cases: CaseView[]): string[] {
  const out: string[] = [];
  for (const c of cases) {
    out.push(`  ${c.tree} ${c.scenario} (${VERDICT_WORDS[c.verdict]}):`);
    out.push(`    ${commandLine(c.reproduce.command)}`);
    if (c.reproduce.token) out.push(`    ${commandLine(["replay", c.reproduce.token])}`);
  }
  return out;
}

function headers(p: Patch, mailText: string): string[] {
  const { to, cc } = mailAddressees(mailText);
  const subject = /^re:/i.test(p.subject) ? p.subject : `Re: ${p.subject}`;
  const out = [`Subject: ${subject}`];
  if (p.messageId) out.push(`In-Reply-To: <${p.messageId}>`, `References: <${p.messageId}>`);
  const recipients = [...(p.from ? [p.from] : [])];
  out.push(...fold("To", recipients));
  const ccs = [...to, ...cc].filter((a) => !recipients.includes(a));
  if (ccs.length) out.push(...fold("Cc", ccs));
  return out;
}

/** An address header folded (RFC 5322) before 78 columns. */
function fold(name: string, addresses: string[]): string[] {
  const out: string[] = [];
  let line = `${name}:`;
  addresses.forEach((a, i) => {
    const piece = ` ${a}${i < addresses.length - 1 ? "," : ""}`;
    if (line.length + piece.length > HEADER_COLUMNS && line.trim() !== `${name}:`) {
      out.push(line);
      line = ` ${piece.trimStart()}`;
    } else line += piece;
  });
  out.push(line);
  return out;
}

function verdictLines(m: ReportModel, o: ReplyOptions): string[] {
  const judged = m.cases.filter((c) => c.verdict !== "not-applicable");
  const out = ["Results (before = the tree without the change, after = with it):", "", ...table(m.cases), ""];
  out.push("Each result reproduces exactly (same tree, patch and scenario give the", "same run, byte for byte):", "", ...reproduceLines(judged.length ? judged : m.cases), "");
  if (shownFixed(m)) {
    if (o.testedBy) out.push(`Tested-by: ${o.testedBy}`);
    else out.push(...wrap("The change was shown to fix what it claims with nothing regressed, but no identity was given for a Tested-by: line."));
  } else if (m.regressed) out.push(...wrap("No Tested-by: a case that passed before the change fails after it (see above)."));
  else out.push(...wrap("No Tested-by: the runs did not show the change fixing what it claims."));
  return out;
}

export function renderReply(m: ReportModel, mailText: string, o: ReplyOptions): string {
  const [p] = ingestText(mailText, m.patches[0]?.id.split("#")[0] ?? "mail").filter((x) => !x.isCover);
  if (!p) throw new Error("the mail holds no patch to reply to");
  const claim = claimLines(p);
  const view = m.patches.find((x) => x.subject === p.subject) ?? m.patches[0];
  const diff = (view?.diff ?? "").split("\n");
  const out = [...headers(p, mailText), ""];
  out.push(`On ${p.date ?? "an unknown date"}, ${authorName(p.from)} wrote:`);
  out.push(...quote(claim.lines), ...(claim.cut ? ["[...]"] : []), "");
  out.push(...wrap(`I ran this through ${m.tool.name} ${m.tool.version}: each tree's kernel, config-reduced but otherwise unmodified, compiled to WebAssembly and run on a deterministic simulated machine (simulated CPUs, time and block device), once without the change and once with it.`));
  out.push("", "The patch was located as follows:", ...placementsSay(m), "");
  out.push(...reproduction(m));
  out.push(...quote(diff.slice(0, QUOTED_DIFF_MAX_LINES)), ...(diff.length > QUOTED_DIFF_MAX_LINES ? ["[...]"] : []), "");
  out.push(...verdictLines(m, o));
  return out.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}
