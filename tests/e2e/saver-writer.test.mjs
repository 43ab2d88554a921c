// The saver page (ZIP / conversion) under the conditions that used to lose or
// double work: reloaded mid-archive, "Retry" pressed while it still writes,
// images crafted with chunk lengths near 2^32 under conversion, and a large file
// whose body breaks off mid-way (streamed, fetched again, packed whole).
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

// A product page (Era C shape) with a WebP and a large JPEG, for the streaming tests.
const STREAM_ID = '1005006888888888';
const STREAM_PAGE = `https://de.aliexpress.com/item/${STREAM_ID}.html`;
const WEBP_URL = 'https://ae-pic-a1.aliexpress-media.com/kf/S00000000000000000000000000000crafteda.webp';
const BIG_URL = 'https://ae-pic-a1.aliexpress-media.com/kf/S0000000000000000000000000000000biga.jpg';
const streamPage = `<!doctype html><html><head><meta charset="utf-8"><title>Streaming product</title><script>
window.runParams = {};
window._d_c_ = window._d_c_ || {};
window._d_c_.viewName = 'choiceDetail';
window._d_c_.isCSR = true;
window._d_c_.DCData = ${JSON.stringify({ extParams: { site: 'deu' }, name: 'ItemDetailResp', imagePathList: [WEBP_URL, BIG_URL] })};
</script></head><body><p>Two gallery images.</p></body></html>`;
const le = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
// RIFF/WEBP, a VP8L chunk whose length wraps 32-bit offsets, then an ANIM chunk.
const CRAFTED_WEBP = Buffer.concat([Buffer.from('RIFF'), le(0), Buffer.from('WEBPVP8L'), le(0xFFFFFFF8), Buffer.from('ANIM'), le(6), Buffer.alloc(6)]);
/** The shop serves the crafted WebP for WEBP_URL (until the override is cleared). */
const serveCraftedWebp = () => shop.setOverride(hostPath(WEBP_URL), (req, res) => {
  res.writeHead(200, { 'content-type': 'image/webp', 'cache-control': 'no-store' });
  res.end(CRAFTED_WEBP);
});
/** A JPEG-shaped file of `mb` MB: SOI, comment segments of varied filler, EOI. */
function bigJpeg(mb) {
  const parts = [Buffer.from([0xff, 0xd8])];
  let n = 7;
  for (let size = 2; size < mb * 1e6;) {
    const body = Buffer.alloc(65000);
    for (let i = 0; i < body.length; i += 4) { n = (n * 1103515245 + 12345) >>> 0; body.writeUInt32LE(n, i); }
    const head = Buffer.from([0xff, 0xfe, 0, 0]);
    head.writeUInt16BE(body.length + 2, 2);
    parts.push(head, body);
    size += head.length + body.length;
  }
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

before(async () => {
  shop = await startShop({ extraPages: { [`de.aliexpress.com/item/${STREAM_ID}.html`]: { body: streamPage } } });
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
        const b = Object.entries(all).filter(([k]) => k.startsWith('batch:')).map(([, v]) => JSON.parse(v))
          .find((v) => v.pack && !v.pack.finished && v.jobs.some((j) => j.state === 'failed'));
        if (b) return b.id;
        await next;
      }
    });
    const tab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0].id, ALIBABA);
    const during = await sw.evaluate(async ([t, id]) => chrome.tabs.sendMessage(t, { type: 'retry', batch_id: id }), [tab, batchId]);
    assert.ok(during, 'the page answered the retry');
    assert.equal(saverPages(browser).length, 1, 'no second saver page');
    const stillOne = await sw.evaluate(async (id) => {
      const b = JSON.parse((await chrome.storage.session.get(`batch:${id}`))[`batch:${id}`]);
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

test('a WebP whose chunk length is near 2^32, under conversion: the save finishes and the file is kept as it was, with a note', { timeout: 120000 }, async () => {
  await setSettings(browser, { folder: 'Crafted WebP', format: 'jpeg', quality: 80, product_manifest: true });
  serveCraftedWebp();
  const page = await browser.ctx.newPage();
  try {
    await page.goto(STREAM_PAGE);
    const accepted = await clickSave(page);
    assert.equal(accepted.started, 2, accepted.text);
    const report = await finalReport(page, 60000);
    assert.equal(report.done + report.failed, 2, report.text);
    const folder = join(downloads, `Crafted WebP/aliexpress-${STREAM_ID}`);
    const files = await waitForFiles(folder, 2, 30000);
    const kept = files.find((f) => f.startsWith('gallery-01'));
    assert.ok(kept?.endsWith('.webp'), `kept unconverted: ${files.join(', ')}`);
    assert.deepEqual(readFileSync(join(folder, kept)), CRAFTED_WEBP, 'the crafted bytes, as they came');
    const manifest = JSON.parse(readFileSync(join(folder, 'product.json'), 'utf8'));
    const row = (manifest.files || []).find((f) => String(f.file || f.path || '').includes('gallery-01'));
    assert.ok(row?.note, `with a note saying why it was not converted: ${JSON.stringify(row)}`);
  } finally {
    shop.setOverride(hostPath(WEBP_URL), null);
    await page.close();
  }
});

test('a 40 MB file whose body breaks off mid-way: fetched again, streamed into the ZIP whole (CRC checked), nothing else lost', { timeout: 180000 }, async () => {
  await setSettings(browser, { folder: 'Streamed', zip: true });
  const big = bigJpeg(40);
  let requests = 0;
  shop.setOverride(hostPath(BIG_URL), (req, res) => {
    requests += 1;
    const first = requests === 1;
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': big.length, 'cache-control': 'no-store' });
    // The first answer stops at 12 MB (past the first 8 MB fold) and the
    // connection is dropped; the next one is whole. Written in 64 KB pieces, as
    // a server streams.
    const stop = first ? 12e6 : big.length;
    let at = 0;
    const more = () => {
      while (at < stop) {
        const end = Math.min(at + 65536, stop);
        const ok = res.write(big.subarray(at, end));
        at = end;
        if (!ok) { res.once('drain', more); return; }
      }
      if (first) res.destroy(); else res.end();
    };
    more();
  });
  serveCraftedWebp();
  const page = await browser.ctx.newPage();
  try {
    await page.goto(STREAM_PAGE);
    const accepted = await clickSave(page);
    assert.equal(accepted.started, 2, accepted.text);
    const report = await finalReport(page, 150000);
    assert.equal(report.failed, 0, report.text);
    assert.equal(report.done, 2, report.text);
    assert.equal(requests, 2, 'the broken-off body was fetched once more, and only once');
    const files = await waitForFiles(join(downloads, 'Streamed'), 1, 60000, { all: true });
    assert.deepEqual(files, [`aliexpress-${STREAM_ID}.zip`]);
    const zip = await readZip(join(downloads, 'Streamed', files[0]));
    const entry = Object.keys(zip).find((n) => n.endsWith('gallery-02.jpg'));
    assert.ok(entry, Object.keys(zip).join(', '));
    assert.equal(zip[entry].length, big.length, 'the whole file');
    assert.ok(zip[entry].equals(big), 'byte for byte');
    const webp = Object.keys(zip).find((n) => n.endsWith('gallery-01.webp'));
    assert.ok(webp && zip[webp].equals(CRAFTED_WEBP), Object.keys(zip).join(', '));
  } finally {
    shop.setOverride(hostPath(BIG_URL), null);
    shop.setOverride(hostPath(WEBP_URL), null);
    await page.close();
  }
});

test('the worker and the saver page share one lock over batches: a save waits while another context holds it, then completes', { timeout: 120000 }, async () => {
  await setSettings(browser, { folder: 'Locked', zip: true });
  const holder = await browser.ctx.newPage();
  await holder.goto(`chrome-extension://${browser.extensionId}/options.html`);
  // Another context of the extension's origin holds the lock (chrome::locks::BATCHES).
  await holder.evaluate(() => new Promise((granted) => {
    navigator.locks.request('alisave-batches', () => new Promise((release) => { globalThis.releaseBatches = release; granted(); }));
  }));
  const page = await browser.ctx.newPage();
  try {
    await page.goto(ALIBABA);
    const clicked = clickSave(page);
    // The worker asks for the lock before it writes the new batch.
    await holder.waitForFunction(async () => (await navigator.locks.query()).pending.some((l) => l.name === 'alisave-batches'), null, { timeout: 30000 });
    const sw = await browser.worker();
    const batchesOfPage = () => sw.evaluate(async (u) => {
      const tabs = (await chrome.tabs.query({ url: u })).map((t) => t.id);
      const all = await chrome.storage.session.get(null);
      return Object.entries(all).filter(([k, v]) => k.startsWith('batch:') && tabs.includes(JSON.parse(v).tab_id)).length;
    }, ALIBABA);
    assert.equal(await batchesOfPage(), 0, 'no batch written while the lock is held elsewhere');
    await holder.evaluate(() => globalThis.releaseBatches());
    const accepted = await clicked;
    assert.equal(accepted.started, 4, accepted.text);
    const report = await finalReport(page, 60000);
    assert.equal(report.done, 4, report.text);
    const files = await waitForFiles(join(downloads, 'Locked'), 1, 30000, { all: true });
    assert.deepEqual(files, ['alibaba-1600000000001.zip']);
    assert.equal(await batchesOfPage(), 1, 'the batch, written once the lock was free');
  } finally {
    await holder.evaluate(() => globalThis.releaseBatches?.()).catch(() => {});
    await holder.close();
    await page.close();
  }
});
