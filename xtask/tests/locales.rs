//! The translations in `static/_locales/`: every locale has exactly the English
//! keys, with the same placeholders; every key the pages use exists, with as many
//! arguments as it has placeholders; the catalogues hold real translations.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The locales we ship: English and the shops' main markets.
const LOCALES: [&str; 6] = ["en", "ru", "es", "pt", "fr", "de"];

/// The plural categories each locale's language has for whole numbers, as
/// `Intl.PluralRules(lang).select(n)` names them (CLDR): a plural sentence
/// (`tn("base", n, &[…])`) has exactly the keys `base_<category>` of these.
fn categories(lang: &str) -> &'static [&'static str] {
    match lang {
        "en" | "de" => &["one", "other"],
        "es" | "fr" | "pt" => &["one", "many", "other"],
        "ru" => &["one", "few", "many", "other"],
        _ => panic!("{lang}: plural categories unknown"),
    }
}

/// Every plural category any locale uses.
const ALL_CATEGORIES: [&str; 4] = ["one", "few", "many", "other"];

/// Keys that show a count as a label, with no word that agrees with it ("All 12",
/// "Saving 3 / 40", "Not saved (2)"), so they need no plural forms.
const COUNT_LABELS: [&str; 16] = [
    // "Products: 3 · lines left out: 2", "Start the queue (3)": numbers as labels.
    "queue_links_summary",
    "queue_start",
    "queue_status_ended",
    "queue_status_paused",
    "queue_status_running",
    "queue_item_counts",
    "all_tabs_heading",
    "all_tabs_progress",
    "filter_all",
    "filter_kind",
    "report_failed",
    "progress_running",
    "progress_count",
    "content_progress",
    "tile_name",
    "err_out_of_range",
];

/// Placeholder names that hold a count.
const COUNT_PLACEHOLDERS: [&str; 8] = [
    "count", "max", "total", "done", "saved", "failed", "n", "number",
];

/// The plural bases of the English catalogue: `base` of every `base_other`.
fn plural_bases(en: &Map<String, Value>) -> BTreeSet<String> {
    en.keys()
        .filter_map(|k| k.strip_suffix("_other"))
        .map(str::to_string)
        .collect()
}

/// The plural base `key` is a category key of (`count_video_few` → `count_video`).
fn family<'a>(key: &'a str, bases: &BTreeSet<String>) -> Option<(&'a str, &'a str)> {
    ALL_CATEGORIES.iter().find_map(|c| {
        let base = key.strip_suffix(c)?.strip_suffix('_')?;
        bases.contains(base).then(|| (base, &key[base.len() + 1..]))
    })
}

/// Sources whose user-visible text goes through `t`/`tf` (in `core/src` the
/// builders of `alisave_core::say`, which the parts render with `chrome.i18n`).
const SOURCE_DIRS: [&str; 7] = [
    "core/src",
    "ui/src",
    "popup/src",
    "options/src",
    "content/src",
    "saver/src",
    "background/src",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn catalogue(lang: &str) -> Map<String, Value> {
    let path = root().join(format!("static/_locales/{lang}/messages.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Object(m)) => m,
        other => panic!("{}: not a JSON object: {other:?}", path.display()),
    }
}

/// `$NAME$` placeholders of a message (lowercased), in order of appearance.
fn used_placeholders(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            rest = stripped; // "$$" is a literal dollar
            continue;
        }
        let end = after
            .find('$')
            .unwrap_or_else(|| panic!("stray $ in {message:?}"));
        let name = &after[..end];
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad placeholder ${name}$ in {message:?}"
        );
        out.push(name.to_ascii_lowercase());
        rest = &after[end + 1..];
    }
    out
}

/// (placeholder name → "$N") of an entry, checked against its message.
fn placeholders(lang: &str, key: &str, entry: &Value) -> BTreeMap<String, String> {
    let message = entry["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{lang}/{key}: no message"));
    assert!(!message.trim().is_empty(), "{lang}/{key}: empty message");
    let declared: BTreeMap<String, String> = entry
        .get("placeholders")
        .and_then(Value::as_object)
        .map(|p| {
            p.iter()
                .map(|(name, v)| {
                    let content = v["content"].as_str().unwrap_or_default().to_string();
                    (name.to_ascii_lowercase(), content)
                })
                .collect()
        })
        .unwrap_or_default();
    let used: BTreeSet<String> = used_placeholders(message).into_iter().collect();
    let names: BTreeSet<String> = declared.keys().cloned().collect();
    assert_eq!(used, names, "{lang}/{key}: placeholders used vs declared");
    // Contents are $1..$n, each once.
    let mut contents: Vec<&str> = declared.values().map(String::as_str).collect();
    contents.sort_unstable();
    let want: Vec<String> = (1..=declared.len()).map(|i| format!("${i}")).collect();
    assert_eq!(contents, want, "{lang}/{key}: placeholder contents");
    declared
}

#[test]
fn every_locale_has_exactly_the_english_keys_and_placeholders() {
    let dirs: BTreeSet<String> = std::fs::read_dir(root().join("static/_locales"))
        .expect("static/_locales")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(dirs, LOCALES.iter().map(|s| s.to_string()).collect());
    let en = catalogue("en");
    for key in en.keys() {
        assert!(
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad key {key:?}"
        );
    }
    let bases = plural_bases(&en);
    for lang in LOCALES {
        let cat = catalogue(lang);
        let keys: BTreeSet<String> = cat.keys().cloned().collect();
        // The English keys, each plural base with this language's categories.
        let want: BTreeSet<String> = en
            .keys()
            .filter(|k| family(k, &bases).is_none())
            .cloned()
            .chain(
                bases
                    .iter()
                    .flat_map(|b| categories(lang).iter().map(move |c| format!("{b}_{c}"))),
            )
            .collect();
        let missing: Vec<_> = want.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&want).collect();
        assert!(missing.is_empty(), "{lang}: missing keys {missing:?}");
        assert!(
            extra.is_empty(),
            "{lang}: keys not in en (or plural categories {lang} does not have) {extra:?}"
        );
        for (key, entry) in &cat {
            // Every category of a plural base has the placeholders of its
            // English `_other`, the count first.
            let en_key = match family(key, &bases) {
                Some((base, _)) => format!("{base}_other"),
                None => key.clone(),
            };
            let declared = placeholders(lang, key, entry);
            assert_eq!(
                declared,
                placeholders("en", &en_key, &en[&en_key]),
                "{lang}/{key}: placeholders differ from en/{en_key}"
            );
            if family(key, &bases).is_some() {
                assert!(
                    declared.values().any(|c| c == "$1"),
                    "{lang}/{key}: a plural message has its count as $1"
                );
            }
        }
    }
}

#[test]
fn every_count_is_said_with_plural_forms() {
    let en = catalogue("en");
    let bases = plural_bases(&en);
    assert!(bases.len() >= 15, "only {} plural bases", bases.len());
    for key in en.keys() {
        if family(key, &bases).is_some() || COUNT_LABELS.contains(&key.as_str()) {
            continue;
        }
        let message = en[key]["message"].as_str().unwrap_or_default();
        // No singular key left for a count ("Saved 1 file…" beside "…files").
        assert!(
            !ALL_CATEGORIES
                .iter()
                .any(|c| key.ends_with(&format!("_{c}")) && !key.ends_with("_other")),
            "{key}: a singular key for a count; use tn(\"base\", n, …) with base_one…"
        );
        let one = message
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0] == "1" && w[1].starts_with(char::is_alphabetic));
        assert!(
            !one,
            "{key}: says \"1 …\" in a key that is not plural: {message:?}"
        );
        for name in used_placeholders(message) {
            assert!(
                !COUNT_PLACEHOLDERS.contains(&name.as_str()),
                "{key}: ${}$ is a count said by a key that is not plural: {message:?} \
                 (use tn(\"base\", n, …) with base_one/…/base_other, or add it to COUNT_LABELS \
                 if the number is only a label)",
                name.to_ascii_uppercase()
            );
        }
    }
}

#[test]
fn translations_are_real_not_english_copies() {
    let en = catalogue("en");
    // Brand names, pure punctuation around placeholders and loan words.
    let may_equal = |key: &str, text: &str| {
        let letters: String = text
            .split('$')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect();
        // File-format names are the same words everywhere.
        ["ext_name", "format_jpeg", "format_webp"].contains(&key)
            || !letters.chars().any(char::is_alphabetic)
    };
    for lang in LOCALES.into_iter().filter(|l| *l != "en") {
        let cat = catalogue(lang);
        let same: Vec<&String> = cat
            .iter()
            .filter(|(k, v)| {
                en.get(k.as_str())
                    .is_some_and(|e| v["message"] == e["message"])
            })
            .filter(|(k, v)| !may_equal(k, v["message"].as_str().unwrap_or_default()))
            .map(|(k, _)| k)
            .collect();
        // A few words are the same in both languages ("Videos" in German).
        assert!(same.len() <= 3, "{lang}: copied from English: {same:?}");
        assert_eq!(cat["lang"]["message"], lang, "{lang}: lang");
    }
}

/// How a message is called for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    /// `t("key")`, `tf("key", &[a, b])`.
    Key,
    /// `tn("base", n, &[a, b])`: a plural sentence (its count is one more argument).
    Plural,
}

/// Calls `t("key")` / `tf("key", &[a, b])` / `tn("base", n, &[a])` in a source:
/// (key, number of arguments (the count of `tn` included), line, kind).
fn calls(source: &str) -> Vec<(String, usize, usize, Call)> {
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !source.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let ident_before = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let (name_len, with_args, call) = if source[i..].starts_with("tf(") {
            (2, true, Call::Key)
        } else if source[i..].starts_with("tn(") {
            (2, true, Call::Plural)
        } else if source[i..].starts_with("t(") {
            (1, false, Call::Key)
        } else {
            i += 1;
            continue;
        };
        let line = source[..i].matches('\n').count() + 1;
        let line_text = source.lines().nth(line - 1).unwrap_or("");
        let is_definition = line_text.trim_start().starts_with("pub fn")
            || line_text.trim_start().starts_with("fn ")
            || line_text.trim_start().starts_with("//");
        if ident_before || is_definition {
            i += 1;
            continue;
        }
        let mut j = i + name_len + 1;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        assert_eq!(
            bytes.get(j),
            Some(&b'"'),
            "line {line}: t/tf/tn must be called with a literal key: {line_text}"
        );
        let end = j + 1 + source[j + 1..].find('"').expect("closing quote");
        let key = source[j + 1..end].to_string();
        let mut args = 0;
        if with_args {
            let rest = &source[end + 1..];
            let open = rest
                .find("&[")
                .expect("tf(key, &[...]) or tn(key, n, &[...])");
            let between = rest[..open].trim().trim_matches(',').trim();
            if call == Call::Plural {
                // The count: one expression, no comma at its top level.
                assert!(
                    !between.is_empty() && !between.contains(','),
                    "line {line}: tn(\"{key}\", n, &[...]) expected"
                );
                args += 1;
            } else {
                assert!(
                    between.is_empty(),
                    "line {line}: tf(\"{key}\", &[...]) expected"
                );
            }
            // Count top-level elements of the slice literal (a trailing comma
            // ends the last element, it does not start one).
            let (mut depth, mut in_str) = (0i32, false);
            let (mut prev, mut last) = (' ', ',');
            for c in rest[open + 2..].chars() {
                if in_str {
                    if c == '"' && prev != '\\' {
                        in_str = false;
                    }
                    prev = c;
                    continue;
                }
                match c {
                    '"' => in_str = true,
                    '(' | '[' | '{' => depth += 1,
                    ']' if depth == 0 => break,
                    ')' | '}' | ']' => depth -= 1,
                    ',' if depth == 0 => args += 1,
                    _ => {}
                }
                if !c.is_whitespace() {
                    last = c;
                }
                prev = c;
            }
            if last != ',' {
                args += 1;
            }
        }
        out.push((key, args, line, call));
        i = end;
    }
    out
}

fn rust_files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_key_the_pages_use_exists_with_its_placeholders_and_none_is_unused() {
    let en = catalogue("en");
    let bases = plural_bases(&en);
    let mut used = BTreeSet::new();
    let mut count = 0;
    for dir in SOURCE_DIRS {
        for file in rust_files(dir) {
            let source = std::fs::read_to_string(&file).expect("source");
            for (key, args, line, call) in calls(&source) {
                let at = format!("{}:{line}", file.display());
                // A plural base is read under its `_other` (each category has
                // the same placeholders), and stands for all its categories.
                let looked_up = match call {
                    Call::Key => {
                        assert!(
                            family(&key, &bases).is_none() && !bases.contains(&key),
                            "{at}: {key} is a plural sentence: say it with tn(\"base\", n, &[…])"
                        );
                        key.clone()
                    }
                    Call::Plural => {
                        assert!(
                            bases.contains(&key),
                            "{at}: tn(\"{key}\", …) but _locales/en has no {key}_one/{key}_other"
                        );
                        format!("{key}_other")
                    }
                };
                let entry = en
                    .get(&looked_up)
                    .unwrap_or_else(|| panic!("{at}: message {looked_up:?} is not in _locales/en"));
                let n = placeholders("en", &looked_up, entry).len();
                assert_eq!(
                    args, n,
                    "{at}: {key} has {n} placeholders, called with {args} arguments"
                );
                if call == Call::Plural {
                    used.extend(ALL_CATEGORIES.iter().map(|c| format!("{key}_{c}")));
                } else {
                    used.insert(key);
                }
                count += 1;
            }
        }
    }
    assert!(
        count > 100,
        "only {count} calls found: is the scanner broken?"
    );
    // Sentences the service worker's shim makes itself (`{ key: '…', args: [...] }`).
    let sw = std::fs::read_to_string(root().join("static/sw.js")).expect("sw.js");
    for part in sw.split("key: '").skip(1) {
        let key = part.split('\'').next().unwrap_or_default();
        let entry = en
            .get(key)
            .unwrap_or_else(|| panic!("static/sw.js: message {key:?} is not in _locales/en"));
        let args = part
            .split_once("args: [")
            .map(|(_, rest)| rest.split(']').next().unwrap_or_default())
            .map(|list| list.split(',').filter(|a| !a.trim().is_empty()).count())
            .unwrap_or(0);
        assert_eq!(
            args,
            placeholders("en", key, entry).len(),
            "static/sw.js: {key} arguments"
        );
        used.insert(key.to_string());
    }
    let manifest = std::fs::read_to_string(root().join("manifest.json")).expect("manifest");
    for part in manifest.split("__MSG_").skip(1) {
        let key = part.split("__").next().unwrap_or_default();
        assert!(
            en.contains_key(key),
            "manifest.json: {key} is not in _locales/en"
        );
        used.insert(key.to_string());
    }
    let unused: Vec<&String> = en.keys().filter(|k| !used.contains(*k)).collect();
    assert!(unused.is_empty(), "messages nothing uses: {unused:?}");
}

#[test]
fn the_call_scanner_reads_calls_as_written() {
    let src = "let a = t(\"one\");\nlet b = tf(\n    \"two\",\n    &[&x.to_string(), &format!(\"{a}, {b}\")],\n);\nfn t(key: &str) {}\nlet c = tf(\"three\", &[&n]);\nlet d = start(\"no\");\nlet e = say::tf(\"four\", &[\n    a.into(),\n    f(&b).into(),\n]);\nlet f = tf(\"five\", &[]);\nlet g = tn(\"six\", v.len(), &[&a]);\nlet h = say::tn(\"seven\", n, &[]);";
    assert_eq!(
        calls(src),
        [
            ("one".to_string(), 0, 1, Call::Key),
            ("two".to_string(), 2, 2, Call::Key),
            ("three".to_string(), 1, 7, Call::Key),
            ("four".to_string(), 2, 9, Call::Key),
            ("five".to_string(), 0, 13, Call::Key),
            ("six".to_string(), 2, 14, Call::Plural),
            ("seven".to_string(), 1, 15, Call::Plural)
        ]
    );
}
