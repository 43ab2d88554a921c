// Baseline for the extraction benchmark: a regex-over-the-HTML extractor in plain
// JS, of the kind peer extensions use. It is NOT part of the product; bench.mjs
// runs it in the same service worker as our wasm extractor and reports the ratio.
// (A classic function so it can be sent into the worker with sw.evaluate.)
function regexExtract(html) {
  const out = new Set();
  const add = (u) => {
    if (!u) return;
    u = u.trim();
    if (u.startsWith('//')) u = 'https:' + u;
    u = u.replace(/^http:/, 'https:').replace(/[?#].*$/, '');
    u = u.replace(/(\.(?:jpe?g|png|webp|gif|avif))_[^/]*$/i, '$1');
    if (/^https:\/\/[a-z0-9.-]+\.(alicdn\.com|aliexpress-media\.com)\//i.test(u)) out.add(u);
  };
  // JSON arrays of image paths anywhere in inline scripts.
  for (const m of html.matchAll(/"(?:imagePathList|skuPropertyImagePath|imageUrl|big)"\s*:\s*(\[[^\]]*\]|"[^"]*")/g)) {
    for (const u of m[1].matchAll(/"([^"]+)"/g)) add(u[1].replace(/\\\//g, '/'));
  }
  // Every <img src> / data-src on a CDN.
  for (const m of html.matchAll(/<img\b[^>]*?\s(?:data-src|src)\s*=\s*["']([^"']+)["']/gi)) add(m[1]);
  return [...out];
}
