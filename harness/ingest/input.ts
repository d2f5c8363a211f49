// Reading untrusted input files: regular files only, bounded size, gzip transparently.
import { openSync, fstatSync, readSync, closeSync, statSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { gunzipSync } from "node:zlib";
import { IngestError } from "./types.ts";

/** Largest input accepted (compressed or not) and largest decompressed text. */
export const LIMITS = {
  maxInputBytes: 16 * 1024 * 1024,
  maxTextBytes: 32 * 1024 * 1024,
  maxHunks: 5000,
};

/** Text of an input and how to get its bytes back (mail decoding needs the bytes as received). */
export interface InputText {
  text: string;
  /** the encoding that turns any substring of `text` back into the input's bytes */
  encoding: "utf8" | "latin1";
}

export function readInputFile(path: string): InputText {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new IngestError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, "no-patch");
  }
  if (!st.isFile()) {
    const what = st.isDirectory() ? "a directory" : st.isCharacterDevice() || st.isBlockDevice() ? "a device file" : st.isFIFO() ? "a FIFO" : "not a regular file";
    throw new IngestError(`refused: input ${path} is ${what}; give a patch file`, "not-regular-file");
  }
  if (st.size > LIMITS.maxInputBytes)
    throw new IngestError(`refused: input ${path} is ${st.size} bytes, more than the limit of ${LIMITS.maxInputBytes}`, "too-large");
  const fd = openSync(path, "r");
  let buf: Buffer;
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw new IngestError(`refused: input ${path} is not a regular file`, "not-regular-file");
    buf = Buffer.alloc(Math.min(fst.size, LIMITS.maxInputBytes) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r <= 0) break;
      n += r;
      if (n > LIMITS.maxInputBytes) throw new IngestError(`refused: input ${path} grew past ${LIMITS.maxInputBytes} bytes while reading`, "too-large");
    }
    buf = buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
  return decodeInput(buf, path);
}

export function decodeInput(buf: Buffer, name: string): InputText {
  if (buf.length > LIMITS.maxInputBytes) throw new IngestError(`refused: input ${name} is ${buf.length} bytes, more than the limit of ${LIMITS.maxInputBytes}`, "too-large");
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: LIMITS.maxTextBytes });
    } catch (e) {
      const msg = String((e as Error).message);
      if (/maxOutputLength|buffer|Cannot create a Buffer/i.test(msg) || (e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
        throw new IngestError(`refused: ${name} decompresses to more than ${LIMITS.maxTextBytes} bytes`, "too-large");
      throw new IngestError(`cannot gunzip ${name}: ${msg}`, "parse");
    }
  }
  if (buf.length > LIMITS.maxTextBytes) throw new IngestError(`refused: ${name} is more than ${LIMITS.maxTextBytes} bytes of text`, "too-large");
  const nul = buf.indexOf(0);
  if (nul >= 0) throw new IngestError(`refused: ${name} contains NUL bytes (offset ${nul}); it is binary, not a patch`, "binary");
  // not UTF-8 (an 8bit mail in another charset): one character per byte, so nothing is lost
  const utf8 = isUtf8(buf);
  return { text: buf.toString(utf8 ? "utf8" : "latin1").replace(/\r\n/g, "\n"), encoding: utf8 ? "utf8" : "latin1" };
}
