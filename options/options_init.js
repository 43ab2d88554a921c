// Loads the options wasm. An external file because the MV3 extension CSP forbids inline scripts.
import init from './options.js';
init({ module_or_path: new URL('./options_bg.wasm', import.meta.url) })
  .catch((e) => {
    document.body.textContent = 'AliSavePro could not start: ' + e;
    console.error('[AliSavePro] options failed to start', e);
  });
