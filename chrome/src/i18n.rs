//! Translated text through `chrome.i18n` (messages in
//! `static/_locales/<lang>/messages.json`): the one `t`/`tf`/`tn` every part
//! uses (content script, saver page, popup and options through `alisave-ui`).
//!
//! Every user-visible string goes through [`t`], [`tf`] or [`tn`] with a literal
//! key, so `xtask/tests/locales.rs` can check that each key exists in every
//! locale. A missing key shows the key itself and logs an error (the end-to-end
//! tests fail on console errors).
//!
//! Counts: [`tn`] (and a plural sentence of the pure crate, `say::tn`, whose key
//! ends in `say::PLURAL`) reads the message `<base>_<category>`, the category
//! being what `Intl.PluralRules` says of the count in the catalogue's language
//! (its `lang` message, the language `chrome.i18n` shows: a browser language
//! without a catalogue of its own gets English text and English rules); a
//! category the catalogue lacks falls back to `<base>_other`.

use alisave_core::say::PLURAL;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(what: &str, key: &str);

    #[wasm_bindgen(js_namespace = Intl)]
    type PluralRules;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locale: &str) -> Result<PluralRules, JsValue>;
    /// The category of a count given as text (`select` reads it as a number).
    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, n: &str) -> String;
}

/// The message `key` with its placeholders `$1`… filled from `args` (a plural
/// key `<base>_*` in the category of its count, `args[0]`); `None` (and an
/// error in the console) when the catalogue has no such key.
pub fn message(key: &str, args: &[&str]) -> Option<String> {
    let found = match key.strip_suffix(PLURAL) {
        Some(base) => plural(base, args),
        None => super::i18n_message(key, args),
    };
    if found.is_none() {
        // Two arguments, no `format!`: the content script stays small.
        console_error("[AliSavePro] missing message:", key);
    }
    found
}

/// The message `<base>_<category of args[0]>`, else `<base>_other`. The rules
/// are the catalogue's language's (its `lang` message); made at each call, as
/// counts are said rarely (a cache costs the content script more than it saves).
// `push_str("_")`, not `push('_')`: no UTF-8 encoding of a char in the content script.
#[allow(clippy::single_char_add_str)]
fn plural(base: &str, args: &[&str]) -> Option<String> {
    let lang = super::i18n_message("lang", &[]).unwrap_or_default();
    let n = args.first().copied().unwrap_or_default();
    // Unknown rules: no category, so `<base>_` is missing and `_other` is read.
    let category = PluralRules::new(&lang)
        .map(|rules| rules.select(n))
        .unwrap_or_default();
    let mut key = String::new();
    key.push_str(base);
    key.push_str("_");
    let at = key.len();
    key.push_str(&category);
    super::i18n_message(&key, args).or_else(|| {
        key.truncate(at);
        key.push_str("other");
        super::i18n_message(&key, args)
    })
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

/// The translated sentence about the count `n`: the message
/// `<base>_<category of n>` (`_one`, `_few`, `_many`, `_other`, whichever the
/// language has), `n` its first placeholder and `args` the next ones. E.g.
/// `tn("count_video", 3, &[])` → "3 videos", "3 видео".
pub fn tn(base: &'static str, n: usize, args: &[&str]) -> String {
    // Counts in pages are far below `u32::MAX` (and wasm32's `usize` is 32 bits).
    let n = alisave_core::say::decimal(n as u32);
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(n.as_str());
    all.extend_from_slice(args);
    let mut key = String::new();
    key.push_str(base);
    key.push_str(PLURAL);
    lookup(&key, &all)
}

/// A sentence of the pure crate (`alisave_core::say`) in the browser's language.
pub fn say(s: &alisave_core::say::Say) -> String {
    s.render(&message)
}
