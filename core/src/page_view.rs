//! What the worker knows about one *page view*, and the rules that keep data of
//! one page view away from another.
//!
//! A page view is one product shown by one document in a tab's top frame: Chrome's
//! `documentId` (the same in a `webRequest` event the document caused and in the
//! `MessageSender` of its content script) plus the product id of the page's URL (a
//! document can show another product after `history.pushState`). Every shop API
//! request the worker sees is recorded with the page view that made it, and only
//! that page view's requests are read for a save or a preview; the others are
//! forgotten when the tab shows another page view.
//!
//! Each shop document is read by the extension at most once per page view: the
//! worker hands what it read to the content script, which keeps it for as long as
//! its page view lasts (its memory ends with the document) and sends it back with
//! each later request ([`crate::protocol::ContentToBg`]'s `documents`).

use crate::say::{t, tf, Say};
use serde::{Deserialize, Serialize};

/// Shop API requests the background watches with `chrome.webRequest`: each one
/// means more product data is available for the page view that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKind {
    /// `mtop.aliexpress.pdp.pc.query` / `.msite.query` (AliExpress product data).
    AeProduct,
    /// aliexpress.ru `productData`.
    RuProduct,
    /// aliexpress.ru `widget` (description, characteristics).
    RuWidget,
    /// Alibaba `desc.htm` (description).
    AlibabaDescription,
    /// AliExpress `feedback.aliexpress.com/pc/searchEvaluation.do`: the page's
    /// own request of a page of buyer reviews (issue #15). Not product data: it
    /// is never read for a save or a preview ([`still_to_read`]); a buyer-photo
    /// run asks its pages in the language and country the page asked in.
    AeReviews,
}

/// URL filter of the webRequest listener. Only shop hosts (our host permissions);
/// `static/sw.js` registers exactly these (checked by a test in xtask).
pub const API_URL_PATTERNS: [&str; 8] = [
    "*://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/*",
    "*://acs.aliexpress.us/h5/mtop.aliexpress.pdp.pc.query/*",
    "*://acs.aliexpress.com/h5/mtop.aliexpress.pdp.msite.query/*",
    "*://acs.aliexpress.us/h5/mtop.aliexpress.pdp.msite.query/*",
    "*://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData*",
    "*://aliexpress.ru/widget*",
    "*://*.alibaba.com/event/app/mainAction/desc.htm*",
    "*://feedback.aliexpress.com/pc/searchEvaluation.do*",
];

/// Classifies a request URL seen by the webRequest listener.
pub fn classify_request(url: &str) -> Option<ApiKind> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_at(rest.find('/')?);
    let host = host.to_ascii_lowercase();
    if host.contains('@') || host.contains(':') {
        return None;
    }
    let path = path.split('#').next().unwrap_or("");
    let path_only = path.split('?').next().unwrap_or("");
    match host.as_str() {
        "acs.aliexpress.com" | "acs.aliexpress.us"
            if path_only.starts_with("/h5/mtop.aliexpress.pdp.pc.query/")
                || path_only.starts_with("/h5/mtop.aliexpress.pdp.msite.query/") =>
        {
            Some(ApiKind::AeProduct)
        }
        "aliexpress.ru" | "www.aliexpress.ru"
            if path_only.starts_with("/aer-jsonapi/v1/bx/pdp/web/productData") =>
        {
            Some(ApiKind::RuProduct)
        }
        "aliexpress.ru" | "www.aliexpress.ru" if path_only == "/widget" => Some(ApiKind::RuWidget),
        "feedback.aliexpress.com" if path_only == "/pc/searchEvaluation.do" => {
            Some(ApiKind::AeReviews)
        }
        h if (h == "alibaba.com" || h.ends_with(".alibaba.com"))
            && path_only == "/event/app/mainAction/desc.htm" =>
        {
            Some(ApiKind::AlibabaDescription)
        }
        _ => None,
    }
}

/// The product id a shop API request names in its URL, when it names one: mtop's
/// `data` JSON (`productId`), aliexpress.ru's `productId=`, Alibaba's `detailId=`.
/// `None` when the URL does not say (the aliexpress.ru widget requests).
pub fn request_product_id(url: &str) -> Option<String> {
    let kind = classify_request(url)?;
    let query = url.split('#').next()?.split_once('?')?.1;
    let pairs = form_urlencoded::parse(query.as_bytes());
    let id = match kind {
        ApiKind::AeProduct => pairs.filter(|(k, _)| k == "data").find_map(|(_, v)| {
            let data: serde_json::Value = serde_json::from_str(&v).ok()?;
            match data.get("productId")? {
                serde_json::Value::String(s) => Some(s.trim().to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        }),
        ApiKind::RuProduct | ApiKind::AeReviews => pairs
            .filter(|(k, _)| k == "productId")
            .map(|(_, v)| v.into_owned())
            .next(),
        ApiKind::AlibabaDescription => pairs
            .filter(|(k, _)| k == "detailId")
            .map(|(_, v)| v.into_owned())
            .next(),
        ApiKind::RuWidget => None,
    }?;
    (!id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// One shop API request the background saw, with the page view that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedRequest {
    pub kind: ApiKind,
    pub url: String,
    /// Chrome's `documentId` of the tab's top-level document that made the
    /// request (its own for the top frame, its parent's for a frame inside it).
    /// Absent in lists stored by an older version: such entries belong to no
    /// page view and are never read.
    #[serde(default)]
    pub document_id: Option<String>,
    /// The product the request names ([`request_product_id`]), when it names one.
    #[serde(default)]
    pub product_id: Option<String>,
}

impl ObservedRequest {
    /// The record for a webRequest event: `frame_id` 0 is the top frame (the
    /// document is `document_id`); a frame directly inside it belongs to the page
    /// view of `parent_document_id`. Requests of deeper frames, of no document,
    /// or not on the watched API are not recorded.
    pub fn from_event(
        url: &str,
        frame_id: Option<i64>,
        document_id: Option<&str>,
        parent_frame_id: Option<i64>,
        parent_document_id: Option<&str>,
    ) -> Option<ObservedRequest> {
        let kind = classify_request(url)?;
        let owner = match (frame_id, parent_frame_id) {
            (Some(0), _) => document_id,
            (Some(_), Some(0)) => parent_document_id,
            _ => None,
        }?;
        if owner.is_empty() || owner.len() > 128 {
            return None;
        }
        Some(ObservedRequest {
            kind,
            url: url.to_string(),
            document_id: Some(owner.to_string()),
            product_id: request_product_id(url),
        })
    }

    /// Whether this request belongs to the page view `view`.
    pub fn belongs_to(&self, view: &PageView) -> bool {
        self.document_id.as_deref() == Some(view.document_id.as_str())
            && self
                .product_id
                .as_deref()
                .is_none_or(|p| p == view.product_id)
    }
}

/// One page view: the top-level document and the product its URL shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageView {
    pub document_id: String,
    pub product_id: String,
}

/// Most documents a content script holds for its page view and hands over with
/// one request (the page view's API answers and the description documents it
/// names); `protocol` checks every request against it.
pub const MAX_DOCUMENTS: usize = 16;

/// Most observed requests kept per tab (oldest dropped first).
pub const MAX_OBSERVED_PER_TAB: usize = 32;

/// `chrome.storage.session` key holding the observed requests of a tab.
pub fn observed_key(tab_id: i64) -> String {
    format!("observed:{tab_id}")
}

/// Adds `req` to a tab's list, without duplicates, bounded. A request of another
/// top-level document means the tab shows a new page: what the previous documents
/// made is forgotten (a tab shows one document at a time; a page restored from the
/// back/forward cache makes no new requests and falls back to what its DOM shows).
pub fn record_observed(list: &mut Vec<ObservedRequest>, req: ObservedRequest) {
    list.retain(|r| r.url != req.url && r.document_id == req.document_id);
    if req.kind == ApiKind::AeReviews {
        // Only the newest review request counts (a review run takes its
        // language from it): the page's paging does not crowd the list.
        list.retain(|r| r.kind != ApiKind::AeReviews);
    }
    list.push(req);
    if list.len() > MAX_OBSERVED_PER_TAB {
        let extra = list.len() - MAX_OBSERVED_PER_TAB;
        list.drain(..extra);
    }
}

/// When a page view announces itself (its content script started, the page was
/// restored from the back/forward cache, or it moved to another product with
/// `history.pushState`): forgets every request of other page views. Returns
/// whether anything was removed.
pub fn forget_other_views(list: &mut Vec<ObservedRequest>, view: &PageView) -> bool {
    let before = list.len();
    list.retain(|r| r.belongs_to(view));
    list.len() != before
}

/// The requests of `view`, oldest first, at most `max` (the newest ones).
pub fn requests_of<'a>(
    list: &'a [ObservedRequest],
    view: &PageView,
    max: usize,
) -> Vec<&'a ObservedRequest> {
    let mine: Vec<&ObservedRequest> = list.iter().filter(|r| r.belongs_to(view)).collect();
    let skip = mine.len().saturating_sub(max);
    mine.into_iter().skip(skip).collect()
}

/// The URL of the page's own newest review request ([`ApiKind::AeReviews`])
/// in a tab's list that names `product_id`: a buyer-photo run asks in its
/// language and country. The list holds only the tab's current page view's
/// requests ([`record_observed`], [`forget_other_views`]); the product must
/// match, so a page that moved to another product with `history.pushState`
/// does not lend the previous product's request.
pub fn page_review_request<'a>(list: &'a [ObservedRequest], product_id: &str) -> Option<&'a str> {
    list.iter()
        .rev()
        .find(|r| r.kind == ApiKind::AeReviews && r.product_id.as_deref() == Some(product_id))
        .map(|r| r.url.as_str())
}

/// Most API answers read for one page view (the newest requests).
pub const MAX_READS_PER_VIEW: usize = 8;

/// The page view's requests whose answers the worker must still read: those the
/// content script did not hand back already (`have`: the URLs of the documents
/// it keeps for this page view). Each document is read once per page view.
/// Never the page's review requests ([`ApiKind::AeReviews`]): not product data.
pub fn still_to_read<'a>(
    list: &'a [ObservedRequest],
    view: &PageView,
    have: &[&str],
) -> Vec<&'a ObservedRequest> {
    let product: Vec<&ObservedRequest> = list
        .iter()
        .filter(|r| r.kind != ApiKind::AeReviews && r.belongs_to(view))
        .collect();
    let skip = product.len().saturating_sub(MAX_READS_PER_VIEW);
    product
        .into_iter()
        .skip(skip)
        .filter(|r| !have.contains(&r.url.as_str()))
        .collect()
}

/// The shop documents a content script holds for its page view: what the worker
/// read and handed back, and the description documents the content script
/// fetched itself. They are sent with every later request of the same page view
/// and dropped when the page shows another product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeldDocuments {
    product_id: String,
    docs: Vec<crate::extract::Document>,
}

impl HeldDocuments {
    /// The documents held for `product_id` (none after a move to another
    /// product, which also drops what was held).
    pub fn for_product(&mut self, product_id: &str) -> &[crate::extract::Document] {
        if self.product_id != product_id {
            self.product_id = product_id.to_string();
            self.docs.clear();
        }
        &self.docs
    }

    /// Keeps `docs` (read for `product_id`), replacing older copies of the same
    /// URLs; at most [`MAX_DOCUMENTS`], the newest.
    pub fn keep(&mut self, product_id: &str, docs: Vec<crate::extract::Document>) {
        self.for_product(product_id);
        for d in docs {
            self.docs.retain(|o| o.url != d.url);
            self.docs.push(d);
        }
        let extra = self.docs.len().saturating_sub(MAX_DOCUMENTS);
        self.docs.drain(..extra);
    }
}

/// Longest URL taken from a page's resource timeline.
const MAX_TIMELINE_URL: usize = 8 * 1024;

/// The shop API requests a page view names from its own resource timeline
/// (`performance.getEntriesByType("resource")` since it showed this product), as
/// requests of that page view: only URLs of the watched APIs, of this product
/// when they name one, without duplicates, at most [`MAX_READS_PER_VIEW`] (the
/// last ones). Untrusted input: a page could name any such URL, as it could
/// request it itself; only shop API hosts come out of it, and whatever is read
/// goes through the same product checks.
pub fn timeline_requests(urls: &[String], view: &PageView) -> Vec<ObservedRequest> {
    let mut out: Vec<ObservedRequest> = Vec::new();
    for u in urls.iter().rev() {
        // At most MAX_READS_PER_VIEW product requests, and one review request.
        if out.iter().filter(|r| r.kind != ApiKind::AeReviews).count() >= MAX_READS_PER_VIEW {
            break;
        }
        if u.len() > MAX_TIMELINE_URL || out.iter().any(|r| r.url == *u) {
            continue;
        }
        let Some(kind) = classify_request(u) else {
            continue;
        };
        if kind == ApiKind::AeReviews && out.iter().any(|r| r.kind == kind) {
            // The newest review request only (as `record_observed`).
            continue;
        }
        let product_id = request_product_id(u);
        if product_id.as_deref().is_some_and(|p| p != view.product_id) {
            continue;
        }
        out.push(ObservedRequest {
            kind,
            url: u.clone(),
            document_id: Some(view.document_id.clone()),
            product_id,
        });
    }
    out.reverse();
    out
}

/// Records in the tab's list the page view's requests its own timeline names
/// ([`timeline_requests`]) that the list lacks; returns whether it changed.
/// The webRequest listener is not the only witness: it never sees answers from
/// Blink's memory cache, and it files a request the page makes while its
/// document is still committing under the previous document, so the next page
/// view announcement forgets it. The list then still says what this page view
/// loaded, for the popup's live view and for the next save.
pub fn note_timeline(list: &mut Vec<ObservedRequest>, view: &PageView, urls: &[String]) -> bool {
    let mut changed = false;
    for r in timeline_requests(urls, view) {
        // A review request the listener saw is newer than the timeline's
        // (whose buffer may be full): kept.
        let review_known = r.kind == ApiKind::AeReviews
            && list
                .iter()
                .any(|m| m.kind == ApiKind::AeReviews && m.belongs_to(view));
        if !review_known && !list.iter().any(|m| m.url == r.url && m.belongs_to(view)) {
            record_observed(list, r);
            changed = true;
        }
    }
    changed
}

/// What a shop API answered, as far as it matters for using it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiAnswer {
    /// Product data (or at least not a recognisable refusal): hand it to the extractor.
    Data,
    /// The shop refused: the sentence says why, for the user.
    Refused(Say),
}

/// Reads the body of a shop API answer before it is used. A captcha / "punish"
/// page, a sign-in page, an expired or missing token or another mtop error is not
/// product data: the extractor then uses the page's DOM, and the user is told what
/// could not be read.
pub fn api_answer(kind: ApiKind, body: &str) -> ApiAnswer {
    let head = body.get(..body.len().min(4096)).unwrap_or(body);
    let lower = head.to_ascii_lowercase();
    if lower.contains("_____tmd_____/punish")
        || lower.contains("fail_sys_user_validate")
        || lower.contains("rgv587_error")
        || lower.contains("j_middleware_frame_widget")
        || lower.contains("nc_iconfont")
    {
        return ApiAnswer::Refused(t("api_captcha"));
    }
    let trimmed = head.trim_start();
    if trimmed.starts_with('<') && kind != ApiKind::RuWidget {
        // An HTML page where JSON was expected: a sign-in or error page.
        return ApiAnswer::Refused(t("api_not_data"));
    }
    if kind == ApiKind::AeProduct {
        if let Some(ret) = mtop_ret(body) {
            if !ret.starts_with("SUCCESS") {
                let upper = ret.to_ascii_uppercase();
                return ApiAnswer::Refused(
                    if upper.contains("TOKEN_EXOIRED")
                        || upper.contains("TOKEN_EXPIRED")
                        || upper.contains("TOKEN_EMPTY")
                        || upper.contains("ILLEGAL_ACCESS")
                        || upper.contains("SESSION_EXPIRED")
                    {
                        t("api_expired")
                    } else {
                        tf("api_error", &[clip(&ret).into()])
                    },
                );
            }
        }
    }
    ApiAnswer::Data
}

/// Whether a page that gave no product media is the shop's captcha or
/// "punish" page (the slider, the `x5sec` challenge) rather than a product
/// page. Only asked when nothing was found: a product page with data is never
/// taken for one, whatever scripts it carries.
pub fn challenge_page(html: &str) -> bool {
    const MARKERS: [&[u8]; 5] = [
        b"_____tmd_____/punish",
        b"j_middleware_frame_widget",
        b"nc_iconfont",
        b"x5secdata",
        b"baxia-punish",
    ];
    let bytes = html.as_bytes();
    MARKERS
        .iter()
        .any(|m| bytes.windows(m.len()).any(|w| w.eq_ignore_ascii_case(m)))
}

/// Shortens text from the shop for a sentence.
fn clip(s: &str) -> String {
    const MAX: usize = 120;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// The first `ret` entry of an mtop answer (JSON or JSONP), read without parsing
/// the whole (often large) body: `"ret":["…"` comes first in mtop answers, and a
/// body where it does not is left to the extractor.
fn mtop_ret(body: &str) -> Option<String> {
    let i = body.find("\"ret\"")?;
    let rest = body.get(i + 5..)?.trim_start().strip_prefix(':')?;
    let rest = rest.trim_start().strip_prefix('[')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest.get(..end)?.to_string())
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const MTOP: &str = "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&appKey=12574478&t=1764460800000&sign=0123&api=mtop.aliexpress.pdp.pc.query&v=1.0&type=originaljsonp&dataType=jsonp&callback=mtopjsonp1&data=%7B%22productId%22%3A%221005006000000001%22%2C%22_lang%22%3A%22en_US%22%7D";

    fn view(doc: &str, product: &str) -> PageView {
        PageView {
            document_id: doc.into(),
            product_id: product.into(),
        }
    }

    fn req(url: &str, doc: &str) -> ObservedRequest {
        ObservedRequest::from_event(url, Some(0), Some(doc), Some(-1), None)
            .unwrap_or_else(|| panic!("not recorded: {url}"))
    }

    #[test]
    fn request_classification() {
        let cases = [
            ("https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&data=%7B%7D", Some(ApiKind::AeProduct)),
            ("https://acs.aliexpress.us/h5/mtop.aliexpress.pdp.msite.query/1.0/?x", Some(ApiKind::AeProduct)),
            ("https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?productId=1", Some(ApiKind::RuProduct)),
            ("https://aliexpress.ru/widget?uuid=a&uuid=b", Some(ApiKind::RuWidget)),
            ("https://www.alibaba.com/event/app/mainAction/desc.htm?detailId=1&language=en", Some(ApiKind::AlibabaDescription)),
            ("https://feedback.aliexpress.com/pc/searchEvaluation.do?productId=1&lang=de_DE", Some(ApiKind::AeReviews)),
            ("https://feedback.aliexpress.com/display/productEvaluation.htm?productId=1", None),
            ("https://feedback.aliexpress.com.evil.net/pc/searchEvaluation.do?productId=1", None),
            ("https://acs.aliexpress.com/h5/mtop.aliexpress.review.pc.list/1.0/", None),
            ("https://acs.aliexpress.com.evil.net/h5/mtop.aliexpress.pdp.pc.query/1.0/", None),
            ("https://x@acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/", None),
            ("ftp://aliexpress.ru/widget", None),
            ("https://evilalibaba.com/event/app/mainAction/desc.htm", None),
        ];
        for (url, want) in cases {
            assert_eq!(classify_request(url), want, "{url}");
        }
    }

    #[test]
    fn product_id_of_each_api() {
        assert_eq!(
            request_product_id(MTOP).as_deref(),
            Some("1005006000000001")
        );
        // A number in the JSON, `+` and plain encodings.
        assert_eq!(
            request_product_id("https://acs.aliexpress.us/h5/mtop.aliexpress.pdp.pc.query/1.0/?data={\"productId\":1005006000000002}").as_deref(),
            Some("1005006000000002")
        );
        assert_eq!(
            request_product_id("https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?productId=1005011877521176&sku=1").as_deref(),
            Some("1005011877521176")
        );
        assert_eq!(
            request_product_id("https://www.alibaba.com/event/app/mainAction/desc.htm?detailId=1600431053815&language=en").as_deref(),
            Some("1600431053815")
        );
        for none in [
            "https://aliexpress.ru/widget?uuid=a",
            "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?data=%7Bbroken",
            "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?data=%7B%22productId%22%3A%22..%2F1%22%7D",
            "https://aliexpress.ru/aer-jsonapi/v1/bx/pdp/web/productData?productId=",
            "https://example.org/?productId=1",
        ] {
            assert_eq!(request_product_id(none), None, "{none}");
        }
    }

    #[test]
    fn events_are_recorded_for_the_top_documents_page_view_only() {
        let top = ObservedRequest::from_event(MTOP, Some(0), Some("D1"), Some(-1), None);
        assert_eq!(
            top.as_ref().and_then(|r| r.document_id.as_deref()),
            Some("D1")
        );
        assert_eq!(
            top.and_then(|r| r.product_id),
            Some("1005006000000001".into())
        );
        // A frame inside the top document belongs to its page view.
        let child = ObservedRequest::from_event(MTOP, Some(5), Some("F"), Some(0), Some("D1"));
        assert_eq!(child.and_then(|r| r.document_id), Some("D1".into()));
        // Deeper frames, no document, not the API: not recorded.
        assert!(
            ObservedRequest::from_event(MTOP, Some(6), Some("G"), Some(5), Some("F")).is_none()
        );
        assert!(ObservedRequest::from_event(MTOP, Some(0), None, None, None).is_none());
        assert!(ObservedRequest::from_event(MTOP, None, Some("D1"), None, None).is_none());
        assert!(ObservedRequest::from_event(
            "https://example.org/",
            Some(0),
            Some("D1"),
            None,
            None
        )
        .is_none());
    }

    #[test]
    fn a_new_document_forgets_the_previous_ones() {
        let mut list = Vec::new();
        record_observed(&mut list, req(MTOP, "D1"));
        record_observed(&mut list, req("https://aliexpress.ru/widget?uuid=a", "D1"));
        assert_eq!(list.len(), 2);
        record_observed(&mut list, req("https://aliexpress.ru/widget?uuid=b", "D2"));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].document_id.as_deref(), Some("D2"));
    }

    #[test]
    fn only_the_page_views_own_requests_are_read() {
        let other = MTOP.replace("1005006000000001", "1005006000000002");
        let list = vec![
            req(MTOP, "D1"),
            req(&other, "D1"),
            req("https://aliexpress.ru/widget?uuid=a", "D1"),
            ObservedRequest {
                document_id: None,
                ..req(MTOP, "D1")
            },
        ];
        let mine = requests_of(&list, &view("D1", "1005006000000002"), 8);
        let urls: Vec<&str> = mine.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [other.as_str(), "https://aliexpress.ru/widget?uuid=a"]
        );
        assert!(requests_of(&list, &view("D2", "1005006000000002"), 8).is_empty());
        // Bounded: the newest ones.
        let mine = requests_of(&list, &view("D1", "1005006000000001"), 1);
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].url, "https://aliexpress.ru/widget?uuid=a");
    }

    #[test]
    fn what_was_read_for_the_page_view_is_not_read_again() {
        let widget = "https://aliexpress.ru/widget?uuid=a";
        let list = vec![req(MTOP, "D1"), req(widget, "D1")];
        let v = view("D1", "1005006000000001");
        let urls = |l: Vec<&ObservedRequest>| l.iter().map(|r| r.url.clone()).collect::<Vec<_>>();
        assert_eq!(urls(still_to_read(&list, &v, &[])), [MTOP, widget]);
        assert_eq!(urls(still_to_read(&list, &v, &[MTOP])), [widget]);
        assert!(still_to_read(&list, &v, &[MTOP, widget]).is_empty());
        assert!(still_to_read(&list, &view("D2", "1005006000000001"), &[]).is_empty());
    }

    #[test]
    fn the_pages_own_timeline_names_its_requests() {
        let other = MTOP.replace("1005006000000001", "1005006000000002");
        let v = view("D1", "1005006000000001");
        let urls: Vec<String> = vec![
            MTOP.into(),
            other.clone(),
            "https://ae01.alicdn.com/kf/S1.jpg".into(),
            "https://aliexpress.ru/widget?uuid=a".into(),
            MTOP.into(),
            format!("https://aliexpress.ru/widget?uuid={}", "x".repeat(9000)),
        ];
        let got = timeline_requests(&urls, &v);
        let got: Vec<&str> = got.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(got, ["https://aliexpress.ru/widget?uuid=a", MTOP]);
        assert!(timeline_requests(&urls, &v)
            .iter()
            .all(|r| r.belongs_to(&v)));
        let many: Vec<String> = (0..40)
            .map(|i| format!("https://aliexpress.ru/widget?uuid={i}"))
            .collect();
        let got = timeline_requests(&many, &v);
        assert_eq!(got.len(), MAX_READS_PER_VIEW);
        assert_eq!(
            got.last().map(|r| r.url.as_str()),
            Some("https://aliexpress.ru/widget?uuid=39")
        );
    }

    #[test]
    fn the_timeline_fills_in_what_the_listener_filed_under_another_document() {
        let v = view("D2", "1005006000000001");
        // The listener filed the page's request under the document before it.
        let mut list = vec![ObservedRequest {
            kind: ApiKind::AeProduct,
            url: MTOP.into(),
            document_id: Some("D1".into()),
            product_id: Some("1005006000000001".into()),
        }];
        assert!(forget_other_views(&mut list, &v));
        assert!(list.is_empty());
        let other = MTOP.replace("1005006000000001", "1005006000000002");
        assert!(note_timeline(&mut list, &v, &[MTOP.into(), other]));
        assert_eq!(requests_of(&list, &v, 8).len(), 1);
        assert_eq!(list[0].url, MTOP);
        // Once known, nothing changes (no write needed).
        assert!(!note_timeline(&mut list, &v, &[MTOP.into()]));
        assert!(!note_timeline(&mut list, &v, &[]));
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn held_documents_belong_to_one_product() {
        let doc = |u: &str| crate::extract::Document {
            url: u.into(),
            body: format!("body of {u}"),
        };
        let mut held = HeldDocuments::default();
        assert!(held.for_product("1").is_empty());
        held.keep("1", vec![doc("a"), doc("b")]);
        held.keep("1", vec![doc("a")]);
        let urls = |h: &mut HeldDocuments, p: &str| {
            h.for_product(p)
                .iter()
                .map(|d| d.url.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(urls(&mut held, "1"), ["b", "a"]);
        // Another product (pushState, or a stale answer kept for the wrong one):
        // nothing of the first is sent again.
        assert!(urls(&mut held, "2").is_empty());
        assert!(urls(&mut held, "1").is_empty());
        let many: Vec<_> = (0..40).map(|i| doc(&i.to_string())).collect();
        held.keep("1", many);
        let kept = urls(&mut held, "1");
        assert_eq!(kept.len(), MAX_DOCUMENTS);
        assert_eq!(kept.last().map(String::as_str), Some("39"));
    }

    #[test]
    fn a_page_view_announcing_itself_forgets_the_others() {
        let other = MTOP.replace("1005006000000001", "1005006000000002");
        let mut list = vec![req(MTOP, "D1"), req(&other, "D1")];
        // pushState to the second product in the same document.
        assert!(forget_other_views(
            &mut list,
            &view("D1", "1005006000000002")
        ));
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].url, other);
        assert!(!forget_other_views(
            &mut list,
            &view("D1", "1005006000000002")
        ));
        assert!(forget_other_views(
            &mut list,
            &view("D9", "1005006000000002")
        ));
        assert!(list.is_empty());
    }

    #[test]
    fn observed_list_is_bounded_and_deduplicated() {
        let mut list = Vec::new();
        for i in 0..100 {
            record_observed(
                &mut list,
                req(&format!("https://aliexpress.ru/widget?uuid={i}"), "D"),
            );
        }
        record_observed(&mut list, req("https://aliexpress.ru/widget?uuid=99", "D"));
        assert_eq!(list.len(), MAX_OBSERVED_PER_TAB);
        assert_eq!(
            list.last().map(|r| r.url.as_str()),
            Some("https://aliexpress.ru/widget?uuid=99")
        );
        assert_eq!(list.iter().filter(|r| r.url.ends_with("=99")).count(), 1);
    }

    #[test]
    fn refusals_are_recognised_and_said() {
        let ok = r#"mtopjsonp1({"api":"mtop.aliexpress.pdp.pc.query","ret":["SUCCESS::调用成功"],"data":{"result":{}}})"#;
        assert_eq!(api_answer(ApiKind::AeProduct, ok), ApiAnswer::Data);
        let cases = [
            (r#"mtopjsonp1({"ret":["FAIL_SYS_TOKEN_EXOIRED::令牌过期"],"data":{}})"#, "api_expired"),
            (r#"{"ret":["FAIL_SYS_TOKEN_EMPTY::令牌为空"]}"#, "api_expired"),
            (r#"mtopjsonp2({"ret":["FAIL_SYS_USER_VALIDATE","RGV587_ERROR::SM::哎哟喂,被挤爆啦"],"data":{"url":"https://acs.aliexpress.com/_____tmd_____/punish?x5secdata=1"}})"#, "api_captcha"),
            (r#"{"ret":["FAIL_BIZ_ITEM_NOT_FOUND::商品不存在"]}"#, "api_error"),
            ("<!doctype html><html><body><div class=\"J_MIDDLEWARE_FRAME_WIDGET\"></div></body></html>", "api_captcha"),
            ("<!doctype html><html><body><form>Sign in</form></body></html>", "api_not_data"),
        ];
        for (body, key) in cases {
            match api_answer(ApiKind::AeProduct, body) {
                ApiAnswer::Refused(s) => assert_eq!(s.key, key, "{body}"),
                ApiAnswer::Data => panic!("taken as data: {body}"),
            }
        }
        // The aliexpress.ru widget answers HTML fragments as data.
        assert_eq!(
            api_answer(ApiKind::RuWidget, "<div id=\"content_anchor\"></div>"),
            ApiAnswer::Data
        );
        assert_eq!(
            api_answer(ApiKind::RuProduct, r#"{"data":{"id":"1"}}"#),
            ApiAnswer::Data
        );
    }

    #[test]
    fn a_captcha_page_is_told_from_a_product_page() {
        assert!(challenge_page(
            "<html><body><div class=\"J_MIDDLEWARE_FRAME_WIDGET\"></div><script src=\"https://g.alicdn.com/sd/punish/x.js\"></script></body></html>"
        ));
        assert!(challenge_page(
            "<script>location.href='https://www.aliexpress.com/_____tmd_____/punish?x5secdata=1'</script>"
        ));
        assert!(!challenge_page(
            "<html><body><h1>Page not found</h1></body></html>"
        ));
        assert!(!challenge_page(""));
    }

    #[test]
    fn the_pages_review_requests_are_noted_but_never_read_as_product_data() {
        let view = PageView {
            document_id: "D1".into(),
            product_id: "1005001".into(),
        };
        let review = |page: u32| {
            format!("https://feedback.aliexpress.com/pc/searchEvaluation.do?productId=1005001&lang=de_DE&country=DE&page={page}&pageSize=10")
        };
        let mtop = "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?data=%7B%22productId%22%3A%221005001%22%7D";
        let mut list = Vec::new();
        record_observed(&mut list, req(&review(1), "D1"));
        record_observed(&mut list, req(mtop, "D1"));
        record_observed(&mut list, req(&review(2), "D1"));
        record_observed(&mut list, req(&review(3), "D1"));
        assert_eq!(list.len(), 2, "the newest review request only: {list:?}");
        assert_eq!(list[1].url, review(3));
        assert_eq!(list[1].kind, ApiKind::AeReviews);
        assert_eq!(list[1].product_id.as_deref(), Some("1005001"));
        let read: Vec<&str> = still_to_read(&list, &view, &[])
            .iter()
            .map(|r| r.url.as_str())
            .collect();
        assert_eq!(read, [mtop], "review requests are not product data");
        // Another product's review request is not this page view's.
        let other = req(
            "https://feedback.aliexpress.com/pc/searchEvaluation.do?productId=9&page=1",
            "D1",
        );
        assert!(!other.belongs_to(&view));
        // The page's timeline: its newest review request only.
        let urls: Vec<String> = (1..=5).map(review).chain([mtop.to_string()]).collect();
        let noted = timeline_requests(&urls, &view);
        let kinds: Vec<(ApiKind, &str)> = noted.iter().map(|r| (r.kind, r.url.as_str())).collect();
        let newest = review(5);
        assert_eq!(
            kinds,
            [
                (ApiKind::AeReviews, newest.as_str()),
                (ApiKind::AeProduct, mtop)
            ]
        );

        // It takes none of the product requests' places: with as many product
        // requests as are read per page view, all of them are read.
        let products: Vec<String> = (0..MAX_READS_PER_VIEW)
            .map(|i| {
                format!("https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?i={i}")
            })
            .collect();
        let mut list = Vec::new();
        for u in &products {
            record_observed(&mut list, req(u, "D1"));
        }
        record_observed(&mut list, req(&review(1), "D1"));
        assert_eq!(still_to_read(&list, &view, &[]).len(), MAX_READS_PER_VIEW);
        let timeline: Vec<String> = products.iter().cloned().chain([review(1)]).collect();
        assert_eq!(
            timeline_requests(&timeline, &view).len(),
            MAX_READS_PER_VIEW + 1
        );
        // The run asks in the newest review request of its own product.
        let list = vec![req(&review(4), "D1"), req(mtop, "D1")];
        assert_eq!(
            page_review_request(&list, "1005001"),
            Some(review(4).as_str())
        );
        assert_eq!(
            page_review_request(&list, "1005002"),
            None,
            "another product's"
        );
        assert_eq!(page_review_request(&[req(mtop, "D1")], "1005001"), None);
        // A timeline whose buffer holds an older review request than the one the
        // listener saw does not replace it.
        let mut list = vec![req(&review(3), "D1")];
        note_timeline(&mut list, &view, &[review(2)]);
        assert_eq!(
            list.iter().map(|r| r.url.as_str()).collect::<Vec<_>>(),
            [review(3).as_str()]
        );
    }
}
