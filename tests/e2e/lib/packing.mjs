// Helpers of the tests that save from bytes (ZIP, conversion: the saver page).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { mediaBytes, embeddedUrl } from './shop.mjs';

/** The optional host access ZIP and conversion need (core::media::CDN_ORIGINS). */
export const CDN_ORIGINS = [
  'https://*.alicdn.com/*',
  'https://*.aliexpress-media.com/*',
  'https://cloud.video.taobao.com/*',
];

/** Stores settings (the given fields, defaults for the rest). */
export async function setSettings(b, patch) {
  const sw = await b.worker();
  await sw.evaluate(async (p) => {
    await chrome.storage.local.set({ settings: { schema_version: 3, ...p } });
  }, patch);
}

/** Pages of the saver (extension page) open in the browser. */
export const saverPages = (b) => b.ctx.pages().filter((p) => p.url().includes('/saver.html'));

/** The entries of a ZIP file, read back with JSZip (an independent implementation). */
export async function readZip(path) {
  // checkCRC32: every entry's CRC in the archive must match its bytes.
  const zip = await JSZip.loadAsync(readFileSync(path), { checkCRC32: true });
  const out = {};
  for (const [name, entry] of Object.entries(zip.files)) {
    if (!entry.dir) out[name] = Buffer.from(await entry.async('uint8array'));
  }
  return out;
}

/** Asserts that `bytes` are exactly what the shop serves for the URL they name; returns it. */
export function expectOriginal(name, bytes) {
  const u = new URL(embeddedUrl(bytes));
  assert.deepEqual(bytes, mediaBytes(u.host, u.pathname), `${name} is not byte-identical to ${u}`);
  return u.href;
}
