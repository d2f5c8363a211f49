// The UML guest: static native programs (init and the reproducers, from
// guest/*.c), a read-only root image holding them, a fresh test disk per
// boot, and one boot that runs N attempts of a reproducer and powers off.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "../../build/hash.ts";
import { cacheDir } from "../../paths.ts";

const GUEST_SRC = join(dirname(fileURLToPath(import.meta.url)), "guest");
/** The guest's programs: name in the root image -> source file and extra link flags. */
const PROGRAMS = {
  init: { src: "init.c", libs: [] as string[] },
  "repro-001": { src: "repro-001.c", libs: [] as string[] },
  "repro-002": { src: "repro-002.c", libs: ["-luring"] },
} as const;
export type Reproducer = Exclude<keyof typeof PROGRAMS, "init">;
const ROOT_IMAGE_MIB = 16;
const GUEST_MEM = "256M";

/** A test disk: its size and the mkfs command line (the image path is appended). */
export interface DiskSpec {
  fs: "ext4" | "btrfs";
  sizeMiB: number;
  mkfs: string[];
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error) throw new Error(`${what}: ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what}: ${cmd} ${args.join(" ")} exited ${r.status}:\n${(r.stderr || r.stdout).trim()}`);
}

/** The root image (ext2, read-only in the guest) with /init and the reproducers, cached by their sources. */
export function rootImage(): string {
  const sources = Object.values(PROGRAMS).map((p) => readFileSync(join(GUEST_SRC, p.src), "utf8"));
  const gcc = spawnSync("gcc", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "";
  const dir = join(cacheDir(), "peer", "guest", sha256([...sources, gcc].join("\0")).slice(0, 16));
  const image = join(dir, "root.img");
  if (existsSync(image)) return image;
  const staging = join(dir, "root");
  rmSync(dir, { recursive: true, force: true });
  for (const d of ["dev", "proc", "mnt"]) mkdirSync(join(staging, d), { recursive: true });
  for (const [name, p] of Object.entries(PROGRAMS))
    run("gcc", ["-static", "-O2", "-o", join(staging, name), join(GUEST_SRC, p.src), ...p.libs], `compiling the guest's ${name} (static; liburing-dev gives liburing.a)`);
  run("mke2fs", ["-q", "-F", "-t", "ext2", "-d", staging, `${image}.partial`, `${ROOT_IMAGE_MIB}M`], "making the guest's root image");
  renameSync(`${image}.partial`, image);
  return image;
}

/** A fresh test disk at `path`. */
export function makeDisk(path: string, spec: DiskSpec): void {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  run("truncate", ["-s", `${spec.sizeMiB}M`, path], "creating the test disk");
  run(spec.mkfs[0]!, [...spec.mkfs.slice(1), path], `mkfs for the test disk (${spec.fs})`);
}

export interface Attempt {
  index: number;
  /** The reproducer's verdict line: "bug", "ok", or "error" (no line, a failed step, a non-zero exit). */
  result: "bug" | "ok" | "error";
  /** Its REPRO line (or why there is none). */
  detail: string;
  /** Guest time the attempt took (fork to exit). */
  us: number;
}

export interface Boot {
  /** Host wall time from start to the guest's "booted" line, and to power-off. */
  bootMs: number | null;
  totalMs: number;
  attempts: Attempt[];
  /** Why the boot did not finish as planned, or null. */
  problem: string | null;
  /** The console (kept for the report when something went wrong). */
  console: string;
}

/** Attempts from the console: each REPRO line belongs to the next PEER-ATTEMPT line. */
export function parseAttempts(consoleText: string): Attempt[] {
  const out: Attempt[] = [];
  let repro: string | null = null;
  for (const line of consoleText.split(/\r?\n/)) {
    const r = /REPRO (result=\S+.*)$/.exec(line);
    if (r) repro = r[1]!.trim();
    const a = /PEER-ATTEMPT (\d+) exit=(-?\d+) us=(\d+)/.exec(line);
    if (!a) continue;
    const verdict = /^result=(bug|ok)\b/.exec(repro ?? "")?.[1] as "bug" | "ok" | undefined;
    const exit = Number(a[2]);
    out.push({ index: Number(a[1]), result: verdict && exit === 0 ? verdict : "error", detail: repro ?? `no REPRO line (exit ${exit})`, us: Number(a[3]) });
    repro = null;
  }
  return out;
}

/** Guest parameters for the reproducer: PEER_* keys, values without blanks (one kernel command-line word each). */
function paramWords(params: Record<string, string>): string[] {
  return Object.entries(params).map(([k, v]) => {
    if (!/^PEER_[A-Z0-9_]+$/.test(k) || !/^[\w./,:-]+$/.test(v)) throw new Error(`guest parameter ${k}=${v}: a PEER_* name and a value without blanks or quotes`);
    return `${k}=${v}`;
  });
}

/** Boots `linux` with the root image and `disk`, runs `repro` `n` times (`params` in its environment); killed after `timeoutMs`. */
export function bootAndRun(linux: string, disk: string, fs: DiskSpec["fs"], repro: Reproducer, params: Record<string, string>, n: number, timeoutMs: number): Promise<Boot> {
  const args = [
    `ubd0r=${rootImage()}`,
    `ubd1=${disk}`,
    `mem=${GUEST_MEM}`,
    "con=null",
    "con0=null,fd:1",
    "ssl=null",
    "root=/dev/ubda",
    "ro",
    "init=/init",
    "PEER_DEV=/dev/ubdb",
    `PEER_FS=${fs}`,
    `PEER_REPRO=/${repro}`,
    `PEER_N=${n}`,
    ...paramWords(params),
  ];
  const tmp = join(cacheDir(), "peer", "tmp");
  mkdirSync(tmp, { recursive: true });
  return new Promise((resolve) => {
    const t0 = performance.now();
    let bootMs: number | null = null;
    let text = "";
    const child = spawn(linux, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, TMPDIR: tmp } });
    const onData = (b: Buffer) => {
      text += b.toString("latin1");
      if (bootMs === null && text.includes("PEER-BOOTED")) bootMs = Math.round(performance.now() - t0);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL"); // UML's host processes form the group
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ bootMs, totalMs: Math.round(performance.now() - t0), attempts: [], problem: `${linux}: ${e.message}`, console: text });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const attempts = parseAttempts(text);
      const errors = text.split("\n").filter((l) => l.startsWith("PEER-ERROR"));
      let problem: string | null = null;
      if (timedOut) problem = `timed out after ${timeoutMs / 1000} s (${attempts.length} of ${n} attempts done)`;
      else if (bootMs === null) problem = `the guest never reached init's "booted" line (exit ${code ?? signal})`;
      else if (errors.length) problem = errors.join("; ");
      else if (attempts.length !== n) problem = `${attempts.length} of ${n} attempts reported (exit ${code ?? signal})`;
      resolve({ bootMs, totalMs: Math.round(performance.now() - t0), attempts, problem, console: text });
    });
  });
}
