// A side worker (pair.ts): runs one side of a case per message and signals
// the waiting caller through the shared flag after posting the answer.
import { workerData, type MessagePort } from "node:worker_threads";
import type { SideReply } from "./pair.ts";
import { exploreCase, type SideOutcome, type SideRequest } from "./suite.ts";

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

port.on("message", (req: SideRequest) => {
  let reply: SideReply<SideOutcome>;
  try {
    reply = { outcome: exploreCase(req.workload, req.kernel, req.o) };
  } catch (e) {
    reply = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
