// Launches Debian's Chromium with the built extension (dist/) loaded, the local
// shop behind the real hostnames, and downloads going to a known folder with
// Chrome's real chrome.downloads semantics (sub-folders, uniquify).
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { hostResolverRules, repoRoot } from './shop.mjs';

export const dist = resolve(repoRoot, 'dist');

/** Flags every launch uses (see docs in ARCHITECTURE.md, "End-to-end harness"). */
export function chromiumArgs(port) {
  return [
    `--disable-extensions-except=${dist}`,
    `--load-extension=${dist}`,
    `--host-resolver-rules=${hostResolverRules(port)}`,
    '--ignore-certificate-errors',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-features=MediaRouter,OptimizationHints',
  ];
}

/**
 * Records in the profile that the user said yes to the extension's optional host
 * permissions `origins` (what Chrome writes when the user accepts the prompt that
 * chrome.permissions.request shows; headless Chromium cannot show that prompt).
 * The profile must have run the extension once (Chrome created its entry).
 */
function grantInProfile(profile, extensionId, origins) {
  const path = join(profile, 'Default', 'Preferences');
  const prefs = JSON.parse(readFileSync(path, 'utf8'));
  const entry = prefs.extensions?.settings?.[extensionId];
  if (!entry) throw new Error(`no extension entry for ${extensionId} in the profile`);
  for (const key of ['granted_permissions', 'active_permissions']) {
    const set = entry[key] || (entry[key] = {});
    set.explicit_host = [...new Set([...(set.explicit_host || []), ...origins])];
  }
  writeFileSync(path, JSON.stringify(prefs));
}

/**
 * Launches Chromium with the extension. `grant`: optional host permissions the
 * user has accepted before (ZIP/conversion tests); costs one extra start.
 * `backForwardCache`: keep Chrome's back/forward cache on (Playwright turns it
 * off by default).
 */
export async function launch({ port, downloadDir, grant = null, extraArgs = [], backForwardCache = false, profile: reuse = null }) {
  if (!existsSync(join(dist, 'manifest.json'))) throw new Error('dist/ is not built: run cargo xtask build');
  // `profile`: a profile a closed browser left (`close({ keep: true })`): the
  // same browser started again.
  const profile = reuse || mkdtempSync(join(tmpdir(), 'alisave-profile-'));
  mkdirSync(join(profile, 'Default'), { recursive: true });
  mkdirSync(downloadDir, { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({
    download: { default_directory: downloadDir, prompt_for_download: false, directory_upgrade: true },
    savefile: { default_directory: downloadDir },
  }));
  if (grant) {
    const first = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: process.env.HEADLESS !== '0',
      args: chromiumArgs(port),
    });
    let [w] = first.serviceWorkers();
    if (!w) w = await first.waitForEvent('serviceworker', { timeout: 30000 });
    const id = new URL(w.url()).host;
    await first.close();
    grantInProfile(profile, id, grant);
  }
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: process.env.HEADLESS !== '0',
    args: [...chromiumArgs(port), ...extraArgs],
    ...(backForwardCache ? { ignoreDefaultArgs: ['--disable-back-forward-cache'] } : {}),
    acceptDownloads: true,
  });
  let [sw] = ctx.serviceWorkers();
  if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 30000 });
  const extensionId = new URL(sw.url()).host;
  await sw.evaluate(() => self.alisaveReady.then(() => true));
  const first = ctx.pages()[0] || (await ctx.newPage());
  const cdp = await ctx.newCDPSession(first);
  // Undo Playwright's download redirection: real chrome.downloads semantics.
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'default' });
  return {
    ctx,
    extensionId,
    profile,
    /** The current service worker (a new one after the old was stopped). */
    async worker() {
      const [w] = ctx.serviceWorkers();
      return w || ctx.waitForEvent('serviceworker');
    },
    async close({ keep = false } = {}) {
      await ctx.close();
      if (!keep) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The product manifest files written next to the media (on by default). */
export const MANIFEST_FILES = ['product.json', 'product.csv'];

/**
 * All finished files below `dir`, as relative paths. The product manifest
 * (product.json/csv, written after the media) is left out unless `all`:
 * media-focused tests count media; tests of the manifest ask for it.
 */
export function listFiles(dir, { all = false } = {}) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      let st;
      try { st = statSync(p); } catch { continue; } // renamed meanwhile (a .crdownload finishing)
      if (st.isDirectory()) walk(p);
      else if (all || !MANIFEST_FILES.includes(name)) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Waits until `count` finished files are below `dir` and nothing is in progress. */
export async function waitForFiles(dir, count, timeoutMs = 30000, { all = false } = {}) {
  const end = Date.now() + timeoutMs;
  let files = [];
  while (Date.now() < end) {
    files = listFiles(dir, { all });
    const partial = files.filter((f) => f.endsWith('.crdownload'));
    if (partial.length === 0 && files.length >= count) {
      await new Promise((r) => setTimeout(r, 300));
      const again = listFiles(dir, { all });
      if (again.length === files.length) return again;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} files in ${dir}, found ${files.length}: ${files.join(', ')}`);
}

/**
 * Waits until Chrome reports a download whose path ends with `suffix` as complete
 * (`sw`: the extension's service worker). Chrome may reserve the target name with an
 * empty file while the bytes are still written, so a file's mere existence is not
 * the condition; the download's own state is. Returns its full path.
 */
export async function waitForCompleteDownload(sw, suffix, timeoutMs = 30000) {
  const path = await sw.evaluate(({ suffix, timeoutMs }) => new Promise((resolve) => {
    const done = (d) => d.state === 'complete' && d.filename.endsWith(suffix);
    const check = () => chrome.downloads.search({ state: 'complete' }).then((all) => all.find(done)?.filename ?? null);
    const on = () => check().then((f) => { if (f) finish(f); });
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (f) => { clearTimeout(timer); chrome.downloads.onChanged.removeListener(on); resolve(f); };
    chrome.downloads.onChanged.addListener(on);
    on();
  }), { suffix, timeoutMs });
  if (!path) throw new Error(`no complete download ending with ${suffix} within ${timeoutMs} ms`);
  return path;
}

/** The shadow-root button of a page (null when absent). */
export function buttonHandle(page) {
  return page.evaluateHandle(() => document.getElementById('alisave-root')?.shadowRoot
    ?.querySelector('button[data-alisave-action="download-all"]') ?? null);
}

/** Clicks the in-page button (a real mouse click) and returns the outcome it shows. */
export async function clickSave(page) {
  const button = page.locator('#alisave-root button[data-alisave-action="download-all"]');
  await button.waitFor({ timeout: 15000 });
  await page.evaluate(() => document.getElementById('alisave-root').shadowRoot
    .querySelector('[data-alisave-status]').removeAttribute('data-alisave-started'));
  await button.click();
  const status = page.locator('#alisave-root [data-alisave-status][data-alisave-started]');
  await status.waitFor({ state: 'attached', timeout: 30000 });
  return {
    text: await status.textContent(),
    started: Number(await status.getAttribute('data-alisave-started')),
    failed: Number(await status.getAttribute('data-alisave-failed')),
    folder: await status.getAttribute('data-alisave-folder'),
  };
}

/** Waits for the page's final report (after every download ended) and reads it. */
export async function finalReport(page, timeout = 60000) {
  const status = page.locator('#alisave-root [data-alisave-status][data-alisave-finished="true"]');
  await status.waitFor({ state: 'attached', timeout });
  return {
    text: await status.textContent(),
    done: Number(await status.getAttribute('data-alisave-done')),
    failed: Number(await status.getAttribute('data-alisave-failed-final')),
    label: await page.locator('#alisave-root button[data-alisave-action="download-all"]').textContent(),
  };
}

/** Changes some stored settings (`patch`: fields of the stored form), keeping the others. */
export async function setSettings(browser, patch) {
  const sw = await browser.worker();
  await sw.evaluate(async (p) => {
    const { settings } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...(settings || { schema_version: 3 }), ...p } });
  }, patch);
}

/** Sets the download folder, keeping the other stored settings. */
export function setFolder(browser, folder) {
  return setSettings(browser, { folder });
}
