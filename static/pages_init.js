// Loads the extension pages' wasm on the options and queue pages; the module shows
// the page its path names (popup/src/main.rs). An external file because the MV3
// extension CSP forbids inline scripts.
import init from './pages.js';
init({ module_or_path: new URL('./pages_bg.wasm', import.meta.url) })
  .catch((e) => {
    document.body.textContent = 'AliSavePro could not start: ' + e;
    console.error('[AliSavePro] page failed to start', e);
  });
