// Saving from bytes, end to end: ZIP archives, format conversion, the product
// manifest, the original-bytes guarantee, saving without CDN access, and the
// saver page closed mid-way. The archives are read back with JSZip (an
// independent implementation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, mediaBytes, embeddedUrl, pixelSize, ALIBABA_MEDIA, ERA_C } from './lib/shop.mjs';
import { launch, listFiles, waitForFiles, clickSave, finalReport } from './lib/browser.mjs';
import { CDN_ORIGINS, setSettings, saverPages, readZip, expectOriginal } from './lib/packing.mjs';

const ALIBABA = 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html';
const ERA_B = 'https://es.aliexpress.com/item/1005004787627817.html';
const hostPath = (u) => u.replace(/^https:\/\//, '');

let shop, browser, downloads;

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-pack-'));
  browser = await launch({ port: shop.port, downloadDir: downloads, grant: CDN_ORIGINS });
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});



async function waitNoSaver(b) {
  for (let i = 0; i < 50 && saverPages(b).length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(saverPages(b).length, 0, 'the saver tab closed itself');
}


/** The IJG quality a baseline JPEG's luminance table was made with (or null). */
function jpegQuality(bytes) {
  const base = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];
  const zigzag = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63];
  for (let i = 2; i + 4 < bytes.length;) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    const len = bytes.readUInt16BE(i + 2);
    if (marker === 0xdb && (bytes[i + 4] & 0x0f) === 0 && (bytes[i + 4] >> 4) === 0) {
      const table = [...bytes.subarray(i + 5, i + 5 + 64)];
      for (let q = 1; q <= 100; q++) {
        const scale = q < 50 ? 5000 / q : 200 - 2 * q;
        const want = zigzag.map((n) => Math.min(255, Math.max(1, Math.floor((base[n] * scale + 50) / 100))));
        if (want.every((v, k) => v === table[k])) return q;
      }
      return null;
    }
    i += 2 + len;
  }
  return null;
}

const isJpeg = (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
const isWebp = (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP';

test('ZIP: one archive per product, folders per kind, the 404 reported inside and on the button; the saver tab closes', async () => {
  await setSettings(browser, { folder: 'Zip', zip: true });
  const [missing] = ALIBABA_MEDIA.gallery;
  shop.setOverride(hostPath(missing), (req, res) => { res.writeHead(404); res.end('not found'); });
  try {
    const page = await browser.ctx.newPage();
    await page.goto(ALIBABA);
    const accepted = await clickSave(page);
    assert.equal(accepted.started, 4, accepted.text);
    assert.equal(accepted.folder, 'Zip/alibaba-1600000000001.zip');
    const report = await finalReport(page);
    assert.equal(report.text, 'Saved 3 of 4 files to Zip/alibaba-1600000000001.zip; 1 failed — gallery-01.jpg: not found on the server (HTTP 404)');
    assert.equal(report.label, 'Retry 1 failed');
    await waitNoSaver(browser);
    const files = await waitForFiles(join(downloads, 'Zip'), 1, 30000, { all: true });
    assert.deepEqual(files, ['alibaba-1600000000001.zip']);
    const zip = await readZip(join(downloads, 'Zip', files[0]));
    assert.deepEqual(Object.keys(zip).sort(), [
      'gallery/gallery-02.jpg', 'gallery/gallery-03.png', 'product.csv', 'product.json', 'report.txt', 'videos/video-01.mp4',
    ]);
    for (const name of ['gallery/gallery-02.jpg', 'gallery/gallery-03.png', 'videos/video-01.mp4']) expectOriginal(name, zip[name]);
    const manifest = JSON.parse(zip['product.json'].toString('utf8'));
    assert.equal(manifest.schema, 'alisavepro.product/1');
    assert.equal(manifest.product_id, '1600000000001');
    assert.equal(manifest.page_url, ALIBABA);
    const byFile = Object.fromEntries(manifest.files.map((f) => [f.file, f]));
    assert.deepEqual(Object.keys(byFile).sort(), ['gallery/gallery-01.jpg', 'gallery/gallery-02.jpg', 'gallery/gallery-03.png', 'videos/video-01.mp4']);
    assert.equal(byFile['gallery/gallery-01.jpg'].status, 'failed');
    assert.equal(byFile['gallery/gallery-01.jpg'].note, 'not found on the server (HTTP 404)');
    assert.equal(byFile['gallery/gallery-02.jpg'].status, 'saved');
    assert.equal(byFile['gallery/gallery-02.jpg'].size, zip['gallery/gallery-02.jpg'].length);
    assert.equal(byFile['videos/video-01.mp4'].kind, 'video');
    const report2 = zip['report.txt'].toString('utf8');
    assert.match(report2, /Saved 3 of 4 files/);
    assert.match(report2, /failed\s+gallery\/gallery-01\.jpg — not found on the server \(HTTP 404\)/);
    const csv = zip['product.csv'].toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(csv.length, 5, 'a header and one row per file');
    // The popup's "Open folder" shows the archive.
    const sw = await browser.worker();
    const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0].id, ALIBABA);
    const popup = await browser.ctx.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tab=${tabId}`);
    await popup.locator('button[data-action="open-folder"]').click();
    const note = popup.locator('[data-testid="progress-note"][data-shown-download]');
    await note.waitFor();
    const shown = Number(await note.getAttribute('data-shown-download'));
    const [item] = await sw.evaluate((id) => chrome.downloads.search({ id }), shown);
    assert.equal(item.filename, join(downloads, 'Zip', 'alibaba-1600000000001.zip'));
    await popup.close();
    assert.match(csv[0], /^product_id,platform,title,shop,page_url,saved_at,file,kind,variant,source_url,original_url,size,status,note$/);
    await page.close();
  } finally {
    shop.setOverride(hostPath(missing), null);
  }
});

test('conversion: JPEG at the chosen quality (PNG converted, JPEG and video untouched), then WebP and PNG', async () => {
  await setSettings(browser, { folder: 'Conv jpeg', format: 'jpeg', quality: 80 });
  const page = await browser.ctx.newPage();
  await page.goto(ALIBABA);
  await clickSave(page);
  let report = await finalReport(page);
  assert.equal(report.failed, 0, report.text);
  assert.equal(report.text, 'Saved 4 files to Conv jpeg/alibaba-1600000000001.');
  let folder = join(downloads, 'Conv jpeg/alibaba-1600000000001');
  let files = await waitForFiles(folder, 6, 30000, { all: true });
  assert.deepEqual(files, ['gallery-01.jpg', 'gallery-02.jpg', 'gallery-03.jpg', 'product.csv', 'product.json', 'video-01.mp4']);
  expectOriginal('gallery-01.jpg', readFileSync(join(folder, 'gallery-01.jpg')));
  expectOriginal('video-01.mp4', readFileSync(join(folder, 'video-01.mp4')));
  const converted = readFileSync(join(folder, 'gallery-03.jpg'));
  assert.ok(isJpeg(converted), 'gallery-03.jpg is a JPEG');
  assert.equal(jpegQuality(converted), 80, 'encoded at quality 80');
  const manifest = JSON.parse(readFileSync(join(folder, 'product.json'), 'utf8'));
  const g3 = manifest.files.find((f) => f.file === 'gallery-03.jpg');
  assert.equal(g3.note, 'converted from PNG to JPEG (quality 80)');
  assert.equal(g3.size, statSync(join(folder, 'gallery-03.jpg')).size);
  assert.equal(g3.original_url, ALIBABA_MEDIA.gallery[2]);
  assert.equal(manifest.files.find((f) => f.file === 'gallery-01.jpg').note, null, 'an original JPEG is not re-encoded');

  for (const [format, check, ext] of [['webp', isWebp, 'webp'], ['png', isPng, 'png']]) {
    await setSettings(browser, { folder: `Conv ${format}`, format, quality: 50, product_manifest: false });
    await clickSave(page);
    report = await finalReport(page);
    assert.equal(report.failed, 0, report.text);
    folder = join(downloads, `Conv ${format}/alibaba-1600000000001`);
    files = await waitForFiles(folder, 4, 30000, { all: true });
    const images = ['gallery-01', 'gallery-02', 'gallery-03'].map((n) => `${n}.${ext}`);
    assert.deepEqual(files, [...images, 'video-01.mp4'], `${format}: no manifest when it is off`);
    for (const f of images) assert.ok(check(readFileSync(join(folder, f))), `${f} is ${format}`);
    if (format === 'webp') {
      const b = readFileSync(join(folder, images[0]));
      assert.ok(b.includes(Buffer.from('VP8 ')), 'lossy WebP (the quality applies)');
    }
    if (format === 'png') {
      // gallery-03 already was a PNG: saved as it was, byte for byte.
      expectOriginal('gallery-03.png', readFileSync(join(folder, 'gallery-03.png')));
    }
  }
  // The converted files decode in the browser at the original size.
  const dims = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes]));
    return [bmp.width, bmp.height];
  }, readFileSync(join(downloads, 'Conv webp/alibaba-1600000000001/gallery-01.webp')).toString('base64'));
  const { host, pathname } = new URL(ALIBABA_MEDIA.gallery[0]);
  const original = pixelSize(mediaBytes(host, pathname));
  assert.deepEqual(dims, [original.width, original.height]);
  await page.close();
});

test('a CDN that sends a re-encoded WebP for a .jpg: the original comes from the other CDN host and the report says so', async () => {
  await setSettings(browser, { folder: 'Reencoded', zip: true });
  const page = await browser.ctx.newPage();
  await page.goto(`https://de.aliexpress.com/item/${ERA_C.id}.html`);
  // A real WebP (Chromium's encoder) where the JPEG should be.
  const webp = Buffer.from(await page.evaluate(async () => {
    const c = new OffscreenCanvas(8, 8);
    c.getContext('2d').fillRect(0, 0, 8, 8);
    const b = await c.convertToBlob({ type: 'image/webp', quality: 0.5 });
    return btoa(String.fromCharCode(...new Uint8Array(await b.arrayBuffer())));
  }), 'base64');
  const jpg = ERA_C.gallery[0];
  shop.setOverride(hostPath(jpg), (req, res) => { res.writeHead(200, { 'content-type': 'image/webp' }); res.end(webp); });
  try {
    await clickSave(page);
    const report = await finalReport(page);
    assert.equal(report.failed, 0, report.text);
    const files = await waitForFiles(join(downloads, 'Reencoded'), 1, 30000, { all: true });
    const zip = await readZip(join(downloads, 'Reencoded', files[0]));
    const fallback = jpg.replace('ae-pic-a1.aliexpress-media.com', 'ae01.alicdn.com');
    assert.equal(expectOriginal('gallery-01.jpg', zip['gallery/gallery-01.jpg']), fallback);
    const manifest = JSON.parse(zip['product.json'].toString('utf8'));
    const g1 = manifest.files.find((f) => f.file === 'gallery/gallery-01.jpg');
    assert.equal(g1.note, `the CDN sent WebP instead of the original JPEG; saved the original from ${fallback}`);
    assert.equal(g1.source_url, fallback);
    assert.equal(g1.original_url, jpg);
  } finally {
    shop.setOverride(hostPath(jpg), null);
    await page.close();
  }
});

test('the saver tab closed mid-way: everything is reported failed with the reason; retry packs them again', async () => {
  await setSettings(browser, { folder: 'Closed', zip: true });
  shop.setCdnDelay(400);
  try {
    const page = await browser.ctx.newPage();
    await page.goto(ERA_B);
    const accepted = await clickSave(page);
    assert.equal(accepted.started, 21, accepted.text);
    for (let i = 0; i < 100 && !saverPages(browser).length; i++) await new Promise((r) => setTimeout(r, 100));
    const [saver] = saverPages(browser);
    assert.ok(saver, 'the saver page opened');
    await saver.waitForFunction(() => Number(document.getElementById('bar').value) >= 1, null, { timeout: 30000 });
    await saver.close();
    const report = await finalReport(page);
    assert.equal(report.failed, 21, report.text);
    assert.match(report.text, /the saving tab was closed before (it finished|the ZIP was written)/);
    assert.equal(report.label, 'Retry 21 failed');
    assert.deepEqual(listFiles(join(downloads, 'Closed'), { all: true }), [], 'no partial archive');
    shop.setCdnDelay(0);
    await page.locator('#alisave-root button[data-alisave-action="download-all"]').click();
    const again = await finalReport(page);
    assert.equal(again.failed, 0, again.text);
    assert.equal(again.done, 21, again.text);
    const files = await waitForFiles(join(downloads, 'Closed'), 1, 30000, { all: true });
    assert.deepEqual(files, ['aliexpress-1005004787627817.zip']);
    const zip = await readZip(join(downloads, 'Closed', files[0]));
    const media = Object.keys(zip).filter((n) => n.includes('/'));
    assert.equal(media.length, 21, media.join(', '));
    for (const n of media) expectOriginal(n, zip[n]);
    await waitNoSaver(browser);
    await page.close();
  } finally {
    shop.setCdnDelay(0);
  }
});

test('without access to the image servers: their files are saved separately and unconverted, and the report says why', async () => {
  const dl = mkdtempSync(join(tmpdir(), 'alisave-noaccess-'));
  const b = await launch({ port: shop.port, downloadDir: dl });
  try {
    await setSettings(b, { folder: 'No access', zip: true, format: 'webp' });
    const page = await b.ctx.newPage();
    await page.goto(ALIBABA);
    await clickSave(page);
    const report = await finalReport(page);
    assert.equal(report.failed, 0, report.text);
    assert.equal(report.text, 'Saved 4 files to No access/alibaba-1600000000001.zip.');
    // The images (alicdn.com: optional access, not granted) are saved as they are.
    const folder = join(dl, 'No access/alibaba-1600000000001');
    const files = await waitForFiles(folder, 3, 30000, { all: true });
    assert.deepEqual(files, ['gallery-01.jpg', 'gallery-02.jpg', 'gallery-03.png']);
    for (const f of files) expectOriginal(f, readFileSync(join(folder, f)));
    // The video is on the shop's own host (a host permission): it is in the archive.
    const zip = await readZip(join(dl, 'No access/alibaba-1600000000001.zip'));
    assert.deepEqual(Object.keys(zip).sort(), ['product.csv', 'product.json', 'report.txt', 'videos/video-01.mp4']);
    expectOriginal('videos/video-01.mp4', zip['videos/video-01.mp4']);
    const manifest = JSON.parse(zip['product.json'].toString('utf8'));
    const images = manifest.files.filter((f) => f.kind === 'gallery');
    assert.deepEqual(images.map((f) => f.file), files);
    for (const f of images) {
      assert.equal(f.status, 'saved');
      assert.equal(f.note, 'the image server could not be reached or did not allow access; saved as a separate, unconverted file (allow access to the image servers in the options to include it)');
    }
    await page.close();

    // The options page says that access is missing and offers to ask for it.
    const o = await b.ctx.newPage();
    await o.goto(`chrome-extension://${b.extensionId}/options.html`);
    await o.locator('[data-access="missing"] button[data-action="grant-access"]').waitFor();
    // Turning a feature on from scratch asks Chrome first and changes nothing until
    // the user answers (headless Chromium keeps the prompt pending: no answer).
    await setSettings(b, { folder: 'No access' });
    await o.waitForFunction(() => !document.querySelector('input[data-setting="zip"]').checked);
    await o.locator('input[data-setting="zip"]').click();
    await o.locator('[data-access="asking"]').waitFor();
    assert.equal(await o.locator('input[data-setting="zip"]').isChecked(), false, 'the box shows the saved value');
    const stored = await (await b.worker()).evaluate(async () => (await chrome.storage.local.get('settings')).settings);
    assert.equal(stored.zip, undefined, 'nothing stored before the answer');
    await o.close();
  } finally {
    await b.close();
    rmSync(dl, { recursive: true, force: true });
  }
});

test('options: with access granted, ZIP, format and quality are stored at once and used by the next save', async () => {
  await setSettings(browser, { folder: 'From options' });
  const o = await browser.ctx.newPage();
  await o.goto(`chrome-extension://${browser.extensionId}/options.html`);
  await o.locator('input[data-setting="zip"]').click();
  await o.locator('select[data-setting="format"]').selectOption('jpeg');
  const quality = o.locator('input[data-setting="quality"]');
  await quality.fill('70');
  await quality.dispatchEvent('change');
  const sw = await browser.worker();
  let s;
  for (let i = 0; i < 50; i++) {
    s = await sw.evaluate(async () => (await chrome.storage.local.get('settings')).settings);
    if (s?.zip && s.format === 'jpeg' && s.quality === 70) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual([s.zip, s.format, s.quality], [true, 'jpeg', 70]);
  assert.equal(await o.locator('[data-access]').count(), 0, 'no access notice when access is granted');
  await o.close();
  const page = await browser.ctx.newPage();
  await page.goto(ALIBABA);
  // The popup's quick settings are the same settings, shown live.
  const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0].id, ALIBABA);
  const popup = await browser.ctx.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tab=${tabId}`);
  await popup.locator('details.quick summary').click();
  await popup.waitForFunction(() => document.querySelector('select[data-setting="format"]')?.value === 'jpeg'
    && document.querySelector('input[data-setting="zip"]')?.checked);
  await popup.locator('select[data-setting="format"]').selectOption('original');
  await popup.locator('select[data-setting="format"]').selectOption('jpeg');
  await popup.close();
  await clickSave(page);
  const report = await finalReport(page);
  assert.equal(report.text, 'Saved 4 files to From options/alibaba-1600000000001.zip.');
  const files = await waitForFiles(join(downloads, 'From options'), 1, 30000, { all: true });
  const zip = await readZip(join(downloads, 'From options', files[0]));
  assert.ok(Object.keys(zip).includes('gallery/gallery-03.jpg'), Object.keys(zip).join());
  assert.equal(jpegQuality(zip['gallery/gallery-03.jpg']), 70);
  await page.close();
});

test('a save asks the browser little: no read of every stored batch before it starts, at most one size query and one key removal for the whole batch, no read of an absent queue', async () => {
  await setSettings(browser, { folder: 'Calls' });
  // An earlier test's saver tab closing inside the counted window would read the
  // stored batches (the worker forgets a closed tab's): none is left open.
  await waitNoSaver(browser);
  const sw = await browser.worker();
  // The worker learns that there is no queue (as at its first batch write).
  await sw.evaluate(async () => (await self.alisaveReady).on_batches_changed());
  // Records the worker's calls of the browser APIs the engine uses (the wasm
  // glue looks each function up at every call). Other tabs' endings may remove
  // their own keys meanwhile: only calls about this save's downloads count.
  await sw.evaluate(() => {
    globalThis.calls = { search: [], remove: [], set: 0, queueReads: 0, clicked: false, batchWritten: false, wholeReadsBeforeBatch: 0 };
    globalThis.callRestore = [];
    const wrap = (o, k, record) => {
      const f = o[k];
      globalThis.callRestore.push(() => { o[k] = f; });
      o[k] = function (...a) { record(a); return f.apply(this, a); };
    };
    wrap(chrome.downloads, 'search', ([q]) => { calls.search.push(q); });
    wrap(chrome.storage.session, 'remove', ([keys]) => { calls.remove.push([keys].flat()); });
    wrap(chrome.storage.session, 'set', ([items]) => {
      calls.set += 1;
      if (calls.clicked && Object.keys(items ?? {}).some((k) => k.startsWith('batch:'))) calls.batchWritten = true;
    });
    wrap(chrome.storage.session, 'get', ([keys]) => {
      if (calls.clicked && !calls.batchWritten && (keys ?? null) === null) calls.wholeReadsBeforeBatch += 1;
    });
    wrap(chrome.storage.local, 'get', ([keys]) => { if (JSON.stringify(keys ?? null).includes('queue')) calls.queueReads += 1; });
  });
  try {
    const page = await browser.ctx.newPage();
    await page.goto(ERA_B);
    await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
    await sw.evaluate(() => { calls.clicked = true; });
    await clickSave(page);
    const report = await finalReport(page);
    assert.equal(report.done, 21, report.text);
    const folder = join(downloads, 'Calls/aliexpress-1005004787627817');
    await waitForFiles(folder, 23, 30000, { all: true });
    const c = await sw.evaluate(async () => {
      const ids = (await chrome.downloads.search({ limit: 0 }))
        .filter((d) => d.filename.includes('/Calls/') && !/product\.(json|csv)$/.test(d.filename)).map((d) => d.id);
      const ours = (q) => q && ids.includes(q.id);
      return {
        files: ids.length,
        perFileQueries: calls.search.filter(ours).length,
        sizeQueries: calls.search.filter((q) => q && q.startedAfter !== undefined && q.url === undefined).length,
        keyRemovals: calls.remove.filter((keys) => keys.some((k) => ids.some((id) => k === `download:${id}`))).length,
        sets: calls.set,
        queueReads: calls.queueReads,
        batchWritten: calls.batchWritten,
        wholeReadsBeforeBatch: calls.wholeReadsBeforeBatch,
      };
    });
    const said = JSON.stringify(c);
    assert.equal(c.files, 21, said);
    // Before: one size query per file as it ended, one key removal per step, and
    // a read of the queue per batch write.
    assert.equal(c.perFileQueries, 0, `no query per file: ${said}`);
    // (None when every completion came with its size.) The keys go before the
    // final word is sent, so they are gone by the time the page shows it.
    assert.ok(c.sizeQueries <= 1, `one size query for the batch: ${said}`);
    assert.equal(c.keyRemovals, 1, `the batch's keys removed in one call: ${said}`);
    assert.equal(c.queueReads, 0, `no read of the absent queue: ${said}`);
    assert.ok(c.sets >= 2 && c.batchWritten, `batch writes were counted: ${said}`);
    // The click's look-up of a batch its request already made reads one key
    // (core::engine::batch_id), not every stored batch.
    assert.equal(c.wholeReadsBeforeBatch, 0, `no read of every stored batch before the save started: ${said}`);
    const manifest = JSON.parse(readFileSync(join(folder, 'product.json'), 'utf8'));
    for (const f of manifest.files) assert.equal(f.size, statSync(join(folder, f.file)).size, f.file);
    await page.close();
  } finally {
    await sw.evaluate(() => { for (const r of globalThis.callRestore ?? []) r(); });
  }
});

test('separate files (the default): product.json and product.csv describe exactly what was saved', async () => {
  await setSettings(browser, { folder: 'Manifest' });
  const page = await browser.ctx.newPage();
  await page.goto(ERA_B);
  await clickSave(page);
  const report = await finalReport(page);
  assert.equal(report.done, 21, report.text);
  const folder = join(downloads, 'Manifest/aliexpress-1005004787627817');
  const files = await waitForFiles(folder, 23, 30000, { all: true });
  const manifest = JSON.parse(readFileSync(join(folder, 'product.json'), 'utf8'));
  assert.equal(manifest.files.length, 21);
  assert.deepEqual(manifest.files.map((f) => f.file).sort(), files.filter((f) => !f.startsWith('product.')));
  for (const f of manifest.files) {
    assert.equal(f.status, 'saved');
    assert.equal(f.size, statSync(join(folder, f.file)).size, f.file);
    assert.equal(embeddedUrl(readFileSync(join(folder, f.file))), f.source_url, f.file);
  }
  const variants = manifest.files.filter((f) => f.kind === 'variant');
  assert.ok(variants.length > 0 && variants.every((v) => v.variant), 'variant images carry their variant names');
  const csv = readFileSync(join(folder, 'product.csv'), 'utf8');
  assert.ok(csv.startsWith('\uFEFFproduct_id,'), 'UTF-8 BOM for spreadsheets');
  assert.equal(csv.trim().split('\r\n').length, 22);
  await page.close();
});
