import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). Never a browser a library downloads. */
export const CHROMIUM = '/usr/bin/chromium';

const found = (): boolean => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** True when the browser is installed. Under CI=true a missing browser must fail the tests, not skip them. */
export const browserAvailable = found();
export const skipBrowserTests = !browserAvailable && process.env['CI'] !== 'true';

/** A headless browser on a fresh profile, closed with `close()`. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Debian's chromium through playwright-core on a fresh user-data folder, with no network beyond the page
 * itself: no first-run, sync, component updates or background requests.
 *
 * @throws Error when the browser is missing (the caller decides whether that skips or fails)
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!browserAvailable) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const profile = await mkdtemp(join(tmpdir(), 'cni-fleet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
