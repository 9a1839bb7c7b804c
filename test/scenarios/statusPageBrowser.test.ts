/**
 * The status page in a real browser: Debian's headless Chromium (playwright-core; installed by
 * scripts/ensure-chromium.sh when missing) loads the page the `status` function serves from what
 * a real scan of the sandbox estate stored, and checks what a person sees: the drifting
 * workload's row, the pending countdown, the failed cluster flagged, a hostile name shown as
 * text (and run as nothing), the stylesheet applied under the page's Content-Security-Policy,
 * contrast, keyboard use and a phone's width. Screenshots go to test-artifacts/ (status-page.png
 * is what `npm run screenshots` copies into docs/).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from '../../scripts/chromium.js';
import { statusHandler } from '../../src/functions/status.js';
import { serveFunction, type FunctionServer } from '../support/functionServer.js';
import { HOSTILE_CHANNEL, HOSTILE_WORKLOAD, startStatusEstate, type StatusEstate } from '../support/statusEstate.js';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const savedEnv = { ...process.env };
let estate: StatusEstate;
let server: FunctionServer;
let browser: Chromium;
let page: Page;
const requested: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  estate = await startStatusEstate();
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|STATE_|APPLICATIONINSIGHTS_)/.test(key)) delete process.env[key];
  Object.assign(process.env, estate.env);
  server = await serveFunction('status', statusHandler);
  page = await browser.context.newPage();
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => problems.push(`dialog: ${d.message()}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${server.url}/api/status?code=function-key`);
}, 300_000);

afterAll(async () => {
  process.env = savedEnv;
  await browser?.close();
  await server?.close();
  await estate?.close();
});

/**
 * Contrast ratios under 4.5:1 of every visible element with text of its own, against the
 * background it shows on. Runs in the page, so it is plain JavaScript: the project compiles
 * without the DOM's types, which would make `document` look valid in the app's own code.
 */
const LOW_CONTRAST = `(() => {
  const rgba = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!ownText || box.width === 0 || box.height === 0) continue;
    const fg = luminance(rgba(getComputedStyle(el).color));
    const bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) found.push(el.tagName.toLowerCase() + '.' + el.className + ' "' + el.textContent.trim().slice(0, 40) + '": ' + ratio.toFixed(2));
  }
  return found;
})()`;

const lowContrast = (target: Page) => target.evaluate(LOW_CONTRAST) as Promise<string[]>;

describe('the status page in Chromium', () => {
  it('shows the drifting workload in its row: status, how long, team channel, running and newest image', async () => {
    const row = page.getByRole('table', { name: /longest lag first/ }).getByRole('row', { name: /payments-worker/ });
    await expect(row.textContent()).resolves.toMatch(/payments-worker.*container worker.*Drift.*2h.*sandbox-aks \/ payments.*payments-alerts.*payments\/worker:prod-456.*prod-789/s);
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
    expect(await row.getByRole('cell', { name: /^payments-alerts$/ }).isVisible()).toBe(true);
  });

  it('shows the pending workload with the time left before it counts', async () => {
    const row = page.getByRole('table', { name: /grace period/ }).getByRole('row', { name: /search-indexer/ });
    expect(await row.textContent()).toMatch(/in (1m( \d+s)?|\d+s|2m)\b/);
  });

  it('flags the cluster that could not be scanned, failed clusters first, with the reason', async () => {
    const clusters = page.getByRole('table', { name: /latest scan of each cluster/ });
    const first = clusters.getByRole('row').nth(1);
    expect(await first.textContent()).toMatch(/offline-aks.*Failed.*(ECONNREFUSED|connect)/s);
    expect(await first.getByText('Failed', { exact: true }).isVisible()).toBe(true);
    expect(await page.evaluate("getComputedStyle(document.querySelector('tbody .badge.failed')).backgroundColor")).toBe('rgb(166, 27, 18)');
    await expect(page.getByText(/1\s*failed at their latest scan/).isVisible()).resolves.toBe(true);
  });

  it('shows a hostile name as the text it is, and runs nothing', async () => {
    expect(await page.getByText(HOSTILE_WORKLOAD, { exact: false }).first().isVisible()).toBe(true);
    expect(await page.getByText(HOSTILE_CHANNEL, { exact: false }).first().isVisible()).toBe(true);
    expect(await page.title()).toBe('acr-aks-sync status');
    expect(await page.locator('img, script, iframe, object').count()).toBe(0);
    expect(problems).toEqual([]);
    expect(requested).toEqual([`${server.url}/api/status?code=function-key`]);
  });

  it('is accessible: its language, a skip link, captioned tables with header scopes, and text contrast of at least 4.5:1', async () => {
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    for (const table of await page.locator('table').all()) expect(await table.locator('caption').count()).toBe(1);
    expect(await page.locator('thead th:not([scope="col"])').count()).toBe(0);
    expect(await page.locator('tbody th:not([scope="row"])').count()).toBe(0);
    await page.keyboard.press('Tab');
    const skip = page.locator(':focus');
    expect(await skip.textContent()).toBe('Skip to the clusters and workloads');
    expect(await skip.isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    expect(await lowContrast(page)).toEqual([]);
  });

  it('fits a phone: no sideways scrolling, each row a card that names its columns', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate('document.activeElement.blur()');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const label = `(() => {
      const cell = [...document.querySelectorAll('td[data-label="Team channel"]')].find((td) => td.textContent === 'payments-alerts');
      return getComputedStyle(cell, '::before').content;
    })()`;
    expect(await page.evaluate(label)).toBe('"Team channel: "');
    expect(await lowContrast(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-phone.png'), fullPage: true });
  });
});
