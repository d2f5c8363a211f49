// Posts `dioscope check --format patchwork` results to a patchwork
// instance's REST API: finds the patch by Message-ID (GET
// /api/patches/?project=&msgid=) unless its id is given, then POSTs each
// check to /api/patches/<id>/checks/ with the API token.
//
//   dioscope check mail.mbox --format patchwork > checks.json
//   PATCHWORK_TOKEN=... node --import tsx harness/report/patchwork-post.ts \
//     --server https://patchwork.kernel.org --project linux-ext4 --msgid '<id@host>' < checks.json
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PatchworkCheck } from "./checks.ts";

export interface PatchworkTarget {
  /** Base URL of the instance, e.g. https://patchwork.kernel.org */
  server: string;
  /** API token (Settings → API tokens); sent as "Authorization: Token <token>". */
  token: string;
  /** The patch's id, or its project and Message-ID to look it up. */
  patchId?: number;
  project?: string;
  msgid?: string;
}

export class PatchworkError extends Error {}

const api = (server: string, path: string) => `${server.replace(/\/+$/, "")}/api/${path}`;

async function findPatch(t: PatchworkTarget): Promise<number> {
  if (t.patchId !== undefined) return t.patchId;
  if (!t.project || !t.msgid) throw new PatchworkError("give the patch id, or the project and the Message-ID");
  const msgid = t.msgid.replace(/^<|>$/g, "");
  const url = `${api(t.server, "patches/")}?project=${encodeURIComponent(t.project)}&msgid=${encodeURIComponent(msgid)}`;
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new PatchworkError(`GET ${url}: HTTP ${r.status}`);
  const found = (await r.json()) as { id: number }[];
  if (found.length !== 1) throw new PatchworkError(`${found.length} patches in ${t.project} have Message-ID <${msgid}>`);
  return found[0]!.id;
}

/** Posts every check; returns the patch id and the URL of each created check. */
export async function postChecks(t: PatchworkTarget, checks: readonly PatchworkCheck[]): Promise<{ patchId: number; created: string[] }> {
  const patchId = await findPatch(t);
  const created: string[] = [];
  for (const c of checks) {
    const body: Record<string, string> = { context: c.context, state: c.state, description: c.description };
    if (c.target_url) body.target_url = c.target_url;
    const url = api(t.server, `patches/${patchId}/checks/`);
    const r = await fetch(url, {
      method: "POST",
      headers: { Authorization: `Token ${t.token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new PatchworkError(`POST ${url} (${c.context}): HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
    created.push(((await r.json()) as { url?: string }).url ?? url);
  }
  return { patchId, created };
}

function argsOf(argv: string[]): Omit<PatchworkTarget, "token"> {
  const get = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const server = get("--server");
  if (!server) throw new PatchworkError("usage: patchwork-post.ts --server URL (--patch ID | --project P --msgid ID) < checks.json");
  const patch = get("--patch");
  return { server, patchId: patch === undefined ? undefined : Number(patch), project: get("--project"), msgid: get("--msgid") };
}

async function main(): Promise<number> {
  const token = process.env.PATCHWORK_TOKEN;
  if (!token) {
    console.error("patchwork-post: set PATCHWORK_TOKEN to an API token of the instance");
    return 2;
  }
  try {
    const checks = JSON.parse(readFileSync(0, "utf8")) as PatchworkCheck[];
    const r = await postChecks({ ...argsOf(process.argv.slice(2)), token }, checks);
    for (const u of r.created) console.log(u);
    return 0;
  } catch (e) {
    if (e instanceof PatchworkError || e instanceof SyntaxError) {
      console.error(`patchwork-post: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
