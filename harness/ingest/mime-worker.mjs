// Worker side of mime.ts: parses raw messages with postal-mime (MIME structure,
// quoted-printable, base64, RFC 2047 headers, charsets) and answers through a
// MessagePort, waking the caller that waits on the shared word.
import { parentPort } from "node:worker_threads";
import PostalMime, { decodeWords } from "postal-mime";

const TEXT_PART = /^(text\/(plain|x-patch|x-diff)|application\/(x-patch|x-diff))$/i;

parentPort.on("message", async ({ port, word, raws }) => {
  const out = [];
  for (const raw of raws) {
    try {
      const e = await PostalMime.parse(raw, { attachmentEncoding: "utf8" });
      const parts = [e.text ?? ""];
      for (const a of e.attachments ?? []) if (TEXT_PART.test(a.mimeType)) parts.push(typeof a.content === "string" ? a.content : new TextDecoder().decode(a.content));
      out.push({ headers: e.headers.map((h) => [h.key, decodeWords(h.value)]), subject: e.subject ?? "", body: parts.join("\n") });
    } catch (err) {
      out.push({ error: String(err?.message ?? err) });
    }
  }
  port.postMessage(out);
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
});
