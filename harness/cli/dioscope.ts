#!/usr/bin/env -S node --import tsx
// dioscope command-line entry point: dispatches subcommands.
// (Minimal dispatcher created with issue 5; other subcommands are wired in here.)
import { runApply } from "./apply.ts";
import { runBoot } from "./boot.ts";
import { runBuild } from "./build.ts";
import { runCheckCli } from "./check.ts";
import { runExploreCli } from "./explore.ts";
import { runFidelity } from "./fidelity.ts";
import { runMainJob } from "./main-job.ts";
import { runReplayCli } from "./replay.ts";
import { runTrees } from "./trees.ts";

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  apply: runApply,
  boot: runBoot,
  build: runBuild,
  check: runCheckCli,
  explore: runExploreCli,
  fidelity: runFidelity,
  "main-job": runMainJob,
  replay: runReplayCli,
  trees: runTrees,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const run = cmd === undefined ? undefined : COMMANDS[cmd];
  if (!run) {
    console.error(`usage: dioscope <command> [args]\ncommands: ${Object.keys(COMMANDS).join(", ")}`);
    return cmd === undefined || cmd === "--help" || cmd === "-h" ? 0 : 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`dioscope: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
