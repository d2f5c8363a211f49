// A user's kernel checkout for tests: a git repository made from an extracted
// Debian tree (commit 1: the tree as shipped; commit 2: one line appended to
// a file every configuration compiles). Author, committer and dates are
// fixed, so the commit ids are the same on every machine and every run, and
// so are the exports and builds keyed by them. Made once per tree version in
// the cache (.cache/test-repos/), never modified afterwards by the tests
// except for the untracked file they add and remove.
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../../harness/paths.ts";
import type { PristineTree } from "../../harness/tree/source.ts";

export interface TestRepo {
  dir: string;
  /** The tree as shipped. */
  first: string;
  /** The tree plus `line` appended to `file`. */
  second: string;
  file: string;
  line: string;
}

const ENV = {
  GIT_AUTHOR_NAME: "dioscope",
  GIT_AUTHOR_EMAIL: "dioscope@localhost",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_NAME: "dioscope",
  GIT_COMMITTER_EMAIL: "dioscope@localhost",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};

function git(dir: string, args: string[]): string {
  return execFileSync("git", ["-C", dir, "-c", "core.autocrlf=false", "-c", "gc.auto=0", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...ENV },
    maxBuffer: 1 << 28,
  }).trim();
}

/** The test repository for `tree` (made on first use; ~1 min for a whole kernel tree). */
export function testRepo(tree: PristineTree, file: string, line: string): TestRepo {
  const dir = join(cacheDir(), "test-repos", `${tree.name}-${tree.kernelVersion}`);
  if (!existsSync(join(dir, ".git", "dioscope-complete"))) {
    const tmp = `${dir}.partial-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    execFileSync("cp", ["-a", `${tree.root}/.`, tmp]);
    rmSync(join(tmp, ".dioscope-extracted"), { force: true });
    git(tmp, ["init", "-q", "-b", "main"]);
    // -f: Debian's tarball ships a .gitignore that ignores every top-level entry.
    git(tmp, ["add", "-A", "-f"]);
    git(tmp, ["commit", "-q", "-m", `Linux ${tree.kernelVersion} as shipped in ${tree.origin}`]);
    appendFileSync(join(tmp, file), `${line}\n`);
    git(tmp, ["commit", "-q", "-a", "-m", `probe: one line appended to ${file}`]);
    execFileSync("touch", [join(tmp, ".git", "dioscope-complete")]);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, ".."), { recursive: true });
    renameSync(tmp, dir);
  }
  return { dir, first: git(dir, ["rev-parse", "HEAD~1"]), second: git(dir, ["rev-parse", "HEAD"]), file, line };
}
