// AliSavePro service worker shim.
// MV3 service workers allow no import() and no top-level await, and Chrome only
// delivers events that woke the worker to listeners registered synchronously at
// top level. So: a static import of the wasm-bindgen glue, listeners registered
// right here, each forwarding to Rust once the wasm is initialised.
import init, * as bg from './background/background.js';

const ready = init({ module_or_path: new URL('./background/background_bg.wasm', import.meta.url) })
  .then(() => bg);
// A stopped worker may have left downloads half-way: continue them.
ready.then((m) => m.resume());
// For tests and debugging: resolves when the wasm is ready.
self.alisaveReady = ready;

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  ready
    .then((m) => m.handle_message(msg, sender))
    // A sentence as the Rust side makes them (core::say::Say): the page says it in
    // the user's language.
    .then(sendResponse, (e) => sendResponse({ ok: false, message: { key: 'worker_failed', args: [String(e)] }, folder: '', started: [], failed: [], warnings: [] }));
  return true; // the reply is sent asynchronously
});

// The shop's product and description API requests, and the page's own
// buyer-review requests (must equal
// alisave_core::protocol::API_URL_PATTERNS; a test checks it).
const API_URL_PATTERNS = [
  '*://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/*',
  '*://acs.aliexpress.us/h5/mtop.aliexpress.pdp.pc.query/*',
  '*://acs.aliexpress.com/h5/mtop.aliexpress.pdp.msite.query/*',
  '*://acs.aliexpress.us/h5/mtop.aliexpress.pdp.msite.query/*',
  '*://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData*',
  '*://aliexpress.ru/widget*',
  '*://*.alibaba.com/event/app/mainAction/desc.htm*',
  '*://feedback.aliexpress.com/pc/searchEvaluation.do*',
];
chrome.webRequest.onBeforeRequest.addListener(
  (details) => { ready.then((m) => m.on_api_request(details)); },
  { urls: API_URL_PATTERNS },
);

// Completion and failures of our downloads drive the download engine.
chrome.downloads.onChanged.addListener((delta) => { ready.then((m) => m.on_download_changed(delta)); });

chrome.tabs.onRemoved.addListener((tabId) => { ready.then((m) => m.on_tab_removed(tabId)); });

// A queued product's tab finished loading (the queue reads it, or learns it
// landed on a captcha or sign-in page). Only tabs of our host permissions show
// their URL; the Rust side ignores tabs the queue did not open.
chrome.tabs.onUpdated.addListener((tabId, info, tab) => {
  if (info.status === 'complete') ready.then((m) => m.on_tab_loaded(tabId, tab.url || ''));
});

// A batch changed (the engine's or the saver page's writes): a queued
// product's save may have finished.
// The queue changed (whoever wrote it): the worker reads it again.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'session' && Object.keys(changes).some((k) => k.startsWith('batch:'))) {
    ready.then((m) => m.on_batches_changed());
  }
  if (area === 'local' && 'queue' in changes) ready.then((m) => m.on_queue_changed());
});

// The browser started: the worker starts with it (this listener is why), so a
// queue the browser's end interrupted goes on without waiting for an event.
chrome.runtime.onStartup.addListener(() => {});
