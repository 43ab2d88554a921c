// Loads the popup wasm. An external file because the MV3 extension CSP forbids inline scripts.
import init from './popup.js';
init({ module_or_path: new URL('./popup_bg.wasm', import.meta.url) })
  .catch((e) => {
    document.body.textContent = 'AliSavePro could not start: ' + e;
    console.error('[AliSavePro] popup failed to start', e);
  });
