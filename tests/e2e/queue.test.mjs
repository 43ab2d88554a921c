// Issue #14: many products at once. A list of product links saved one after
// another through the queue page (a 404, a captcha that stops the queue until
// it is solved, a non-product line and a duplicate among them), the worker
// stopped mid-queue, the browser restarted mid-queue, pause/resume/cancel, and
// "Save all N product tabs" from the popup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startShop, eraCPage, mediaBytes, embeddedUrl, ALIBABA_ID, syntheticEraC, syntheticEraCPages } from './lib/shop.mjs';
import { launch, listFiles, waitForFiles, chromiumArgs, dist, setSettings } from './lib/browser.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const product = syntheticEraC;
const PRODUCTS = Array.from({ length: 40 }, (_, i) => product(i + 1));
const extraPages = syntheticEraCPages(40);
const CAPTCHA = 'https://www.aliexpress.com/item/1005009199999998.html';
const MISSING = 'https://www.aliexpress.com/item/1005009199999999.html';
const CAPTCHA_PAGE = '<!doctype html><html><head><title>Captcha</title></head><body><div class="J_MIDDLEWARE_FRAME_WIDGET"><span class="nc_iconfont btn_slide"></span></div><script>var url="https://www.aliexpress.com/_____tmd_____/punish?x5secdata=1";</script></body></html>';

let shop, browser, downloads, base;

before(async () => {
  shop = await startShop({ extraPages });
  downloads = mkdtempSync(join(tmpdir(), 'alisave-queue-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
  base = `chrome-extension://${browser.extensionId}`;
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});

const settings = (patch) => setSettings(browser, patch);

/** Forgets the last queue (an ended one) so the next test starts afresh. */
async function clearQueue() {
  const sw = await browser.worker();
  await sw.evaluate(() => chrome.storage.local.remove('queue'));
}

async function queuePage() {
  const page = await browser.ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${base}/queue.html`);
  await page.locator('textarea[data-alisave-field="links"]').waitFor();
  return { page, errors };
}

async function start(page, lines, pauseSeconds = 0) {
  await page.locator('textarea[data-alisave-field="links"]').fill(lines.join('\n'));
  await page.locator('input[data-alisave-field="pause"]').fill(String(pauseSeconds));
  await page.locator('input[data-alisave-field="pause"]').dispatchEvent('change');
  await page.locator('button[data-alisave-action="start-queue"]').click();
  await page.locator('[data-alisave-queue]').waitFor();
}

const rows = (page) => page.locator('[data-alisave-queue-item]').evaluateAll((els) =>
  els.map((e) => ({ id: e.dataset.alisaveQueueItem, state: e.dataset.state, text: e.textContent })));

async function stateOf(page, id, want, timeout = 60000) {
  await page.locator(`[data-alisave-queue-item="${id}"][data-state="${want}"]`).waitFor({ timeout });
}

async function ended(page, timeout = 120000) {
  await page.locator('[data-alisave-queue="ended"]').waitFor({ timeout });
  return rows(page);
}

/** The product tabs open now (the queue's background tabs among them). */
const productTabs = () => browser.ctx.pages().filter((p) => /\/item\//.test(p.url()));

/** Each product's folder holds exactly its gallery, original bytes, once. */
function checkSaved(root, products) {
  const summary = JSON.parse(readFileSync(join(root, 'products.json'), 'utf8'));
  const folders = new Set();
  for (const p of products) {
    const row = summary.products.find((r) => r.product_id === p.id);
    assert.ok(row, `${p.id} in products.json`);
    assert.equal(row.state, 'done', `${p.id}: ${row.reason}`);
    assert.equal(row.files_saved, 3, p.id);
    assert.ok(!folders.has(row.folder), `${row.folder} shared`);
    folders.add(row.folder);
    const files = listFiles(join(downloads, row.folder));
    assert.equal(files.length, 3, `${row.folder}: ${files}`);
    for (const f of files) {
      const bytes = readFileSync(join(downloads, row.folder, f));
      const u = new URL(embeddedUrl(bytes));
      assert.ok(p.gallery.includes(`https://${u.host}${u.pathname}`), `${f} is ${p.id}'s`);
      assert.deepEqual(bytes, mediaBytes(u.host, u.pathname), `${f} is the original`);
    }
  }
  return summary;
}

test('a list of 20 lines: products saved one after another into their own folders, the 404 failed with its reason, the captcha stops the queue until it is solved, the non-product and duplicate lines left out; products.csv/json written', { timeout: 240000 }, async () => {
  await clearQueue();
  // Every product has the same title: "{title}" folders must still differ.
  await settings({ folder: 'Queue list', folder_template: '{title}', file_template: '{id}-{kind}-{n}[-{variant}].{ext}' });
  const list = PRODUCTS.slice(0, 16);
  let captcha = true;
  shop.setOverride(CAPTCHA.replace('https://', ''), (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(captcha ? CAPTCHA_PAGE : eraCPage({ id: '1005009199999998', gallery: product(99).gallery }));
  });
  const lines = [
    ...list.slice(0, 8).map((p) => p.url),
    CAPTCHA,
    'https://www.aliexpress.com/store/912345',
    ...list.slice(8, 12).map((p) => p.url),
    MISSING,
    list[3].url.replace('www.', 'de.') + '?spm=dup',
    ...list.slice(12).map((p) => p.url),
  ];
  assert.equal(lines.length, 20);
  const { page, errors } = await queuePage();
  await page.locator('textarea[data-alisave-field="links"]').fill(lines.join('\n'));
  const summaryText = await page.locator('[data-alisave-field="links-summary"]').textContent();
  assert.match(summaryText, /18\b.*\b2\b/, summaryText);
  const leftOut = await page.locator('[data-alisave-left-out]').evaluateAll((els) => els.map((e) => [e.dataset.alisaveLeftOut, e.textContent]));
  assert.deepEqual(leftOut.map(([l]) => l), ['10', '16']);
  assert.match(leftOut[0][1], /not a product page/);
  assert.match(leftOut[1][1], /the same product as line 4/);
  const t0 = Date.now();
  let most = 0;
  const sampler = setInterval(() => { most = Math.max(most, productTabs().length); }, 20);
  try {
    await start(page, lines, 0);
    // The captcha (9th product) stops the queue and its tab is brought forward.
    await stateOf(page, '1005009199999998', 'paused');
    assert.match(await page.locator('[data-alisave-field="queue-status"]').textContent(), /captcha/i);
    const sw = await browser.worker();
    const active = await sw.evaluate(async () => (await chrome.tabs.query({ active: true })).map((t) => t.url));
    assert.ok(active.includes(CAPTCHA), `the captcha tab is in front: ${active}`);
    const stopped = await rows(page);
    assert.ok(stopped.slice(9).every((r) => r.state === 'waiting'), 'nothing after the captcha opened');
    // The user solves it: the shop shows the product again in that tab.
    captcha = false;
    const tab = browser.ctx.pages().find((p) => p.url() === CAPTCHA);
    await tab.reload();
    await tab.locator('#alisave-root').waitFor({ state: 'attached' });
    await page.locator('button[data-alisave-action="resume-queue"]').click();
    const final = await ended(page);
    assert.equal(final.length, 18);
    const missing = final.find((r) => r.id === '1005009199999999');
    assert.equal(missing.state, 'failed');
    assert.match(missing.text, /No product images were found/);
    assert.deepEqual(final.filter((r) => r.state !== 'done').map((r) => r.id), ['1005009199999999']);
  } finally {
    clearInterval(sampler);
  }
  // Only the user's own links were opened, each once (the captcha page twice:
  // the queue's visit, then the user's reload after solving it).
  const opened = shop.requests.filter((r) => r.at >= t0 && r.dest === 'document').map((r) => `https://${r.host}${r.path}`);
  const asked = new Set([...list.map((p) => p.url), CAPTCHA, MISSING]);
  assert.deepEqual(opened.filter((u) => !asked.has(u)), [], 'no page but the listed products');
  const times = (u) => opened.filter((x) => x === u).length;
  assert.deepEqual([...asked].filter((u) => times(u) !== (u === CAPTCHA ? 2 : 1)), [], 'each product page opened once');
  assert.ok(most <= 2 + 1, `at most two queue tabs (and the solved one) at once, saw ${most}`);
  const root = join(downloads, 'Queue list');
  await waitForFiles(root, 17 * 3 + 2, 30000, { all: false });
  const summary = checkSaved(root, list);
  assert.equal(summary.schema, 'alisavepro.products/1');
  assert.equal(summary.products.length, 18);
  const csv = readFileSync(join(root, 'products.csv'), 'utf8');
  assert.equal(csv.trim().split('\r\n').length, 19, 'a header and one row per product');
  assert.match(csv, /1005009199999999,aliexpress,,,https:\/\/www\.aliexpress\.com\/item\/1005009199999999\.html,0,0,,failed,"?No product images/);
  // Open folder is offered for a saved product.
  assert.ok(await page.locator(`[data-alisave-queue-item="${list[0].id}"] button[data-alisave-action="open-folder"]`).count() === 1);
  assert.equal(productTabs().length, 0, 'the queue closed its tabs');
  assert.deepEqual(errors, []);
  await page.close();
  for (const p of productTabs()) await p.close();
});

/** Holds the answer for one page until released; resolves `asked` when the browser asked. */
function hold(url, body) {
  let release;
  let asked;
  const released = new Promise((r) => { release = r; });
  const seen = new Promise((r) => { asked = r; });
  shop.setOverride(url.replace('https://', ''), async (req, res) => {
    asked();
    await released;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  });
  return { seen, release };
}

test('the worker stopped mid-queue: the queue goes on and saves every product once', { timeout: 180000 }, async () => {
  await clearQueue();
  await settings({ folder: 'Queue worker', folder_template: '{shop}-{id}' });
  const list = PRODUCTS.slice(16, 21);
  const held = hold(list[2].url, eraCPage(list[2]));
  const { page, errors } = await queuePage();
  await start(page, list.map((p) => p.url), 0);
  await held.seen;
  const cdp = await browser.ctx.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  held.release();
  const final = await ended(page);
  assert.deepEqual(final.map((r) => r.state), ['done', 'done', 'done', 'done', 'done']);
  const root = join(downloads, 'Queue worker');
  await waitForFiles(root, 5 * 3, 30000);
  checkSaved(root, list);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the browser restarted mid-queue: the product it was reading opens again, none is saved twice', { timeout: 240000 }, async () => {
  await clearQueue();
  await settings({ folder: 'Queue restart', folder_template: '{shop}-{id}' });
  const list = PRODUCTS.slice(21, 26);
  const a = hold(list[1].url, eraCPage(list[1]));
  const { page } = await queuePage();
  await start(page, list.map((p) => p.url), 0);
  await stateOf(page, list[0].id, 'done');
  await a.seen;
  // The held product is being read (one page loads at a time: nothing after
  // it was asked); the browser goes away.
  assert.ok(!shop.requests.some((r) => r.path === `/item/${list[2].id}.html`), 'one page loading at a time');
  await browser.close({ keep: true });
  shop.setOverride(list[1].url.replace('https://', ''), null);
  a.release();
  browser = await launch({ port: shop.port, downloadDir: downloads, profile: browser.profile });
  base = `chrome-extension://${browser.extensionId}`;
  const again = await queuePage();
  const final = await ended(again.page);
  assert.deepEqual(final.map((r) => r.state), ['done', 'done', 'done', 'done', 'done']);
  const root = join(downloads, 'Queue restart');
  await waitForFiles(root, 5 * 3, 30000);
  checkSaved(root, list);
  assert.deepEqual(again.errors, []);
  await again.page.close();
});

test('pause, resume and cancel', { timeout: 180000 }, async () => {
  await clearQueue();
  await settings({ folder: 'Queue pause', folder_template: '{shop}-{id}' });
  const list = PRODUCTS.slice(26, 32);
  const held = hold(list[1].url, eraCPage(list[1]));
  const { page, errors } = await queuePage();
  await start(page, list.map((p) => p.url), 0);
  await held.seen;
  await page.locator('button[data-alisave-action="pause-queue"]').click();
  await page.locator('[data-alisave-paused="true"]').waitFor();
  held.release();
  // What was open finishes; nothing new opens while paused.
  await stateOf(page, list[1].id, 'done');
  await stateOf(page, list[0].id, 'done');
  const paused = await rows(page);
  assert.deepEqual(paused.slice(2).map((r) => r.state), ['waiting', 'waiting', 'waiting', 'waiting']);
  assert.ok(!shop.requests.some((r) => r.path === `/item/${list[2].id}.html`), 'not opened while paused');
  // Resume, then cancel while the next page is being read (held).
  const held2 = hold(list[3].url, eraCPage(list[3]));
  await page.locator('button[data-alisave-action="resume-queue"]').click();
  await held2.seen;
  await stateOf(page, list[2].id, 'done');
  await page.locator('button[data-alisave-action="cancel-queue"]').click();
  await page.locator('[data-alisave-queue="ended"]').waitFor();
  held2.release();
  assert.ok(!shop.requests.some((r) => r.path === `/item/${list[4].id}.html`), 'nothing opened after the held page');
  const final = await ended(page);
  const states = final.map((r) => r.state);
  assert.deepEqual(states.slice(0, 3), ['done', 'done', 'done']);
  assert.deepEqual(states.slice(3), ['failed', 'failed', 'failed']);
  assert.ok(final.slice(3).every((r) => /cancelled/.test(r.text)));
  assert.equal(productTabs().length, 0, 'the cancelled product\'s tab closed');
  // Retry failed puts them back and they are saved.
  await page.locator('button[data-alisave-action="retry-queue"]').click();
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-alisave-queue-item][data-state="done"]')].length === n, 6, { timeout: 60000 });
  const retried = await ended(page);
  assert.deepEqual(retried.map((r) => r.state), Array(6).fill('done'));
  const root = join(downloads, 'Queue pause');
  await waitForFiles(root, 6 * 3, 30000);
  checkSaved(root, list);
  assert.deepEqual(errors, []);
  await page.close();
});

test('"Save all N product tabs": three product tabs of different page families saved at once, each into its own folder, with one combined progress', { timeout: 180000 }, async () => {
  await clearQueue();
  await settings({ folder: 'All tabs', folder_template: '{shop}-{id}' });
  const urls = [
    'https://es.aliexpress.com/item/1005004787627817.html',
    PRODUCTS[39].url,
    `https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_${ALIBABA_ID}.html`,
  ];
  const tabs = [];
  for (const u of urls) {
    const t = await browser.ctx.newPage();
    await t.goto(u);
    await t.locator('#alisave-root').waitFor({ state: 'attached' });
    tabs.push(t);
  }
  const sw = await browser.worker();
  const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, urls[0]);
  const popup = await browser.ctx.newPage();
  const errors = [];
  popup.on('pageerror', (e) => errors.push(String(e)));
  await popup.goto(`${base}/popup.html?tab=${tabId}`);
  const button = popup.locator('button[data-alisave-action="save-all-tabs"]');
  await button.waitFor();
  assert.match(await button.textContent(), /Save all 3 product tabs/);
  assert.equal(await popup.locator('.all-tabs li').count(), 3);
  for (const scheme of ['light', 'dark']) {
    await popup.emulateMedia({ colorScheme: scheme });
    await axe(popup, `popup with three product tabs, ${scheme}`);
  }
  // By keyboard: the button takes the focus and Enter starts the saves.
  await button.focus();
  await popup.keyboard.press('Enter');
  const done = popup.locator('[data-alisave-field="all-tabs-progress"][data-finished="true"]');
  await done.waitFor({ timeout: 60000 });
  assert.equal(await done.getAttribute('data-products-done'), '3', await done.textContent());
  assert.equal(await done.getAttribute('data-files-failed'), '0');
  const root = join(downloads, 'All tabs');
  const folders = listFiles(root).map((f) => f.split('/')[0]);
  assert.deepEqual([...new Set(folders)].length, 3, `three product folders: ${[...new Set(folders)]}`);
  assert.ok(existsSync(join(root, `aliexpress-${PRODUCTS[39].id}`)));
  assert.deepEqual(errors, []);
  await popup.close();
  // Opened again (a popup closes as soon as the user clicks elsewhere): the
  // run's progress is still shown, from the batches it made.
  const again = await browser.ctx.newPage();
  await again.goto(`${base}/popup.html?tab=${tabId}`);
  const shown = again.locator('[data-alisave-field="all-tabs-progress"][data-finished="true"]');
  await shown.waitFor();
  assert.equal(await shown.getAttribute('data-products-done'), '3');
  await again.close();
  for (const t of tabs) await t.close();
});

/** Runs axe-core in the page (injected over CDP, so the page CSP does not apply). */
async function axe(page, label) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    const x = await window.axe.run(document, { resultTypes: ['violations'] });
    return x.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
  });
  assert.deepEqual(r, [], `${label}: axe violations\n${JSON.stringify(r, null, 2)}`);
}

test('the queue page by keyboard alone, with a visible focus on every control; axe finds nothing in either theme, before and after a run', { timeout: 120000 }, async () => {
  await clearQueue();
  await settings({ folder: 'Queue keys', folder_template: '{shop}-{id}' });
  const list = PRODUCTS.slice(32, 34);
  const { page, errors } = await queuePage();
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    const named = !!(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim());
    return { what: e.dataset.alisaveField || e.dataset.alisaveAction || e.tagName.toLowerCase(), outline: getComputedStyle(e).outlineStyle, named };
  });
  const seen = [];
  await page.keyboard.press('Tab');
  let f = await focused();
  assert.equal(f.what, 'links', 'the list first');
  await page.keyboard.type([...list.map((p) => p.url), 'not a link'].join('\n'));
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    f = await focused();
    assert.notEqual(f.outline, 'none', `no visible focus on ${f.what}`);
    assert.ok(f.named, `${f.what} has no accessible name`);
    seen.push(f.what);
  }
  assert.deepEqual(seen, ['links-file', 'pause', 'start-queue']);
  await page.locator('input[data-alisave-field="pause"]').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0');
  await page.keyboard.press('Tab');
  assert.equal((await focused()).what, 'start-queue');
  assert.equal(await page.locator('[data-alisave-left-out]').count(), 1);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await axe(page, `queue page with a list, ${scheme}`);
  }
  await page.keyboard.press('Enter');
  const final = await ended(page);
  assert.deepEqual(final.map((r) => r.state), ['done', 'done']);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await axe(page, `queue page after a run, ${scheme}`);
  }
  // The actions of an ended queue are reachable by keyboard too.
  await page.locator('button[data-alisave-action="clear-queue"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-alisave-queue]').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await page.close();
});

/** chrome.i18n's substitution: `$NAME$` from the entry's placeholders, filled from args. */
function fill(entry, args) {
  const ph = Object.fromEntries(Object.entries(entry.placeholders || {}).map(([k, v]) => [k.toLowerCase(), args[Number(v.content.slice(1)) - 1]]));
  return entry.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_, n) => ph[n.toLowerCase()]);
}

test('the queue page in every locale: its own language, no missing message, the reasons of left-out lines translated', { timeout: 180000 }, async () => {
  for (const lang of ['en', 'de', 'es', 'fr', 'pt', 'ru']) {
    const m = JSON.parse(readFileSync(join(dist, '_locales', lang, 'messages.json'), 'utf8'));
    const profile = mkdtempSync(join(tmpdir(), `alisave-queue-${lang}-`));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: process.env.HEADLESS !== '0',
      args: [...chromiumArgs(shop.port), `--lang=${lang}`],
      env: { ...process.env, LANGUAGE: lang, LANG: `${lang}.UTF-8`, LC_ALL: '' },
    });
    try {
      let [sw] = ctx.serviceWorkers();
      if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 30000 });
      const page = await ctx.newPage();
      const errors = [];
      page.on('console', (c) => { if (c.type() === 'error') errors.push(c.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`chrome-extension://${new URL(sw.url()).host}/queue.html`);
      await page.locator('textarea[data-alisave-field="links"]').fill([PRODUCTS[0].url, 'https://www.aliexpress.com/store/1', PRODUCTS[0].url].join('\n'));
      assert.equal(await page.locator('h1').textContent(), m.queue_title.message, lang);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.equal(await page.locator('button[data-alisave-action="start-queue"]').textContent(), fill(m.queue_start, ['1']), lang);
      const left = await page.locator('[data-alisave-left-out]').allTextContents();
      assert.equal(left.length, 2, lang);
      assert.ok(left[0].endsWith(m.queue_not_product.message), `${lang}: ${left[0]}`);
      assert.ok(left[1].endsWith(fill(m.queue_duplicate, ['1'])), `${lang}: ${left[1]}`);
      assert.deepEqual(errors, [], lang);
    } finally {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
});
