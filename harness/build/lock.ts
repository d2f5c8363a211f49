// An exclusive lock between processes on one Kbuild directory family: two
// builds of the same tree and configuration (two checks at once, a test
// beside a bench) must not compile, seed or link in the same shadow trees at
// the same time (Kbuild's temporary files collide). The lock is a directory
// made atomically by mkdir, holding the owner's pid; a lock whose owner is
// gone is taken over. Waiting blocks the thread (builds are synchronous).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** How long a build waits for another process's build of the same tree before giving up. */
export const LOCK_WAIT_LIMIT_MS = 60 * 60 * 1000;
const LOCK_POLL_MS = 250;
const OWNER_FILE = "owner";

export class LockTimeout extends Error {}

/** Locks this process holds (withLock is re-entrant). */
const held = new Set<string>();

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ownerOf(lock: string): number | null {
  try {
    const pid = Number(readFileSync(`${lock}/${OWNER_FILE}`, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** One attempt: true when this process now holds `lock`. */
function tryTake(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const owner = ownerOf(lock);
    // An owner that died leaves its lock behind (an owner file not yet written is a lock being taken).
    if (owner !== null && !alive(owner)) {
      const stale = `${lock}.stale-${process.pid}`;
      try {
        renameSync(lock, stale);
        rmSync(stale, { recursive: true, force: true });
      } catch {
        // another process took the stale lock over first
      }
    }
    return false;
  }
  writeFileSync(`${lock}/${OWNER_FILE}`, String(process.pid));
  return true;
}

/** Runs `f` holding the lock directory `lock` (re-entrant within this process). */
export function withLock<T>(lock: string, f: () => T, log?: (line: string) => void): T {
  if (held.has(lock)) return f();
  const start = Date.now();
  let told = false;
  while (!tryTake(lock)) {
    if (!told) log?.(`waiting for another build of this tree (pid ${ownerOf(lock) ?? "?"}, lock ${lock})`);
    told = true;
    if (Date.now() - start > LOCK_WAIT_LIMIT_MS)
      throw new LockTimeout(`gave up after ${LOCK_WAIT_LIMIT_MS / 60000} min waiting for the build lock ${lock} (held by pid ${ownerOf(lock) ?? "?"}); remove it if no build is running`);
    sleepMs(LOCK_POLL_MS);
  }
  held.add(lock);
  try {
    return f();
  } finally {
    held.delete(lock);
    rmSync(lock, { recursive: true, force: true });
  }
}

