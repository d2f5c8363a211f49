// The report flags of `dioscope check` (for util.parseArgs) and what they
// produce from a model: the text for stdout (KTAP stays the CLI's default)
// and the HTML file. One call for the CLI after the check has run.
import { writeFileSync } from "node:fs";
import type { ParseArgsConfig } from "node:util";
import { toB4, toPatchwork } from "./checks.ts";
import { renderHtml } from "./html.ts";
import type { ReportModel } from "./model.ts";
import { renderReply } from "./reply.ts";

/** The report options of `dioscope check`, in the CLI's option-table shape (util.parseArgs options plus --help text). */
export const REPORT_FLAGS = {
  html: { type: "string", value: "FILE", help: "also write the report as one self-contained HTML page (timelines, before and after side by side)" },
  reply: { type: "boolean", help: "print the reply to the patch mail (plain text, interleaved) instead of KTAP" },
  format: { type: "string", value: "b4|patchwork", help: "print the results as b4 review-check JSON or patchwork check fields instead of KTAP" },
  "tested-by": { type: "string", value: '"NAME <ADDR>"', help: "the identity of the reply's Tested-by: line (written only when shown fixed, nothing regressed)" },
  "report-url": { type: "string", value: "URL", help: "where the HTML page will be published (b4 url, patchwork target_url)" },
} as const satisfies Record<string, { type: "string" | "boolean"; value?: string; help: string }> & NonNullable<ParseArgsConfig["options"]>;

export const FORMATS = ["b4", "patchwork"] as const;
export type CheckFormat = (typeof FORMATS)[number];

export interface ReportRequest {
  htmlPath: string | null;
  reply: boolean;
  format: CheckFormat | null;
  testedBy: string | null;
  reportUrl: string | null;
}

export interface ReportFlagValues {
  html?: string;
  reply?: boolean;
  format?: string;
  "tested-by"?: string;
  "report-url"?: string;
}

/** The request the flags make, or a usage error. */
export function reportRequest(v: ReportFlagValues): ReportRequest | { error: string } {
  if (v.format !== undefined && !(FORMATS as readonly string[]).includes(v.format)) return { error: `--format must be one of ${FORMATS.join(", ")}` };
  if (v.reply && v.format) return { error: "--reply and --format each replace the KTAP output: give one" };
  if (v["tested-by"] !== undefined && !/^[^<>]+ <[^<>@\s]+@[^<>\s]+>$/.test(v["tested-by"])) return { error: '--tested-by takes "Name <address>"' };
  if (v["report-url"] !== undefined && !/^https?:\/\/\S+$/.test(v["report-url"])) return { error: "--report-url must be an http(s) URL" };
  return {
    htmlPath: v.html ?? null,
    reply: v.reply ?? false,
    format: (v.format as CheckFormat | undefined) ?? null,
    testedBy: v["tested-by"] ?? null,
    reportUrl: v["report-url"] ?? null,
  };
}

/** Writes the HTML file if asked; returns what goes to stdout instead of KTAP, or null for KTAP. */
export function emitReport(m: ReportModel, r: ReportRequest, mailText: () => string): string | null {
  if (r.htmlPath) writeFileSync(r.htmlPath, renderHtml(m));
  const url = r.reportUrl ? { url: r.reportUrl } : {};
  if (r.format === "b4") return JSON.stringify(toB4(m, url), null, 1) + "\n";
  if (r.format === "patchwork") return JSON.stringify(toPatchwork(m, url), null, 1) + "\n";
  if (r.reply) return renderReply(m, mailText(), { testedBy: r.testedBy });
  return null;
}
