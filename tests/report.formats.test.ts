// The machine-readable check formats (b4's review check JSON, patchwork's
// check fields) against their schemas and the verdict → status rules; the
// patchwork poster against a stub REST server on 127.0.0.1 that checks
// every request; terminal progress only on a terminal.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../harness/paths.ts";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { toB4, toPatchwork, type B4Check, type PatchworkCheck } from "../harness/report/checks.ts";
import { postChecks, PatchworkError } from "../harness/report/patchwork-post.ts";
import { emitReport, REPORT_FLAGS, reportRequest } from "../harness/report/outputs.ts";
import { terminalProgress } from "../harness/report/progress.ts";
import { syntheticModel } from "./support/report-model.ts";

/** b4 review-perpatch-check-cmd: a JSON array of {tool, status: pass|warn|fail, summary, url, details}. */
function assertB4Schema(v: unknown): asserts v is B4Check[] {
  assert.ok(Array.isArray(v), "a JSON array");
  for (const c of v as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(c).sort(), ["details", "status", "summary", "tool", "url"]);
    for (const k of ["tool", "summary", "url", "details"]) assert.equal(typeof c[k], "string", `${k} is a string`);
    assert.ok(["pass", "warn", "fail"].includes(c.status as string), `status ${c.status}`);
    assert.ok((c.tool as string).length > 0);
    assert.ok(!(c.summary as string).includes("\n"), "summary is one line");
  }
}

/** patchwork checks: context (slug), state pending|success|warning|fail, description, target_url (URL or null). */
function assertPatchworkSchema(v: unknown): asserts v is PatchworkCheck[] {
  assert.ok(Array.isArray(v), "a JSON array");
  for (const c of v as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(c).sort(), ["context", "description", "state", "target_url"]);
    assert.match(c.context as string, /^[-a-zA-Z0-9_]+$/, "context is a slug");
    assert.ok(["pending", "success", "warning", "fail"].includes(c.state as string), `state ${c.state}`);
    assert.equal(typeof c.description, "string");
    assert.ok(c.target_url === null || /^https?:\/\//.test(c.target_url as string), "target_url is a URL or null");
  }
}

describe("report: b4 and patchwork formats", () => {
  it("b4: one result per tree, fail on a regression, pass when fixed, warn otherwise; survives JSON", () => {
    const b4 = JSON.parse(JSON.stringify(toB4(syntheticModel(), { url: "https://ci.example.org/r/1.html" })));
    assertB4Schema(b4);
    assert.deepEqual(b4.map((c) => [c.tool, c.status]), [["dioscope 6.1", "pass"], ["dioscope 6.12", "fail"], ["dioscope 7.0", "warn"]]);
    assert.equal(b4[0]!.url, "https://ci.example.org/r/1.html");
    assert.match(b4[1]!.details, /dioscope replay ds1\.AAAA/, "the replay token is in the details");
    assert.match(b4[0]!.details, /dioscope check mail\.txt --tree 6\.1 --scenario scenario-fixed/);
  });

  it("patchwork: slug contexts, success / fail / warning states, no URL without a report", () => {
    const pw = JSON.parse(JSON.stringify(toPatchwork(syntheticModel())));
    assertPatchworkSchema(pw);
    assert.deepEqual(pw.map((c) => [c.context, c.state, c.target_url]), [["dioscope-6-1", "success", null], ["dioscope-6-12", "fail", null], ["dioscope-7-0", "warning", null]]);
    assert.equal(pw[2]!.description, "7.0: 1 no effect, 1 not applicable");
  });
});

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  type: string | undefined;
  body: string;
}

async function stub(): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const read = (req: IncomingMessage) => new Promise<string>((ok) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => ok(b));
  });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers["content-type"], body });
    const reply = (status: number, v: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(v));
    };
    if (req.method === "GET" && req.url === "/api/patches/?project=linux-ext4&msgid=20260626083518.1064517-3-libaokun%40linux.alibaba.com") return reply(200, [{ id: 4242 }]);
    if (req.method === "POST" && req.url === "/api/patches/4242/checks/") {
      if (req.headers.authorization !== "Token s3cret") return reply(403, { detail: "bad token" });
      const c = JSON.parse(body) as Record<string, string>;
      if (!/^[-a-zA-Z0-9_]+$/.test(c.context ?? "") || !["pending", "success", "warning", "fail"].includes(c.state ?? "")) return reply(400, { detail: "bad check" });
      return reply(201, { id: seen.length, url: `/api/patches/4242/checks/${seen.length}/`, ...c });
    }
    reply(404, { detail: "not found" });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("report: posting to patchwork's REST API (stub server on 127.0.0.1)", () => {
  let s: Awaited<ReturnType<typeof stub>>;
  before(async () => (s = await stub()));
  after(() => s.server.close());
  beforeEach(() => (s.seen.length = 0));

  it("looks the patch up by Message-ID, then POSTs each check as JSON with the token", async () => {
    const checks = toPatchwork(syntheticModel(), { url: "https://ci.example.org/r/1.html" });
    const r = await postChecks({ server: s.base + "/", token: "s3cret", project: "linux-ext4", msgid: "<20260626083518.1064517-3-libaokun@linux.alibaba.com>" }, checks);
    assert.equal(r.patchId, 4242);
    assert.equal(r.created.length, 3);
    assert.equal(s.seen[0]!.method, "GET");
    const posts = s.seen.slice(1);
    assert.deepEqual(posts.map((p) => [p.method, p.url, p.auth, p.type]), checks.map(() => ["POST", "/api/patches/4242/checks/", "Token s3cret", "application/json"]));
    assert.deepEqual(posts.map((p) => JSON.parse(p.body)), checks.map((c) => ({ context: c.context, state: c.state, description: c.description, target_url: c.target_url })));
  });

  it("with the patch id, no look-up; a rejected token is an error naming the HTTP status", async () => {
    await assert.rejects(postChecks({ server: s.base, token: "wrong", patchId: 4242 }, toPatchwork(syntheticModel())), (e: Error) => e instanceof PatchworkError && /HTTP 403/.test(e.message));
    assert.deepEqual(s.seen.map((x) => x.method), ["POST"]);
  });

  it("an unknown Message-ID is an error, and nothing is posted", async () => {
    await assert.rejects(postChecks({ server: s.base, token: "s3cret", project: "linux-ext4", msgid: "nope@x" }, toPatchwork(syntheticModel())), PatchworkError);
    assert.ok(s.seen.every((x) => x.method === "GET"));
  });
});

describe("report: terminal progress", () => {
  const sink = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, columns: 40, write: (x: string) => out.push(x) > 0 } };
  };

  it("on a terminal: steps stay, sub-steps and counts rewrite one status line, cut to the width", () => {
    const { out, stream } = sink(true);
    const p = terminalProgress(stream);
    p.log("[6.12] 001: building after");
    p.log("  asyncify …");
    p.tick("PCT schedules", 150, 300);
    p.end();
    const text = out.join("");
    assert.match(text, /\[6\.12\] 001: building after\n/);
    assert.match(text, /\r\x1b\[K  … asyncify …/);
    assert.match(text, /PCT schedules: 150\/300 \(50%\)/);
    for (const piece of out) for (const line of piece.split("\n")) assert.ok(line.replace("\r\x1b[K", "").length <= 39, `"${line}" fits 40 columns`);
  });

  it("quiet when not a terminal, and with --json", () => {
    for (const [tty, json] of [[false, false], [true, true]] as const) {
      const { out, stream } = sink(tty);
      const p = terminalProgress(stream, { json });
      p.log("[6.12] step");
      p.tick("x", 1, 2);
      p.end();
      assert.deepEqual(out, []);
    }
  });
});

describe("report: the b4 check command wrapper", () => {
  const script = join(repoRoot, "harness/report/b4-check.sh");
  /** A stand-in for dioscope: records its arguments and the mail it was given, prints JSON, exits with STUB_RC. */
  const stubCli = `node -e 'const fs=require("fs");const a=process.argv.slice(1);fs.writeFileSync(process.env.STUB_OUT,JSON.stringify({a,mail:fs.readFileSync(a[1],"utf8")}));console.log(JSON.stringify([{tool:"dioscope 6.12",status:"fail",summary:"s",url:"",details:""}]));process.exit(Number(process.env.STUB_RC))'`;

  for (const rc of [0, 1])
    it(`pipes the mail from stdin into dioscope check --format b4 and prints its JSON (check exit ${rc})`, () => {
      const out = join(mkdtempSync(join(tmpdir(), "b4-")), "seen.json");
      const mail = readFileSync(join(repoRoot, "patches/001_60a185f54a9e7512.txt"), "utf8");
      const r = spawnSync("sh", [script], { input: mail, encoding: "utf8", env: { ...process.env, DIOSCOPE_CMD: stubCli, DIOSCOPE_CHECK_ARGS: "--base 6.12", STUB_OUT: out, STUB_RC: String(rc) } });
      assert.equal(r.status, 0, r.stderr);
      assertB4Schema(JSON.parse(r.stdout));
      const seen = JSON.parse(readFileSync(out, "utf8")) as { a: string[]; mail: string };
      assert.deepEqual([seen.a[0], ...seen.a.slice(2)], ["check", "--base", "6.12", "--format", "b4"]);
      assert.equal(seen.mail, mail);
    });

  it("unusable input (exit 2): no JSON, the error on stderr, exit 2", () => {
    const r = spawnSync("sh", [script], { input: "x", encoding: "utf8", env: { ...process.env, DIOSCOPE_CMD: `sh -c 'echo "dioscope: no patch found" >&2; exit 2' --` } });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /no patch found/);
  });
});

describe("report: the report flags", () => {
  const parse = (args: string[]) => reportRequest(parseArgs({ args, options: REPORT_FLAGS, strict: true }).values);

  it("parse with util.parseArgs into a request", () => {
    assert.deepEqual(parse(["--html", "r.html", "--format", "b4", "--report-url", "https://ci.example.org/r.html"]), {
      htmlPath: "r.html",
      reply: false,
      format: "b4",
      testedBy: null,
      reportUrl: "https://ci.example.org/r.html",
    });
    assert.deepEqual(parse(["--reply", "--tested-by", "A Person <a@example.org>"]), { htmlPath: null, reply: true, format: null, testedBy: "A Person <a@example.org>", reportUrl: null });
  });

  it("refuse what cannot be meant", () => {
    for (const bad of [["--format", "junit"], ["--reply", "--format", "b4"], ["--tested-by", "someone"], ["--report-url", "file:///x"]]) assert.ok("error" in parse(bad), bad.join(" "));
  });

  it("emit: the format's JSON or the reply on stdout, the HTML to its file", () => {
    const dir = mkdtempSync(join(tmpdir(), "emit-"));
    const r = parse(["--html", join(dir, "r.html"), "--format", "patchwork"]);
    assert.ok(!("error" in r));
    const out = emitReport(syntheticModel(), r, () => "");
    assertPatchworkSchema(JSON.parse(out!));
    assert.match(readFileSync(join(dir, "r.html"), "utf8"), /^<!doctype html>/);
    assert.equal(emitReport(syntheticModel(), { ...r, htmlPath: null, format: null }, () => ""), null, "KTAP stays the default");
  });
});
