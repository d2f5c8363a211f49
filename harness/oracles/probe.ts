// The after-run probe: once the scenario's run is over, the disk completes
// what it still holds, the probe reaps what the rings and AIO contexts
// still have, reads each file the run changed three ways (buffered,
// O_DIRECT, buffered after dropping its cache), notes user descriptors'
// positions, closes every descriptor the run left open, unmounts every
// filesystem and runs the host's checker on each image. Every step is
// bounded; a step that does not finish ends the probe (`stuck`).
import { AgentError } from "../agent/api.ts";
import type { Booted } from "../boot/boot.ts";
import { DATA_CAPTURE_MAX_BYTES, type CommandRecord } from "../agent/host.ts";
import { MachineError } from "../machine/errors.ts";
import { NR, O, PAGE_SIZE } from "../user/abi.ts";
import { live } from "../user/live.ts";
import type { AioContext } from "../user/aio.ts";
import type { IoUring } from "../user/uring.ts";
import type { UserTask } from "../user/task.ts";
import { fsckImage } from "./fsck.ts";
import { sizeBound } from "./size.ts";
import { fileOps, type FileOp } from "./ops.ts";
import { countFsSlabs } from "./slabs.ts";
import type { MountedDisk, OracleDeclarations, OracleName, ProbeFile, ProbeRead, ProbeRecord } from "./types.ts";

/** Simulated time the probe lets the machine settle, and gives each of its commands. */
const SETTLE_NS = 1e9;
const STEP_NS = 10e9;
/** Enough for work the kernel delays by a few jiffies. */
const DELAYED_WORK_NS = 100e6;
const SEEK_CUR = 1;

export function emptyProbe(skipped: string | null): ProbeRecord {
  return { skipped, stuck: null, releasedBios: 0, files: [], positions: [], closes: [], unmounts: [], fsck: [], slabs: [], notes: [] };
}

/** Runs the probe on the machine as the run left it; `runFromCmd`: the run's first command id. */
export function probeAfterRun(b: Booted, runFromCmd: number, declared: OracleDeclarations): ProbeRecord {
  const p = emptyProbe(null);
  const off = (o: OracleName) => declared.off?.find((x) => x.oracle === o);
  const host = b.agent.host;
  const probeFrom = host.records.length + 1;
  const { ops } = fileOps({ commands: host.records, journal: host.journal, runFromCmd, probeFromCmd: probeFrom });
  const steps: [string, () => void][] = [
    ["settle", () => settle(b, p)],
    ["reap", () => reap(b)],
    ["positions", () => positions(b, ops, p)],
    ["files", () => readFiles(b, ops, runFromCmd, p)],
    ["close", () => closeAll(b, host.records.slice(0, probeFrom - 1), p)],
  ];
  const unmount = off("unmount");
  if (unmount) p.notes.push(`unmount and fsck not done: ${unmount.reason}`);
  else steps.push(["unmount", () => unmountAll(b, host.records.slice(0, probeFrom - 1), p)], ["fsck", () => fsckAll(b, p, off("fsck")?.reason ?? null)], ["leak", () => leakCount(b, p, off("leak")?.reason ?? null)]);
  for (const [name, step] of steps) {
    try {
      step();
    } catch (e) {
      if (!(e instanceof AgentError || e instanceof MachineError)) throw e;
      p.stuck = `${name}: ${e.message.split("\n")[0]}`;
      break;
    }
  }
  return p;
}

/** Lets pending interrupts finish, then simulated time pass (delayed work such as the final fput of a kernel thread's file). */
function quiesce(b: Booted): void {
  b.machine.run(() => false, { stopWhenQuiescent: true, untilNs: b.machine.clock.now + SETTLE_NS });
  b.machine.runFor(DELAYED_WORK_NS);
}

/** Breakpoints go, stalled CPUs run, the disk completes what it holds; later bios complete normally. */
function settle(b: Booted, p: ProbeRecord): void {
  b.machine.breakpoints = [];
  for (const c of b.machine.cpus) b.machine.unpark(c.id);
  b.block.setRules([]);
  b.block.completion = { when: "irq", delayNs: 100_000 };
  for (const h of b.block.heldBios()) {
    b.block.release(h.index);
    p.releasedBios++;
  }
  quiesce(b);
}

/** A task that still waits in a command of the run cannot take the probe's. */
function busy(b: Booted, task: number): boolean {
  return b.agent.host.records.some((r) => r.task === task && r.returned === null);
}

/** A user task that can take the probe's commands: alive (not killed or exited in the run) and not busy. */
function usable(b: Booted, t: UserTask): boolean {
  const m = b.machine;
  const tasks = [...m.suspendedTasks(), ...m.cpus.map((c) => m.taskName(m.currentTask(c.id)))];
  return !busy(b, t.id) && tasks.some((n) => n.endsWith(`[${t.pid}]`));
}

function reap(b: Booted): void {
  for (const ring of live<IoUring>(b.agent, "uring")) if (usable(b, ring.task)) ring.reap();
  for (const ctx of live<AioContext>(b.agent, "aio")) if (usable(b, ctx.task)) ctx.getEvents(0, 128, 0);
}

function positions(b: Booted, ops: readonly FileOp[], p: ProbeRecord): void {
  const tasks = new Map(live<UserTask>(b.agent, "task").map((t) => [t.id, t]));
  const seen = new Set<string>();
  for (const op of ops) {
    const key = `${op.task}:${op.fd}`;
    if (!op.atPosition || seen.has(key) || !stillOpen(b, op)) continue;
    seen.add(key);
    const t = tasks.get(op.task);
    if (!t || !usable(b, t)) continue;
    const res = t.alloc(8);
    if (t.syscall("llseek", [op.fd, 0, 0, res, SEEK_CUR]) !== 0) continue;
    const bytes = t.readUser(res, 8);
    p.positions.push({ task: op.task, fd: op.fd, pos: Number(new DataView(bytes.buffer).getBigInt64(0, true)) });
  }
}

/** The descriptor of `op` was not closed after it. */
function stillOpen(b: Booted, op: FileOp): boolean {
  return !b.agent.host.records.some((c) => c.id > op.cmd && c.task === op.task && c.command.op === "SYSCALL" && c.command.flags === NR.close && Number(c.command.args?.[0]) === op.fd);
}

function readFiles(b: Booted, ops: readonly FileOp[], runFromCmd: number, p: ProbeRecord): void {
  const a = b.agent;
  const changed = [...new Set(ops.filter((o) => o.cmd >= runFromCmd && o.file && !o.file.startsWith("/dev/") && ["write", "truncate", "fallocate"].includes(o.kind)).map((o) => o.file!))];
  for (const path of changed) {
    // Past every end the ops could have made (appending writes included): a larger file reads full.
    const end = sizeBound(ops.filter((o) => o.file === path));
    const asked = Math.min(DATA_CAPTURE_MAX_BYTES, Math.ceil((end + 1) / PAGE_SIZE) * PAGE_SIZE);
    const buffered = a.call(0, { op: "OPEN", path, flags: O.RDONLY });
    const direct = buffered < 0 ? buffered : a.call(0, { op: "OPEN", path, flags: O.RDONLY | O.DIRECT });
    // The filesystem may refuse every open after the run (shut down after a failed metadata write): the judge decides whether that is allowed.
    if (buffered < 0 || direct < 0) {
      if (buffered >= 0) a.ok(0, { op: "CLOSE", fd: buffered });
      p.files.push({ path, reads: [], refused: Math.min(buffered, direct) });
      continue;
    }
    const buf = a.alloc(0, asked);
    const read = (how: ProbeRead["how"], fd: number): ProbeRead => {
      a.writeMemory(buf, new Uint8Array(asked));
      const rec = a.start(0, { op: "READ", fd, buf, len: asked, off: 0 });
      const result = a.wait(rec, { limits: { untilNs: b.machine.clock.now + STEP_NS } });
      return { how, result, asked, data: rec.data ?? (result === 0 ? new Uint8Array() : null) };
    };
    const f: ProbeFile = { path, reads: [read("buffered", buffered), read("direct", direct)] };
    // A filesystem that went read-only after the disk's errors refuses the writeback (-EROFS): the judge decides whether that is allowed.
    const dropped = a.call(0, { op: "DROP_CACHE", fd: buffered });
    if (dropped === 0) f.reads.push(read("after-drop-cache", buffered));
    else f.writeback = dropped;
    a.ok(0, { op: "CLOSE", fd: buffered });
    a.ok(0, { op: "CLOSE", fd: direct });
    a.ok(0, { op: "FREE", buf, len: asked });
    p.files.push(f);
  }
}

/** Closes what the run left open: rings, AIO contexts, user descriptors, agent descriptors. */
function closeAll(b: Booted, records: readonly CommandRecord[], p: ProbeRecord): void {
  const a = b.agent;
  for (const ring of live<IoUring>(a, "uring")) {
    if (!usable(b, ring.task) || closedLater(records, ring.task.id, ring.fd)) continue;
    p.closes.push({ task: ring.task.id, fd: ring.fd, what: "io_uring", result: ring.task.syscall("close", [ring.fd]) });
  }
  const destroyed = (ctx: AioContext) => records.some((c) => c.task === ctx.task.id && c.command.op === "SYSCALL" && c.command.flags === NR.io_destroy && Number(c.command.args?.[0]) === ctx.ctx);
  for (const ctx of live<AioContext>(a, "aio")) if (usable(b, ctx.task) && !destroyed(ctx)) p.closes.push({ task: ctx.task.id, fd: ctx.ctx, what: "aio context", result: ctx.destroy() });
  const tasks = new Map(live<UserTask>(a, "task").map((t) => [t.id, t]));
  for (const { task, fd, path, agent } of openDescriptors(b, records)) {
    if (agent) p.closes.push({ task, fd, what: path, result: a.call(0, { op: "CLOSE", fd }) });
    else {
      const t = tasks.get(task);
      if (t && usable(b, t)) p.closes.push({ task, fd, what: path, result: t.syscall("close", [fd]) });
    }
  }
  quiesce(b);
}

function closedLater(records: readonly CommandRecord[], task: number, fd: number): boolean {
  return records.some((c) => c.task === task && c.command.op === "SYSCALL" && c.command.flags === NR.close && Number(c.command.args?.[0]) === fd);
}

/** Descriptors opened (agent OPEN, user openat) and not closed by the end of the run. */
function openDescriptors(b: Booted, records: readonly CommandRecord[]): { task: number; fd: number; path: string; agent: boolean }[] {
  const open = new Map<string, { task: number; fd: number; path: string; agent: boolean }>();
  const paths = new Map(b.agent.host.journal.filter((e) => e.kind === "open").map((e) => [e.cmd, (e as { path: string }).path]));
  for (const c of records) {
    const cmd = c.command;
    if (cmd.op === "OPEN" && c.returned !== null && c.returned >= 0) open.set(`a:${c.returned}`, { task: 0, fd: c.returned, path: cmd.path ?? "?", agent: true });
    else if (cmd.op === "CLOSE") open.delete(`a:${cmd.fd}`);
    else if (cmd.op === "SYSCALL" && paths.has(c.id) && c.returned !== null && c.returned >= 0) open.set(`${c.task}:${c.returned}`, { task: c.task, fd: c.returned, path: paths.get(c.id)!, agent: false });
    else if (cmd.op === "SYSCALL" && cmd.flags === NR.close) open.delete(`${c.task}:${Number(cmd.args?.[0])}`);
  }
  return [...open.values()];
}

/** Filesystems mounted and not unmounted by the end of the run, latest first. */
export function mountedAtEnd(records: readonly CommandRecord[], diskNames: readonly string[]): MountedDisk[] {
  const out: MountedDisk[] = [];
  for (const c of records) {
    if (c.command.op === "MOUNT" && c.returned === 0) {
      const dev = c.command.path ?? "";
      const i = diskNames.findIndex((n) => dev === `/dev/${n}`);
      out.push({ dev, dir: c.command.path2 ?? "", fstype: c.command.str ?? "", disk: i < 0 ? null : i, kind: null });
    } else if (c.command.op === "UMOUNT" && c.returned === 0) {
      const i = out.findIndex((m) => m.dir === c.command.path);
      if (i >= 0) out.splice(i, 1);
    }
  }
  return out.reverse().filter((m) => m.dir !== "/dev");
}

function unmountAll(b: Booted, records: readonly CommandRecord[], p: ProbeRecord): void {
  for (const m of mountedAtEnd(records, b.block.disks.map((d) => d.name))) {
    p.unmounts.push({ mount: m, result: b.agent.call(0, { op: "UMOUNT", path: m.dir }, { untilNs: b.machine.clock.now + STEP_NS }) });
    quiesce(b);
  }
}

/** Counts the caches of every filesystem type the probe unmounted entirely (none of its mounts left). */
function leakCount(b: Booted, p: ProbeRecord, off: string | null): void {
  if (off) return void p.notes.push(`leak count not taken: ${off}`);
  const types = [...new Set(p.unmounts.map((u) => u.mount.fstype))];
  const whole = types.filter((t) => p.unmounts.every((u) => u.mount.fstype !== t || u.result === 0));
  if (whole.length < types.length) p.notes.push(`leak count not taken for ${types.filter((t) => !whole.includes(t)).join(", ")}: still mounted`);
  const census = countFsSlabs(b, whole);
  if ("note" in census) p.notes.push(`no leak count: ${census.note}`);
  else p.slabs.push(...census.counts);
}

function fsckAll(b: Booted, p: ProbeRecord, off: string | null): void {
  if (off) return void p.notes.push(`fsck not run: ${off}`);
  for (const u of p.unmounts) {
    if (u.result !== 0 || u.mount.disk === null) continue;
    const r = fsckImage(u.mount.fstype, b.block.disks[u.mount.disk]!.image());
    if (r) p.fsck.push({ dev: u.mount.dev, ...r });
    else p.notes.push(`no checker for ${u.mount.fstype} (${u.mount.dev})`);
  }
}
