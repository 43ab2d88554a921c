// Launches Debian's Chromium with the built extension (dist/) loaded, the local
// shop behind the real hostnames, and downloads going to a known folder with
// Chrome's real chrome.downloads semantics (sub-folders, uniquify).
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, statSync, existsSync, rmSync } from 'node:fs';
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

export async function launch({ port, downloadDir }) {
  if (!existsSync(join(dist, 'manifest.json'))) throw new Error('dist/ is not built: run cargo xtask build');
  const profile = mkdtempSync(join(tmpdir(), 'alisave-profile-'));
  mkdirSync(join(profile, 'Default'), { recursive: true });
  mkdirSync(downloadDir, { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({
    download: { default_directory: downloadDir, prompt_for_download: false, directory_upgrade: true },
    savefile: { default_directory: downloadDir },
  }));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: process.env.HEADLESS !== '0',
    args: chromiumArgs(port),
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
    /** The current service worker (a new one after the old was stopped). */
    async worker() {
      const [w] = ctx.serviceWorkers();
      return w || ctx.waitForEvent('serviceworker');
    },
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** All finished files below `dir`, as relative paths. */
export function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      let st;
      try { st = statSync(p); } catch { continue; } // renamed meanwhile (a .crdownload finishing)
      if (st.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Waits until `count` finished files are below `dir` and nothing is in progress. */
export async function waitForFiles(dir, count, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  let files = [];
  while (Date.now() < end) {
    files = listFiles(dir);
    const partial = files.filter((f) => f.endsWith('.crdownload'));
    if (partial.length === 0 && files.length >= count) {
      await new Promise((r) => setTimeout(r, 300));
      const again = listFiles(dir);
      if (again.length === files.length) return again;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} files in ${dir}, found ${files.length}: ${files.join(', ')}`);
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
