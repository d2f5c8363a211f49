// The console: what printk writes through the arch console, line by line,
// each line stamped with the simulated time at which it began.

export interface ConsoleLine {
  timeNs: number;
  cpu: number;
  text: string;
}

export class ConsoleLog {
  lines: ConsoleLine[] = [];
  private partial: ConsoleLine | null = null;
  /** Called for every completed line (e.g. to print the call chain on WARNING:). */
  onLine: ((l: ConsoleLine) => void) | null = null;

  write(text: string, timeNs: number, cpu: number): void {
    let rest = text;
    while (rest.length) {
      const nl = rest.indexOf("\n");
      const piece = nl < 0 ? rest : rest.slice(0, nl);
      if (!this.partial) this.partial = { timeNs, cpu, text: "" };
      this.partial.text += piece;
      if (nl < 0) break;
      const done = this.partial;
      this.partial = null;
      this.lines.push(done);
      this.onLine?.(done);
      rest = rest.slice(nl + 1);
    }
  }

  /** All text so far (including an unfinished line) with simulated timestamps. */
  text(stamp: (t: number) => string): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.map((l) => stamp(l.timeNs) + l.text).join("\n");
  }

  /** Lines since index `from` that contain `needle`. */
  grep(needle: string | RegExp, from = 0): ConsoleLine[] {
    return this.lines.slice(from).filter((l) => (typeof needle === "string" ? l.text.includes(needle) : needle.test(l.text)));
  }

  save(): { lines: ConsoleLine[]; partial: ConsoleLine | null } {
    return { lines: [...this.lines], partial: this.partial && { ...this.partial } };
  }
  load(s: { lines: ConsoleLine[]; partial: ConsoleLine | null }): void {
    this.lines = [...s.lines];
    this.partial = s.partial && { ...s.partial };
  }
}
