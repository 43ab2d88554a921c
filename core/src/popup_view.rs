//! Pure logic of the popup's progress view and live grid, and the messages
//! between the popup and a tab's content script that came with them.
//!
//! The popup reads download batches (`batch:<id>` in `chrome.storage.session`,
//! written by the worker) and follows their changes; these functions decide which
//! batch it shows and what it says about it. They read a batch only through its
//! existing fields and [`Batch::progress`], so optional fields added to
//! [`Batch`] later change nothing here.

use crate::engine::{Batch, JobState};
use crate::protocol::FailedFile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Prefix of the `chrome.storage.session` keys of batches (see `engine::batch_key`).
pub const BATCH_PREFIX: &str = "batch:";

/// Name of the port the popup opens to the tab's content script
/// (`chrome.tabs.connect`) to hear about the page's media while it is open.
pub const POPUP_PORT: &str = "alisave-popup";

/// Requests from the popup to a tab's content script beyond
/// [`crate::protocol::PopupToContent`] (kept apart so that enum stays as it is).
/// The content script forwards them through its validated channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PopupRequest {
    /// Queue the failed files of this page's batch again; reply with a
    /// [`crate::protocol::SaveReport`].
    Retry { batch_id: String },
}

/// What the content script posts on the popup's port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ContentToPopup {
    /// The page's media changed (new images, a description that loaded late):
    /// inspect it again.
    MediaChanged,
}

/// A stored batch, if `value` is one (unreadable values are skipped, not errors).
pub fn batch_from_value(value: Option<&serde_json::Value>) -> Option<Batch> {
    crate::engine::batch_from_stored(value?)
}

/// Whether `batch` belongs to the popup's tab and product.
pub fn concerns(batch: &Batch, tab_id: i64, product_id: &str) -> bool {
    batch.tab_id == tab_id && batch.product.id == product_id
}

/// Whether a changed batch should replace the one shown: it is the same batch,
/// or a newer one of the same tab and product.
pub fn replaces(current: Option<&Batch>, candidate: &Batch, tab_id: i64, product_id: &str) -> bool {
    concerns(candidate, tab_id, product_id)
        && current.is_none_or(|c| c.id == candidate.id || candidate.created_ms >= c.created_ms)
}

/// Whether the batch the popup's first read of storage found should replace
/// the one shown. Unlike a change ([`replaces`]), a snapshot never replaces
/// the same batch: the read was asked before any change the listener has
/// heard since could have been applied, and its answer may arrive after them
/// (its reply and the change events travel separately), so it may be older
/// than what is shown, and putting it back would show a finished save as
/// running for good (no later change comes to correct it). A change newer
/// than the snapshot always comes to the listener.
pub fn snapshot_replaces(
    current: Option<&Batch>,
    candidate: &Batch,
    tab_id: i64,
    product_id: &str,
) -> bool {
    current.is_none_or(|c| c.id != candidate.id) && replaces(current, candidate, tab_id, product_id)
}

/// The product-data request URLs of a tab's `observed:` list (its stored
/// value), in order: when they change, the worker may know more about the
/// product, and the popup inspects its page again. The page's own buyer-review
/// requests (kind `ae_reviews`) are left out: they tell nothing about the
/// product's media, and a page paging its reviews would otherwise make the
/// popup inspect it at each page.
pub fn product_requests(observed: Option<&serde_json::Value>) -> Vec<String> {
    observed
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("kind").and_then(serde_json::Value::as_str) != Some("ae_reviews"))
        .filter_map(|r| r.get("url").and_then(serde_json::Value::as_str))
        .map(str::to_string)
        .collect()
}

/// The batch the popup shows for its tab and product: the most recent one.
pub fn latest_batch<'a>(
    entries: impl IntoIterator<Item = (&'a String, &'a serde_json::Value)>,
    tab_id: i64,
    product_id: &str,
) -> Option<Batch> {
    entries
        .into_iter()
        .filter(|(k, _)| k.starts_with(BATCH_PREFIX))
        .filter_map(|(_, v)| batch_from_value(Some(v)))
        .filter(|b| concerns(b, tab_id, product_id))
        .max_by(|a, b| a.created_ms.total_cmp(&b.created_ms))
}

/// What the popup shows about a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchView {
    pub batch_id: String,
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    /// Every file reached saved or failed.
    pub finished: bool,
    pub folder: String,
    /// Each failed file, with its file name (not the whole path) and reason.
    pub failures: Vec<Failure>,
    /// Original URLs of the saved files, newest first (for "open folder").
    pub saved_urls: Vec<String>,
    /// Chrome downloads of what was saved, newest first (the ZIP first): tried
    /// before the URLs (files made in the saver page have no CDN URL download).
    pub saved_downloads: Vec<i64>,
    /// When the batch was created (ms since the epoch).
    pub created_ms: f64,
}

/// One failed file as the popup lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub file: String,
    /// Rendered in the popup's language.
    pub reason: crate::say::Say,
    pub url: String,
}

/// Match patterns of the shops' product pages: the manifest's content-script
/// matches (`xtask/tests/manifest.rs` checks they are equal), for finding the
/// open product tabs (`chrome.tabs.query`).
pub const PRODUCT_PAGE_PATTERNS: [&str; 4] = [
    "*://*.aliexpress.com/item/*",
    "*://*.aliexpress.us/item/*",
    "*://*.aliexpress.ru/item/*",
    "*://*.alibaba.com/product-detail/*",
];

/// An open tab showing a product page ("Save all product tabs").
#[derive(Debug, Clone, PartialEq)]
pub struct ProductTab {
    pub tab_id: i64,
    pub title: String,
    pub product_id: String,
}

/// The product tabs among open tabs `(id, url, title)`, in their order; a
/// product open in two tabs is saved once (from its first tab), so two tabs
/// never write the same folder.
pub fn product_tabs(tabs: impl IntoIterator<Item = (i64, String, String)>) -> Vec<ProductTab> {
    let mut seen: Vec<(crate::Platform, String)> = Vec::new();
    let mut out = Vec::new();
    for (tab_id, url, title) in tabs {
        let Some(page) = crate::url::product_page(&url) else {
            continue;
        };
        let key = (page.platform, page.product_id.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(ProductTab {
            tab_id,
            title: if title.trim().is_empty() {
                page.product_id.clone()
            } else {
                title
            },
            product_id: page.product_id,
        });
    }
    out
}

/// The save request id of one tab of a "Save all product tabs" started at
/// `started_ms`: `t<ms>-<tab>` (one run: the same `t<ms>-`).
pub fn all_tabs_request_id(started_ms: f64, tab_id: i64) -> String {
    format!("t{}-{tab_id}", started_ms.max(0.0) as u64)
}

/// The batches of the newest "Save all product tabs" run among `batches` (by
/// their request ids, [`all_tabs_request_id`]): a popup opened again shows
/// that run's progress, and offers no second run while it goes on.
pub fn last_all_tabs_run(batches: impl IntoIterator<Item = Batch>) -> Vec<Batch> {
    let run_of = |b: &Batch| -> Option<u64> {
        let rest = b.request_id.as_deref()?.strip_prefix('t')?;
        let (ms, tab) = rest.split_once('-')?;
        (tab.parse::<i64>().ok()? == b.tab_id).then_some(())?;
        ms.parse().ok()
    };
    let mut all: Vec<(u64, Batch)> = batches
        .into_iter()
        .filter_map(|b| run_of(&b).map(|r| (r, b)))
        .collect();
    let Some(newest) = all.iter().map(|(r, _)| *r).max() else {
        return Vec::new();
    };
    all.retain(|(r, _)| *r == newest);
    all.into_iter().map(|(_, b)| b).collect()
}

/// The combined progress of saving several products at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllTabsProgress {
    pub products: usize,
    /// Products whose save ended with every file saved.
    pub products_done: usize,
    /// Products refused, or whose save ended with a failed file.
    pub products_failed: usize,
    pub files_done: usize,
    pub files_failed: usize,
    pub files_total: usize,
    /// Every product reached an end.
    pub finished: bool,
}

/// Combines the batches of a "save all tabs" (`products` asked, `refused` of
/// them refused before any batch, `batches` the ones that started).
pub fn all_tabs_progress(products: usize, refused: usize, batches: &[Batch]) -> AllTabsProgress {
    let mut p = AllTabsProgress {
        products,
        products_failed: refused,
        ..AllTabsProgress::default()
    };
    let mut ended = refused;
    for b in batches {
        let g = b.progress();
        p.files_done += g.done;
        p.files_failed += g.failed;
        p.files_total += g.total;
        if g.finished {
            ended += 1;
            if g.failed == 0 {
                p.products_done += 1;
            } else {
                p.products_failed += 1;
            }
        }
    }
    p.finished = ended >= products;
    p
}

/// The last component of a download path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl BatchView {
    pub fn of(batch: &Batch) -> BatchView {
        let p = batch.progress();
        let failures = p
            .failures
            .iter()
            .map(|FailedFile { url, path, reason }| Failure {
                file: file_name(path).to_string(),
                reason: reason.clone(),
                url: url.clone(),
            })
            .collect();
        let saved_urls = batch
            .jobs
            .iter()
            .rev()
            .filter(|j| j.state == JobState::Done)
            .map(|j| j.url.clone())
            .collect();
        BatchView {
            batch_id: p.batch_id,
            total: p.total,
            done: p.done,
            failed: p.failed,
            finished: p.finished,
            folder: p.folder,
            failures,
            saved_urls,
            saved_downloads: batch.saved_downloads(),
            created_ms: batch.created_ms,
        }
    }

    /// Files that reached an end (saved or failed): the bar's value.
    pub fn ended(&self) -> usize {
        self.done + self.failed
    }

    /// "Retry failed" is offered once the batch finished with failures.
    pub fn can_retry(&self) -> bool {
        self.finished && self.failed > 0
    }

    /// "Open folder" is offered once the batch finished with a saved file.
    pub fn can_open_folder(&self) -> bool {
        self.finished && self.done > 0
    }
}

/// The selection after the page's media changed from `old_all` to `new_all`:
/// the user's choices about media already shown are kept, media that are gone
/// are dropped, and new media are selected (as every medium of a product is
/// when it is first shown).
pub fn merge_selection(
    old_all: &BTreeSet<String>,
    selected: &BTreeSet<String>,
    new_all: &[String],
) -> BTreeSet<String> {
    new_all
        .iter()
        .filter(|u| selected.contains(*u) || !old_all.contains(*u))
        .cloned()
        .collect()
}

/// `localStorage` key listing the products whose selection is remembered, least
/// recently used first.
pub const SELECTION_ORDER_KEY: &str = "selection.order";

/// Products whose selection the popup remembers; older ones are forgotten.
pub const MAX_REMEMBERED_SELECTIONS: usize = 200;

/// Marks `key` as just used in `order` (least recently used first) and returns
/// the keys to forget so that at most `cap` stay.
pub fn touch_selection(order: &mut Vec<String>, key: &str, cap: usize) -> Vec<String> {
    order.retain(|k| k != key);
    order.push(key.to_string());
    let excess = order.len().saturating_sub(cap.max(1));
    order.drain(..excess).collect()
}

/// `localStorage` key of the grid's preview size.
pub const GRID_SIZE_KEY: &str = "ui.grid_size";

/// How large the grid's previews are (UI state, in `localStorage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridSize {
    Small,
    #[default]
    Medium,
    Large,
}

impl GridSize {
    pub const ALL: [GridSize; 3] = [GridSize::Small, GridSize::Medium, GridSize::Large];

    /// Tiles per row in the popup's grid.
    pub fn columns(self) -> u8 {
        match self {
            GridSize::Small => 6,
            GridSize::Medium => 4,
            GridSize::Large => 2,
        }
    }

    /// The stored name (`small`…); anything else reads as the default.
    pub fn as_str(self) -> &'static str {
        match self {
            GridSize::Small => "small",
            GridSize::Medium => "medium",
            GridSize::Large => "large",
        }
    }

    /// The size stored as `name`, or the default for anything unknown.
    pub fn parse(name: &str) -> GridSize {
        GridSize::ALL
            .into_iter()
            .find(|g| g.as_str() == name)
            .unwrap_or_default()
    }
}

/// `localStorage` key of the open lightbox: which product, which item.
pub const LIGHTBOX_KEY: &str = "ui.lightbox";

/// Where the lightbox was when the popup closed, so that it reopens there (UI
/// state only; one spot for all products).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightboxSpot {
    /// The product's selection key (platform and id).
    pub product: String,
    /// The original URL of the item shown.
    pub url: String,
}

/// The index in `urls` to reopen the lightbox at: the remembered item, when it
/// belongs to this product and the page still has it.
pub fn lightbox_index(
    spot: Option<&LightboxSpot>,
    product: &str,
    urls: &[String],
) -> Option<usize> {
    let spot = spot.filter(|s| s.product == product)?;
    urls.iter().position(|u| *u == spot.url)
}

/// One tile of the popup's grid, its texts already in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile<'a> {
    /// The item's place in the inventory (the preview button's `data-index`).
    pub index: usize,
    /// The original's URL (the checkbox's `data-url`).
    pub url: &'a str,
    pub checked: bool,
    /// The checkbox's (hidden) name.
    pub pick: &'a str,
    /// The preview button's (hidden) name.
    pub preview: &'a str,
    /// The thumbnail's address, given to the image as `data-src` (the popup sets
    /// its `src` when the tile comes near the visible part of the grid).
    pub thumb: Option<&'a str>,
    /// A video's badge text; `None` for images.
    pub badge: Option<&'a str>,
}

/// Appends the markup of `tile` to `out`: the grid's tiles are built as one
/// piece of HTML (one parse by the browser instead of some ten DOM calls per
/// tile). Every value is escaped; the markup is what the grid had as elements:
/// a labelled checkbox and a preview button with the thumbnail (a video without
/// a poster shows a play mark) and, for a video, its badge.
pub fn push_tile(out: &mut String, tile: &Tile<'_>) {
    out.push_str(r#"<li class="tile"><label class="pick"><input type="checkbox" data-url=""#);
    push_escaped(out, tile.url);
    out.push('"');
    if tile.checked {
        out.push_str(" checked");
    }
    out.push_str(r#"><span class="visually-hidden">"#);
    push_escaped(out, tile.pick);
    out.push_str(r#"</span></label><button type="button" class="zoom" data-index=""#);
    out.push_str(&tile.index.to_string());
    out.push_str(r#""><span class="visually-hidden">"#);
    push_escaped(out, tile.preview);
    out.push_str("</span>");
    match tile.thumb {
        Some(src) => {
            out.push_str(r#"<img decoding="async" alt="" width="96" height="96" data-src=""#);
            push_escaped(out, src);
            out.push_str(r#"">"#);
        }
        None => out.push_str(r#"<span class="video-mark" aria-hidden="true">▶</span>"#),
    }
    if let Some(badge) = tile.badge {
        out.push_str(r#"<span class="badge" aria-hidden="true">"#);
        push_escaped(out, badge);
        out.push_str("</span>");
    }
    out.push_str("</button></li>");
}

/// Appends `text` escaped for HTML text and (double-quoted) attribute values
/// (`&`, `<`, `>`, `"`, `'`), with the html-escape crate (already in the
/// popup through Leptos).
pub fn push_escaped(out: &mut String, text: &str) {
    html_escape::encode_quoted_attribute_to_string(text, out);
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;

    #[test]
    fn only_product_requests_make_the_popup_inspect_again() {
        let list = json!([
            {"kind": "ae_product", "url": "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?a", "document_id": "D", "product_id": "1"},
            {"kind": "ae_reviews", "url": "https://feedback.aliexpress.com/pc/searchEvaluation.do?productId=1&page=2", "document_id": "D", "product_id": "1"},
        ]);
        assert_eq!(
            product_requests(Some(&list)),
            ["https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?a"]
        );
        assert!(product_requests(None).is_empty());
        assert!(product_requests(Some(&json!("junk"))).is_empty());
    }
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn batch(id: &str, tab: i64, product: &str, created: f64, n: usize) -> Batch {
        crate::engine::sample_batch(id, tab, product, created, n)
    }

    /// As the engine stores it (its JSON text).
    fn stored(b: &Batch) -> serde_json::Value {
        serde_json::Value::String(crate::engine::stored_batch(b))
    }

    #[test]
    fn the_latest_batch_of_the_tab_and_product_is_shown() {
        let mut all = serde_json::Map::new();
        for b in [
            batch("7-1", 7, "1", 1.0, 2),
            batch("7-3", 7, "1", 3.0, 2),
            batch("7-9", 7, "2", 9.0, 2), // another product in the same tab
            batch("8-5", 8, "1", 5.0, 2), // another tab
        ] {
            all.insert(format!("batch:{}", b.id), stored(&b));
        }
        all.insert("batch:broken".into(), json!({"id": 3}));
        all.insert("observed:7".into(), json!([]));
        let got = latest_batch(&all, 7, "1").map(|b| b.id);
        assert_eq!(got.as_deref(), Some("7-3"));
        assert_eq!(latest_batch(&all, 9, "1"), None);
    }

    #[test]
    fn batches_with_fields_added_later_are_still_read() {
        // The object form older versions stored.
        let mut v = serde_json::to_value(batch("7-1", 7, "1", 1.0, 1)).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("zip".into(), json!({"name": "x.zip", "state": "building"}));
            o.insert("convert".into(), json!("webp"));
        }
        let b = batch_from_value(Some(&v));
        assert_eq!(b.map(|b| b.id).as_deref(), Some("7-1"));
    }

    #[test]
    fn a_change_replaces_the_shown_batch_only_when_it_is_ours_and_not_older() {
        let shown = batch("7-3", 7, "1", 3.0, 2);
        assert!(replaces(None, &shown, 7, "1"));
        assert!(replaces(Some(&shown), &shown, 7, "1"));
        assert!(replaces(
            Some(&shown),
            &batch("7-4", 7, "1", 4.0, 1),
            7,
            "1"
        ));
        assert!(!replaces(
            Some(&shown),
            &batch("7-2", 7, "1", 2.0, 1),
            7,
            "1"
        ));
        assert!(!replaces(
            Some(&shown),
            &batch("8-4", 8, "1", 4.0, 1),
            7,
            "1"
        ));
        assert!(!replaces(
            Some(&shown),
            &batch("7-5", 7, "2", 5.0, 1),
            7,
            "1"
        ));
    }

    #[test]
    fn a_first_read_never_puts_back_an_older_state_of_the_shown_batch() {
        let mut running = batch("7-3", 7, "1", 3.0, 2);
        running.take_startable(0.0);
        let mut finished = running.clone();
        for j in &mut finished.jobs {
            j.state = crate::engine::JobState::Done;
        }
        assert!(finished.finished() && !running.finished());
        // The listener showed the finished batch; the read, asked earlier, ends later.
        assert!(!snapshot_replaces(Some(&finished), &running, 7, "1"));
        assert!(snapshot_replaces(None, &running, 7, "1"));
        assert!(!snapshot_replaces(
            None,
            &batch("8-4", 8, "1", 4.0, 1),
            7,
            "1"
        ));
        // Otherwise as a change: a newer batch of the tab's product, and only that.
        for (candidate, want) in [
            (batch("7-4", 7, "1", 4.0, 1), true),
            (batch("7-2", 7, "1", 2.0, 1), false),
            (batch("8-4", 8, "1", 4.0, 1), false),
        ] {
            assert_eq!(
                snapshot_replaces(Some(&finished), &candidate, 7, "1"),
                want,
                "{}",
                candidate.id
            );
        }
    }

    #[test]
    fn the_view_counts_and_lists_failures_and_saved_files() {
        let mut b = batch("7-1", 7, "1", 1.0, 3);
        b.take_startable(0.0);
        b.started(0, 10);
        b.started(1, 11);
        b.started(2, 12);
        let v = BatchView::of(&b);
        assert_eq!((v.total, v.ended(), v.finished), (3, 0, false));
        assert!(!v.can_retry() && !v.can_open_folder());
        b.completed(10);
        b.interrupted(11, "SERVER_BAD_CONTENT", 0.0);
        let v = BatchView::of(&b);
        assert_eq!((v.done, v.failed, v.ended(), v.finished), (1, 1, 2, false));
        assert!(!v.can_retry(), "not before the batch finished");
        b.completed(12);
        let v = BatchView::of(&b);
        assert!(v.finished && v.can_retry() && v.can_open_folder());
        assert_eq!(
            v.failures,
            vec![Failure {
                file: "gallery-02.jpg".into(),
                reason: crate::say::t("why_not_found"),
                url: "https://ae01.alicdn.com/kf/S1.jpg".into(),
            }]
        );
        assert_eq!(
            v.saved_urls,
            vec![
                "https://ae01.alicdn.com/kf/S2.jpg".to_string(),
                "https://ae01.alicdn.com/kf/S0.jpg".to_string()
            ]
        );
        assert_eq!(v.folder, "AliSavePro/aliexpress-1");
        assert_eq!(file_name("a/b/c.jpg"), "c.jpg");
        assert_eq!(file_name("c.jpg"), "c.jpg");
    }

    #[test]
    fn grid_sizes_read_back_and_unknown_names_fall_back() {
        for g in GridSize::ALL {
            assert_eq!(GridSize::parse(g.as_str()), g);
        }
        assert_eq!(GridSize::parse("huge"), GridSize::Medium);
        assert_eq!(GridSize::parse(""), GridSize::Medium);
        assert!(GridSize::Small.columns() > GridSize::Medium.columns());
        assert!(GridSize::Medium.columns() > GridSize::Large.columns());
    }

    #[test]
    fn the_lightbox_reopens_at_the_remembered_item_of_this_product_only() {
        let urls: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let spot = |product: &str, url: &str| LightboxSpot {
            product: product.into(),
            url: url.into(),
        };
        assert_eq!(lightbox_index(Some(&spot("p1", "b")), "p1", &urls), Some(1));
        assert_eq!(
            lightbox_index(Some(&spot("p2", "b")), "p1", &urls),
            None,
            "another product"
        );
        assert_eq!(
            lightbox_index(Some(&spot("p1", "gone")), "p1", &urls),
            None,
            "no longer on the page"
        );
        assert_eq!(lightbox_index(None, "p1", &urls), None);
    }

    #[test]
    fn the_selection_keeps_choices_drops_the_gone_and_adds_the_new() {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let old_all = set(&["a", "b", "c"]);
        let selected = set(&["a", "c"]); // the user deselected b
        let new_all: Vec<String> = ["a", "b", "d", "e"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            merge_selection(&old_all, &selected, &new_all),
            set(&["a", "d", "e"])
        );
        assert_eq!(
            merge_selection(&old_all, &BTreeSet::new(), &new_all),
            set(&["d", "e"])
        );
    }

    #[test]
    fn popup_messages_have_a_stable_shape() {
        let r: Result<PopupRequest, _> =
            serde_json::from_value(json!({"type": "retry", "batch_id": "7-1"}));
        assert_eq!(
            r.ok(),
            Some(PopupRequest::Retry {
                batch_id: "7-1".into()
            })
        );
        assert!(serde_json::from_value::<PopupRequest>(json!({"type": "inspect"})).is_err());
        assert!(serde_json::from_value::<PopupRequest>(
            json!({"type": "retry", "batch_id": "1", "x": 1})
        )
        .is_err());
        assert_eq!(
            serde_json::to_value(ContentToPopup::MediaChanged).ok(),
            Some(json!({"type": "media_changed"}))
        );
    }

    #[test]
    fn remembered_selections_are_capped_least_recently_used_first() {
        let mut order = Vec::new();
        for k in ["a", "b", "c"] {
            assert!(touch_selection(&mut order, k, 3).is_empty());
        }
        // Using "a" again makes "b" the oldest.
        assert!(touch_selection(&mut order, "a", 3).is_empty());
        assert_eq!(order, ["b", "c", "a"]);
        assert_eq!(touch_selection(&mut order, "d", 3), vec!["b".to_string()]);
        assert_eq!(order, ["c", "a", "d"]);
        // A smaller cap (or a list grown past it) forgets every excess key at once.
        assert_eq!(
            touch_selection(&mut order, "e", 2),
            vec!["c".to_string(), "a".to_string()]
        );
        assert_eq!(order, ["d", "e"]);
    }

    #[test]
    fn product_tabs_are_saved_once_per_product() {
        let tabs = vec![
            (
                1,
                "https://www.aliexpress.com/item/1005004787627817.html".to_string(),
                "Bottle".to_string(),
            ),
            (
                2,
                "https://www.aliexpress.com/".to_string(),
                "Home".to_string(),
            ),
            (
                3,
                "https://de.aliexpress.com/item/1005004787627817.html".to_string(),
                "Flasche".to_string(),
            ),
            (
                4,
                "https://www.alibaba.com/product-detail/Cup_1600000000001.html".to_string(),
                " ".to_string(),
            ),
        ];
        let got = product_tabs(tabs);
        let ids: Vec<(i64, &str)> = got.iter().map(|t| (t.tab_id, t.title.as_str())).collect();
        assert_eq!(ids, [(1, "Bottle"), (4, "1600000000001")]);
    }

    #[test]
    fn a_reopened_popup_finds_the_last_run_of_all_tabs() {
        let with = |id: &str, tab: i64, rid: Option<String>| {
            let mut b = batch(id, tab, "1", 0.0, 1);
            b.request_id = rid;
            b
        };
        let runs = vec![
            with("1-1", 1, Some(all_tabs_request_id(1000.0, 1))),
            with("2-1", 2, Some(all_tabs_request_id(2000.0, 2))),
            with("3-1", 3, Some(all_tabs_request_id(2000.0, 3))),
            with("4-1", 4, Some("123-45".into())),
            with("5-1", 5, Some("t3000-6".into())),
            with("6-1", 6, None),
        ];
        let ids: Vec<String> = last_all_tabs_run(runs).into_iter().map(|b| b.id).collect();
        assert_eq!(ids, ["2-1", "3-1"], "a batch naming another tab is not one");
        assert!(last_all_tabs_run(Vec::new()).is_empty());
    }

    #[test]
    fn the_combined_progress_of_several_products() {
        let mut a = batch("1-1", 1, "1", 0.0, 1);
        let b = batch("2-1", 2, "2", 0.0, 1);
        let p = all_tabs_progress(3, 1, &[a.clone(), b.clone()]);
        assert_eq!(
            (p.products_failed, p.files_total, p.finished),
            (1, 2, false)
        );
        a.jobs[0].state = JobState::Done;
        let mut b2 = b;
        b2.jobs[0].state = JobState::Failed {
            reason: crate::say::t("why_not_cdn"),
        };
        let p = all_tabs_progress(3, 1, &[a, b2]);
        assert_eq!(
            (
                p.products_done,
                p.products_failed,
                p.files_done,
                p.files_failed,
                p.finished
            ),
            (1, 2, 1, 1, true)
        );
    }
    #[test]
    fn tile_markup_escapes_every_value() {
        let mut out = String::new();
        push_tile(
            &mut out,
            &Tile {
                index: 7,
                url: "https://a.example/x.jpg?a=1&b=\"<2>'",
                checked: true,
                pick: "Pick <b>&",
                preview: "Preview \"x\"",
                thumb: Some("https://a.example/x.jpg_350x350.jpg?q=<&>"),
                badge: None,
            },
        );
        assert_eq!(
            out,
            concat!(
                r#"<li class="tile"><label class="pick"><input type="checkbox" "#,
                r#"data-url="https://a.example/x.jpg?a=1&amp;b=&quot;&lt;2&gt;&#x27;" checked>"#,
                r#"<span class="visually-hidden">Pick &lt;b&gt;&amp;</span></label>"#,
                r#"<button type="button" class="zoom" data-index="7">"#,
                r#"<span class="visually-hidden">Preview &quot;x&quot;</span>"#,
                r#"<img decoding="async" alt="" width="96" height="96" "#,
                r#"data-src="https://a.example/x.jpg_350x350.jpg?q=&lt;&amp;&gt;"></button></li>"#
            )
        );
    }

    #[test]
    fn video_tile_without_poster_has_play_mark_and_badge() {
        let mut out = String::new();
        let tile = Tile {
            index: 0,
            url: "https://v.example/v.mp4",
            checked: false,
            pick: "p",
            preview: "v",
            thumb: None,
            badge: Some("video"),
        };
        push_tile(&mut out, &tile);
        assert!(!out.contains(" checked"));
        assert!(out.ends_with(concat!(
            r#"<span class="visually-hidden">v</span>"#,
            r#"<span class="video-mark" aria-hidden="true">▶</span>"#,
            r#"<span class="badge" aria-hidden="true">video</span></button></li>"#
        )));
        // With a poster: the image, then the badge.
        out.clear();
        push_tile(
            &mut out,
            &Tile {
                thumb: Some("https://v.example/p.jpg"),
                ..tile
            },
        );
        assert!(out.contains(r#"data-src="https://v.example/p.jpg"><span class="badge""#));
    }
}
