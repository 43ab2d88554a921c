// A local HTTPS server that plays the shops and their CDNs for the end-to-end
// tests and the demo. Chromium maps every shop/CDN hostname to it with
// --host-resolver-rules, so pages load under their real hostnames.
//
// Images are generated pictures (lib/pictures.mjs), distinct per URL: size,
// colour and a drawn label ("ORIGINAL <key tail>" / "THUMB …", pixel size and
// format) come from the URL. `.jpg`/`.jpeg` URLs get a baseline JPEG with a COM
// segment "alisave-url\0<host+path>" right after SOI; other image URLs (png, and
// webp/gif/avif names too) a PNG with a tEXt chunk "alisave-url". A thumbnail URL
// and its original therefore return different bytes, and a saved file tells
// which URL it was downloaded from (embeddedUrl). Bytes are a pure function of
// host + path (cached per URL).
import { createServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paint, encodePng, encodeJpeg } from './pictures.mjs';

export { pixelSize } from './pictures.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
/** The real fixtures, kept in the repository (see their PROVENANCE.md). */
export const realFixtures = resolve(repoRoot, 'tests/fixtures/real');

/** Hosts that play image/video CDNs. */
export const CDN_HOSTS = [
  'ae01.alicdn.com', 'ae02.alicdn.com', 'ae03.alicdn.com', 'ae04.alicdn.com',
  'ae-pic-a1.aliexpress-media.com', 'sc01.alicdn.com', 'sc02.alicdn.com', 'sc04.alicdn.com',
  's.alicdn.com', 'img.alicdn.com', 'video.aliexpress-media.com', 'cloud.video.taobao.com',
  'cloud.video.alibaba.com', 'gv.videocdn.alibaba.com',
];

/** Host resolver rules: every shop and CDN host to the local server, everything else nowhere. */
export function hostResolverRules(port) {
  const mapped = ['*.aliexpress.com', '*.aliexpress.us', 'aliexpress.ru', '*.aliexpress.ru',
    '*.alibaba.com', '*.alicdn.com', '*.aliexpress-media.com', '*.taobao.com'];
  return [...mapped.map((h) => `MAP ${h} 127.0.0.1:${port}`), 'MAP * ~NOTFOUND'].join(',');
}

/** The original a CDN transform URL is made from (`….jpg_220x220q75.jpg_.avif` → `….jpg`), and the transform. */
function splitTransform(path) {
  const slash = path.lastIndexOf('/') + 1;
  const m = path.slice(slash).match(/^(.*?\.(?:jpe?g|png|webp|gif|avif|bmp))_(.*)$/i);
  return m ? { original: path.slice(0, slash) + m[1], transform: m[2] } : { original: path, transform: null };
}

/**
 * What the picture for a URL looks like: its pixel size and its label. Size and
 * colour come from the original's path (the same image on another CDN host
 * looks the same); a thumbnail is the original fitted into the size its URL
 * names (`_220x220`), or the original's size when it names none.
 */
export function pictureOf(host, path) {
  const { original, transform } = splitTransform(path);
  const seed = createHash('sha256').update(original).digest();
  const square = seed[3] % 2 === 0;
  const ow = 600 + 8 * (seed[4] % 76);
  const oh = square ? ow : 600 + 8 * (seed[5] % 76);
  let width = ow, height = oh;
  const box = transform?.match(/(\d+)x(\d+)/) ?? (transform === null ? path.match(/_(\d+)x(\d+)[^/]*$/) : null);
  const thumb = transform !== null || !!box;
  if (box) {
    const f = Math.min(1, Number(box[1]) / ow, Number(box[2]) / oh);
    width = Math.max(1, Math.round(ow * f)); height = Math.max(1, Math.round(oh * f));
  }
  const jpeg = /\.jpe?g$/i.test(path);
  const key = (original.match(/\/kf\/([^/.]+)/) || original.match(/([^/]+?)(\.\w+)?$/) || [null, 'media'])[1];
  const tail = key.length > 12 ? `..${key.slice(-12)}` : key;
  return {
    width, height, seed, jpeg,
    lines: [`${thumb ? 'THUMB' : 'ORIGINAL'} ${tail}`, `${width}×${height} ${jpeg ? 'JPEG' : 'PNG'}`],
  };
}

const mediaCache = new Map();

/** The exact bytes the server answers for a CDN URL (host + path, query ignored). */
export function mediaBytes(host, path) {
  const id = `${host}${path}`;
  let bytes = mediaCache.get(id);
  if (!bytes) {
    bytes = makeMedia(host, path);
    mediaCache.set(id, bytes);
  }
  return bytes;
}

function makeMedia(host, path) {
  const id = `${host}${path}`;
  if (/\.mp4$/i.test(path)) {
    // Not a playable video; an identifiable stand-in of the right kind.
    return Buffer.concat([Buffer.from('\0\0\0\x18ftypmp42\0\0\0\0mp42isom', 'latin1'), Buffer.from(`alisave-url:${id}`)]);
  }
  const pic = pictureOf(host, path);
  const img = paint(pic.width, pic.height, pic.seed, pic.lines);
  // JPEG: a COM segment "alisave-url\0<host+path>" right after SOI.
  if (pic.jpeg) return encodeJpeg(img, 90, Buffer.from(`alisave-url\0${id}`, 'latin1'));
  // Everything else (png, and webp/gif/avif names too): a PNG with a tEXt chunk.
  return encodePng(img, [['alisave-url', id]]);
}

/** The URL embedded in a file the server produced (or null). */
export function embeddedUrl(bytes) {
  const mp4 = bytes.indexOf('alisave-url:');
  if (bytes.subarray(4, 8).toString('latin1') === 'ftyp' && mp4 >= 0) {
    return `https://${bytes.subarray(mp4 + 12).toString('latin1')}`;
  }
  if (bytes.length > 6 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff && bytes[3] === 0xfe) {
    const len = bytes.readUInt16BE(4);
    const [key, value] = bytes.subarray(6, 4 + len).toString('latin1').split('\0');
    return key === 'alisave-url' ? `https://${value}` : null;
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

export const ALIBABA_ID = '1600000000001';
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

// Era D (client-side pages): the HTML has no data; the page loads the product
// through the mtop JSONP API and renders the description in a shadow root.
export const ERA_D = {
  id: '1005007000000001',
  title: 'Synthetic Wireless Gamepad Pro',
  gallery: [
    'https://ae-pic-a1.aliexpress-media.com/kf/Sd0a0000000000000000000000000001a.jpg',
    'https://ae01.alicdn.com/kf/Sd0a0000000000000000000000000002b.jpg',
    'https://ae04.alicdn.com/kf/Sd0a0000000000000000000000000003c.jpeg',
  ],
  variants: [
    ['https://ae-pic-a1.aliexpress-media.com/kf/Sd0a0000000000000000000000000004d.jpg', 'Play blue light'],
    ['https://ae-pic-a1.aliexpress-media.com/kf/Sd0a0000000000000000000000000005e.png', 'Black'],
  ],
  description: [
    'https://ae-pic-a1.aliexpress-media.com/kf/Sd0a0000000000000000000000000006f.jpg',
    'https://ae-pic-a1.aliexpress-media.com/kf/Sd0a0000000000000000000000000007g.jpg',
  ],
  crossSell: 'https://ae01.alicdn.com/kf/Sd0a0000000000000000000000000008h.jpg',
  recommend: 'https://ae01.alicdn.com/kf/Sd0a000000000000000000000000rec9.jpg_220x220.jpg',
};

/** A second Era D product (other ids, other media, other hosts' mix). */
export const ERA_D2 = {
  id: '1005007000000002',
  title: 'Synthetic Mechanical Keyboard 75%',
  gallery: [
    'https://ae01.alicdn.com/kf/Sd2b0000000000000000000000000011a.jpg',
    'https://ae-pic-a1.aliexpress-media.com/kf/Sd2b0000000000000000000000000012b.png',
    'https://ae-pic-a1.aliexpress-media.com/kf/Sd2b0000000000000000000000000013c.jpg',
    'https://ae04.alicdn.com/kf/Sd2b0000000000000000000000000014d.jpg',
  ],
  variants: [
    ['https://ae-pic-a1.aliexpress-media.com/kf/Sd2b0000000000000000000000000015e.jpg', 'Brown switches'],
    ['https://ae-pic-a1.aliexpress-media.com/kf/Sd2b0000000000000000000000000016f.jpg', 'Red switches'],
    ['https://ae-pic-a1.aliexpress-media.com/kf/Sd2b0000000000000000000000000017g.jpg', 'Silent'],
  ],
  description: [
    'https://ae-pic-a1.aliexpress-media.com/kf/Sd2b0000000000000000000000000018h.jpg',
  ],
  crossSell: 'https://ae01.alicdn.com/kf/Sd2b0000000000000000000000000019i.jpg',
  recommend: 'https://ae01.alicdn.com/kf/Sd2b000000000000000000000000rec2.jpg_220x220.jpg',
};

/**
 * An Era D product whose page's API request is answered with ANOTHER product's
 * data (ERA_D2's): a stale or mixed-up response. Its own media are only what its
 * page shows (a gallery thumbnail and the description in its shadow root).
 */
export const ERA_D_STALE = {
  id: '1005007000000003',
  title: 'Synthetic Travel Adapter',
  gallery: ['https://ae-pic-a1.aliexpress-media.com/kf/Sd3c0000000000000000000000000021a.jpg'],
  variants: [],
  description: ['https://ae-pic-a1.aliexpress-media.com/kf/Sd3c0000000000000000000000000022b.jpg'],
  crossSell: 'https://ae01.alicdn.com/kf/Sd3c0000000000000000000000000023c.jpg',
  recommend: 'https://ae01.alicdn.com/kf/Sd3c000000000000000000000000rec3.jpg_220x220.jpg',
  answeredWith: ERA_D2,
};

/** Era D products by id (their mtop answers and description documents). */
const ERA_D_PRODUCTS = new Map([ERA_D, ERA_D2, ERA_D_STALE].map((p) => [p.id, p]));

const eraDDescUrl = (p) => `https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=${p.id}&key=S1.zip&token=t`;
/** The mtop request an Era D page makes for product `id` (`t` and `sign` make each page's URL its own). */
export function mtopUrl(id, { t = '1764460800000', sign = '0123456789abcdef', callback = 'mtopjsonp1' } = {}) {
  return `https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&appKey=12574478&t=${t}&sign=${sign}&api=mtop.aliexpress.pdp.pc.query&v=1.0&type=originaljsonp&dataType=jsonp&callback=${callback}&data=`
    + encodeURIComponent(JSON.stringify({ productId: id, _lang: 'en_US' }));
}
const MTOP_URL = mtopUrl(ERA_D.id);

/** The mtop JSONP body with product `p`'s data (originals, protocol-relative thumbnails and sized copies mixed, as the API has them). */
export function mtopBody(p = ERA_D, callback = 'mtopjsonp1') {
  const result = {
    PRODUCT_TITLE: { text: p.title },
    GLOBAL_DATA: { globalData: { productId: Number(p.id), storeName: 'Synthetic Store' } },
    HEADER_IMAGE_PC: { imagePathList: p.gallery.map((u, i) => [u, `${u.replace('https:', '')}_220x220q75.jpg_.avif`, `${u}_640x640.${u.split('.').pop()}`][i % 3]) },
    SKU: { skuProperties: [{ skuPropertyId: 14, skuPropertyName: 'Color', skuPropertyValues: p.variants.map(([u, name], i) => ({
      propertyValueIdLong: 690 + i, propertyValueDisplayName: name, skuPropertyImagePath: i === 0 ? `${u}_640x640.jpg` : u,
    })) }] },
    DESC: { pcDescUrl: eraDDescUrl(p) },
    RECOMMEND_PC: { items: [{ image: p.recommend }] },
  };
  return `${callback}(${JSON.stringify({ api: 'mtop.aliexpress.pdp.pc.query', ret: ['SUCCESS::调用成功'], v: '1.0', data: { result } })})`;
}

function descriptionDoc(images, crossSell) {
  return `<div class="detailmodule_html"><div class="detail-desc-decorate-richtext">
${images.map((u) => `<p><img src="${u}" slate-data-type="image"></p>`).join('\n')}
<kse:widget data-widget-type="relatedProduct" id="1" title="" type="relation"><a href="//www.aliexpress.com/item/1005001111111111.html"><img src="${crossSell}_220x220.jpg"></a></kse:widget>
<script>window.adminAccountId=123;</script></div></div>`;
}

/**
 * An Era D page of product `p`. `mtop`: the API URL it loads. `spa`: another
 * product the page can switch to without loading a new document
 * (`window.showProduct()`: history.pushState, the DOM re-rendered, that
 * product's API data loaded, as the shop's single-page app does).
 * `data-mtop` on <html> says the API answer arrived; `data-mtop-product`
 * which product's.
 */
function eraDPage(p = ERA_D, { mtop = MTOP_URL, spa = null } = {}) {
  const [g1] = p.gallery;
  const extra = p === ERA_D && !spa ? '' : `
window.mtopjsonp2 = function (d) { var g = d && d.data && d.data.result && d.data.result.GLOBAL_DATA; document.documentElement.dataset.mtopProduct = g ? String(g.globalData.productId) : 'none'; window.mtopjsonp1(d); };`;
  const spaScript = !spa ? '' : `
<script>window.showProduct = function () {
  var next = ${JSON.stringify({ id: spa.id, title: spa.title, thumb: `${spa.gallery[0]}_220x220q75.jpg_.avif`, desc: descriptionDoc(spa.description, spa.crossSell), mtop: mtopUrl(spa.id, { t: '1764460800009', sign: 'spa', callback: 'mtopjsonp2' }) }).replace(/</g, '\\u003c')};
  delete document.documentElement.dataset.mtop; delete document.documentElement.dataset.mtopProduct;
  history.pushState({ product: next.id }, '', '/item/' + next.id + '.html');
  document.title = next.title;
  document.querySelector('h1[data-pl="product-title"]').textContent = next.title;
  document.querySelector('[class*="slider--img"] img').src = next.thumb;
  document.getElementById('product-description').shadowRoot.innerHTML = next.desc;
  var s = document.createElement('script'); s.src = next.mtop; document.head.appendChild(s);
};</script>`;
  const mtopScript = p === ERA_D && !spa ? mtop : mtop.replace('callback=mtopjsonp1', 'callback=mtopjsonp2');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Synthetic Era D page</title>
<script>window.runParams = {};
window._d_c_ = window._d_c_ || {}; window._d_c_.isCSR = true;
window.mtopjsonp1 = function (d) { document.documentElement.dataset.mtop = d && d.ret ? d.ret[0] : 'none'; };${extra}</script>
<script src="${mtopScript}"></script></head>
<body><div id="root"><div class="pdp-body pdp-wrap"><div class="pdp-info">
<div class="slider--slider--VKj5hty"><div class="slider--item--RpyeewA"><div class="slider--img--K0YbWW2 slider--active--ETznpbf"><img src="${g1}_220x220q75.jpg_.avif"></div></div></div>
<div class="title--wrap--UUHae_g"><h1 data-pl="product-title">${p.title}</h1></div></div>
<div id="nav-description"><div class="description--wrap--x"><div id="product-description" class="description--product-description--Mjtql28"><template shadowrootmode="open">${descriptionDoc(p.description, p.crossSell)}</template></div></div></div>
<div class="recommend--wrap--x"><img src="${p.recommend}"></div>
</div></div><p>Synthetic page: no real capture of this page generation exists (page-formats §1.5).</p>${spaScript}</body></html>`;
}

export const ERA_C = {
  id: '1005006000000001',
  gallery: [
    'https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg',
    'https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.png',
  ],
};

/** A second Era C product. */
export const ERA_C2 = {
  id: '1005006000000002',
  gallery: [
    'https://ae-pic-a1.aliexpress-media.com/kf/Sc2c0000000000000000000000000031a.jpg',
    'https://ae01.alicdn.com/kf/Sc2c0000000000000000000000000032b.jpg',
    'https://ae-pic-a1.aliexpress-media.com/kf/Sc2c0000000000000000000000000033c.jpg',
  ],
};

export function eraCPage(p = ERA_C) {
  const dc = { extParams: { site: 'deu' }, name: 'ItemDetailResp', imagePathList: p.gallery,
    summImagePathList: p.gallery.map((u) => `${u}_80x80.${u.split('.').pop()}`) };
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Synthetic Era C page</title><script>
window.runParams = {
            };
window._d_c_ = window._d_c_ || {};
window._d_c_.viewName = 'choiceDetail';
window._d_c_.isCSR = true;
window._d_c_.DCData = ${JSON.stringify(dc)};
</script></head><body><div id="root"><p>Synthetic page: Era C shape per page-formats §1.4.</p></div></body></html>`;
}

/**
 * Synthetic Era C products (page-formats §1.4 shape) for many-product tests and
 * benchmarks: product `n` has the id 1005009100000000 + n and three gallery
 * images of its own.
 */
export function syntheticEraC(n) {
  const id = String(1005009100000000 + n);
  const hex = (k) => `${String(n).padStart(4, '0')}${k}`.padEnd(32, '0');
  return {
    id,
    url: `https://www.aliexpress.com/item/${id}.html`,
    gallery: [1, 2, 3].map((k) => `https://ae01.alicdn.com/kf/S${hex(k)}q.jpg`),
  };
}

/** The pages of synthetic Era C products 1..=count, for `startShop({ extraPages })`. */
export function syntheticEraCPages(count) {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => syntheticEraC(i + 1))
    .map((p) => [p.url.replace('https://', ''), { body: eraCPage(p) }]));
}

/** A second Era A ("Module" runParams, page-formats §1.2) product: a synthetic page in the real page's data shape. */
export const ERA_A2 = {
  id: '32900000002',
  gallery: [
    'https://ae01.alicdn.com/kf/HTBa2000000000000000000000001a/Synthetic-Desk-Lamp.jpg',
    'https://ae01.alicdn.com/kf/HTBa2000000000000000000000002b/Synthetic-Desk-Lamp.jpg',
    'https://ae01.alicdn.com/kf/HTBa2000000000000000000000003c/Synthetic-Desk-Lamp.jpg',
  ],
  variants: [
    ['https://ae01.alicdn.com/kf/HTBa2000000000000000000000004d/Synthetic-Desk-Lamp.jpg', 'White'],
    ['https://ae01.alicdn.com/kf/HTBa2000000000000000000000005e/Synthetic-Desk-Lamp.jpg', 'Warm white'],
  ],
};

function eraA2Page() {
  const p = ERA_A2;
  const data = {
    imageModule: { imagePathList: p.gallery, summImagePathList: p.gallery.map((u) => `${u}_50x50.jpg`) },
    skuModule: { productSKUPropertyList: [{ skuPropertyId: 14, skuPropertyName: 'Color', order: 1, skuPropertyValues: p.variants.map(([u, name], i) => ({
      propertyValueId: 200000 + i, propertyValueIdLong: 200000 + i, propertyValueName: name, propertyValueDisplayName: name,
      skuPropertyImagePath: `${u}_640x640.jpg`, skuPropertyImageSummPath: `${u}_50x50.jpg`,
    })) }] },
    descriptionModule: { descriptionUrl: `https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=${p.id}&key=Ha2.zip&token=t` },
    titleModule: { subject: 'Synthetic Desk Lamp' },
    pageModule: { productId: Number(p.id), imagePath: p.gallery[0] },
    storeModule: { storeName: 'Synthetic Lamps' },
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Synthetic Era A page</title>
<script> window.aehostname = 'ae-glodetail-synthetic'</script>
<script>
  window.runParams = {
      data: ${JSON.stringify(data)},
      csrfToken: 'synthetic',
      abVersion: '',
      abtestMap: {}
  };
</script></head>
<body><div class="product-main"><div class="image-viewer"><div class="image-view-magnifier-wrap"><img class="magnifier-image" src="${p.gallery[0]}"></div></div>
<div class="product-title"><h1 class="product-title-text">Synthetic Desk Lamp</h1></div></div>
<div class="product-overview"><div id="product-description" class="product-description"></div></div>
<p>Synthetic page: Era A (Module) data shape per page-formats §1.2.</p></body></html>`;
}

/** aliexpress.ru: the real #__AER_DATA__ props (and description fragments, when the capture has them) inside a synthetic page. */
function aerPage(id = '1005008195850531') {
  const dir = join(realFixtures, 'IarBest-Aliexpress-to-AI');
  const props = readFileSync(join(dir, `gallery-${id}.json`), 'utf8');
  const descFile = join(dir, `description-${id}.json`);
  const desc = existsSync(descFile) ? JSON.parse(readFileSync(descFile, 'utf8')) : { fragments: { textWithBreaks: '', textThenImages: '' } };
  const tree = `{"widgets":[{"widgetId":"header","props":{},"children":[]},{"widgetId":"layout","uuid":"u1","children":[{"widgetId":"col","children":[${props}]}]}]}`;
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Synthetic aliexpress.ru wrapper</title></head>
<body><div id="__aer_root__"></div><script id="__AER_DATA__" type="application/json">${tree}</script>
<div class="x"><div id="content_anchor">${desc.fragments.textWithBreaks}${desc.fragments.textThenImages}</div></div></body></html>`;
}

/**
 * aliexpress.ru with its first reviews in #__AER_DATA__ (issue #15): the page
 * of aerPage() plus the review widget of the real capture
 * IarBest-Aliexpress-to-AI/reviews-ssr-1005009452926938.json, made SYNTHETIC
 * here (the file is not changed): its sanitized media URLs
 * (https://fixtures.invalid/<name>.<ext>) become test-CDN URLs
 * (https://ae01.alicdn.com/kf/Sru<name>.<ext>) and its product id this page's.
 */
export const RU_REVIEWS = { id: '1005008195850531', url: 'https://www.aliexpress.ru/item/1005008195850531.html' };
/** A capture's JSON text with its sanitized media URLs on the test CDN and its product id `id`. */
const ruOnTestCdn = (text, fromId, id) => text
  .replace(/https:\/\/fixtures\.invalid\/([A-Za-z0-9-]+)\.(jpe?g|png)/g, (_, name, ext) => `https://ae01.alicdn.com/kf/Sru${name.replace(/-/g, '')}.${ext}`)
  .replaceAll(fromId, id);
function aerReviewsPage() {
  const capture = readFileSync(join(realFixtures, 'IarBest-Aliexpress-to-AI/reviews-ssr-1005009452926938.json'), 'utf8');
  const widget = ruOnTestCdn(JSON.stringify(JSON.parse(capture).widget), '1005009452926938', RU_REVIEWS.id);
  return aerPage(RU_REVIEWS.id).replace('{"widgets":[', `{"widgets":[${widget},`);
}
/** aliexpress.ru's review API (`POST …/product-reviews`) as the test shop answers it. */
export const RU_REVIEWS_API = { host: 'aliexpress.ru', path: '/aer-jsonapi/review/v5/desktop/product-reviews' };
/**
 * The answer to an aliexpress.ru review page request body (SYNTHETIC derivative
 * of real answers, the files unchanged): page 2 is the real page-2 answer
 * (reviews-native-page2-1005009452926938.json, 10 reviews, 10 photos), page 3
 * the real "additional" answer (reviews-native-additional-32882927175.json,
 * 4 reviews, 11 photos: a short page, the last), media mapped to the test CDN
 * and the product id to the one asked for; any other page has no reviews.
 */
export function ruReviewAnswer(body) {
  const id = String(body?.productKey?.id ?? '');
  const page = Number(body?.pagination?.pageNum);
  const file = { 2: ['reviews-native-page2-1005009452926938.json', '1005009452926938'], 3: ['reviews-native-additional-32882927175.json', '32882927175'] }[page];
  if (!file) return JSON.stringify({ data: { reviews: [] } });
  const capture = JSON.parse(readFileSync(join(realFixtures, 'IarBest-Aliexpress-to-AI', file[0]), 'utf8'));
  return ruOnTestCdn(JSON.stringify(capture.response), file[1], id);
}

/** Alibaba, real 2026 `window.detailData` (omkarcloud capture) inside a synthetic page. */
export const ALIBABA_REAL_ID = '1600431053815';
function alibabaRealPage() {
  const data = readFileSync(join(realFixtures, 'omkarcloud-alibaba-scraper/pdp_1600431053815_sku_priced.json'), 'utf8');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Synthetic wrapper around a real Alibaba detailData</title>
<script>window.detailData = ${data};</script></head>
<body><h1>Butterfly Necklace</h1><p>Synthetic page wrapper around a real saved window.detailData (page-formats §9.6).</p></body></html>`;
}

/** Description images the test shop's description document lists for a product id. */
export function syntheticDescriptionImages(id) {
  return [1, 2, 3].map((n) => `https://ae01.alicdn.com/kf/Sdesc${id}000000000000000${n}.jpg`);
}

/** Product pages beyond the ones above: a second product of each page family, and Era D pages for page-view journeys. */
export const MORE_PAGES = {
  eraA2: `https://www.aliexpress.com/item/${ERA_A2.id}.html`,
  eraB2: 'https://es.aliexpress.com/item/1005002724686123.html',
  eraC2: `https://de.aliexpress.com/item/${ERA_C2.id}.html`,
  eraD2: `https://www.aliexpress.com/item/${ERA_D2.id}.html`,
  /** Its API request is answered with ERA_D2's data (ERA_D_STALE). */
  eraDStale: `https://www.aliexpress.com/item/${ERA_D_STALE.id}.html`,
  /** ERA_D's page that switches to ERA_D2 with history.pushState (window.showProduct()). */
  eraDSpa: `https://fr.aliexpress.com/item/${ERA_D.id}.html`,
  /** ERA_D's and ERA_D2's pages without no-store (Chrome may keep them in its back/forward cache). */
  eraDKept: `https://pt.aliexpress.com/item/${ERA_D.id}.html`,
  eraD2Kept: `https://pt.aliexpress.com/item/${ERA_D2.id}.html`,
  aer2: 'https://aliexpress.ru/item/1005005933779962.html',
  alibaba2: `https://www.alibaba.com/product-detail/Butterfly-Necklace_${ALIBABA_REAL_ID}.html`,
};
const hostPath = (u) => u.replace(/^https:\/\//, '');

/** Pages the server knows, by host + path. */
function pageTable() {
  // The demo's sample: real Era B data (tests/fixtures/real/PROVENANCE.md).
  const bundled = readFileSync(join(realFixtures, 'airvzxf-web-browser-extension-alienhanced/item-1005004787627817.js'), 'utf8');
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
    // The same product on a page that does not load its description itself: the
    // worker asks the content script for it.
    [`www.alibaba.com/product-detail/Synthetic-Water-Bottle-Quiet_${ALIBABA_ID}.html`]: {
      body: alibabaPage().replace('<script src="/static/desc-loader.js"></script>', ''),
    },
    'www.aliexpress.com/': { body: '<!doctype html><html><body><h1>Home</h1><a href="/item/1005004787627817.html">item</a></body></html>' },
    'www.aliexpress.com/p/shoppingcart/index.html': { body: '<!doctype html><html><body><h1>Cart</h1></body></html>' },
    'www.aliexpress.com/w/wholesale-phone.html': { body: '<!doctype html><html><body><h1>Search</h1></body></html>' },
    'login.aliexpress.com/': { body: '<!doctype html><html><body><form><input name="password" type="password"></form></body></html>' },
    'www.alibaba.com/': { body: '<!doctype html><html><body><h1>Alibaba home</h1></body></html>' },
  };
  pages[`www.aliexpress.com/item/${ERA_D.id}.html`] = { body: eraDPage() };
  pages[`de.aliexpress.com/item/${ERA_C.id}.html`] = { body: eraCPage() };
  pages['aliexpress.ru/item/1005008195850531.html'] = { body: aerPage() };
  pages[hostPath(RU_REVIEWS.url)] = { body: aerReviewsPage() };
  // Second products of each page family, and Era D pages for page-view journeys.
  pages[hostPath(MORE_PAGES.eraA2)] = { body: eraA2Page() };
  pages[hostPath(MORE_PAGES.eraB2)] = {
    body: wrapScript(readFileSync(join(realFixtures, 'airvzxf-web-browser-extension-alienhanced/item-1005002724686123.js'), 'utf8'), 'Synthetic wrapper, real Era B data 1005002724686123'),
  };
  pages[hostPath(MORE_PAGES.eraC2)] = { body: eraCPage(ERA_C2) };
  pages[hostPath(MORE_PAGES.eraD2)] = { body: eraDPage(ERA_D2, { mtop: mtopUrl(ERA_D2.id, { t: '1764460800002' }) }) };
  pages[hostPath(MORE_PAGES.eraDStale)] = { body: eraDPage(ERA_D_STALE, { mtop: mtopUrl(ERA_D_STALE.id, { t: '1764460800003' }) }) };
  pages[hostPath(MORE_PAGES.eraDSpa)] = { body: eraDPage(ERA_D, { mtop: mtopUrl(ERA_D.id, { t: '1764460800008', sign: 'spa' }), spa: ERA_D2 }) };
  pages[hostPath(MORE_PAGES.eraDSpa).replace(ERA_D.id, ERA_D2.id)] = { body: eraDPage(ERA_D2, { mtop: mtopUrl(ERA_D2.id, { t: '1764460800009', sign: 'spa' }) }) };
  pages[hostPath(MORE_PAGES.eraDKept)] = { body: eraDPage(ERA_D, { mtop: mtopUrl(ERA_D.id, { t: '1764460800011' }) }), headers: { 'cache-control': 'no-cache' } };
  pages[hostPath(MORE_PAGES.eraD2Kept)] = { body: eraDPage(ERA_D2, { mtop: mtopUrl(ERA_D2.id, { t: '1764460800012' }) }), headers: { 'cache-control': 'no-cache' } };
  pages[hostPath(MORE_PAGES.aer2)] = { body: aerPage('1005005933779962') };
  pages[hostPath(MORE_PAGES.alibaba2)] = { body: alibabaRealPage() };
  // Real saved page (2020, Era A), served as it was saved.
  pages['he.aliexpress.com/item/32993251330.html'] = {
    body: readFileSync(join(realFixtures, 'jshemas-openGraphScraperPages/aliexpress.html')),
  };
  return pages;
}

const STATIC = {
  // Loaded by the Alibaba page (a file, so strict CSP pages could load it too).
  '/static/desc-loader.js': `fetch('/event/app/mainAction/desc.htm?detailId=${ALIBABA_ID}&language=en').then((r) => r.text()).then((t) => { document.body.dataset.descLoaded = String(t.length); });`,
};

/**
 * SYNTHETIC buyer reviews (issue #15), in the documented envelope of AliExpress's
 * `feedback.aliexpress.com/pc/searchEvaluation.do` answer, for any product:
 * `REVIEW_PAGES` pages of four reviews. Review `i` of page `p`: stars
 * 5, 4, 3, 5; variant Red, Blue, Red, Blue (in `skuInfo` with "Ships From", which
 * is not a variant); 2, 1, 1, 0 photos on ae01.alicdn.com (their thumbnails name
 * the same photos with a size suffix); a buyer name and avatar that must never
 * reach a saved file.
 */
export const REVIEW_PAGES = 3;
export function syntheticReview(productId, p, i) {
  const photos = [2, 1, 1, 0][i];
  const images = Array.from({ length: photos }, (_, k) =>
    `https://ae01.alicdn.com/kf/Srev${productId.slice(-4)}${p}${i}${k}`.padEnd(60, '0') + '.jpg');
  return {
    evaluationId: Number(`9${productId.slice(-6)}${p}${i}`) * 1e6,
    evaluationIdStr: `9${productId.slice(-6)}${p}${i}000123`,
    buyerEval: [100, 80, 60, 100][i],
    skuInfo: `Color:${i % 2 ? 'Blue' : 'Red'} Ships From:China`,
    evalDate: `${10 + i + (REVIEW_PAGES - p) * 4} Nov 2025`,
    buyerCountry: 'DE',
    buyerFeedback: `Synthetic review ${p}.${i}, "quoted", with a comma`,
    buyerName: 'Synthetic B***r',
    buyerHeadPortrait: 'https://ae01.alicdn.com/kf/Savatar0000000000000000000000000.jpg',
    images,
    thumbnails: images.map((u) => `${u}_220x220.jpg`),
  };
}
/** The answer for a searchEvaluation.do URL. */
export function reviewAnswer(url) {
  const id = url.searchParams.get('productId') || '';
  const page = Number(url.searchParams.get('page') || '1');
  const list = page >= 1 && page <= REVIEW_PAGES ? [0, 1, 2, 3].map((i) => syntheticReview(id, page, i)) : [];
  return JSON.stringify({ data: { totalNum: REVIEW_PAGES * 4, totalPage: REVIEW_PAGES, currentPage: page, evaViewList: list } });
}

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
 * `requests` records every request: { method, body (of a request with one), contentType,
 * host, path, query, dest, at, site, mode, origin }
 * (dest, site, mode: the Sec-Fetch-* headers).
 */
/** Inner HTML of the first <div> whose opening tag contains `marker` (tags balanced by counting). */
function innerOfDiv(html, marker) {
  const at = html.indexOf(marker);
  if (at < 0) return null;
  const start = html.indexOf('>', at) + 1;
  let depth = 1;
  const re = /<(\/?)div\b/gi;
  re.lastIndex = start;
  for (let m; (m = re.exec(html));) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index);
  }
  return null;
}

/** Description documents of real pages: what the page inlined after loading it. */
const realDescriptions = {};
{
  const real = join(realFixtures, 'jshemas-openGraphScraperPages/aliexpress.html');
  const inner = innerOfDiv(readFileSync(real, 'utf8'), 'id="product-description"');
  if (!inner) throw new Error(`no #product-description in ${real}`);
  realDescriptions['32993251330'] = inner;
}

export async function startShop({ extraPages = {} } = {}) {
  // extraPages: more pages by host + path, { body, headers? } (e.g. the hostile-input suite).
  const pages = { ...pageTable(), ...extraPages };
  const requests = [];
  const overrides = new Map();
  let cdnDelayMs = 0;
  let apiHeaders = {};
  const server = createServer(makeCert(), (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.alisaveBody === undefined) {
      // A request with a body: recorded with it (at most 64 KiB read).
      const chunks = [];
      req.on('data', (c) => { if (chunks.reduce((n, x) => n + x.length, 0) < 65536) chunks.push(c); });
      req.on('end', () => { req.alisaveBody = Buffer.concat(chunks).toString('utf8'); server.emit('request', req, res); });
      return;
    }
    const host = (req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url, `https://${host}`);
    if (!req.alisaveDelayed) {
      requests.push({
        method: req.method, body: req.alisaveBody ?? null, contentType: req.headers['content-type'] || '',
        host, path: url.pathname, query: url.search, dest: req.headers['sec-fetch-dest'] || '', at: Date.now(),
        // Who asked: an extension's own requests say sec-fetch-site "none" and
        // (CORS mode) an Origin chrome-extension://…; a content script's fetch
        // has the page's origin, as the page's own requests do.
        site: req.headers['sec-fetch-site'] || '', mode: req.headers['sec-fetch-mode'] || '', origin: req.headers.origin || '',
      });
    }
    const key = `${host}${url.pathname}`;
    const override = overrides.get(key);
    if (override) return override(req, res);
    if (CDN_HOSTS.includes(host) && cdnDelayMs > 0 && !req.alisaveDelayed) {
      // Slow CDN (tests that need a batch to be in flight).
      req.alisaveDelayed = true;
      return setTimeout(() => server.emit('request', req, res), cdnDelayMs);
    }
    if (CDN_HOSTS.includes(host)) {
      // Media paths: /kf/… images, /play/… videos, Alibaba's gv.videocdn renditions (/<hex>/<hex>/….mp4).
      const media = /^\/(kf|@sc0\d\/kf|play)\//.test(url.pathname) || (host === 'gv.videocdn.alibaba.com' && /^\/[0-9a-f]+\/[0-9a-f]+\/[^/]+\.mp4$/i.test(url.pathname));
      if (!media) { res.writeHead(404); return res.end(); }
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
    if (host === 'acs.aliexpress.com' && url.pathname === '/h5/mtop.aliexpress.pdp.pc.query/1.0/') {
      // The product the request names (ERA_D when it names none the shop knows),
      // or the one a stale answer gives instead; JSONP with the request's callback.
      let id = null;
      try { id = String(JSON.parse(url.searchParams.get('data') || '{}').productId ?? ''); } catch { /* not JSON */ }
      const product = ERA_D_PRODUCTS.get(id) ?? ERA_D;
      const callback = /^\w+$/.test(url.searchParams.get('callback') || '') ? url.searchParams.get('callback') : 'mtopjsonp1';
      res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8', ...apiHeaders });
      return res.end(mtopBody(product.answeredWith ?? product, callback));
    }
    if (host === RU_REVIEWS_API.host && url.pathname === RU_REVIEWS_API.path) {
      if (req.method !== 'POST') { res.writeHead(405); return res.end(); }
      let body = null;
      try { body = JSON.parse(req.alisaveBody || ''); } catch { /* not JSON */ }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(ruReviewAnswer(body));
    }
    if (host === 'feedback.aliexpress.com' && url.pathname === '/pc/searchEvaluation.do') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(reviewAnswer(url));
    }
    if (host === 'aeproductsourcesite.alicdn.com' && url.pathname.endsWith('/desc.htm')) {
      // The page's own origin may read it (the shop's pages load it cross-origin).
      const origin = req.headers.origin;
      const cors = origin && /^https:\/\/([a-z0-9-]+\.)*aliexpress\.(com|us|ru)$/.test(origin)
        ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
      const id = url.searchParams.get('productId');
      const eraD = ERA_D_PRODUCTS.get(id);
      const body = eraD
        ? descriptionDoc(eraD.description, eraD.crossSell)
        : realDescriptions[id] ?? descriptionDoc(syntheticDescriptionImages(id), `https://ae01.alicdn.com/kf/Scross${id}0000000000000000000x.jpg`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...cors });
      return res.end(body);
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
    /** Delay every CDN answer by `ms` (0: none). */
    setCdnDelay(ms) { cdnDelayMs = ms; },
    /**
     * Extra headers of the mtop API answers (e.g. cache-control). By default they
     * have none: Chrome may then answer a history navigation's request for the
     * same URL from its HTTP cache.
     */
    setApiHeaders(headers) { apiHeaders = { ...headers }; },
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}
