// Completion accounting: every asynchronous request of the run (agent
// kiocb, AIO iocb, io_uring SQE) completes exactly once, and nothing
// completes that was never asked for. The after-run probe reaps what the
// scenario left on the rings, so an unreaped completion is not a lost one.
import type { AioEventEntry, CqeEntry } from "../agent/journal.ts";
import type { FileOp } from "./ops.ts";

export interface CompletionFailure {
  op: string;
  detail: string;
}

export function completionAccounting(ops: readonly FileOp[], strayCqes: readonly CqeEntry[], strayEvents: readonly AioEventEntry[], runFromCmd: number): CompletionFailure[] {
  const out: CompletionFailure[] = [];
  for (const op of ops) {
    if (!op.inRun) continue;
    const what = `${op.api} ${op.kind} of ${op.len ?? "?"} at ${op.off ?? "pos"} on ${op.file ?? `fd ${op.fd}`}`;
    if (op.asynchronous && op.completions === 0) out.push({ op: op.id, detail: `${what} never completed` });
    else if (op.completions > 1) out.push({ op: op.id, detail: `${what} completed ${op.completions} times` });
    // A synchronous call that never returned is the hang (or crash) the machine reports.
  }
  for (const q of strayCqes) if (q.cmd >= runFromCmd) out.push({ op: `cqe@#${q.cmd}`, detail: `ring ${q.ring} posted a CQE (user_data ${q.userData}, res ${q.res}) for no outstanding SQE` });
  for (const e of strayEvents) if (e.cmd >= runFromCmd) out.push({ op: `event@#${e.cmd}`, detail: `AIO context ${e.ctx} returned an event (iocb 0x${e.obj.toString(16)}, res ${e.res}) for no outstanding iocb` });
  return out;
}
