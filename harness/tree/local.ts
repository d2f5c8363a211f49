// The user's own kernel trees. A directory is used in place (read only: the
// Kbuild shadow tree links into it). A git checkout at a revision is exported
// with `git archive` into the cache (.cache/trees/git-<commit>/): the user's
// work tree, index and refs are never touched. Each resolved tree leaves a
// record in the cache so its short name ("git-<commit>", "dir-<hash>")
// resolves back to it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { cacheDir } from "../paths.ts";
import { kernelVersionOf, type PristineTree } from "./source.ts";

const RECORD = ".dioscope-tree.json";
/** Directory entries a fingerprint walk visits at most (a kernel tree has ~90k files). */
const MAX_FINGERPRINT_ENTRIES = 2_000_000;

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function git(repo: string, args: string[]): string {
  // --no-optional-locks: `status` must not refresh (write) the user's index.
  return execFileSync("git", ["--no-optional-locks", "-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 }).trim();
}

/** The top of the git work tree `dir` is in, or null when it is not in one. */
function gitTop(dir: string): string | null {
  try {
    return git(dir, ["rev-parse", "--show-toplevel"]);
  } catch {
    return null;
  }
}

/** Whether the work tree has changes against HEAD (tracked or untracked), read without writing anything. */
function gitDirty(repo: string): boolean {
  return git(repo, ["status", "--porcelain", "--untracked-files=normal"]) !== "";
}

/**
 * What a directory's contents are, cheaply: every path with its size and
 * modification time (not the bytes). A change to any file changes it.
 */
export function fingerprintDir(root: string): string {
  const h = createHash("sha256");
  let entries = 0;
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      if (rel === "" && name === ".git") continue;
      if (++entries > MAX_FINGERPRINT_ENTRIES) throw new Error(`${root}: more than ${MAX_FINGERPRINT_ENTRIES} entries; not a kernel tree?`);
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, p));
      if (st.isDirectory()) walk(p);
      else h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  walk("");
  return h.digest("hex");
}

function writeRecord(dir: string, tree: PristineTree): void {
  writeFileSync(join(dir, RECORD), JSON.stringify(tree, null, 2) + "\n");
}

const recordsDir = () => join(cacheDir(), "trees");

/** A directory used in place. In a git work tree the record also has the commit and whether it was dirty. */
export function dirTree(path: string): PristineTree {
  const root = resolve(path);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`kernel tree ${path}: no such directory`);
  const kernelVersion = kernelVersionOf(root);
  const top = gitTop(root);
  const name = `dir-${sha(root).slice(0, 12)}`;
  let tree: PristineTree;
  if (top === root && !gitDirty(root)) {
    const commit = git(root, ["rev-parse", "HEAD"]);
    tree = { name, origin: `git:${root}@${commit}`, source: { kind: "git", repo: root, commit, rev: "HEAD", dirty: false }, kernelVersion, root };
  } else {
    const fingerprint = fingerprintDir(root);
    const commit = top === root ? git(root, ["rev-parse", "HEAD"]) : null;
    const origin = commit ? `git:${root}@${commit}+dirty:${fingerprint.slice(0, 16)}` : `dir:${root}:${fingerprint.slice(0, 16)}`;
    tree = commit
      ? { name, origin, source: { kind: "git", repo: root, commit, rev: "HEAD", dirty: true }, kernelVersion, root }
      : { name, origin, source: { kind: "dir", path: root, fingerprint }, kernelVersion, root };
  }
  mkdirSync(join(recordsDir(), name), { recursive: true });
  writeRecord(join(recordsDir(), name), tree);
  return tree;
}

/** A git repository at a revision (tag, branch, commit id), exported into the cache. */
export function gitTree(repo: string, rev: string): PristineTree {
  const dir = resolve(repo);
  if (!existsSync(dir)) throw new Error(`kernel tree ${repo}: no such directory`);
  let commit: string;
  try {
    commit = git(dir, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  } catch {
    throw new Error(`kernel tree ${repo}: ${gitTop(dir) ? `no commit named "${rev}"` : "not a git repository"}`);
  }
  const dirty = gitDirty(dir);
  const name = `git-${commit.slice(0, 12)}`;
  const root = join(recordsDir(), name);
  if (!existsSync(join(root, RECORD))) {
    const tmp = `${root}.partial-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      execFileSync("sh", ["-c", `git -C "$0" archive --format=tar "$1" | tar -x -C "$2"`, dir, commit, tmp], { stdio: ["ignore", "ignore", "pipe"] });
      kernelVersionOf(tmp);
      rmSync(root, { recursive: true, force: true });
      renameSync(tmp, root);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  const tree: PristineTree = {
    name,
    origin: `git:${dir}@${commit}`,
    source: { kind: "git", repo: dir, commit, rev, dirty },
    kernelVersion: kernelVersionOf(root),
    root,
  };
  writeRecord(root, tree);
  return tree;
}

/** A tree resolved before, by its short name ("git-<commit>", "dir-<hash>"), or null. */
export function recordedTree(name: string): PristineTree | null {
  if (!/^(git|dir)-[0-9a-f]{12}$/.test(name)) return null;
  const rec = join(recordsDir(), name, RECORD);
  if (!existsSync(rec)) return null;
  const t = JSON.parse(readFileSync(rec, "utf8")) as PristineTree;
  // A directory is looked at again: its contents may have changed since.
  return name.startsWith("dir-") ? dirTree(t.root) : t;
}
