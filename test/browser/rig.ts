// The service in a temporary data directory and Debian's headless Chromium (driven by playwright-core), set up once
// per browser suite and taken down after it. Suites run only where Chromium is installed, and say so otherwise.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is here; warns once per suite that will be skipped. */
export function haveChromium(suite: string): boolean {
  const found = existsSync(executablePath);
  if (!found) console.warn(`${suite} skipped: no Chromium at ${executablePath} (apt-get install chromium)`);
  return found;
}

export interface BrowserRig {
  app: App;
  browser: Browser;
  /** The service's DATA_DIR. */
  dir: string;
}

/**
 * Starts the service (demo data, PGlite in a fresh DATA_DIR) and Chromium before the suite; `ready` receives both.
 * A script clicks faster than any caseworker, so the per-user flood limit is lifted (its own tests are in
 * test/core/core.test.ts and test/robustness/abuse.test.ts): a fast machine must not turn a tap into "too fast".
 */
export function useBrowserRig(options: Omit<AppOptions, 'logger'>, ready: (rig: BrowserRig) => void): void {
  let dir: string | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-browser-'));
    app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dir }), { logger: createLogger('silent'), rateLimit: { burst: 1e6, perSecond: 1e6 }, ...options });
    browser = await chromium.launch({
      executablePath,
      // As the machine's probe starts it: no sandbox as root, and no background calls to a network that is closed.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    ready({ app, browser, dir });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}
