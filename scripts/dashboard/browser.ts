/**
 * Headless Chromium for the dashboard's screenshots and browser test: the distribution's `chromium`
 * (Debian: `apt-get install chromium`) driven by playwright-core, which ships no browser of its own.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ViewName } from './api-types.js';

/** Where a system Chromium is looked for, after `CHROMIUM_PATH`. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/**
 * The Chromium executable: `CHROMIUM_PATH`, else the first of {@link CHROMIUM_CANDIDATES} that exists.
 * @throws naming what to install when there is none.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (looked for ${CHROMIUM_CANDIDATES.join(', ')}): install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  return found;
}

/** Launches headless Chromium (`--no-sandbox` when running as root, where Chromium's sandbox refuses to start). */
export function launchChromium(): Promise<Browser> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: findChromium(), headless: true, args: asRoot ? ['--no-sandbox'] : [] });
}

/** A page of 1440×900 CSS pixels in UTC (so screenshots do not depend on the machine's zone). */
export async function newDashboardPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-US', colorScheme: 'dark' });
  return context.newPage();
}

/**
 * Opens `view` at `baseUrl` with the range `[from, to)` and auto-refresh off, and waits until the
 * view has been drawn (or has shown its empty state) and no panel is still loading. The URL already
 * shown is loaded again (as the refresh button does).
 */
export async function openView(page: Page, baseUrl: string, view: ViewName, from: string, to: string, extra: Record<string, string> = {}): Promise<void> {
  const target = `${baseUrl}#/${view}?${new URLSearchParams({ from, to, refresh: '0', ...extra })}`;
  const current = page.url();
  const sameDocument = current.split('#')[0] === target.split('#')[0];
  const before = sameDocument ? Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0) : 0;
  if (current === target) await page.click('#reload');
  else await page.goto(target);
  await waitForLoad(page, view, before);
}

/** Waits until the page has finished more than `after` loads of `view`, and its panels are drawn. */
export async function waitForLoad(page: Page, view: ViewName, after: number): Promise<void> {
  await page.waitForFunction(
    ([v, n]) => {
      const b = document.body;
      if (b.dataset.loading !== 'false' || b.dataset.view !== v || Number(b.dataset.loaded ?? 0) <= (n as number)) return false;
      return ![...document.querySelectorAll(`.grid[data-view="${v}"] [data-panel]`)].some((p) => (p as HTMLElement).dataset.state === 'loading') || !document.querySelector('#empty')!.hasAttribute('hidden');
    },
    [view, after] as const,
  );
  // Let ECharts finish its 300 ms entry animation.
  await page.waitForTimeout(600);
}
