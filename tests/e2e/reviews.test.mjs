// Issue #15: buyer review photos in the popup's "Buyer photos" tab. The shop
// serves SYNTHETIC review pages (lib/shop.mjs, syntheticReview) in the documented
// searchEvaluation.do envelope. Nothing is asked of the shop until the user
// presses "Load buyer photos"; pages come at least a second apart; the counts
// per variant and per star rating, the filters, the save into
// <product folder>/reviews/<variant>/ with reviews.json/csv; a captcha on page 3
// keeps pages 1–2; an Alibaba product says why there is nothing; axe and keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  startShop, mediaBytes, embeddedUrl, syntheticEraC, eraCPage, syntheticEraCPages, syntheticReview, reviewAnswer,
  REVIEW_PAGES, ALIBABA_ID, RU_REVIEWS, RU_REVIEWS_API, ruReviewAnswer,
} from './lib/shop.mjs';
import { launch, listFiles, waitForFiles, setSettings, clickSave, finalReport } from './lib/browser.mjs';

const ruPosts = () => shop.requests.filter((r) => r.host === RU_REVIEWS_API.host && r.path === RU_REVIEWS_API.path);

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FEEDBACK = 'feedback.aliexpress.com';
const ALIBABA = `https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_${ALIBABA_ID}.html`;

let shop, browser, downloads, base;

before(async () => {
  shop = await startShop({ extraPages: syntheticEraCPages(12) });
  downloads = mkdtempSync(join(tmpdir(), 'alisave-reviews-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
  base = `chrome-extension://${browser.extensionId}`;
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});

const settings = (patch) => setSettings(browser, patch);

const reviewRequests = (id) => shop.requests.filter((r) => r.host === FEEDBACK && (!id || r.query.includes(`productId=${id}`)));

async function open(url, { colorScheme } = {}) {
  const page = await browser.ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (colorScheme) await page.emulateMedia({ colorScheme });
  await page.goto(url);
  return { page, errors };
}

/** The product page and the popup for its tab (grid read). */
async function popupFor(url, opts = {}) {
  const product = await open(url);
  await product.page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const sw = await browser.worker();
  const tab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url);
  const popup = await open(`${base}/popup.html?tab=${tab}`, opts);
  await popup.page.setViewportSize({ width: 420, height: 640 });
  await popup.page.locator('[data-testid="counts"]').waitFor();
  return { product, popup, tab };
}

async function axe(page, label) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
    .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) })));
  assert.deepEqual(violations, [], `${label}: axe violations\n${JSON.stringify(violations, null, 2)}`);
}

/** SYNTHETIC: the shop's captcha ("punish") answer to an API request on `host`. */
const captchaAnswer = (host) => `{"ret":["FAIL_SYS_USER_VALIDATE::synthetic"],"data":{"url":"https://${host}/_____tmd_____/punish?x5secdata=1"}}`;

/** In the popup `page`: the Buyer photos tab, "Load buyer photos", and the run's end in `state`. */
async function loadBuyerPhotos(page, state) {
  await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
  await page.locator('button[data-alisave-action="load-reviews"]').click();
  await page.locator(`[data-testid="buyer-status"][data-state="${state}"]`).waitFor({ timeout: 30000 });
}

const status = (page) => page.locator('[data-testid="buyer-status"]');
const saveButton = (page) => page.locator('button[data-alisave-action="save-reviews"]');
const rowsOf = (page, which, attr) => page.locator(`[data-testid="buyer-${which}"] tbody tr`).evaluateAll((trs, a) =>
  trs.map((tr) => [tr.getAttribute(a), ...[...tr.querySelectorAll('td')].map((td) => Number(td.textContent))]), attr);

test('nothing is asked until "Load buyer photos"; pages ≥ 1 s apart; counts per variant and stars; filters change the count; the save writes the originals into reviews/<variant>/ and, once it ends, reviews.json/csv with each photo saved or failed', { timeout: 120000 }, async () => {
  const p = syntheticEraC(1);
  await settings({ folder: 'Buyer', folder_template: '{id}' });
  const { popup, product } = await popupFor(p.url);
  const page = popup.page;
  assert.equal(reviewRequests().length, 0, 'opening the popup asks the shop for no review');
  // Opening the tab shows the panel; still nothing asked.
  await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
  await page.locator('button[data-alisave-action="load-reviews"]').waitFor();
  assert.equal(await page.locator('#tab-buyer').getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('#panel-media').isHidden(), true);
  assert.equal(reviewRequests().length, 0, 'opening the Buyer photos tab asks nothing either');

  await page.locator('button[data-alisave-action="load-reviews"]').click();
  await page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
  const asked = reviewRequests(p.id);
  assert.deepEqual(asked.map((r) => new URL(`https://x/${r.query}`).searchParams.get('page')), ['1', '2', '3']);
  for (let i = 1; i < asked.length; i++) {
    assert.ok(asked[i].at - asked[i - 1].at >= 950, `page ${i + 1} came ${asked[i].at - asked[i - 1].at} ms after page ${i}`);
  }
  assert.equal(await status(page).getAttribute('data-pages'), String(REVIEW_PAGES));
  // Red: 2+1 photos a page in 2 reviews, Blue: 1 in 2; 5★: 2 photos in 2 reviews, 4★ 1, 3★ 1.
  assert.deepEqual(await rowsOf(page, 'variants', 'data-variant'), [['Red', 6, 9], ['Blue', 6, 3]]);
  assert.deepEqual(await rowsOf(page, 'stars', 'data-stars'), [['5', 6, 6], ['4', 3, 3], ['3', 3, 3]]);
  assert.match(await saveButton(page).textContent(), /Save 12 buyer photos/);

  // The grid of the shown photos: the CDN's thumbnails (never the full-size
  // files), each named by its variant and stars, loaded as they come into view.
  const grid = page.locator('[data-testid="buyer-thumbs"]');
  const tiles = () => grid.locator('li').evaluateAll((lis) => lis.map((li) => {
    const img = li.querySelector('img');
    return { url: li.dataset.url, thumb: img.getAttribute('src') || img.dataset.src, alt: img.alt };
  }));
  await page.waitForFunction(() => document.querySelector('[data-testid="buyer-thumbs"] img')?.getAttribute('src'));
  const all = await tiles();
  assert.equal(all.length, 12);
  for (const t of all) {
    assert.equal(t.thumb, `${t.url}_250x250.jpg`, 'a CDN thumbnail of the photo');
    assert.match(t.alt, /^Buyer photo: (Red|Blue), [345] stars$/);
  }
  const isFull = (r) => r.host === 'ae01.alicdn.com' && /^\/kf\/Srev\w+\.jpg$/.test(r.path);
  const isThumb = (r) => r.host === 'ae01.alicdn.com' && /^\/kf\/Srev\w+\.jpg_250x250\.jpg$/.test(r.path);
  assert.ok(shop.requests.some(isThumb), 'thumbnails were loaded');
  assert.equal(shop.requests.filter(isFull).length, 0, 'no full-size photo before the save');

  const shown = () => status(page).getAttribute('data-shown');
  await page.locator('[data-testid="buyer-min-stars"]').selectOption('4');
  assert.equal(await shown(), '9');
  await page.locator('[data-testid="buyer-variant"]').selectOption('Blue');
  assert.equal(await shown(), '3');
  await page.locator('[data-testid="buyer-max"]').fill('2');
  await page.locator('[data-testid="buyer-max"]').dispatchEvent('change');
  assert.equal(await shown(), '2');
  await page.locator('[data-testid="buyer-max"]').fill('200');
  await page.locator('[data-testid="buyer-max"]').dispatchEvent('change');
  await page.locator('[data-testid="buyer-variant"]').selectOption('Red');
  // Red and at least 4 stars: review 0 of each page, 2 photos each.
  assert.equal(await shown(), '6');
  assert.deepEqual((await tiles()).map((t) => t.alt), Array(6).fill('Buyer photo: Red, 5 stars'), 'the grid follows the filters');
  assert.match(await saveButton(page).textContent(), /Save 6 buyer photos/);
  assert.equal(reviewRequests().length, REVIEW_PAGES, 'filters ask the shop nothing');

  // One of the six photos is gone from the CDN (404): it must be listed as failed.
  const expected = [];
  for (let pg = 1; pg <= REVIEW_PAGES; pg++) expected.push(...syntheticReview(p.id, pg, 0).images);
  const missing = expected[3];
  const missingPath = missing.replace('https://', '');
  shop.setOverride(missingPath, (req, res) => { res.writeHead(404); res.end(); });
  try {
    await saveButton(page).click();
    await page.locator('[data-testid="buyer-progress"][data-finished="true"]').waitFor({ timeout: 30000 });
  } finally {
    shop.setOverride(missingPath, null);
  }
  assert.equal(await page.locator('[data-testid="buyer-progress"]').getAttribute('data-done'), '5');
  const folder = join(downloads, 'Buyer', p.id, 'reviews');
  const files = await waitForFiles(folder, 7, 30000, { all: true });
  assert.deepEqual(files.filter((f) => !f.startsWith('Red/')).sort(), ['reviews.csv', 'reviews.json']);
  const photos = files.filter((f) => f.startsWith('Red/'));
  assert.equal(photos.length, 5, files.join(', '));
  for (const f of photos) assert.match(f, /^Red\/review-\d{2}-5star-2025-11-\d{2}\.jpg$/);
  const got = originalsOf(folder, photos);
  assert.deepEqual(got.sort(), expected.filter((u) => u !== missing).sort(), 'the full-size photos, each once');

  const json = JSON.parse(readFileSync(join(folder, 'reviews.json'), 'utf8'));
  const raw = readFileSync(join(folder, 'reviews.json'), 'utf8') + readFileSync(join(folder, 'reviews.csv'), 'utf8');
  assert.equal(json.product_id, p.id);
  assert.equal(json.reviews.length, 3);
  const listed = [];
  for (const r of json.reviews) {
    assert.equal(typeof r.review_id, 'string');
    assert.match(r.review_id, /^9\d+000123$/);
    assert.equal(r.stars, 5);
    assert.equal(r.variant, 'Red');
    assert.equal(r.country, 'DE');
    assert.match(r.date, /^2025-11-\d{2}$/);
    assert.equal(r.files.length, 2);
    listed.push(...r.files);
  }
  const saved = listed.filter((f) => f.status === 'saved');
  const failed = listed.filter((f) => f.status === 'failed');
  assert.deepEqual(saved.map((f) => f.file).sort(), [...photos].sort(), 'saved photos listed relative to reviews/');
  assert.equal(failed.length, 1, JSON.stringify(listed));
  assert.ok(!photos.includes(failed[0].file), `${failed[0].file} is not on disk`);
  assert.match(failed[0].note, /404/, 'the failed photo says why');
  assert.doesNotMatch(raw, /buyerName|B\*\*\*r|avatar|HeadPortrait|Savatar/i, 'no buyer names or avatars');
  const csv = readFileSync(join(folder, 'reviews.csv'), 'utf8').split('\r\n');
  assert.equal(csv[0], '\ufeffreview_id,date,country,stars,variant,text,followup_date,followup_text,helpful,files,failed');
  assert.equal(csv.filter(Boolean).length, 4);
  assert.match(csv[1], /"Synthetic review \d\.0, ""quoted"", with a comma"/);
  assert.equal(csv.filter((l) => l.includes(`${failed[0].file}: `) && /404/.test(l)).length, 1, 'the CSV names the failed photo and why');
  // No product manifest for a review batch.
  assert.deepEqual(listFiles(join(downloads, 'Buyer', p.id), { all: true }).filter((f) => !f.startsWith('reviews/')), []);
  assert.deepEqual(popup.errors, []);
  await popup.page.close();
  await product.page.close();
});

test('a captcha answer on page 3 stops the run keeping pages 1–2, says why, and page 3 is asked once; what was read saves under the file-name template set in the options page', { timeout: 90000 }, async () => {
  const p = syntheticEraC(2);
  shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, (req, res) => {
    const url = new URL(req.url, `https://${FEEDBACK}`);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    if (url.searchParams.get('page') === '3') {
      return res.end(captchaAnswer(FEEDBACK));
    }
    return res.end(reviewAnswer(url));
  });
  const { popup, product } = await popupFor(p.url);
  const page = popup.page;
  await loadBuyerPhotos(page, 'stopped');
  const text = await status(page).textContent();
  assert.match(text, /stopped after 2 pages/, text);
  assert.match(text, /captcha/, text);
  assert.equal(await status(page).getAttribute('data-pages'), '2');
  assert.deepEqual(await rowsOf(page, 'variants', 'data-variant'), [['Red', 4, 6], ['Blue', 4, 2]]);
  assert.match(await saveButton(page).textContent(), /Save 8 buyer photos/);
  const pages = reviewRequests(p.id).map((r) => new URL(`https://x/${r.query}`).searchParams.get('page'));
  assert.deepEqual(pages, ['1', '2', '3'], 'page 3 asked once, never again');
  shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, null);

  // The buyer photos' file-name template, in the options page: validated like
  // the other templates (a product placeholder or no {n} is refused, nothing stored).
  await settings({ folder: 'Named', folder_template: '{id}' });
  const options = await open(`${base}/options.html`);
  const field = options.page.locator('input[data-setting="review_template"]');
  assert.equal(await field.inputValue(), 'review-{n}[-{stars}star][-{date}].{ext}');
  const storedTemplate = () => options.page.evaluate(async () => (await chrome.storage.local.get('settings')).settings?.review_template);
  for (const bad of ['{kind}-{n}.{ext}', 'review-{stars}.{ext}']) {
    await field.fill(bad);
    await field.press('Enter');
    assert.equal(await field.getAttribute('aria-invalid'), 'true', bad);
    assert.equal(await storedTemplate(), undefined, `${bad} is not stored`);
  }
  await field.fill('{variant}_{review}_{n}.{ext}');
  await field.press('Enter');
  await options.page.waitForFunction(async () => (await chrome.storage.local.get('settings')).settings?.review_template === '{variant}_{review}_{n}.{ext}');
  assert.deepEqual(options.errors, []);
  await options.page.close();

  await saveButton(page).click();
  await page.locator('[data-testid="buyer-progress"][data-finished="true"]').waitFor({ timeout: 30000 });
  const folder = join(downloads, 'Named', p.id, 'reviews');
  const files = (await waitForFiles(folder, 10, 30000, { all: true })).filter((f) => !f.startsWith('reviews.'));
  assert.equal(files.length, 8, files.join(', '));
  for (const f of files) assert.match(f, /^(Red|Blue)\/\1_9\d+000123_0[1-8]\.jpg$/);
  await settings({ review_template: 'review-{n}[-{stars}star][-{date}].{ext}' });
  await popup.page.close();
  await product.page.close();
});

test('AliExpress: a captcha on page 1 leaves no review data, so the reviews the page shows are read from its rendered review section (nothing more is asked), the user is told both, and their photos save at full size without buyer names', { timeout: 90000 }, async () => {
  // SYNTHETIC review section in the shape public scrapers report (no real
  // capture of it exists): CSS-module classes with made-up hashes, thumbnails
  // of the buyers' photos, the product's own picture beside each review (not a
  // buyer photo), "<name> | <date>".
  const p = syntheticEraC(11);
  const photo = (k) => `https://ae01.alicdn.com/kf/Ssection${p.id.slice(-4)}${k}`.padEnd(60, '0') + '.jpg';
  const item = (stars, color, photos) => `<div class="list--itemBox--t9Qx"><div class="list--itemPhoto--p1"><img alt="" src="${p.gallery[0]}_220x220.jpg"></div>
    <div class="list--itemContent--c1"><div class="stars--box--s1">${'<span class="comet-icon comet-icon-starreviewfilled"></span>'.repeat(stars)}</div>
    <div class="list--itemSku--k1">Color:${color}</div><div class="list--itemReview--r1">Synthetic section review</div>
    <div class="list--itemThumbnails--h1">${photos.map((u) => `<img alt="" src="${u}_220x220.jpg">`).join('')}</div>
    <div class="list--itemInfo--i1"><span>Synthetic B***r | 3 Mar 2026</span></div></div></div>`;
  const section = `<div id="nav-review">${item(5, 'Red', [photo(1), photo(2)])}${item(3, 'Blue', [photo(3)])}${item(4, 'Red', [])}</div>`;
  shop.setOverride(new URL(p.url).host + new URL(p.url).pathname, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(eraCPage(p).replace('</body>', `${section}</body>`));
  });
  shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(captchaAnswer(FEEDBACK));
  });
  try {
    const { popup, product } = await popupFor(p.url);
    const page = popup.page;
    await loadBuyerPhotos(page, 'stopped');
    const text = await status(page).textContent();
    assert.match(text, /captcha/, text);
    assert.match(text, /read from its review section/, text);
    assert.deepEqual(await rowsOf(page, 'variants', 'data-variant'), [['Red', 2, 2], ['Blue', 1, 1]]);
    assert.deepEqual(await rowsOf(page, 'stars', 'data-stars'), [['5', 1, 2], ['4', 1, 0], ['3', 1, 1]]);
    assert.match(await saveButton(page).textContent(), /Save 3 buyer photos/);
    assert.deepEqual(reviewRequests(p.id).map((r) => new URLSearchParams(r.query).get('page')), ['1'], 'page 1 asked once, nothing after the captcha');

    await saveButton(page).click();
    await page.locator('[data-testid="buyer-progress"][data-finished="true"]').waitFor({ timeout: 30000 });
    // The product folder is the settings' (earlier tests change them): where its first photo is.
    const first = listFiles(downloads, { all: true }).find((f) => f.includes(`${p.id}/`) && f.includes('/reviews/'));
    assert.ok(first, 'a buyer photo of the product was saved');
    const folder = join(downloads, first.slice(0, first.indexOf('/reviews/') + '/reviews'.length));
    const all = await waitForFiles(folder, 5, 30000, { all: true });
    const photos = all.filter((f) => !/^reviews\.(json|csv)$/.test(f));
    assert.equal(photos.length, 3, all.join(', '));
    assert.deepEqual(originalsOf(folder, photos).sort(), [photo(1), photo(2), photo(3)].sort(), 'the originals, not the thumbnails');
    assert.ok(all.includes('reviews.csv'), all.join(', '));
    const saved = readFileSync(join(folder, 'reviews.json'), 'utf8');
    assert.ok(!saved.includes('B***r') && !saved.includes(p.gallery[0].split('/').pop()), saved);
    assert.match(saved, /2026-03-03/);
    await popup.page.close();
    await product.page.close();
  } finally {
    shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, null);
    shop.setOverride(new URL(p.url).host + new URL(p.url).pathname, null);
  }
});

test('AliExpress: the page\'s own review request (seen by the webRequest listener) gives the language and country the extension then asks its review pages in; the page\'s request is not read as product data', { timeout: 90000 }, async () => {
  const p = syntheticEraC(12);
  const pageAsks = `https://feedback.aliexpress.com/pc/searchEvaluation.do?productId=${p.id}&lang=de_DE&country=DE&page=1&pageSize=10&filter=all&sort=complex_default`;
  const key = new URL(p.url).host + new URL(p.url).pathname;
  // The page's own script asks for its first reviews (as a real page does when
  // its review section loads); a file, as the shop's pages load them.
  shop.setOverride(key, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(eraCPage(p).replace('</body>', `<script src="/static/reviews-loader.js?u=${encodeURIComponent(pageAsks)}"></script></body>`));
  });
  shop.setOverride('www.aliexpress.com/static/reviews-loader.js', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(`fetch(new URL(document.currentScript.src).searchParams.get('u'), { mode: 'no-cors', credentials: 'include' }).then(() => { document.body.dataset.reviewsAsked = '1'; });`);
  });
  try {
    const { popup, product, tab } = await popupFor(p.url);
    await product.page.waitForFunction(() => document.body.dataset.reviewsAsked === '1');
    const sw = await browser.worker();
    // The listener records it for the tab's page view: wait for that record.
    await sw.evaluate((k) => new Promise((ok) => {
      const check = async () => {
        if (((await chrome.storage.session.get(k))[k] ?? []).some((r) => r.kind === 'ae_reviews')) {
          chrome.storage.onChanged.removeListener(check);
          ok();
        }
      };
      chrome.storage.onChanged.addListener(check);
      check();
    }), `observed:${tab}`);
    const observed = async () => (await sw.evaluate(async (k) => (await chrome.storage.session.get(k))[k] ?? [], `observed:${tab}`));
    assert.deepEqual((await observed()).filter((r) => r.kind === 'ae_reviews').map((r) => [r.url, r.product_id]), [[pageAsks, p.id]]);
    const page = popup.page;
    await loadBuyerPhotos(page, 'done');
    const ours = reviewRequests(p.id).filter((r) => r.site === 'none');
    const params = ours.map((r) => new URLSearchParams(r.query));
    assert.deepEqual(params.map((q) => q.get('page')), ['1', '2', '3']);
    for (const q of params) assert.deepEqual([q.get('lang'), q.get('country')], ['de_DE', 'DE'], q.toString());
    const theirs = reviewRequests(p.id).filter((r) => r.site !== 'none');
    assert.equal(theirs.length, 1, 'the page asked once; the extension did not re-read its request as product data');
    await popup.page.close();
    await product.page.close();
  } finally {
    shop.setOverride(key, null);
    shop.setOverride('www.aliexpress.com/static/reviews-loader.js', null);
  }
});

/** A promise the test opens: `opened` resolves once `open()` was called. */
function gate() {
  let open;
  const opened = new Promise((r) => { open = r; });
  return { opened, open };
}

/** Holds the answer to review page `n` of any product until `release` opens; `asked` opens when it is asked. */
function holdPage(n) {
  const asked = gate();
  const release = gate();
  shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, async (req, res) => {
    const url = new URL(req.url, `https://${FEEDBACK}`);
    if (url.searchParams.get('page') === String(n)) {
      asked.open();
      await release.opened;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(reviewAnswer(url));
  });
  return { asked, release };
}

test('"Stop reading" while page 2 is asked: the run ends with page 1, the late answer is not used, page 3 is never asked', { timeout: 60000 }, async () => {
  const p = syntheticEraC(5);
  const { asked, release } = holdPage(2);
  const { popup, product } = await popupFor(p.url);
  const page = popup.page;
  try {
    await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    await page.locator('button[data-alisave-action="load-reviews"]').click();
    await asked.opened;
    await page.locator('button[data-alisave-action="stop-reviews"]').click();
    await page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 10000 });
    assert.equal(await status(page).getAttribute('data-pages'), '1');
    release.open();
    // The pace is one request a second: two seconds without a third request.
    await new Promise((r) => setTimeout(r, 2000));
    const pages = reviewRequests(p.id).map((r) => new URL(`https://x/${r.query}`).searchParams.get('page'));
    assert.deepEqual(pages, ['1', '2']);
    assert.equal(await status(page).getAttribute('data-pages'), '1', 'the answer that came after the stop is not used');
    assert.match(await saveButton(page).textContent(), /Save 4 buyer photos/);
  } finally {
    release.open();
    shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, null);
    await popup.page.close();
    await product.page.close();
  }
});

test('the worker stopped while page 2 is asked: the next worker ends the run with the reason, keeping page 1', { timeout: 60000 }, async () => {
  const p = syntheticEraC(6);
  const { asked, release } = holdPage(2);
  const { popup, product } = await popupFor(p.url);
  const page = popup.page;
  let woken;
  try {
    await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    await page.locator('button[data-alisave-action="load-reviews"]').click();
    await asked.opened;
    const cdp = await browser.ctx.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
    release.open();
    // Any event starts a new worker, which looks at the runs left pending.
    woken = await open(p.url);
    await page.locator('[data-testid="buyer-status"][data-state="stopped"]').waitFor({ timeout: 30000 });
    const text = await status(page).textContent();
    assert.match(text, /stopped after 1 page/, text);
    assert.match(text, /background stopped/, text);
    assert.equal(await status(page).getAttribute('data-pages'), '1');
    assert.deepEqual(reviewRequests(p.id).map((r) => new URL(`https://x/${r.query}`).searchParams.get('page')), ['1', '2']);
  } finally {
    release.open();
    shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, null);
    await woken?.page.close();
    await popup.page.close();
    await product.page.close();
  }
});

test('the worker takes buyer-photo commands only from the popup, for a tab showing an AliExpress product, with fields in range', { timeout: 60000 }, async () => {
  const p = syntheticEraC(1);
  const product = await open(p.url);
  await product.page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const other = await open(`${base}/options.html`);
  const sw = await browser.worker();
  const tab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, p.url);
  const alibabaTab = await open(ALIBABA);
  const aliTab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, ALIBABA);
  const optionsTab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, `${base}/options.html`);
  const before = reviewRequests().length;
  const send = (page, msg) => page.evaluate((m) => chrome.runtime.sendMessage(m), msg);
  const load = (tabId, filter = {}) => ({ type: 'reviews_load', tab_id: tabId, filter });
  // Another extension page.
  const fromOptions = await send(other.page, load(tab));
  assert.equal(fromOptions.ok, false);
  // The popup, but the tab is no AliExpress product page, or a field is out of range.
  const popup = await open(`${base}/popup.html?tab=${tab}`);
  for (const [msg, why] of [
    [load(optionsTab), 'not a product page'],
    [load(aliTab), 'Alibaba'],
    [load(-1), 'negative tab id'],
    [load(tab, { min_stars: 9 }), 'stars'],
    [load(tab, { max_photos: 0 }), 'limit'],
    [{ ...load(tab), product_id: '1' }, 'unknown field'],
  ]) {
    const r = await send(popup.page, msg);
    assert.equal(r.ok, false, `${why}: ${JSON.stringify(r)}`);
  }
  assert.equal(reviewRequests().length, before, 'no refused command asked the shop anything');
  const mine = [tab, optionsTab, aliTab].map((t) => `reviews:${t}`);
  const keys = await sw.evaluate(async (m) => Object.keys(await chrome.storage.session.get(m)), mine);
  assert.deepEqual(keys, [], 'and none recorded a run');
  for (const x of [popup, other, alibabaTab, product]) await x.page.close();
});

test('an Alibaba product: the tab says supplier reviews need a sign-in, offers no load, asks nothing', { timeout: 60000 }, async () => {
  const before = reviewRequests().length;
  const { popup, product } = await popupFor(ALIBABA);
  await popup.page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
  const said = popup.page.locator('[data-testid="buyer-unsupported"]');
  await said.waitFor();
  assert.match(await said.textContent(), /signed-in/);
  assert.equal(await popup.page.locator('button[data-alisave-action="load-reviews"]').count(), 0);
  assert.equal(reviewRequests().length, before);
  await popup.page.close();
  await product.page.close();
});

test('keyboard: arrow keys move between the tabs; Tab reaches the filters and "Load", Enter loads', { timeout: 60000 }, async () => {
  const p = syntheticEraC(3);
  const { popup, product } = await popupFor(p.url);
  const page = popup.page;
  await page.locator('#tab-media').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-buyer');
  assert.equal(await page.locator('#tab-buyer').getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-media');
  assert.equal(await page.locator('#tab-media').getAttribute('aria-selected'), 'true');
  await page.keyboard.press('End');
  await page.locator('button[data-alisave-action="load-reviews"]').waitFor();
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.alisaveAction), 'load-reviews');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
  assert.equal(reviewRequests(p.id).length, REVIEW_PAGES);
  await popup.page.close();
  await product.page.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`axe-core: the Buyer photos tab has no violations in the ${colorScheme} theme (loaded, counts and thumbnails shown, on Alibaba, and on aliexpress.ru)`, { timeout: 90000 }, async () => {
    const p = syntheticEraC(4);
    const { popup, product } = await popupFor(p.url, { colorScheme });
    const page = popup.page;
    await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    await page.locator('button[data-alisave-action="load-reviews"]').waitFor();
    await axe(page, `buyer photos ${colorScheme}, before loading`);
    await page.locator('button[data-alisave-action="load-reviews"]').click();
    await page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
    await axe(page, `buyer photos ${colorScheme}, loaded`);
    await popup.page.close();
    await product.page.close();
    const ali = await popupFor(ALIBABA, { colorScheme });
    await ali.popup.page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    await ali.popup.page.locator('[data-testid="buyer-unsupported"]').waitFor();
    await axe(ali.popup.page, `buyer photos ${colorScheme}, Alibaba`);
    await ali.popup.page.close();
    await ali.product.page.close();
    const ru = await popupFor(RU_REVIEWS.url, { colorScheme });
    await ru.popup.page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    await ru.popup.page.locator('[data-testid="buyer-ru-note"]').waitFor();
    await ru.popup.page.locator('button[data-alisave-action="load-reviews"]').click();
    await ru.popup.page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
    await axe(ru.popup.page, `buyer photos ${colorScheme}, aliexpress.ru`);
    await ru.popup.page.close();
    await ru.product.page.close();
  });
}

test('the in-page button: off (the default) its save asks no review; turned on in the options page, its save also reads the first 2 review pages and saves their photos into reviews/<variant>/ as kind "review", apart from the product media', { timeout: 120000 }, async () => {
  await settings({ folder: 'Button', folder_template: '{id}' });
  const sw = await browser.worker();
  const runs = () => sw.evaluate(async () => Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('reviews:')));

  // Off: a full save of the page asks the shop for no review, and starts no run.
  const off = syntheticEraC(7);
  const offPage = (await open(off.url)).page;
  // Its own tab's run only: an earlier test's tab may still be being forgotten.
  const offTab = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0].id, offPage.url());
  const o = await clickSave(offPage);
  assert.ok(o.started > 0, o.text);
  await finalReport(offPage);
  assert.equal(reviewRequests(off.id).length, 0, 'no review request with the setting off');
  assert.ok(!(await runs()).includes(`reviews:${offTab}`), 'no review run either');
  assert.equal(listFiles(join(downloads, 'Button', off.id), { all: true }).some((f) => f.startsWith('reviews/')), false);

  // On, from the options page.
  const options = await open(`${base}/options.html`);
  const box = options.page.locator('input[data-setting="button_reviews"]');
  assert.equal(await box.isChecked(), false, 'off by default');
  await box.check();
  await options.page.waitForFunction(async () => (await chrome.storage.local.get('settings')).settings?.button_reviews === true);
  assert.deepEqual(options.errors, []);
  await options.page.close();

  const on = syntheticEraC(8);
  const { page } = await open(on.url);
  const r = await clickSave(page);
  assert.ok(r.started > 0, r.text);
  const folder = join(downloads, 'Button', on.id);
  // Pages 1–2 of 3: 4 photos a page (2+1+1), every review admitted by the default filter.
  const reviewFiles = await waitForFiles(join(folder, 'reviews'), 10, 60000, { all: true });
  const photos = reviewFiles.filter((f) => !f.startsWith('reviews.'));
  assert.equal(photos.length, 8, reviewFiles.join(', '));
  for (const f of photos) assert.match(f, /^(Red|Blue)\/review-\d{2}-[345]star-2025-11-\d{2}\.jpg$/);
  const asked = reviewRequests(on.id).map((q) => new URL(`https://x/${q.query}`).searchParams.get('page'));
  assert.deepEqual(asked, ['1', '2'], 'only the first review pages');
  const json = JSON.parse(readFileSync(join(folder, 'reviews', 'reviews.json'), 'utf8'));
  assert.equal(json.reviews.flatMap((x) => x.files).filter((f) => f.status === 'saved').length, 8);
  // Never mixed with the product media: their own batch, kind "review", in reviews/ only.
  const batches = await sw.evaluate(async () => Object.entries(await chrome.storage.session.get(null)).filter(([k]) => k.startsWith('batch:')).map(([, v]) => JSON.parse(v)));
  const mine = batches.filter((b) => b.product.id === on.id);
  const reviewBatch = mine.find((b) => b.jobs.some((j) => j.kind === 'review'));
  assert.ok(reviewBatch, 'a review batch');
  assert.ok(reviewBatch.jobs.every((j) => j.kind === 'review' && j.path.includes('/reviews/')));
  for (const b of mine.filter((x) => x !== reviewBatch)) assert.ok(b.jobs.every((j) => j.kind !== 'review' && !j.path.includes('/reviews/')));
  const productFiles = listFiles(folder, { all: true }).filter((f) => !f.startsWith('reviews/'));
  assert.ok(productFiles.length >= r.started, productFiles.join(', '));
  assert.ok(productFiles.every((f) => !/review/.test(f)), productFiles.join(', '));
  await settings({ button_reviews: false });
  await offPage.close();
  await page.close();
});

/** The popup page holds the extension's batch lock (chrome::locks::BATCHES): no batch can be stored until `release()`. */
async function holdBatches(page) {
  await page.evaluate(() => new Promise((granted) => {
    navigator.locks.request('alisave-batches', () => new Promise((release) => { globalThis.releaseBatches = release; granted(); }));
  }));
  return {
    /** Resolves once someone else (the worker) waits for the lock. */
    waited: () => page.waitForFunction(async () => (await navigator.locks.query()).pending.some((l) => l.name === 'alisave-batches'), null, { timeout: 30000 }),
    release: () => page.evaluate(() => globalThis.releaseBatches?.()),
  };
}

/**
 * The order of issue #15's fix (StoredReviews::button_to_keep, claim_save): the
 * page's button (button_reviews on) read pages 1–2, and the save of their photos
 * waits (the test holds the batches' lock) when the user presses "Load" in the
 * popup. Returns what was saved once the lock is released.
 */
async function buttonSaveThenLoad(n, { stopWorker }) {
  await settings({ folder: 'Keep', folder_template: '{id}', button_reviews: true });
  const p = syntheticEraC(n);
  const { asked, release } = holdPage(2);
  const { popup, product } = await popupFor(p.url);
  const page = popup.page;
  const sw = await browser.worker();
  let lock;
  try {
    await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    await page.locator('button[data-alisave-action="load-reviews"]').waitFor();
    const r = await clickSave(product.page);
    assert.ok(r.started > 0, r.text);
    await asked.opened; // the button's run asks page 2 (held)
    await finalReport(product.page); // the product's own batch is done: it needs the lock no more
    lock = await holdBatches(page);
    release.open();
    await page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
    assert.equal(await status(page).getAttribute('data-pages'), '2', 'the button read its 2 pages');
    await lock.waited(); // the button's save waits to store its batch
    if (stopWorker) {
      const cdp = await browser.ctx.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    }
    // "Load" (it also starts a new worker after a stop, which resumes the save).
    await page.locator('button[data-alisave-action="load-reviews"]').click();
    await page.locator(`[data-testid="buyer-status"][data-state="done"][data-pages="${REVIEW_PAGES}"]`).waitFor({ timeout: 30000 });
    await lock.waited(); // a save waits for the lock (the button's, again after a stop)
    await lock.release();
    const folder = join(downloads, 'Keep', p.id, 'reviews');
    const json = join(folder, 'reviews.json');
    // reviews.json/csv are written once every photo of the batch ended.
    for (const end = Date.now() + 30000; Date.now() < end;) {
      const now = listFiles(folder, { all: true });
      if (now.includes('reviews.json') && now.includes('reviews.csv') && !now.some((f) => f.endsWith('.crdownload'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const files = await waitForFiles(folder, 3, 30000, { all: true });
    assert.ok(files.includes('reviews.json'), files.join(', '));
    const batches = (await sw.evaluate(async () => Object.entries(await chrome.storage.session.get(null)).filter(([k]) => k.startsWith('batch:')).map(([, v]) => JSON.parse(v))))
      .filter((b) => b.product.id === p.id && b.jobs.some((j) => j.kind === 'review'));
    const saved = JSON.parse(readFileSync(json, 'utf8')).reviews.flatMap((x) => x.files).filter((f) => f.status === 'saved').map((f) => f.file);
    return { p, files: files.filter((f) => !f.startsWith('reviews.')), batches, saved, popup, product };
  } finally {
    release.open();
    await lock?.release().catch(() => {});
    shop.setOverride(`${FEEDBACK}/pc/searchEvaluation.do`, null);
    await settings({ button_reviews: false });
  }
}

/** The shop URLs of the saved `files` (under `folder`), each asserted byte-identical to that URL's original. */
function originalsOf(folder, files) {
  return files.map((f) => {
    const bytes = readFileSync(join(folder, f));
    const u = new URL(embeddedUrl(bytes));
    assert.deepEqual(bytes, mediaBytes(u.host, u.pathname), `${f} is the original`);
    return `https://${u.host}${u.pathname}`;
  });
}

/** The photos of review pages 1..pages of product `id` (syntheticReview), full size. */
const photosOf = (id, pages) => Array.from({ length: pages }, (_, pg) => [0, 1, 2, 3].flatMap((i) => syntheticReview(id, pg + 1, i).images)).flat();

/** Each saved file is the original of one of `allowed`, and none twice. */
function savedOnce(folder, files, allowed) {
  const got = originalsOf(folder, files);
  assert.equal(new Set(got).size, got.length, `a photo saved twice: ${files.join(', ')}`);
  for (const u of got) assert.ok(allowed.includes(u), u);
  return got;
}

test('the in-page button\'s buyer photos and "Load" pressed before they were saved: the button\'s save goes on with its 2 pages, saved once; the new run (3 pages) saves nothing by itself', { timeout: 120000 }, async () => {
  const { p, files, batches, saved, popup, product } = await buttonSaveThenLoad(9, { stopWorker: false });
  try {
    assert.equal(batches.length, 1, `one review batch: ${batches.map((b) => b.request_id).join(', ')}`);
    assert.match(batches[0].request_id ?? '', /^rv/, 'the button\'s save');
    const got = savedOnce(join(downloads, 'Keep', p.id, 'reviews'), files, photosOf(p.id, 2));
    assert.deepEqual(got.sort(), photosOf(p.id, 2).sort(), 'the 8 photos of pages 1–2, each once');
    assert.deepEqual(saved.sort(), [...files].sort());
    assert.deepEqual(reviewRequests(p.id).map((r) => new URL(`https://x/${r.query}`).searchParams.get('page')), ['1', '2', '1', '2', '3'], 'the button\'s 2 pages, then Load\'s 3');
    assert.deepEqual(popup.errors, []);
  } finally {
    await popup.page.close();
    await product.page.close();
  }
});

test('the same with the worker stopped while the button\'s save waits: whichever the new worker does first (resume the save, or let "Load" take it over), the button\'s photos are saved once', { timeout: 120000 }, async (t) => {
  const { p, files, batches, saved, popup, product } = await buttonSaveThenLoad(10, { stopWorker: true });
  try {
    assert.equal(batches.length, 1, `one review batch: ${batches.map((b) => b.request_id).join(', ')}`);
    assert.match(batches[0].request_id ?? '', /^rv/, 'the button\'s save');
    const got = savedOnce(join(downloads, 'Keep', p.id, 'reviews'), files, photosOf(p.id, REVIEW_PAGES));
    for (const u of photosOf(p.id, 2)) assert.ok(got.includes(u), `${u} (pages 1–2) saved`);
    assert.ok(got.length === 8 || got.length === 12, `pages 1–2 (resumed) or 1–3 (taken over by "Load"): ${got.length}`);
    assert.deepEqual(saved.sort(), [...files].sort());
    t.diagnostic(got.length === 8 ? 'the new worker resumed the button\'s save first' : '"Load" took the button\'s save over');
    assert.deepEqual(popup.errors, []);
  } finally {
    await popup.page.close();
    await product.page.close();
  }
});

test('aliexpress.ru: the tab says where its reviews come from; "Load" with filters page 1 meets reads them from the page itself (nothing asked of the shop); they save like the others', { timeout: 90000 }, async () => {
  await settings({ folder: 'Ru', folder_template: '{id}' });
  const { popup, product } = await popupFor(RU_REVIEWS.url);
  const page = popup.page;
  await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
  const note = await page.locator('[data-testid="buyer-ru-note"]').textContent();
  assert.match(note, /first reviews come from the product page itself/, note);
  assert.match(note, /a POST that sends only the product number, the page number and size, the order and the filters/, note);
  assert.match(note, /other requests are GET requests that send nothing/, note);
  const from = shop.requests.length;
  // At most 6 photos: the page's own first reviews hold them.
  await page.locator('[data-testid="buyer-max"]').fill('6');
  await page.locator('[data-testid="buyer-max"]').dispatchEvent('change');
  await page.locator('button[data-alisave-action="load-reviews"]').click();
  await page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
  const asked = shop.requests.slice(from).filter((r) => /review|feedback|evaluation/i.test(`${r.host}${r.path}`));
  assert.deepEqual(asked, [], 'no review request: the page itself carried them');
  // The capture: 10 reviews, 6 with one photo each.
  assert.equal(await status(page).getAttribute('data-pages'), '1');
  assert.equal(await status(page).getAttribute('data-shown'), '6');
  assert.equal(await page.locator('[data-testid="buyer-thumbs"] li').count(), 6);
  await saveButton(page).click();
  await page.locator('[data-testid="buyer-progress"][data-finished="true"]').waitFor({ timeout: 30000 });
  const folder = join(downloads, 'Ru', RU_REVIEWS.id, 'reviews');
  const files = await waitForFiles(folder, 8, 30000, { all: true });
  const photos = files.filter((f) => !f.startsWith('reviews.'));
  assert.equal(photos.length, 6, files.join(', '));
  for (const u of originalsOf(folder, photos)) assert.match(new URL(u).pathname, /^\/kf\/Sru/, u);
  const json = JSON.parse(readFileSync(join(folder, 'reviews.json'), 'utf8'));
  assert.equal(json.product_id, RU_REVIEWS.id);
  assert.equal(json.reviews.flatMap((r) => r.files).filter((f) => f.status === 'saved').length, 6);
  assert.doesNotMatch(JSON.stringify(json), /avatar|Reviewer D\d|Anonymous user|fixtures\.invalid/i, 'no buyer names or avatars');
  assert.deepEqual(popup.errors, []);
  await popup.page.close();
  await product.page.close();
});

/** The POST bodies aliexpress.ru was sent since `from`, parsed. */
const ruBodiesSince = (from) => ruPosts().filter((r) => r.at >= from).map((r) => ({ ...r, json: JSON.parse(r.body) }));
const ruBody = (pageNum) => ({ productKey: { id: RU_REVIEWS.id, sourceId: 0 }, pagination: { pageNum, pageSize: 10 }, sort: 1, filters: [], skuFilter: [] });

test('aliexpress.ru beyond page 1: filters that need more ask pages 2 and 3 exactly as the page does (one POST each, a second apart, only the product, page, size, order and filters), and their photos save', { timeout: 120000 }, async () => {
  await settings({ folder: 'RuMore', folder_template: '{id}' });
  const { popup, product } = await popupFor(RU_REVIEWS.url);
  const page = popup.page;
  const from = Date.now();
  const before = shop.requests.length;
  await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
  await page.locator('button[data-alisave-action="load-reviews"]').click();
  await page.locator('[data-testid="buyer-status"][data-state="done"]').waitFor({ timeout: 30000 });
  const posts = ruBodiesSince(from);
  assert.deepEqual(posts.map((r) => r.json), [ruBody(2), ruBody(3)], 'page 1 is the page\'s own; a page 3 shorter than 10 reviews is the last');
  for (const r of posts) {
    assert.equal(r.method, 'POST');
    assert.match(r.contentType, /^application\/json/);
    assert.equal(r.query, '', 'nothing in the URL');
  }
  assert.ok(posts[1].at - posts[0].at >= 950, `page 3 came ${posts[1].at - posts[0].at} ms after page 2`);
  const others = shop.requests.slice(before).filter((r) => /review|feedback|evaluation/i.test(`${r.host}${r.path}`) && r.path !== RU_REVIEWS_API.path);
  assert.deepEqual(others, [], 'no other review request');
  assert.equal(await status(page).getAttribute('data-pages'), '3');
  // 6 photos on page 1 (the page), 9 on page 2, 7 + 4 follow-up photos on page 3.
  assert.equal(await status(page).getAttribute('data-shown'), '26');
  assert.doesNotMatch(await status(page).textContent(), /not verified/);
  await saveButton(page).click();
  await page.locator('[data-testid="buyer-progress"][data-finished="true"]').waitFor({ timeout: 60000 });
  const folder = join(downloads, 'RuMore', RU_REVIEWS.id, 'reviews');
  const files = await waitForFiles(folder, 28, 60000, { all: true });
  const photos = files.filter((f) => !f.startsWith('reviews.'));
  assert.equal(photos.length, 26, files.join(', '));
  const expected = new Set();
  const collect = (text) => { for (const m of text.matchAll(/https:\/\/ae01\.alicdn\.com\/kf\/Sru\w+\.(jpe?g|png)/g)) expected.add(m[0]); };
  collect(ruReviewAnswer(ruBody(2)));
  collect(ruReviewAnswer(ruBody(3)));
  const got = originalsOf(folder, photos);
  assert.equal(new Set(got).size, 26, 'each photo once');
  assert.equal(expected.size, 20);
  assert.equal([...expected].filter((u) => got.includes(u)).length, 20, 'every photo of pages 2–3');
  const json = JSON.parse(readFileSync(join(folder, 'reviews.json'), 'utf8'));
  assert.equal(json.reviews.length, 6 + 7 + 2);
  assert.doesNotMatch(JSON.stringify(json), /avatar|Reviewer [DR]\d|fixtures\.invalid/i, 'no buyer names or avatars');
  assert.equal(ruPosts().filter((r) => r.at >= from).length, 2, 'saving asked nothing more');
  assert.deepEqual(popup.errors, []);
  await popup.page.close();
  await product.page.close();
});

test('aliexpress.ru: a captcha answer to page 3 keeps pages 1–2 and says why; an answer that is not understood says the request form is unverified', { timeout: 90000 }, async () => {
  const key = `${RU_REVIEWS_API.host}${RU_REVIEWS_API.path}`;
  let answerPage2 = null;
  shop.setOverride(key, (req, res) => {
    const body = JSON.parse(req.alisaveBody || '{}');
    if (body.pagination?.pageNum === 2 && answerPage2) return answerPage2(res);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    if (body.pagination?.pageNum === 3) {
      return res.end(captchaAnswer('aliexpress.ru'));
    }
    return res.end(ruReviewAnswer(body));
  });
  let opened;
  try {
    opened = await popupFor(RU_REVIEWS.url);
    const { popup } = opened;
    const page = popup.page;
    const from = Date.now();
    await page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    await page.locator('button[data-alisave-action="load-reviews"]').click();
    await page.locator('[data-testid="buyer-status"][data-state="stopped"]').waitFor({ timeout: 30000 });
    const text = await status(page).textContent();
    assert.match(text, /stopped after 2 pages/, text);
    assert.match(text, /captcha/, text);
    assert.doesNotMatch(text, /not verified/, text);
    assert.equal(await status(page).getAttribute('data-pages'), '2');
    assert.equal(await status(page).getAttribute('data-shown'), '15', 'the photos of pages 1–2 are kept');
    assert.deepEqual(ruBodiesSince(from).map((r) => r.json), [ruBody(2), ruBody(3)], 'page 3 asked once, never again');
    await popup.page.close();

    // HTTP 400 to page 2: stopped after page 1, and the user told the form is unverified.
    answerPage2 = (res) => { res.writeHead(400, { 'content-type': 'text/plain' }); res.end('bad request'); };
    const again = await open(`${base}/popup.html?tab=${await (await browser.worker()).evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, RU_REVIEWS.url)}`);
    await again.page.locator('[role="tab"][data-alisave-tab="buyer"]').click();
    const from2 = Date.now();
    await again.page.locator('button[data-alisave-action="load-reviews"]').click();
    await again.page.locator('[data-testid="buyer-status"][data-state="stopped"][data-pages="1"]').waitFor({ timeout: 30000 });
    const said = await status(again.page).textContent();
    assert.match(said, /stopped after 1 page/, said);
    assert.match(said, /400/, said);
    assert.match(said, /not verified on the live site/, said);
    assert.equal(await status(again.page).getAttribute('data-shown'), '6');
    assert.deepEqual(ruBodiesSince(from2).map((r) => r.json), [ruBody(2)]);
    await again.page.close();
  } finally {
    shop.setOverride(key, null);
    await opened?.popup.page.close().catch(() => {});
    await opened?.product.page.close();
  }
});

test('aliexpress.ru, the in-page button with buyer photos on: the page\'s save goes on to its final report while the worker reads page 1 from that same page and asks page 2 by POST; both pages\' photos save once into reviews/, apart from the product media', { timeout: 120000 }, async () => {
  await settings({ folder: 'RuButton', folder_template: '{id}', button_reviews: true });
  try {
    const from = Date.now();
    const { page, errors } = await open(RU_REVIEWS.url);
    const r = await clickSave(page);
    assert.ok(r.started > 0, r.text);
    const report = await finalReport(page);
    assert.equal(report.failed, 0, report.text);
    const folder = join(downloads, 'RuButton', RU_REVIEWS.id);
    // 6 photos on page 1 (the page's own), 9 on page 2; reviews.json and .csv.
    const files = await waitForFiles(join(folder, 'reviews'), 17, 60000, { all: true });
    const photos = files.filter((f) => !f.startsWith('reviews.'));
    assert.equal(photos.length, 15, files.join(', '));
    const got = originalsOf(join(folder, 'reviews'), photos);
    assert.equal(new Set(got).size, 15, 'each photo once');
    assert.deepEqual(ruBodiesSince(from).map((b) => b.json), [ruBody(2)], 'the button reads its first 2 pages: page 2 is the one POST');
    const productFiles = listFiles(folder, { all: true }).filter((f) => !f.startsWith('reviews/'));
    assert.ok(productFiles.length >= r.started, productFiles.join(', '));
    assert.ok(productFiles.every((f) => !/^Sru/.test(f.split('/').pop())), `no buyer photo among the product media: ${productFiles.join(', ')}`);
    const json = JSON.parse(readFileSync(join(folder, 'reviews', 'reviews.json'), 'utf8'));
    assert.equal(json.reviews.flatMap((x) => x.files).filter((f) => f.status === 'saved').length, 15);
    assert.doesNotMatch(JSON.stringify(json), /avatar|Reviewer [DR]\d|fixtures\.invalid/i, 'no buyer names or avatars');
    // (Chrome's own /favicon.ico request, which the test shop answers 404, may log a load error.)
    assert.deepEqual(errors.filter((e) => !e.startsWith('Failed to load resource')), []);
    await page.close();
  } finally {
    await settings({ button_reviews: false });
  }
});

test('closing the product tab forgets its review run', { timeout: 60000 }, async () => {
  const sw = await browser.worker();
  const keys = () => sw.evaluate(async () => Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('reviews:')));
  // tabs.onRemoved is handled after the close returns: wait for it (bounded).
  const end = Date.now() + 10000;
  while ((await keys()).length && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await keys(), [], 'every product tab was closed');
});
