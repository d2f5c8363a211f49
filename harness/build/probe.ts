// A one-file change for testing and measuring incremental builds: a copy of
// one kernel source file with a line appended, used as a build overlay.
// `discardBuild` removes what such a build leaves (its output directory and
// its Kbuild variant) so the next probe really rebuilds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { wasmDir } from "../paths.ts";
import type { PristineTree } from "../tree/source.ts";
import { buildId, kbuildShadow } from "./index.ts";
import type { OverlayFiles } from "./shadow.ts";
import { findToolchain } from "./toolchain.ts";

/** A file every configuration compiles, with a single dependent object. */
export const PROBE_FILE = "fs/ext4/file.c";
/** A kernel global the probe adds (kept by the link: `used`), and its value. */
export const PROBE_SYMBOL = "dioscope_probe";
export const PROBE_VALUE = 0x0d105c0e;
export const PROBE_LINE = `int ${PROBE_SYMBOL} __attribute__((used)) = ${PROBE_VALUE};`;
/** A line clang rejects. */
export const BROKEN_LINE = `int ${PROBE_SYMBOL} = ;`;

export interface Probe {
  overlay: OverlayFiles;
  /** 1-based line number of the appended line. */
  line: number;
  /** Remove the temporary copy. */
  cleanup(): void;
}

export function probeOverlay(tree: PristineTree, line: string, path = PROBE_FILE): Probe {
  const text = readFileSync(join(tree.root, path), "utf8");
  const dir = mkdtempSync(join(tmpdir(), "dioscope-probe-"));
  const copy = join(dir, basename(path));
  writeFileSync(copy, `${text}${text.endsWith("\n") ? "" : "\n"}${line}\n`);
  return {
    overlay: new Map([[path, copy]]),
    line: text.replace(/\n$/, "").split("\n").length + 1,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The output directory a build of `tree` + `overlay` has (or would have). */
export function buildDir(tree: PristineTree, overlay: OverlayFiles): string {
  return join(wasmDir(), tree.name, buildId({ tree, overlay }, findToolchain().versions));
}

export function discardBuild(tree: PristineTree, overlay: OverlayFiles): void {
  rmSync(buildDir(tree, overlay), { recursive: true, force: true });
  rmSync(kbuildShadow(tree, overlay), { recursive: true, force: true });
}
