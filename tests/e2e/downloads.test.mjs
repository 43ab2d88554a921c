// The download engine, end to end: real failures, retries, progress, a worker
// stopped mid-batch, and retry from the page's button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, mediaBytes, embeddedUrl, ALIBABA_MEDIA } from './lib/shop.mjs';
import { launch, listFiles, waitForFiles, clickSave, finalReport, setFolder } from './lib/browser.mjs';

let shop, browser, downloads;
const PAGE = 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html';
const hostPath = (u) => u.replace(/^https:\/\//, '');

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-dl-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});



function checkBytes(folder, files) {
  for (const f of files) {
    const bytes = readFileSync(join(folder, f));
    const u = new URL(embeddedUrl(bytes));
    assert.deepEqual(bytes, mediaBytes(u.host, u.pathname), `${f} is not byte-identical`);
  }
}

test('404 and 500 images: the 500 is retried and saved, the 404 is reported exactly; retry from the button', async () => {
  await setFolder(browser, 'Engine 404');
  const [missing, flaky] = ALIBABA_MEDIA.gallery;
  let flakyCalls = 0;
  let missingFixed = false;
  shop.setOverride(hostPath(missing), (req, res) => {
    if (missingFixed) { res.writeHead(200, { 'content-type': 'image/jpeg' }); return res.end(mediaBytes('sc04.alicdn.com', new URL(missing).pathname)); }
    res.writeHead(404); res.end('not found');
  });
  shop.setOverride(hostPath(flaky), (req, res) => {
    flakyCalls += 1;
    if (flakyCalls === 1) { res.writeHead(500); return res.end('oops'); }
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    res.end(mediaBytes('sc04.alicdn.com', new URL(flaky).pathname));
  });
  try {
    const page = await browser.ctx.newPage();
    await page.goto(PAGE);
    const accepted = await clickSave(page);
    assert.equal(accepted.started, 4, accepted.text);
    const report = await finalReport(page);
    assert.equal(report.done, 3, report.text);
    assert.equal(report.failed, 1, report.text);
    assert.equal(report.text, 'Saved 3 of 4 files to Engine 404/alibaba-1600000000001; 1 failed — gallery-01.jpg: not found on the server (HTTP 404)');
    assert.equal(report.label, 'Retry 1 failed');
    assert.equal(flakyCalls, 2, 'the 500 was retried once');
    const folder = join(downloads, 'Engine 404/alibaba-1600000000001');
    const files = await waitForFiles(folder, 3);
    assert.deepEqual(files, ['gallery-02.jpg', 'gallery-03.png', 'video-01.mp4']);
    checkBytes(folder, files);
    const sw = await browser.worker();
    const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0].id, PAGE);
    assert.equal(await sw.evaluate((t) => chrome.action.getBadgeText({ tabId: t }), tabId), '!');

    // The image is back: the button retries only what failed.
    missingFixed = true;
    await page.locator('#alisave-root button[data-alisave-action="download-all"]').click();
    const again = await finalReport(page);
    assert.equal(again.failed, 0, again.text);
    assert.equal(again.done, 4, again.text);
    assert.equal(again.label, 'Save product media');
    const after = await waitForFiles(folder, 4);
    assert.deepEqual(after, ['gallery-01.jpg', 'gallery-02.jpg', 'gallery-03.png', 'video-01.mp4']);
    checkBytes(folder, after);
    assert.equal(await sw.evaluate((t) => chrome.action.getBadgeText({ tabId: t }), tabId), '✓');
    await page.close();
  } finally {
    shop.setOverride(hostPath(missing), null);
    shop.setOverride(hostPath(flaky), null);
  }
});

test('the worker stopped mid-batch: the batch completes, every file once, progress shown on the button', async () => {
  await setFolder(browser, 'Engine stop');
  shop.setCdnDelay(700);
  try {
    const page = await browser.ctx.newPage();
    await page.goto('https://es.aliexpress.com/item/1005004787627817.html');
    const labels = new Set();
    const accepted = await clickSave(page);
    assert.equal(accepted.started, 21, accepted.text);
    // Progress on the button while files are in flight.
    const button = page.locator('#alisave-root button[data-alisave-action="download-all"]');
    await page.waitForFunction(() => /^Saving \d+ \/ 21$/.test(document.getElementById('alisave-root').shadowRoot.querySelector('button').textContent));
    labels.add(await button.textContent());
    // Stop every service worker (as Chrome does when it evicts an idle worker).
    const cdp = await browser.ctx.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const report = await finalReport(page, 60000);
    assert.equal(report.failed, 0, report.text);
    assert.equal(report.done, 21, report.text);
    assert.equal(report.text, 'Saved 21 files to Engine stop/aliexpress-1005004787627817.');
    const folder = join(downloads, 'Engine stop/aliexpress-1005004787627817');
    const files = await waitForFiles(folder, 21);
    assert.equal(files.length, 21, files.join(', '));
    assert.ok(!files.some((f) => / \(\d+\)\./.test(f)), `a file was saved twice: ${files.join(', ')}`);
    checkBytes(folder, files);
    assert.ok([...labels].every((l) => /^Saving \d+ \/ 21$/.test(l)), [...labels].join());
    // The new worker cleaned up too: no key still names one of the batch's
    // downloads (they go before the final word is sent).
    const left = await (await browser.worker()).evaluate(async () => {
      const ids = new Set((await chrome.downloads.search({ limit: 0 }))
        .filter((d) => d.filename.includes('/Engine stop/')).map((d) => `download:${d.id}`));
      return Object.keys(await chrome.storage.session.get(null)).filter((k) => ids.has(k));
    });
    assert.deepEqual(left, [], 'download keys left behind');
    await page.close();
  } finally {
    shop.setCdnDelay(0);
  }
});
