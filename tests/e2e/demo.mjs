// The main job, end to end: the built extension in headless Chromium opens the
// bundled sample product page under its real hostname, the in-page button is
// clicked, and the product's media land in OUT_DIR. Prints what was saved
// (each picture with its pixel size).
// Run through `cargo xtask demo [OUT_DIR]` (which builds dist/ first).
import { resolve, join } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { startShop, pixelSize } from './lib/shop.mjs';
import { launch, waitForFiles, clickSave } from './lib/browser.mjs';

const out = resolve(process.argv[2] || 'demo-output');
const pageUrl = 'https://es.aliexpress.com/item/1005004787627817.html';
rmSync(out, { recursive: true, force: true });

const shop = await startShop();
const browser = await launch({ port: shop.port, downloadDir: out });
let exitCode = 0;
try {
  const page = await browser.ctx.newPage();
  console.log(`Opening ${pageUrl} (bundled sample page, served locally under its real hostname)`);
  await page.goto(pageUrl);
  const outcome = await clickSave(page);
  console.log(`The button says: ${outcome.text}`);
  if (outcome.started === 0) throw new Error('nothing was saved');
  // The media, then the product manifest written after them (on by default).
  await waitForFiles(out, outcome.started);
  const files = await waitForFiles(out, outcome.started + 2, 15000, { all: true });
  let total = 0;
  console.log(`\nSaved ${files.length} files to ${join(out, outcome.folder)}:`);
  for (const f of files) {
    const bytes = readFileSync(join(out, f));
    total += bytes.length;
    // Pictures with their pixel size (read from the PNG/JPEG header).
    const px = pixelSize(bytes);
    const what = px ? `${px.width}×${px.height} ${px.type.toUpperCase()}` : '';
    console.log(`  ${f.slice(outcome.folder.length + 1).padEnd(40)} ${what.padEnd(15)} ${String(bytes.length).padStart(7)} bytes`);
  }
  console.log(`Total ${total} bytes. product.json/product.csv describe each file (docs/product-manifest.md).`);
} catch (e) {
  console.error(`Demo failed: ${e.message}`);
  exitCode = 1;
} finally {
  await browser.close();
  await shop.close();
}
process.exit(exitCode);
