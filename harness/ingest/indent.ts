// Re-indenting lines whose whitespace the web archive destroyed and the tree cannot supply
// (added lines of a patch not yet applied, removed lines of one already applied, and context
// lines outside a fuzzy match). Kernel style: tabs, continuation aligned with the open
// parenthesis, " * " comment bodies. A heuristic: every such line is marked "inferred".
import type { LineKind } from "./types.ts";

export interface IndentLine {
  kind: LineKind;
  text: string;
  prov: "tree" | "patch" | "inferred";
}

const lead = (s: string) => /^[\t ]*/.exec(s)![0];

function visualCol(s: string): number {
  let c = 0;
  for (const ch of s) c = ch === "\t" ? (Math.floor(c / 8) + 1) * 8 : c + 1;
  return c;
}

function indentForCol(col: number): string {
  return "\t".repeat(Math.floor(col / 8)) + " ".repeat(col % 8);
}

function dropTab(ind: string): string {
  if (ind.endsWith("\t")) return ind.slice(0, -1);
  const c = visualCol(ind);
  return indentForCol(Math.max(0, c - 8));
}

function isCommentBody(t: string): boolean {
  return /^\*/.test(t.trimStart()) && !/^\*\//.test(t.trimStart());
}

/** Code indent of a line: for a comment body line " * x" the indent of its "/*". */
function codeIndent(line: string): string {
  const l = lead(line);
  if (/^\*/.test(line.slice(l.length)) && l.endsWith(" ")) return l.slice(0, -1);
  return l;
}

/** Column just after the last unmatched "(" of a line, or -1. */
function openParenCol(line: string): number {
  let depth = 0;
  const stack: number[] = [];
  let col = 0;
  let inStr: string | null = null;
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (inStr) {
      if (ch === "\\") {
        k++;
        col++;
      } else if (ch === inStr) inStr = null;
    } else if (ch === '"' || ch === "'") inStr = ch;
    else if (ch === "(") {
      stack.push(col + 1);
      depth++;
    } else if (ch === ")") {
      stack.pop();
      depth--;
    }
    col = ch === "\t" ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  }
  return stack.length ? stack[stack.length - 1]! : -1;
}

const CONTROL = /^(\}\s*)?(if|for|while|else if|switch)\s*\(.*\)\s*$|^(\}\s*)?else\s*$|^do\s*$/;

function indentOne(t: string, prev: string | undefined, prev2: string | undefined, next: string | undefined): string {
  if (t === "") return "";
  if (/^#/.test(t)) return "";
  if (/^[A-Za-z_]\w*:\s*$/.test(t) && !/^default:/.test(t)) return "";
  if (prev === undefined) {
    if (next === undefined) return "\t";
    const ni = codeIndent(next);
    const nt = next.trim();
    if (/^\*/.test(t)) return ni + " ";
    if (/^\}/.test(nt) && !/^\}/.test(t)) return ni + "\t";
    return ni;
  }
  const pt = prev.trim();
  let base = codeIndent(prev);
  if (/^[A-Za-z_]\w*:$/.test(pt) && !/^default:/.test(pt)) base = prev2 !== undefined && prev2.trim() ? codeIndent(prev2) : "\t";
  // comments
  if (/^\/\*/.test(pt) && !/\*\//.test(pt)) return /^\*/.test(t) ? lead(prev) + " " : lead(prev) + " ";
  if (isCommentBody(prev) && !/\*\/\s*$/.test(pt)) return /^\*/.test(t) ? lead(prev) : lead(prev);
  if (/^\*/.test(t)) return base + " ";
  const oc = openParenCol(prev);
  if (oc >= 0 && !/[;{]\s*$/.test(pt)) return indentForCol(oc);
  if (/\{\s*$/.test(pt)) {
    if (/^\}/.test(t)) return base;
    if (/^(case\b|default:)/.test(t) && /^switch\b/.test(pt)) return base;
    return base + "\t";
  }
  if (/^\}/.test(t)) return /^(case\b.*|default):\s*$/.test(pt) ? base : dropTab(base);
  if (/^(case\b|default:)/.test(t)) return /^(case\b.*|default):\s*$/.test(pt) ? base : dropTab(base);
  if (/^(case\b.*|default):\s*$/.test(pt)) return base + "\t";
  if (CONTROL.test(pt)) return base + "\t";
  if (prev2 !== undefined && CONTROL.test(prev2.trim()) && /;\s*$/.test(pt) && !/\{\s*$/.test(prev2)) return codeIndent(prev2);
  if (/(=|&&|\|\||\?|:|\+|-|\*|\/|\|)\s*$/.test(pt) && !/^(case\b|default)/.test(pt) && !/\*\/\s*$/.test(pt)) return base + "\t";
  // a statement that ended a continuation: go back to where the statement began
  return base;
}

/** The line that opened the block a closing brace after `before` closes (undefined when it is not among them). */
function openerOf(before: string[]): string | undefined {
  let depth = 0;
  for (let k = before.length - 1; k >= 0; k--) {
    const code = before[k]!.replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, "").replace(/\/\*.*?\*\/|\/\/.*$/g, "");
    for (const ch of [...code].reverse()) depth += ch === "}" ? 1 : ch === "{" ? -1 : 0;
    if (depth < 0) return before[k];
  }
  return undefined;
}

/** Fill in the leading whitespace of lines marked inferred, looking at the lines around them. */
export function reindent(lines: IndentLine[]): void {
  for (const side of ["old", "new"] as const) {
    const onSide = (l: IndentLine) => (side === "old" ? l.kind !== "add" : l.kind !== "del");
    const idx = lines.map((l, k) => (onSide(l) ? k : -1)).filter((k) => k >= 0);
    for (let a = 0; a < idx.length; a++) {
      const L = lines[idx[a]!]!;
      if (L.prov !== "inferred") continue;
      // only fill each line once: adds on the new side, dels on the old side, ctx on the new side
      if ((L.kind === "add" && side !== "new") || (L.kind === "del" && side !== "old") || (L.kind === "ctx" && side !== "new")) continue;
      let prev: string | undefined;
      let prev2: string | undefined;
      for (let b = a - 1; b >= 0; b--) {
        const t = lines[idx[b]!]!.text;
        if (t.trim() === "") continue;
        if (prev === undefined) prev = t;
        else {
          prev2 = t;
          break;
        }
      }
      let next: string | undefined;
      for (let b = a + 1; b < idx.length; b++) {
        const x = lines[idx[b]!]!;
        if (x.prov === "tree" && x.text.trim() !== "") {
          next = x.text;
          break;
        }
      }
      const body = L.text.trim();
      const opener = /^\}/.test(body) ? openerOf(idx.slice(0, a).map((k) => lines[k]!.text)) : undefined;
      L.text = body === "" ? "" : (opener !== undefined ? codeIndent(opener) : indentOne(body, prev, prev2, next)) + body;
    }
  }
}
