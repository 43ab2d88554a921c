// The saver page (ZIP / conversion) under the conditions that used to lose or
// double work: reloaded mid-archive, "Retry" pressed while it still writes, and
// images crafted with chunk lengths near 2^32 under conversion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, mediaBytes, ALIBABA_MEDIA } from './lib/shop.mjs';
import { launch, waitForFiles, clickSave, finalReport } from './lib/browser.mjs';
import { CDN_ORIGINS, setSettings, saverPages, readZip, expectOriginal } from './lib/packing.mjs';

const ERA_B = 'https://es.aliexpress.com/item/1005004787627817.html';
const ALIBABA = 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html';
const hostPath = (u) => u.replace(/^https:\/\//, '');

let shop, browser, downloads;

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-writer-'));
  browser = await launch({ port: shop.port, downloadDir: downloads, grant: CDN_ORIGINS });
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});


/** The saver page, once the worker opened it. */
async function saverPage() {
  const open = saverPages(browser);
  if (open.length) return open[0];
  return browser.ctx.waitForEvent('page', { predicate: (p) => p.url().includes('/saver.html'), timeout: 30000 });
}


test('the saver page reloaded mid-archive: the new page takes the batch over and writes one complete ZIP', { timeout: 120000 }, async () => {
  await setSettings(browser, { folder: 'Reloaded', zip: true });
  shop.setCdnDelay(300);
  const page = await browser.ctx.newPage();
  try {
    await page.goto(ERA_B);
    const accepted = await clickSave(page);
    assert.equal(accepted.started, 21, accepted.text);
    const saver = await saverPage();
    await saver.waitForFunction(() => Number(document.getElementById('bar').value) >= 2, null, { timeout: 30000 });
    await saver.reload();
    shop.setCdnDelay(0);
    const report = await finalReport(page, 60000);
    assert.equal(report.failed, 0, report.text);
    assert.equal(report.done, 21, report.text);
    const files = await waitForFiles(join(downloads, 'Reloaded'), 1, 30000, { all: true });
    assert.deepEqual(files, ['aliexpress-1005004787627817.zip'], 'one archive, no second or partial one');
    const zip = await readZip(join(downloads, 'Reloaded', files[0]));
    const media = Object.keys(zip).filter((n) => n.includes('/'));
    assert.equal(media.length, 21, media.join(', '));
    for (const n of media) expectOriginal(n, zip[n]);
  } finally {
    shop.setCdnDelay(0);
    await page.close();
  }
});

test('"Retry" while the ZIP is still being written opens no second saver page; once it finished, retry packs the failed file', { timeout: 120000 }, async () => {
  await setSettings(browser, { folder: 'Retry busy', zip: true });
  // One image is missing until the test says otherwise; another is held by the
  // shop until the test has pressed Retry, so the archive is still being written.
  const missing = ALIBABA_MEDIA.gallery[0];
  const held = ALIBABA_MEDIA.gallery[1];
  let restored = false;
  let release;
  const released = new Promise((r) => { release = r; });
  shop.setOverride(hostPath(missing), (req, res) => {
    if (!restored) { res.writeHead(404); res.end(); return; }
    const { host, pathname } = new URL(missing);
    res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' });
    res.end(mediaBytes(host, pathname));
  });
  shop.setOverride(hostPath(held), async (req, res) => {
    await released;
    const { host, pathname } = new URL(held);
    res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' });
    res.end(mediaBytes(host, pathname));
  });
  const page = await browser.ctx.newPage();
  try {
    await page.goto(ALIBABA);
    await clickSave(page);
    await saverPage();
    // The 404 is recorded in the batch while the held file keeps the archive open.
    const sw = await browser.worker();
    const batchId = await sw.evaluate(async () => {
      // Listen first, then look: a change between the two is not missed.
      let changed = () => {};
      chrome.storage.onChanged.addListener(() => changed());
      for (;;) {
        const next = new Promise((r) => { changed = r; });
        const all = await chrome.storage.session.get(null);
        const b = Object.values(all).find((v) => v && v.pack && !v.pack.finished && v.jobs.some((j) => j.state === 'failed'));
        if (b) return b.id;
        await next;
      }
    });
    const tab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0].id, ALIBABA);
    const during = await sw.evaluate(async ([t, id]) => chrome.tabs.sendMessage(t, { type: 'retry', batch_id: id }), [tab, batchId]);
    assert.ok(during, 'the page answered the retry');
    assert.equal(saverPages(browser).length, 1, 'no second saver page');
    const stillOne = await sw.evaluate(async (id) => {
      const b = (await chrome.storage.session.get(`batch:${id}`))[`batch:${id}`];
      return { finished: b.pack.finished, failed: b.jobs.filter((j) => j.state === 'failed').length };
    }, batchId);
    assert.deepEqual(stillOne, { finished: false, failed: 1 }, 'the retry changed nothing while the page writes');
    release();
    const first = await finalReport(page, 60000);
    assert.equal(first.failed, 1, first.text);
    assert.equal(first.done, 3, first.text);
    // Finished: now a retry packs the failed file (in a new archive).
    restored = true;
    await page.locator('#alisave-root button[data-alisave-action="download-all"]').click();
    const again = await finalReport(page, 60000);
    assert.equal(again.failed, 0, again.text);
    const zips = await waitForFiles(join(downloads, 'Retry busy'), 2, 30000, { all: true });
    assert.equal(zips.length, 2, zips.join(', '));
  } finally {
    release();
    shop.setOverride(hostPath(missing), null);
    shop.setOverride(hostPath(held), null);
    await page.close();
  }
});

test('a PNG whose chunk length is near 2^32, under conversion: the save finishes and the file is kept as it was, with a note', { timeout: 120000 }, async () => {
  await setSettings(browser, { folder: 'Crafted', format: 'jpeg', quality: 80, product_manifest: true });
  const crafted = ALIBABA_MEDIA.gallery[2]; // a .png
  // Signature, an IHDR whose length wraps 32-bit offsets, then an animation chunk.
  const be = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
  const body = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), be(0xFFFFFFF8), Buffer.from('IHDR'), be(8), Buffer.from('acTL'), Buffer.alloc(12)]);
  shop.setOverride(hostPath(crafted), (req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    res.end(body);
  });
  const page = await browser.ctx.newPage();
  try {
    await page.goto(ALIBABA);
    await clickSave(page);
    const report = await finalReport(page, 60000);
    assert.equal(report.done + report.failed, 4, report.text);
    const folder = join(downloads, 'Crafted/alibaba-1600000000001');
    const files = await waitForFiles(folder, 4, 30000);
    const kept = files.find((f) => f.startsWith('gallery-03'));
    assert.ok(kept, files.join(', '));
    assert.ok(kept.endsWith('.png'), `kept unconverted: ${kept}`);
    assert.deepEqual(readFileSync(join(folder, kept)), body, 'the crafted bytes, as they came');
    const manifest = JSON.parse(readFileSync(join(folder, 'product.json'), 'utf8'));
    const row = (manifest.files || []).find((f) => String(f.file || f.path || '').includes('gallery-03'));
    assert.ok(row, `the manifest lists the file: ${JSON.stringify(manifest).slice(0, 400)}`);
    assert.ok(row.note, `with a note saying why it was not converted: ${JSON.stringify(row)}`);
  } finally {
    shop.setOverride(hostPath(crafted), null);
    await page.close();
  }
});
