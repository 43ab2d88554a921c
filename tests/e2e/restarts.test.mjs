// The worker stopped at the moments that used to lose or repeat work, made
// deterministic: the shop holds an answer until the test has stopped the worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, mediaBytes, embeddedUrl, mtopBody, ERA_D } from './lib/shop.mjs';
import { launch, listFiles, waitForFiles, clickSave, finalReport, setFolder } from './lib/browser.mjs';

let shop, browser, downloads;

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-restarts-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});

const MTOP_PATH = 'acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/';

/** A promise and its resolver. */
function gate() {
  let open;
  const opened = new Promise((r) => { open = r; });
  return { opened, open };
}

async function stopWorkers(page) {
  const cdp = await browser.ctx.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

function checkOriginals(folder, files) {
  for (const f of files) {
    const bytes = readFileSync(join(folder, f));
    const u = new URL(embeddedUrl(bytes));
    assert.deepEqual(bytes, mediaBytes(u.host, u.pathname), `${f} is the original`);
  }
}

test('the worker stopped while it handles a save request (its message channel closes): the request is sent again and the product is saved once', { timeout: 120000 }, async () => {
  await setFolder(browser, 'Restart request');
  let calls = 0;
  const held = gate();
  const release = gate();
  shop.setOverride(MTOP_PATH, async (req, res) => {
    calls += 1;
    const n = calls;
    const cb = new URL(req.url, 'https://x').searchParams.get('callback') || 'mtopjsonp1';
    if (n === 2) {
      // The worker's read of the page's API answer: held until the worker is gone.
      held.open();
      await release.opened;
    }
    res.writeHead(200, { 'content-type': 'application/javascript', 'cache-control': 'no-store' });
    res.end(mtopBody(ERA_D, cb));
  });
  const page = await browser.ctx.newPage();
  try {
    await page.goto(`https://www.aliexpress.com/item/${ERA_D.id}.html`);
    await page.waitForFunction(() => document.documentElement.dataset.mtop);
    const clicked = clickSave(page);
    await held.opened;
    await stopWorkers(page);
    release.open();
    const outcome = await clicked;
    assert.equal(outcome.failed, 0, outcome.text);
    const report = await finalReport(page);
    assert.equal(report.failed, 0, report.text);
    const folder = join(downloads, `Restart request/aliexpress-${ERA_D.id}`);
    const want = ERA_D.gallery.length + ERA_D.variants.length + ERA_D.description.length;
    const files = await waitForFiles(folder, want);
    assert.equal(files.length, want, files.join(', '));
    assert.ok(!files.some((f) => / \(\d+\)\./.test(f)), `a file was saved twice: ${files.join(', ')}`);
    checkOriginals(folder, files);
    // The page's own request, the stopped worker's read, and the read of the
    // request sent again (its first answer never came back).
    assert.equal(calls, 3, 'the request was sent again to a new worker');
    // Exactly one batch for the tab: the resent request found the first one's, or
    // made the only one (the first died with its worker before making any).
    const sw = await browser.worker();
    const batches = await sw.evaluate(async () => Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('batch:')));
    assert.ok(batches.length <= 1, `batches: ${batches}`);
  } finally {
    release.open();
    shop.setOverride(MTOP_PATH, null);
    await page.close();
  }
});

test('the worker stopped during a retry\'s backoff: the page pokes it and the save finishes without another event', { timeout: 120000 }, async () => {
  await setFolder(browser, 'Restart backoff');
  const page = await browser.ctx.newPage();
  // One image answers 500 once (a transient failure: retried after a backoff).
  const flaky = new URL(ERA_D.gallery[1]);
  const key = `${flaky.host}${flaky.pathname}`;
  let failedOnce = false;
  const failed = gate();
  shop.setOverride(key, (req, res) => {
    if (!failedOnce) {
      failedOnce = true;
      res.writeHead(500);
      res.end();
      failed.open();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' });
    res.end(mediaBytes(flaky.host, flaky.pathname));
  });
  try {
    await page.goto(`https://www.aliexpress.com/item/${ERA_D.id}.html`);
    await page.waitForFunction(() => document.documentElement.dataset.mtop);
    await clickSave(page);
    await failed.opened;
    // The worker learns of the failure and waits out the backoff; stop it now:
    // nothing but the page's poke can wake it before the user does something.
    await page.waitForFunction(() => /^Saving \d+ \/ \d+$/.test(document.getElementById('alisave-root').shadowRoot.querySelector('button').textContent));
    await stopWorkers(page);
    const report = await finalReport(page, 60000);
    assert.equal(report.failed, 0, report.text);
    const folder = join(downloads, `Restart backoff/aliexpress-${ERA_D.id}`);
    const want = ERA_D.gallery.length + ERA_D.variants.length + ERA_D.description.length;
    const files = await waitForFiles(folder, want);
    assert.ok(!files.some((f) => / \(\d+\)\./.test(f)), `a file was saved twice: ${files.join(', ')}`);
    checkOriginals(folder, listFiles(folder));
  } finally {
    shop.setOverride(key, null);
    await page.close();
  }
});
