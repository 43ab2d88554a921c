//! Translated text through `chrome.i18n` (messages in `static/_locales/<lang>/messages.json`).
//!
//! Every user-visible string of the popup and the options page goes through [`t`]
//! or [`tf`] with a literal key, so `xtask/tests/locales.rs` can check that each
//! key exists in every locale. A missing key shows the key itself and logs an
//! error (the end-to-end tests fail on console errors).
//!
//! The lookups go through `alisave-chrome`, the only crate that names `chrome.*`.

fn lookup(key: &str, args: &[&str]) -> String {
    message(key, args).unwrap_or_else(|| key.to_string())
}

/// `chrome.i18n` lookup; a missing key is logged as an error.
fn message(key: &str, args: &[&str]) -> Option<String> {
    let found = alisave_chrome::i18n_message(key, args);
    if found.is_none() {
        web_sys::console::error_1(&format!("[AliSavePro] missing message: {key}").into());
    }
    found
}

/// A sentence of the pure crate (`alisave_core::say`) in the browser's language.
pub fn say(s: &alisave_core::say::Say) -> String {
    s.render(&message)
}

/// The translated message `key`.
pub fn t(key: &'static str) -> String {
    lookup(key, &[])
}

/// The translated message `key` with its placeholders `$1`… filled from `args`.
pub fn tf(key: &'static str, args: &[&str]) -> String {
    lookup(key, args)
}

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
