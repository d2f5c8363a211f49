// The side worker's entry (pair.ts): a worker thread does not inherit the
// caller's TypeScript loader, and the caller blocks while it starts, so the
// worker loads side-worker.ts through tsx's own API.
import { tsImport } from "tsx/esm/api";

await tsImport("./side-worker.ts", import.meta.url);
