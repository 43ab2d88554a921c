//! URL rules: shop product pages, CDN hosts, original-resolution normalisation.
//!
//! Everything here is a small hand-written parser on purpose: the only URLs we
//! accept are `http(s)://host/path` on a short list of known hosts, so a full
//! WHATWG URL parser (and its IDNA tables) would add weight to the wasm build
//! without making the checks safer. The parser is deliberately *strict*:
//! anything unusual (userinfo, backslashes, control characters, percent signs
//! or IP literals in the host, explicit non-default ports) is rejected rather
//! than interpreted.
//!
//! Decisions (see the shops' page formats (`docs/page-formats.md`) §4):
//! * images lose their query string and fragment (alicdn images carry none that
//!   matter; description images carry `?size=&height=&width=&hash=` hints);
//! * videos keep their query string (signed video URLs such as
//!   `…mp4?auth_key=…` stop working without it; Alibaba's
//!   `gv.videocdn.alibaba.com/…mp4?bizCode=icbu_vod_video` renditions are kept
//!   exactly as the page data names them) but lose the fragment; the dedupe key
//!   ignores the query either way;
//! * previews use the thumbnail forms seen in real data: AliExpress
//!   `<orig>_250x250.<ext>` (Era B `image250PathList`, also `.jpeg_250x250.jpeg`),
//!   Alibaba `<orig>_300x300.jpg` for `.jpg` and `_250x250.<ext>` for
//!   `.jpeg`/`.png`; no preview for videos, `img.alicdn.com`, or formats
//!   without a documented thumbnail form.

use crate::Platform;
use std::borrow::Cow;

/// A recognised shop product page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPage {
    /// Which shop.
    pub platform: Platform,
    /// Product id (ASCII digits).
    pub product_id: String,
    /// Lowercase host of the page (`he.aliexpress.com`).
    pub host: String,
}

/// Longest URL we look at; anything longer is not a product or media URL.
const MAX_URL_LEN: usize = 8192;

/// Image extensions after which a CDN transform suffix (`_…`) may follow.
const IMAGE_EXTS: [&str; 7] = ["jpg", "jpeg", "png", "webp", "gif", "avif", "bmp"];

/// A parsed absolute URL (only the parts we need).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed<'a> {
    /// Lowercase scheme (`https`), borrowed when the input already is.
    scheme: Cow<'a, str>,
    /// Lowercase host, without a trailing dot, borrowed when the input already is.
    host: Cow<'a, str>,
    /// Path, starting with `/` (or empty).
    path: &'a str,
    /// Query without the `?`, when present.
    query: Option<&'a str>,
}

/// Parses `scheme://host[:port]/path?query#fragment` strictly.
fn parse(url: &str) -> Option<Parsed<'_>> {
    if url.is_empty() || url.len() > MAX_URL_LEN {
        return None;
    }
    // No whitespace, control characters or backslashes anywhere: browsers
    // treat `\` like `/` in special URLs, which enables host confusion.
    if has_forbidden_char(url) {
        return None;
    }
    // Byte searches for the ASCII delimiters (their offsets are character
    // boundaries): `str::find` with a char pattern decodes every character,
    // and this runs several times for each media URL of a page.
    let colon = find_byte(url, |b| b == b':')?;
    let scheme = url.get(..colon)?;
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let rest = url.get(colon + 1..)?.strip_prefix("//")?;
    let auth_end = find_byte(rest, |b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let authority = rest.get(..auth_end)?;
    let after = rest.get(auth_end..)?;
    if find_byte(authority, |b| b == b'@').is_some() {
        return None;
    }
    let scheme = ascii_lower(scheme);
    let (host, port) = match rfind_byte(authority.as_bytes(), b':') {
        Some(i) => (authority.get(..i)?, Some(authority.get(i + 1..)?)),
        None => (authority, None),
    };
    if let Some(port) = port {
        let default = match &*scheme {
            "https" => "443",
            "http" => "80",
            _ => return None,
        };
        // An empty port (`host:`) means the default one.
        if !port.is_empty() && port != default {
            return None;
        }
    }
    let host = ascii_lower(host.strip_suffix('.').unwrap_or(host));
    if !valid_dns_host(&host) {
        return None;
    }
    let (before_frag, _fragment) = match find_byte(after, |b| b == b'#') {
        Some(i) => (after.get(..i)?, after.get(i..)),
        None => (after, None),
    };
    let (path, query) = match find_byte(before_frag, |b| b == b'?') {
        Some(i) => (before_frag.get(..i)?, before_frag.get(i + 1..)),
        None => (before_frag, None),
    };
    Some(Parsed {
        scheme,
        host,
        path,
        query,
    })
}

/// The offset of the first byte of `s` that `hit` accepts: for the ASCII
/// delimiters of a URL (an offset of one is a character boundary). A plain
/// loop: URL parts are short, and memchr's searches would add their code to
/// the content script (which ships as JS, `xtask/tests/content_size.rs`).
fn find_byte(s: &str, hit: impl Fn(u8) -> bool) -> Option<usize> {
    s.bytes().position(hit)
}

/// The offset of the last `byte` in `s` (see [`find_byte`]).
fn rfind_byte(s: &[u8], byte: u8) -> Option<usize> {
    s.iter().rposition(|&b| b == byte)
}

/// Control characters, whitespace or backslashes anywhere (checked byte-wise
/// for ASCII input, the common case; per char otherwise).
fn has_forbidden_char(url: &str) -> bool {
    if url.is_ascii() {
        url.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\')
    } else {
        url.chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    }
}

/// `s` in ASCII lowercase, borrowed when it already is.
fn ascii_lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// True for a lowercase DNS name made of `[a-z0-9-]` labels that is not an
/// IPv4 literal (IPv6 literals fail the character check).
fn valid_dns_host(host: &str) -> bool {
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let mut all_numeric = true;
    for label in host.split('.') {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return false;
        }
        if !label.bytes().all(|b| b.is_ascii_digit()) {
            all_numeric = false;
        }
    }
    // The last label of a real name is never all digits (`1.2.3.4`, `0x7f…`
    // is caught by the rule that the TLD must be alphabetic below).
    let tld = host.rsplit('.').next().unwrap_or("");
    !all_numeric && tld.bytes().all(|b| b.is_ascii_lowercase())
}

/// `host` is `domain` or a subdomain of it.
fn is_host_or_sub(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// The shops' own sites (their pages, not their CDNs).
const SHOP_DOMAINS: [&str; 4] = [
    "aliexpress.com",
    "aliexpress.us",
    "aliexpress.ru",
    "alibaba.com",
];

/// Whether `host` (any case) is one of the shops' sites or a subdomain of one.
pub fn is_shop_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    SHOP_DOMAINS.iter().any(|d| is_host_or_sub(&host, d))
}

/// A product id: ASCII digits, plausible length.
fn is_product_id(s: &str) -> bool {
    (4..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `<id>.html` → id.
fn id_html(segment: &str) -> Option<&str> {
    segment.strip_suffix(".html").filter(|id| is_product_id(id))
}

/// An SEO slug segment: non-empty, no dots (so it cannot be `x.html`).
fn is_slug(s: &str) -> bool {
    !s.is_empty() && !s.contains('.')
}

/// Recognises a shop product page URL.
///
/// Accepts `http`/`https` URLs of AliExpress (`aliexpress.com`,
/// `aliexpress.us` and their subdomains: `/item/<id>.html`,
/// `/item/<Slug>/<id>.html`, `/i/<id>.html`), aliexpress.ru (`aliexpress.ru`,
/// `www.`, `m.`: `/item/<id>.html`) and Alibaba (`*.alibaba.com`:
/// `/product-detail/<Slug>_<id>.html`). Query and fragment are ignored.
pub fn product_page(page_url: &str) -> Option<ProductPage> {
    let p = parse(page_url.trim())?;
    if p.scheme != "https" && p.scheme != "http" {
        return None;
    }
    let segs: Vec<&str> = p.path.strip_prefix('/')?.split('/').collect();
    let (platform, id) =
        if is_host_or_sub(&p.host, "aliexpress.com") || is_host_or_sub(&p.host, "aliexpress.us") {
            let id = match segs.as_slice() {
                ["item", file] | ["i", file] => id_html(file)?,
                ["item", slug, file] if is_slug(slug) => id_html(file)?,
                _ => return None,
            };
            (Platform::AliExpress, id)
        } else if matches!(
            &*p.host,
            "aliexpress.ru" | "www.aliexpress.ru" | "m.aliexpress.ru"
        ) {
            let id = match segs.as_slice() {
                ["item", file] => id_html(file)?,
                _ => return None,
            };
            (Platform::AliExpressRu, id)
        } else if is_host_or_sub(&p.host, "alibaba.com") {
            let id = match segs.as_slice() {
                ["product-detail", file] => {
                    let stem = file.strip_suffix(".html")?;
                    let (slug, id) = stem.rsplit_once('_')?;
                    if slug.is_empty() || !is_product_id(id) {
                        return None;
                    }
                    id
                }
                _ => return None,
            };
            (Platform::Alibaba, id)
        } else {
            return None;
        };
    Some(ProductPage {
        platform,
        product_id: id.to_string(),
        host: p.host.into_owned(),
    })
}

/// Which kind of CDN a host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CdnHost {
    /// AliExpress image CDN (`ae01..ae04.alicdn.com`, `ae-pic-*.aliexpress-media.com`).
    AliExpressImage,
    /// Alibaba image CDN (`sc01/sc02/sc04.alicdn.com`, `s.alicdn.com`).
    AlibabaImage,
    /// Taobao-style `img.alicdn.com`.
    TaobaoImage,
    /// A video host.
    Video,
}

fn cdn_host(host: &str) -> Option<CdnHost> {
    match host {
        "ae01.alicdn.com" | "ae02.alicdn.com" | "ae03.alicdn.com" | "ae04.alicdn.com" => {
            Some(CdnHost::AliExpressImage)
        }
        "sc01.alicdn.com" | "sc02.alicdn.com" | "sc04.alicdn.com" | "s.alicdn.com" => {
            Some(CdnHost::AlibabaImage)
        }
        "img.alicdn.com" => Some(CdnHost::TaobaoImage),
        "video.aliexpress-media.com"
        | "cloud.video.taobao.com"
        | "cloud.video.alibaba.com"
        | "gv.videocdn.alibaba.com"
        | "video.alicdn.com" => Some(CdnHost::Video),
        _ => {
            // ae-pic-a1.aliexpress-media.com and its siblings (one label).
            let label = host.strip_suffix(".aliexpress-media.com")?;
            let rest = label.strip_prefix("ae-pic-")?;
            if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
                Some(CdnHost::AliExpressImage)
            } else {
                None
            }
        }
    }
}

/// True when `url` is an https URL on one of the shops' image/video CDNs.
///
/// Host must be exactly one of the known CDN hosts (case-insensitive); no
/// userinfo, no explicit non-default port, no IP literal, and a non-root path.
/// `aeproductsourcesite.alicdn.com` serves description *documents*, not media,
/// and is not accepted.
pub fn is_cdn_media_url(url: &str) -> bool {
    match parse(url) {
        Some(p) => p.scheme == "https" && cdn_host(&p.host).is_some() && p.path.len() > 1,
        None => false,
    }
}

/// Lowercase extension of the last path segment, if it is a known media one.
fn ext_of_path(path: &str) -> Option<&'static str> {
    const EXTS: [&str; 8] = ["jpg", "jpeg", "png", "webp", "gif", "avif", "bmp", "mp4"];
    let b = path.as_bytes();
    let seg = rfind_byte(b, b'/').map_or(0, |i| i + 1);
    let last = b.get(seg..)?;
    let ext = last.get(rfind_byte(last, b'.')? + 1..)?;
    EXTS.into_iter()
        .find(|e| ext.eq_ignore_ascii_case(e.as_bytes()))
}

/// Cuts a CDN transform suffix: everything after the first real image
/// extension that is followed by `_` in the last path segment.
fn cut_transform_suffix(path: &str) -> &str {
    let seg_start = path.rfind('/').map_or(0, |i| i + 1);
    let Some(seg) = path.get(seg_start..) else {
        return path;
    };
    // The earliest `.<ext>_` (any case) also ends first: a later match
    // starts after this one's `_`.
    let b = seg.as_bytes();
    for dot in memchr::memchr_iter(b'.', b) {
        let after = b.get(dot + 1..).unwrap_or(&[]);
        for ext in IMAGE_EXTS {
            let n = ext.len();
            if after.get(n) == Some(&b'_')
                && after
                    .get(..n)
                    .is_some_and(|e| e.eq_ignore_ascii_case(ext.as_bytes()))
            {
                return path.get(..seg_start + dot + 1 + n).unwrap_or(path);
            }
        }
    }
    path
}

/// `hay` contains the lowercase ASCII `needle` in any case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return true;
    };
    // Only where the first letter is, in either case.
    h.iter().enumerate().any(|(i, b)| {
        b.eq_ignore_ascii_case(&first)
            && h.get(i..i + n.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

/// Percent-encodes characters that may not appear raw in a URL path/query
/// (non-ASCII, quotes, angle brackets…); existing `%XX` escapes are kept.
fn encode_unsafe(s: &str, out: &mut String) {
    // Byte by byte: a non-ASCII character's UTF-8 bytes are each encoded, as
    // they would be per character; runs of kept bytes are copied at once.
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let keep = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
                    | b'%'
                    | b'?'
            )
    };
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if keep(b) {
            continue;
        }
        // Kept bytes are ASCII, so `run..i` lies on character boundaries.
        out.push_str(s.get(run..i).unwrap_or(""));
        out.push('%');
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or(""));
}

/// `img.alicdn.com/tfs/TB…-W-H.png` UI icons.
fn is_tfs_icon(path: &str) -> bool {
    if !path.starts_with("/tfs/") {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
    let mut parts = stem.rsplit('-');
    let h = parts.next().unwrap_or("");
    let w = parts.next().unwrap_or("");
    let num = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    num(h) && num(w)
}

/// Normalises a media URL to its original-resolution https form.
///
/// Trims; `//host` and `http:` become `https:`; fragment dropped; for images
/// the query is dropped and everything after the first real image extension
/// followed by `_` is cut (`…/kf/K.jpg_220x220q75.jpg_.avif` → `…/kf/K.jpg`).
/// Videos keep their query (see module docs). Returns `None` unless the result
/// is an https URL on a shop CDN with a known media extension; placeholders
/// and `img.alicdn.com/tfs/…-W-H.png` icons are rejected.
pub fn original_url(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.len() > MAX_URL_LEN {
        return None;
    }
    let owned;
    let abs: &str = if t.starts_with("//") {
        owned = format!("https:{t}");
        &owned
    } else {
        t
    };
    let p = parse(abs)?;
    if p.scheme != "https" && p.scheme != "http" {
        return None;
    }
    let kind = cdn_host(&p.host)?;
    let is_video = kind == CdnHost::Video || ext_of_path(p.path) == Some("mp4");
    let path = if is_video {
        p.path
    } else {
        cut_transform_suffix(p.path)
    };
    if path.len() <= 1 || path.contains("//") {
        return None;
    }
    let ext = ext_of_path(path)?;
    if is_video != (ext == "mp4") {
        return None;
    }
    if kind == CdnHost::TaobaoImage && is_tfs_icon(path) {
        return None;
    }
    if contains_ci(path, "placeholder") {
        return None;
    }
    let mut out = String::with_capacity(8 + p.host.len() + path.len());
    out.push_str("https://");
    out.push_str(&p.host);
    encode_unsafe(path, &mut out);
    if is_video {
        if let Some(q) = p.query.filter(|q| !q.is_empty()) {
            out.push('?');
            encode_unsafe(q, &mut out);
        }
    }
    // What is built is a CDN media URL by construction (https, a CDN host
    // that parsed, a path of more than `/`, every byte that could end the path
    // or confuse a parser percent-encoded); only the encoding may have made it
    // too long. Checked in debug builds (the tests and the fuzz replay run them).
    debug_assert!(out.len() > MAX_URL_LEN || is_cdn_media_url(&out), "{out}");
    (out.len() <= MAX_URL_LEN).then_some(out)
}

/// Dedupe key of a CDN URL.
///
/// * `/kf/<key>…` URLs (AliExpress/Alibaba image CDNs): `kf:<key>` where
///   `<key>` is the content-hash segment after `/kf/` (extension and transform
///   suffix removed), so the same asset under another host, slug or size
///   collapses to one key;
/// * video play URLs (`…/<videoId>.mp4`): `video:<videoId>`, so the same video
///   on `cloud.video.taobao.com` and `video.aliexpress-media.com` is one item;
///   Alibaba's `gv.videocdn.alibaba.com/…/<date>_<hex>_<videoId>_mp4_…mp4`
///   renditions: `video:<videoId>` too (one video, whichever rendition);
/// * anything else: the normalised path (`path:/…`), or the trimmed input when
///   it is not a CDN URL at all.
pub fn cdn_key(url: &str) -> String {
    match original_url(url) {
        Some(norm) => key_of_original(&norm),
        None => url.trim().to_string(),
    }
}

/// The host and path of an [`original_url`] output (`https://<host><path>[?…]`,
/// host already lowercase and checked): split at its delimiters, without
/// parsing it again. `None` for anything not of that form.
fn split_original(norm: &str) -> Option<(&str, &str)> {
    let rest = norm.strip_prefix("https://")?;
    let slash = find_byte(rest, |b| b == b'/')?;
    let (host, after) = rest.split_at(slash);
    let end = find_byte(after, |b| b == b'?' || b == b'#').unwrap_or(after.len());
    Some((host, after.get(..end)?))
}

/// [`cdn_key`] of a URL that is already an [`original_url`] output (which
/// is a fixed point of [`original_url`], so normalising again is skipped).
pub(crate) fn key_of_original(norm: &str) -> String {
    let Some((host, path)) = split_original(norm) else {
        return norm.to_string();
    };
    if let Some(i) = path.find("/kf/") {
        let after = path.get(i + 4..).unwrap_or("");
        let seg = after.split('/').next().unwrap_or("");
        // `kf/<key>.<ext>`: drop only the final media extension (keys such as
        // `HTB1.DiLM7voK…` contain dots); `kf/<key>/<slug>.<ext>`: whole segment.
        let stem = if !after.contains('/') && ext_of_path(seg).is_some() {
            seg.rsplit_once('.').map_or(seg, |(s, _)| s)
        } else {
            seg
        };
        if !stem.is_empty() {
            let mut key = String::with_capacity(3 + stem.len());
            key.push_str("kf:");
            key.push_str(stem);
            return key;
        }
    }
    if ext_of_path(path) == Some("mp4") {
        let last = path.rsplit('/').next().unwrap_or("");
        let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
        if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
            return format!("video:{stem}");
        }
        // Alibaba renditions: `<date>_<hex>_<videoId>_mp4_<264|265>_<hd|sd|ld>_….mp4`.
        if host == "gv.videocdn.alibaba.com" {
            let mut parts = stem.split('_');
            let id = parts.nth(2).unwrap_or("");
            if parts.next() == Some("mp4")
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
            {
                return format!("video:{id}");
            }
        }
    }
    format!("path:{path}")
}

/// A cheap thumbnail URL for an original.
///
/// AliExpress image CDNs: `<orig>_250x250.<ext>` (jpg/jpeg/png); Alibaba:
/// `<orig>_300x300.jpg` for jpg, `<orig>_250x250.<ext>` for jpeg/png. `None`
/// for videos, `img.alicdn.com`, other formats, or non-CDN input.
pub fn preview_url(original: &str) -> Option<String> {
    preview_of_original(&original_url(original)?)
}

/// [`preview_url`] of a URL that is already an [`original_url`] output.
pub(crate) fn preview_of_original(orig: &str) -> Option<String> {
    let p = parse(orig)?;
    let kind = cdn_host(&p.host)?;
    let ext = ext_of_path(p.path)?;
    let suffix = match (kind, ext) {
        (CdnHost::AliExpressImage, "jpg" | "jpeg" | "png") => format!("_250x250.{ext}"),
        (CdnHost::AlibabaImage, "jpg") => "_300x300.jpg".to_string(),
        (CdnHost::AlibabaImage, "jpeg" | "png") => format!("_250x250.{ext}"),
        _ => return None,
    };
    // The suffix may push a URL near the length limit over it (found by
    // fuzzing); it adds nothing else a parser could object to.
    let preview = format!("{orig}{suffix}");
    debug_assert!(
        preview.len() > MAX_URL_LEN || is_cdn_media_url(&preview),
        "{preview}"
    );
    (preview.len() <= MAX_URL_LEN).then_some(preview)
}

/// Lowercase file extension of the URL's path, when it has a known media one.
///
/// The URL is normalised first (so `…jpg_220x220q75.jpg_.avif` is `jpg`);
/// a URL that is not a CDN media URL falls back to its raw path.
pub fn media_extension(url: &str) -> Option<&'static str> {
    if let Some(norm) = original_url(url) {
        let p = parse(&norm)?;
        return ext_of_path(p.path);
    }
    let t = url.trim();
    let t = t.split(['?', '#']).next().unwrap_or(t);
    ext_of_path(cut_transform_suffix(t))
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn preview_of_a_url_near_the_length_limit_is_none_not_an_invalid_url() {
        // fuzz/regressions/url: an 8185-byte original would get an 8197-byte preview.
        let long = format!("https://ae01.alicdn.com/kf/{}aaaaaa.jpg", "é".repeat(1358));
        let orig = original_url(&long);
        assert!(orig.is_some());
        assert_eq!(preview_url(&long), None);
    }

    #[test]
    fn parse_rejects_garbage() {
        for s in ["", ":", "https:", "https:/x", "https://", "1https://a.b/"] {
            assert!(parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn cut_is_first_extension() {
        assert_eq!(cut_transform_suffix("/kf/A.jpg_1.png_2.jpg"), "/kf/A.jpg");
        assert_eq!(cut_transform_suffix("/kf/A.png_.webp"), "/kf/A.png");
        assert_eq!(cut_transform_suffix("/kf/A.jpg"), "/kf/A.jpg");
        assert_eq!(cut_transform_suffix("/a.jpg_x/B.jpg"), "/a.jpg_x/B.jpg");
    }

    #[test]
    fn ipv4_and_numeric_hosts_rejected() {
        assert!(!valid_dns_host("127.0.0.1"));
        assert!(!valid_dns_host("1.2"));
        assert!(valid_dns_host("ae01.alicdn.com"));
    }
}
