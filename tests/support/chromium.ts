// Debian's headless Chromium driven by playwright-core: no downloaded
// browser, no network, a fresh profile (user data dir) per launch.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.DIOSCOPE_CHROMIUM ?? "/usr/bin/chromium";

export const MISSING_CHROMIUM =
  `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium chromium-driver); ` + "build.sh's package list should include chromium so npm test runs the HTML report test";

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** URLs the page tried to fetch (a self-contained report fetches nothing). */
  requests: string[];
  close(): Promise<void>;
}

export async function openPage(html: string, viewport = { width: 1600, height: 1000 }): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), "dioscope-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  await page.route("**/*", (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  await page.setContent(html, { waitUntil: "load" });
  return {
    context,
    page,
    requests,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
