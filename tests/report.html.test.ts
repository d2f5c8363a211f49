// The HTML report of seed 001's check in a real headless Chromium (Debian's
// package, driven by playwright-core): it loads with no network request and
// no script error, the verdict table and the placements say what the check
// found, the before and after timelines of the 001 case render their events
// (the held bio, the breakpoint stall in filemap_write_and_wait_range, the
// kernel's warning) side by side, zoom spreads events by simulated time,
// and a filter hides a kind. Screenshots are kept under the cache's artifacts/ (harness/paths.ts).
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../harness/paths.ts";
import { renderHtml } from "../harness/report/html.ts";
import seed001 from "../harness/scenario/bundled/001-ext4-dio-fallback.ts";
import { check001, type Check001 } from "./support/check001.ts";
import { haveChromium, MISSING_CHROMIUM, openPage, type Session } from "./support/chromium.ts";
import { TEST_TREES } from "./support/built.ts";

export const ARTIFACTS = join(cacheDir(), "artifacts");
const STALE = "Page cache invalidation failure on direct I/O";

describe("report: the HTML page of the 001 check in headless Chromium", function () {
  this.timeout(1_200_000);
  let s: Session;
  let html: string;
  let c001: Check001;
  const errors: string[] = [];

  before(async function () {
    if (!haveChromium()) {
      console.log(`      SKIPPED: ${MISSING_CHROMIUM}`);
      this.skip();
    }
    c001 = await check001();
    html = renderHtml(c001.model);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, "report-001.html"), html);
    s = await openPage(html);
    s.page.on("pageerror", (e) => errors.push(String(e)));
    await s.page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
  });
  after(async () => {
    if (!s) return;
    await s.page.screenshot({ path: join(ARTIFACTS, "report-001.png"), fullPage: true });
    // The 001 case alone (before and after side by side, context switches hidden), for the documentation.
    const id = c001.model.cases.find((c) => c.scenario === seed001.name)!.id;
    const art = s.page.locator(`article.case#${id}`);
    await art.locator("input.filter[value=switch]").uncheck();
    await art.screenshot({ path: join(ARTIFACTS, "report-001-case.png") });
    await s.close();
  });

  it("is self-contained: no request leaves the page, no external reference, no script error", async () => {
    assert.deepEqual(s.requests, []);
    assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//);
    assert.deepEqual(errors, []);
  });

  it("the verdict table: 001's scenario fixed on every tree (fails before, passes after), nothing regressed", async () => {
    const rows = await s.page.$$eval("#verdicts tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!.trim())));
    const mine = rows.filter((r) => r[2] === seed001.name);
    assert.deepEqual(mine.map((r) => r[0]), TEST_TREES);
    for (const r of mine) {
      assert.match(r[3]!, /^fails: /);
      assert.equal(r[4], "passes");
      assert.equal(r[5], "fixed");
      assert.match(r[7]!, new RegExp(`dioscope check patches/001_60a185f54a9e7512\\.txt --tree ${r[0]!.replace(".", "\\.")} --scenario ${seed001.name}`));
    }
    assert.ok(!rows.some((r) => r[5] === "REGRESSED"));
    const placed = await s.page.$$eval("tr.placement", (trs) => trs.map((tr) => [tr.getAttribute("data-tree"), tr.getAttribute("data-status")]));
    assert.deepEqual(placed, TEST_TREES.map((t) => [t, "already-applied"]));
  });

  it("the 001 case: before and after side by side, timelines with the held bio, the stall and the warning in CPU columns", async () => {
    const id = c001.model.cases.find((c) => c.scenario === seed001.name)!.id;
    const art = s.page.locator(`article.case#${id}`);
    await art.scrollIntoViewIfNeeded();
    const before = art.locator(".run[data-side=before] .timeline");
    const after = art.locator(".run[data-side=after] .timeline");
    const [bb, ab] = [await before.boundingBox(), await after.boundingBox()];
    assert.ok(bb && ab && ab.x > bb.x + bb.width - 1, "after is drawn to the right of before");
    assert.equal(await before.locator(".row.head .lane").count(), seed001.cpus, "one column per CPU");
    assert.ok((await before.locator(".row.k-bio.bio-held").count()) >= 1, "A's bio is shown held");
    assert.ok((await before.locator(".row.k-bio.bio-completed").count()) >= 1, "and completed");
    const stall = before.locator(".row.k-stall", { hasText: "filemap_write_and_wait_range" });
    assert.ok((await stall.count()) >= 1, "B's CPU stalls in filemap_write_and_wait_range");
    assert.equal(await stall.first().getAttribute("data-cpu"), "1", "on CPU 1, B's CPU");
    const stallCell = stall.first().locator(".lane.ev");
    assert.ok((await stallCell.boundingBox())!.x > (await before.locator(".row.head .lane").nth(1).boundingBox())!.x - 1, "in the CPU 1 column");
    assert.ok((await before.locator(".row.k-console", { hasText: STALE }).count()) === 1, "the kernel's warning, in time");
    assert.equal(await after.locator(".row.k-console", { hasText: STALE }).count(), 0, "no warning after");
    assert.ok((await before.locator(".row.k-switch .fn").count()) > 0, "kernel function names on switches");
    for (const row of await before.locator(".row:not(.head)").all()) assert.ok(((await row.boundingBox())?.height ?? 0) > 0, "every event row is drawn");
  });

  it("zoom spreads the events by simulated time and back; a filter hides a kind", async () => {
    const id = c001.model.cases.find((c) => c.scenario === seed001.name)!.id;
    const art = s.page.locator(`article.case#${id}`);
    const tl = art.locator(".run[data-side=before] .timeline");
    const h0 = (await tl.boundingBox())!.height;
    for (let i = 0; i < 4; i++) await art.locator("button.zoom-in").click();
    assert.match((await art.locator(".zoom-level").textContent())!, /px\/µs/);
    const h1 = (await tl.boundingBox())!.height;
    assert.ok(h1 > h0 * 1.2, `zoomed in: ${h1} > ${h0}`);
    await art.locator("button.zoom-reset").click();
    assert.ok(Math.abs((await tl.boundingBox())!.height - h0) < 2, "reset gives the order-only height back");
    await art.locator("input.filter[value=switch]").uncheck();
    assert.equal(await tl.locator(".row.k-switch").first().isVisible(), false);
    await art.locator("input.filter[value=switch]").check();
    assert.equal(await tl.locator(".row.k-switch").first().isVisible(), true);
  });
});
