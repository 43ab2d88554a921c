// Loads the extension pages' wasm for the popup. An external file because the MV3 extension CSP forbids inline scripts.
import init from './pages.js';

// The popup's first question to its tab, asked while the wasm loads instead of
// after it. It opens the connection on which the page says when
// its media change, then asks for the inventory — what the Rust side would do,
// in that order; the Rust side takes both over (`alisave_chrome::take_early`).
// The messages equal `POPUP_PORT` and `PopupToContent::Inspect`
// (xtask/tests/manifest.rs checks). On a tab without our content script both
// fail quietly and the Rust side shows the empty state.
globalThis.alisaveEarly = (async () => {
  const wanted = new URLSearchParams(location.search).get('tab');
  const tab = wanted !== null
    ? await chrome.tabs.get(Number(wanted))
    : (await chrome.tabs.query({ active: true, currentWindow: true }))[0];
  if (tab?.id === undefined) return null;
  const port = chrome.tabs.connect(tab.id, { name: 'alisave-popup', frameId: 0 });
  port.onDisconnect.addListener(() => void chrome.runtime.lastError);
  const reply = chrome.tabs.sendMessage(tab.id, { type: 'inspect' });
  reply.catch(() => {}); // its error is read by whoever takes the reply
  return { tabId: tab.id, port, reply };
})().catch(() => null);

init({ module_or_path: new URL('./pages_bg.wasm', import.meta.url) })
  .catch((e) => {
    document.body.textContent = 'AliSavePro could not start: ' + e;
    console.error('[AliSavePro] popup failed to start', e);
  });
