#!/usr/bin/env -S node --import tsx
// dioscope command-line entry point: one subcommand per phase a user asks for.
// `dioscope --help` lists them; `dioscope <command> --help` describes every flag.
import { runApply } from "./apply.ts";
import { BOOT, runBoot } from "./boot.ts";
import { BUILD, runBuild } from "./build.ts";
import { CHECK, runCheckCli } from "./check.ts";
import { EXPLORE, runExploreCli } from "./explore.ts";
import { FIDELITY, runFidelity } from "./fidelity.ts";
import { MAIN_JOB, runMainJob } from "./main-job.ts";
import { REPLAY, runReplayCli } from "./replay.ts";
import { runTrees } from "./trees.ts";

interface Command {
  summary: string;
  run: (argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  apply: { summary: "Locates a patch on the trees and reports per hunk whether it applies, is already applied, or neither.", run: runApply },
  boot: { summary: BOOT.summary, run: runBoot },
  build: { summary: BUILD.summary, run: runBuild },
  check: { summary: CHECK.summary.split("\n")[0]!, run: runCheckCli },
  explore: { summary: EXPLORE.summary, run: runExploreCli },
  fidelity: { summary: FIDELITY.summary, run: runFidelity },
  "main-job": { summary: MAIN_JOB.summary, run: runMainJob },
  replay: { summary: REPLAY.summary, run: runReplayCli },
  trees: { summary: "Lists the Debian kernel trees the tool knows and where they are; --fetch downloads the missing ones into the cache.", run: runTrees },
};

function usage(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return ["usage: dioscope <command> [options]   (dioscope <command> --help for its options)", "", "commands:", ...names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n]!.summary}`)].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(usage());
    return 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    console.error(`dioscope: unknown command ${cmd}\n${usage()}`);
    return 2;
  }
  return c.run(rest);
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
