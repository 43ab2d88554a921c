//! The message protocol between the extension's parts, and the trust rules for it.
//!
//! Messages from content scripts are untrusted: the page may have been crafted to
//! attack the extension. The background therefore checks the sender (this
//! extension's own content script, top frame of a tab on a shop product page) and
//! every field (sizes, that the snapshot's URL is the sender's URL) before acting.

pub use crate::engine::{failure_summary, FailedFile};
pub use crate::extract::Document;
pub use crate::inventory::user_warnings;
pub use crate::page_view::{
    classify_request, observed_key, record_observed, ApiKind, ObservedRequest, API_URL_PATTERNS,
    MAX_OBSERVED_PER_TAB,
};
use crate::say::{t, tf, tn, Say};
use crate::url::{product_page, ProductPage};
use crate::Warning;
use serde::{Deserialize, Serialize};

/// Largest page snapshot accepted from a content script (bytes of HTML).
pub const MAX_HTML_BYTES: usize = 16 * 1024 * 1024;
/// Longest URL accepted in any message.
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// Most files one save request may start (a hostile page cannot flood the disk).
pub const MAX_FILES_PER_SAVE: usize = 2000;

/// The page data a content script hands over: what only the page has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSnapshot {
    /// `location.href` of the page.
    pub url: String,
    /// `document.documentElement.outerHTML` (inline script text included).
    pub html: String,
}

/// Messages a content script sends to the background.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ContentToBg {
    /// Find the product's media in the snapshot and save every enabled kind.
    ///
    /// `documents` are the shop documents already read for this page view: the
    /// description documents the background asked for in a previous reply
    /// ([`SaveReport::need_documents`]), fetched by the content script with the
    /// page's own origin, and the API answers the background read and handed
    /// back ([`SaveReport::read`]). Each must be one the page names or one the
    /// page view itself requested; none is read twice.
    SaveAll {
        page: PageSnapshot,
        #[serde(default)]
        documents: Vec<Document>,
        /// Requested documents the content script could not fetch, with reasons.
        #[serde(default)]
        unavailable: Vec<Unavailable>,
        /// Save only these original URLs (the popup's selection); all when absent.
        #[serde(default)]
        only: Option<Vec<String>>,
        /// The click this request answers ([`valid_request_id`]): sent again with
        /// the same id after the worker stopped mid-way, it returns the batch the
        /// first one made instead of making another (nothing is saved twice).
        #[serde(default)]
        request_id: Option<String>,
        /// The content script fetched (or tried) the documents a previous reply
        /// asked for: do not ask again, say what is missing.
        #[serde(default)]
        fetched_needs: bool,
        /// Shop API URLs in the page's own resource timeline since it showed this
        /// product ([`crate::page_view::timeline_requests`] keeps the usable ones):
        /// what the page view loaded even where the webRequest listener saw
        /// nothing (an answer from Blink's memory cache, a worker starting late).
        #[serde(default)]
        loaded: Vec<String>,
    },
    /// Queue the failed files of an earlier save of this page again.
    Retry { batch_id: String },
    /// The page has heard nothing of its unfinished save `batch_id` for a while
    /// ([`crate::engine::should_poke`]): the worker checks it (starts what is due,
    /// asks Chrome about running downloads) and answers with its progress.
    Poke { batch_id: String },
    /// The content script's page view started: it loaded, it was restored from the
    /// back/forward cache, or it moved to another product (`history.pushState`).
    /// The worker forgets what other page views of the tab loaded.
    PageView { url: String },
    /// Find the product's media and return the inventory without saving (popup preview).
    Inspect {
        page: PageSnapshot,
        #[serde(default)]
        documents: Vec<Document>,
        #[serde(default)]
        unavailable: Vec<Unavailable>,
        #[serde(default)]
        fetched_needs: bool,
        #[serde(default)]
        loaded: Vec<String>,
    },
}

/// The background's answer to [`ContentToBg::Inspect`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InspectReply {
    /// The inventory, once every document it needs was provided.
    pub inventory: Option<crate::Inventory>,
    /// As in [`SaveReport::read`].
    #[serde(default)]
    pub read: Vec<Document>,
    /// As in [`SaveReport::need_documents`].
    #[serde(default)]
    pub need_documents: Vec<String>,
    /// Why there is no inventory, when refused.
    #[serde(default)]
    pub message: Option<Say>,
}

/// Messages the extension's own contexts send to a tab's content script: the
/// popup (forwarded through the content script's validated channel to the
/// background) and the background's progress reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PopupToContent {
    /// Reply with an [`InspectReply`].
    Inspect,
    /// Save these original URLs; reply with a [`SaveReport`].
    Save { only: Vec<String> },
    /// Save the page as its own button does (every enabled kind), under this
    /// save request id (the popup's "save all tabs", the queue); reply with a
    /// [`SaveReport`]. Sent again with the same id, it returns the batch the
    /// first one made.
    SavePage { request_id: String },
    /// Progress of a save of this page (from the background).
    Progress { progress: crate::engine::Progress },
}

/// A requested document that could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unavailable {
    pub url: String,
    pub reason: String,
}

/// Most documents a content script may hand over with one request.
pub use crate::page_view::MAX_DOCUMENTS;
/// Largest document accepted (bytes).
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// Whether [`validate_documents`] needs the documents the page names (its
/// `expected`): only for a document the page view did not request itself (not
/// in `observed`) or a document said to be unavailable. Finding what the page
/// names is a whole extraction over the trusted documents; the worker skips it
/// when every document sent is one the page requested (the popup's inspect of
/// a page whose description came through the shop's API, measured 4–6 ms of
/// the worker's answer while the popup starts).
pub fn needs_expected(
    documents: &[Document],
    unavailable: &[Unavailable],
    observed: &[String],
) -> bool {
    !unavailable.is_empty() || documents.iter().any(|d| !observed.contains(&d.url))
}

/// Checks the documents a content script sent: few, small, and each one a
/// document the page itself names (`expected`, from the extractor) or one its page
/// view requested (`observed`, seen by the webRequest listener for this page view).
pub fn validate_documents(
    documents: &[Document],
    unavailable: &[Unavailable],
    expected: &[String],
    observed: &[String],
) -> Result<(), Refusal> {
    if documents.len() + unavailable.len() > MAX_DOCUMENTS {
        return Err(Refusal::BadField(format!(
            "more than {MAX_DOCUMENTS} documents"
        )));
    }
    for d in documents {
        if d.body.len() > MAX_DOCUMENT_BYTES {
            return Err(Refusal::BadField(format!(
                "document larger than {} MiB",
                MAX_DOCUMENT_BYTES / (1024 * 1024)
            )));
        }
        if !expected.contains(&d.url) && !observed.contains(&d.url) {
            return Err(Refusal::BadField(
                "a document the page does not name".into(),
            ));
        }
        if documents.iter().filter(|o| o.url == d.url).count() > 1 {
            return Err(Refusal::BadField("a document sent twice".into()));
        }
    }
    for u in unavailable {
        if !expected.contains(&u.url) || u.reason.len() > 500 {
            return Err(Refusal::BadField(
                "an unavailable document the page does not name".into(),
            ));
        }
    }
    Ok(())
}

/// The background's answer to [`ContentToBg::SaveAll`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SaveReport {
    /// True when the request was accepted and at least one file was started.
    pub ok: bool,
    /// What to tell the user (rendered in the user's language where shown).
    pub message: Say,
    /// Folder (relative to the download directory) the files go to.
    pub folder: String,
    /// Paths of the files whose download started.
    pub started: Vec<String>,
    /// Files that could not be started, with reasons.
    pub failed: Vec<FailedFile>,
    /// What the extractor could not read.
    pub warnings: Vec<Warning>,
    /// Description documents the page names but did not send: the content
    /// script fetches them (page origin) and repeats the request with them.
    /// Nothing was saved when this is non-empty.
    #[serde(default)]
    pub need_documents: Vec<String>,
    /// The batch the files were queued in; progress reports name it.
    #[serde(default)]
    pub batch_id: Option<String>,
    /// Shop API answers the background read for this page view: the content
    /// script keeps them while its page view lasts and sends them with its next
    /// requests, so the shop sees each document once per page view.
    #[serde(default)]
    pub read: Vec<Document>,
}

impl SaveReport {
    /// A refused or failed request.
    pub fn refused(message: Say) -> Self {
        SaveReport {
            ok: false,
            message,
            ..SaveReport::default()
        }
    }

    /// Builds the user-facing summary from the outcome.
    pub fn summarise(&mut self) {
        let started = self.started.len();
        let failed = self.failed.len();
        self.ok = started > 0;
        let folder = || self.folder.as_str().into();
        let outcome = match (started, failed) {
            (0, 0) => t("report_none_found"),
            (0, f) => tn("report_none_saved", f, &[]),
            (s, 0) => tn("report_saving", s, &[folder()]),
            (s, f) => tn("report_saving_some_failed", s, &[folder(), f.into()]),
        };
        // Tell the user what is missing from what was found (not every parser note).
        let mut parts = vec![outcome];
        parts.extend(user_warnings(&self.warnings));
        self.message = Say::join(parts, " ");
    }
}

/// What Chrome tells the background about a message's sender
/// (`chrome.runtime.MessageSender`), reduced to the fields we check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Sender {
    /// `sender.id`: the extension that sent it.
    pub id: Option<String>,
    /// `sender.url`: URL of the frame that sent it.
    pub url: Option<String>,
    /// `sender.tab.id`, present for content scripts.
    pub tab_id: Option<i64>,
    /// `sender.frameId` (0 = top frame).
    pub frame_id: Option<i64>,
    /// `sender.documentId`: the document (page view) the content script runs in.
    #[serde(default)]
    pub document_id: Option<String>,
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not this extension.
    ForeignExtension,
    /// Not from a tab (content scripts always have one).
    NoTab,
    /// From a sub-frame.
    SubFrame,
    /// The sender's page is not a shop product page.
    NotAProductPage,
    /// A field is missing, too large or inconsistent.
    BadField(String),
}

impl Refusal {
    /// "Refused: why." for the user.
    pub fn say(&self) -> Say {
        let why = match self {
            Refusal::ForeignExtension => t("refusal_foreign"),
            Refusal::NoTab => t("refusal_no_tab"),
            Refusal::SubFrame => t("refusal_sub_frame"),
            Refusal::NotAProductPage => t("refusal_not_product_page"),
            Refusal::BadField(what) => tf("refusal_bad_field", &[what.into()]),
        };
        tf("refused", &[why.into()])
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::ForeignExtension => f.write_str("the message did not come from AliSavePro"),
            Refusal::NoTab => f.write_str("the message did not come from a browser tab"),
            Refusal::SubFrame => f.write_str("the message came from an embedded frame"),
            Refusal::NotAProductPage => {
                f.write_str("the message did not come from a shop product page")
            }
            Refusal::BadField(what) => write!(f, "invalid message: {what}"),
        }
    }
}

/// Messages the extension's own queue page (`queue.html`) sends the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PageToBg {
    /// Start a queue of the product links in `text` (a pasted list or a
    /// text/CSV file), `pause_ms` between products. Refused while another
    /// queue runs.
    QueueStart {
        text: String,
        pause_ms: f64,
    },
    QueuePause,
    /// Goes on; a product stopped at a captcha is read again.
    QueueResume,
    QueueCancel,
    QueueRetry,
    /// Forgets a queue that ended.
    QueueClear,
    /// The page heard nothing for a while: the worker checks the queue (starts
    /// a stopped worker, which goes on).
    QueuePoke,
}

/// Longest list text a queue page may send (bytes).
pub const MAX_QUEUE_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// Whether a message is one of the queue page's (by its `type`), before it is
/// read.
pub fn is_page_message(kind: &str) -> bool {
    kind.starts_with("queue_")
}

/// Checks that `sender` is this extension's queue page (`queue.html`, top
/// frame). Content scripts and other pages are refused.
pub fn validate_page_sender(sender: &Sender, own_id: &str) -> Result<(), Refusal> {
    validate_extension_page(sender, own_id, "queue.html")
}

/// Checks that `sender` is this extension's page `page` (top frame).
fn validate_extension_page(sender: &Sender, own_id: &str, page_name: &str) -> Result<(), Refusal> {
    if sender.id.as_deref() != Some(own_id) || own_id.is_empty() {
        return Err(Refusal::ForeignExtension);
    }
    let url = sender.url.as_deref().unwrap_or_default();
    let page = url
        .strip_prefix("chrome-extension://")
        .and_then(|r| r.strip_prefix(own_id))
        .and_then(|r| r.strip_prefix('/'))
        .map(|r| r.split(['?', '#']).next().unwrap_or_default());
    if page != Some(page_name) {
        return Err(Refusal::ForeignExtension);
    }
    if sender.frame_id.is_some_and(|f| f != 0) {
        return Err(Refusal::SubFrame);
    }
    Ok(())
}

/// The popup's buyer-photo commands (issue #15), for the product page shown
/// in `tab_id`. Only `popup.html` may send them ([`validate_popup_sender`]);
/// the worker takes the product from the tab's own URL, never from the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PopupToBg {
    /// Read the product's review pages (as far as `filter` needs).
    ReviewsLoad {
        tab_id: i64,
        filter: crate::reviews::ReviewFilter,
    },
    /// Save the photos `filter` selects of what was read; `title` and `shop`
    /// (the popup's inventory) name the product folder as for product media.
    ReviewsSave {
        tab_id: i64,
        filter: crate::reviews::ReviewFilter,
        title: Option<String>,
        shop: Option<String>,
    },
    /// Stop reading, keeping what was read.
    ReviewsCancel { tab_id: i64 },
}

/// Whether a message is one of the popup's buyer-photo commands (by its `type`).
pub fn is_popup_message(kind: &str) -> bool {
    kind.starts_with("reviews_")
}

/// Checks that `sender` is this extension's popup (`popup.html`, top frame).
pub fn validate_popup_sender(sender: &Sender, own_id: &str) -> Result<(), Refusal> {
    validate_extension_page(sender, own_id, "popup.html")
}

/// Longest variant name, title or shop name a popup command may carry (bytes).
pub const MAX_POPUP_TEXT_BYTES: usize = 1000;

impl PopupToBg {
    /// The tab the command is about.
    pub fn tab_id(&self) -> i64 {
        match self {
            PopupToBg::ReviewsLoad { tab_id, .. }
            | PopupToBg::ReviewsSave { tab_id, .. }
            | PopupToBg::ReviewsCancel { tab_id } => *tab_id,
        }
    }

    /// Every field within its range.
    pub fn validate(&self) -> Result<(), Refusal> {
        let bad = |what: &str| Err(Refusal::BadField(what.to_string()));
        if !(0..=i64::from(i32::MAX)).contains(&self.tab_id()) {
            return bad("tab_id");
        }
        let (filter, texts) = match self {
            PopupToBg::ReviewsLoad { filter, .. } => (Some(filter), vec![]),
            PopupToBg::ReviewsSave {
                filter,
                title,
                shop,
                ..
            } => (Some(filter), vec![title, shop]),
            PopupToBg::ReviewsCancel { .. } => (None, vec![]),
        };
        if let Some(f) = filter {
            if f.min_stars > 5 {
                return bad("min_stars");
            }
            if !(1..=crate::reviews::MAX_MAX_PHOTOS).contains(&f.max_photos) {
                return bad("max_photos");
            }
            if f.variant
                .as_ref()
                .is_some_and(|v| v.len() > MAX_POPUP_TEXT_BYTES)
            {
                return bad("variant");
            }
        }
        if texts
            .iter()
            .any(|t| t.as_ref().is_some_and(|t| t.len() > MAX_POPUP_TEXT_BYTES))
        {
            return bad("title");
        }
        Ok(())
    }
}

/// Which review source a product page is read from, or why it is not read:
/// Alibaba.com shows supplier reviews only to a signed-in buyer. aliexpress.ru
/// starts from the page itself (its first reviews in `#__AER_DATA__`); its
/// further pages, when the filter needs them, are the page's own review
/// request (`reviews::ru_request_body`, the extension's one `POST`).
pub fn review_source(page: &ProductPage) -> Result<crate::reviews::ReviewSource, Say> {
    match page.platform {
        crate::Platform::AliExpress => Ok(crate::reviews::ReviewSource::AliExpress),
        crate::Platform::AliExpressRu => Ok(crate::reviews::ReviewSource::AliExpressRuPage),
        crate::Platform::Alibaba => Err(t("buyer_alibaba_sign_in")),
    }
}

/// What a queued product's page read gave, from the content script's answer to
/// [`PopupToContent::SavePage`]. `None`: nothing to record (the page was busy
/// with another save, or its script was not listening yet).
pub fn queue_outcome(report: &SaveReport) -> Option<crate::queue::PageOutcome> {
    use crate::queue::PageOutcome;
    if !report.need_documents.is_empty() {
        return None; // a first round: the page fetches its description and asks again
    }
    if let Some(batch_id) = &report.batch_id {
        return Some(PageOutcome::Saving {
            batch_id: batch_id.clone(),
        });
    }
    match report.message.key.as_str() {
        "content_busy" => None,
        CHALLENGE_KEY => Some(PageOutcome::Challenge),
        _ => Some(PageOutcome::Failed {
            reason: if report.message.key.is_empty() && report.message.args.is_empty() {
                t("report_none_found")
            } else {
                report.message.clone()
            },
        }),
    }
}

/// The sentence of a save refused because the page is a captcha, "punish" or
/// sign-in page ([`crate::page_view::challenge_page`]).
pub const CHALLENGE_KEY: &str = "page_challenge";

/// Checks that `sender` is this extension's content script in the top frame of a
/// tab showing a shop product page. Returns the page and the tab id.
pub fn validate_content_sender(
    sender: &Sender,
    own_id: &str,
) -> Result<(ProductPage, i64), Refusal> {
    if sender.id.as_deref() != Some(own_id) || own_id.is_empty() {
        return Err(Refusal::ForeignExtension);
    }
    let tab_id = sender.tab_id.ok_or(Refusal::NoTab)?;
    if sender.frame_id != Some(0) {
        return Err(Refusal::SubFrame);
    }
    let url = sender.url.as_deref().ok_or(Refusal::NotAProductPage)?;
    if url.len() > MAX_URL_BYTES {
        return Err(Refusal::BadField("sender URL too long".into()));
    }
    let page = product_page(url).ok_or(Refusal::NotAProductPage)?;
    Ok((page, tab_id))
}

/// The page view a validated content script speaks for: its document and the
/// product its current URL shows (`page`: the snapshot's or announced URL,
/// checked by [`validate_snapshot`]). `None` when Chrome did not say which
/// document it is (then no data the worker saw for the tab is used: only the
/// snapshot).
pub fn sender_page_view(sender: &Sender, page: &ProductPage) -> Option<crate::page_view::PageView> {
    let doc = sender.document_id.as_deref()?;
    if doc.is_empty() || doc.len() > 128 {
        return None;
    }
    Some(crate::page_view::PageView {
        document_id: doc.to_string(),
        product_id: page.product_id.clone(),
    })
}

/// Whether `id` can be a save request's id: 1 to 64 ASCII letters, digits, `.`,
/// `-` or `_` (what the content script makes: time and a random number).
pub fn valid_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Checks the URL a content script says its page shows now against its (already
/// validated) sender page: a product page of the same shop host. Chrome's
/// `sender.url` stays the URL the content script started on, while the page may
/// have moved to another product with `history.pushState` — which can only
/// change the path within the same origin. Returns the page the URL shows.
pub fn validate_current_url(url: &str, sender_page: &ProductPage) -> Result<ProductPage, Refusal> {
    if url.len() > MAX_URL_BYTES {
        return Err(Refusal::BadField("page URL too long".into()));
    }
    match product_page(url) {
        Some(p) if p.platform == sender_page.platform && p.host == sender_page.host => Ok(p),
        _ => Err(Refusal::BadField(
            "page URL does not match the sending tab".into(),
        )),
    }
}

/// Checks a page snapshot against its (already validated) sender page; returns
/// the product page it shows ([`validate_current_url`]).
pub fn validate_snapshot(
    snapshot: &PageSnapshot,
    sender_page: &ProductPage,
) -> Result<ProductPage, Refusal> {
    if snapshot.html.len() > MAX_HTML_BYTES {
        return Err(Refusal::BadField(format!(
            "page is larger than {} MiB",
            MAX_HTML_BYTES / (1024 * 1024)
        )));
    }
    validate_current_url(&snapshot.url, sender_page)
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const ID: &str = "abcdefghijklmnopabcdefghijklmnop";

    fn sender(url: &str) -> Sender {
        Sender {
            id: Some(ID.into()),
            url: Some(url.into()),
            tab_id: Some(7),
            frame_id: Some(0),
            document_id: Some("D1".into()),
        }
    }

    #[test]
    fn message_json_shape_is_stable() {
        let m: ContentToBg = serde_json::from_value(json!({
            "type": "save_all",
            "page": {"url": "https://www.aliexpress.com/item/1.html", "html": "<html></html>"}
        }))
        .expect("valid message");
        assert!(matches!(m, ContentToBg::SaveAll { ref documents, .. } if documents.is_empty()));
        for bad in [
            json!({"type": "download", "url": "https://evil.example/x.exe"}),
            json!({"type": "save_all"}),
            json!({"type": "save_all", "page": {"url": 1, "html": ""}}),
            json!({"type": "save_all", "page": {"url": "u", "html": "", "extra": 1}}),
            json!("save_all"),
        ] {
            assert!(
                serde_json::from_value::<ContentToBg>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn sender_rules() {
        let ok = validate_content_sender(
            &sender("https://www.aliexpress.com/item/1005005913925017.html"),
            ID,
        );
        if let Some(p) = product_page("https://www.aliexpress.com/item/1005005913925017.html") {
            assert_eq!(ok, Ok((p, 7)));
        }
        let mut s = sender("https://www.aliexpress.com/item/1005005913925017.html");
        s.id = Some("otherextensionidotherextensionid".into());
        assert_eq!(
            validate_content_sender(&s, ID),
            Err(Refusal::ForeignExtension)
        );
        let mut s = sender("https://www.aliexpress.com/item/1005005913925017.html");
        s.tab_id = None;
        assert_eq!(validate_content_sender(&s, ID), Err(Refusal::NoTab));
        let mut s = sender("https://www.aliexpress.com/item/1005005913925017.html");
        s.frame_id = Some(3);
        assert_eq!(validate_content_sender(&s, ID), Err(Refusal::SubFrame));
        assert_eq!(
            validate_content_sender(&sender("https://evil.example/item/1.html"), ID),
            Err(Refusal::NotAProductPage)
        );
        assert_eq!(
            validate_content_sender(&sender("https://www.aliexpress.com/cart"), ID),
            Err(Refusal::NotAProductPage)
        );
    }

    #[test]
    fn request_ids_are_short_and_plain() {
        assert!(valid_request_id("1764460800123-0.8123"));
        for bad in ["", "a b", "x/../y", "é", &"1".repeat(65)] {
            assert!(!valid_request_id(bad), "{bad}");
        }
    }

    #[test]
    fn the_page_view_is_the_senders_document_and_product() {
        let url = "https://www.aliexpress.com/item/1005005913925017.html";
        let s = sender(url);
        let Ok((page, _)) = validate_content_sender(&s, ID) else {
            panic!("valid sender refused")
        };
        let view = sender_page_view(&s, &page);
        assert_eq!(
            view,
            Some(crate::page_view::PageView {
                document_id: "D1".into(),
                product_id: "1005005913925017".into()
            })
        );
        for bad in [None, Some(String::new()), Some("x".repeat(129))] {
            let s = Sender {
                document_id: bad,
                ..sender(url)
            };
            assert_eq!(sender_page_view(&s, &page), None);
        }
    }

    #[test]
    fn snapshot_must_be_a_product_page_of_the_senders_origin() {
        let url = "https://www.aliexpress.com/item/1005005913925017.html";
        let Some(page) = product_page(url) else {
            panic!("product page not recognised")
        };
        let snap = |u: &str, n: usize| PageSnapshot {
            url: u.into(),
            html: "x".repeat(n),
        };
        assert_eq!(validate_snapshot(&snap(url, 10), &page), Ok(page.clone()));
        // Another product on the same origin: the page moved (history.pushState),
        // while Chrome's sender.url is still the URL the content script started on.
        let moved = "https://www.aliexpress.com/item/1005000000000001.html";
        assert_eq!(
            validate_snapshot(&snap(moved, 10), &page).map(|p| p.product_id),
            Ok("1005000000000001".to_string())
        );
        for other in [
            "https://de.aliexpress.com/item/1005000000000001.html",
            "https://www.alibaba.com/product-detail/x_1600000000001.html",
            "https://www.aliexpress.com/cart",
            "https://evil.example/item/1005005913925017.html",
        ] {
            assert!(
                validate_snapshot(&snap(other, 10), &page).is_err(),
                "{other}"
            );
        }
        assert!(validate_snapshot(&snap(url, MAX_HTML_BYTES + 1), &page).is_err());
        assert!(validate_current_url(&"x".repeat(MAX_URL_BYTES + 1), &page).is_err());
    }

    #[test]
    fn documents_must_be_named_by_the_page_and_bounded() {
        let named = vec!["https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=1".to_string()];
        let doc = |u: &str, n: usize| Document {
            url: u.into(),
            body: "x".repeat(n),
        };
        let api = vec![
            "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?data=%7B%7D"
                .to_string(),
        ];
        assert_eq!(
            validate_documents(&[doc(&named[0], 10)], &[], &named, &api),
            Ok(())
        );
        // An API answer of this page view, handed back by the content script.
        assert_eq!(
            validate_documents(&[doc(&named[0], 10), doc(&api[0], 10)], &[], &named, &api),
            Ok(())
        );
        assert!(validate_documents(&[doc(&api[0], 10)], &[], &named, &[]).is_err());
        assert!(
            validate_documents(&[doc(&named[0], 1), doc(&named[0], 1)], &[], &named, &api).is_err()
        );
        assert!(validate_documents(
            &[doc("https://evil.example/desc.htm", 10)],
            &[],
            &named,
            &api
        )
        .is_err());
        assert!(
            validate_documents(&[doc(&named[0], MAX_DOCUMENT_BYTES + 1)], &[], &named, &api)
                .is_err()
        );
        let many: Vec<Document> = (0..=MAX_DOCUMENTS).map(|_| doc(&named[0], 1)).collect();
        assert!(validate_documents(&many, &[], &named, &api).is_err());
        let gone = |u: &str| Unavailable {
            url: u.into(),
            reason: "HTTP 404".into(),
        };
        assert_eq!(
            validate_documents(&[], &[gone(&named[0])], &named, &api),
            Ok(())
        );
        assert!(validate_documents(&[], &[gone("https://evil.example/")], &named, &api).is_err());
        // What the page names is needed only for a document it did not request
        // itself or one said to be unavailable; without it, such a document
        // is refused, and every other check still holds.
        assert!(!needs_expected(&[doc(&api[0], 10)], &[], &api));
        assert!(needs_expected(&[doc(&named[0], 10)], &[], &api));
        assert!(needs_expected(
            &[doc(&api[0], 10)],
            &[gone(&named[0])],
            &api
        ));
        assert!(!needs_expected(&[], &[], &[]));
        assert_eq!(
            validate_documents(&[doc(&api[0], 10)], &[], &[], &api),
            Ok(())
        );
        assert!(validate_documents(&[doc(&api[0], 1), doc(&api[0], 1)], &[], &[], &api).is_err());
        assert!(validate_documents(&[doc(&named[0], 10)], &[], &[], &api).is_err());
    }

    #[test]
    fn failure_summary_names_files_and_elides() {
        let f = |n: usize| FailedFile {
            url: String::new(),
            path: format!("A/b/gallery-0{n}.jpg"),
            reason: tf("why_http_status", &["404".into()]),
        };
        assert_eq!(failure_summary(&[]).english(), "");
        assert_eq!(
            failure_summary(&[f(1)]).english(),
            "gallery-01.jpg: HTTP 404"
        );
        let four: Vec<FailedFile> = (1..=4).map(f).collect();
        assert_eq!(
            failure_summary(&four).english(),
            "gallery-01.jpg: HTTP 404; gallery-02.jpg: HTTP 404; gallery-03.jpg: HTTP 404; …"
        );
    }

    #[test]
    fn report_summary() {
        let mut r = SaveReport {
            folder: "AliSavePro/aliexpress-1".into(),
            ..Default::default()
        };
        r.started = vec!["a".into(), "b".into()];
        r.summarise();
        assert!(r.ok);
        assert_eq!(
            r.message.english(),
            "Saving 2 files to AliSavePro/aliexpress-1."
        );
        r.started.truncate(1);
        r.failed.push(FailedFile {
            url: String::new(),
            path: "x/gallery-02.jpg".into(),
            reason: t("why_not_cdn"),
        });
        r.warnings.push(Warning::new("bad_json", "parser note"));
        r.warnings.push(Warning::for_user(
            "description_missing",
            tf("warn_description_missing", &["HTTP 404".into()]),
        ));
        r.summarise();
        assert_eq!(
            r.message.english(),
            "Saving 1 file to AliSavePro/aliexpress-1; 1 could not be saved. The product description could not be loaded (HTTP 404); its images are not included."
        );
        // Nothing started: the count of failures in its plural form.
        r.started.clear();
        r.warnings.clear();
        r.summarise();
        assert_eq!(r.message.english(), "1 file could not be saved.");
        r.failed = vec![r.failed[0].clone(); 3];
        r.summarise();
        assert_eq!(r.message.english(), "None of the 3 files could be saved.");
        let mut r = SaveReport::default();
        r.summarise();
        assert!(!r.ok);
        assert_eq!(
            r.message.english(),
            "No product images were found on this page."
        );
        assert_eq!(
            Refusal::NotAProductPage.say().english(),
            "Refused: the message did not come from a shop product page."
        );
    }

    #[test]
    fn a_queued_page_read_is_saving_a_challenge_busy_or_failed() {
        use crate::queue::PageOutcome;
        let saving = SaveReport {
            ok: true,
            batch_id: Some("7-1".into()),
            ..SaveReport::default()
        };
        assert_eq!(
            queue_outcome(&saving),
            Some(PageOutcome::Saving {
                batch_id: "7-1".into()
            })
        );
        assert_eq!(
            queue_outcome(&SaveReport::refused(t("page_challenge"))),
            Some(PageOutcome::Challenge)
        );
        assert_eq!(CHALLENGE_KEY, t("page_challenge").key);
        assert_eq!(queue_outcome(&SaveReport::refused(t("content_busy"))), None);
        let first_round = SaveReport {
            need_documents: vec!["https://aeproductsourcesite.alicdn.com/x".into()],
            message: t("content_loading_description"),
            ..SaveReport::default()
        };
        assert_eq!(queue_outcome(&first_round), None);
        assert_eq!(
            queue_outcome(&SaveReport::refused(t("report_none_found"))),
            Some(PageOutcome::Failed {
                reason: t("report_none_found")
            })
        );
    }

    #[test]
    fn only_the_queue_page_sends_queue_commands() {
        let own = "abcdefghijklmnopabcdefghijklmnop";
        let page = |url: &str, id: &str| Sender {
            id: Some(id.into()),
            url: Some(url.into()),
            tab_id: Some(4),
            frame_id: Some(0),
            document_id: None,
        };
        let q = format!("chrome-extension://{own}/queue.html");
        assert_eq!(validate_page_sender(&page(&q, own), own), Ok(()));
        assert_eq!(
            validate_page_sender(&page(&format!("{q}#x"), own), own),
            Ok(())
        );
        for (url, id) in [
            (q.as_str(), "other"),
            ("https://www.aliexpress.com/item/1.html", own),
            (&*format!("chrome-extension://{own}/popup.html"), own),
            (&*format!("chrome-extension://{own}/queue.html.evil"), own),
        ] {
            assert!(validate_page_sender(&page(url, id), own).is_err(), "{url}");
        }
        assert!(is_page_message("queue_start"));
        assert!(!is_page_message("save_all"));
        let start: PageToBg =
            serde_json::from_str(r#"{"type":"queue_start","text":"x","pause_ms":0}"#)
                .expect("start");
        assert!(matches!(start, PageToBg::QueueStart { .. }));
        assert!(serde_json::from_str::<PageToBg>(r#"{"type":"queue_start","text":"x"}"#).is_err());
        assert!(serde_json::from_str::<PageToBg>(r#"{"type":"queue_download"}"#).is_err());
    }

    #[test]
    fn popup_commands_only_from_the_popup_and_in_range() {
        let own = "abcdefghijklmnopabcdefghijklmnop";
        let from = |url: &str, frame: Option<i64>| Sender {
            id: Some(own.to_string()),
            url: Some(url.to_string()),
            tab_id: None,
            frame_id: frame,
            document_id: None,
        };
        let popup = format!("chrome-extension://{own}/popup.html?tab=3");
        assert!(validate_popup_sender(&from(&popup, Some(0)), own).is_ok());
        assert!(validate_popup_sender(&from(&popup, None), own).is_ok());
        let queue = format!("chrome-extension://{own}/queue.html");
        assert!(validate_popup_sender(&from(&queue, None), own).is_err());
        assert!(validate_page_sender(&from(&popup, None), own).is_err());
        assert!(validate_popup_sender(&from(&popup, Some(2)), own).is_err());
        assert!(
            validate_popup_sender(&from("https://www.aliexpress.com/item/1.html", None), own)
                .is_err()
        );
        assert!(is_popup_message("reviews_load") && !is_popup_message("save_all"));

        let load: PopupToBg = serde_json::from_str(
            r#"{"type":"reviews_load","tab_id":7,"filter":{"min_stars":4,"max_photos":50}}"#,
        )
        .expect("load");
        assert_eq!(load.tab_id(), 7);
        assert!(load.validate().is_ok());
        let bad = |json: &str| {
            serde_json::from_str::<PopupToBg>(json)
                .map(|m| m.validate().is_err())
                .unwrap_or(true)
        };
        assert!(bad(r#"{"type":"reviews_load","tab_id":-1,"filter":{}}"#));
        assert!(bad(
            r#"{"type":"reviews_load","tab_id":1,"filter":{"min_stars":6}}"#
        ));
        assert!(bad(
            r#"{"type":"reviews_load","tab_id":1,"filter":{"max_photos":0}}"#
        ));
        assert!(bad(
            r#"{"type":"reviews_load","tab_id":1,"filter":{"max_photos":2001}}"#
        ));
        assert!(bad(
            r#"{"type":"reviews_cancel","tab_id":1,"product_id":"2"}"#
        ));
        let long = "x".repeat(MAX_POPUP_TEXT_BYTES + 1);
        assert!(bad(&format!(
            r#"{{"type":"reviews_save","tab_id":1,"filter":{{}},"title":"{long}"}}"#
        )));
        assert!(bad(&format!(
            r#"{{"type":"reviews_save","tab_id":1,"filter":{{"variant":"{long}"}}}}"#
        )));
        assert!(!bad(
            r#"{"type":"reviews_save","tab_id":1,"filter":{"variant":"Red"},"title":"T","shop":null}"#
        ));
    }

    #[test]
    fn review_sources() {
        let page = |u: &str| product_page(u).expect("product page");
        assert_eq!(
            review_source(&page("https://www.aliexpress.com/item/1005001.html")),
            Ok(crate::reviews::ReviewSource::AliExpress)
        );
        assert_eq!(
            review_source(&page("https://www.alibaba.com/product-detail/x_1600.html")),
            Err(t("buyer_alibaba_sign_in"))
        );
        assert_eq!(
            review_source(&page("https://aliexpress.ru/item/1005001.html")),
            Ok(crate::reviews::ReviewSource::AliExpressRuPage),
            "page 1 from the page itself, further pages by its POST"
        );
    }
}
