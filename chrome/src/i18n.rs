//! Translated text through `chrome.i18n` (messages in
//! `static/_locales/<lang>/messages.json`): the one `t`/`tf` every part uses
//! (content script, saver page, popup and options through `alisave-ui`).
//!
//! Every user-visible string goes through [`t`] or [`tf`] with a literal key,
//! so `xtask/tests/locales.rs` can check that each key exists in every locale.
//! A missing key shows the key itself and logs an error (the end-to-end tests
//! fail on console errors).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(what: &str, key: &str);
}

/// The message `key` with its placeholders `$1`… filled from `args`; `None`
/// (and an error in the console) when the catalogue has no such key.
pub fn message(key: &str, args: &[&str]) -> Option<String> {
    let found = super::i18n_message(key, args);
    if found.is_none() {
        // Two arguments, no `format!`: the content script stays small.
        console_error("[AliSavePro] missing message:", key);
    }
    found
}

fn lookup(key: &str, args: &[&str]) -> String {
    message(key, args).unwrap_or_else(|| key.to_string())
}

/// The translated message `key`.
pub fn t(key: &'static str) -> String {
    lookup(key, &[])
}

/// The translated message `key` with its placeholders filled from `args`.
pub fn tf(key: &'static str, args: &[&str]) -> String {
    lookup(key, args)
}

/// A sentence of the pure crate (`alisave_core::say`) in the browser's language.
pub fn say(s: &alisave_core::say::Say) -> String {
    s.render(&message)
}
