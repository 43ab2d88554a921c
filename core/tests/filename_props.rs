//! Property tests for file-name safety on the three OS rule sets (issue #5).
//!
//! Every name the crate produces — [`safe_component`], every segment of a
//! planned path ([`plan_on`], [`plan_selected_on`], [`product_folder_on`]) and
//! every part of a folder accepted by [`check_folder`] — is checked against an
//! oracle per OS written here independently of `alisave_core::filename`:
//!
//! * Windows ("Naming Files, Paths, and Namespaces"): none of `<>:"/\|?*` or
//!   U+0000–U+001F, no trailing dot or space, not a device name (`CON`, `PRN`,
//!   `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9`, `COM¹²³`, `LPT¹²³`, any case,
//!   with any extension, spaces before the extension ignored: `nul .txt`), at
//!   most 255 UTF-16 units;
//! * macOS (APFS): no `/`, `:` or NUL, at most 255 UTF-8 bytes;
//! * Linux (ext4): no `/` or NUL, at most 255 bytes, not `.` or `..`.
//!
//! Inputs are arbitrary Unicode plus targeted generators (emoji, RTL, combining
//! marks, control characters, separators, `..`, device names, very long text).

use alisave_core::filename::{
    safe_component, validate_file_template, validate_folder_template, validate_review_template,
    Date, ReviewNamer, ReviewValues, DEFAULT_FILE_TEMPLATE, DEFAULT_FOLDER_TEMPLATE,
    DEFAULT_REVIEW_TEMPLATE, MAX_FOLDER_COMPONENT_BYTES, MAX_PATH_UNITS, MAX_STEM_BYTES,
};
use alisave_core::plan::{plan_on, plan_selected_on, product_folder_on, PlannedFile};
use alisave_core::settings::{check_folder, ImageSize, Kinds, Settings, MAX_FOLDER_CHARS};
use alisave_core::{Inventory, MediaItem, MediaKind, Platform, Variant};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ---------------------------------------------------------------------------
// Independent oracles.

fn utf16_units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Why `name` is not a valid Windows name, ignoring device names
/// ([`windows_device`] checks those).
fn windows_violation(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|&c| (c as u32) < 32 || "<>:\"/\\|?*".contains(c))
    {
        return Some(format!("forbidden char U+{:04X}", c as u32));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("trailing dot or space".into());
    }
    if utf16_units(name) > 255 {
        return Some(format!("{} UTF-16 units", utf16_units(name)));
    }
    None
}

/// The Windows device name `name` stands for, when it is one. `DEVICES` is the
/// list of "Naming Files, Paths, and Namespaces" (which has listed `COM0` and
/// `LPT0` since 2022), superscripts included.
fn windows_device(name: &str) -> Option<String> {
    const DEVICES: [&str; 30] = [
        "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
        "COM8", "COM9", "COM¹", "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5",
        "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    ];
    // The part before the first dot is what Windows compares, without the
    // spaces that path normalisation drops (`nul .txt`, `CON  .tar.gz`).
    let base = match name.find('.') {
        Some(i) => &name[..i],
        None => name,
    };
    let base = base.trim_end_matches(' ').to_uppercase();
    DEVICES.contains(&base.as_str()).then_some(base)
}

fn macos_violation(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("empty".into());
    }
    if let Some(c) = name.chars().find(|&c| matches!(c, '/' | ':' | '\0')) {
        return Some(format!("forbidden char {c:?}"));
    }
    (name.len() > 255).then(|| format!("{} bytes", name.len()))
}

fn linux_violation(name: &str) -> Option<String> {
    if name.is_empty() || name == "." || name == ".." {
        return Some(format!("reserved name {name:?}"));
    }
    if name.contains(['/', '\0']) {
        return Some("'/' or NUL".into());
    }
    (name.len() > 255).then(|| format!("{} bytes", name.len()))
}

/// One path component checked against the three OSes (device names apart).
fn check_component(c: &str, ctx: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !c.is_empty() && c != "." && c != "..",
        "bad component {c:?} in {ctx:?}"
    );
    for (os, v) in [
        ("Windows", windows_violation(c)),
        ("macOS", macos_violation(c)),
        ("Linux", linux_violation(c)),
    ] {
        if let Some(why) = v {
            return Err(TestCaseError::fail(format!(
                "{os}: {c:?} ({why}) in {ctx:?}"
            )));
        }
    }
    Ok(())
}

/// Device-name check of one component, with the chosen list.
fn check_device(
    c: &str,
    ctx: &str,
    device: fn(&str) -> Option<String>,
) -> Result<(), TestCaseError> {
    let d = device(c);
    prop_assert!(d.is_none(), "Windows device {:?}: {c:?} in {ctx:?}", d);
    Ok(())
}

/// A relative path that stays inside the download directory.
fn check_relative(p: &str) -> Result<(), TestCaseError> {
    prop_assert!(!p.starts_with('/'), "absolute: {p:?}");
    prop_assert!(!p.contains('\\'), "backslash: {p:?}");
    let first = p.split('/').next().unwrap_or("");
    prop_assert!(
        !(first.len() >= 2 && first.as_bytes()[1] == b':'),
        "drive letter: {p:?}"
    );
    for c in p.split('/') {
        check_component(c, p)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Generators.

/// Fragments that are known to be hard for file names.
const NASTY: &[&str] = &[
    "..",
    ".",
    "/",
    "\\",
    "../",
    "..\\",
    "/etc/passwd",
    "C:",
    "C:\\",
    "\\\\?\\",
    "~",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\0",
    "\u{1}",
    "\u{1f}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{3000}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{202e}",
    "\u{2067}",
    "\u{200f}",
    "<",
    ">",
    ":",
    "\"",
    "|",
    "?",
    "*",
    "CON",
    "con",
    "PRN",
    "aux",
    "NuL",
    "COM1",
    "com9",
    "LPT1",
    "lpt9",
    "COM0",
    "LPT0",
    "COM¹",
    "lpt³",
    "COM10",
    "CONIN$",
    ".txt",
    ".jpg",
    " .txt",
    ". .",
    "😀",
    "👨\u{200d}👩\u{200d}👧",
    "🇺🇦",
    "\u{1F3FD}",
    "שלום",
    "مرحبا",
    "e\u{301}",
    "\u{301}",
    "\u{0915}\u{094d}\u{0937}",
    "Красный",
    "漢字",
    "ｶﾀｶﾅ",
    "𝔘𝔫𝔦",
    "\u{fffd}",
    "\u{10ffff}",
    "a",
    "-",
    "_",
    "{n}",
    "[x]",
];

fn nasty_fragment() -> impl Strategy<Value = String> {
    prop::sample::select(NASTY).prop_map(str::to_string)
}

/// Arbitrary text with a bias to trouble.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        3 => prop::collection::vec(nasty_fragment(), 0..12).prop_map(|v| v.concat()),
        2 => prop::collection::vec(prop_oneof![nasty_fragment(), any::<String>()], 0..6)
            .prop_map(|v| v.concat()),
        // Device names alone, with an extension, with spaces before it.
        2 => (
            prop::sample::select(&["CON", "prn", "Aux", "nul", "COM", "lpt"][..]),
            prop::sample::select(&["", "0", "1", "9", "¹", "²", "³"][..]),
            prop::sample::select(&["", " ", "  ", ".", " .", "\t"][..]),
            prop::sample::select(&["", "txt", "tar.gz", "jpg", " "][..]),
        )
            .prop_map(|(a, b, c, d)| format!("{a}{b}{c}{d}")),
        // Very long text (also past 255 bytes and 255 UTF-16 units).
        1 => (nasty_fragment(), 1..400usize).prop_map(|(f, n)| f.repeat(n)),
        1 => "\\PC{200,600}",
    ]
}

/// Names as shops write them: words of one script, single spaces.
fn ordinary_name() -> impl Strategy<Value = String> {
    let script = prop::sample::select(
        &[
            "абвгдежзийклмнопрстуфхцчшщыэюяАБВГД",
            "漢字中文商品名称无线手柄红色黑色",
            "ひらがなカタカナ",
            "한국어상품",
            "αβγδεζηθικλμ",
            "שלוםעולם",
            "مرحباعالم",
            "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789",
            "éèêëàâçñüöäß",
        ][..],
    );
    (script, prop::collection::vec((0usize..64, 1usize..6), 1..4))
        .prop_map(|(s, words)| {
            let chars: Vec<char> = s.chars().collect();
            words
                .iter()
                .map(|&(start, len)| {
                    (0..len)
                        .map(|k| chars[(start + k * 7) % chars.len()])
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .prop_filter("a device name is not an ordinary name", |s| {
            windows_device(s).is_none()
        })
}

const EXTS: &[&str] = &[
    "jpg", "jpeg", "png", "webp", "gif", "avif", "bmp", "mp4", "JPG", "exe", "", "txt",
];

fn item(kind: MediaKind, i: usize, ext: &str, variant: Option<String>) -> MediaItem {
    let url = match kind {
        MediaKind::Video => format!(
            "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/{i}.{}",
            if ext.is_empty() { "mp4" } else { ext }
        ),
        _ if ext.is_empty() => format!("https://ae01.alicdn.com/kf/K{kind:?}{i}"),
        _ => format!("https://ae01.alicdn.com/kf/K{kind:?}{i}.{ext}"),
    };
    MediaItem {
        kind,
        url: url.clone(),
        preview: None,
        variant: variant.map(|value| Variant {
            axis: "Color".into(),
            value,
        }),
        poster: None,
        key: url,
    }
}

fn inventory() -> impl Strategy<Value = Inventory> {
    let items = prop::collection::vec(
        (
            prop::sample::select(&MediaKind::ALL[..]),
            prop::sample::select(EXTS),
            prop::option::weighted(0.7, text()),
        ),
        0..14,
    );
    (
        prop::option::of(prop::sample::select(
            &[
                Platform::AliExpress,
                Platform::AliExpressRu,
                Platform::Alibaba,
            ][..],
        )),
        prop_oneof![3 => "[0-9]{1,20}", 1 => text()],
        prop::option::of(text()),
        prop::option::of(text()),
        items,
    )
        .prop_map(|(platform, product_id, title, shop, items)| Inventory {
            platform,
            product_id,
            title,
            shop,
            host: "www.aliexpress.com".into(),
            items: items
                .into_iter()
                .enumerate()
                .map(|(i, (kind, ext, v))| {
                    item(kind, i, ext, v.filter(|_| kind == MediaKind::Variant))
                })
                .collect(),
            ..Inventory::default()
        })
}

/// A folder template: a valid one (built from pieces, kept when
/// `validate_folder_template` accepts it), else raw text as a caller that
/// bypasses validation would store it.
fn folder_template() -> impl Strategy<Value = (String, bool)> {
    let piece = prop_oneof![
        prop::sample::select(
            &[
                "{shop}",
                "{id}",
                "{title}",
                "{store}",
                "{date}",
                "[ {title}]",
                "[-{store}]",
                "[{date}_]",
                "-",
                " ",
                "_",
                "(",
                ")",
                "Фото",
                "商品",
                "😀",
                "CON",
                "..",
                ".",
                "x",
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长",
            ][..]
        )
        .prop_map(str::to_string),
        nasty_fragment(),
    ];
    let component = prop::collection::vec(piece, 1..5).prop_map(|v| v.concat());
    let built = prop::collection::vec(component, 1..6).prop_map(|v| v.join("/"));
    prop_oneof![
        6 => built.prop_map(|t| match validate_folder_template(&t) {
            Ok(t) => (t, true),
            Err(_) => (DEFAULT_FOLDER_TEMPLATE.to_string(), true),
        }),
        1 => text().prop_map(|t| (t, false)),
    ]
}

/// A file template; see [`folder_template`].
fn file_template() -> impl Strategy<Value = (String, bool)> {
    let piece = prop_oneof![
        prop::sample::select(
            &[
                "{kind}",
                "{n}",
                "{id}",
                "{title}",
                "{store}",
                "{shop}",
                "{date}",
                "{variant}",
                "[-{variant}]",
                "[ ({variant})]",
                "[_{title}]",
                "-",
                " ",
                "_",
                "商品",
                "😀",
                "CON",
                "x",
                "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长",
            ][..]
        )
        .prop_map(str::to_string),
        nasty_fragment(),
    ];
    let built = (
        prop::collection::vec(piece.clone(), 0..4),
        prop::collection::vec(piece.clone(), 0..3),
        prop::collection::vec(piece, 0..4),
        any::<bool>(),
    )
        .prop_map(|(a, b, c, kind_first)| {
            let (x, y) = if kind_first {
                ("{kind}", "{n}")
            } else {
                ("{n}", "{kind}")
            };
            format!("{}{x}{}{y}{}.{{ext}}", a.concat(), b.concat(), c.concat())
        });
    prop_oneof![
        6 => built.prop_map(|t| match validate_file_template(&t) {
            Ok(t) => (t, true),
            Err(_) => (DEFAULT_FILE_TEMPLATE.to_string(), true),
        }),
        1 => text().prop_map(|t| (t, false)),
    ]
}

/// A download folder as the options page would store it (`check_folder`'s
/// canonical form) — or the default when the text is refused.
fn folder() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("AliSavePro".to_string()),
        3 => text().prop_map(|t| check_folder(&t).unwrap_or_else(|_| "AliSavePro".into())),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    settings: Settings,
    /// Both templates passed validation.
    validated: bool,
    inv: Inventory,
    date: Option<Date>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        folder(),
        folder_template(),
        file_template(),
        any::<[bool; 4]>(),
        prop::sample::select(ImageSize::choices().collect::<Vec<_>>()),
        inventory(),
        prop::option::of((1000u16..=9999, 1u8..=12, 1u8..=31)),
    )
        .prop_map(|(folder, (ft, fv), (nt, nv), k, image_size, inv, d)| Case {
            settings: Settings {
                folder,
                folder_template: ft,
                file_template: nt,
                kinds: Kinds {
                    gallery: k[0],
                    variant: k[1],
                    description: k[2],
                    video: k[3],
                },
                image_size,
                ..Settings::default()
            },
            validated: fv && nv,
            inv,
            date: d.and_then(|(y, m, d)| Date::new(y, m, d)),
        })
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_iters: 4096,
        // No regression files in the repository: failures are pinned below.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every URL of the inventory: `plan_selected_on` then plans every item.
fn all_urls(inv: &Inventory) -> Vec<String> {
    inv.items.iter().map(|i| i.url.clone()).collect()
}

fn all_paths(c: &Case) -> Vec<PlannedFile> {
    let mut files = plan_on(&c.settings, &c.inv, c.date);
    files.extend(plan_selected_on(
        &c.settings,
        &c.inv,
        &all_urls(&c.inv),
        c.date,
    ));
    files
}

// ---------------------------------------------------------------------------
// safe_component and check_folder.

proptest! {
    #![proptest_config(config(1024))]

    /// `safe_component` output is a valid name on Windows, macOS and Linux,
    /// non-empty, within its byte limit, idempotent and deterministic.
    #[test]
    fn safe_component_is_valid_on_all_three_oses(raw in text(), max in prop_oneof![0usize..=255, Just(255usize)]) {
        let s = safe_component(&raw, max);
        check_component(&s, &raw)?;
        check_device(&s, &raw, windows_device)?;
        prop_assert!(s.len() <= max.max(1), "{} bytes > {max}: {s:?}", s.len());
        prop_assert_eq!(&safe_component(&raw, max), &s, "not deterministic");
        prop_assert_eq!(&safe_component(&s, max), &s, "second pass changes {:?}", s);
    }

    /// Any limit, also past 255: never longer than asked, never empty.
    #[test]
    fn safe_component_respects_any_byte_limit(raw in text(), max in 0usize..1000) {
        let s = safe_component(&raw, max);
        prop_assert!(!s.is_empty());
        prop_assert!(s.len() <= max.max(1), "{} bytes > {max}: {s:?}", s.len());
    }

    /// Folders accepted by `check_folder`: relative, every part valid on the
    /// three OSes, within `MAX_FOLDER_CHARS`, canonical (validating again
    /// changes nothing).
    #[test]
    fn check_folder_output_is_safe_and_canonical(raw in text()) {
        if let Ok(f) = check_folder(&raw) {
            check_relative(&f)?;
            for part in f.split('/') {
                check_device(part, &f, windows_device)?;
            }
            prop_assert!(f.chars().count() <= MAX_FOLDER_CHARS, "{f:?}");
            prop_assert_eq!(check_folder(&f), Ok(f.clone()));
        }
    }

    /// Ordinary names in any script come through `safe_component` unchanged.
    #[test]
    fn safe_component_keeps_ordinary_unicode_names(name in ordinary_name()) {
        prop_assert_eq!(safe_component(&name, 255), name);
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// Windows device names, with the full documented list (`COM0`, `LPT0`
    /// included): never produced by `safe_component` or `check_folder`.
    #[test]
    fn no_windows_device_names_full_list(raw in text(), max in 0usize..300) {
        let s = safe_component(&raw, max);
        check_device(&s, &raw, windows_device)?;
        if let Ok(f) = check_folder(&raw) {
            for part in f.split('/') {
                check_device(part, &f, windows_device)?;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Planned paths.

proptest! {
    #![proptest_config(config(512))]

    /// Every segment of every planned path (and of the product folder) is valid
    /// on the three OSes; the path starts with the download folder, does not
    /// climb out of it, and has exactly the template's number of folders.
    #[test]
    fn planned_paths_are_safe_and_stay_inside_the_folder(c in case()) {
        let folder = product_folder_on(&c.settings, &c.inv, c.date);
        check_relative(&folder)?;
        prop_assert!(folder.starts_with(&c.settings.folder), "{folder:?}");
        let depth = c.settings.folder.split('/').count()
            + if c.validated { c.settings.folder_template.split('/').count() } else { 0 };
        for f in all_paths(&c) {
            let p = &f.path;
            check_relative(p)?;
            for seg in p.split('/') {
                check_device(seg, p, windows_device)?;
            }
            prop_assert!(p.starts_with(&format!("{folder}/")), "{p:?} not in {folder:?}");
            prop_assert_eq!(p[folder.len() + 1..].split('/').count(), 1, "{:?}", p);
            if c.validated {
                prop_assert_eq!(p.split('/').count(), depth + 1, "{:?}", p);
            }
            let name = p.rsplit('/').next().unwrap_or_default();
            let (stem, ext) = name.rsplit_once('.').unwrap_or_default();
            prop_assert!(!stem.is_empty() && !ext.is_empty(), "{p:?}");
            prop_assert!(stem.len() <= MAX_STEM_BYTES, "stem {} bytes: {p:?}", stem.len());
            prop_assert!(
                ["jpg", "jpeg", "png", "webp", "gif", "avif", "bmp", "mp4"].contains(&ext),
                "extension {ext:?}: {p:?}"
            );
        }
        let product = folder[c.settings.folder.len()..].trim_start_matches('/');
        for seg in product.split('/').filter(|s| !s.is_empty()) {
            prop_assert!(seg.len() <= MAX_FOLDER_COMPONENT_BYTES, "{seg:?}");
        }
    }

    /// With every device name on Microsoft's list (`COM0`, `LPT0` included).
    #[test]
    fn planned_paths_have_no_windows_device_names_full_list(c in case()) {
        for f in all_paths(&c) {
            for seg in f.path.split('/') {
                check_device(seg, &f.path, windows_device)?;
            }
        }
    }

    /// The whole relative path is within `MAX_PATH_UNITS` UTF-16 units
    /// (validated templates, download folders from `check_folder`).
    #[test]
    fn planned_paths_fit_max_path_units(c in case()) {
        prop_assume!(c.validated);
        for f in all_paths(&c) {
            prop_assert!(
                utf16_units(&f.path) <= MAX_PATH_UNITS,
                "{} UTF-16 units: {:?}", utf16_units(&f.path), f.path
            );
        }
    }

    /// Planning is deterministic, and a file keeps its name whether it is
    /// saved alone (the popup's selection) or with the whole product.
    #[test]
    fn planning_is_deterministic_and_selection_keeps_names(c in case(), pick in any::<prop::sample::Index>()) {
        let a = plan_on(&c.settings, &c.inv, c.date);
        prop_assert_eq!(&a, &plan_on(&c.settings, &c.inv, c.date));
        prop_assert_eq!(
            product_folder_on(&c.settings, &c.inv, c.date),
            product_folder_on(&c.settings, &c.inv, c.date)
        );
        if !c.inv.items.is_empty() {
            let it = &c.inv.items[pick.index(c.inv.items.len())];
            let one = plan_selected_on(&c.settings, &c.inv, std::slice::from_ref(&it.url), c.date);
            let all = plan_selected_on(&c.settings, &c.inv, &all_urls(&c.inv), c.date);
            prop_assert!(one.len() <= 1);
            if let Some(o) = one.first() {
                prop_assert!(all.contains(o), "{o:?} not in {all:?}");
                if c.settings.kinds.allows(it.kind) {
                    prop_assert!(a.contains(o), "{o:?} not in {a:?}");
                }
            }
        }
    }

    /// Two files of one plan never get the same path (with validated
    /// templates, which must contain `{kind}` and `{n}`).
    #[test]
    fn planned_paths_are_distinct(c in case()) {
        prop_assume!(c.validated);
        let files = plan_selected_on(&c.settings, &c.inv, &all_urls(&c.inv), c.date);
        let mut seen = std::collections::BTreeSet::new();
        for f in &files {
            prop_assert!(seen.insert(f.path.to_lowercase()), "duplicate (case-insensitive) {:?} with {:?} / {:?}",
                f.path, c.settings.folder_template, c.settings.file_template);
        }
    }
}

// ---------------------------------------------------------------------------
// Unicode and numbering.

proptest! {
    #![proptest_config(config(512))]

    /// Ordinary titles, store names and variant names in any script survive in
    /// the folder and file names as they are.
    #[test]
    fn unicode_names_are_kept(title in ordinary_name(), store in ordinary_name(), variant in ordinary_name()) {
        let settings = Settings {
            folder_template: "{title}-{id}/{store}".into(),
            ..Settings::default()
        };
        let inv = Inventory {
            platform: Some(Platform::AliExpress),
            product_id: "1005".into(),
            title: Some(title.clone()),
            shop: Some(store.clone()),
            items: vec![item(MediaKind::Variant, 0, "jpg", Some(variant.clone()))],
            ..Inventory::default()
        };
        let files = plan_on(&settings, &inv, None);
        prop_assert_eq!(files.len(), 1);
        prop_assert_eq!(
            &files[0].path,
            &format!("AliSavePro/{title}-1005/{store}/variant-01-{variant}.jpg")
        );
        prop_assert_eq!(
            product_folder_on(&settings, &inv, None),
            format!("AliSavePro/{title}-1005/{store}")
        );
    }

    /// Numbering per kind runs 1..=count in page order, zero-padded to the
    /// count's width (at least 2: 01..10, 001..100), whatever the title.
    #[test]
    fn numbering_is_stable_and_zero_padded(
        counts in prop::collection::vec(prop_oneof![1usize..12, 95usize..=101, Just(10usize), Just(100usize)], 4),
        title in text(),
        variant in text(),
    ) {
        let mut inv = Inventory {
            platform: Some(Platform::AliExpress),
            product_id: "1005".into(),
            title: Some(title),
            ..Inventory::default()
        };
        for (kind, &n) in MediaKind::ALL.iter().zip(&counts) {
            for i in 0..n {
                let v = (*kind == MediaKind::Variant).then(|| format!("{variant}{i}"));
                let idx = inv.items.len();
                inv.items.push(item(*kind, idx, "jpg", v));
            }
        }
        // `{title}` in the name too: shortening it must not touch the numbers.
        let settings = Settings {
            file_template: "{title} {kind}-{n}[-{variant}].{ext}".into(),
            ..Settings::default()
        };
        let files = plan_on(&settings, &inv, None);
        for (kind, &n) in MediaKind::ALL.iter().zip(&counts) {
            let width = n.to_string().len().max(2);
            let names: Vec<&str> = files
                .iter()
                .filter(|f| f.kind == *kind)
                .map(|f| f.path.rsplit('/').next().unwrap_or_default())
                .collect();
            prop_assert_eq!(names.len(), n);
            for (i, name) in names.iter().enumerate() {
                let want = format!("{}-{:0width$}", kind.as_str(), i + 1);
                let found = name.match_indices(&want).any(|(at, _)| {
                    (at == 0 || name[..at].ends_with(' '))
                        && name[at + want.len()..].starts_with(['.', '-'])
                });
                prop_assert!(found, "{name:?} lacks {want:?}");
            }
        }
    }
}

/// The examples the brief names, pinned.
#[test]
fn zero_padding_examples() {
    for (n, first, last) in [
        (9, "gallery-01.jpg", "gallery-09.jpg"),
        (10, "gallery-01.jpg", "gallery-10.jpg"),
        (100, "gallery-001.jpg", "gallery-100.jpg"),
    ] {
        let inv = Inventory {
            platform: Some(Platform::AliExpress),
            product_id: "1005".into(),
            items: (0..n)
                .map(|i| item(MediaKind::Gallery, i, "jpg", None))
                .collect(),
            ..Inventory::default()
        };
        let files = plan_on(&Settings::default(), &inv, None);
        assert_eq!(files.len(), n);
        assert_eq!(files[0].path, format!("AliSavePro/aliexpress-1005/{first}"));
        assert_eq!(
            files[n - 1].path,
            format!("AliSavePro/aliexpress-1005/{last}")
        );
    }
}

/// The oracle itself, on names whose status is known.
#[test]
fn oracles_know_the_rules() {
    for bad in [
        "CON",
        "con.txt",
        "nul .txt",
        "COM¹",
        "lpt³.jpg",
        "Aux.tar.gz",
        "COM0",
        "LPT0.x",
    ] {
        assert!(windows_device(bad).is_some(), "{bad}");
    }
    for ok in ["COM10", "CONX", "_CON", "xnul", "LPT", "COM⁴"] {
        assert!(windows_device(ok).is_none(), "{ok}");
    }
    for bad in ["a.", "a ", "a:b", "a\u{1f}", "a|", &"é".repeat(256)] {
        assert!(windows_violation(bad).is_some(), "{bad}");
    }
    assert!(windows_violation(&"é".repeat(255)).is_none());
    assert!(macos_violation("a:b").is_some() && macos_violation(&"é".repeat(128)).is_some());
    assert!(linux_violation("..").is_some() && linux_violation("a:b").is_none());
}

/// Download folders `check_folder` accepts that are long in UTF-16 units
/// (astral characters count 2): up to 120 characters, 60 bytes a part.
fn long_folder() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["😀", "𝔘", "a", "é", "漢", "\u{1F3FD}", "ﷺ"][..]),
        1usize..=60,
        1usize..=8,
    )
        .prop_filter_map("refused folder", |(c, n, parts)| {
            check_folder(&vec![c.repeat(n); parts].join("/")).ok()
        })
}

proptest! {
    #![proptest_config(config(256))]

    /// `MAX_PATH_UNITS` with the longest folders `check_folder` accepts.
    #[test]
    fn long_download_folders_fit_max_path_units(folder in long_folder(), c in case()) {
        prop_assume!(c.validated);
        let c = Case { settings: Settings { folder, ..c.settings }, ..c };
        for f in all_paths(&c) {
            check_relative(&f.path)?;
            prop_assert!(
                utf16_units(&f.path) <= MAX_PATH_UNITS,
                "{} UTF-16 units: {:?}", utf16_units(&f.path), f.path
            );
        }
    }

    /// The same folders, with the units they really take: the files still fit
    /// (checks everything but the budget the folder itself exceeds).
    #[test]
    fn long_download_folders_leave_valid_names(folder in long_folder(), c in case()) {
        let c = Case { settings: Settings { folder, ..c.settings }, ..c };
        for f in all_paths(&c) {
            check_relative(&f.path)?;
            for seg in f.path.split('/') {
                check_device(seg, &f.path, windows_device)?;
            }
        }
    }
}

fn gallery(n: usize) -> Inventory {
    Inventory {
        platform: Some(Platform::AliExpress),
        product_id: "1005".into(),
        items: (0..n)
            .map(|i| item(MediaKind::Gallery, i, "jpg", None))
            .collect(),
        ..Inventory::default()
    }
}

/// Minimal input of `no_windows_device_names_full_list` and
/// `planned_paths_have_no_windows_device_names_full_list`.
#[test]
fn com0_and_lpt0_are_reserved() {
    for name in ["COM0", "com0.txt", "LPT0", "lpt0 .jpg"] {
        let s = safe_component(name, 100);
        assert!(
            windows_device(&s).is_none(),
            "safe_component({name:?}) = {s:?}"
        );
    }
    let folder = check_folder("LPT0").unwrap_or_default();
    assert!(
        windows_device(&folder).is_none(),
        "check_folder: {folder:?}"
    );
}

/// Minimal input of `planned_paths_are_distinct`.
#[test]
fn long_literal_template_keeps_numbers() {
    let t = format!("{{kind}}{}{{n}}.{{ext}}", "长".repeat(31));
    let settings = Settings {
        file_template: validate_file_template(&t).expect("a valid template"),
        ..Settings::default()
    };
    let files = plan_on(&settings, &gallery(2), None);
    assert_ne!(files[0].path, files[1].path);
}

/// Minimal input of `long_download_folders_fit_max_path_units` (was a bug:
/// `check_folder` counted characters, so 120 emoji were 240 UTF-16 units).
#[test]
fn wide_download_folder_overflows_max_path_units() {
    assert_eq!(
        check_folder(&vec!["😀".repeat(15); 7].join("/")),
        Err(alisave_core::settings::FolderError::TooLong),
        "105 emoji are 210 UTF-16 units"
    );
    // The widest emoji folder accepted still leaves room for distinct names.
    let folder = check_folder(&vec!["😀".repeat(19); 3].join("/")).expect("accepted");
    let settings = Settings {
        folder,
        ..Settings::default()
    };
    let files = plan_on(&settings, &gallery(2), None);
    for f in &files {
        assert!(utf16_units(&f.path) <= MAX_PATH_UNITS, "{}", f.path);
    }
    assert_ne!(files[0].path, files[1].path);
}

// ---------------------------------------------------------------------------
// Buyer review photos (issue #15): `<product folder>/reviews[/<variant>]/<name>`.

/// Review templates: valid ones built from the review placeholders, and any text.
fn review_template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(
            &[
                "{stars}",
                "{review}",
                "{date}",
                "{variant}",
                "-",
                "_",
                " ",
                "star",
                "review"
            ][..]
        )
        .prop_map(str::to_string),
        prop::sample::select(&["[-{stars}]", "[-{date}]", "[ {variant}]", "[{review}-]"][..])
            .prop_map(str::to_string),
        nasty_fragment(),
    ];
    prop_oneof![
        1 => Just(DEFAULT_REVIEW_TEMPLATE.to_string()),
        4 => (prop::collection::vec(piece.clone(), 0..4), prop::collection::vec(piece, 0..4))
            .prop_map(|(a, b)| format!("{}{{n}}{}.{{ext}}", a.concat(), b.concat())),
        1 => text(),
    ]
}

fn review_values() -> impl Strategy<Value = ReviewValues> {
    (
        prop_oneof![Just(String::new()), (1u8..=5).prop_map(|s| s.to_string())],
        prop_oneof![(0u64..u64::MAX).prop_map(|n| n.to_string()), text(),],
        prop_oneof![Just(String::new()), Just("2025-11-22".to_string())],
        prop_oneof![Just(String::new()), ordinary_name(), text()],
        prop::sample::select(&["jpg", "jpeg", "png", "webp", "mp4"][..]),
    )
        .prop_map(|(stars, review, date, variant, ext)| ReviewValues {
            stars,
            review,
            date,
            variant,
            n: String::new(),
            ext: ext.to_string(),
        })
}

proptest! {
    #![proptest_config(config(512))]

    /// Every review photo's path is valid on the three OSes, inside the
    /// product's `reviews` folder (one variant folder at most), within the
    /// stem and path limits when the template is valid, and distinct.
    #[test]
    fn review_paths_are_safe_distinct_and_inside_reviews(
        c in case(),
        template in review_template(),
        values in prop::collection::vec(review_values(), 1..12),
    ) {
        let folder = product_folder_on(&c.settings, &c.inv, c.date);
        let namer = ReviewNamer::new(&folder, &template);
        let valid = validate_review_template(&template).is_ok();
        let width = values.len().to_string().len().max(2);
        let mut seen = std::collections::BTreeSet::new();
        for (i, v) in values.iter().enumerate() {
            let v = ReviewValues { n: format!("{:0width$}", i + 1), ..v.clone() };
            let p = namer.path(&v);
            check_relative(&p)?;
            for seg in p.split('/') {
                check_device(seg, &p, windows_device)?;
            }
            let base = format!("{folder}/reviews/");
            prop_assert!(p.starts_with(&base), "{p:?} not in {base:?}");
            let rest = &p[base.len()..];
            prop_assert!(rest.split('/').count() <= 2, "{p:?}");
            let name = p.rsplit('/').next().unwrap_or_default();
            let (stem, ext) = name.rsplit_once('.').unwrap_or_default();
            prop_assert!(!stem.is_empty() && ext == v.ext, "{p:?}");
            prop_assert!(stem.len() <= MAX_STEM_BYTES, "stem {} bytes: {p:?}", stem.len());
            if valid && c.validated {
                prop_assert!(utf16_units(&p) <= MAX_PATH_UNITS, "{} units: {p:?}", utf16_units(&p));
            }
            // The number is in every name: names differ (also on
            // case-insensitive systems).
            prop_assert!(seen.insert(name.to_lowercase()), "duplicate {name:?} ({template:?})");
        }
    }
}
