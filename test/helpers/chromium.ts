import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

/** Debian's Chromium, installed by scripts/install-test-tools.sh (`npm test`'s pretest, CI). */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface HeadlessChromium {
  page: Page;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Headless Chromium with a throwaway profile and one page of the given size. */
export async function openChromium(viewport: { width: number; height: number }): Promise<HeadlessChromium> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'ops-chromium-'));
  try {
    const browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
    const page = browser.pages()[0] ?? (await browser.newPage());
    return {
      page,
      async close() {
        await browser.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}
