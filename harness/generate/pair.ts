// The two sides of a case at once: the kernel after the change runs on a
// worker thread while the caller runs the kernel before it, so a case costs
// the slower side on two cores rather than the sum. Each side is the same
// pure function of (workload, kernel, options) wherever it runs (the
// worker runs the same exploreCase), so results are byte for byte those of
// running the sides one after the other. The caller blocks on the answer
// (Atomics.wait + receiveMessageOnPort) and the suite stays synchronous.
import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/** A side worker's answer: the side's outcome, or the error it threw (with the worker's stack). */
export type SideReply<Out> = { outcome: Out } | { error: string };

/** The longest a side may take before the caller gives up on the worker (every run inside it has its own step and hang limits). */
const SIDE_LIMIT_MS = 30 * 60 * 1000;
/** How often the waiting caller wakes to check the clock against the limit. */
const WAIT_SLICE_MS = 1000;

/** Runs `other` (a request to side-worker.ts) on a worker thread and `mine` here, and returns both results. */
export class PairRunner<Req, Out> {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  both(mine: () => Out, other: Req): [Out, Out] {
    const port = this.start();
    Atomics.store(this.flag, 0, 0);
    port.postMessage(other);
    const here = mine();
    return [here, this.answer(port)];
  }

  close(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = null;
    this.port = null;
  }

  private start(): MessagePort {
    if (this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(new URL("./side-worker-entry.mjs", import.meta.url), { workerData: { port: port2, flag: this.flag }, transferList: [port2], execArgv: [] });
    this.worker.unref();
    this.port = port1;
    return port1;
  }

  private answer(port: MessagePort): Out {
    const deadline = Date.now() + SIDE_LIMIT_MS;
    while (Atomics.load(this.flag, 0) === 0) {
      if (Date.now() > deadline) {
        this.close();
        throw new Error(`the side worker gave no answer in ${SIDE_LIMIT_MS / 60000} min`);
      }
      Atomics.wait(this.flag, 0, 0, WAIT_SLICE_MS);
    }
    const got = receiveMessageOnPort(port);
    if (!got) throw new Error("the side worker signalled an answer but sent none");
    const reply = got.message as SideReply<Out>;
    if ("error" in reply) throw new Error(`the side worker failed:\n${reply.error}`);
    return reply.outcome;
  }
}

/** Run the sides of a case at once when the machine has a second core (DIOSCOPE_JOBS=1: one after the other). */
export function pairsInParallel(): boolean {
  const jobs = process.env.DIOSCOPE_JOBS === undefined ? availableParallelism() : Number(process.env.DIOSCOPE_JOBS);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`DIOSCOPE_JOBS must be a whole number >= 1, not ${process.env.DIOSCOPE_JOBS}`);
  return jobs >= 2;
}
