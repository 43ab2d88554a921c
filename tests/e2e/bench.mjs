// Benchmark (recorded, never asserted): page load -> button, artefact sizes, and
// the build times measured by `cargo xtask bench`. Writes BENCHMARKS.md.
// Timings are medians of repeated runs, each shown with a baseline measured in
// the same run, because machines are noisy.
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startShop, repoRoot } from './lib/shop.mjs';
import { launch, dist } from './lib/browser.mjs';

const LOADS = Number(process.env.BENCH_LOADS || 15);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x, d = 1) => x.toFixed(d);

async function loadToButton(browser, url) {
  const page = await browser.ctx.newPage();
  // Runs in the page before its scripts: notes when the extension's host element appears.
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.getElementById('alisave-root')) { window.__alisaveButtonAt = performance.now(); obs.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
  });
  const samples = [];
  for (let i = 0; i < LOADS; i++) {
    await page.goto(url);
    await page.waitForFunction(() => window.__alisaveButtonAt !== undefined, null, { timeout: 15000 });
    samples.push(await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { dcl: nav.domContentLoadedEventEnd, button: window.__alisaveButtonAt };
    }));
  }
  await page.close();
  return {
    dcl: median(samples.map((s) => s.dcl)),
    toButton: median(samples.map((s) => s.button - s.dcl)),
    min: Math.min(...samples.map((s) => s.button - s.dcl)),
    max: Math.max(...samples.map((s) => s.button - s.dcl)),
  };
}

function sizes() {
  const rows = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(wasm|js)$/.test(n)) {
        const raw = readFileSync(p);
        rows.push({ file: relative(dist, p), raw: raw.length, gz: gzipSync(raw, { level: 9 }).length });
      }
    }
  };
  walk(dist);
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}

const shop = await startShop();
const downloads = mkdtempSync(join(tmpdir(), 'alisave-bench-'));
const browser = await launch({ port: shop.port, downloadDir: downloads });
let pages;
try {
  pages = [
    ['AliExpress, real Era B data, no page CSP', 'https://es.aliexpress.com/item/1005004787627817.html'],
    ["AliExpress, same page, CSP `script-src 'self'`", 'https://www.aliexpress.com/item/1005004787627817.html'],
    ['Alibaba, synthetic detailData page', 'https://www.alibaba.com/product-detail/Synthetic-Water-Bottle_1600000000001.html'],
  ];
  for (const p of pages) p.push(await loadToButton(browser, p[1]));
} finally {
  await browser.close();
  await shop.close();
  rmSync(downloads, { recursive: true, force: true });
}

const chromiumVersion = (() => { try { return execFileSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium', ['--version'], { stderr: 'ignore' }).toString().trim(); } catch { return 'unknown'; } })();
const size = sizes();
const env = (k) => (process.env[k] ? Number(process.env[k]) : null);
const cold = env('BENCH_BUILD_COLD_S'); const warm = env('BENCH_BUILD_WARM_S'); const inc = env('BENCH_BUILD_INCREMENTAL_S');

let md = `# Benchmarks

Recorded by \`cargo xtask bench\`, never asserted by tests. One run, one machine; every
timing is shown beside a baseline measured in the same run, so compare the ratios
between runs rather than the milliseconds.

- Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${chromiumVersion}, headless.

## Page load → button

Median of ${LOADS} loads per page. Baseline: the page's own navigation start → DOMContentLoaded
in the same loads. "→ button" is DOMContentLoaded → the extension's \`#alisave-root\` in the DOM
(the content script runs at \`document_idle\`, so this includes Chrome's scheduling of it).

| page | baseline: nav → DCL (ms) | DCL → button (ms), median [min–max] | ratio to baseline |
|---|---:|---:|---:|
`;
for (const [name, , r] of pages) {
  md += `| ${name} | ${fmt(r.dcl)} | ${fmt(r.toButton)} [${fmt(r.min)}–${fmt(r.max)}] | ${fmt(r.toButton / r.dcl, 2)} |\n`;
}
md += `
## Artefact sizes (dist/)

Bytes; gzip -9. Baseline for the ratio: the file's own raw size.

| file | raw | gzip | gzip / raw |
|---|---:|---:|---:|
`;
for (const r of size) md += `| ${r.file} | ${r.raw} | ${r.gz} | ${fmt(r.gz / r.raw, 2)} |\n`;
const tot = size.reduce((a, r) => ({ raw: a.raw + r.raw, gz: a.gz + r.gz }), { raw: 0, gz: 0 });
md += `| **all code** | ${tot.raw} | ${tot.gz} | ${fmt(tot.gz / tot.raw, 2)} |\n`;
if (cold !== null) {
  md += `
## Build times (\`cargo xtask build\`, tools already installed)

Baseline: the warm build (nothing changed) in the same run; it is dominated by the
fixed cost of wasm-opt/wasm2js (binaryen compiled to wasm, run by node) and trunk.

| build | seconds | ratio to warm |
|---|---:|---:|
| cold (empty target directory, crates already downloaded) | ${fmt(cold)} | ${fmt(cold / warm, 2)} |
| incremental (content/src/lib.rs touched) | ${fmt(inc)} | ${fmt(inc / warm, 2)} |
| warm (nothing changed) — baseline | ${fmt(warm)} | 1.00 |
`;
}
writeFileSync(join(repoRoot, 'BENCHMARKS.md'), md);
console.log(md);
