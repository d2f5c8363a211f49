// Progress of the long steps on a terminal: the check's step lines stay,
// the current sub-step (a build phase, schedules explored so far and how
// many remain) is one status line rewritten in place. Silent when the
// stream is not a terminal or the output is JSON: nothing is written.

export interface Progress {
  /** A step of the check ("[6.12] 001: building after"): printed and kept. */
  step(text: string): void;
  /** A sub-step of the current step ("asyncify ..."): shown on the status line. */
  detail(text: string): void;
  /** How far a counted sub-step is (schedules explored, ...). */
  tick(what: string, done: number, total: number): void;
  /** Clears the status line. */
  end(): void;
  /** For callers that log lines: indented lines are sub-steps, others are steps. */
  log(line: string): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

const DEFAULT_COLUMNS = 100;
const CLEAR_LINE = "\r\x1b[K";

export const SILENT: Progress = { step() {}, detail() {}, tick() {}, end() {}, log() {} };

export function terminalProgress(stream: ProgressStream, o: { json?: boolean } = {}): Progress {
  if (!stream.isTTY || o.json) return SILENT;
  let status = "";
  const fit = (s: string) => {
    const cols = Math.max(20, (stream.columns ?? DEFAULT_COLUMNS) - 1);
    return s.length > cols ? s.slice(0, cols - 1) + "…" : s;
  };
  const show = (s: string) => {
    status = s;
    stream.write(CLEAR_LINE + fit(s));
  };
  const p: Progress = {
    step(text) {
      stream.write(`${CLEAR_LINE}${text}\n`);
      if (status) stream.write(fit(status));
    },
    detail(text) {
      show(`  … ${text.trim()}`);
    },
    tick(what, done, total) {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      show(`  … ${what}: ${done}/${total} (${pct}%), ${Math.max(0, total - done)} to go`);
    },
    end() {
      if (status) stream.write(CLEAR_LINE);
      status = "";
    },
    log(line) {
      if (/^\s/.test(line)) p.detail(line);
      else {
        status = "";
        p.step(line);
      }
    },
  };
  return p;
}
