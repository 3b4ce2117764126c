/**
 * Headless Chromium for the browser tests: Debian's `chromium`, driven by
 * playwright-core (which never downloads a browser), with a fresh profile.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";

export const CHROMIUM = process.env.CONVLAB_CHROMIUM ?? "/usr/bin/chromium";

export interface Browser {
  context: BrowserContext;
  /** A new page whose console warnings and errors are collected. */
  page(): Promise<{ page: Page; console: ConsoleMessage[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it).`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), "convlab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-breakpad", "--disable-crash-reporter"],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async page() {
      const page = await context.newPage();
      const messages: ConsoleMessage[] = [];
      page.on("console", (message) => {
        if (message.type() === "warning" || message.type() === "error") messages.push(message);
      });
      return { page, console: messages };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
