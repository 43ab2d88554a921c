// Hostile-input suite: product pages built to attack or confuse the extension
// (lib/hostile-pages.mjs), served under real shop hostnames. For each: no crash,
// a clear message where the user expects one, nothing saved that should not be,
// nothing lost that should be. Asserted on what the user sees (the status line)
// and on disk (the download folder), plus chrome.downloads' own record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, embeddedUrl, CDN_HOSTS, ERA_C, ERA_C2 } from './lib/shop.mjs';
import { launch, listFiles, waitForFiles, clickSave } from './lib/browser.mjs';
import { HOSTILE, HOSTILE_NAMES, BAD_URLS, hostilePages } from './lib/hostile-pages.mjs';

let shop, browser, downloads;

before(async () => {
  shop = await startShop({ extraPages: hostilePages() });
  downloads = mkdtempSync(join(tmpdir(), 'alisave-hostile-dl-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
});

after(async () => {
  await browser?.close();
  await shop?.close();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

const folderOf = (p) => `AliSavePro/aliexpress-${p.id}`;
const filesOf = (p) => listFiles(join(downloads, folderOf(p)));
const urlOf = (p, f) => embeddedUrl(readFileSync(join(downloads, folderOf(p), f)));

/** Opens a page; collects uncaught errors of the extension's content script. */
async function open(url) {
  const page = await browser.ctx.newPage();
  const extensionErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /AliSavePro|chrome-extension:/.test(`${m.text()} ${m.location()?.url ?? ''}`)) extensionErrors.push(m.text());
  });
  await page.goto(url);
  return { page, extensionErrors };
}

/** The status element's text and class (what the user reads). */
const statusOf = (page) => page.evaluate(() => {
  const s = document.getElementById('alisave-root')?.shadowRoot?.querySelector('[data-alisave-status]');
  return s ? { text: s.textContent, error: s.classList.contains('error') } : null;
});

/** The button comes back to its idle state: the save finished without wedging the UI. */
async function assertIdle(page) {
  await page.waitForFunction(() => {
    const b = document.getElementById('alisave-root')?.shadowRoot?.querySelector('button[data-alisave-action="download-all"]');
    return b && !b.disabled && b.textContent === 'Save product media';
  }, null, { timeout: 30000 }).catch(() => {});
  const b = page.locator('#alisave-root button[data-alisave-action="download-all"]');
  assert.equal(await b.isDisabled(), false, 'button stays disabled');
  assert.equal(await b.textContent(), 'Save product media');
}

/**
 * Clicks the button and returns the outcome, plus every text the status line
 * showed (the first answer may be replaced by the final one within milliseconds).
 */
async function clickSaveRecording(page) {
  await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  await page.evaluate(() => {
    const status = document.getElementById('alisave-root').shadowRoot.querySelector('[data-alisave-status]');
    window.alisaveTexts = [];
    new MutationObserver(() => { if (status.textContent) window.alisaveTexts.push(status.textContent); })
      .observe(status, { childList: true, characterData: true, subtree: true });
  });
  const out = await clickSave(page);
  return { ...out, texts: await page.evaluate(() => window.alisaveTexts) };
}

/** "Saving N files to F." (when asked) or "Saved N files to F." (when done). */
const savingRe = (n, folder) => new RegExp(`^Sav(ing|ed) ${n} files? to ${folder.replace(/[/.]/g, '\\$&')}[.;]`);

/** Every download Chrome has a record of (this profile only has the extension's); limit 0 = no limit (the default is 1000). */
async function allDownloads() {
  const sw = await browser.worker();
  return sw.evaluate(() => chrome.downloads.search({ limit: 0 }).then((items) => items.map((d) => ({ url: d.url, filename: d.filename, state: d.state }))));
}

/** The shop CDN media rule, as the extension states it: https, a known CDN host, no userinfo/port. */
function isCdnMedia(url) {
  let u;
  try { u = new URL(url); } catch { return false; }
  return u.protocol === 'https:' && !u.username && !u.password && u.port === ''
    && (CDN_HOSTS.includes(u.hostname) || /^ae-pic-[a-z0-9]+\.aliexpress-media\.com$/.test(u.hostname) || u.hostname === 'video.alicdn.com');
}

test('truncated and garbage page data: no crash, a clear message, and what is readable is still saved', async () => {
  // Only a truncated data object: nothing to save, and the user is told so.
  {
    const p = HOSTILE.truncatedOnly;
    const { page, extensionErrors } = await open(p.url);
    const out = await clickSave(page);
    assert.equal(out.started, 0, out.text);
    assert.equal(out.failed, 0, out.text);
    assert.equal(out.text, 'No product images were found on this page.');
    assert.equal((await statusOf(page)).error, true, 'shown as an error');
    await assertIdle(page);
    assert.equal(existsSync(join(downloads, folderOf(p))), false, 'a folder was created for nothing');
    assert.deepEqual(extensionErrors, []);
    await page.close();
  }
  // Truncated data, but the description is rendered in the DOM: it is not lost.
  {
    const p = HOSTILE.truncatedWithDom;
    const { page, extensionErrors } = await open(p.url);
    const out = await clickSave(page);
    assert.equal(out.failed, 0, out.text);
    assert.equal(out.started, 2, out.text);
    assert.match(out.text, savingRe(2, folderOf(p)));
    const files = await waitForFiles(join(downloads, folderOf(p)), 2);
    assert.deepEqual(files, ['description-01.jpg', 'description-02.jpg']);
    assert.deepEqual(files.map((f) => urlOf(p, f)), p.description);
    assert.deepEqual(extensionErrors, []);
    await page.close();
  }
  // Garbage in every data script, one good source after them.
  {
    const p = HOSTILE.garbage;
    const { page, extensionErrors } = await open(p.url);
    const out = await clickSave(page);
    assert.equal(out.failed, 0, out.text);
    assert.equal(out.started, 1, out.text);
    const files = await waitForFiles(join(downloads, folderOf(p)), 1);
    assert.deepEqual(files, ['gallery-01.jpg']);
    assert.deepEqual(files.map((f) => urlOf(p, f)), p.gallery);
    await assertIdle(page);
    assert.deepEqual(extensionErrors, []);
    await page.close();
  }
});

test('javascript:, data:, file:, blob: and off-CDN URLs are never fetched by the extension nor saved', async () => {
  const p = HOSTILE.schemes;
  const { page, extensionErrors } = await open(p.url);
  const requestsBefore = shop.requests.length;
  const out = await clickSave(page);
  assert.equal(out.failed, 0, out.text);
  assert.equal(out.started, 2, out.text);
  const files = await waitForFiles(join(downloads, folderOf(p)), 2);
  assert.deepEqual(files, ['description-01.jpg', 'gallery-01.jpg']);
  assert.deepEqual(files.map((f) => urlOf(p, f)), [...p.description, ...p.gallery]);
  // Nothing the extension fetched during the save was one of the bad URLs (the
  // page's own <img>/<video> elements may load them: those are 'image'/'video').
  const bad = shop.requests.slice(requestsBefore)
    .filter((r) => /\/kf\/S(evil|offcdn)|steal-desc/.test(r.path) && !['image', 'video'].includes(r.dest));
  assert.deepEqual(bad, []);
  const downloaded = (await allDownloads()).map((d) => d.url);
  for (const u of BAD_URLS) assert.ok(!downloaded.includes(u), `downloaded ${u}`);
  assert.ok(downloaded.every((u) => !/evil|offcdn/i.test(u)), downloaded.filter((u) => /evil|offcdn/i.test(u)).join());
  assert.deepEqual(extensionErrors, []);
  await page.close();
});

test('a title of ../, reserved names and 1000 emoji: every file lands in the product folder under a safe name, none is lost', async () => {
  const p = HOSTILE.names;
  const { page, extensionErrors } = await open(p.url);
  const out = await clickSave(page);
  const expected = p.gallery.length + p.variants.length;
  assert.equal(out.failed, 0, out.text);
  assert.equal(out.started, expected, out.text);
  assert.equal(out.folder, folderOf(p));
  const files = await waitForFiles(join(downloads, folderOf(p)), expected);
  assert.equal(files.length, expected);
  for (const f of files) {
    assert.ok(!f.includes('/'), `sub-folder created: ${f}`);
    assert.match(f, /^(gallery|variant)-\d{2}(-.*)?\.jpg$/, f);
    assert.ok(Buffer.byteLength(f) <= 120, `name too long: ${Buffer.byteLength(f)} bytes`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(f, /[\u0000-\u001f\u007f<>:"\\|?*\u202a-\u202e\u2066-\u2069]/, `unsafe character in ${JSON.stringify(f)}`);
    assert.doesNotMatch(f, /^[. ]|[. ]$/, `leading/trailing dot or space: ${JSON.stringify(f)}`);
    assert.doesNotMatch(f.split('.')[0].toUpperCase(), /^(CON|PRN|AUX|NUL|COM\d|LPT\d)$/, f);
  }
  // Every variant, in order, under its own number: nothing lost, nothing swapped.
  const variants = files.filter((f) => f.startsWith('variant-')).sort();
  assert.deepEqual(variants.map((f) => urlOf(p, f)), p.variants);
  assert.equal(variants.length, HOSTILE_NAMES.length);
  // Nothing escaped: the download root holds only the extension's folder.
  assert.deepEqual(readdirSync(downloads), ['AliSavePro']);
  assert.ok(readdirSync(join(downloads, 'AliSavePro')).every((d) => /^aliexpress-\d+$/.test(d)), readdirSync(join(downloads, 'AliSavePro')).join());
  assert.equal(existsSync('/tmp/alisave-escape'), false);
  for (const d of await allDownloads()) assert.ok(d.filename.startsWith(join(downloads, 'AliSavePro') + '/'), d.filename);
  assert.deepEqual(extensionErrors, []);
  await page.close();
});

test('a page that removes the button host on every DOM mutation: after it stops, one host and a working button', async () => {
  const p = HOSTILE.fightObserver;
  const { page, extensionErrors } = await open(p.url);
  await page.waitForFunction(() => window.fightDone === true, null, { timeout: 20000 });
  await page.waitForTimeout(300);
  assert.ok(await page.evaluate(() => window.removed) > 0, 'the page never saw the host');
  assert.equal(await page.evaluate(() => document.querySelectorAll('#alisave-root').length), 1);
  const out = await clickSave(page);
  assert.equal(out.started, 1, out.text);
  assert.deepEqual((await waitForFiles(join(downloads, folderOf(p)), 1)).map((f) => urlOf(p, f)), p.gallery);
  assert.deepEqual(extensionErrors, []);
  await page.close();
});

test('a page that removes the button host on every DOM mutation is not kept busy by the extension re-adding it', async () => {
  const { page } = await open(HOSTILE.fightObserver.url);
  await page.waitForFunction(() => window.fightDone === true, null, { timeout: 20000 });
  const removed = await page.evaluate(() => window.removed);
  await page.close();
  assert.ok(removed < 1000, `the extension re-added its host ${removed} times in 3 s`);
});

test('a page that swaps the host for an impostor element in a loop: no duplicate, page responsive', async () => {
  const p = HOSTILE.fightImpostor;
  const { page, extensionErrors } = await open(p.url);
  // Responsive during the fight.
  const t0 = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - t0 < 2000, 'page unresponsive during the fight');
  await page.waitForFunction(() => window.fightDone === true, null, { timeout: 20000 });
  await page.waitForTimeout(300);
  const hosts = await page.evaluate(() => [...document.querySelectorAll('[id="alisave-root"]')].map((e) => !!e.shadowRoot));
  assert.ok(hosts.filter(Boolean).length <= 1, `duplicate real hosts: ${hosts}`);
  assert.deepEqual(extensionErrors, []);
  await page.close();
});

test('after an impostor took the host id, the real button comes back', async () => {
  const p = HOSTILE.fightImpostor;
  const { page } = await open(p.url);
  await page.waitForFunction(() => window.fightDone === true, null, { timeout: 20000 });
  await page.evaluate(() => document.body.appendChild(document.createElement('p'))); // any later mutation
  await page.waitForTimeout(500);
  const real = await page.evaluate(() => !!document.getElementById('alisave-root')?.shadowRoot?.querySelector('button[data-alisave-action]'));
  await page.close();
  assert.equal(real, true, 'the impostor element hides the button for good');
});

test('page scripts cannot message the extension; forged postMessage and DOM events save nothing', async () => {
  const p = HOSTILE.forgery;
  const { page, extensionErrors } = await open(p.url);
  await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const ofThisPage = async () => (await allDownloads()).filter((d) => d.url.includes('/kf/Sfrg') || d.url.includes('/kf/Sforged')).length;
  const before = await ofThisPage();
  // The main world has no messaging API for this extension (no externally_connectable).
  const reach = await page.evaluate(async (id) => {
    const out = { chrome: typeof chrome, runtime: typeof globalThis.chrome?.runtime, sendMessage: typeof globalThis.chrome?.runtime?.sendMessage };
    try {
      await globalThis.chrome.runtime.sendMessage(id, { type: 'save_all', page: { url: location.href, html: '<img src="https://ae01.alicdn.com/kf/Sforged.jpg">' } });
      out.sent = true;
    } catch (e) { out.sent = false; out.error = String(e); }
    try {
      const port = globalThis.chrome.runtime.connect(id);
      port.postMessage({ type: 'save_all' });
      out.connected = true;
    } catch { out.connected = false; }
    return out;
  }, browser.extensionId);
  assert.equal(reach.sent, false, JSON.stringify(reach));
  assert.equal(reach.connected, false, JSON.stringify(reach));
  assert.notEqual(reach.sendMessage, 'function', JSON.stringify(reach));
  // Forged messages and events the content script might be fooled by.
  await page.evaluate(() => {
    const msg = { type: 'save_all', page: { url: location.href, html: '<img src="https://ae01.alicdn.com/kf/Sforged.jpg">' } };
    window.postMessage(msg, '*');
    window.postMessage(JSON.stringify(msg), '*');
    document.dispatchEvent(new CustomEvent('alisave:save', { detail: msg }));
    const host = document.getElementById('alisave-root');
    host.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    host.click();
    document.documentElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
  });
  await page.waitForTimeout(1500);
  assert.equal(await ofThisPage(), before, 'a forged message or event started a download');
  assert.equal(existsSync(join(downloads, folderOf(p))), false);
  assert.deepEqual(extensionErrors, []);
  await page.close();
});

test('a click synthesised by the page script does not start a save', async () => {
  const { page } = await open(HOSTILE.forgery.url);
  await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const ofThisPage = async () => (await allDownloads()).filter((d) => d.url.includes('/kf/Sfrg')).length;
  const before = await ofThisPage();
  await page.evaluate(() => {
    const b = document.getElementById('alisave-root').shadowRoot.querySelector('button');
    b.click();
    b.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
  });
  await page.waitForTimeout(1500);
  const after = await ofThisPage();
  await page.close();
  assert.equal(after - before, 0, 'a click synthesised by the page script (isTrusted=false) started a save');
});

test('hostile settings in storage: bad fields fall back to defaults, the user is told, nothing lands outside the folder', async () => {
  const p = HOSTILE.settingsPage;
  const sw = await browser.worker();
  await sw.evaluate(() => chrome.storage.local.set({ settings: { schema_version: 1, folder: '../../../../tmp/alisave-escape', kinds: 'all of them', show_button: 'yes' } }));
  try {
    const { page, extensionErrors } = await open(p.url);
    const out = await clickSaveRecording(page);
    assert.equal(out.folder, folderOf(p));
    assert.equal(out.started, 2, out.text);
    const told = /were reset to their defaults: .*Download folder: The folder name may not contain "\." or "\.\." as a folder\./;
    assert.ok(out.texts.some((t) => told.test(t)), `never told: ${JSON.stringify(out.texts)}`);
    const files = await waitForFiles(join(downloads, folderOf(p)), 2);
    assert.deepEqual(files.map((f) => urlOf(p, f)), p.gallery);
    assert.equal(existsSync('/tmp/alisave-escape'), false);
    await assertIdle(page);
    assert.deepEqual(extensionErrors, []);
    await page.close();
  } finally {
    await sw.evaluate(() => chrome.storage.local.remove('settings'));
  }
});

test('the final message still says what the user must know (here: unreadable settings replaced by defaults)', async () => {
  const p = HOSTILE.settingsPage;
  const sw = await browser.worker();
  await sw.evaluate(() => chrome.storage.local.set({ settings: { schema_version: 1, folder: '../x' } }));
  try {
    const { page } = await open(p.url);
    await clickSave(page);
    await assertIdle(page);
    const final = (await statusOf(page)).text;
    await page.close();
    assert.match(final, /Download folder: The folder name may not contain/, 'the final message no longer mentions the settings problem');
  } finally {
    await sw.evaluate(() => chrome.storage.local.remove('settings'));
  }
});

test('after all of it: the worker answers, every download was an https CDN URL inside the folder, an ordinary page still saves', async () => {
  const sw = await browser.worker();
  assert.equal(await sw.evaluate(() => self.alisaveReady.then(() => 'ready')), 'ready');
  const all = await allDownloads();
  assert.ok(all.length > 0);
  // Besides media, only the extension's own product manifest (text it made,
  // as data: URLs) lands, named product.json/product.csv.
  const manifestFile = (d) => /^data:(application\/json|text\/csv);charset=utf-8,/.test(d.url)
    && /\/product\.(json|csv)$/.test(d.filename);
  const offCdn = all.filter((d) => !isCdnMedia(d.url) && !manifestFile(d));
  assert.deepEqual(offCdn, [], 'downloads of non-CDN URLs');
  for (const d of all) assert.ok(d.filename.startsWith(join(downloads, 'AliSavePro') + '/'), d.filename);
  for (const f of listFiles(downloads)) assert.ok(statSync(join(downloads, f)).isFile());
  const { page } = await open(`https://de.aliexpress.com/item/${ERA_C.id}.html`);
  const out = await clickSave(page);
  assert.equal(out.started, 2, out.text);
  await page.close();
});

test('storage full: the save is refused with a clear message, nothing starts, and the same button saves once there is room', async () => {
  const sw = await browser.worker();
  const folder = join(downloads, `AliSavePro/aliexpress-${ERA_C2.id}`);
  const { page, extensionErrors } = await open(`https://de.aliexpress.com/item/${ERA_C2.id}.html`);
  await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor({ timeout: 15000 });
  // chrome.storage.session filled to its quota, but for less than any batch needs.
  const free = await sw.evaluate(async () => {
    const area = chrome.storage.session;
    let n = area.QUOTA_BYTES - (await area.getBytesInUse(null));
    for (; n > 0; n -= 16) {
      try { await area.set({ 'test-ballast': 'x'.repeat(n) }); break; } catch { /* over the quota: a little less */ }
    }
    return area.QUOTA_BYTES - (await area.getBytesInUse(null));
  });
  assert.ok(free < 100, `${free} bytes left free`);
  try {
    const out = await clickSave(page);
    assert.equal(out.started, 0, out.text);
    assert.match(out.text, /^The save could not be started: the browser's storage refused it \(.+\)\. Nothing was saved; try again\.$/);
    assert.equal((await statusOf(page)).error, true, 'shown as an error');
    await assertIdle(page);
    const keys = await sw.evaluate(async () => Object.keys(await chrome.storage.session.get(null)));
    assert.deepEqual(keys.filter((k) => k.startsWith('batch:') || k.startsWith('download:')), [], 'nothing recorded');
    assert.equal((await allDownloads()).some((d) => d.filename.startsWith(folder)), false, 'a download started');
  } finally {
    await sw.evaluate(() => chrome.storage.session.remove('test-ballast'));
  }
  // Room again: the same button saves the product, every file once.
  const again = await clickSave(page);
  assert.equal(again.failed, 0, again.text);
  assert.equal(again.started, ERA_C2.gallery.length, again.text);
  const files = await waitForFiles(folder, ERA_C2.gallery.length);
  assert.equal(files.length, ERA_C2.gallery.length, files.join(', '));
  assert.deepEqual(extensionErrors, []);
  await page.close();
});

// Last: the worker may take minutes to finish 2000 downloads; nothing after this waits on it.
test('10 000 entries of each kind: 1000 per kind read, at most 2000 files accepted, the rest refused with a reason the user sees', async () => {
  const p = HOSTILE.flood;
  const { page, extensionErrors } = await open(p.url);
  const out = await clickSaveRecording(page);
  assert.equal(out.started, 2000, out.text);
  assert.equal(out.failed, p.refusedDescription, out.text);
  const answer = out.texts.find((t) => t.startsWith('Saving 2000 files')) ?? out.text;
  assert.match(answer, /^Saving 2000 files to AliSavePro\/aliexpress-1005009000000004; 1000 could not be saved\./);
  assert.match(answer, /Gallery: more than 1000 items; the rest were ignored\./);
  assert.match(answer, /description-0001\.jpg: more than 2000 files in one request/);
  // The files that land are the first 1000 of each kind, in page order, byte for
  // byte; no refused description image is ever fetched. (Not all 2000 are
  // awaited: the worker downloads a few at a time.)
  const dir = join(downloads, folderOf(p));
  const end = Date.now() + 20000;
  while (Date.now() < end && listFiles(dir).filter((f) => !f.endsWith('.crdownload')).length < 40) await new Promise((r) => setTimeout(r, 200));
  const files = listFiles(dir).filter((f) => !f.endsWith('.crdownload'));
  assert.ok(files.length >= 40, `only ${files.length} files landed in 20 s`);
  for (const f of files) {
    const g = f.match(/^gallery-(\d{4})\.jpg$/);
    const v = f.match(/^variant-(\d{4})-v(\d+)\.jpg$/);
    assert.ok(g || v, `unexpected file ${f}`);
    if (g) assert.equal(urlOf(p, f), p.gallery[Number(g[1]) - 1], f);
    if (v) {
      assert.equal(Number(v[2]), Number(v[1]) - 1, f);
      assert.equal(urlOf(p, f), p.variants[Number(v[1]) - 1], f);
    }
  }
  const fetched = await allDownloads();
  assert.equal(fetched.filter((d) => d.url.includes('/kf/Sfd')).length, 0, 'a refused description image was downloaded');
  assert.ok(fetched.every((d) => !d.url.includes('/kf/Sfg') || p.gallery.includes(d.url)), 'a gallery image beyond the first 1000 was downloaded');
  assert.ok(fetched.every((d) => !d.url.includes('/kf/Sfv') || p.variants.includes(d.url)), 'a variant image beyond the first 1000 was downloaded');
  assert.deepEqual(extensionErrors, []);
  await page.close();
});
