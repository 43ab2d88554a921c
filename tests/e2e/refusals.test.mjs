// When the shop refuses the product API re-read (a captcha / "punish" answer, an
// expired token), the save uses what the page itself shows, tells the user what
// could not be read, and does not ask the shop again in that page view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, mediaBytes, embeddedUrl, ERA_D } from './lib/shop.mjs';
import { launch, listFiles, clickSave, finalReport } from './lib/browser.mjs';

let shop, browser, downloads;

before(async () => {
  shop = await startShop();
  downloads = mkdtempSync(join(tmpdir(), 'alisave-refusals-'));
  browser = await launch({ port: shop.port, downloadDir: downloads });
});

after(async () => {
  await browser?.close();
  await shop?.close();
  rmSync(downloads, { recursive: true, force: true });
});

const MTOP_PATH = 'acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/';
const english = JSON.parse(readFileSync(new URL('../../static/_locales/en/messages.json', import.meta.url), 'utf8'));
/** The English sentence of `key` with its placeholders filled in order. */
function sentence(key, ...args) {
  const { message, placeholders = {} } = english[key];
  return message.replace(/\$([A-Z_]+)\$/g, (_, name) => {
    const n = Number(placeholders[name.toLowerCase()].content.slice(1));
    return args[n - 1];
  });
}

const REFUSALS = [
  {
    name: 'a captcha ("punish") answer',
    body: (cb) => `${cb}(${JSON.stringify({ api: 'mtop.aliexpress.pdp.pc.query', v: '1.0', ret: ['FAIL_SYS_USER_VALIDATE', 'RGV587_ERROR::SM::哎哟喂,被挤爆啦,请稍后重试'], data: { url: 'https://acs.aliexpress.com/_____tmd_____/punish?x5secdata=xyz&x5step=1' } })})`,
    why: 'api_captcha',
  },
  {
    name: 'an expired token',
    body: (cb) => `${cb}(${JSON.stringify({ api: 'mtop.aliexpress.pdp.pc.query', v: '1.0', ret: ['FAIL_SYS_TOKEN_EXOIRED::令牌过期'], data: {} })})`,
    why: 'api_expired',
  },
];

for (const refusal of REFUSALS) {
  test(`the product API re-read answers with ${refusal.name}: the page's own media are saved, the report says why, and the shop is not asked again`, { timeout: 120000 }, async () => {
    // The page's own request gets the real data; every later request (ours) the refusal.
    let calls = 0;
    shop.setOverride(MTOP_PATH, (req, res) => {
      calls += 1;
      const cb = new URL(req.url, 'https://x').searchParams.get('callback') || 'mtopjsonp1';
      res.writeHead(200, { 'content-type': 'application/javascript', 'cache-control': 'no-store' });
      if (calls === 1) {
        // As the test shop answers it by default: the product's data.
        return fetchDefault(res, cb);
      }
      res.end(refusal.body(cb));
    });
    const page = await browser.ctx.newPage();
    try {
      await page.goto(`https://www.aliexpress.com/item/${ERA_D.id}.html`);
      await page.waitForFunction(() => document.documentElement.dataset.mtop);
      const folder = `AliSavePro/aliexpress-${ERA_D.id}`;
      const outcome = await clickSave(page);
      assert.equal(outcome.failed, 0, outcome.text);
      assert.equal(outcome.folder, folder);
      const report = await finalReport(page);
      const why = sentence('warn_api_refused', sentence(refusal.why));
      assert.ok(report.text.includes(why), `the report says why: ${report.text}`);
      // What the page shows: the first gallery image and the description; nothing
      // that only the API names (the other gallery images, the variants).
      const files = listFiles(join(downloads, folder));
      const urls = files.map((f) => embeddedUrl(readFileSync(join(downloads, folder, f)))).filter(Boolean);
      for (const u of urls) {
        const { host, pathname } = new URL(u);
        assert.deepEqual(readFileSync(join(downloads, folder, files[urls.indexOf(u)])), mediaBytes(host, pathname), `${u} is the original`);
      }
      assert.ok(urls.includes(ERA_D.gallery[0]), `the page's gallery image: ${urls}`);
      for (const d of ERA_D.description) assert.ok(urls.includes(d), `description ${d}: ${urls}`);
      for (const u of [...ERA_D.gallery.slice(1), ...ERA_D.variants.map(([v]) => v)]) {
        assert.ok(!urls.includes(u), `${u} is only in the API data`);
      }
      assert.equal(calls, 2, 'the page once, the extension once');
      // A second save of the same page view does not ask the shop again.
      await clickSave(page);
      await finalReport(page);
      assert.equal(calls, 2, 'the refused answer is not asked for again in this page view');
    } finally {
      shop.setOverride(MTOP_PATH, null);
      await page.close();
      rmSync(join(downloads, 'AliSavePro'), { recursive: true, force: true });
    }
  });
}

/** The shop's normal answer for ERA_D (its page's own data). */
async function fetchDefault(res, cb) {
  const { mtopBody } = await import('./lib/shop.mjs');
  res.end(mtopBody(ERA_D, cb));
}
