// Where `npm run bench` and its parts write their JSON: bench-results/<name>.json (git-ignored).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../paths.ts";

/** Writes `json` (a JSON text) to bench-results/<name>.json. */
export function writeBenchResult(name: string, json: string): void {
  const dir = join(repoRoot, "bench-results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), json + "\n");
}
