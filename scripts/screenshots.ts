/**
 * `npm run screenshots`: the README's pictures. docs/status-page.png is the screenshot the browser
 * test takes of the status page (test/scenarios/statusPageBrowser.test.ts, run here); and
 * docs/workbook-layout.png is a screenshot of a local preview of the workbook's layout
 * (scripts/workbookPreview.ts). Both with Debian's Chromium (scripts/chromium.ts).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.js';
import { renderWorkbookPreview } from './workbookPreview.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const docs = join(root, 'docs');
const artifacts = join(root, 'test-artifacts');

const test = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/scenarios/statusPageBrowser.test.ts'], { cwd: root, stdio: 'inherit' });
if (test.status !== 0) throw new Error('the browser test failed: no screenshot of the status page');
copyFileSync(join(artifacts, 'status-page.png'), join(docs, 'status-page.png'));
console.log(`docs/status-page.png (from ${join('test-artifacts', 'status-page.png')})`);

mkdirSync(artifacts, { recursive: true });
const preview = join(artifacts, 'workbook-layout.html');
writeFileSync(preview, renderWorkbookPreview(JSON.parse(readFileSync(join(root, 'infra', 'workbook.json'), 'utf8')) as Parameters<typeof renderWorkbookPreview>[0]));
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1232, height: 800 });
  await page.goto(pathToFileURL(preview).href);
  await page.screenshot({ path: join(docs, 'workbook-layout.png'), fullPage: true });
  console.log('docs/workbook-layout.png (from infra/workbook.json)');
} finally {
  await browser.close();
}
