// Benchmark (recorded, never asserted), issue #14: 20 products saved through the
// queue page (pause 0) against the same 20 saved one by one from their pages
// (open the page, press its button, wait for the final report, close the tab),
// in the same browser and run, alternating, 3 rounds each. Replaces (or adds) its
// own section of BENCHMARKS.md; `cargo xtask bench` runs it after bench.mjs.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { startShop, repoRoot, syntheticEraC, syntheticEraCPages } from './lib/shop.mjs';
import { launch, waitForFiles } from './lib/browser.mjs';

const N = 20;
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS || 3);
const GOAL = 1.2;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const products = Array.from({ length: N }, (_, i) => syntheticEraC(i + 1));
const shop = await startShop({ extraPages: syntheticEraCPages(N) });
const downloads = mkdtempSync(join(tmpdir(), 'alisave-bench-queue-'));
const browser = await launch({ port: shop.port, downloadDir: downloads });
const base = `chrome-extension://${browser.extensionId}`;

// Playwright's own waits poll at growing intervals (up to 500 ms), so 20 of them
// in the one-by-one arm would measure the polling, not the saving: these waits
// check the page at every frame, in both arms.
const frameWait = (page, fn) => page.waitForFunction(fn, null, { polling: 'raf', timeout: 300000 });

async function folder(name) {
  const sw = await browser.worker();
  await sw.evaluate(async (f) => {
    const { settings } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...(settings || { schema_version: 3 }), folder: f, product_manifest: false } });
    await chrome.storage.local.remove('queue');
  }, name);
}

async function oneByOne(round) {
  const name = `one-by-one-${round}`;
  await folder(name);
  const t0 = performance.now();
  for (const p of products) {
    const page = await browser.ctx.newPage();
    await page.goto(p.url);
    await frameWait(page, () => document.getElementById('alisave-root')?.shadowRoot
      ?.querySelector('button[data-alisave-action="download-all"]'));
    // A real click (the button ignores clicks a page script makes).
    await page.locator('#alisave-root button[data-alisave-action="download-all"]').click();
    const status = await frameWait(page, () => document.getElementById('alisave-root').shadowRoot
      .querySelector('[data-alisave-status][data-alisave-finished="true"]'));
    const failed = Number(await status.evaluate((e) => e.getAttribute('data-alisave-failed-final')));
    if (failed) throw new Error(`${p.id}: ${await status.evaluate((e) => e.textContent)}`);
    await page.close();
  }
  await waitForFiles(join(downloads, name), N * 3, 60000);
  return performance.now() - t0;
}

async function queued(round) {
  const name = `queue-${round}`;
  await folder(name);
  const page = await browser.ctx.newPage();
  await page.goto(`${base}/queue.html`);
  await page.locator('textarea[data-alisave-field="links"]').fill(products.map((p) => p.url).join('\n'));
  await page.locator('input[data-alisave-field="pause"]').fill('0');
  await page.locator('input[data-alisave-field="pause"]').dispatchEvent('change');
  const t0 = performance.now();
  await page.locator('button[data-alisave-action="start-queue"]').click();
  await frameWait(page, () => document.querySelector('[data-alisave-queue="ended"]'));
  // products.csv/json are written at the end, next to the product folders.
  await waitForFiles(join(downloads, name), N * 3 + 2, 60000);
  const t = performance.now() - t0;
  const failed = await page.locator('[data-alisave-queue-item]:not([data-state="done"])').count();
  if (failed) throw new Error(`${failed} products not done`);
  await page.close();
  return t;
}

const single = [];
const queue = [];
try {
  await oneByOne('warm-up');
  for (let r = 0; r < ROUNDS; r++) {
    single.push(await oneByOne(r));
    queue.push(await queued(r));
  }
} finally {
  await browser.close();
  await shop.close();
  rmSync(downloads, { recursive: true, force: true });
}

const s = median(single);
const q = median(queue);
const ratio = q / s;
const row = (label, xs, m) => `| ${label} | ${m.toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(', ')} | ${(m / s).toFixed(2)} |`;
const section = `## Many products: the queue against one by one

${N} products (synthetic Era C pages of the local shop, 3 images each) saved into their own
folders. *Baseline*: the same ${N} saved one by one from their pages in the same browser and
run — open the page, press its button, wait for its final report, close the tab (a person
would be slower). *Queue*: the list pasted into the queue page, pause 0, from "Start" to
the queue's end with every file and \`products.csv\`/\`.json\` on disk. Both arms wait by checking
the page at every frame (Playwright's own waits poll at up to 500 ms, which the 20 waits of
the baseline would add up). Median of ${ROUNDS}
rounds each, alternating, after one uncounted baseline round. Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores.

| how | median (ms) | each round (ms) | ratio to baseline |
|---|---:|---|---:|
${row('one by one from their pages — baseline', single, s)}
${row('the queue page, pause 0 (at most two tabs at once)', queue, q)}

Goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×).
`;
const file = join(repoRoot, 'BENCHMARKS.md');
let md = readFileSync(file, 'utf8');
const block = `<!-- queue:start -->\n${section}<!-- queue:end -->\n`;
const marked = /<!-- queue:start -->[\s\S]*<!-- queue:end -->\n?/;
md = marked.test(md) ? md.replace(marked, block) : `${md.trimEnd()}\n\n${block}`;
writeFileSync(file, md);
console.log(section);
