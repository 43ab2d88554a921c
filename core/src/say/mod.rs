//! What the extension says to the user, as message keys of
//! `static/_locales/<lang>/messages.json` with their arguments ([`Say`]).
//!
//! The pure crate decides *what* to say — failure reasons, notes on files, the
//! reports, warnings, settings problems — and stores it in this form (in batches
//! in `storage.session`, in messages). Each part renders it where it is shown with
//! its `chrome.i18n` lookup, so every sentence follows the browser's language.
//! Builders call [`t`]/[`tf`]/[`tn`] with literal keys: `xtask/tests/locales.rs` checks
//! that each key exists in every locale with as many placeholders as arguments,
//! as it does for the pages' own calls. [`english`] reads the English catalogue
//! (native tests and tools; the extension's parts use `chrome.i18n`).
//!
//! # Counts: plural sentences
//!
//! A sentence about a count ("1 file", "3 files", "5 файлов") is built with
//! [`tn`]: `tn("report_saving", n, &[folder.into()])`. It names a *base* key and
//! the count; the catalogues hold one message per plural category of their
//! language, as `Intl.PluralRules(lang).select(n)` names them for whole numbers:
//! `<base>_one` and `<base>_other` in English and German; `_one`, `_many`,
//! `_other` in Spanish, French and Portuguese; `_one`, `_few`, `_many`, `_other`
//! in Russian. The count is the first placeholder (`$1`) of each of them, the
//! other arguments follow, and every category of a base has the same
//! placeholders (`xtask/tests/locales.rs` checks all of it, and that no count is
//! said by a key that is not plural, apart from numbers shown as labels).
//!
//! Stored form: a plural sentence is an ordinary keyed [`Say`] whose key is the
//! base followed by [`PLURAL`] and whose first argument is the count as text,
//! e.g. `{"key":"report_saving_*","args":["3","AliSavePro/x"]}`; so every form
//! stored before (keyed or plain text) still reads, and the wire form of the
//! content script (`content_wire`) is unchanged. The lookup resolves such a key
//! to `<base>_<category of the count>`, else `<base>_other` (a category the
//! catalogue lacks) ([`plural_message`]). [`english`] chooses English
//! categories ([`english_category`]: 1 → `one`, anything else → `other`);
//! `alisave_chrome::i18n::message` chooses with `Intl.PluralRules` for the
//! catalogue's language, and `alisave_chrome::i18n::tn(base, n, &[args])` (also
//! `alisave_ui::tn`) says a count directly on the pages.

use serde::{Deserialize, Serialize};

/// A sentence: a message key and its arguments (text, or sentences themselves).
/// A sentence with an empty key is text said as it is (its arguments joined).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Repr")]
pub struct Say {
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<Arg>,
}

/// One argument of a [`Say`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    /// Said as it is (a number, a file name, a URL, an error the browser gave).
    Text(String),
    /// A sentence of its own, rendered in the same language.
    Say(Say),
}

/// Stored form: a keyed sentence, or plain text (what batches stored before
/// sentences had keys, so a batch stored by an earlier version still reads).
#[derive(Deserialize)]
#[serde(untagged)]
enum Repr {
    Keyed {
        key: String,
        #[serde(default)]
        args: Vec<Arg>,
    },
    Plain(String),
}

impl From<Repr> for Say {
    fn from(r: Repr) -> Self {
        match r {
            Repr::Keyed { key, args } => Say { key, args },
            Repr::Plain(text) => Say::plain(text),
        }
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}

impl From<Say> for Arg {
    fn from(s: Say) -> Self {
        Arg::Say(s)
    }
}

impl From<&Say> for Arg {
    fn from(s: &Say) -> Self {
        Arg::Say(s.clone())
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Text(n.to_string())
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Text(n.to_string())
    }
}

impl From<u16> for Arg {
    fn from(n: u16) -> Self {
        Arg::Text(n.to_string())
    }
}

/// A translation lookup: the message `key` with its placeholders filled from the
/// arguments, or `None` when there is no such message (`chrome.i18n.getMessage`).
pub type Lookup<'a> = &'a dyn Fn(&str, &[&str]) -> Option<String>;

/// The sentence `key` (no placeholders).
pub fn t(key: &'static str) -> Say {
    Say {
        key: key.to_string(),
        args: Vec::new(),
    }
}

/// The sentence `key` with its placeholders `$1`… filled from `args`.
pub fn tf(key: &'static str, args: &[Arg]) -> Say {
    Say {
        key: key.to_string(),
        args: args.to_vec(),
    }
}

/// What ends the key of a plural sentence: `<base>_*` (see the module docs).
pub const PLURAL: &str = "_*";

/// The sentence about the count `n`: the message `<base>_<category of n>` of
/// the reader's language, its first placeholder `n` and the next ones `args`
/// (see the module docs: "Counts").
pub fn tn(base: &'static str, n: usize, args: &[Arg]) -> Say {
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(Arg::Text(n.to_string()));
    all.extend_from_slice(args);
    let mut key = String::with_capacity(base.len() + PLURAL.len());
    key.push_str(base);
    key.push_str(PLURAL);
    Say { key, args: all }
}

/// The base of a plural sentence's key (`report_saving_*` → `report_saving`),
/// `None` for any other key.
pub fn plural_base(key: &str) -> Option<&str> {
    key.strip_suffix(PLURAL)
}

/// The plural category of the count `n` (a whole number as text) in English
/// (and German): `one` for 1, `other` for anything else.
pub fn english_category(n: &str) -> &'static str {
    if n == "1" {
        "one"
    } else {
        "other"
    }
}

/// The message of the plural sentence `base` whose count is in `category`:
/// `look` of `<base>_<category>`, else of `<base>_other`.
pub fn plural_message(
    base: &str,
    category: &str,
    args: &[&str],
    look: &dyn Fn(&str, &[&str]) -> Option<String>,
) -> Option<String> {
    let mut key = String::with_capacity(base.len() + 6);
    key.push_str(base);
    key.push('_');
    key.push_str(category);
    look(&key, args).or_else(|| {
        key.truncate(base.len() + 1);
        key.push_str("other");
        look(&key, args)
    })
}

impl Say {
    /// Text said as it is, in no particular language (for details such as an
    /// error the browser gave, which have no translation of their own).
    pub fn plain(text: impl Into<String>) -> Self {
        Say {
            key: String::new(),
            args: vec![Arg::Text(text.into())],
        }
    }

    /// The sentence in the language of `look`. A key `look` does not know is
    /// shown with its arguments (a bug the locale tests catch, never text lost).
    pub fn render(&self, look: Lookup<'_>) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(s) => s.clone(),
                Arg::Say(s) => s.render(look),
            })
            .collect();
        if self.key.is_empty() {
            return args.concat();
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        look(&self.key, &refs).unwrap_or_else(|| {
            if refs.is_empty() {
                self.key.clone()
            } else {
                format!("{}: {}", self.key, refs.join(", "))
            }
        })
    }

    /// The sentence in English (from the English catalogue).
    pub fn english(&self) -> String {
        self.render(&english)
    }

    /// `parts` one after the other, `sep` between them.
    pub fn join(parts: Vec<Say>, sep: &str) -> Say {
        let mut args = Vec::with_capacity(parts.len() * 2);
        for (i, p) in parts.into_iter().enumerate() {
            if i > 0 {
                args.push(Arg::Text(sep.to_string()));
            }
            args.push(Arg::Say(p));
        }
        Say {
            key: String::new(),
            args,
        }
    }

    /// `self; next` (two sentences about the same thing).
    pub fn then(self, next: Say) -> Say {
        tf("say_then", &[self.into(), next.into()])
    }
}

/// The English catalogue, compiled in for native use. Only code that calls
/// [`english`] carries it: the extension's parts use `chrome.i18n` and never
/// link it (it is dropped from their wasm).
const ENGLISH_CATALOGUE: &str = include_str!("../../../static/_locales/en/messages.json");

/// (message, placeholder name → argument index) per key of the English catalogue.
type Catalogue = std::collections::HashMap<String, (String, Vec<(String, usize)>)>;

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let value: serde_json::Value =
            serde_json::from_str(ENGLISH_CATALOGUE).unwrap_or(serde_json::Value::Null);
        let mut out = Catalogue::new();
        if let Some(map) = value.as_object() {
            for (key, entry) in map {
                let message = entry["message"].as_str().unwrap_or_default().to_string();
                let mut places = Vec::new();
                if let Some(p) = entry.get("placeholders").and_then(|p| p.as_object()) {
                    for (name, v) in p {
                        let index = v["content"]
                            .as_str()
                            .and_then(|c| c.strip_prefix('$'))
                            .and_then(|n| n.parse::<usize>().ok());
                        if let Some(i) = index.filter(|i| *i >= 1) {
                            places.push((name.to_ascii_lowercase(), i - 1));
                        }
                    }
                }
                out.insert(key.clone(), (message, places));
            }
        }
        out
    })
}

/// The English message `key` with its placeholders filled from `args`, as
/// `chrome.i18n.getMessage` does it (`$NAME$` → its `$n` argument, `$$` → `$`);
/// a plural key (`<base>_*`) in the English category of its count (`args[0]`).
pub fn english(key: &str, args: &[&str]) -> Option<String> {
    if let Some(base) = plural_base(key) {
        let category = english_category(args.first().copied().unwrap_or(""));
        return plural_message(base, category, args, &english_message);
    }
    english_message(key, args)
}

fn english_message(key: &str, args: &[&str]) -> Option<String> {
    let (message, places) = catalogue().get(key)?;
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        match after.find('$') {
            Some(end) => {
                let name = after[..end].to_ascii_lowercase();
                if let Some((_, index)) = places.iter().find(|(n, _)| *n == name) {
                    out.push_str(args.get(*index).copied().unwrap_or(""));
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// `bytes / 1e6` as Rust writes the float (`4.194304`, `200`), for a whole
/// number of bytes up to `u32::MAX` (a fraction of a byte is rounded off;
/// larger is said as `u32::MAX`). Written by hand for the content script, which
/// says fetch failures and has no serde: `f64`'s `Display` would bring
/// Grisu/Dragon and their tables (22 KB of its wasm, measured). The worker and
/// the pages' module keep that code anyway (serde's error messages format
/// floats), so there it saves nothing (a few hundred bytes more). 32-bit arithmetic
/// because 64-bit integers and float remainders cost a script compiled to JS
/// much more.
pub fn megabytes(bytes: f64) -> String {
    let b = bytes.max(0.0).round().min(f64::from(u32::MAX)) as u32;
    let (whole, mut frac) = (b / 1_000_000, b % 1_000_000);
    let mut out = decimal(whole);
    if frac > 0 {
        let mut digits = 6;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        let text = decimal(frac);
        out.push('.');
        for _ in text.len()..digits {
            out.push('0');
        }
        out.push_str(&text);
    }
    out
}

/// `n` in decimal digits.
pub fn decimal(mut n: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn numbers_are_written_as_rust_writes_them() {
        for bytes in [
            0.0,
            1.0,
            10.0,
            999_999.0,
            1e6,
            4_194_304.0,
            2e8,
            123_456_789.0,
            1_000_010.0,
            4_294_967_295.0,
            // The limits said in failure reasons (whole numbers up to u32::MAX).
            crate::protocol::MAX_DOCUMENT_BYTES as f64,
            crate::media::MAX_MEDIA_BYTES,
        ] {
            assert_eq!(megabytes(bytes), (bytes / 1e6).to_string(), "{bytes}");
        }
        // A fraction of a byte is rounded off; beyond u32::MAX is said as it.
        assert_eq!(megabytes(1_500_000.4), "1.5");
        assert_eq!(megabytes(-3.0), "0");
        assert_eq!(megabytes(1e12), "4294.967295");
        for n in [0, 7, 10, 99, 1_000_000, u32::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn english_fills_named_placeholders_in_any_order() {
        assert_eq!(
            english("field_problem", &["Download folder", "empty"]).as_deref(),
            Some("Download folder: empty")
        );
        assert_eq!(english("no_such_key", &[]), None);
    }

    #[test]
    fn nested_sentences_render_in_the_same_language() {
        let reason = t("why_not_found");
        let s = tn("why_tried", 3, &[reason.into()]);
        assert_eq!(
            s.english(),
            "not found on the server (HTTP 404) (tried 3 times)"
        );
        let upper = |k: &str, a: &[&str]| english(k, a).map(|m| m.to_uppercase());
        assert_eq!(
            s.render(&upper),
            "NOT FOUND ON THE SERVER (HTTP 404) (TRIED 3 TIMES)"
        );
    }

    #[test]
    fn an_unknown_key_shows_the_key_and_its_arguments() {
        let none = |_: &str, _: &[&str]| None;
        assert_eq!(
            tf("say_then", &["a".into(), "b".into()]).render(&none),
            "say_then: a, b"
        );
        assert_eq!(Say::plain("as is").render(&none), "as is");
    }

    #[test]
    fn stored_forms_round_trip_and_plain_text_still_reads() {
        let s = tf("say_then", &[t("why_server_error").into(), "x".into()]);
        let json = serde_json::to_string(&s).expect("serialises");
        assert_eq!(
            json,
            r#"{"key":"say_then","args":[{"key":"why_server_error"},"x"]}"#
        );
        assert_eq!(serde_json::from_str::<Say>(&json).expect("reads back"), s);
        let old: Say =
            serde_json::from_str(r#""server error (tried 3 times)""#).expect("plain text reads");
        assert_eq!(old.english(), "server error (tried 3 times)");
    }

    #[test]
    fn a_plural_sentence_is_stored_as_its_base_with_the_count_first() {
        let s = tn("why_tried", 3, &[t("why_server_error").into()]);
        let json = serde_json::to_string(&s).expect("serialises");
        assert_eq!(
            json,
            r#"{"key":"why_tried_*","args":["3",{"key":"why_server_error"}]}"#
        );
        let back: Say = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, s);
        assert_eq!(back.english(), "server error (tried 3 times)");
        assert_eq!(plural_base(&back.key), Some("why_tried"));
        assert_eq!(plural_base("why_tried"), None);
        // Forms stored before plurals (a keyed sentence with its count among its
        // arguments, plain text) still read as they were stored.
        let old: Say =
            serde_json::from_str(r#"{"key":"say_then","args":[{"key":"why_server_error"},"3"]}"#)
                .expect("an earlier keyed form reads");
        assert_eq!(old.key, "say_then");
        assert_eq!(old.english(), "server error; 3");
        let plain: Say = serde_json::from_str(r#""Saved 1 files""#).expect("plain text reads");
        assert_eq!(plain.english(), "Saved 1 files");
    }

    #[test]
    fn english_says_one_for_1_and_other_for_every_other_count() {
        assert_eq!(english_category("1"), "one");
        for n in ["0", "2", "3", "11", "21", "101", "1000000", "", "x"] {
            assert_eq!(english_category(n), "other", "{n}");
        }
        assert_eq!(tn("count_video", 1, &[]).english(), "1 video");
        assert_eq!(tn("count_video", 0, &[]).english(), "0 videos");
        assert_eq!(tn("count_video", 2, &[]).english(), "2 videos");
        assert_eq!(tn("count_video", 21, &[]).english(), "21 videos");
        assert_eq!(
            tn("report_saving", 1, &["AliSavePro/x".into()]).english(),
            "Saving 1 file to AliSavePro/x."
        );
        assert_eq!(
            tn("report_saving", 40, &["AliSavePro/x".into()]).english(),
            "Saving 40 files to AliSavePro/x."
        );
        // Nested: the count of the inner sentence picks its own form.
        let s = tn("why_tried", 1, &[t("why_not_found").into()]);
        assert_eq!(
            s.english(),
            "not found on the server (HTTP 404) (tried 1 time)"
        );
    }

    #[test]
    fn a_category_the_catalogue_lacks_falls_back_to_other() {
        // A catalogue with Russian categories and one with English ones only.
        let ru = |k: &str, a: &[&str]| match k {
            "files_one" => Some(format!("{} файл", a[0])),
            "files_few" => Some(format!("{} файла", a[0])),
            "files_other" => Some(format!("{} файлов", a[0])),
            _ => None,
        };
        assert_eq!(
            plural_message("files", "few", &["3"], &ru).as_deref(),
            Some("3 файла")
        );
        assert_eq!(
            plural_message("files", "many", &["5"], &ru).as_deref(),
            Some("5 файлов")
        );
        assert_eq!(plural_message("nothing", "one", &["1"], &ru), None);
        // An unknown plural key shows its key and arguments, like any other.
        let none = |_: &str, _: &[&str]| None;
        let unknown = Say {
            key: "files_*".into(),
            args: vec!["2".into()],
        };
        assert_eq!(unknown.render(&none), "files_*: 2");
    }
}
