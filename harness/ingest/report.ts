// Human-readable per-patch, per-hunk report.
import type { HunkReport, PatchReport } from "./apply.ts";

const STATUS: Record<string, string> = {
  applies: "APPLIES (forward)",
  "already-applied": "ALREADY APPLIED (applies in reverse)",
  "partially-applied": "PARTIALLY APPLIED (some hunks forward, some in reverse)",
  neither: "DOES NOT APPLY (neither forward nor in reverse)",
  ambiguous: "REFUSED (ambiguous reconstruction)",
  "cover-letter": "cover letter (not applied)",
};

function hunkLine(h: HunkReport): string[] {
  const out: string[] = [];
  const where = h.line !== undefined ? ` at ${h.file}:${h.line}` : "";
  const bits: string[] = [];
  if (h.offset) bits.push(`offset ${h.offset > 0 ? "+" : ""}${h.offset}`);
  if (h.fuzz) bits.push(`fuzz ${h.fuzz}`);
  if (h.restored) bits.push(`${h.restored} lost line(s) restored from the tree`);
  if (h.inferred) bits.push(`${h.inferred} line(s) re-indented by rule`);
  if (h.lost) bits.push(`${h.lost.count} line(s) the text lost and the tree cannot give put back by rule (${h.lost.certainty}): ${h.lost.what}`);
  if (h.loose) bits.push("whitespace differs from the tree");
  if (h.unaccounted) bits.push(`${h.unaccounted} header line(s) unaccounted`);
  const st =
    h.status === "forward" ? "applies" : h.status === "reverse" ? "already applied (reverse applies)" : h.status === "ambiguous" ? "REFUSED: ambiguous" : "applies in neither direction";
  const reloc = h.relocated?.applied ? ` [RELOCATED from ${h.relocated.from}]` : "";
  const ren = h.renamesApplied ? ` [RENAMES APPLIED: ${Object.entries(h.renamesApplied).map(([a, b]) => `${a}→${b}`).join(", ")}]` : "";
  const sub = h.substitutions ? ` [RENAMED: ${h.substitutions.map((x) => `${x.from}→${x.to}`).join(", ")}]` : "";
  out.push(`  hunk ${h.index} ${h.header}`);
  out.push(`    ${st}${where}${bits.length ? " (" + bits.join(", ") + ")" : ""}${reloc}${ren}${sub}`);
  for (const x of h.substitutions ?? []) out.push(`    substituted ${x.from} → ${x.to} in the hunk: ${x.from} exists nowhere in the tree any more, ${x.to} does (${x.file})`);
  if (h.reason && h.status !== "forward" && h.status !== "reverse") out.push(...h.reason.split("\n").map((l) => "    " + l));
  if (h.relocated && !h.relocated.applied && h.relocated.fuzz >= 0 && !h.reason?.includes(h.relocated.to)) out.push(`    found in ${h.relocated.to}:${h.relocated.line} (${h.relocated.dir})`);
  if (h.nearMatch) {
    const n = h.nearMatch;
    out.push(`    closest match: ${n.file}:${n.line} (${n.dir === "forward" ? "old side" : "new side"}, ${n.matched}/${n.total} lines agree)`);
    for (const d of n.differing.slice(0, 12)) out.push(`      patch: ${d.patch.trim()}\n      tree:  ${d.tree === null ? "(nothing)" : d.tree.trim()}`);
    if (n.differing.length > 12) out.push(`      ... ${n.differing.length - 12} more`);
  }
  for (const r of (h.renames ?? []).filter((r) => !h.substitutions?.some((x) => x.from === r.from)))
    out.push(
      r.kind === "renamed"
        ? `    rename: ${r.from} → ${r.to} (${r.from} no longer exists in the tree; it could not be applied with it)`
        : `    differs: ${r.from} vs ${r.to} (both exist)`,
    );
  for (const m of h.missingFunctions ?? []) out.push(`    function ${m.name}() ${m.where}`);
  for (const n of h.notes ?? []) out.push(`    note: ${n}`);
  return out;
}

export function formatReport(r: PatchReport): string {
  const out: string[] = [];
  const ser = r.series?.seq !== undefined ? ` [${r.series.version ? "v" + r.series.version + " " : ""}${r.series.seq}/${r.series.total}]` : "";
  out.push(`${r.id}${ser}: ${r.subject || "(no subject)"}`);
  out.push(`  input: ${r.format}${r.mangled ? ", whitespace-damaged (rebuilt from the tree)" : ""}`);
  out.push(`  tree: ${r.tree.name} (${r.tree.kernelVersion}, ${r.tree.origin})`);
  out.push(`  result: ${STATUS[r.status] ?? r.status}${r.relocated ? ` [RELOCATED to ${r.relocatedTo?.join(", ")}]` : ""}${r.renamesApplied ? " [RENAMES APPLIED]" : ""}`);
  if (r.substitutions) out.push(`  substituted: ${r.substitutions.map((x) => `${x.from} → ${x.to} (${x.file})`).join(", ")}`);
  if (r.baseCommit) out.push(`  base-commit: ${r.baseCommit}`);
  for (const t of r.trailers.filter((t) => /^(Fixes|Link|Reviewed-by|Acked-by|Tested-by|Closes)$/.test(t.key))) out.push(`  ${t.key}: ${t.value}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  for (const f of r.files) {
    out.push(` ${f.kind === "modify" ? "" : f.kind + " "}${f.path}`);
    for (const h of f.hunks) out.push(...hunkLine(h));
  }
  return out.join("\n");
}
