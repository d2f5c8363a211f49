// The build lock: builds of one tree in two processes take turns, and a
// lock left by a process that died is taken over.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withLock } from "../harness/build/lock.ts";
import { repoRoot } from "../harness/paths.ts";

describe("build lock", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "dioscope-lock-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a second process waits until the holder releases it", async () => {
    const lock = join(dir, "tree.lock");
    const marks = join(dir, "marks");
    const holder = `import { withLock } from ${JSON.stringify(join(repoRoot, "harness/build/lock.ts"))};
import { appendFileSync } from "node:fs";
withLock(${JSON.stringify(lock)}, () => { appendFileSync(${JSON.stringify(marks)}, "child-in\\n"); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500); appendFileSync(${JSON.stringify(marks)}, "child-out\\n"); });`;
    writeFileSync(join(dir, "holder.ts"), holder);
    const child = spawn(process.execPath, ["--import", "tsx", join(dir, "holder.ts")], { cwd: repoRoot, stdio: "ignore" });
    const done = new Promise((r) => child.on("exit", r));
    while (!existsSync(marks)) await new Promise((r) => setTimeout(r, 50));
    const lines: string[] = [];
    withLock(lock, () => writeFileSync(marks, readFileSync(marks, "utf8") + "parent-in\n"), (l) => lines.push(l));
    await done;
    assert.deepEqual(readFileSync(marks, "utf8").trim().split("\n"), ["child-in", "child-out", "parent-in"]);
    assert.match(lines[0] ?? "", /waiting for another build of this tree \(pid \d+/);
    assert.equal(existsSync(lock), false, "released");
  });

  it("a lock whose owner is gone is taken over", () => {
    const lock = join(dir, "tree.lock");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    mkdirSync(lock);
    writeFileSync(join(lock, "owner"), dead.stdout);
    assert.equal(withLock(lock, () => 42), 42);
    assert.equal(existsSync(lock), false);
  });

  it("is re-entrant in one process", () => {
    const lock = join(dir, "tree.lock");
    assert.equal(withLock(lock, () => withLock(lock, () => 7)), 7);
  });
});
