//! What the extension says to the user, as message keys of
//! `static/_locales/<lang>/messages.json` with their arguments ([`Say`]).
//!
//! The pure crate decides *what* to say — failure reasons, notes on files, the
//! reports, warnings, settings problems — and stores it in this form (in batches
//! in `storage.session`, in messages). Each part renders it where it is shown with
//! its `chrome.i18n` lookup, so every sentence follows the browser's language.
//! Builders call [`t`]/[`tf`] with literal keys: `xtask/tests/locales.rs` checks
//! that each key exists in every locale with as many placeholders as arguments,
//! as it does for the pages' own calls. [`english`] reads the English catalogue
//! (native tests and tools; the extension's parts use `chrome.i18n`).

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
/// `chrome.i18n.getMessage` does it (`$NAME$` → its `$n` argument, `$$` → `$`).
pub fn english(key: &str, args: &[&str]) -> Option<String> {
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

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

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
        let s = tf("why_tried", &[reason.into(), 3u32.into()]);
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
        let s = tf("why_tried", &[t("why_server_error").into(), 3u32.into()]);
        let json = serde_json::to_string(&s).expect("serialises");
        assert_eq!(
            json,
            r#"{"key":"why_tried","args":[{"key":"why_server_error"},"3"]}"#
        );
        assert_eq!(serde_json::from_str::<Say>(&json).expect("reads back"), s);
        let old: Say =
            serde_json::from_str(r#""server error (tried 3 times)""#).expect("plain text reads");
        assert_eq!(old.english(), "server error (tried 3 times)");
    }
}
