//! Invariant checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! Each `check_*` function takes the raw fuzz bytes, runs one part of
//! `alisave-core` on them and panics (so libFuzzer records a crash) when an
//! invariant does not hold. They are plain functions so that `cargo test` in
//! this folder can replay the seed corpus and `regressions/` on stable Rust
//! without libFuzzer (see `tests` below).

use alisave_core::extract::{description_urls, extract, Document, PageInput};
use alisave_core::filename::safe_component;
use alisave_core::settings::{self, validate_folder};
use alisave_core::url::{
    cdn_key, is_cdn_media_url, media_extension, original_url, preview_url, product_page,
};
use alisave_core::MediaKind;
use std::collections::HashSet;

// ---------------------------------------------------------------------------
// Structured input of the `extract` target.

/// Real product page URLs (from tests/fixtures/real and the core tests).
pub const PAGE_URLS: &[&str] = &[
    "https://he.aliexpress.com/item/32993251330.html",
    "https://es.aliexpress.com/item/1005006427599086.html",
    "https://www.aliexpress.com/item/1005002724686123.html",
    "https://www.aliexpress.us/item/1005007000000001.html",
    "https://www.aliexpress.com/item/Old-Item-Slug/32993251331.html",
    "https://aliexpress.ru/item/1005008195850531.html",
    "https://m.aliexpress.ru/item/1005005933779962.html?sku_id=1",
    "https://www.alibaba.com/product-detail/Synthetic-Wireless-Earbuds_1600123456789.html?spm=a2700",
    "https://de.aliexpress.com/i/1005006000000001.html",
    "https://example.com/whatever",
    "https://www.aliexpress.com/item/1005008000000001.html",
    "https://www.alibaba.com/product-detail/Legacy_62012345678.html",
];

/// Document URLs the extractor recognises (mtop JSONP, description documents,
/// aliexpress.ru productData / widget, Alibaba desc.htm).
pub const DOC_URLS: &[&str] = &[
    "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&api=mtop.aliexpress.pdp.pc.query&type=originaljsonp&callback=mtopjsonp1",
    "https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=1005007000000001&key=S1.zip&token=t",
    "https://aeproductsourcesite.alicdn.com/product/description/native/v2/en_US/desc.json?productId=1005007000000001",
    "https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?productId=1005008195850531",
    "https://aliexpress.ru/aer-jsonapi/v1/widget?uuid=1&productId=1005008195850531",
    "https://www.alibaba.com/event/app/mainAction/desc.htm?detailId=1600123456789&language=en",
];

/// Separates the parts of an `extract` input (ASCII record separator).
pub const SEP: u8 = 0x1e;

/// Most documents built from one input.
pub const MAX_DOCS: usize = 3;

/// A decoded `extract` input.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: String,
    pub html: String,
    pub documents: Vec<Document>,
}

/// Splits off the first line (the URL) of a part.
fn first_line(s: &str) -> (String, String) {
    match s.split_once('\n') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (s.to_string(), String::new()),
    }
}

/// Decodes fuzz bytes into a page.
///
/// Layout: `SEL HTML [0x1E D DOC]{0,3}` where
/// * `SEL % (n + 2)` (n = `PAGE_URLS.len()`) picks the page URL: `< n` is a
///   table entry; `n` takes the URL from the first line of HTML; `n + 1`
///   appends that first line to table entry `SEL / (n + 2) % n` (queries,
///   fragments, trailing junk);
/// * each document part starts with a byte `D`: `D % (m + 1) < m`
///   (m = `DOC_URLS.len()`) picks a table URL and the rest is the body;
///   otherwise the first line is the URL and the rest the body;
/// * text is decoded as lossy UTF-8; parts after the third document are ignored.
pub fn decode_page(data: &[u8]) -> Page {
    let Some((&sel, rest)) = data.split_first() else {
        return Page {
            url: PAGE_URLS[0].to_string(),
            html: String::new(),
            documents: Vec::new(),
        };
    };
    let mut parts = rest.split(|&b| b == SEP);
    let html_part = String::from_utf8_lossy(parts.next().unwrap_or(&[])).into_owned();
    let n = PAGE_URLS.len();
    let k = usize::from(sel) % (n + 2);
    let (url, html) = if k < n {
        (PAGE_URLS[k].to_string(), html_part)
    } else {
        let (line, html) = first_line(&html_part);
        if k == n {
            (line, html)
        } else {
            let base = PAGE_URLS[usize::from(sel) / (n + 2) % n];
            (format!("{base}{line}"), html)
        }
    };
    let m = DOC_URLS.len();
    let mut documents = Vec::new();
    for part in parts.take(MAX_DOCS) {
        let Some((&d, body)) = part.split_first() else {
            continue;
        };
        let body = String::from_utf8_lossy(body).into_owned();
        let j = usize::from(d) % (m + 1);
        let (url, body) = if j < m {
            (DOC_URLS[j].to_string(), body)
        } else {
            first_line(&body)
        };
        documents.push(Document { url, body });
    }
    Page {
        url,
        html,
        documents,
    }
}

/// Encodes a page for the seed corpus (inverse of [`decode_page`] for table URLs).
pub fn encode_page(url_index: u8, html: &str, docs: &[(u8, &str)]) -> Vec<u8> {
    let mut out = vec![url_index];
    out.extend_from_slice(html.as_bytes());
    for (d, body) in docs {
        out.push(SEP);
        out.push(*d);
        out.extend_from_slice(body.as_bytes());
    }
    out
}

// ---------------------------------------------------------------------------
// Invariants.

/// Target `extract`: `extract` (and, for one input in four, `description_urls`)
/// on a structured page.
pub fn check_extract(data: &[u8]) {
    let page = decode_page(data);
    let input = PageInput {
        url: &page.url,
        html: &page.html,
        documents: &page.documents,
    };
    let inv = extract(&input);
    let mut keys = HashSet::new();
    for item in &inv.items {
        assert!(
            is_cdn_media_url(&item.url),
            "item URL is not a CDN media URL: {item:?}"
        );
        assert!(keys.insert(item.key.as_str()), "duplicate key: {item:?}");
        // Items carry normalised URLs and the key of that URL.
        assert_eq!(
            original_url(&item.url).as_deref(),
            Some(item.url.as_str()),
            "item URL is not normalised: {item:?}"
        );
        assert_eq!(item.key, cdn_key(&item.url), "key of {item:?}");
        let is_mp4 = item
            .url
            .split(['?', '#'])
            .next()
            .is_some_and(|p| p.to_ascii_lowercase().ends_with(".mp4"));
        assert_eq!(
            item.kind == MediaKind::Video,
            is_mp4,
            "kind/type mismatch: {item:?}"
        );
        if let Some(p) = &item.preview {
            assert!(is_cdn_media_url(p), "preview off CDN: {item:?}");
        }
        if let Some(p) = &item.poster {
            assert!(is_cdn_media_url(p), "poster off CDN: {item:?}");
        }
        assert!(
            item.variant.is_none() || item.kind == MediaKind::Variant,
            "variant label on a non-variant item: {item:?}"
        );
    }
    // Items are grouped by kind in the documented order.
    let order: Vec<usize> = inv
        .items
        .iter()
        .map(|i| {
            MediaKind::ALL
                .iter()
                .position(|k| *k == i.kind)
                .unwrap_or(9)
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "items not grouped by kind"
    );
    assert!(
        inv.product_id.bytes().all(|b| b.is_ascii_digit()),
        "product id {:?}",
        inv.product_id
    );

    // `description_urls` runs the whole extraction again; checking it on one
    // input in four (length a multiple of 4) keeps most of the speed.
    if !data.len().is_multiple_of(4) {
        return;
    }
    let urls = description_urls(&input);
    let mut seen = HashSet::new();
    for u in &urls {
        assert!(u.starts_with("https://"), "description URL {u:?}");
        assert!(
            !u.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\\'),
            "description URL {u:?}"
        );
        assert!(seen.insert(u.as_str()), "duplicate description URL {u:?}");
    }
}

/// Lowercase path (before `?`/`#`) ends with `.mp4`.
fn is_mp4_url(u: &str) -> bool {
    u.split(['?', '#'])
        .next()
        .is_some_and(|p| p.to_ascii_lowercase().ends_with(".mp4"))
}

/// Debug-prints a string, shortened when long (crash messages stay readable).
struct Clip<'a>(&'a str);

impl std::fmt::Debug for Clip<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.chars().count() <= 160 {
            return write!(f, "{:?}", self.0);
        }
        let head: String = self.0.chars().take(80).collect();
        let tail: Vec<char> = self.0.chars().rev().take(40).collect();
        let tail: String = tail.into_iter().rev().collect();
        write!(f, "{head:?}…{tail:?} ({} bytes)", self.0.len())
    }
}

/// Target `url`: the URL rules on an arbitrary string.
pub fn check_url(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    let sd = Clip(s);
    let orig = original_url(s);
    if let Some(o) = &orig {
        let od = Clip(o);
        assert!(is_cdn_media_url(o), "original_url({sd:?}) = {od:?} not CDN");
        assert!(o.starts_with("https://"), "original_url({sd:?}) = {od:?}");
        assert!(
            !o.contains('#'),
            "original_url({sd:?}) = {od:?} has a fragment"
        );
        if !is_mp4_url(o) {
            assert!(
                !o.contains('?'),
                "original_url({sd:?}) = {od:?}: image keeps a query"
            );
        }
        assert_eq!(
            original_url(o).as_deref(),
            Some(o.as_str()),
            "original_url is not a fixed point for {sd:?}"
        );
        assert_eq!(
            cdn_key(s),
            cdn_key(o),
            "cdn_key changes under normalisation of {sd:?}"
        );
        assert_eq!(
            media_extension(s),
            media_extension(o),
            "media_extension changes under normalisation of {sd:?}"
        );
        assert!(
            media_extension(o).is_some(),
            "normalised URL without a media extension: {od:?}"
        );
    }
    if let Some(p) = product_page(s) {
        assert!(
            (4..=20).contains(&p.product_id.len())
                && p.product_id.bytes().all(|b| b.is_ascii_digit()),
            "product_page({sd:?}) = {p:?}"
        );
        assert!(
            !p.host.is_empty()
                && p.host.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'.'
                    || b == b'-'),
            "product_page({sd:?}) = {p:?}"
        );
    }
    let key = cdn_key(s);
    if orig.is_some() {
        assert!(
            key.starts_with("kf:") || key.starts_with("video:") || key.starts_with("path:"),
            "cdn_key({sd:?}) = {key:?}"
        );
    }
    if let Some(pv) = preview_url(s) {
        let pvd = Clip(&pv);
        let o = orig.as_deref().unwrap_or_default();
        assert!(
            pv.starts_with(o) && pv.len() > o.len(),
            "preview_url({sd:?}) = {pvd:?}"
        );
        assert!(is_cdn_media_url(&pv), "preview_url({sd:?}) = {pvd:?}");
        assert!(
            pv.starts_with(o) && pv.len() > o.len(),
            "preview_url({sd:?}) = {pvd:?}"
        );
        assert!(!is_mp4_url(&pv), "preview of a video: {pvd:?}");
        // The thumbnail is a transform of the original: it normalises back.
        assert_eq!(
            original_url(&pv),
            orig,
            "preview_url({sd:?}) = {pvd:?} does not normalise back"
        );
    }
    if let Some(e) = media_extension(s) {
        assert!(
            ["jpg", "jpeg", "png", "webp", "gif", "avif", "bmp", "mp4"].contains(&e),
            "media_extension({sd:?}) = {e:?}"
        );
    }
}

/// Target `settings`: `settings::load` on arbitrary JSON.
pub fn check_settings(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let (s, _warnings) = settings::load(Some(&v));
    assert_eq!(s.schema_version, settings::SCHEMA_VERSION);
    assert_eq!(
        validate_folder(&s.folder).as_ref(),
        Ok(&s.folder),
        "loaded folder is not canonical: {:?}",
        s.folder
    );
    // What we store loads back unchanged and without warnings.
    let (back, w) = settings::load(Some(&settings::to_stored(&s)));
    assert_eq!(back, s, "settings do not round-trip");
    assert!(w.is_empty(), "round trip warned: {w:?}");
}

/// Why a name is a Windows device name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserved {
    /// `CON`, `com1.txt`… (what `safe_component` already handles).
    Plain,
    /// `COM¹`, `lpt³.jpg`: superscript digits ¹²³ count as digits.
    Superscript,
    /// `nul .txt`, `CON  .x`: spaces before the extension are ignored.
    TrailingSpace,
}

/// Whether `name` is a Windows device name, per "Naming Files, Paths, and
/// Namespaces": `CON`, `PRN`, `AUX`, `NUL`, `COM0`-`COM9`, `COM¹`-`COM³`,
/// `LPT0`-`LPT9`, `LPT¹`-`LPT³`, case-insensitive, also with an extension
/// (`NUL.tar.gz`); Win32 path parsing also drops spaces at the end of the
/// stem (`nul .txt`).
pub fn windows_reserved(name: &str) -> Option<Reserved> {
    let stem = name.split('.').next().unwrap_or("");
    let trimmed = stem.trim_end_matches(' ');
    let upper = trimmed.to_ascii_uppercase();
    let kind = if matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL") {
        Reserved::Plain
    } else {
        let rest = upper
            .strip_prefix("COM")
            .or_else(|| upper.strip_prefix("LPT"))?;
        let mut chars = rest.chars();
        match (chars.next(), chars.next()) {
            (Some('0'..='9'), None) => Reserved::Plain,
            (Some('\u{b9}' | '\u{b2}' | '\u{b3}'), None) => Reserved::Superscript,
            _ => return None,
        }
    };
    if trimmed.len() != stem.len() && kind == Reserved::Plain {
        return Some(Reserved::TrailingSpace);
    }
    Some(kind)
}

/// Asserts that `name` is not a Windows device name.
fn assert_not_reserved(name: &str, what: &str, raw: &str) {
    if let Some(kind) = windows_reserved(name) {
        panic!("{what} {name:?} is a Windows device name ({kind:?}), from {raw:?}");
    }
}

/// Target `filename`: `safe_component` (and `validate_folder`) invariants.
///
/// Input: two bytes of `max_bytes` (little endian, modulo 300), then the name.
pub fn check_filename(data: &[u8]) {
    let (max, raw) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])) % 300, rest),
        _ => (100, data),
    };
    let raw = String::from_utf8_lossy(raw);
    let s = safe_component(&raw, max);
    assert!(!s.is_empty(), "empty for {raw:?}");
    let limit = max.max(1);
    assert!(
        s.len() <= limit,
        "too long ({} > {max}): {s:?} from {raw:?}",
        s.len()
    );
    for c in s.chars() {
        assert!(
            !c.is_control() && !"/\\:*?\"<>|".contains(c),
            "forbidden char {c:?} in {s:?} (from {raw:?})"
        );
    }
    assert!(
        !s.starts_with([' ', '.']),
        "leading dot/space: {s:?} from {raw:?}"
    );
    assert!(
        !s.ends_with([' ', '.']),
        "trailing dot/space: {s:?} from {raw:?}"
    );
    assert_not_reserved(&s, "safe_component", &raw);
    // Already-safe names are left alone.
    assert_eq!(
        safe_component(&s, s.len().max(max)),
        s,
        "not idempotent: {s:?}"
    );

    // Folder validation: canonical output validates to itself, safe parts.
    if let Ok(f) = validate_folder(&raw) {
        for part in f.split('/') {
            assert_not_reserved(part, "validate_folder part", &raw);
        }
        assert_eq!(
            validate_folder(&f).as_ref(),
            Ok(&f),
            "validate_folder not idempotent for {raw:?}"
        );
    }
}

/// Target `pack`: the saver page's byte readers on arbitrary bytes — type
/// sniffing, animation detection (the chunk walks whose offsets once wrapped on
/// wasm32) and the original-bytes check — and the CDN fallbacks of a URL.
///
/// Input: one byte choosing the URL's extension, then the file's bytes.
pub fn check_pack(data: &[u8]) {
    use alisave_core::media::{
        check_bytes, fallback_urls, is_animated, sniff, AnimationScan, BytesProblem, Sniffed,
    };
    const EXTS: [&str; 8] = ["jpg", "png", "webp", "gif", "mp4", "avif", "jpeg", "bmp"];
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let ext = EXTS[usize::from(sel) % EXTS.len()];
    let url = format!("https://ae01.alicdn.com/kf/Sfuzz0000000000000000000000000001.{ext}");
    let kind = sniff(bytes);
    // The saver scans a download in the pieces it arrives in: any cut, same answer.
    let cut = usize::from(sel).min(bytes.len());
    let mut scan = AnimationScan::new();
    scan.feed(&bytes[..cut]);
    scan.feed(&bytes[cut..]);
    assert_eq!(scan.finish(), is_animated(bytes), "cut at {cut}");
    if is_animated(bytes) {
        assert!(
            matches!(kind, Some(Sniffed::Gif | Sniffed::Webp | Sniffed::Png)),
            "animated but sniffed as {kind:?}"
        );
    }
    match check_bytes(&url, "application/octet-stream", bytes) {
        Ok(k) => assert_eq!(Some(k), kind, "checked type differs from the sniffed one"),
        Err(BytesProblem::Empty) => assert!(bytes.is_empty()),
        Err(BytesProblem::NotMedia { .. }) => assert_eq!(kind, None),
        Err(_) => assert!(kind.is_some(), "a media problem without media"),
    }
    for f in fallback_urls(&url) {
        assert!(is_cdn_media_url(&f), "fallback off CDN: {f}");
        assert_ne!(f, url, "the fallback is the URL itself");
    }
}

#[cfg(test)]
mod tests {
    //! Replays the seed corpus and the saved crash inputs on stable Rust.
    use super::*;
    use std::path::Path;

    fn replay(dir: &str, target: &str, check: fn(&[u8])) {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let Ok(rd) = std::fs::read_dir(here.join(dir).join(target)) else {
            return;
        };
        let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        let mut failed = Vec::new();
        for p in paths {
            if p.is_file()
                && p.file_name()
                    .is_some_and(|n| n != ".gitkeep" && n != "README.md")
            {
                let data = std::fs::read(&p).expect("read");
                if std::panic::catch_unwind(|| check(&data)).is_err() {
                    failed.push(p.display().to_string());
                }
            }
        }
        assert!(failed.is_empty(), "failing inputs: {failed:#?}");
    }

    /// The seed corpus passes every check.
    #[test]
    fn corpus_passes() {
        replay("corpus", "extract", check_extract);
        replay("corpus", "url", check_url);
        replay("corpus", "settings", check_settings);
        replay("corpus", "filename", check_filename);
        replay("corpus", "pack", check_pack);
    }

    /// The pack seeds are what their names say (so the target starts from real
    /// shapes, the crafted chunk lengths included).
    #[test]
    fn pack_seeds_are_what_they_say() {
        use alisave_core::media::{is_animated, sniff, Sniffed};
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/pack");
        let read = |n: &str| std::fs::read(dir.join(n)).expect("seed")[1..].to_vec();
        for (name, kind, animated) in [
            ("png-still", Some(Sniffed::Png), false),
            ("apng", Some(Sniffed::Png), true),
            ("png-huge-chunk", Some(Sniffed::Png), false),
            ("webp-still", Some(Sniffed::Webp), false),
            ("webp-anim", Some(Sniffed::Webp), true),
            ("webp-huge-chunk", Some(Sniffed::Webp), false),
            ("gif-two-frames", Some(Sniffed::Gif), true),
            ("html-error-page", None, false),
            ("mp4", Some(Sniffed::Mp4), false),
        ] {
            let b = read(name);
            assert_eq!(sniff(&b), kind, "{name}");
            assert_eq!(is_animated(&b), animated, "{name}");
        }
    }

    /// The real-data seeds reach the extractors (they find media).
    #[test]
    fn real_seeds_find_media() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/extract");
        let mut n = 0;
        for e in std::fs::read_dir(dir).expect("corpus").flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let data = std::fs::read(e.path()).expect("read");
            let page = decode_page(&data);
            let inv = extract(&PageInput {
                url: &page.url,
                html: &page.html,
                documents: &page.documents,
            });
            eprintln!(
                "{name}: {} items, {} warnings",
                inv.items.len(),
                inv.warnings.len()
            );
            if name.starts_with("real-") {
                assert!(!inv.items.is_empty(), "{name}: {:?}", inv.warnings);
                n += 1;
            }
        }
        assert!(n >= 4);
    }

    // Crash inputs found so far (see regressions/README.md); each test fails
    // until the core bug behind its inputs is fixed.
    #[test]
    fn regressions_extract() {
        replay("regressions", "extract", check_extract);
    }
    #[test]
    fn regressions_url() {
        replay("regressions", "url", check_url);
    }
    #[test]
    fn regressions_settings() {
        replay("regressions", "settings", check_settings);
    }
    #[test]
    fn regressions_filename() {
        replay("regressions", "filename", check_filename);
    }

    #[test]
    fn decode_round_trip() {
        let bytes = encode_page(
            1,
            "<html></html>",
            &[(0, "cb({})"), (6, "https://x/\nbody")],
        );
        let p = decode_page(&bytes);
        assert_eq!(p.url, PAGE_URLS[1]);
        assert_eq!(p.html, "<html></html>");
        assert_eq!(p.documents.len(), 2);
        assert_eq!(p.documents[0].url, DOC_URLS[0]);
        assert_eq!(p.documents[1].url, "https://x/");
        assert_eq!(p.documents[1].body, "body");
    }

    #[test]
    fn windows_names() {
        let cases = [
            ("CON", Some(Reserved::Plain)),
            ("con.txt", Some(Reserved::Plain)),
            ("lpt9.a.b", Some(Reserved::Plain)),
            ("Nul .x", Some(Reserved::TrailingSpace)),
            ("COM\u{b9}", Some(Reserved::Superscript)),
            ("lpt\u{b3}.jpg", Some(Reserved::Superscript)),
            ("_CON", None),
            ("COM10", None),
            ("COM0", Some(Reserved::Plain)),
            ("lpt0.txt", Some(Reserved::Plain)),
            ("CONX", None),
            ("LPT", None),
            ("x.CON", None),
            (" CON", None),
        ];
        for (n, want) in cases {
            assert_eq!(windows_reserved(n), want, "{n}");
        }
    }
}
