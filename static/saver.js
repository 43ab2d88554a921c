// Loads the extension pages' wasm on the saver page (an external file: the MV3
// extension CSP forbids inline scripts). The page fetches, checks, converts and
// packs one save; see saver/src/lib.rs (linked into the pages' module by
// popup/src/main.rs, whose entry leaves this page to `run`).
import init, * as saver from './pages.js';

const ready = init({ module_or_path: new URL('./pages_bg.wasm', import.meta.url) }).then((wasm) => {
  // For the benchmark: the module's memory (its growth is part of the ZIP writer's cost).
  globalThis.alisaveSaverMemory = () => wasm.memory;
  return saver;
});
// For the benchmark and tests: the wasm module once loaded.
globalThis.alisaveSaver = ready;
ready
  .then((m) => (location.hash.length > 1 ? m.run() : undefined))
  .catch((e) => {
    document.getElementById('status').textContent = `AliSavePro could not save: ${e}`;
    console.error('[AliSavePro] saver failed', e);
  });
