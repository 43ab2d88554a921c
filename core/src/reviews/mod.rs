//! Buyer review photos (issue #15), the pure part: reading the shops' review
//! answers ([`mod@parse`]), choosing and naming the photos ([`mod@select`]), and the
//! paging rule ([`paging`]). Review photos are buyer media: they are kept apart
//! from the product's own media (no [`crate::MediaKind`]), go into their own
//! folder (`reviews/<variant>/`, [`crate::filename::ReviewNamer`]) and are
//! described by their own `reviews.json`/`reviews.csv`
//! ([`crate::manifest::reviews_json`]).
//!
//! What a [`Review`] keeps: its id (a string: AliExpress's numeric id exceeds
//! 2^53), date, the buyer's country, the stars, the variant bought, the text and
//! the follow-up text, how many found it helpful, and its photos and videos.
//! Never the buyer's name or avatar: the parsers do not read them.
//!
//! Formats (docs/page-formats.md §9.5):
//! * AliExpress global, `feedback.aliexpress.com/pc/searchEvaluation.do` JSON
//!   (`data.evaViewList[]`); its envelope (`totalPage`…) and the follow-up
//!   photo field `buyerAddFbImages` are not in the real captures and are read
//!   defensively;
//! * the mtop `mtop.aliexpress.review.pc.list` JSONP form, unconfirmed: read
//!   when its items have the same fields, with a warning;
//! * aliexpress.ru: the `product-reviews` API (`data.reviews[]`) and the first
//!   reviews in the page's `#__AER_DATA__` (widget
//!   `bx/RedReviewsProductFeedbackList`).

pub mod paging;
pub mod parse;
pub mod select;

use crate::filename::Date;
use serde::{Deserialize, Serialize};

pub use paging::{ReviewRequest, ReviewRun, RunState};

/// Review pages the in-page button reads when the setting `button_reviews` is
/// on (issue #15): the product's first pages, within the default filter.
pub const BUTTON_PAGES: u32 = 2;
pub use parse::{parse, ReviewPage};
pub use select::{
    counts, plan, select, thumbnails, ReviewCounts, ReviewFile, ReviewPhoto, ReviewThumb,
    Selection, StarCount, VariantCount,
};

/// Where review data came from.
/// Prefix of a tab's review run in `chrome.storage.session`
/// (`reviews:<tab id>`, a [`StoredReviews`]; removed with the tab).
pub const REVIEWS_PREFIX: &str = "reviews:";

/// The storage key of `tab_id`'s review run.
pub fn reviews_key(tab_id: i64) -> String {
    format!("{REVIEWS_PREFIX}{tab_id}")
}

/// A tab's review run as the worker stores it between its steps (and the
/// popup reads it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReviews {
    pub product_id: String,
    /// [`crate::Platform::slug`].
    pub platform: String,
    pub page_url: String,
    /// The worker instance driving the run: a run left pending by another
    /// (stopped) worker is failed, not waited for.
    pub driver: String,
    pub run: ReviewRun,
    /// Set when the page's own save (its button, setting `button_reviews`)
    /// started the run: its photos are saved when the reading ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<ButtonRun>,
}

/// A review run the page's button started, to be saved when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonRun {
    /// The page's save request that started it (its resend starts none).
    pub page_request: Option<String>,
    /// The request id of the review batch: a worker that finds a batch of it
    /// does not save the photos again.
    pub request_id: String,
    /// The product's title and store, for the product folder's name.
    pub title: Option<String>,
    pub shop: Option<String>,
    /// The photos' batch was made.
    pub saved: bool,
    /// The worker instance saving them now (`StoredReviews::claim_save`): a
    /// second save of the same worker waits for that one; another worker's
    /// claim is a stopped worker's, taken over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saving: Option<String>,
}

impl StoredReviews {
    /// The button's run that ended and still waits to be saved.
    pub fn save_due(&self) -> Option<&ButtonRun> {
        if self.run.state == RunState::Reading {
            return None;
        }
        self.button.as_ref().filter(|b| !b.saved)
    }

    /// Claims the save of the button's run that ended for the worker
    /// instance `driver` (marks it, to be stored before saving): the button
    /// and the reviews to save, or `None` when nothing is due or this worker is
    /// saving it already. A claim of another (stopped) worker is taken over:
    /// the saver then looks for the batch of the run's request id before
    /// making one.
    pub fn claim_save(&mut self, driver: &str) -> Option<ButtonRun> {
        self.save_due()?;
        let b = self.button.as_mut()?;
        if b.saving.as_deref() == Some(driver) {
            return None;
        }
        b.saving = Some(driver.to_string());
        Some(b.clone())
    }

    /// The button's save a new run of `product_id` (the popup's "Load") takes
    /// over from this one: the page's save asked for the product's buyer
    /// photos, and they are not saved yet. Without it a "Load" pressed before
    /// the button's photos were saved (or while a stopped worker's run waited)
    /// would drop them. The new run's reviews are then saved with the button's
    /// default filter when it ends. Not one this worker (`driver`) is saving
    /// right now: that save goes on with the reviews it took.
    pub fn button_to_keep(&self, product_id: &str, driver: &str) -> Option<ButtonRun> {
        if self.product_id != product_id {
            return None;
        }
        self.button
            .clone()
            .filter(|b| !b.saved && b.saving.as_deref() != Some(driver))
    }
}

/// Whether a page's save also reads, then saves, the product's buyer photos
/// (setting `button_reviews`, off by default): only for a save of the whole
/// page (not the popup's selection nor a queue's product) that started a
/// batch; never again for the same save request (sent again after the worker
/// stopped), and never over a run of the product that is still reading.
pub fn button_reads_reviews(
    enabled: bool,
    whole_page: bool,
    started: bool,
    product_id: &str,
    page_request: Option<&str>,
    existing: Option<&StoredReviews>,
) -> bool {
    if !(enabled && whole_page && started) {
        return false;
    }
    let Some(s) = existing.filter(|s| s.product_id == product_id) else {
        return true;
    };
    let same_request = page_request.is_some()
        && s.button
            .as_ref()
            .is_some_and(|b| b.page_request.as_deref() == page_request);
    s.run.state != RunState::Reading && !same_request
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewSource {
    /// AliExpress global: `feedback.aliexpress.com/pc/searchEvaluation.do` (JSON).
    AliExpress,
    /// AliExpress global: `mtop.aliexpress.review.pc.list` (JSONP or JSON; unconfirmed).
    AliExpressMtop,
    /// aliexpress.ru: `/aer-jsonapi/review/v5/desktop/product-reviews` (JSON).
    AliExpressRu,
    /// aliexpress.ru: the product page's `#__AER_DATA__` (its first reviews).
    AliExpressRuPage,
    /// AliExpress global: the review section the product page shows, read
    /// when no review data could be read (its shape is reported, not verified
    /// on a real capture: [`parse::parse`]).
    AliExpressSection,
}

/// One photo or video of a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewMedia {
    /// The URL as the shop's data names it.
    pub url: String,
    /// Its original-resolution URL on a shop CDN (`crate::url::original_url`:
    /// thumbnail suffixes cut), `None` when it is not on one: such media are
    /// never saved.
    pub original: Option<String>,
    /// A video (else a photo).
    pub video: bool,
    /// From the buyer's follow-up ("additional") review.
    pub followup: bool,
}

/// One buyer review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Review {
    /// The shop's id, as a string (empty when the data has none).
    pub id: String,
    /// `YYYY-MM-DD`, empty when the shop's date could not be read.
    pub date: String,
    /// The date as the shop wrote it (`22 Nov 2025`, `1 June 2026`).
    pub date_text: String,
    /// The buyer's country (`RU`), empty when unknown.
    pub country: String,
    /// 1–5; 0 when the review has no rating.
    pub stars: u8,
    /// The variant bought, its values joined by `, ` (`Black, M`); empty when
    /// the review names none. "Ships From" is not a variant and is left out.
    pub variant: String,
    /// The review's text.
    pub text: String,
    /// The follow-up's date (`YYYY-MM-DD`, or empty) and text.
    pub followup_date: String,
    pub followup_text: String,
    /// How many buyers found it helpful (AliExpress's up-votes, aliexpress.ru's likes).
    pub helpful: u32,
    /// Photos and videos: the review's, then the follow-up's.
    pub media: Vec<ReviewMedia>,
}

impl Review {
    /// The date, for ordering (`None` when unknown).
    pub fn day(&self) -> Option<Date> {
        parse_iso(&self.date)
    }
}

/// One review in `reviews.json` / `reviews.csv`: what the buyer said and the
/// files of its photos. No buyer name, no avatar. A review batch carries its
/// rows (`engine::Batch::reviews`, files still `pending`) until it
/// ends; then `manifest::reviews_manifest` gives each file its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// The shop's id, as a string (AliExpress's exceeds 2^53).
    pub review_id: String,
    /// `YYYY-MM-DD`, or the shop's text when it could not be read as a date.
    pub date: String,
    pub country: String,
    /// 1–5; 0 when the review has no rating.
    pub stars: u8,
    pub variant: String,
    pub text: String,
    pub followup_date: String,
    pub followup_text: String,
    pub helpful: u32,
    /// The review's files, relative to the folder of `reviews.json`.
    pub files: Vec<ReviewFileRow>,
}

/// One photo or video of a review in `reviews.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewFileRow {
    /// Relative to the folder of `reviews.json` (the product's `reviews/`).
    pub file: String,
    /// `saved`, `failed`, or `pending` (the batch has not ended).
    pub status: String,
    /// Why it failed, in the user's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Which reviews' photos to save and in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOrder {
    /// Newest reviews first (undated ones last).
    #[default]
    Newest,
    /// Most helpful first (most up-votes or likes).
    Helpful,
}

/// Most review photos saved by default.
pub const DEFAULT_MAX_PHOTOS: u32 = 200;
/// Most review photos a filter may ask for.
pub const MAX_MAX_PHOTOS: u32 = 2000;

/// The user's choice of review photos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewFilter {
    /// Only reviews with at least this many stars (0 or 1: every review).
    pub min_stars: u8,
    /// Only reviews of this variant (as [`Review::variant`] says it).
    pub variant: Option<String>,
    /// At most this many photos (clamped to 1..=[`MAX_MAX_PHOTOS`]).
    pub max_photos: u32,
    /// Newest or most helpful first.
    pub order: ReviewOrder,
    /// Review videos too, where the data names them.
    pub videos: bool,
}

impl Default for ReviewFilter {
    fn default() -> Self {
        ReviewFilter {
            min_stars: 0,
            variant: None,
            max_photos: DEFAULT_MAX_PHOTOS,
            order: ReviewOrder::Newest,
            videos: true,
        }
    }
}

impl ReviewFilter {
    /// The photo limit, within bounds.
    pub fn limit(&self) -> usize {
        self.max_photos.clamp(1, MAX_MAX_PHOTOS) as usize
    }

    /// Whether a review passes the stars and variant filters.
    pub fn admits(&self, r: &Review) -> bool {
        let stars_ok = self.min_stars <= 1 || r.stars >= self.min_stars;
        let variant_ok = match &self.variant {
            Some(v) => v.trim() == r.variant,
            None => true,
        };
        stars_ok && variant_ok
    }
}

/// Property names of AliExpress's SKU text that are known to hold spaces; the
/// others are taken to be one word (`Color`, `Size`).
const SKU_KEYS: [&str; 24] = [
    "Ships From",
    "Plug Type",
    "Emitting Color",
    "Metal Color",
    "Main Stone Color",
    "Gem Color",
    "Lens Color",
    "Frame Color",
    "Shoe Size",
    "Sleeve Length",
    "Cable Length",
    "Item Length",
    "Length (cm)",
    "Color Temperature",
    "Power Source",
    "Battery Capacity",
    "Screen Size",
    "Ring Size",
    "US Size",
    "EU Size",
    "Bundle Type",
    "Package Type",
    "Phone Model",
    "Compatible Model",
];

/// The variant of an AliExpress `skuInfo` text: `"Color:No Battery Plug
/// Type:EU Ships From:express "` → `No Battery, EU`. Values between the
/// `Name:` parts, "Ships From" left out. A text without `:` is kept whole.
pub fn variant_from_sku_info(sku: &str) -> String {
    let sku = sku.trim();
    if !sku.contains(':') {
        return collapse(sku);
    }
    let parts: Vec<&str> = sku.split(':').collect();
    // parts[0] is the first key; each middle part is "<value> <next key>".
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut key = collapse(parts[0]);
    for (i, part) in parts.iter().enumerate().skip(1) {
        let last = i + 1 == parts.len();
        let (value, next) = if last {
            (collapse(part), String::new())
        } else {
            split_value_key(part)
        };
        pairs.push((std::mem::take(&mut key), value));
        key = next;
    }
    let values: Vec<String> = pairs
        .into_iter()
        .filter(|(k, v)| !k.eq_ignore_ascii_case("Ships From") && !v.is_empty())
        .map(|(_, v)| v)
        .collect();
    values.join(", ")
}

/// The variant of the page's review section (`Color:black, Size:M` →
/// `black, M`): its comma-separated `Name:value` parts, each read as
/// [`variant_from_sku_info`] reads `skuInfo` ("Ships From" left out); a part
/// without `:` belongs to the value before it (`Color:black, white`). A text
/// without `:` is kept whole.
pub fn variant_from_section(text: &str) -> String {
    let text = text.trim();
    if !text.contains(':') {
        return collapse(text);
    }
    let mut parts: Vec<String> = Vec::new();
    for seg in text.split(',') {
        match parts.last_mut() {
            Some(last) if !seg.contains(':') => {
                last.push(',');
                last.push_str(seg);
            }
            _ => parts.push(seg.to_string()),
        }
    }
    parts
        .iter()
        .map(|p| variant_from_sku_info(p))
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"1PC 2.0Ah Battery Plug Type"` → (`1PC 2.0Ah Battery`, `Plug Type`): the
/// next key is the longest known key at the end, else the last word.
fn split_value_key(part: &str) -> (String, String) {
    let words: Vec<&str> = part.split_whitespace().collect();
    if words.is_empty() {
        return (String::new(), String::new());
    }
    for k in (2..=words.len().min(4)).rev() {
        let tail = words[words.len() - k..].join(" ");
        if SKU_KEYS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(&tail))
        {
            return (words[..words.len() - k].join(" "), tail);
        }
    }
    let n = words.len();
    (words[..n - 1].join(" "), words[n - 1].to_string())
}

/// The variant of an aliexpress.ru `skuProperties` text: `"Lining B Navy Blue
/// | M"` → `Lining B Navy Blue, M`.
pub fn variant_from_ru(sku: &str) -> String {
    sku.split('|')
        .map(collapse)
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whitespace collapsed to single spaces, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Stars of AliExpress's `buyerEval` (0–100, 20 a star).
pub fn stars_from_eval(eval: f64) -> u8 {
    if !eval.is_finite() || eval <= 0.0 {
        return 0;
    }
    (eval / 20.0).round().clamp(0.0, 5.0) as u8
}

/// Month names (English, and Russian stems in any case form), by month.
const MONTHS: [(&str, u8); 24] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("янв", 1),
    ("фев", 2),
    ("мар", 3),
    ("апр", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("авг", 8),
    ("сен", 9),
    ("окт", 10),
    ("ноя", 11),
    ("дек", 12),
];

/// A review date as the shops write it: `22 Nov 2025`, `Added 16 June 2026`,
/// `1 июня 2026`, `2025-11-22`, `22.11.2025`. `None` when it is none of these.
pub fn parse_date(text: &str) -> Option<Date> {
    if text.len() > 100 {
        return None;
    }
    let t = text.trim();
    if let Some(d) = parse_iso(t) {
        return Some(d);
    }
    let nums: Vec<&str> = t.split(['.', '/']).map(str::trim).collect();
    if let [d, m, y] = nums.as_slice() {
        if let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u8>(), m.parse::<u8>(), y.parse::<u16>()) {
            return Date::new(y, m, d);
        }
    }
    let (mut day, mut month, mut year) = (None, None, None);
    for word in t.split(|c: char| c.is_whitespace() || c == ',') {
        let w = word.trim_matches(|c: char| c == '.' || c == ',');
        if w.is_empty() {
            continue;
        }
        if w.bytes().all(|b| b.is_ascii_digit()) {
            match w.len() {
                1 | 2 if day.is_none() => day = w.parse::<u8>().ok(),
                4 if year.is_none() => year = w.parse::<u16>().ok(),
                _ => {}
            }
            continue;
        }
        if month.is_none() {
            let lower = w.to_lowercase();
            month = MONTHS
                .iter()
                .find(|(stem, _)| lower.starts_with(stem))
                .map(|(_, m)| *m);
        }
    }
    Date::new(year?, month?, day?)
}

/// `YYYY-MM-DD` (also the start of `YYYY-MM-DDThh:mm…`).
fn parse_iso(t: &str) -> Option<Date> {
    let b = t.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = t.get(0..4)?.parse::<u16>().ok()?;
    let m = t.get(5..7)?.parse::<u8>().ok()?;
    let d = t.get(8..10)?.parse::<u8>().ok()?;
    if b.len() > 10 && b[10].is_ascii_digit() {
        return None;
    }
    Date::new(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn section_variants_are_their_values() {
        for (text, want) in [
            ("Color:black", "black"),
            ("Color:black, Size:M", "black, M"),
            (
                "Color:Black, White, Size:M, Ships From:China",
                "Black, White, M",
            ),
            ("Color:Red Ships From:China", "Red"),
            ("  Blue  ", "Blue"),
            ("", ""),
            ("Ships From:China", ""),
        ] {
            assert_eq!(variant_from_section(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_stored_run_reads_back_under_its_tab_key() {
        assert_eq!(reviews_key(42), "reviews:42");
        assert!(reviews_key(7).starts_with(REVIEWS_PREFIX));
        let s = StoredReviews {
            product_id: "1005001".into(),
            platform: "aliexpress".into(),
            page_url: "https://www.aliexpress.com/item/1005001.html".into(),
            driver: "1-2".into(),
            run: ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default()),
            button: None,
        };
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json["run"]["state"]["state"], "reading");
        assert_eq!(serde_json::from_value::<StoredReviews>(json).ok(), Some(s));
    }

    #[test]
    fn the_button_reads_reviews_once_per_save_and_only_when_asked() {
        let stored = |state: RunState, request: Option<&str>| StoredReviews {
            product_id: "1005001".into(),
            platform: "aliexpress".into(),
            page_url: "https://www.aliexpress.com/item/1005001.html".into(),
            driver: "1-2".into(),
            run: ReviewRun {
                state,
                ..ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default())
            },
            button: request.map(|r| ButtonRun {
                page_request: Some(r.into()),
                request_id: "rv1".into(),
                title: None,
                shop: None,
                saved: false,
                saving: None,
            }),
        };
        let ask = |on, whole, started, existing: Option<&StoredReviews>| {
            button_reads_reviews(on, whole, started, "1005001", Some("c1"), existing)
        };
        assert!(ask(true, true, true, None));
        assert!(!ask(false, true, true, None), "the setting is off");
        assert!(!ask(true, false, true, None), "the popup's selection");
        assert!(!ask(true, true, false, None), "nothing was saved");
        let reading = stored(RunState::Reading, None);
        assert!(!ask(true, true, true, Some(&reading)), "a run is reading");
        let again = stored(RunState::Done, Some("c1"));
        assert!(
            !ask(true, true, true, Some(&again)),
            "the same save sent again"
        );
        let earlier = stored(RunState::Done, Some("c0"));
        assert!(ask(true, true, true, Some(&earlier)), "a new click");
        let other = StoredReviews {
            product_id: "9".into(),
            ..stored(RunState::Reading, Some("c1"))
        };
        assert!(ask(true, true, true, Some(&other)), "another product's run");

        // Saved once, when the reading is over.
        let mut s = stored(RunState::Reading, Some("c1"));
        assert!(s.save_due().is_none(), "still reading");
        s.run.state = RunState::Done;
        assert_eq!(s.save_due().map(|b| b.request_id.as_str()), Some("rv1"));
        if let Some(b) = s.button.as_mut() {
            b.saved = true;
        }
        assert!(s.save_due().is_none(), "saved");
        assert!(
            s.button_to_keep("1005001", "w1").is_none(),
            "saved: nothing to keep"
        );

        // The popup's "Load" before the button's photos were saved keeps them due.
        let waiting = stored(RunState::Done, Some("c1"));
        assert_eq!(
            waiting
                .button_to_keep("1005001", "w1")
                .map(|b| b.request_id),
            Some("rv1".to_string())
        );
        assert!(
            waiting.button_to_keep("9", "w1").is_none(),
            "another product"
        );
        assert!(stored(RunState::Done, None)
            .button_to_keep("1005001", "w1")
            .is_none());
        assert!(
            stored(RunState::Done, None).save_due().is_none(),
            "the popup's run"
        );
    }

    #[test]
    fn a_button_save_is_claimed_once_per_worker_and_a_stopped_workers_claim_taken_over() {
        let mut s = StoredReviews {
            product_id: "1005001".into(),
            platform: "aliexpress".into(),
            page_url: "https://www.aliexpress.com/item/1005001.html".into(),
            driver: "w1".into(),
            run: ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default()),
            button: Some(ButtonRun {
                page_request: Some("c1".into()),
                request_id: "rv1".into(),
                title: None,
                shop: None,
                saved: false,
                saving: None,
            }),
        };
        assert!(s.claim_save("w1").is_none(), "still reading");
        s.run.state = RunState::Done;
        let b = s.claim_save("w1").expect("due");
        assert_eq!(
            (b.request_id.as_str(), b.saving.as_deref()),
            ("rv1", Some("w1"))
        );
        assert!(
            s.claim_save("w1").is_none(),
            "the same worker saves it once"
        );
        // "Load" meanwhile: that save goes on, the new run does not take it.
        assert!(s.button_to_keep("1005001", "w1").is_none());
        // A new worker (the first one stopped while saving): its claim, and a
        // "Load" there takes the button's save over.
        assert!(s.button_to_keep("1005001", "w2").is_some());
        assert_eq!(
            s.claim_save("w2").and_then(|b| b.saving),
            Some("w2".to_string())
        );
        if let Some(b) = s.button.as_mut() {
            b.saved = true;
        }
        assert!(s.claim_save("w3").is_none(), "saved");
        // Stored before the field existed: read as not claimed.
        let mut json = serde_json::to_value(&s).expect("json");
        json["button"].as_object_mut().map(|o| o.remove("saving"));
        let old: StoredReviews = serde_json::from_value(json).expect("reads");
        assert_eq!(old.button.and_then(|b| b.saving), None);
    }

    #[test]
    fn sku_info_becomes_the_variant_without_ships_from() {
        // Real skuInfo texts of the scrapfly captures (trailing space kept).
        assert_eq!(
            variant_from_sku_info("Color:No Battery Plug Type:EU Ships From:express "),
            "No Battery, EU"
        );
        assert_eq!(
            variant_from_sku_info("Color:1PC 2.0Ah Battery Plug Type:EU Ships From:CHINA "),
            "1PC 2.0Ah Battery, EU"
        );
        assert_eq!(
            variant_from_sku_info("Color:Black Size:M Ships From:China"),
            "Black, M"
        );
        assert_eq!(variant_from_sku_info("Ships From:China"), "");
        assert_eq!(variant_from_sku_info("  plain text "), "plain text");
        assert_eq!(variant_from_sku_info(":::"), "");
        assert_eq!(variant_from_sku_info(""), "");
        assert_eq!(
            variant_from_ru("Lining B Navy Blue | M"),
            "Lining B Navy Blue, M"
        );
        assert_eq!(variant_from_ru(" | "), "");
    }

    #[test]
    fn dates_as_the_shops_write_them() {
        let d = |s: &str| parse_date(s).map(|d| d.to_string());
        assert_eq!(d("22 Nov 2025").as_deref(), Some("2025-11-22"));
        assert_eq!(d("Added 16 June 2026").as_deref(), Some("2026-06-16"));
        assert_eq!(d("1 июня 2026").as_deref(), Some("2026-06-01"));
        assert_eq!(d("3 мая 2025").as_deref(), Some("2025-05-03"));
        assert_eq!(d("2025-11-22").as_deref(), Some("2025-11-22"));
        assert_eq!(d("22.11.2025").as_deref(), Some("2025-11-22"));
        assert_eq!(d("Sanitized date R11"), None);
        assert_eq!(d("31 Feb 2025"), None);
        assert_eq!(d(""), None);
    }

    #[test]
    fn stars_of_buyer_eval() {
        assert_eq!(stars_from_eval(100.0), 5);
        assert_eq!(stars_from_eval(80.0), 4);
        assert_eq!(stars_from_eval(20.0), 1);
        assert_eq!(stars_from_eval(0.0), 0);
        assert_eq!(stars_from_eval(1e9), 5);
        assert_eq!(stars_from_eval(f64::NAN), 0);
        assert_eq!(stars_from_eval(-5.0), 0);
    }
}
