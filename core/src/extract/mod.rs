//! Extraction engine: one [`Inventory`] from a page's serialised DOM plus the
//! documents it loaded.
//!
//! Sources, per the shops' page formats (`docs/page-formats.md`):
//! * AliExpress ([`aliexpress`]): `window.runParams.data` Module map (Era A) or
//!   Component map (Era B), `window._d_c_.DCData` (Era C, SSR map or CSR
//!   `imagePathList`), the mtop `pdp.pc.query` JSONP body (Era D), the
//!   description document, then DOM fallbacks;
//! * aliexpress.ru ([`aer`]): `#__AER_DATA__` widget tree, `productData` JSON
//!   (SKU images), `#content_anchor` description, the SKU swatches;
//! * Alibaba ([`alibaba`]): `window.detailData` (explicit video renditions
//!   only, never a URL built from an id), `desc.htm` JSON, the 2026 page's
//!   `data-module-name` modules, JSON-LD.
//!
//! Every URL goes through [`crate::url::original_url`]; everything else is
//! dropped with a warning. A document (product API response, description)
//! that names another product than the page URL's (in its URL's `productId=`
//! / `detailId=`, or in its body) is dropped whole, with a warning for the
//! user (`document_other_product`): a tab that moved to another product keeps
//! the previous product's requests on record. Broken JSON is a warning and
//! the other sources are still read. Nothing here panics on any input: JSON depth is bounded by
//! serde_json's recursion limit, HTML depth by [`html`], lists by
//! [`collect::MAX_ITEMS_PER_KIND`].

mod aer;
mod alibaba;
mod aliexpress;
mod collect;
pub(crate) mod dom;
pub mod html;
pub mod js;
mod json;

use crate::url::product_page;
use crate::{say, Inventory, Platform, Warning};
use collect::Collector;
use html::Dom;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A document the page loaded (product API JSONP, description HTML/JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Where it was loaded from.
    pub url: String,
    /// Its body text.
    pub body: String,
}

/// Everything the extractor reads.
#[derive(Debug, Clone, Copy)]
pub struct PageInput<'a> {
    /// The page URL.
    pub url: &'a str,
    /// `document.documentElement.outerHTML`.
    pub html: &'a str,
    /// Other documents the page loaded; may be empty.
    pub documents: &'a [Document],
}

/// Largest HTML we parse (bytes); the rest is ignored with a warning.
const MAX_HTML: usize = 16 * 1024 * 1024;
/// Most documents read.
const MAX_DOCUMENTS: usize = 32;

/// Shared state of one extraction.
struct Ctx<'a> {
    platform: Option<Platform>,
    product_id: String,
    /// Product id of the page URL, when it is a product page.
    page_id: Option<String>,
    /// Other product ids already reported to the user.
    other_ids: Vec<String>,
    dom: Dom<'a>,
    /// Bodies of inline `<script>` elements (no `src`), in order.
    scripts: Vec<(usize, &'a str)>,
    /// The documents read (those naming another product already dropped).
    documents: Vec<&'a Document>,
    c: Collector,
    title: Option<String>,
    shop: Option<String>,
    locale: Option<String>,
    /// Description document URLs named by the page data.
    desc_urls: Vec<String>,
}

impl Ctx<'_> {
    fn set_title(&mut self, v: Option<String>) {
        if self.title.is_none() {
            self.title = v.map(|s| collapse(&s)).filter(|s| !s.is_empty());
        }
    }
    fn set_shop(&mut self, v: Option<String>) {
        if self.shop.is_none() {
            self.shop = v.map(|s| collapse(&s)).filter(|s| !s.is_empty());
        }
    }
    fn set_locale(&mut self, v: Option<String>) {
        if self.locale.is_none() {
            self.locale = v.and_then(|s| normalise_locale(&s));
        }
    }
    fn set_product_id(&mut self, v: Option<String>) {
        if self.product_id.is_empty() {
            if let Some(id) = v
                .filter(|s| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
            {
                self.product_id = id;
            }
        }
    }
    /// True when a document's product id (if it names one) is the page's;
    /// otherwise false, with a warning (said to the user once per other id).
    fn same_product(&mut self, doc_id: Option<String>, what: &str) -> bool {
        let (Some(page), Some(doc)) = (self.page_id.clone(), doc_id) else {
            return true;
        };
        if doc.trim_start_matches('0') == page.trim_start_matches('0') {
            return true;
        }
        let w = Warning::new(
            "document_other_product",
            format!("{what}: it is about product {doc}, not this page's product {page}; none of it was used"),
        );
        let w = if self.other_ids.contains(&doc) {
            w
        } else {
            self.other_ids.push(doc.clone());
            w.with_say(say::tf(
                "warn_document_other_product",
                &[doc.into(), page.into()],
            ))
        };
        self.c.push_warning(w);
        false
    }
    /// Parses a JSON object keeping only the top-level members named in
    /// `keys` (see [`json::select`]), with the same warning on failure as
    /// [`Ctx::parse_json`].
    fn parse_selected(
        &mut self,
        text: &str,
        what: &str,
        keys: &json::Keys<'_>,
    ) -> Option<json::Selected> {
        match json::select(text, keys) {
            Ok(v) => Some(v),
            Err(e) => {
                self.c.warn(
                    "bad_json",
                    format!("{what}: could not be read as JSON ({e})"),
                );
                None
            }
        }
    }
    /// Parses JSON with a warning on failure.
    fn parse_json(&mut self, text: &str, what: &str) -> Option<Value> {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                self.c.warn(
                    "bad_json",
                    format!("{what}: could not be read as JSON ({e})"),
                );
                None
            }
        }
    }
}

/// Collapses whitespace.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `en_US`, `en-us`, `iw_IL` → `en_US`…; rejects anything else.
fn normalise_locale(s: &str) -> Option<String> {
    let s = s.trim().replace('-', "_");
    let mut parts = s.split('_');
    let lang = parts.next()?;
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let lang = lang.to_ascii_lowercase();
    match parts.next() {
        None => Some(lang),
        Some(region)
            if (2..=3).contains(&region.len())
                && region.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            if parts.next().is_some() {
                return None;
            }
            Some(format!("{lang}_{}", region.to_ascii_uppercase()))
        }
        _ => None,
    }
}

/// Locale from a description URL path `…/pc/v2/<locale>/desc.htm`.
fn locale_from_desc_url(u: &str) -> Option<String> {
    let i = u.find("/v2/")?;
    let seg = u.get(i + 4..)?.split('/').next()?;
    normalise_locale(seg)
}

// ---------------------------------------------------------------------------
// JSON helpers (all total: wrong types give None).

/// `v[path[0]][path[1]]…`
fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for k in path {
        cur = cur.get(*k)?;
    }
    Some(cur)
}

/// String (trimmed, non-empty) or number as text.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Elements of an array, or the values of an object keyed `"0".."n"` (in
/// numeric order). Anything else is empty.
fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Object(m)) => {
            let mut pairs: Vec<(u64, &Value)> = Vec::new();
            for (k, v) in m {
                match k.parse::<u64>() {
                    Ok(n) => pairs.push((n, v)),
                    Err(_) => return Vec::new(),
                }
            }
            pairs.sort_by_key(|(n, _)| *n);
            pairs.into_iter().map(|(_, v)| v).collect()
        }
        _ => Vec::new(),
    }
}

/// Reads a list of URL strings at a known key, warning on wrong shapes.
fn url_list(c: &mut Collector, v: Option<&Value>, what: &str) -> Vec<String> {
    let Some(v) = v else {
        return Vec::new();
    };
    if v.is_null() {
        return Vec::new();
    }
    let items = list(Some(v));
    if items.is_empty() && !matches!(v, Value::Array(_) | Value::Object(_)) {
        c.warn("unexpected_shape", format!("{what} is not a list"));
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut bad = 0usize;
    for it in items {
        match it {
            Value::String(s) => out.push(s.clone()),
            Value::Null => {}
            _ => bad += 1,
        }
    }
    if bad > 0 {
        c.warn(
            "unexpected_shape",
            format!("{what}: {bad} entries are not URL strings"),
        );
    }
    out
}

/// A product id / video id: digits only.
fn digits(v: Option<&Value>) -> Option<String> {
    text(v).filter(|s| !s.is_empty() && s.len() <= 24 && s.bytes().all(|b| b.is_ascii_digit()))
}

/// The product id a document URL names in its query (`productId=`,
/// `detailId=`, `product_id=`), if any.
fn url_product_id(url: &str) -> Option<String> {
    let before_fragment = url.split('#').next().unwrap_or("");
    let (_, query) = before_fragment.split_once('?')?;
    query
        .split('&')
        .map(|p| p.strip_prefix("amp;").unwrap_or(p))
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| {
            k.eq_ignore_ascii_case("productId")
                || k.eq_ignore_ascii_case("detailId")
                || k.eq_ignore_ascii_case("product_id")
        })
        .and_then(|(_, v)| {
            (!v.is_empty() && v.len() <= 24 && v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| v.to_string())
        })
}

/// A video uid segment: `[A-Za-z0-9_-]`.
fn uid(v: Option<&Value>) -> Option<String> {
    text(v).filter(|s| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

// ---------------------------------------------------------------------------

/// Extracts the product inventory from a page.
pub fn extract(input: &PageInput<'_>) -> Inventory {
    run(input).0
}

/// Description documents the page data names and that are not yet among
/// `input.documents`, as https URLs on the shops' own hosts, so the caller can
/// fetch them and call [`extract`] again with their bodies: AliExpress
/// `descriptionUrl` / `pcDescUrl` / `nativeDescUrl`, and for Alibaba the
/// `desc.htm?detailId=<id>&language=en` endpoint.
pub fn description_urls(input: &PageInput<'_>) -> Vec<String> {
    extract_with_needs(input).1
}

/// [`extract`] and [`description_urls`] in one pass.
pub fn extract_with_needs(input: &PageInput<'_>) -> (Inventory, Vec<String>) {
    let (inv, named) = run(input);
    let mut out: Vec<String> = Vec::new();
    let mut push = |u: String| {
        if !out.contains(&u)
            && !input
                .documents
                .iter()
                .any(|d| d.url.replace("&amp;", "&") == u)
        {
            out.push(u);
        }
    };
    for u in named {
        if let Some(u) = fetchable(&u) {
            push(u);
        }
    }
    if inv.platform == Some(Platform::Alibaba) && !inv.product_id.is_empty() {
        push(format!(
            "https://{}/event/app/mainAction/desc.htm?detailId={}&language=en",
            if inv.host.is_empty() {
                "www.alibaba.com"
            } else {
                inv.host.as_str()
            },
            inv.product_id
        ));
    }
    (inv, out)
}

/// `//host/…` / `http:` → https; only shop hosts; `&amp;` decoded.
fn fetchable(raw: &str) -> Option<String> {
    let t = raw.trim().replace("&amp;", "&");
    let t = if let Some(rest) = t.strip_prefix("//") {
        format!("https://{rest}")
    } else if let Some(rest) = t.strip_prefix("http://") {
        format!("https://{rest}")
    } else {
        t
    };
    let rest = t.strip_prefix("https://")?;
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest.get(..host_end)?.to_ascii_lowercase();
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        || t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return None;
    }
    let ok = [
        "alicdn.com",
        "aliexpress-media.com",
        "aliexpress.com",
        "aliexpress.us",
        "aliexpress.ru",
        "alibaba.com",
    ]
    .iter()
    .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    ok.then_some(t)
}

/// One extraction: the inventory and the description URLs named by the data.
fn run(input: &PageInput<'_>) -> (Inventory, Vec<String>) {
    let page = product_page(input.url);
    let mut c = Collector::default();
    let mut html = input.html;
    if html.len() > MAX_HTML {
        let mut cut = MAX_HTML;
        while cut > 0 && !html.is_char_boundary(cut) {
            cut -= 1;
        }
        html = html.get(..cut).unwrap_or("");
        c.warn(
            "html_truncated",
            format!("page HTML larger than {MAX_HTML} bytes; the rest was ignored"),
        );
    }
    if page.is_none() {
        c.warn(
            "not_product_page",
            format!(
                "not a recognised product page URL: {}",
                collect::clip(input.url)
            ),
        );
    }
    let dom = Dom::parse(html);
    if dom.truncated {
        c.warn(
            "html_truncated",
            "page has too many elements; the rest was ignored",
        );
    }
    let scripts: Vec<(usize, &str)> = dom
        .by_name("script")
        .filter(|&i| dom.get(i).is_some_and(|e| e.attr("src").is_none()))
        .map(|i| (i, dom.raw_inner(i)))
        .collect();
    let documents = if input.documents.len() > MAX_DOCUMENTS {
        c.warn(
            "too_many_documents",
            format!("only the first {MAX_DOCUMENTS} documents were read"),
        );
        input.documents.get(..MAX_DOCUMENTS).unwrap_or(&[])
    } else {
        input.documents
    };
    let platform = page
        .as_ref()
        .map(|p| p.platform)
        .or_else(|| detect(&dom, &scripts));
    let mut ctx = Ctx {
        platform,
        product_id: page
            .as_ref()
            .map(|p| p.product_id.clone())
            .unwrap_or_default(),
        page_id: page.as_ref().map(|p| p.product_id.clone()),
        other_ids: Vec::new(),
        dom,
        scripts,
        documents: Vec::with_capacity(documents.len()),
        c,
        title: None,
        shop: None,
        locale: None,
        desc_urls: Vec::new(),
    };
    for d in documents {
        let what = format!("document {}", collect::clip(&d.url));
        if ctx.same_product(url_product_id(&d.url), &what) {
            ctx.documents.push(d);
        }
    }
    match platform {
        Some(Platform::AliExpressRu) => aer::extract(&mut ctx),
        Some(Platform::Alibaba) => alibaba::extract(&mut ctx),
        Some(Platform::AliExpress) | None => aliexpress::extract(&mut ctx),
    }
    if ctx.locale.is_none() {
        let lang = ctx
            .dom
            .by_name("html")
            .next()
            .and_then(|i| ctx.dom.get(i))
            .and_then(|e| e.attr("lang"))
            .map(str::to_string);
        ctx.set_locale(lang);
    }
    if ctx.locale.is_none() && platform == Some(Platform::AliExpressRu) {
        ctx.locale = Some("ru_RU".to_string());
    }
    if ctx.c.count(crate::MediaKind::Gallery) == 0 {
        ctx.c
            .warn("no_gallery", "no gallery images were found on this page");
    }
    let (items, warnings) = ctx.c.finish();
    let inv = Inventory {
        platform: page.as_ref().map(|p| p.platform),
        product_id: ctx.product_id,
        title: ctx.title,
        shop: ctx.shop,
        host: page.map(|p| p.host).unwrap_or_default(),
        locale: ctx.locale,
        items,
        warnings,
    };
    (inv, ctx.desc_urls)
}

/// Guesses the platform from page content when the URL is not recognised.
fn detect(dom: &Dom<'_>, scripts: &[(usize, &str)]) -> Option<Platform> {
    if dom
        .by_name("script")
        .any(|i| dom.get(i).is_some_and(|e| e.id_is("__AER_DATA__")))
    {
        return Some(Platform::AliExpressRu);
    }
    if scripts.iter().any(|(_, s)| s.contains("detailData")) {
        return Some(Platform::Alibaba);
    }
    None
}
