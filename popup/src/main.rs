//! The extension pages' shared wasm module (`pages.js`, `pages_bg.wasm`; built by
//! trunk from `popup/index.html`): the popup, the options and queue pages and the
//! saver page are one module, so the extension ships and each page loads one copy
//! of std, serde, Leptos and the core instead of three (BENCHMARKS.md, "Artefact
//! sizes"). This entry shows the page the document's path names.

use alisave_core::pages::ExtensionPage;

// The saver page's exports (`run`, and the benchmark's `bench_pack` and
// `BenchZip`): `static/saver.js` calls them, so the crate must be linked.
pub use saver;

fn main() {
    console_error_panic_hook::set_once();
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    match ExtensionPage::of_path(&path) {
        Some(ExtensionPage::Popup) => popup::start(),
        Some(ExtensionPage::Options) => options::start_options(),
        Some(ExtensionPage::Queue) => options::start_queue(),
        // The saver starts when its loader calls `run` (only with a batch id in
        // the address; the benchmark loads the page without one).
        Some(ExtensionPage::Saver) => {}
        None => {
            web_sys::console::error_1(&format!("[AliSavePro] no extension page at {path}").into())
        }
    }
}
