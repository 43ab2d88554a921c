//! Translated text through `chrome.i18n` (messages in `static/_locales/<lang>/messages.json`).
//!
//! Every user-visible string of the popup and the options page goes through [`t`]
//! or [`tf`] with a literal key: `alisave_chrome::i18n`'s, the one every part
//! uses (`alisave-chrome` is the only crate that names `chrome.*`).

pub use alisave_chrome::i18n::{say, t, tf, tn};

/// The browser's UI language (`en-US`, `ru`…), which `chrome.i18n` follows.
pub fn ui_language() -> String {
    alisave_chrome::ui_language()
}

/// Sets the page's `lang` to the language of the messages shown (screen readers
/// pronounce the text in the right language; a browser language we have no
/// messages for gets English and `lang="en"`) and its title.
pub fn localize_document(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let Some(html) = doc.document_element() {
            let _ = html.set_attribute("lang", &t("lang"));
        }
        doc.set_title(title);
    }
}
