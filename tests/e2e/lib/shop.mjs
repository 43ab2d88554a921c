// A local HTTPS server that plays the shops and their CDNs for the end-to-end
// tests and the demo. Chromium maps every shop/CDN hostname to it with
// --host-resolver-rules, so pages load under their real hostnames.
//
// Images are generated: a small PNG whose colour and embedded tEXt chunk
// ("alisave-url") come from the requested host+path. A thumbnail URL and its
// original therefore return different bytes, and a saved file tells which URL
// it was downloaded from.
import { createServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const pagesDir = resolve(here, '../pages');
/** The shared real fixtures, beside the repository (present in CI and dev checkouts). */
export const realFixtures = resolve(repoRoot, '../shared/fixtures/real');

/** Hosts that play image/video CDNs. */
export const CDN_HOSTS = [
  'ae01.alicdn.com', 'ae02.alicdn.com', 'ae03.alicdn.com', 'ae04.alicdn.com',
  'ae-pic-a1.aliexpress-media.com', 'sc01.alicdn.com', 'sc02.alicdn.com', 'sc04.alicdn.com',
  's.alicdn.com', 'img.alicdn.com', 'video.aliexpress-media.com', 'cloud.video.taobao.com',
  'cloud.video.alibaba.com',
];

/** Host resolver rules: every shop and CDN host to the local server, everything else nowhere. */
export function hostResolverRules(port) {
  const mapped = ['*.aliexpress.com', '*.aliexpress.us', 'aliexpress.ru', '*.aliexpress.ru',
    '*.alibaba.com', '*.alicdn.com', '*.aliexpress-media.com', '*.taobao.com'];
  return [...mapped.map((h) => `MAP ${h} 127.0.0.1:${port}`), 'MAP * ~NOTFOUND'].join(',');
}

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** The exact bytes the server answers for a CDN URL (host + path, query ignored). */
export function mediaBytes(host, path) {
  const id = `${host}${path}`;
  if (/\.mp4$/i.test(path)) {
    // Not a playable video; an identifiable stand-in of the right kind.
    return Buffer.concat([Buffer.from('\0\0\0\x18ftypmp42\0\0\0\0mp42isom', 'latin1'), Buffer.from(`alisave-url:${id}`)]);
  }
  const h = createHash('sha256').update(id).digest();
  const thumb = /_\d+x\d+|_Q\d+|\.(jpe?g|png|webp)_/i.test(path);
  const size = thumb ? 16 : 64;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const row = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x++) row.set([h[0], h[1], (h[2] + x * 3) & 0xff], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`alisave-url\0${id}`, 'latin1')),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The URL embedded in a file the server produced (or null). */
export function embeddedUrl(bytes) {
  const mp4 = bytes.indexOf('alisave-url:');
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp' && mp4 >= 0) {
    return `https://${bytes.subarray(mp4 + 12).toString('latin1')}`;
  }
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x89504e47) return null;
  for (let at = 8; at + 8 <= bytes.length;) {
    const len = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    const data = bytes.subarray(at + 8, at + 8 + len);
    if (type === 'tEXt') {
      const [key, value] = data.toString('latin1').split('\0');
      if (key === 'alisave-url') return `https://${value}`;
    }
    at += 12 + len;
  }
  return null;
}

function mimeOf(path) {
  const ext = (path.match(/\.(\w+)$/) || [])[1]?.toLowerCase();
  return { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' }[ext] || 'application/octet-stream';
}

function wrapScript(scriptBody, title) {
  // Synthetic wrapper: the real inline script inside a minimal page.
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<script>${scriptBody}</script></head><body><h1>${title}</h1>
<div id="root"><p>Synthetic page wrapper around a real saved AliExpress inline script.</p></div></body></html>`;
}

const ALIBABA_ID = '1600000000001';
export const ALIBABA_MEDIA = {
  gallery: [
    'https://sc04.alicdn.com/kf/H0a1b2c3d4e5f40a0b0c0d0e0f0a0b0c0A.jpg',
    'https://sc04.alicdn.com/kf/H1a1b2c3d4e5f40a0b0c0d0e0f0a0b0c1B.jpg',
    'https://s.alicdn.com/@sc04/kf/H2a1b2c3d4e5f40a0b0c0d0e0f0a0b0c2C.png',
  ],
  video: 'https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/1/d/hd/400000000001.mp4',
};

function alibabaPage() {
  const [g1, g2, g3] = ALIBABA_MEDIA.gallery;
  const detailData = {
    globalData: {
      product: {
        productId: Number(ALIBABA_ID),
        subject: 'Synthetic Stainless Steel Water Bottle 500ml',
        mediaItems: [
          { type: 'image', imageUrl: { big: g1, normal: `${g1}_350x350.jpg` } },
          { type: 'video', videoId: 400000000001, videoCoverUrl: `${g1}_120x120.jpg`,
            videoUrl: { hd: { videoUrl: ALIBABA_MEDIA.video, definition: 'hd' }, sd: { videoUrl: ALIBABA_MEDIA.video.replace('/d/hd/', '/d/sd/'), definition: 'sd' } } },
          { type: 'image', imageUrl: { big: `${g2}_720x720q50.jpg`, normal: `${g2}_350x350.jpg` } },
          { type: 'image', imageUrl: { big: g3.replace('https:', ''), normal: `${g3}_350x350.png` } },
        ],
      },
      seller: { companyName: 'Synthetic Trading Co.' },
    },
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>Synthetic Alibaba product</title>
<script>window.detailData = ${JSON.stringify(detailData)};</script>
<script src="/static/desc-loader.js"></script></head>
<body><h1>Synthetic Stainless Steel Water Bottle 500ml</h1>
<img src="${g1}_350x350.jpg" alt="">
<p>Synthetic page (no real Alibaba page was available): detailData shape per page-formats §3.</p></body></html>`;
}

/** Pages the server knows, by host + path. */
function pageTable() {
  const bundled = readFileSync(join(pagesDir, 'item-1005004787627817.js'), 'utf8');
  const eraB = wrapScript(bundled, 'Cristal de 6,39 pulgadas para Xiaomi Redmi K20');
  const pages = {
    // Demo page: real Era B data, no CSP.
    'es.aliexpress.com/item/1005004787627817.html': { body: eraB },
    // Same page with a strict CSP: WebAssembly is forbidden to the page and its content scripts.
    'www.aliexpress.com/item/1005004787627817.html': {
      body: eraB,
      headers: { 'content-security-policy': "script-src 'self'; object-src 'none'" },
    },
    'www.aliexpress.us/item/1005004787627817.html': {
      body: eraB,
      headers: { 'content-security-policy': "default-src 'none'; img-src https://*.alicdn.com; script-src 'self'" },
    },
    [`www.alibaba.com/product-detail/Synthetic-Water-Bottle_${ALIBABA_ID}.html`]: { body: alibabaPage() },
    'www.aliexpress.com/': { body: '<!doctype html><html><body><h1>Home</h1><a href="/item/1005004787627817.html">item</a></body></html>' },
    'www.aliexpress.com/p/shoppingcart/index.html': { body: '<!doctype html><html><body><h1>Cart</h1></body></html>' },
    'www.aliexpress.com/w/wholesale-phone.html': { body: '<!doctype html><html><body><h1>Search</h1></body></html>' },
    'login.aliexpress.com/': { body: '<!doctype html><html><body><form><input name="password" type="password"></form></body></html>' },
    'www.alibaba.com/': { body: '<!doctype html><html><body><h1>Alibaba home</h1></body></html>' },
  };
  const real = join(realFixtures, 'jshemas-openGraphScraperPages/aliexpress.html');
  if (existsSync(real)) {
    // Real saved page (2020, Era A), served as it was saved.
    pages['he.aliexpress.com/item/32993251330.html'] = { body: readFileSync(real) };
  }
  return pages;
}

const STATIC = {
  // Loaded by the Alibaba page (a file, so strict CSP pages could load it too).
  '/static/desc-loader.js': `fetch('/event/app/mainAction/desc.htm?detailId=${ALIBABA_ID}&language=en').then((r) => r.text()).then((t) => { document.body.dataset.descLoaded = String(t.length); });`,
};

function makeCert() {
  const dir = mkdtempSync(join(tmpdir(), 'alisave-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=alisave-test-shop',
    '-addext', 'subjectAltName=DNS:*.aliexpress.com,DNS:*.alicdn.com,DNS:*.alibaba.com,DNS:aliexpress.ru'],
  { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/**
 * Starts the shop. Returns { port, requests, close, setOverride }.
 * Options: { extraPages } — more pages by host + path.
 * `requests` records every request: { host, path, dest, at }.
 */
export async function startShop({ extraPages = {} } = {}) {
  // extraPages: more pages by host + path, { body, headers? } (e.g. the hostile-input suite).
  const pages = { ...pageTable(), ...extraPages };
  const requests = [];
  const overrides = new Map();
  const server = createServer(makeCert(), (req, res) => {
    const host = (req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url, `https://${host}`);
    requests.push({ host, path: url.pathname, query: url.search, dest: req.headers['sec-fetch-dest'] || '', at: Date.now() });
    const key = `${host}${url.pathname}`;
    const override = overrides.get(key);
    if (override) return override(req, res);
    if (CDN_HOSTS.includes(host)) {
      if (!/^\/(kf|@sc0\d\/kf|play)\//.test(url.pathname)) { res.writeHead(404); return res.end(); }
      const mp4 = /\.mp4$/i.test(url.pathname);
      // The type a real CDN sends for the URL's extension (Chrome keeps the
      // file name's extension when it agrees with the type).
      res.writeHead(200, { 'content-type': mp4 ? 'video/mp4' : mimeOf(url.pathname), 'cache-control': 'no-store' });
      return res.end(mediaBytes(host, url.pathname));
    }
    if (STATIC[url.pathname]) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(STATIC[url.pathname]);
    }
    if (url.pathname === '/event/app/mainAction/desc.htm') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ data: { productHtmlDescription: '<div id="detail_decorate_root"><p>Synthetic description.</p></div>' } }));
    }
    const page = pages[key];
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...(page.headers || {}) });
      return res.end(page.body);
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    port,
    requests,
    /** Replace the answer for one host+path (e.g. a 404 image). */
    setOverride(hostPath, handler) { overrides.set(hostPath, handler); },
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}
