// The debug kernel's cost beside the plain kernel's, for `npm run bench`:
// boot time (to the agent; the debug kernel also runs the locking
// self-tests), module size, scenario runs per second from the snapshot
// (seed 001, the machine's default scheduler) with the oracles' share of a run, a 4 KiB O_DIRECT round trip,
// and one fail-nth sweep over an O_DIRECT write. Wall-clock time is measured
// for the report only; it never enters a run.
import { bootKernel } from "../boot/boot.ts";
import { makeDisk } from "../block/images.ts";
import { currentBuild, type BuiltKernel } from "../build/registry.ts";
import type { KernelConfig } from "../build/kbuild.ts";
import { runScenario, type RunTiming } from "../scenario/run.ts";
import { seed001 } from "../scenario/bundled/001-ext4-dio-fallback.ts";
import type { PristineTree } from "../tree/source.ts";
import { enableFailNth, O, PAGE_SIZE, sweepFailNth, UserTask } from "../user/index.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
}

function bootFigures(b: BuiltKernel): Record<string, number> {
  const boots: number[] = [];
  let booted = bootKernel(b.wasmPath, { cpus: 2 });
  for (let i = 0; i < 3; i++) {
    booted = bootKernel(b.wasmPath, { cpus: 2 });
    boots.push(booted.bootMs);
  }
  return { bootMsMedian: median(boots), bootSwitchPoints: booted.machine.steps, bootSimulatedMs: booted.machine.clock.now / 1e6 };
}

/** Seed 001's runs from the snapshot: runs per second, and per run the restore, the run and the oracles (their after-run probe and judge()). */
function runsPerSecond(b: BuiltKernel): Record<string, number> {
  runScenario(seed001, b.wasmPath); // boot + set-up + snapshot, once
  const n = 10;
  const timing: RunTiming = { restoreMs: 0, runMs: 0, judgeMs: 0 };
  const t = performance.now();
  for (let i = 0; i < n; i++) runScenario(seed001, b.wasmPath, undefined, { timing });
  const per = (ms: number) => Math.round((ms / n) * 10) / 10;
  return {
    scenario001RunsPerSecond: Math.round((n / ((performance.now() - t) / 1000)) * 10) / 10,
    restoreMsPerRun: per(timing.restoreMs),
    runMsPerRun: per(timing.runMs),
    oraclesMsPerRun: per(timing.judgeMs),
  };
}

function odirectRoundTrip(b: BuiltKernel): Record<string, number> {
  const { agent } = bootKernel(b.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
  agent.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
  agent.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
  const u = UserTask.spawn(agent, { name: "bench" });
  const fd = u.open("/mnt/bench", O.RDWR | O.CREAT | O.DIRECT);
  const io = u.buffer(PAGE_SIZE);
  u.pwrite(fd, io.addr, PAGE_SIZE, 0);
  const rts: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    u.pwrite(fd, io.addr, PAGE_SIZE, 0);
    u.pread(fd, io.addr, PAGE_SIZE, 0);
    rts.push(performance.now() - t);
  }
  return { userOdirect4kRoundTripMsMedian: median(rts) };
}

/** One fail-nth sweep over a 16 KiB O_DIRECT pwrite on ext4 (debug kernel only). */
function failNthSweep(b: BuiltKernel): Record<string, number> {
  const booted = bootKernel(b.wasmPath, { cpus: 2, disks: [makeDisk("wda", "ext4", 16)] });
  const { agent: a, machine: m } = booted;
  enableFailNth(a);
  a.ok(0, { op: "MKDIR", path: "/mnt", mode: 0o755 });
  a.ok(0, { op: "MOUNT", path: "/dev/wda", path2: "/mnt", str: "ext4" });
  const u = UserTask.spawn(a, { name: "bench" });
  const fd = u.open("/mnt/f", O.RDWR | O.CREAT | O.DIRECT);
  const buf = u.buffer(4 * PAGE_SIZE);
  const base = m.save();
  const t = performance.now();
  const steps = sweepFailNth((nth) => {
    m.load(base);
    return { nth, ...u.syscallFailNth("pwrite64", [fd, buf.addr, 4 * PAGE_SIZE, 0, 0], nth) };
  });
  const ms = performance.now() - t;
  return { faultPoints: steps.length - 1, sweepMs: Math.round(ms), msPerInjectedRun: Math.round((ms / steps.length) * 10) / 10 };
}

function configFigures(tree: PristineTree, config: KernelConfig): Record<string, unknown> {
  const b = currentBuild(tree, config);
  return b ? kernelFigures(b, config === "debug") : { built: false };
}

/** The figures of one built kernel (with a fail-nth sweep when it has fault injection). */
export function kernelFigures(b: BuiltKernel, faultInjection: boolean): Record<string, unknown> {
  return {
    buildId: b.manifest.buildId,
    sizeBeforeAsyncifyBytes: b.manifest.sizes.linkedBytes,
    sizeAfterAsyncifyBytes: b.manifest.sizes.asyncifiedBytes,
    compileColdMs: b.manifest.coldCompile ? b.manifest.times.compile : null,
    asyncifyMs: b.manifest.times.asyncify,
    ...bootFigures(b),
    ...runsPerSecond(b),
    ...odirectRoundTrip(b),
    ...(faultInjection ? { failNth: failNthSweep(b) } : {}),
  };
}

/** Plain and debug kernel side by side for one tree. */
export function debugBench(tree: PristineTree): Record<string, unknown> {
  return { plain: configFigures(tree, "plain"), debug: configFigures(tree, "debug") };
}
