// Journeys: users browse several products in one tab, then save. Whatever the
// tab showed before, a save (and the popup) is about the product shown now.
//
// Every product's expected files are what a save of it in a fresh tab gives
// (its "reference", checked here against the product's own data: each file an
// original whose key is in the product's own page, API answer or description;
// exactly the synthetic products' media; the real captures' known counts).
// A journey's save must give exactly the reference's files (names and the URLs
// they were downloaded from), in the product's folder and nowhere else, and
// Chrome must have downloaded nothing else (no file of the product shown before).
// Journeys: every ordered pair of page families in one tab; back and forward
// (pages reloaded with the API answer cacheable or not, and pages kept in
// Chrome's back/forward cache); pushState to another product; two tabs saving at
// once; an API answer about another product. The popup is checked after each
// history step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startShop, mediaBytes, embeddedUrl, syntheticDescriptionImages, ALIBABA_MEDIA, ALIBABA_REAL_ID, MORE_PAGES,
  ERA_A2, ERA_C, ERA_C2, ERA_D, ERA_D2, ERA_D_STALE,
} from './lib/shop.mjs';
import { launch, dist, listFiles, waitForFiles, setFolder, clickSave, finalReport } from './lib/browser.mjs';

/**
 * An Era D page is ready when its API answer arrived and the worker has recorded
 * the request (`observed:<tab>` in chrome.storage.session, PRIVACY.md), so a
 * click right away is no race with the worker's webRequest listener. Gives up
 * after 5 s (a request Chrome answered from its caches, or one the worker
 * missed) and says whether it was recorded; what that costs the user, the
 * journeys' checks say.
 */
const eraDReady = async (page, p, b) => {
  await page.waitForFunction(() => document.documentElement.dataset.mtop);
  const tab = await tabIdOf(page, b);
  const sw = await b.browser.worker();
  return sw.evaluate(async ([t, id]) => {
    for (let i = 0; i < 50; i++) {
      const list = (await chrome.storage.session.get(`observed:${t}`))[`observed:${t}`] || [];
      if (list.some((o) => o.product_id === id || decodeURIComponent(o.url || '').includes(id))) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }, [tab, p.id]);
};

/** Every media URL of the synthetic Era D products. */
const eraDMedia = (p) => [...p.gallery, ...p.variants.map(([u]) => u), ...p.description];

/**
 * Two products of each page family; `ready`: the page's own loading is over.
 * What a fresh tab must save: `expect` (the exact media URLs, synthetic
 * products) or `count` (real data: the counts the unit tests and page-formats
 * give).
 */
const FAMILIES = {
  'Era A': [
    { key: 'A1', url: 'https://he.aliexpress.com/item/32993251330.html', id: '32993251330', count: 23 }, // real saved page: 5 gallery, 4 swatches, 14 description
    { key: 'A2', url: MORE_PAGES.eraA2, id: ERA_A2.id,
      expect: [...ERA_A2.gallery, ...ERA_A2.variants.map(([u]) => u), ...syntheticDescriptionImages(ERA_A2.id)] },
  ],
  'Era B': [
    { key: 'B1', url: 'https://es.aliexpress.com/item/1005004787627817.html', id: '1005004787627817', count: 21 }, // real data: 6 gallery, 11 variants, video, 3 description
    { key: 'B2', url: MORE_PAGES.eraB2, id: '1005002724686123', count: 16 }, // real data: 6 gallery, 6 variants, video, 3 description
  ],
  'Era C': [
    { key: 'C1', url: `https://de.aliexpress.com/item/${ERA_C.id}.html`, id: ERA_C.id, expect: ERA_C.gallery },
    { key: 'C2', url: MORE_PAGES.eraC2, id: ERA_C2.id, expect: ERA_C2.gallery },
  ],
  'Era D': [
    { key: 'D1', url: `https://www.aliexpress.com/item/${ERA_D.id}.html`, id: ERA_D.id, ready: eraDReady, expect: eraDMedia(ERA_D) },
    { key: 'D2', url: MORE_PAGES.eraD2, id: ERA_D2.id, ready: eraDReady, expect: eraDMedia(ERA_D2) },
  ],
  'aliexpress.ru': [
    { key: 'R1', url: 'https://aliexpress.ru/item/1005008195850531.html', id: '1005008195850531', count: 9 }, // real data: 6 gallery, video, 2 description
    { key: 'R2', url: MORE_PAGES.aer2, id: '1005005933779962', count: 6 }, // real data: 6 gallery
  ],
  Alibaba: [
    { key: 'L1', url: 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html', id: '1600000000001',
      ready: (page) => page.waitForFunction(() => document.body.dataset.descLoaded), expect: [...ALIBABA_MEDIA.gallery, ALIBABA_MEDIA.video] },
    { key: 'L2', url: MORE_PAGES.alibaba2, id: ALIBABA_REAL_ID, count: 15 }, // real detailData: 6 gallery, 2 SKU, 6 description, video
  ],
};
const PRODUCTS = Object.fromEntries(Object.values(FAMILIES).flat().map((p) => [p.key, p]));
/** The Era D products on pages Chrome may keep in its back/forward cache (no no-store). */
const KEPT = {
  D1k: { key: 'D1k', url: MORE_PAGES.eraDKept, id: ERA_D.id, ready: eraDReady, expect: eraDMedia(ERA_D) },
  D2k: { key: 'D2k', url: MORE_PAGES.eraD2Kept, id: ERA_D2.id, ready: eraDReady, expect: eraDMedia(ERA_D2) },
};

let shop, browser, downloads;
/** The browser most journeys use: { browser, downloads } (the helpers take another one too). */
let main;

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-journeys-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
  main = { browser, downloads };
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Helpers

/** GET from the test shop (as the browser would, by host name). */
function fetchShop(url) {
  const u = new URL(url);
  return new Promise((ok, no) => {
    const r = request({ host: '127.0.0.1', port: shop.port, path: u.pathname + u.search, headers: { host: u.host }, rejectUnauthorized: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    });
    r.on('error', no);
    r.end();
  });
}

/**
 * Everything the shop serves about a product: its page, and the API answers and
 * description documents its page names. A media URL "belongs" to the product when
 * its /kf/ key (a video: its file name) appears in there.
 */
async function sourcesOf(p) {
  const texts = [await fetchShop(p.url)];
  const seen = new Set();
  // The documents the page names, and those its API answer names (two rounds).
  for (let round = 0; round < 2; round++) {
    const named = texts.flatMap((t) => [...t.matchAll(/https:\/\/(?:aeproductsourcesite\.alicdn\.com|acs\.aliexpress\.com)\/[^"'\s<>\\]+/g)])
      .map((m) => m[0].replace(/&amp;/g, '&')).filter((u) => !seen.has(u));
    named.forEach((u) => seen.add(u));
    texts.push(...await Promise.all(named.map(fetchShop)));
  }
  return texts.join('\n');
}
function keyOf(url) {
  const u = new URL(url);
  const kf = u.pathname.match(/\/kf\/([^/.]+)/);
  return kf ? kf[1] : u.pathname.split('/').pop().replace(/\.\w+$/, '');
}

async function tabIdOf(page, b = main) {
  const sw = await b.browser.worker();
  const ids = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u })).map((t) => t.id), page.url());
  assert.equal(ids.length, 1, `one tab shows ${page.url()}`);
  return ids[0];
}

/** Waits until the page shows its button and its own loading is over. */
async function ready(page, p, b = main) {
  await page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor({ timeout: 20000 });
  return p.ready ? p.ready(page, p, b) : true;
}

/**
 * A media URL as the shop's bytes name it: without its query (the shop serves by
 * host + path; Alibaba's video renditions carry ?bizCode=…).
 */
const bare = (url) => { const u = new URL(url); u.search = ''; return u.href; };

/** URLs Chrome started downloading since `sinceMs` (https ones: media, not the manifest's data: URLs), without query. */
async function downloadedSince(sinceMs, b = main) {
  const sw = await b.browser.worker();
  const items = await sw.evaluate((t) => chrome.downloads.search({ startedAfter: new Date(t).toISOString() }), sinceMs - 1);
  return items.map((i) => i.url).filter((u) => u.startsWith('https://')).map(bare);
}

/**
 * Saves from the page's button into the download folder `folder` and waits until
 * every download ended. Returns { outcome, report, files: [{name, url}], downloaded, productFolder }.
 * `files` are all files below `folder` (relative paths), product manifest aside.
 */
async function saveInto(page, folder, b = main) {
  await setFolder(b.browser, folder);
  const since = Date.now();
  const outcome = await clickSave(page);
  const report = outcome.started > 0 ? await finalReport(page) : null;
  const root = join(b.downloads, folder);
  if (outcome.started > 0) {
    // The media, then product.json/product.csv (written after them).
    await waitForFiles(join(b.downloads, outcome.folder), outcome.started + 2, 30000, { all: true });
  }
  const files = listFiles(root).map((name) => {
    const bytes = readFileSync(join(root, name));
    const url = embeddedUrl(bytes);
    assert.ok(url, `${folder}/${name} was not served by the test shop`);
    const u = new URL(url);
    assert.deepEqual(bytes, mediaBytes(u.host, u.pathname), `${folder}/${name} is not the original's bytes`);
    return { name, url };
  });
  const productFolder = outcome.folder?.startsWith(`${folder}/`) ? outcome.folder.slice(folder.length + 1) : outcome.folder;
  const manifestPath = outcome.folder ? join(b.downloads, outcome.folder, 'product.json') : null;
  const manifest = manifestPath && existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
  return { outcome, report, files, downloaded: await downloadedSince(since, b), productFolder, manifest };
}

const references = new Map();
/**
 * The product saved from a fresh tab (its own page view, nothing before it):
 * what every journey ending on it must save. Checked against the product's data.
 */
async function reference(p) {
  if (!references.has(p.key)) {
    references.set(p.key, (async () => {
      const page = await browser.ctx.newPage();
      try {
        await page.goto(p.url);
        await ready(page, p);
        const saved = await saveInto(page, `ref/${p.key}`);
        assert.ok(saved.outcome.started > 0, `${p.key}: ${saved.outcome.text}`);
        assert.equal(saved.report.failed, 0, `${p.key}: ${saved.report.text}`);
        assert.equal(saved.files.length, saved.outcome.started, `${p.key}: ${saved.files.map((f) => f.name).join(', ')}`);
        assert.ok(saved.files.every((f) => f.name.startsWith(`${saved.productFolder}/`)), `${p.key}: files outside the product folder`);
        assert.equal(String(saved.manifest?.product_id), p.id, `${p.key}: product.json`);
        const sources = await sourcesOf(p);
        for (const f of saved.files) assert.ok(sources.includes(keyOf(f.url)), `${p.key}: ${f.name} (${f.url}) is not in the product's own data`);
        if (p.expect) assert.deepEqual(new Set(saved.files.map((f) => f.url)), new Set(p.expect.map(bare)), `${p.key}: a fresh tab saves exactly the product's media`);
        if (p.count) assert.equal(saved.files.length, p.count, `${p.key}: a fresh tab saves the product's ${p.count} files`);
        return { productFolder: saved.productFolder, files: saved.files, urls: new Set(saved.files.map((f) => f.url)) };
      } finally {
        await page.close();
      }
    })());
  }
  return references.get(p.key);
}

/** Asserts a save gave exactly `p`'s reference files and downloaded nothing else. */
async function assertSavedExactly(saved, p, label, { notOf = [] } = {}) {
  const ref = await reference(p);
  assert.equal(saved.report?.failed ?? -1, 0, `${label}: ${saved.report?.text ?? saved.outcome.text}`);
  assert.equal(saved.productFolder, ref.productFolder, `${label}: folder`);
  const want = ref.files.map((f) => ({ name: f.name, url: f.url }));
  const line = (f) => `${f.name} <- ${f.url}`;
  const missing = want.map(line).filter((x) => !saved.files.map(line).includes(x));
  const extra = saved.files.map(line).filter((x) => !want.map(line).includes(x));
  assert.deepEqual(saved.files, want, `${label}: the folder holds exactly ${p.key}'s files; missing: ${missing.join(', ') || 'none'}; not expected: ${extra.join(', ') || 'none'}`);
  assert.equal(String(saved.manifest?.product_id), p.id, `${label}: product.json names ${p.key}`);
  const foreign = saved.downloaded.filter((u) => !ref.urls.has(u));
  assert.deepEqual(foreign, [], `${label}: downloaded files that are not ${p.key}'s`);
  for (const other of notOf) {
    const theirs = other instanceof Set ? other : (await reference(other)).urls;
    const leaked = saved.downloaded.filter((u) => theirs.has(u));
    assert.deepEqual(leaked, [], `${label}: downloaded files of ${other.key ?? 'another product'}`);
  }
}

/** Opens the popup for the page's tab and returns the media URLs its grid shows (without query). */
async function popupUrls(page, b = main) {
  const tab = await tabIdOf(page, b);
  const popup = await b.browser.ctx.newPage();
  try {
    await popup.goto(`chrome-extension://${b.browser.extensionId}/popup.html?tab=${tab}`);
    try {
      await popup.locator('[data-testid="counts"]').waitFor({ timeout: 15000 });
    } catch {
      throw new assert.AssertionError({ message: `the popup shows no media grid; it says: ${(await popup.evaluate(() => document.body.innerText)).replace(/\s+/g, ' ').trim()}` });
    }
    return (await popup.locator('[data-testid="grid"] input[type="checkbox"]').evaluateAll((els) => els.map((e) => e.dataset.url))).map(bare);
  } finally {
    await popup.close();
  }
}

/** The popup shows exactly `p`'s media. */
async function assertPopupShows(page, p, label, b = main) {
  const ref = await reference(p);
  const shown = await popupUrls(page, b);
  assert.deepEqual(new Set(shown), ref.urls, `${label}: the popup shows ${p.key}'s media only`);
  assert.equal(shown.length, ref.urls.size, `${label}: no media shown twice`);
}

/**
 * Runs the checks of one step of a journey and records what failed, so a journey
 * goes on and its report says every step that went wrong (asserted at the end).
 */
async function step(problems, label, fn) {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof assert.AssertionError)) throw e;
    problems.push(`${label}: ${e.message.split('\n')[0]}${e.actual !== undefined && e.expected !== undefined ? ` (got ${summary(e.actual)}, want ${summary(e.expected)})` : ''}`);
  }
}
const summary = (v) => (v instanceof Set ? `${v.size} URLs` : Array.isArray(v) ? `${v.length}: ${v.map((x) => x.name ?? x).join(', ')}` : JSON.stringify(v));

// ---------------------------------------------------------------------------

test('references: each product saved from a fresh tab is its own media, and no two products share a file', { timeout: 300000 }, async () => {
  const all = Object.values(PRODUCTS);
  const refs = [];
  for (const p of all) refs.push(await reference(p));
  for (const [i, p] of all.entries()) {
    for (const [j, q] of all.entries()) {
      if (j <= i) continue;
      const shared = [...refs[i].urls].filter((u) => refs[j].urls.has(u));
      assert.deepEqual(shared, [], `${p.key} and ${q.key} share files`);
    }
  }
});

test('product X, then product Y in the same tab (every ordered pair of page families): the save is exactly Y\'s', { timeout: 900000 }, async (t) => {
  const names = Object.keys(FAMILIES);
  for (const fx of names) {
    for (const fy of names) {
      const [x] = FAMILIES[fx];
      const y = fx === fy ? FAMILIES[fy][1] : FAMILIES[fy][0];
      await t.test(`${fx} (${x.key}) → ${fy} (${y.key})`, { timeout: 90000 }, async (st) => {
        await reference(x);
        await reference(y);
        const page = await browser.ctx.newPage();
        try {
          await page.goto(x.url);
          // (X's API request not recorded by the worker makes the pair check less.)
          if (!(await ready(page, x))) st.diagnostic(`${x.key}: the worker never recorded its API request`);
          await page.goto(y.url);
          await ready(page, y);
          const saved = await saveInto(page, `pairs/${x.key}-${y.key}`);
          await assertSavedExactly(saved, y, `${x.key} → ${y.key}`, { notOf: [x] });
        } finally {
          await page.close();
        }
      });
    }
  }
});

const BACK_FORWARD = [
  ...[['B1', 'D1'], ['D1', 'D2']].flatMap(([x, y]) => [false, true].map((cacheable) => ({
    x, y, cacheable,
    how: cacheable ? 'pages reloaded, the API answer cacheable (no cache headers, as the shop sends by default)' : 'pages reloaded, the API answer not cacheable (no-store)',
  }))),
  // Playwright turns Chrome's back/forward cache off; this journey has a browser with it on.
  { x: 'D1k', y: 'D2k', cacheable: true, bfcache: true, how: 'pages kept in Chrome\'s back/forward cache' },
];
for (const { x, y, cacheable, bfcache, how: setting } of BACK_FORWARD) {
  {
    test(`back and forward, ${setting}: ${x} → ${y} → back to ${x} saves only ${x}'s media, forward again only ${y}'s; the popup follows`, { timeout: 120000 }, async (t) => {
      const [px, py] = [PRODUCTS[x] ?? KEPT[x], PRODUCTS[y] ?? KEPT[y]];
      await reference(px);
      await reference(py);
      shop.setApiHeaders(cacheable ? {} : { 'cache-control': 'no-store' });
      let b = main;
      if (bfcache) {
        const dir = mkdtempSync(join(tmpdir(), 'alisave-journeys-bfcache-'));
        b = { browser: await launch({ port: shop.port, downloadDir: dir, backForwardCache: true }), downloads: dir };
      }
      const page = await b.browser.ctx.newPage();
      // Whether a history step restored the page from the back/forward cache (said in the diagnostics).
      await page.addInitScript(() => addEventListener('pageshow', (e) => { window.alisaveTestRestored = e.persisted; }));
      const how = async () => ((await page.evaluate(() => window.alisaveTestRestored)) ? 'restored from the back/forward cache' : 'loaded again');
      const apiRequests = () => shop.requests.filter((r) => r.host === 'acs.aliexpress.com' && r.dest === 'script').length;
      const problems = [];
      try {
        await page.goto(px.url);
        await ready(page, px, b);
        await page.goto(py.url);
        await ready(page, py, b);
        await step(problems, `${x} → ${y}: popup`, () => assertPopupShows(page, py, `${x} → ${y}`, b));

        let before = apiRequests();
        await page.goBack({ waitUntil: 'commit' }); // (a page restored from the back/forward cache fires no load event)
        assert.equal(page.url(), px.url);
        await ready(page, px, b);
        t.diagnostic(`back to ${x}: ${await how()}; the page's own API requests that reached the shop: ${apiRequests() - before}`);
        await step(problems, `${x} → ${y} → back: popup`, () => assertPopupShows(page, px, `${x} → ${y} → back`, b));
        let saved = await saveInto(page, `back/${x}-${y}-${cacheable ? 'cacheable' : 'no-store'}`, b);
        await step(problems, `${x} → ${y} → back: save`, () => assertSavedExactly(saved, px, `${x} → ${y} → back`, { notOf: [py] }));

        before = apiRequests();
        await page.goForward({ waitUntil: 'commit' });
        assert.equal(page.url(), py.url);
        await ready(page, py, b);
        t.diagnostic(`forward to ${y}: ${await how()}; the page's own API requests that reached the shop: ${apiRequests() - before}`);
        await step(problems, `${x} → ${y} → back → forward: popup`, () => assertPopupShows(page, py, `${x} → ${y} → back → forward`, b));
        saved = await saveInto(page, `forward/${x}-${y}-${cacheable ? 'cacheable' : 'no-store'}`, b);
        await step(problems, `${x} → ${y} → back → forward: save`, () => assertSavedExactly(saved, py, `${x} → ${y} → back → forward`, { notOf: [px] }));
      } finally {
        shop.setApiHeaders({});
        await page.close();
        if (b !== main) {
          await b.browser.close();
          rmSync(b.downloads, { recursive: true, force: true });
        }
      }
      assert.deepEqual(problems, []);
    });
  }
}

test('same-document navigation (history.pushState, the next product\'s API data loaded): the save and the popup are the new product\'s only', { timeout: 120000 }, async () => {
  const [d1, d2] = FAMILIES['Era D'];
  await reference(d1);
  await reference(d2);
  const page = await browser.ctx.newPage();
  const problems = [];
  try {
    await page.goto(MORE_PAGES.eraDSpa);
    await page.waitForFunction((id) => document.documentElement.dataset.mtopProduct === id, ERA_D.id);
    await ready(page, d1);
    // The first product, saved in this page view before the switch.
    let saved = await saveInto(page, 'spa/before');
    await step(problems, 'first product: save', () => assertSavedExactly(saved, d1, 'single-page app, first product', { notOf: [d2] }));
    await step(problems, 'first product: popup', () => assertPopupShows(page, d1, 'single-page app, first product'));

    await page.evaluate(() => window.showProduct());
    await page.waitForFunction((id) => document.documentElement.dataset.mtopProduct === id, ERA_D2.id);
    assert.equal(new URL(page.url()).pathname, `/item/${ERA_D2.id}.html`);
    await ready(page, d2);
    await step(problems, 'after pushState: popup', () => assertPopupShows(page, d2, 'single-page app, after pushState'));
    saved = await saveInto(page, 'spa/after');
    await step(problems, 'after pushState: save', async () => {
      await assertSavedExactly(saved, d2, 'single-page app, after pushState', { notOf: [d1] });
      // And its media are the synthetic product's, exactly.
      assert.deepEqual(new Set(saved.files.map((f) => f.url)), new Set(eraDMedia(ERA_D2)));
    });
  } finally {
    await page.close();
  }
  assert.deepEqual(problems, []);
});

for (const [a, b] of [['D1', 'D2'], ['B2', 'L1']]) {
  test(`two tabs with different products (${a}, ${b}) saved at the same moment: each folder holds exactly its product`, { timeout: 120000 }, async (t) => {
    const [pa, pb] = [PRODUCTS[a], PRODUCTS[b]];
    const [ra, rb] = [await reference(pa), await reference(pb)];
    const [ta, tb] = [await browser.ctx.newPage(), await browser.ctx.newPage()];
    try {
      const requestsBefore = shop.requests.length;
      await ta.goto(pa.url);
      await tb.goto(pb.url);
      await ready(ta, pa);
      await ready(tb, pb);
      // What the worker knows of each tab's page (said in the diagnostics, for failures).
      const sw = await browser.worker();
      for (const [key, page] of [[a, ta], [b, tb]]) {
        const tab = await tabIdOf(page);
        const seen = (await sw.evaluate((k) => chrome.storage.session.get(k), `observed:${tab}`))[`observed:${tab}`] || [];
        t.diagnostic(`${key}: the worker recorded ${seen.length} API request(s) of its tab: ${seen.map((o) => o.product_id ?? o.url).join(', ')}`);
      }
      const apiHits = shop.requests.slice(requestsBefore).filter((r) => r.host === 'acs.aliexpress.com' || r.path.endsWith('/desc.htm'));
      t.diagnostic(`the pages' API requests that reached the shop: ${apiHits.map((r) => `${r.host}${r.path}`).join(', ') || 'none'}`);
      const folder = `two-tabs/${a}-${b}`;
      await setFolder(browser, folder);
      const since = Date.now();
      const [oa, ob] = await Promise.all([clickSave(ta), clickSave(tb)]);
      const [repA, repB] = await Promise.all([finalReport(ta), finalReport(tb)]);
      assert.equal(repA.failed, 0, repA.text);
      assert.equal(repB.failed, 0, repB.text);
      assert.equal(oa.folder, `${folder}/${ra.productFolder}`);
      assert.equal(ob.folder, `${folder}/${rb.productFolder}`);
      await waitForFiles(join(downloads, oa.folder), oa.started + 2, 30000, { all: true });
      await waitForFiles(join(downloads, ob.folder), ob.started + 2, 30000, { all: true });
      const root = join(downloads, folder);
      const got = listFiles(root).map((name) => ({ name, url: embeddedUrl(readFileSync(join(root, name))) }));
      const want = [...ra.files, ...rb.files].map((f) => ({ name: `${f.name}`, url: f.url })).sort((x, y) => (x.name < y.name ? -1 : 1));
      const show = (list) => list.map((f) => `${f.name} <- ${f.url}`);
      const missing = show(want).filter((x) => !show(got).includes(x));
      const extra = show(got).filter((x) => !show(want).includes(x));
      assert.deepEqual(got, want, `each product folder holds exactly its product's files; missing: ${missing.join(', ') || 'none'}; not expected: ${extra.join(', ') || 'none'}`);
      const downloaded = await downloadedSince(since);
      assert.deepEqual(downloaded.filter((u) => !ra.urls.has(u) && !rb.urls.has(u)), [], 'nothing else downloaded');
      assert.equal(downloaded.length, ra.urls.size + rb.urls.size, 'each file downloaded once');
    } finally {
      await ta.close();
      await tb.close();
    }
  });
}

test('every fresh Era D page (30 loads): the popup shows all of its media, API data included', { timeout: 240000 }, async (t) => {
  for (const p of FAMILIES['Era D']) await reference(p);
  const missed = [];
  let unrecorded = 0;
  for (let i = 0; i < 30; i++) {
    const p = FAMILIES['Era D'][i % 2];
    const page = await browser.ctx.newPage();
    try {
      await page.goto(p.url);
      if (!(await ready(page, p))) unrecorded++;
      const shown = new Set(await popupUrls(page));
      const want = (await reference(p)).urls;
      if (shown.size !== want.size || [...want].some((u) => !shown.has(u))) missed.push(`load ${i + 1} (${p.key}): ${shown.size} of ${want.size}`);
    } finally {
      await page.close();
    }
  }
  t.diagnostic(`page loads whose API request the worker had not recorded 5 s after the page got its answer: ${unrecorded} of 30`);
  assert.deepEqual(missed, [], `the popup missed media of a freshly loaded page in ${missed.length} of 30 loads`);
});

/**
 * The report's warning when data the shop loaded names another product
 * (`warn_document_other_product`, read from the build under test), filled in.
 */
function staleWarning(other, page) {
  const messages = JSON.parse(readFileSync(join(dist, '_locales/en/messages.json'), 'utf8'));
  const m = messages.warn_document_other_product;
  assert.ok(m, 'dist/_locales/en/messages.json has no warn_document_other_product');
  const args = [other, page];
  return m.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_, name) => args[Number(m.placeholders[name.toLowerCase()].content.slice(1)) - 1]);
}

test('a stale API answer (the page\'s request answered with another product\'s data): nothing of that product is saved or shown, and the report says so', { timeout: 120000 }, async () => {
  const p = { key: 'D-stale', url: MORE_PAGES.eraDStale, id: ERA_D_STALE.id, ready: eraDReady };
  const other = new Set([...eraDMedia(ERA_D2), ERA_D2.crossSell]);
  const own = new Set([...eraDMedia(ERA_D_STALE)]);
  const page = await browser.ctx.newPage();
  try {
    await page.goto(p.url);
    await ready(page, p);
    // Control: the page really got the other product's data.
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mtopProduct), ERA_D2.id);
    const problems = [];
    const shown = await popupUrls(page);
    if (shown.some((u) => other.has(u))) problems.push(`the popup shows the other product's media: ${shown.filter((u) => other.has(u)).join(', ')}`);
    const saved = await saveInto(page, 'stale');
    const leaked = saved.downloaded.filter((u) => other.has(u));
    if (leaked.length) problems.push(`downloaded ${leaked.length} file(s) of the other product: ${leaked.join(', ')}`);
    const foreign = saved.files.filter((f) => !own.has(f.url));
    if (foreign.length) problems.push(`saved files that are not this product's: ${foreign.map((f) => f.name).join(', ')}`);
    if (saved.outcome.folder && !saved.outcome.folder.endsWith(`-${ERA_D_STALE.id}`)) problems.push(`saved into ${saved.outcome.folder}`);
    const said = `${saved.outcome.text}\n${saved.report?.text ?? ''}`;
    const warning = staleWarning(ERA_D2.id, ERA_D_STALE.id);
    if (!said.includes(warning)) problems.push(`the report does not say "${warning}"`);
    assert.deepEqual(problems, [], `report: ${said}`);
  } finally {
    await page.close();
  }
});
