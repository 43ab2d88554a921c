// Screenshots of the popup (on a product page, and its Buyer photos tab with the
// shop's synthetic reviews loaded), the options page and the queue page, light
// and dark, for the README:
// docs/screenshots/{popup,buyer,options,queue}-{light,dark}.png.
//
//   node tests/e2e/screenshots.mjs [OUT_DIR]
//
// Uses the same local shop and Chromium as the end-to-end tests (dist/ must be built).
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startShop, repoRoot, ERA_D } from './lib/shop.mjs';
import { launch } from './lib/browser.mjs';

const SAMPLE_LIST = [
  'https://www.aliexpress.com/item/1005004787627817.html',
  'https://de.aliexpress.com/item/1005004787627817.html?spm=a2g0o',
  'https://www.alibaba.com/product-detail/Water-Bottle_1600000000001.html',
  'https://www.aliexpress.com/store/912345',
  'https://aliexpress.ru/item/1005008195850531.html',
].join('\n');
const item = (url, product_id, platform, state, saved) => ({ url, product_id, platform, state, tries: 0, ...(saved ? { saved } : {}) });
const SAMPLE_QUEUE = {
  id: '1',
  items: [
    item('https://www.aliexpress.com/item/1005004787627817.html', '1005004787627817', 'aliexpress', { state: 'done', saved: 14, failed: 0 },
      { title: 'Cristal de 6,39 pulgadas para Xiaomi Redmi K20', shop: null, folder: 'AliSavePro/aliexpress-1005004787627817', download: null }),
    item('https://www.alibaba.com/product-detail/Water-Bottle_1600000000001.html', '1600000000001', 'alibaba', { state: 'done', saved: 9, failed: 1 },
      { title: 'Synthetic Water Bottle', shop: 'Synthetic Trading Co.', folder: 'AliSavePro/alibaba-1600000000001', download: null }),
    item('https://www.aliexpress.com/item/1005009199999999.html', '1005009199999999', 'aliexpress', { state: 'failed', reason: { key: 'report_none_found' } }),
    item('https://aliexpress.ru/item/1005008195850531.html', '1005008195850531', 'aliexpress-ru', { state: 'failed', reason: { key: 'queue_cancelled' } }),
  ],
  left_out: [],
  summary_written: true,
  paused: false,
  last_open_ms: 0,
  pause_ms: 3000,
};

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

    // The Buyer photos tab (issue #15): loaded (the shop's synthetic review
    // pages), counts and the grid of thumbnails shown.
    const buyer = await browser.ctx.newPage();
    // Tall enough for the grid to be on screen (its tiles are content-visibility: auto).
    await buyer.setViewportSize({ width: 420, height: 900 });
    await buyer.emulateMedia({ colorScheme: scheme });
    await buyer.goto(`${base}/popup.html?tab=${tab}`);
    await buyer.locator('[data-testid="counts"]').waitFor();
    await buyer.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    if (scheme === 'light') await buyer.locator('button[data-alisave-action="load-reviews"]').click();
    await buyer.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
    await buyer.waitForFunction(() => [...document.querySelectorAll('[data-testid="buyer-thumbs"] img')].every((i) => i.getAttribute('src')));
    await buyer.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => {}))));
    await buyer.evaluate(() => document.activeElement?.blur());
    const bshot = join(out, `buyer-${scheme}.png`);
    await buyer.screenshot({ path: bshot, fullPage: true });
    written.push(bshot);
    await buyer.close();

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

    // The queue page: a list being checked, and a queue that ended (stored as
    // the worker stores it, so the picture does not depend on timing).
    await sw.evaluate((q) => chrome.storage.local.set({ queue: q }), SAMPLE_QUEUE);
    const queue = await browser.ctx.newPage();
    await queue.setViewportSize({ width: 900, height: 900 });
    await queue.emulateMedia({ colorScheme: scheme });
    await queue.goto(`${base}/queue.html`);
    await queue.locator('textarea[data-alisave-field="links"]').fill(SAMPLE_LIST);
    await queue.locator('[data-alisave-queue="ended"]').waitFor();
    await queue.evaluate(() => document.activeElement?.blur());
    const qshot = join(out, `queue-${scheme}.png`);
    await queue.screenshot({ path: qshot, fullPage: true });
    written.push(qshot);
    await queue.close();
    await sw.evaluate(() => chrome.storage.local.remove('queue'));
  }
  await page.close();
} finally {
  await browser.close();
  await shop.close();
  rmSync(downloads, { recursive: true, force: true });
}
for (const f of written) console.log(f);
