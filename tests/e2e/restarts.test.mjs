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

test('the worker stopped during a retry\'s backoff: the save still finishes, every file once (the page pokes a quiet save)', { timeout: 150000 }, async () => {
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
    // A call the stopped worker had in flight may still become a download: a
    // Starting job waits up to START_GRACE_MS (32 s: a 2 s launch window, then 30 s for the server) for it, then starts again.
    const report = await finalReport(page, 90000);
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

test('a worker stopped between marking a file Starting and starting it, while the user downloads the same URL: the user\'s download is not taken, the file is saved by its own download', { timeout: 120000 }, async () => {
  const url = ERA_D.gallery[0];
  const page = await browser.ctx.newPage();
  try {
    await page.goto(`https://www.aliexpress.com/item/${ERA_D.id}.html`);
    const sw = await browser.worker();
    const tab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0].id, page.url());
    // What a worker stopped right after storing the mark leaves (the engine's own
    // serialisation of a batch with one job marked Starting: its JSON text), a minute ago: past
    // the grace in which its own call could still have become a download.
    const now = Date.now() - 61000;
    const folder = `Restart user/aliexpress-${ERA_D.id}`;
    await sw.evaluate(async ([t, u, f, ms]) => {
      const batch = {
        id: `${t}-${ms}`, tab_id: t, folder: f, created_ms: ms,
        product: { platform: 'aliexpress', id: '1', title: null, shop: null, page_url: 'https://www.aliexpress.com/' },
        jobs: [{ url: u, path: `${f}/gallery-01.jpg`, kind: 'gallery', state: 'starting', since_ms: ms, attempts: 1, not_before_ms: 0 }],
        warnings: [], save_as: false, manifest: false, product_folder: f, manifest_written: false,
      };
      await chrome.storage.session.set({ [`batch:${batch.id}`]: JSON.stringify(batch) });
    }, [tab, url, folder, now]);
    // Meanwhile the user saves the same image (opened in a tab, the server asks
    // the browser to save it).
    const { host, pathname } = new URL(url);
    shop.setOverride(`${host}${pathname}`, (req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-disposition': 'attachment; filename="my-copy.jpg"', 'cache-control': 'no-store' });
      res.end(mediaBytes(host, pathname));
    });
    const other = await browser.ctx.newPage();
    await other.goto(url).catch(() => {}); // "Download is starting"
    const user = await sw.evaluate(async ([u, since]) => {
      // Listen first, then look: a change between the two is not missed.
      let changed = () => {};
      chrome.downloads.onChanged.addListener(() => changed());
      for (;;) {
        const next = new Promise((r) => { changed = r; });
        const d = (await chrome.downloads.search({ url: u })).find((x) => !x.byExtensionId && Date.parse(x.startTime) >= since);
        if (d && d.state !== 'in_progress') return { id: d.id, byExtensionId: d.byExtensionId || null, state: d.state };
        await next;
      }
    }, [url, now]);
    assert.equal(user.byExtensionId, null, 'the user\'s own download');
    shop.setOverride(`${host}${pathname}`, null);
    await other.close();
    // The worker restarts (Chrome starts it for the next event: here a message
    // from an extension page) and resumes what the stopped one left.
    const extId = new URL(sw.url()).host;
    await stopWorkers(page);
    const ext = await browser.ctx.newPage();
    await ext.goto(`chrome-extension://${extId}/options.html`);
    const job = await ext.evaluate(async (id) => {
      // Listen first, then look: a change between the two is not missed.
      let changed = () => {};
      chrome.storage.onChanged.addListener(() => changed());
      // Any message starts a worker (this one is refused: not a content script).
      chrome.runtime.sendMessage({ type: 'wake' }).catch(() => {});
      for (;;) {
        const next = new Promise((r) => { changed = r; });
        const stored = (await chrome.storage.session.get(`batch:${id}`))[`batch:${id}`];
        const b = typeof stored === 'string' ? JSON.parse(stored) : stored;
        const j = b && b.jobs[0];
        if (j && (j.state === 'done' || j.state === 'failed')) return j;
        await next;
      }
    }, `${tab}-${now}`);
    await ext.close();
    assert.equal(job.state, 'done', JSON.stringify(job));
    assert.notEqual(job.saved_download, user.id, 'not the user\'s download');
    const files = await waitForFiles(join(downloads, folder), 1);
    assert.deepEqual(files, ['gallery-01.jpg']);
    checkOriginals(join(downloads, folder), files);
  } finally {
    await page.close();
  }
});
