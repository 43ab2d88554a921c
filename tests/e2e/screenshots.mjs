// Screenshots of the popup (on a product page) and the options page, light and
// dark, for the README: docs/screenshots/{popup,options}-{light,dark}.png.
//
//   node tests/e2e/screenshots.mjs [OUT_DIR]
//
// Uses the same local shop and Chromium as the end-to-end tests (dist/ must be built).
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startShop, repoRoot, ERA_D } from './lib/shop.mjs';
import { launch } from './lib/browser.mjs';

const out = resolve(process.argv[2] || join(repoRoot, 'docs/screenshots'));
mkdirSync(out, { recursive: true });
const shop = await startShop();
const downloads = mkdtempSync(join(tmpdir(), 'alisave-shots-'));
const browser = await launch({ port: shop.port, downloadDir: downloads });
const written = [];
try {
  const product = `https://www.aliexpress.com/item/${ERA_D.id}.html`;
  const page = await browser.ctx.newPage();
  await page.goto(product);
  await page.waitForFunction(() => document.documentElement.dataset.mtop);
  await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const sw = await browser.worker();
  const tab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, product);
  const base = `chrome-extension://${browser.extensionId}`;

  for (const scheme of ['light', 'dark']) {
    const popup = await browser.ctx.newPage();
    // A popup is as tall as its content: a short viewport, then the full page.
    await popup.setViewportSize({ width: 420, height: 200 });
    await popup.emulateMedia({ colorScheme: scheme });
    await popup.goto(`${base}/popup.html?tab=${tab}`);
    await popup.locator('[data-testid="counts"]').waitFor();
    await popup.locator('details.quick summary').click();
    await popup.locator('[data-testid="name-sample"]').waitFor();
    await popup.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => {}))));
    await popup.evaluate(() => document.activeElement?.blur());
    const file = join(out, `popup-${scheme}.png`);
    await popup.screenshot({ path: file, fullPage: true });
    written.push(file);
    await popup.close();

    const options = await browser.ctx.newPage();
    await options.setViewportSize({ width: 900, height: 900 });
    await options.emulateMedia({ colorScheme: scheme });
    await options.goto(`${base}/options.html`);
    await options.locator('[data-testid="preview"]').waitFor();
    await options.locator('details.placeholders summary').click();
    await options.evaluate(() => document.activeElement?.blur());
    const shot = join(out, `options-${scheme}.png`);
    await options.screenshot({ path: shot, fullPage: true });
    written.push(shot);
    await options.close();
  }
  await page.close();
} finally {
  await browser.close();
  await shop.close();
  rmSync(downloads, { recursive: true, force: true });
}
for (const f of written) console.log(f);
