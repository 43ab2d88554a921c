// How often the extension reads the shops' documents (product API responses,
// description documents) for one page view, counted at the test shop.
//
// The target: per page view, each shop document is read by the extension at most
// once. The first save reads each document it needs at most once; a second save
// of the same page view, and a popup opened after a save, read none again; a
// popup opened first reads each at most once and the save after it none.
//
// What counts: requests to shop hosts (pages, APIs, description documents: every
// host except the image/video CDNs, whose downloads are the saved files) made
// after the page finished loading and its own requests were answered (its button
// present, its API data or description arrived), until the extension is quiet.
// The synthetic pages make no requests of their own after that point.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, CDN_HOSTS, ERA_D } from './lib/shop.mjs';
import { launch, setFolder, clickSave, finalReport } from './lib/browser.mjs';

/** The page families: a product page of each, and what says its own loading is over. */
const FAMILIES = [
  { name: 'AliExpress Era B', url: 'https://es.aliexpress.com/item/1005004787627817.html' },
  {
    name: 'AliExpress Era D', url: `https://www.aliexpress.com/item/${ERA_D.id}.html`,
    // The page's own mtop request was answered.
    ready: (page) => page.waitForFunction(() => document.documentElement.dataset.mtop),
  },
  { name: 'aliexpress.ru', url: 'https://aliexpress.ru/item/1005008195850531.html' },
  {
    name: 'Alibaba', url: 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html',
    // The page loaded its description (desc.htm) itself.
    ready: (page) => page.waitForFunction(() => document.body.dataset.descLoaded),
  },
];

let shop, browser, downloads;

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-requests-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});

/** A request to a shop host (page, API, description document), not an image/video CDN download. */
const isShopDocument = (r) => !CDN_HOSTS.includes(r.host) && r.path !== '/favicon.ico';
const docOf = (r) => `${r.host}${r.path}${r.query}`;

/**
 * Waits until no request reached the shop for `idleMs` (the extension has
 * finished whatever it does after an action), at most `maxMs`.
 */
async function quiet(idleMs = 1000, maxMs = 15000) {
  const end = Date.now() + maxMs;
  let seen = shop.requests.length, since = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    if (shop.requests.length !== seen) { seen = shop.requests.length; since = Date.now(); }
    else if (Date.now() - since >= idleMs) return;
  }
}

/** Shop-document requests since request number `from`: { total, byDoc: {doc: count}, detail }. */
function countSince(from) {
  const reqs = shop.requests.slice(from).filter(isShopDocument);
  const byDoc = {};
  for (const r of reqs) byDoc[docOf(r)] = (byDoc[docOf(r)] || 0) + 1;
  return {
    total: reqs.length,
    byDoc,
    detail: reqs.map((r) => `${r.host}${r.path} (dest ${r.dest || '-'}, site ${r.site || '-'}, mode ${r.mode || '-'}, origin ${r.origin || '-'})`),
  };
}

/** Opens a product page in a new tab and waits until the page's own loading is over. */
async function openProduct(family) {
  const page = await browser.ctx.newPage();
  await page.goto(family.url);
  await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  if (family.ready) await family.ready(page);
  await quiet();
  return page;
}

/** Saves from the in-page button and waits for the final report and for quiet. */
async function save(page) {
  const outcome = await clickSave(page);
  assert.ok(outcome.started > 0, outcome.text);
  const report = await finalReport(page);
  assert.equal(report.failed, 0, report.text);
  await quiet();
}

/** Opens the popup for the page's tab, waits for its grid, lets it settle, closes it. */
async function popupFor(page) {
  const sw = await browser.worker();
  const tab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, page.url());
  const popup = await browser.ctx.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tab=${tab}`);
  await popup.locator('[data-testid="counts"]').waitFor();
  await popup.locator('[data-testid="grid"] li.tile').first().waitFor();
  await quiet();
  await popup.close();
}

/** Runs `step`, returns the shop-document requests it caused. */
async function measure(step) {
  const from = shop.requests.length;
  await step();
  return countSince(from);
}

/** One diagnostic line per measurement and per request (TAP keeps diagnostics to one line each). */
function report(t, family, rows) {
  for (const [label, c] of rows) {
    t.diagnostic(`${family.name}, ${label}: ${c.total} request(s) to shop hosts`);
    for (const d of c.detail) t.diagnostic(`    ${d}`);
  }
}
const maxPerDoc = (c) => Math.max(0, ...Object.values(c.byDoc));

for (const family of FAMILIES) {
  test(`${family.name}: a save reads each shop document at most once; a second save and the popup after it read none`, { timeout: 120000 }, async (t) => {
    await setFolder(browser, `Requests/${family.name}/save-first`);
    const page = await openProduct(family);
    const first = await measure(() => save(page));
    const second = await measure(() => save(page));
    const popup = await measure(() => popupFor(page));
    report(t, family, [['first save', first], ['second save', second], ['popup open after the saves', popup]]);
    await page.close();
    assert.ok(maxPerDoc(first) <= 1, `first save read a document more than once: ${JSON.stringify(first.byDoc)}`);
    assert.equal(second.total, 0, `second save of the same page view read again: ${JSON.stringify(second.byDoc)}`);
    assert.equal(popup.total, 0, `popup after a save read again: ${JSON.stringify(popup.byDoc)}`);
  });

  test(`${family.name}: a popup opened first reads each shop document at most once; the save after it reads none`, { timeout: 120000 }, async (t) => {
    await setFolder(browser, `Requests/${family.name}/popup-first`);
    const page = await openProduct(family);
    const popup = await measure(() => popupFor(page));
    const saveAfter = await measure(() => save(page));
    report(t, family, [['popup open (fresh page view)', popup], ['save after the popup', saveAfter]]);
    await page.close();
    assert.ok(maxPerDoc(popup) <= 1, `popup read a document more than once: ${JSON.stringify(popup.byDoc)}`);
    assert.equal(saveAfter.total, 0, `save after the popup read again: ${JSON.stringify(saveAfter.byDoc)}`);
  });
}
