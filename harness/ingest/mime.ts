// Mail decoding by postal-mime (MIME structure, quoted-printable, base64, RFC 2047 headers,
// every charset TextDecoder knows), called synchronously: ingestion is synchronous, the
// library is not, so a worker parses and this thread waits on a shared word (bounded).
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { IngestError } from "./types.ts";

export interface DecodedMail {
  /** header name (lower case) -> first value, decoded */
  headers: Map<string, string>;
  /** the text body and every text/x-patch or text/x-diff part, decoded */
  body: string;
}

/** Longest a batch of messages may take to decode. */
export const MIME_TIMEOUT_MS = 30000;

let worker: Worker | undefined;

function theWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL("./mime-worker.mjs", import.meta.url));
    worker.unref();
  }
  return worker;
}

/** Decode raw messages (their bytes as received). */
export function decodeMails(raws: Uint8Array[]): DecodedMail[] {
  if (raws.length === 0) return [];
  const word = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    theWorker().postMessage({ port: port2, word, raws }, [port2]);
    if (Atomics.wait(word, 0, 0, MIME_TIMEOUT_MS) === "timed-out") throw new IngestError(`mail decoding took more than ${MIME_TIMEOUT_MS} ms`, "parse");
    const got = receiveMessageOnPort(port1)?.message as ({ headers: [string, string][]; body: string } | { error: string })[] | undefined;
    if (!got || got.length !== raws.length) throw new IngestError("mail decoding returned no answer", "parse");
    return got.map((m, k) => {
      if ("error" in m) throw new IngestError(`message ${k + 1}: cannot decode: ${m.error}`, "parse");
      const headers = new Map<string, string>();
      for (const [key, value] of m.headers) if (!headers.has(key.toLowerCase())) headers.set(key.toLowerCase(), value.replace(/\s+/g, " ").trim());
      return { headers, body: m.body.replace(/\r\n/g, "\n") };
    });
  } finally {
    port1.close();
  }
}
