// End-to-end tests of the popup's save progress and live grid, in real Chromium:
// the bar follows the worker's batch (saves started from the page's button or
// from the popup, popup reopened mid-save), the final report lists each failure
// with its reason, "Retry failed" goes through the content script and saves the
// file once the server has it, "Open folder" shows a real saved download, the
// grid follows the page and the worker as they learn more media (keeping the
// user's selection), every locale shows the new text (popup and in-page button),
// and axe-core finds nothing with the progress UI shown, in both themes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startShop, mediaBytes, ALIBABA_MEDIA, ERA_D } from './lib/shop.mjs';
import { launch, chromiumArgs, dist, waitForFiles, listFiles, setFolder } from './lib/browser.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const LOCALES = ['en', 'ru', 'es', 'pt', 'fr', 'de'];
const ALIBABA = 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html';
const ERA_D_PAGE = `https://www.aliexpress.com/item/${ERA_D.id}.html`;
/** A product page whose media arrive after it loaded (description, then the shop API). */
const LATE_PAGE = `https://www.aliexpress.us/item/${ERA_D.id}.html`;
/** The same page with its description container a shadow root (as Era D pages render it). */
const LATE_SHADOW_PAGE = `https://de.aliexpress.com/item/${ERA_D.id}.html`;
const MTOP = 'https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&appKey=12574478&t=1764460800001&sign=late&api=mtop.aliexpress.pdp.pc.query&v=1.0&type=originaljsonp&dataType=jsonp&callback=mtopjsonp1&data='
  + encodeURIComponent(JSON.stringify({ productId: ERA_D.id, _lang: 'en_US' }));
const hostPath = (u) => u.replace(/^https:\/\//, '');

function latePage({ shadow = false } = {}) {
  const desc = ERA_D.description.map((u) => `<p><img src="${u}"></p>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Synthetic late page</title>
<script>window.runParams = {};
window._d_c_ = window._d_c_ || {}; window._d_c_.isCSR = true;
window.mtopjsonp1 = function (d) { document.documentElement.dataset.mtop = d && d.ret ? d.ret[0] : 'none'; };
// What the shop's own scripts do some time after the page loaded.
window.addDescription = function () {
  var box = document.getElementById('product-description');
  (box.shadowRoot || box).innerHTML = '<div class="detailmodule_html"><div class="detail-desc-decorate-richtext">${desc}</div></div>';
};
window.loadApi = function () { var s = document.createElement('script'); s.src = ${JSON.stringify(MTOP)}; document.head.appendChild(s); };
</script></head>
<body><div id="root"><div class="pdp-body pdp-wrap"><div class="pdp-info">
<div class="slider--slider--VKj5hty"><div class="slider--item--RpyeewA"><div class="slider--img--K0YbWW2 slider--active--ETznpbf"><img src="${ERA_D.gallery[0]}_220x220q75.jpg_.avif"></div></div></div>
<div class="title--wrap--UUHae_g"><h1 data-pl="product-title">Synthetic Wireless Gamepad Pro</h1></div></div>
<div id="nav-description"><div class="description--wrap--x"><div id="product-description" class="description--product-description--Mjtql28"></div></div></div>
</div></div><p>Synthetic page: media that arrive late.</p>
${shadow ? "<script>document.getElementById('product-description').attachShadow({ mode: 'open' });</script>" : ''}</body></html>`;
}

let shop, browser, downloads, base;
let missingFixed = false;
const [MISSING] = ALIBABA_MEDIA.gallery;
/** The product's other files wait for this gate (so a test sees a save in flight). */
let gate = Promise.resolve();
let openGate = () => {};
function closeGate() { gate = new Promise((ok) => { openGate = ok; }); }

before(async () => {
  shop = await startShop({ extraPages: {
    [hostPath(LATE_PAGE)]: { body: latePage() },
    [hostPath(LATE_SHADOW_PAGE)]: { body: latePage({ shadow: true }) },
  } });
  shop.setOverride(hostPath(MISSING), (req, res) => {
    if (missingFixed) {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return res.end(mediaBytes(new URL(MISSING).host, new URL(MISSING).pathname));
    }
    res.writeHead(404); res.end('not found');
  });
  for (const u of [...ALIBABA_MEDIA.gallery.slice(1), ALIBABA_MEDIA.video]) {
    const { host, pathname } = new URL(u);
    // Headers at once (Chrome's download starts), the body when the gate opens.
    shop.setOverride(hostPath(u), (req, res) => {
      res.writeHead(200, { 'content-type': pathname.endsWith('.mp4') ? 'video/mp4' : pathname.endsWith('.png') ? 'image/png' : 'image/jpeg' });
      res.flushHeaders();
      gate.then(() => res.end(mediaBytes(host, pathname)));
    });
  }
  downloads = mkdtempSync(join(tmpdir(), 'alisave-progress-dl-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
  base = `chrome-extension://${browser.extensionId}`;
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});


async function open(ctx, url, { colorScheme } = {}) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' || /missing message/.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  if (colorScheme) await page.emulateMedia({ colorScheme });
  await page.goto(url);
  return { page, errors };
}

async function tabIdOf(sw, url) {
  return sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url);
}

async function openPopup(ctx, extBase, sw, url, opts) {
  const tab = await tabIdOf(sw, url);
  const popup = await open(ctx, `${extBase}/popup.html?tab=${tab}`, opts);
  await popup.page.setViewportSize({ width: 420, height: 760 });
  await popup.page.locator('[data-testid="counts"]').waitFor();
  return popup;
}

/** The progress the popup shows, as numbers. */
async function progressOf(p) {
  const text = p.locator('[data-testid="progress-text"]');
  const bar = p.locator('[data-testid="progress-bar"]');
  return {
    text: await text.textContent(),
    total: Number(await text.getAttribute('data-total')),
    done: Number(await text.getAttribute('data-done')),
    failed: Number(await text.getAttribute('data-failed')),
    finished: (await text.getAttribute('data-finished')) === 'true',
    value: Number(await bar.getAttribute('value')),
    max: Number(await bar.getAttribute('max')),
  };
}

async function finished(p, timeout = 30000) {
  await p.locator('[data-testid="progress-text"][data-finished="true"]').waitFor({ timeout });
  return progressOf(p);
}

/** Waits until the in-page button says `want` (a string or a RegExp). */
async function buttonSays(page, want, timeout = 15000) {
  const end = Date.now() + timeout;
  let now;
  while (Date.now() < end) {
    now = await buttonText(page);
    if (typeof want === 'string' ? now === want : want.test(now)) return now;
    await new Promise((r) => setTimeout(r, 200));
  }
  const status = await page.evaluate(() => document.getElementById('alisave-root')?.shadowRoot?.querySelector('[data-alisave-status]')?.textContent);
  throw new Error(`the page's button says ${JSON.stringify(now)} (status ${JSON.stringify(status)}), not ${want}`);
}

const buttonText = (page) => page.evaluate(() => document.getElementById('alisave-root')?.shadowRoot
  ?.querySelector('button[data-alisave-action="download-all"]')?.textContent ?? null);

/** Runs axe-core in the page (injected over CDP, so the page CSP does not apply). */
async function axe(page, label) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    const x = await window.axe.run(document, { resultTypes: ['violations', 'passes'] });
    return { violations: x.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) })), passes: x.passes.map((p) => p.id) };
  });
  assert.deepEqual(r.violations, [], `${label}: axe violations\n${JSON.stringify(r.violations, null, 2)}`);
  // (aria-valid-attr-value checks the bar's aria-labelledby points at its text.)
  for (const rule of ['color-contrast', 'button-name', 'aria-valid-attr-value', 'list']) {
    assert.ok(r.passes.includes(rule), `${label}: axe rule ${rule} did not run`);
  }
}

test('a save from the page button: the popup (opened mid-save) shows live progress, the 404 with its reason, retries it, opens the folder; axe clean', { timeout: 120000 }, async () => {
  await setFolder(browser, 'Popup Progress');
  missingFixed = false;
  closeGate();
  const sw = await browser.worker();
  const product = await open(browser.ctx, ALIBABA);
  const button = product.page.locator('#alisave-root button[data-alisave-action="download-all"]');
  await button.waitFor();
  assert.equal(await buttonText(product.page), 'Save product media');
  await button.click();
  // The page's button counts (the 404 ends at once, the others are slow).
  await buttonSays(product.page, /^Saving [1-3] \/ 4$/);

  // Opened mid-save: the bar shows where the batch is, not an empty state.
  let popup = await openPopup(browser.ctx, base, sw, ALIBABA);
  let p = popup.page;
  await p.locator('[data-testid="progress"]').waitFor();
  const mid = await progressOf(p);
  assert.equal(mid.finished, false, mid.text);
  assert.equal(mid.total, 4);
  assert.equal(mid.max, 4);
  assert.ok(mid.failed >= 1 && mid.done + mid.failed < 4, mid.text);
  assert.equal(mid.value, mid.done + mid.failed);
  assert.equal(mid.text, `Saving: ${mid.done} saved, ${mid.failed} failed, of 4`);
  assert.equal(await p.locator('[data-testid="progress-text"]').getAttribute('aria-live'), 'polite');
  assert.equal(await p.locator('button[data-action="retry-failed"]').count(), 0, 'no retry before the batch ended');

  // It follows the batch to its end.
  openGate();
  const end = await finished(p);
  assert.deepEqual({ total: end.total, done: end.done, failed: end.failed, value: end.value, max: end.max }, { total: 4, done: 3, failed: 1, value: 4, max: 4 });
  assert.equal(end.text, 'Saved 3 of 4 files to Popup Progress/alibaba-1600000000001.');
  assert.equal(await p.locator('.progress h3').textContent(), 'Not saved (1)');
  assert.deepEqual(await p.locator('[data-testid="failures"] li').allTextContents(), ['gallery-01.jpg: not found on the server (HTTP 404)']);
  assert.equal(await p.locator('[data-testid="failures"] li').getAttribute('data-url'), MISSING);
  const folder = join(downloads, 'Popup Progress/alibaba-1600000000001');
  assert.deepEqual(await waitForFiles(folder, 3), ['gallery-02.jpg', 'gallery-03.png', 'video-01.mp4']);

  // Reopened after the end: the same final report.
  await p.close();
  popup = await openPopup(browser.ctx, base, sw, ALIBABA);
  p = popup.page;
  const again = await finished(p, 5000);
  assert.equal(again.text, end.text);

  // axe-core with the report, the failure list and both buttons shown, in both themes.
  await axe(p, 'popup light, final report with a failure');
  await p.emulateMedia({ colorScheme: 'dark' });
  await axe(p, 'popup dark, final report with a failure');
  await p.emulateMedia({ colorScheme: 'light' });

  // Retry from the popup once the server has the file: it goes through the content script.
  missingFixed = true;
  const retry = p.locator('button[data-action="retry-failed"]');
  assert.equal(await retry.textContent(), 'Retry 1 failed');
  await retry.click();
  await p.locator('[data-testid="progress-text"][data-finished="true"][data-failed="0"]').waitFor({ timeout: 30000 });
  const retried = await progressOf(p);
  assert.deepEqual({ done: retried.done, failed: retried.failed, value: retried.value }, { done: 4, failed: 0, value: 4 });
  assert.equal(retried.text, 'Saved 4 of 4 files to Popup Progress/alibaba-1600000000001.');
  assert.equal(await p.locator('[data-testid="failures"]').count(), 0);
  assert.equal(await retry.count(), 0);
  assert.deepEqual(await waitForFiles(folder, 4), ['gallery-01.jpg', 'gallery-02.jpg', 'gallery-03.png', 'video-01.mp4']);
  const saved = readFileSync(join(folder, 'gallery-01.jpg'));
  assert.deepEqual(saved, mediaBytes(new URL(MISSING).host, new URL(MISSING).pathname));
  // The page's button followed the retry too.
  await product.page.waitForFunction(() => document.getElementById('alisave-root').shadowRoot
    .querySelector('[data-alisave-status][data-alisave-finished="true"]') !== null);
  assert.equal(await buttonText(product.page), 'Save product media');

  // Open folder: chrome.downloads.show with a download of this batch that is on disk.
  await p.locator('button[data-action="open-folder"]').click();
  const note = p.locator('[data-testid="progress-note"][data-shown-download]');
  await note.waitFor();
  const id = Number(await note.getAttribute('data-shown-download'));
  const [item] = await sw.evaluate(async (i) => chrome.downloads.search({ id: i }), id);
  assert.equal(item.state, 'complete');
  assert.equal(item.exists, true);
  assert.ok(item.filename.startsWith(`${folder}/`), item.filename);
  assert.equal(await note.textContent(), `Shown in its folder: ${item.filename.split('/').pop()}`);
  // (Headless Chromium has no file manager to show it in: what is checked is that
  // chrome.downloads.show was called, without error, with a saved file of this batch.)

  assert.deepEqual(popup.errors, []);
  await p.close();
  await product.page.close();
});

test('a save started in the popup: the bar reaches the selection\'s total with real counts', { timeout: 90000 }, async () => {
  await setFolder(browser, 'Popup Started');
  const sw = await browser.worker();
  const product = await open(browser.ctx, ERA_D_PAGE);
  await product.page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const popup = await openPopup(browser.ctx, base, sw, ERA_D_PAGE);
  const p = popup.page;
  await p.evaluate(() => localStorage.clear());
  await p.reload();
  await p.locator('[data-testid="counts"]').waitFor();
  await p.locator(`input[data-url="${ERA_D.variants[1][0]}"]`).uncheck();
  const download = p.locator('button[data-action="download-selected"]');
  assert.equal(await download.textContent(), 'Download 6 selected');
  await download.click();
  const end = await finished(p);
  assert.deepEqual({ total: end.total, done: end.done, failed: end.failed, value: end.value, max: end.max }, { total: 6, done: 6, failed: 0, value: 6, max: 6 });
  assert.equal(end.text, 'Saved 6 of 6 files to Popup Started/aliexpress-1005007000000001.');
  assert.equal(listFiles(join(downloads, 'Popup Started/aliexpress-1005007000000001')).length, 6);
  assert.equal(await p.locator('button[data-action="retry-failed"]').count(), 0);
  assert.equal(await p.locator('button[data-action="open-folder"]').count(), 1);
  // The in-page button followed the popup's save.
  assert.equal(await buttonText(product.page), 'Save product media');
  assert.deepEqual(popup.errors, []);
  await p.close();
  await product.page.close();
});

/** A product page with its button, and the popup open on it, with readers of its grid. */
async function gridOf(url) {
  const sw = await browser.worker();
  const product = await open(browser.ctx, url);
  await product.page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const popup = await openPopup(browser.ctx, base, sw, url);
  const p = popup.page;
  const boxes = () => p.locator('[data-testid="grid"] input[type="checkbox"]');
  return {
    sw, product, popup, p,
    urls: () => boxes().evaluateAll((els) => els.map((e) => e.dataset.url)),
    checked: () => boxes().evaluateAll((els) => els.filter((e) => e.checked).map((e) => e.dataset.url)),
    tiles: (n, timeout = 10000) => p.waitForFunction((k) => document.querySelectorAll('[data-testid="grid"] li.tile').length === k, n, { timeout }),
  };
}

test('the grid updates live when the page adds media and when the worker sees the shop API, keeping the selection', { timeout: 90000 }, async () => {
  const { sw, product, popup, p, urls, checked, tiles } = await gridOf(LATE_PAGE);
  // What the page has at first: the one gallery image in its DOM.
  assert.deepEqual(await urls(), [ERA_D.gallery[0]]);
  await p.locator('[data-testid="grid"] button.zoom').first().focus();
  // The user deselects it.
  await p.locator(`input[data-url="${ERA_D.gallery[0]}"]`).uncheck();

  // The page's description arrives (DOM only): the content script tells the popup.
  await product.page.evaluate(() => window.addDescription());
  await tiles(3);
  assert.deepEqual(await urls(), [ERA_D.gallery[0], ...ERA_D.description]);
  assert.deepEqual(await checked(), ERA_D.description, 'the deselected image stays deselected, the new ones are selected');
  assert.equal(await p.locator('[data-testid="counts"]').textContent(), '1 gallery image · 2 description images');
  assert.equal(await p.locator('[data-testid="grid-status"]').textContent(), "The page's media changed: 3 items now.");
  // The grid was rebuilt; the keyboard focus stayed on the checkbox it was on.
  const focusedIn = (url) => p.evaluate((u) => {
    const a = document.activeElement;
    return a?.closest('li.tile')?.querySelector('input[data-url]')?.getAttribute('data-url') === u ? a.tagName : null;
  }, url);
  assert.equal(await focusedIn(ERA_D.gallery[0]), 'INPUT');
  // Then on a preview button, whose tile moves when the gallery grows.
  await p.locator('[data-testid="grid"] li.tile', { has: p.locator(`input[data-url="${ERA_D.description[0]}"]`) }).locator('button.zoom').focus();

  // The page calls the shop API (no DOM media change): the worker records it in
  // storage.session observed:<tab>, and the popup inspects again.
  const tab = await tabIdOf(sw, LATE_PAGE);
  await product.page.evaluate(() => window.loadApi());
  await tiles(7, 15000);
  const observed = await sw.evaluate(async (k) => (await chrome.storage.session.get(k))[k], `observed:${tab}`);
  assert.ok(observed?.some((o) => o.url.startsWith('https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/')), JSON.stringify(observed));
  assert.deepEqual(await urls(), [...ERA_D.gallery, ...ERA_D.variants.map(([u]) => u), ...ERA_D.description]);
  assert.deepEqual(new Set(await checked()), new Set([...ERA_D.gallery.slice(1), ...ERA_D.variants.map(([u]) => u), ...ERA_D.description]));
  assert.equal(await p.locator('[data-testid="counts"]').textContent(), '3 gallery images · 2 variants · 2 description images');
  assert.equal(await p.locator('button[data-action="download-selected"]').textContent(), 'Download 6 selected');
  assert.equal(await focusedIn(ERA_D.description[0]), 'BUTTON');
  assert.deepEqual(popup.errors, []);
  await p.evaluate(() => localStorage.clear());
  await p.close();
  await product.page.close();
});

test('media the page writes into a shadow root after the popup opened reach the grid too', { timeout: 60000 }, async () => {
  const { product, popup, p, urls, tiles } = await gridOf(LATE_SHADOW_PAGE);
  await tiles(1);
  // Written inside the shadow root the page attached at load: the document
  // itself does not change, so only an observer of that root sees it.
  assert.equal(await product.page.evaluate(() => !!document.getElementById('product-description').shadowRoot), true);
  await product.page.evaluate(() => window.addDescription());
  await tiles(3);
  assert.deepEqual(await urls(), [ERA_D.gallery[0], ...ERA_D.description]);
  assert.equal(await p.locator('[data-testid="grid-status"]').textContent(), "The page's media changed: 3 items now.");
  assert.deepEqual(popup.errors, []);
  await p.evaluate(() => localStorage.clear());
  await p.close();
  await product.page.close();
});

/** Chromium with the extension in `lang`, downloads into `downloadDir`. */
async function launchIn(lang, downloadDir) {
  const profile = mkdtempSync(join(tmpdir(), `alisave-progress-${lang}-`));
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({
    download: { default_directory: downloadDir, prompt_for_download: false, directory_upgrade: true },
  }));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: process.env.HEADLESS !== '0',
    args: [...chromiumArgs(shop.port), `--lang=${lang}`],
    env: { ...process.env, LANGUAGE: lang, LANG: `${lang}.UTF-8`, LC_ALL: '' },
    acceptDownloads: true,
  });
  let [sw] = ctx.serviceWorkers();
  if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 30000 });
  await sw.evaluate(() => self.alisaveReady.then(() => true));
  const first = ctx.pages()[0] || (await ctx.newPage());
  const cdp = await ctx.newCDPSession(first);
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });
  return { ctx, sw, base: `chrome-extension://${new URL(sw.url()).host}`, close: async () => { await ctx.close(); rmSync(profile, { recursive: true, force: true }); } };
}

/** What the worker and Chrome know of the saves, for a failure's message. */
async function saveState(ctx, p, page) {
  const workers = ctx.serviceWorkers();
  const sw = workers[workers.length - 1];
  const state = await sw.evaluate(async () => {
    const all = await chrome.storage.session.get(null);
    const batches = Object.entries(all).filter(([k]) => k.startsWith('batch:'))
      .map(([k, v]) => `${k}: ${(typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 3000)}`);
    const downloads = (await chrome.downloads.search({})).map((d) => ({ id: d.id, state: d.state, error: d.error, file: d.filename.split('/').pop() }));
    return { keys: Object.keys(all), batches, downloads };
  }).catch((e) => `worker unreadable: ${e.message}`);
  const progress = await progressOf(p).catch((e) => `popup unreadable: ${e.message}`);
  const button = await buttonText(page).catch((e) => `page unreadable: ${e.message}`);
  return JSON.stringify({ workers: workers.length, progress, button, state }, null, 1);
}

/** chrome.i18n's substitution: `$NAME$` from the entry's placeholders, filled from args. */
function fill(entry, args) {
  const ph = Object.fromEntries(Object.entries(entry.placeholders || {}).map(([k, v]) => [k.toLowerCase(), args[Number(v.content.slice(1)) - 1]]));
  return entry.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_, n) => ph[n.toLowerCase()]);
}

/** A plural sentence (`tn("base", n, …)`): `<base>_<category of args[0]>` in `lang`, else `<base>_other`. */
function fillPlural(messages, lang, base, args) {
  const category = new Intl.PluralRules(lang).select(Number(args[0]));
  return fill(messages[`${base}_${category}`] || messages[`${base}_other`], args);
}

test('every locale: the in-page button and the popup\'s progress, report and actions in that language, no missing message', { timeout: 300000 }, async (t) => {
  missingFixed = false;
  for (const lang of LOCALES) {
    const m = JSON.parse(readFileSync(join(dist, '_locales', lang, 'messages.json'), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), `alisave-progress-${lang}-dl-`));
    const b = await launchIn(lang, dir);
    try {
      closeGate();
      const product = await open(b.ctx, ALIBABA);
      await product.page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
      assert.equal(await buttonText(product.page), fill(m.content_button, []), lang);
      await product.page.locator('#alisave-root button[data-alisave-action="download-all"]').click();
      // Progress on the button (usually 1 / 4: the 404 ends at once, the others wait for the gate).
      const esc = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const counting = new RegExp(`^${esc(fill(m.content_progress, ['\u0001', '4'])).replace('\u0001', '[1-3]')}$`);
      // (A fresh profile's first worker may be replaced right after it started,
      // closing the save's message channel: the content script sends the same
      // request again, which is answered with the batch it made, if any.)
      await buttonSays(product.page, counting);
      const popup = await openPopup(b.ctx, b.base, b.sw, ALIBABA);
      const p = popup.page;
      await p.locator('[data-testid="progress"]').waitFor();
      const mid = await progressOf(p);
      // The gate holds three downloads: the save is running, whatever the timing.
      assert.equal(mid.finished, false, `${lang}: ${mid.text}`);
      assert.equal(mid.text, fill(m.progress_running, [String(mid.done), String(mid.failed), '4']), lang);
      openGate();
      const end = await finished(p).catch(async (e) => { throw new Error(`${lang}: ${e.message}\n${await saveState(b.ctx, p, product.page)}`); });
      const failures = await p.locator('[data-testid="failures"] li').allTextContents();
      assert.equal(end.failed, 1, `${lang}: ${failures.join(' | ')}`);
      assert.equal(end.done, 3, lang);
      assert.equal(end.text, fillPlural(m, lang, 'report_saved', ['4', String(end.done), 'AliSavePro/alibaba-1600000000001']), lang);
      assert.equal(await p.locator('.progress h3').textContent(), fill(m.report_failed, [String(end.failed)]), lang);
      assert.equal(await p.locator('button[data-action="retry-failed"]').textContent(), fillPlural(m, lang, 'retry_failed', [String(end.failed)]), lang);
      assert.equal(await p.locator('button[data-action="open-folder"]').textContent(), fill(m.open_folder, []), lang);
      // The reason too is in the browser's language (the worker stores it as a key).
      const reason = fill(m.why_not_found, []);
      assert.equal(failures[0], fill(m.failure_item, ['gallery-01.jpg', reason]), lang);
      await buttonSays(product.page, fillPlural(m, lang, 'content_retry', [String(end.failed)]));
      // And so is the final report on the page, sentence and reasons.
      {
        const status = await product.page.evaluate(() => document.getElementById('alisave-root').shadowRoot.querySelector('[data-alisave-status]').textContent);
        assert.equal(status, fillPlural(m, lang, 'report_saved_some', ['4', String(end.done), 'AliSavePro/alibaba-1600000000001', '1', fill(m.failure_item, ['gallery-01.jpg', reason])]), lang);
      }
      await p.locator('button[data-action="open-folder"]').click();
      const note = p.locator('[data-testid="progress-note"][data-shown-download]');
      await note.waitFor();
      assert.match(await note.textContent(), new RegExp(`^${esc(fill(m.folder_shown, ['\u0001'])).replace('\u0001', '[^/]+\\.(jpg|png|mp4)')}$`), lang);
      assert.deepEqual(popup.errors, [], `${lang}: popup console`);
      assert.deepEqual(product.errors.filter((e) => /AliSavePro/.test(e)), [], `${lang}: content script console`);
      if (lang !== 'en') {
        const en = JSON.parse(readFileSync(join(dist, '_locales/en/messages.json'), 'utf8'));
        assert.notEqual(await buttonText(product.page), fillPlural(en, 'en', 'content_retry', [String(end.failed)]), lang);
      }
    } finally {
      openGate();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
