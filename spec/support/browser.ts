import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";

/** Debian's chromium; nothing in this project downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Starts chromium with a fresh profile. A machine without it fails the browser tests (it does
 * not skip them): provision/install.sh installs the package.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Debian's chromium at ${CHROMIUM}, which is missing: ` +
        "install it with `apt-get install chromium` (provision/install.sh does), " +
        "or set CHROMIUM_PATH to another chromium",
    );
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "vowelgraph-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, `--user-data-dir=${profile}`],
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
