// End-to-end tests of the popup and options pages: settings edited in the options
// page reach an open popup and the files on disk, import/export/reset, keyboard
// use, axe-core in light and dark themes, and every locale.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startShop, repoRoot, ERA_D } from './lib/shop.mjs';
import { launch, chromiumArgs, dist, waitForFiles, waitForCompleteDownload, listFiles, clickSave } from './lib/browser.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const LOCALES = ['en', 'ru', 'es', 'pt', 'fr', 'de'];
const ALIBABA = 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html';
const ERA_D_PAGE = `https://www.aliexpress.com/item/${ERA_D.id}.html`;

let shop, browser, downloads, base;

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-ui-dl-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
  base = `chrome-extension://${browser.extensionId}`;
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});

/** Opens a page collecting console errors and page errors. */
async function open(url, { colorScheme, viewport } = {}) {
  const page = await browser.ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  if (viewport) await page.setViewportSize(viewport);
  if (colorScheme) await page.emulateMedia({ colorScheme });
  await page.goto(url);
  return { page, errors };
}

async function stored() {
  const sw = await browser.worker();
  return sw.evaluate(async () => (await chrome.storage.local.get('settings')).settings);
}

async function setStored(value) {
  const sw = await browser.worker();
  await sw.evaluate(async (v) => {
    if (v === undefined) await chrome.storage.local.remove('settings');
    else await chrome.storage.local.set({ settings: v });
  }, value);
}

/** Waits until the stored settings satisfy `check`. */
async function storedWhere(check, what) {
  for (let i = 0; i < 100; i++) {
    const s = await stored();
    if (s && check(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`stored settings never matched: ${what}; now ${JSON.stringify(await stored())}`);
}

async function tabIdOf(url) {
  const sw = await browser.worker();
  return sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id, url);
}

/** Opens the popup for the tab showing `url` (opened first). */
async function popupFor(url, opts = {}) {
  const product = await open(url);
  await product.page.locator('#alisave-root button[data-alisave-action="download-all"]').waitFor();
  const tab = await tabIdOf(url);
  const popup = await open(`${base}/popup.html?tab=${tab}`, { viewport: { width: 420, height: 640 }, ...opts });
  await popup.page.locator('[data-testid="counts"]').waitFor();
  return { product, popup };
}

async function optionsPage(opts) {
  const o = await open(`${base}/options.html`, opts);
  await o.page.locator('[data-testid="preview"]').waitFor();
  return o;
}

/** Runs axe-core in the page (injected over CDP, so the page CSP does not apply). */
async function axe(page, label) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations', 'passes'] });
    return {
      violations: r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) })),
      passes: r.passes.map((p) => p.id),
    };
  });
  assert.deepEqual(result.violations, [], `${label}: axe violations\n${JSON.stringify(result.violations, null, 2)}`);
  // The rules that matter here really ran (and passed) rather than being skipped.
  for (const rule of ['color-contrast', 'label', 'html-has-lang', 'button-name']) {
    const applies = { label: 'input:visible', 'button-name': 'button:visible' }[rule];
    if (applies && !(await page.locator(applies).count())) continue;
    assert.ok(result.passes.includes(rule), `${label}: axe rule ${rule} did not run`);
  }
}

test('a file-name template typed in the options page is previewed, saved, shown live in an open popup, and names the files on disk', async () => {
  await setStored(undefined);
  const { product, popup } = await popupFor(ALIBABA);
  const sample = popup.page.locator('[data-testid="name-sample"]');
  assert.equal(await sample.textContent(), 'AliSavePro/alibaba-1600000000001/gallery-01.jpg');

  const options = await optionsPage();
  const o = options.page;
  const preview = o.locator('[data-testid="preview"] li');
  assert.deepEqual(await preview.allTextContents(), [
    'AliSavePro/aliexpress-1005004787627817/gallery-01.jpg',
    'AliSavePro/aliexpress-1005004787627817/gallery-02.png',
    'AliSavePro/aliexpress-1005004787627817/variant-01-Black.jpg',
    'AliSavePro/aliexpress-1005004787627817/variant-02-Rose Gold.jpg',
    'AliSavePro/aliexpress-1005004787627817/description-01.jpg',
    'AliSavePro/aliexpress-1005004787627817/video-01.mp4',
  ]);

  // As you type: the preview follows, nothing is stored yet.
  const file = o.locator('input[data-setting="file_template"]');
  await file.fill('{title} {kind} {n}[ ({variant})].{ext}');
  await o.locator('[data-testid="preview"] li', { hasText: 'Wireless Gamepad Pro variant 01 (Black).jpg' }).waitFor();
  assert.equal((await stored())?.file_template, undefined);

  // An invalid template: a clear message, the preview says why, nothing stored.
  await file.fill('{title} {n}.{ext}');
  await file.press('Enter');
  const error = o.locator('#setting-file_template-error[role="alert"]');
  await error.waitFor();
  assert.match(await error.textContent(), /needs \{kind\}/);
  assert.equal(await file.getAttribute('aria-invalid'), 'true');
  assert.match(await o.locator('[data-testid="preview-invalid"]').textContent(), /^No preview: The file name needs \{kind\}/);
  assert.equal((await stored())?.file_template, undefined);

  // Fixed and committed with Enter: stored, error gone, the open popup follows.
  await file.fill('{title} {kind} {n}[ ({variant})].{ext}');
  assert.equal(await error.count(), 0, 'the error clears as soon as the text is valid');
  await file.press('Enter');
  await storedWhere((s) => s.file_template === '{title} {kind} {n}[ ({variant})].{ext}', 'file template');
  const folderT = o.locator('input[data-setting="folder_template"]');
  await folderT.fill('{shop}/{id}');
  await folderT.press('Tab');
  const s = await storedWhere((x) => x.folder_template === '{shop}/{id}', 'folder template');
  assert.equal(s.schema_version, 3);
  await popup.page.locator('[data-testid="name-sample"]', {
    hasText: /^AliSavePro\/alibaba\/1600000000001\/Synthetic Stainless Steel Water Bottle 500ml gallery 01\.jpg$/,
  }).waitFor({ state: 'attached' });

  // The page's button saves with the new names.
  const outcome = await clickSave(product.page);
  assert.equal(outcome.folder, 'AliSavePro/alibaba/1600000000001', outcome.text);
  assert.equal(outcome.failed, 0, outcome.text);
  const files = await waitForFiles(join(downloads, outcome.folder), 4);
  const t = 'Synthetic Stainless Steel Water Bottle 500ml';
  assert.deepEqual(files, [`${t} gallery 01.jpg`, `${t} gallery 02.jpg`, `${t} gallery 03.png`, `${t} video 01.mp4`]);

  // (The shop page's own errors, e.g. its missing favicon, are not ours.)
  for (const p of [options, popup]) assert.deepEqual(p.errors, [], p.page.url());
  for (const p of [o, popup.page, product.page]) await p.close();
  await setStored(undefined);
});

test('every setting is stored from the options page and shown live in the popup; reset asks first', async () => {
  await setStored(undefined);
  const options = await optionsPage();
  const o = options.page;
  const popup = await open(`${base}/popup.html`);
  const p = popup.page;
  await p.locator('details.quick summary').click();
  await p.locator('select[data-setting="image_size"]').waitFor();

  await o.locator('select[data-setting="image_size"]').selectOption('640');
  await o.locator('input[data-setting="ask_where_to_save"]').check();
  await o.locator('input[data-setting="kinds.video"]').uncheck();
  await o.locator('select[data-setting="button_position"]').selectOption('top-left');
  await o.locator('input[data-setting="show_button"]').uncheck();
  const s = await storedWhere((x) => x.button_position === 'top-left' && x.show_button === false, 'all fields');
  assert.deepEqual(
    { image_size: s.image_size, ask: s.ask_where_to_save, video: s.kinds.video, gallery: s.kinds.gallery },
    { image_size: 640, ask: true, video: false, gallery: true },
  );
  // The popup's quick settings are the same settings, live.
  await p.waitForFunction(() => document.querySelector('select[data-setting="image_size"]').value === '640');
  assert.equal(await p.locator('input[data-setting="show_button"]').isChecked(), false);
  // ...and editing them there reaches the options page.
  await p.locator('select[data-setting="image_size"]').selectOption('original');
  await o.waitForFunction(() => document.querySelector('select[data-setting="image_size"]').value === 'original');

  // Reset: a confirmation first; Cancel changes nothing.
  await o.locator('button[data-action="reset"]').click();
  await o.locator('button[data-action="reset-cancel"]').click();
  assert.equal((await stored()).button_position, 'top-left');
  await o.locator('button[data-action="reset"]').click();
  await o.locator('button[data-action="reset-confirm"]').click();
  await o.locator('[data-testid="backup-result"]', { hasText: 'All settings are back to their defaults.' }).waitFor();
  const d = await storedWhere((x) => x.button_position === 'bottom-right', 'defaults');
  assert.deepEqual(d, {
    schema_version: 3, folder: 'AliSavePro', folder_template: '{shop}-{id}', file_template: '{kind}-{n}[-{variant}].{ext}',
    kinds: { gallery: true, variant: true, description: true, video: true }, image_size: 'original',
    ask_where_to_save: false, show_button: true, button_position: 'bottom-right',
    format: 'original', quality: 90, zip: false, product_manifest: true,
    review_template: 'review-{n}[-{stars}star][-{date}].{ext}', button_reviews: false,
  });
  await p.waitForFunction(() => document.querySelector('input[data-setting="show_button"]').checked);
  assert.deepEqual(options.errors, []);
  assert.deepEqual(popup.errors, []);
  await o.close();
  await p.close();
});

test('import: malformed files are refused with a reason and change nothing; an exported file imports back', async () => {
  const custom = {
    schema_version: 3, folder: 'Imported Shop', folder_template: '{shop}/{title}-{id}', file_template: '{n}_{kind}.{ext}',
    kinds: { gallery: true, variant: false, description: true, video: true }, image_size: 350,
    ask_where_to_save: false, show_button: true, button_position: 'bottom-left',
    format: 'original', quality: 75, zip: false, product_manifest: false,
    review_template: '{date}-{review}-{n}.{ext}', button_reviews: true,
  };
  await setStored(custom);
  const options = await optionsPage();
  const o = options.page;
  await o.waitForFunction(() => document.querySelector('input[data-setting="folder"]').value === 'Imported Shop');
  const before = await stored();
  const dir = mkdtempSync(join(tmpdir(), 'alisave-import-'));
  const input = o.locator('input[data-action="import"]');
  const result = o.locator('[data-testid="backup-result"]');
  const cases = [
    ['not-json.json', '{"folder": "X",', /^Not imported; nothing was changed\. The file is not JSON \(/],
    ['array.json', '[1, 2, 3]', /does not hold a settings object/],
    ['other.json', '{"name": "something else"}', /holds no AliSavePro settings/],
    ['bad-fields.json', JSON.stringify({ schema_version: 2, folder: '../escape', file_template: '{kind}.{ext}', show_button: 'yes' }),
      /These settings in it cannot be used: Download folder: The folder name may not contain "\." or "\.\." as a folder\. File name: The file name needs \{n\}.*Show the save button on product pages: not on\/off/],
    ['huge.json', `{"folder": "${'x'.repeat(70 * 1024)}"}`, /larger than 64 KB/],
  ];
  for (const [name, body, want] of cases) {
    const path = join(dir, name);
    writeFileSync(path, body);
    await input.setInputFiles(path);
    await o.locator('[data-testid="backup-result"].error', { hasText: want }).waitFor({ timeout: 5000 })
      .catch(async (e) => { throw new Error(`${name}: ${await result.textContent()} (${e.message})`); });
    assert.deepEqual(await stored(), before, `${name} changed the settings`);
    assert.equal(await o.locator('input[data-setting="folder"]').inputValue(), 'Imported Shop');
  }

  // Export writes the settings as a JSON file (a blob download from the page).
  await o.locator('button[data-action="export"]').click();
  await result.filter({ hasText: 'Settings exported' }).waitFor();
  const exported = join(downloads, 'alisavepro-settings.json');
  await waitForCompleteDownload(await browser.worker(), '/alisavepro-settings.json');
  assert.deepEqual(JSON.parse(readFileSync(exported, 'utf8')), custom);

  // Reset, then import the exported file: everything comes back.
  await o.locator('button[data-action="reset"]').click();
  await o.locator('button[data-action="reset-confirm"]').click();
  await storedWhere((s) => s.folder === 'AliSavePro', 'reset');
  await input.setInputFiles(exported);
  await result.filter({ hasText: 'Settings imported.' }).waitFor();
  assert.deepEqual(await storedWhere((s) => s.folder === 'Imported Shop', 'imported'), custom);
  await o.waitForFunction(() => document.querySelector('input[data-setting="folder_template"]').value === '{shop}/{title}-{id}');
  // A version-1 file migrates on import.
  const v1 = join(dir, 'v1.json');
  writeFileSync(v1, JSON.stringify({ schema_version: 1, folder: 'Old', kinds: { video: false }, show_button: true }));
  await input.setInputFiles(v1);
  await result.filter({ hasText: 'Settings imported.' }).waitFor();
  const m = await storedWhere((s) => s.folder === 'Old', 'v1 import');
  assert.equal(m.file_template, '{kind}-{n}[-{variant}].{ext}');
  assert.equal(m.kinds.video, false);
  rmSync(dir, { recursive: true, force: true });
  rmSync(exported, { force: true });
  assert.deepEqual(options.errors, []);
  await o.close();
  await setStored(undefined);
});

test('stored settings with corrupted fields: the valid ones are kept, the user is told which were reset', async () => {
  await setStored({ schema_version: 2, folder: 'Kept Folder', file_template: '{bogus}', button_position: 'middle', show_button: false });
  const options = await open(`${base}/options.html`);
  const o = options.page;
  const notice = o.locator('p.notice[role="alert"]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /reset to their defaults: File name: \{bogus\} is not a placeholder\..* Button position: "middle" is not one of the choices\./);
  assert.equal(await o.locator('input[data-setting="folder"]').inputValue(), 'Kept Folder');
  assert.equal(await o.locator('input[data-setting="show_button"]').isChecked(), false);
  assert.equal(await o.locator('input[data-setting="file_template"]').inputValue(), '{kind}-{n}[-{variant}].{ext}');
  // Nothing is written back until the user changes something.
  assert.equal((await stored()).file_template, '{bogus}');
  await o.close();
  await setStored(undefined);
});

test('keyboard only: every control of the options page is reachable in order, with a visible focus, and works', async () => {
  await setStored(undefined);
  const options = await optionsPage();
  const o = options.page;
  const expected = await o.evaluate(() => [...document.querySelectorAll('main input, main select, main button, main summary, main a')]
    .map((e) => e.dataset.setting || e.dataset.action || e.tagName.toLowerCase()));
  const seen = [];
  for (let i = 0; i < expected.length + 2; i++) {
    await o.keyboard.press('Tab');
    const info = await o.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const target = e.matches('input[type=file]') ? e.closest('label').querySelector('span') : e;
      const style = getComputedStyle(target);
      // Every control has a name a screen reader reads.
      const named = !!(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim());
      return { id: e.dataset.setting || e.dataset.action || e.tagName.toLowerCase(), outline: style.outlineStyle, named };
    });
    if (!info) break;
    assert.notEqual(info.outline, 'none', `no visible focus on ${info.id}`);
    assert.ok(info.named, `${info.id} has no accessible name`);
    if (seen.at(-1) !== info.id || info.id === 'summary') seen.push(info.id);
  }
  assert.deepEqual(seen.slice(0, expected.length), expected);

  // Operate some settings with the keyboard alone.
  await o.locator('input[data-setting="kinds.gallery"]').focus();
  await o.keyboard.press('Space');
  await storedWhere((s) => s.kinds.gallery === false, 'gallery off by Space');
  await o.locator('input[data-setting="file_template"]').focus();
  await o.keyboard.press('End');
  await o.keyboard.type('x');
  await o.keyboard.press('Enter');
  await o.locator('#setting-file_template-error').waitFor();
  await o.keyboard.press('Backspace');
  await o.keyboard.press('Enter');
  await o.locator('input[data-setting="folder"]').focus();
  await o.keyboard.press('Control+A');
  await o.keyboard.type('Keyboard Folder');
  await o.keyboard.press('Enter');
  await storedWhere((s) => s.folder === 'Keyboard Folder', 'folder by keyboard');
  await o.locator('button[data-action="reset"]').focus();
  await o.keyboard.press('Enter');
  // The confirmation takes the focus (on Cancel, the safe choice).
  await o.waitForFunction(() => document.activeElement?.dataset.action === 'reset-cancel');
  await o.keyboard.press('Shift+Tab');
  await o.keyboard.press('Enter');
  await storedWhere((s) => s.folder === 'AliSavePro' && s.kinds.gallery, 'reset by keyboard');
  assert.deepEqual(options.errors, []);
  await o.close();
});

test('keyboard only: the popup is usable without a mouse', async () => {
  await setStored(undefined);
  const { product, popup } = await popupFor(ERA_D_PAGE);
  const p = popup.page;
  // Tab to the first tile's checkbox and toggle it with Space.
  for (let i = 0; i < 20; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate(() => document.activeElement?.matches('.tile input[type=checkbox]'))) break;
  }
  await p.keyboard.press('Space');
  assert.equal(await p.locator('button[data-action="download-selected"]').textContent(), 'Download 6 selected');
  // The preview button next to it opens the lightbox, which takes the focus;
  // arrows move, Escape closes and the focus returns to the tile shown last.
  await p.keyboard.press('Tab');
  await p.keyboard.press('Enter');
  await p.locator('[data-testid="caption"]').waitFor();
  await p.waitForFunction(() => document.activeElement?.closest('.lightbox') !== null);
  await p.keyboard.press('ArrowRight');
  await p.keyboard.press('Escape');
  assert.equal(await p.locator('[data-testid="caption"]').count(), 0);
  await p.waitForFunction(() => document.activeElement?.matches('button.zoom[data-index="1"]'));
  // Enter on the focused tile opens it again: the keyboard never gets lost.
  await p.keyboard.press('Enter');
  await p.locator('[data-testid="caption"]').waitFor();
  // Focus is on Close; Tab reaches Next, which Enter activates.
  await p.keyboard.press('Tab');
  await p.keyboard.press('Enter');
  await p.keyboard.press('Escape');
  await p.waitForFunction(() => document.activeElement?.matches('button.zoom[data-index="2"]'));
  await p.evaluate(() => localStorage.clear());
  assert.deepEqual(popup.errors, []);
  await p.close();
  await product.page.close();
});

test('the lightbox gives the original\'s size and reopens where it was when the popup closed', async () => {
  await setStored(undefined);
  const { product, popup } = await popupFor(ERA_D_PAGE);
  const p = popup.page;
  await p.locator('[data-testid="grid"] li.tile').nth(2).locator('button.zoom').click();
  await p.locator('[data-testid="dimensions"]').waitFor();
  const shown = await p.locator('.lightbox img').evaluate((img) => ({ src: img.getAttribute('src'), size: `${img.naturalWidth} × ${img.naturalHeight} px` }));
  assert.equal(await p.locator('[data-testid="dimensions"]').textContent(), shown.size);
  assert.match(shown.size, /^[1-9]\d* × [1-9]\d* px$/);
  const caption = await p.locator('[data-testid="caption"]').textContent();
  await p.close();
  // Reopened for the same product: the same item, the focus in the preview.
  const tab = await tabIdOf(ERA_D_PAGE);
  const again = await open(`${base}/popup.html?tab=${tab}`, { viewport: { width: 420, height: 640 } });
  const q = again.page;
  await q.locator('[data-testid="caption"]').waitFor();
  assert.equal(await q.locator('[data-testid="caption"]').textContent(), caption);
  assert.equal(await q.locator('.lightbox img').getAttribute('src'), shown.src);
  await q.waitForFunction(() => document.activeElement?.closest('.lightbox') !== null);
  // Closed: the next opening shows the grid.
  await q.keyboard.press('Escape');
  await q.close();
  const third = await open(`${base}/popup.html?tab=${tab}`, { viewport: { width: 420, height: 640 } });
  await third.page.locator('[data-testid="counts"]').waitFor();
  await third.page.locator('[data-testid="grid"] li.tile').first().waitFor();
  assert.equal(await third.page.locator('[data-testid="caption"]').count(), 0);
  for (const x of [popup, again, third]) assert.deepEqual(x.errors, []);
  await third.page.evaluate(() => localStorage.clear());
  await third.page.close();
  await product.page.close();
});

test('the preview size changes the tiles per row and is remembered', async () => {
  await setStored(undefined);
  const { product, popup } = await popupFor(ERA_D_PAGE);
  const p = popup.page;
  const perRow = () => p.locator('[data-testid="grid"] li.tile').evaluateAll((tiles) => tiles.filter((t) => t.offsetTop === tiles[0].offsetTop).length);
  assert.equal(await p.locator('button[data-grid-size="medium"]').getAttribute('aria-pressed'), 'true');
  assert.equal(await perRow(), 4);
  await p.locator('button[data-grid-size="large"]').click();
  assert.equal(await perRow(), 2);
  assert.equal(await p.locator('button[data-grid-size="large"]').getAttribute('aria-pressed'), 'true');
  await p.close();
  const tab = await tabIdOf(ERA_D_PAGE);
  const again = await open(`${base}/popup.html?tab=${tab}`, { viewport: { width: 420, height: 640 } });
  await again.page.locator('[data-testid="grid"] li.tile').first().waitFor();
  assert.equal(await again.page.locator('button[data-grid-size="large"]').getAttribute('aria-pressed'), 'true');
  await again.page.locator('button[data-grid-size="small"]').click();
  const small = await again.page.locator('[data-testid="grid"] li.tile').evaluateAll((tiles) => tiles.filter((t) => t.offsetTop === tiles[0].offsetTop).length);
  assert.equal(small, Math.min(6, await again.page.locator('[data-testid="grid"] li.tile').count()));
  for (const x of [popup, again]) assert.deepEqual(x.errors, []);
  await again.page.evaluate(() => localStorage.clear());
  await again.page.close();
  await product.page.close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`axe-core: no violations in the ${colorScheme} theme (popup on a product page, options, with messages shown)`, async () => {
    await setStored(undefined);
    const { product, popup } = await popupFor(ERA_D_PAGE, { colorScheme });
    const p = popup.page;
    assert.equal(await p.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), colorScheme === 'dark');
    await axe(p, `popup ${colorScheme}`);
    await p.locator('details.quick summary').click();
    await p.locator('input[data-setting="folder"]').fill('../x');
    await p.locator('input[data-setting="folder"]').press('Enter');
    await p.locator('.field [role="alert"]').waitFor();
    await axe(p, `popup ${colorScheme}, quick settings with an error`);
    await p.locator('[data-testid="grid"] li.tile').nth(3).locator('button.zoom').click();
    await p.locator('[data-testid="caption"]').waitFor();
    await axe(p, `popup ${colorScheme}, lightbox`);
    // Closed again: an open lightbox would be reopened by the next popup.
    await p.keyboard.press('Escape');
    await p.locator('[data-testid="caption"]').waitFor({ state: 'detached' });

    const empty = await open(`${base}/popup.html`, { colorScheme, viewport: { width: 420, height: 600 } });
    await empty.page.locator('[data-testid="tab-state"]', { hasText: 'Open a product page' }).waitFor();
    await axe(empty.page, `popup ${colorScheme}, not a product page`);

    const options = await optionsPage({ colorScheme });
    const o = options.page;
    await axe(o, `options ${colorScheme}`);
    await o.locator('details.placeholders summary').click();
    await o.locator('input[data-setting="folder_template"]').fill('{shop}-{n}');
    await o.locator('input[data-setting="folder_template"]').press('Enter');
    await o.locator('#setting-folder_template-error').waitFor();
    await o.locator('button[data-action="reset"]').click();
    await o.locator('input[data-action="import"]').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('nope') });
    await o.locator('[data-testid="backup-result"]').waitFor();
    await axe(o, `options ${colorScheme}, errors, placeholders and reset confirmation shown`);

    for (const x of [popup, empty, options]) assert.deepEqual(x.errors, [], x.page.url());
    for (const x of [p, empty.page, o, product.page]) await x.close();
  });
}

/** Chromium with the extension, its UI in `lang` (Linux reads the language from the environment). */
async function launchIn(lang, initScript) {
  const profile = mkdtempSync(join(tmpdir(), `alisave-${lang}-`));
  mkdirSync(join(profile, 'Default'), { recursive: true });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: process.env.HEADLESS !== '0',
    args: [...chromiumArgs(shop.port), `--lang=${lang}`],
    env: { ...process.env, LANGUAGE: lang, LANG: `${lang}.UTF-8`, LC_ALL: '' },
  });
  if (initScript) await ctx.addInitScript(initScript.fn, initScript.arg);
  let [sw] = ctx.serviceWorkers();
  if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 30000 });
  return { ctx, sw, id: new URL(sw.url()).host, close: async () => { await ctx.close(); rmSync(profile, { recursive: true, force: true }); } };
}

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Chromium's own translation of its UI (Debian: chromium-l10n); without it every UI language is en-US. */
function chromiumHasLocale(lang) {
  if (process.env.ALISAVE_EMULATE_I18N === '1') return lang === 'en';
  const dir = '/usr/lib/chromium/locales';
  return lang === 'en' || [lang, `${lang}-BR`, `${lang}-PT`].some((l) => existsSync(join(dir, `${l}.pak`)));
}

/**
 * Stand-in for chrome.i18n when Chromium lacks the language: the same lookup
 * (named placeholders filled from $1…$9) over that locale's messages.json.
 */
function emulateI18n({ lang, messages }) {
  const get = (name, subs) => {
    const m = messages[name];
    if (!m) return '';
    const args = subs === undefined ? [] : [].concat(subs).map(String);
    const ph = Object.fromEntries(Object.entries(m.placeholders || {}).map(([k, v]) =>
      [k.toLowerCase(), v.content.replace(/\$(\d)/g, (_, d) => args[d - 1] ?? '')]));
    return m.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_, n) => ph[n.toLowerCase()] ?? '').replace(/\$\$/g, '$');
  };
  if (globalThis.chrome?.i18n) {
    chrome.i18n.getMessage = get;
    chrome.i18n.getUILanguage = () => lang;
  }
}

test('every locale renders its own text, without missing messages', async (t) => {
  const en = JSON.parse(readFileSync(join(dist, '_locales/en/messages.json'), 'utf8'));
  for (const lang of LOCALES) {
    const messages = JSON.parse(readFileSync(join(dist, '_locales', lang, 'messages.json'), 'utf8'));
    const real = chromiumHasLocale(lang);
    if (!real) t.diagnostic(`${lang}: Chromium has no ${lang} UI (install chromium-l10n); chrome.i18n is emulated over _locales/${lang}`);
    const b = await launchIn(lang, real ? null : { fn: emulateI18n, arg: { lang, messages } });
    try {
      const page = await b.ctx.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`chrome-extension://${b.id}/options.html`);
      await page.locator('[data-testid="preview"]').waitFor();
      // The browser really runs in that language, and so do the pages.
      assert.equal(await page.evaluate(() => chrome.i18n.getUILanguage().slice(0, 2)), lang);
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      assert.equal(await page.locator('h1').textContent(), messages.options_title.message);
      assert.equal(await page.title(), messages.options_title.message);
      assert.equal(await page.locator('label[for="setting-folder_template"]').textContent(), messages.folder_template_label.message);
      assert.equal(await page.locator('#setting-image_size option[value="640"]').textContent(), messages.size_px.message.replace('$SIZE$', '640'));
      // Every message resolves in this locale, to this locale's text.
      const resolved = await page.evaluate((keys) => Object.fromEntries(keys.map((k) => [k, chrome.i18n.getMessage(k, ['1', '2', '3'])])), Object.keys(en));
      assert.deepEqual(Object.keys(resolved).filter((k) => !resolved[k]), [], `${lang}: messages that do not resolve`);
      assert.equal(resolved.options_title, messages.options_title.message);
      // A count in its plural form (`count_variant_one`…; see core::say, "Counts").
      assert.equal(resolved.count_variant_one, messages.count_variant_one.message.replace('$COUNT$', '1'));
      // The popup too (no product tab: the supported-sites text).
      await page.goto(`chrome-extension://${b.id}/popup.html`);
      await page.locator('[data-testid="tab-state"]').waitFor();
      assert.equal(await page.locator('[data-testid="tab-state"] p').textContent(), messages.empty_intro.message);
      assert.equal(await page.locator('details.quick summary').textContent(), messages.quick_settings.message);
      if (real) {
        // The manifest's description comes from the catalogue.
        const manifest = await b.sw.evaluate(() => chrome.runtime.getManifest());
        assert.equal(manifest.description, messages.ext_description.message);
      }
      assert.deepEqual(errors, [], `${lang}: console errors`);
      if (lang !== 'en') assert.notEqual(messages.options_title.message, en.options_title.message);
    } finally {
      await b.close();
    }
  }
});

test('the settings pages keep the popup test hooks and load no remote resources', async () => {
  const requests = [];
  const popup = await open(`${base}/popup.html`);
  popup.page.on('request', (r) => requests.push(r.url()));
  await popup.page.reload();
  await popup.page.locator('[data-testid="tab-state"]').waitFor();
  await popup.page.locator('details.quick summary').click();
  await popup.page.locator('[data-testid="folder"]').waitFor();
  await popup.page.locator('[data-testid="name-sample"]').waitFor();
  assert.deepEqual(requests.filter((u) => !u.startsWith(`${base}/`)), []);
  assert.ok(listFiles(join(repoRoot, 'dist/_locales')).length === LOCALES.length);
  assert.deepEqual(popup.errors, []);
  await popup.page.close();
});
