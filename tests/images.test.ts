// Filesystem images (harness/block/images.ts) are made once per recipe and
// cached. Both sides of a case run in one process (the after side on a
// worker thread, pair.ts), so threads may make the same image at the same
// moment: each must get the image, and the image must be the recipe's.
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { imagePath } from "../harness/block/images.ts";

/** A worker that loads images.ts, says it is ready, waits for the start flag, then makes the image. */
const MAKER = `
import { tsImport } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};
import { parentPort, workerData } from "node:worker_threads";
const m = await tsImport(workerData.module, workerData.base);
parentPort.postMessage({ ready: true });
Atomics.wait(workerData.start, 0, 0);
try { parentPort.postMessage({ path: m.imagePath(workerData.kind, 16) }); } catch (e) { parentPort.postMessage({ error: String(e) }); }
`;

const THREADS = 3;

function makeAtOnce(kind: string, cache: string): Promise<string[]> {
  process.env.DIOSCOPE_CACHE = cache;
  const start = new Int32Array(new SharedArrayBuffer(4));
  let ready = 0;
  return Promise.all(
    Array.from({ length: THREADS }, () => {
      const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(MAKER)}`), { workerData: { module: "../harness/block/images.ts", base: import.meta.url, kind, start } });
      return new Promise<string>((done, fail) => {
        w.on("message", (m: { ready?: boolean; path?: string; error?: string }) => {
          if (m.ready && ++ready === THREADS) {
            Atomics.store(start, 0, 1);
            Atomics.notify(start, 0);
          }
          if (m.path) done(m.path);
          if (m.error) fail(new Error(m.error));
          if (m.path || m.error) void w.terminate();
        });
        w.on("error", fail);
      });
    }),
  );
}

describe("filesystem images: made once per recipe, the same bytes from any thread", function () {
  this.timeout(120_000);
  const saved = process.env.DIOSCOPE_CACHE;
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), "dioscope-images-"));
    dirs.push(d);
    return d;
  };
  after(() => {
    if (saved === undefined) delete process.env.DIOSCOPE_CACHE;
    else process.env.DIOSCOPE_CACHE = saved;
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("three threads making one image at once all get it, with the bytes one thread alone makes, and leave no temporary file", async () => {
    const together = await makeAtOnce("ext4-noextents", fresh());
    assert.equal(new Set(together).size, 1, together.join(", "));
    process.env.DIOSCOPE_CACHE = fresh();
    const alone = imagePath("ext4-noextents", 16);
    assert.ok(readFileSync(together[0]!).equals(readFileSync(alone)), "the image made under the race differs from the recipe's");
    assert.deepEqual(readdirSync(join(dirs[0]!, "images")).filter((f) => f.includes(".tmp-")), []);
  });

  it("names an image by its tool's version and recipe", () => {
    process.env.DIOSCOPE_CACHE = fresh();
    assert.match(imagePath("ext4", 16), /ext4-16M-mke2fs_1\.\d+[^/]*-[0-9a-f]{12}\.img$/);
  });
});
