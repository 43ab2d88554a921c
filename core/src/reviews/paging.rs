//! The paging rule of a review run, as a state machine the worker drives:
//! [`ReviewRun::next_request`] says which page to ask for and when it may be
//! asked (at most one request a second), [`ReviewRun::answer`] takes the shop's
//! answer, [`ReviewRun::failed`] a request that brought nothing.
//!
//! It pages only as far as the user asked: until the filter's limit of photos
//! is collected, or the last page, or a page with no reviews (and never past
//! [`MAX_PAGES`]). A captcha, "punish" or sign-in answer
//! ([`crate::page_view::api_answer`]), an answer that is not review data, or a
//! failed request ends the run at once, keeping what earlier pages gave, with a
//! sentence for the user; nothing is asked again.
//!
//! When that happens before any review was read on AliExpress global ("no data
//! is readable"), the run reads the reviews the product page itself shows, once
//! ([`ReviewRun::awaits_page`]): its rendered review section, in the page the
//! tab's content script sends (nothing is asked of the shop), thumbnails mapped
//! to originals ([`super::parse`]), said with a warning (`review_from_section`).
//! The run then stops with the reason its pages stopped.
//!
//! aliexpress.ru ([`ReviewRun::of_page`]): page 1 is the one the product page
//! itself carries (`#__AER_DATA__`, nothing asked); when the filter needs more,
//! pages 2, 3, … are asked as the page itself asks for them when it is
//! scrolled: a `POST` of [`ru_request_body`] (the product id, the page number,
//! [`RU_PAGE_SIZE`], the page's default order and no filters, so each page
//! continues the list page 1 began). That request form is not verified on the
//! live site: an answer that is not understood ends the run with a sentence
//! saying so (`buyer_ru_unverified`).
//!
//! The order asked of the shop: AliExpress global is asked
//! `sort=complex_default&filter=all`, the only values seen in real requests,
//! aliexpress.ru its default order (`sort` 1, `filters: []`, as page 1);
//! AliExpress in the language and country the product page's own review
//! request asked in, when the webRequest listener saw one for the tab's
//! product ([`ReviewRun::asked_as`]), else `en_US`/`US`;
//! [`fn@super::select`] orders what was collected. So "newest first" is the
//! newest of the pages read.

use super::parse::parse;
use super::{Review, ReviewFilter, ReviewSource};
use crate::page_view::{api_answer, ApiAnswer, ApiKind};
use crate::say::{t, tn, Say};
use serde::{Deserialize, Serialize};

/// The shortest time between two requests of a run, in ms.
pub const MIN_GAP_MS: f64 = 1000.0;
/// Most pages a run reads, whatever the shop says.
pub const MAX_PAGES: u32 = 100;
/// Reviews asked for per page.
pub const PAGE_SIZE: u32 = 20;
/// The `pending` mark of a run waiting for the page's review section (no
/// page of the shop's is asked for it).
pub const SECTION_PAGE: u32 = 0;
/// Reviews per aliexpress.ru page: what the page's own requests ask for
/// (`pagination.pageSize` of the real captures) and what its page 1 holds.
pub const RU_PAGE_SIZE: u32 = 10;
/// The one `POST` the extension makes (aliexpress.ru's review pages).
pub const RU_REVIEWS_URL: &str =
    "https://aliexpress.ru/aer-jsonapi/review/v5/desktop/product-reviews";

/// The JSON body of aliexpress.ru's review page `page` of `product_id`, as the
/// product page itself sends it (page-formats §9.5 (iii), the real captures'
/// bodies): the product id, the page number and size, the default order, no
/// filters. Nothing else: no cookie, nothing about the user.
pub fn ru_request_body(product_id: &str, page: u32) -> String {
    serde_json::json!({
        "productKey": {"id": product_id, "sourceId": 0},
        "pagination": {"pageNum": page, "pageSize": RU_PAGE_SIZE},
        "sort": 1,
        "filters": [],
        "skuFilter": [],
    })
    .to_string()
}

/// The language and country AliExpress's review endpoint is asked in when the
/// page's own review request was not seen.
pub const DEFAULT_LANG: &str = "en_US";
pub const DEFAULT_COUNTRY: &str = "US";

/// The language and country the product page's own review request asked in
/// (`lang=de_DE&country=DE`, seen by the webRequest listener): a run asks its
/// pages in them, so the reviews and their translations are the ones the page
/// shows the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLocale {
    pub lang: String,
    pub country: String,
}

/// The [`PageLocale`] of the page's own review request `url` for `product_id`
/// (a `feedback.aliexpress.com/pc/searchEvaluation.do` URL naming that
/// product). Untrusted (a page can request any URL): `lang` must read like
/// `de_DE`, `pt_BR` or `es` and `country` like `DE`; a value that does not
/// keeps the default. `None` when the URL is not such a request, or neither
/// value was usable.
pub fn page_locale(url: &str, product_id: &str) -> Option<PageLocale> {
    use crate::page_view::{classify_request, request_product_id, ApiKind};
    if url.len() > 8 * 1024
        || classify_request(url) != Some(ApiKind::AeReviews)
        || request_product_id(url).as_deref() != Some(product_id)
    {
        return None;
    }
    let query = url.split('#').next()?.split_once('?')?.1;
    let value = |key: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let upper2 = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase());
    let lang = value("lang").filter(|l| {
        let (language, region) = l.split_once('_').unwrap_or((l, "AA"));
        (2..=3).contains(&language.len())
            && language.bytes().all(|b| b.is_ascii_lowercase())
            && upper2(region)
    });
    let country = value("country").filter(|c| upper2(c));
    if lang.is_none() && country.is_none() {
        return None;
    }
    Some(PageLocale {
        lang: lang.unwrap_or_else(|| DEFAULT_LANG.to_string()),
        country: country.unwrap_or_else(|| DEFAULT_COUNTRY.to_string()),
    })
}

/// One request to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRequest {
    /// Page number, from 1.
    pub page: u32,
    /// `GET` or `POST`.
    pub method: String,
    pub url: String,
    /// JSON body of a `POST`.
    pub body: Option<String>,
    /// Not before this time (ms since the epoch): the worker waits until then.
    pub not_before_ms: f64,
}

/// Where a run is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RunState {
    /// More pages may be read.
    Reading,
    /// Done: enough photos, or the last page.
    Done,
    /// Stopped early; what was read is kept. The sentence says why.
    Stopped { reason: Say },
}

/// A review run of one product (stored by the worker between its steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRun {
    pub source: ReviewSource,
    pub product_id: String,
    pub filter: ReviewFilter,
    /// Pages read so far.
    pub pages_read: u32,
    /// How many pages the shop has, when an answer said.
    pub total_pages: Option<u32>,
    /// The page asked for and not answered yet.
    pub pending: Option<u32>,
    /// When the last request was (to be) sent, ms since the epoch.
    pub last_request_ms: Option<f64>,
    /// Most pages this run reads ([`MAX_PAGES`] at most; the in-page button's
    /// run reads its first [`super::BUTTON_PAGES`], [`ReviewRun::first_pages`]).
    #[serde(default = "all_pages")]
    pub max_pages: u32,
    /// Every review read, in the order read (each id once).
    pub reviews: Vec<Review>,
    /// What the user should know about the answers (unconfirmed formats).
    pub warnings: Vec<Say>,
    pub state: RunState,
    /// AliExpress global: the page's own review section, read once when the
    /// shop's review pages gave nothing readable ([`ReviewRun::awaits_page`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<Section>,
    /// AliExpress global: the language and country the page's own review
    /// request asked in ([`ReviewRun::asked_as`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<PageLocale>,
}

/// The page's review section of an AliExpress global run
/// ([`ReviewSource::AliExpressSection`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "section", rename_all = "snake_case")]
pub enum Section {
    /// Waiting for the tab's page; `reason` is why the review pages stopped.
    Awaited { reason: Say },
    /// Read (or it did not come): not asked again.
    Done,
}

fn all_pages() -> u32 {
    MAX_PAGES
}

impl ReviewRun {
    /// A run reading `source`'s pages of `product_id` for `filter`.
    /// [`ReviewSource::AliExpressMtop`] (signed by the page) and
    /// [`ReviewSource::AliExpressRuPage`] (the page itself) are not paged:
    /// read them with [`fn@super::parse`]; a run of them is [`RunState::Done`] at once.
    pub fn new(source: ReviewSource, product_id: &str, filter: ReviewFilter) -> ReviewRun {
        let pageable = matches!(
            source,
            ReviewSource::AliExpress | ReviewSource::AliExpressRu
        );
        let id_ok = !product_id.is_empty()
            && product_id.len() <= 20
            && product_id.bytes().all(|b| b.is_ascii_digit());
        ReviewRun {
            source,
            product_id: product_id.to_string(),
            filter,
            pages_read: 0,
            total_pages: None,
            pending: None,
            last_request_ms: None,
            max_pages: MAX_PAGES,
            reviews: Vec::new(),
            warnings: Vec::new(),
            section: None,
            locale: None,
            state: if pageable && id_ok {
                RunState::Reading
            } else {
                RunState::Done
            },
        }
    }

    /// An aliexpress.ru run: page 1 is the reviews the product page itself
    /// carries (`#__AER_DATA__`), its HTML, which the worker gets from the
    /// tab's own content script ([`ReviewRun::answer`]); nothing is asked of
    /// the shop for it. Pages 2, 3, … only when the filter needs more: the
    /// `POST` of [`ru_request_body`], one at a time, as for AliExpress.
    pub fn of_page(product_id: &str, filter: ReviewFilter) -> ReviewRun {
        let mut run = ReviewRun::new(ReviewSource::AliExpressRu, product_id, filter);
        run.source = ReviewSource::AliExpressRuPage;
        if run.state == RunState::Reading {
            run.pending = Some(1);
        }
        run
    }

    /// The same run, asking AliExpress's review endpoint in the language and
    /// country of the page's own review request `page_request` (its URL, seen
    /// by the webRequest listener for the tab), when it is one for this
    /// product ([`page_locale`]); else as before (`en_US`, `US`).
    pub fn asked_as(mut self, page_request: Option<&str>) -> ReviewRun {
        if self.source == ReviewSource::AliExpress {
            self.locale = page_request.and_then(|u| page_locale(u, &self.product_id));
        }
        self
    }

    /// The same run, reading at most its first `pages` pages (1..=[`MAX_PAGES`]).
    pub fn first_pages(mut self, pages: u32) -> ReviewRun {
        self.max_pages = pages.clamp(1, MAX_PAGES);
        self
    }

    /// The photos collected so far that the filter admits.
    pub fn photos_collected(&self) -> usize {
        super::select(&self.reviews, &self.filter).photos.len()
    }

    /// The next request and when it may go (at least [`MIN_GAP_MS`] after the
    /// previous one), recorded as sent; `None` when the run is over or a request
    /// is still unanswered.
    pub fn next_request(&mut self, now_ms: f64) -> Option<ReviewRequest> {
        if self.state != RunState::Reading
            || self.pending.is_some()
            || (self.source == ReviewSource::AliExpressRuPage && self.pages_read == 0)
        {
            // Busy, over, or (aliexpress.ru) page 1 is still the page's own.
            return None;
        }
        let page = self.pages_read + 1;
        let now = if now_ms.is_finite() { now_ms } else { 0.0 };
        let at = match self.last_request_ms {
            Some(last) if last + MIN_GAP_MS > now => last + MIN_GAP_MS,
            _ => now,
        };
        let (method, url, body) = match self.source {
            ReviewSource::AliExpressRu | ReviewSource::AliExpressRuPage => (
                "POST",
                RU_REVIEWS_URL.to_string(),
                Some(ru_request_body(&self.product_id, page)),
            ),
            _ => {
                let (lang, country) = self
                    .locale
                    .as_ref()
                    .map_or((DEFAULT_LANG, DEFAULT_COUNTRY), |l| {
                        (l.lang.as_str(), l.country.as_str())
                    });
                (
                    "GET",
                    format!(
                        "https://feedback.aliexpress.com/pc/searchEvaluation.do?productId={}&lang={lang}&country={country}&page={page}&pageSize={PAGE_SIZE}&filter=all&sort=complex_default",
                        self.product_id
                    ),
                    None,
                )
            }
        };
        self.pending = Some(page);
        self.last_request_ms = Some(at);
        Some(ReviewRequest {
            page,
            method: method.to_string(),
            url,
            body,
            not_before_ms: at,
        })
    }

    /// The pending request's answer (or failure) came at `now_ms`: the next
    /// request waits [`MIN_GAP_MS`] from then, not from when this one was
    /// sent, so the shop sees them at least a second apart whatever the
    /// network's delay.
    pub fn answered_at(&mut self, now_ms: f64) {
        if self.pending.is_some() && now_ms.is_finite() {
            self.last_request_ms = Some(self.last_request_ms.map_or(now_ms, |l| l.max(now_ms)));
        }
    }

    /// Ends the run early, keeping what was read.
    fn stop(&mut self, why: Say) {
        self.pending = None;
        self.state = RunState::Stopped {
            reason: tn("review_stopped", self.pages_read as usize, &[why.into()]),
        };
    }

    /// The shop's answer refused the run or brought nothing readable: it
    /// stops ([`ReviewRun::stop`]); but an AliExpress global run that read
    /// nothing yet first reads the reviews the page itself shows (its review
    /// section, [`ReviewRun::awaits_page`]), once.
    fn give_up(&mut self, why: Say) {
        let global = matches!(
            self.source,
            ReviewSource::AliExpress | ReviewSource::AliExpressMtop
        );
        if global && self.reviews.is_empty() && self.section.is_none() {
            self.pending = Some(SECTION_PAGE);
            self.section = Some(Section::Awaited { reason: why });
            return;
        }
        self.stop(why);
    }

    /// Whether the run waits for the tab's page (its HTML, from the tab's own
    /// content script): aliexpress.ru's page 1, or an AliExpress global run's
    /// fallback to the page's review section.
    pub fn awaits_page(&self) -> bool {
        self.state == RunState::Reading
            && match self.source {
                ReviewSource::AliExpressRuPage => self.pages_read == 0 && self.pending == Some(1),
                _ => matches!(self.section, Some(Section::Awaited { .. })),
            }
    }

    /// The page's review section came (`html`: the tab's page) or did not
    /// (`None`): the run stops with the reason its review pages stopped,
    /// keeping the reviews the section shows.
    fn read_section(&mut self, html: Option<&str>) {
        let Some(Section::Awaited { reason }) = self.section.replace(Section::Done) else {
            return;
        };
        if let Some(read) = html.map(|h| parse(ReviewSource::AliExpressSection, h)) {
            for w in read.warnings {
                if !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
            }
            self.reviews.extend(read.reviews);
        }
        self.stop(reason);
    }

    /// Whether page `page` of this run is asked of aliexpress.ru's review API
    /// (the `POST`, whose form is unverified on the live site).
    fn ru_api(&self, page: u32) -> bool {
        match self.source {
            ReviewSource::AliExpressRu => true,
            ReviewSource::AliExpressRuPage => page >= 2,
            _ => false,
        }
    }

    /// Says, once, that aliexpress.ru's further pages are asked in a form not
    /// verified on the live site (an answer to it was not understood).
    fn unverified(&mut self) {
        let note = t("buyer_ru_unverified");
        if !self.warnings.contains(&note) {
            self.warnings.push(note);
        }
    }

    /// The answer to the pending request (for page 1 of an aliexpress.ru
    /// run: the product page's HTML).
    pub fn answer(&mut self, body: &str) {
        let Some(page) = self.pending else { return };
        if self.state != RunState::Reading {
            return;
        }
        if matches!(self.section, Some(Section::Awaited { .. })) {
            self.read_section(Some(body));
            return;
        }
        let page_itself = self.source == ReviewSource::AliExpressRuPage && page == 1;
        let ru_api = self.ru_api(page);
        let (kind, source) = match self.source {
            ReviewSource::AliExpressRuPage if page_itself => {
                (ApiKind::RuProduct, ReviewSource::AliExpressRuPage)
            }
            ReviewSource::AliExpressRu | ReviewSource::AliExpressRuPage => {
                (ApiKind::RuProduct, ReviewSource::AliExpressRu)
            }
            other => (ApiKind::AeProduct, other),
        };
        if !page_itself {
            if let ApiAnswer::Refused(why) = api_answer(kind, body) {
                if ru_api && why != t("api_captcha") {
                    self.unverified();
                }
                self.give_up(why);
                return;
            }
        }
        let read = parse(source, body);
        if !read.found && page_itself {
            // The page carries no reviews: said, nothing else to read.
            self.pending = None;
            self.pages_read = page;
            self.warnings.push(t("buyer_ru_page_none"));
            self.state = RunState::Done;
            return;
        }
        if !read.found {
            if ru_api {
                self.unverified();
            }
            self.give_up(t("review_not_data"));
            return;
        }
        self.pending = None;
        self.pages_read = page;
        for w in read.warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        if read.total_pages.is_some() {
            self.total_pages = read.total_pages;
        }
        let got = read.reviews.len();
        for r in read.reviews {
            if r.id.is_empty() || !self.reviews.iter().any(|x| x.id == r.id) {
                self.reviews.push(r);
            }
        }
        let page_size = match self.source {
            ReviewSource::AliExpressRu | ReviewSource::AliExpressRuPage => RU_PAGE_SIZE,
            _ => PAGE_SIZE,
        };
        let last_page = got == 0
            || self.total_pages.is_some_and(|n| page >= n)
            || (self.total_pages.is_none() && got < page_size as usize)
            || page >= self.max_pages.min(MAX_PAGES);
        if last_page || self.photos_collected() >= self.filter.limit() {
            self.state = RunState::Done;
        }
    }

    /// The pending page did not come (`why`: a stopped worker, a page that
    /// did not answer): the run stops, keeping what was read. Not tried again.
    pub fn failed(&mut self, why: Say) {
        if self.pending.is_some() && self.state == RunState::Reading {
            if self.section.is_some() {
                // The page did not come for its review section: the run ends
                // with the reason its review pages stopped.
                self.read_section(None);
            } else {
                // Not for a worker that stopped or a page that did not come:
                // the user may load again.
                self.stop(why);
            }
        }
    }

    /// The pending request brought nothing (`why`: the network error or HTTP
    /// status, said): as [`ReviewRun::failed`]; for aliexpress.ru's `POST`,
    /// whose form is unverified, the user is also told that.
    pub fn request_failed(&mut self, why: Say) {
        if let Some(page) = self.pending.filter(|_| self.state == RunState::Reading) {
            if self.ru_api(page) {
                self.unverified();
            }
            self.give_up(why);
        }
    }

    /// The user cancelled: the run stops keeping what was read.
    pub fn cancel(&mut self) {
        if self.state == RunState::Reading {
            self.pending = None;
            self.state = RunState::Done;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// SYNTHETIC: a page of the AliExpress global feedback JSON in the
    /// documented envelope, with `n` reviews of one photo each.
    fn synthetic_page(page: u32, total: u32, n: usize) -> String {
        let items: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{{\"evaluationIdStr\":\"{page}{i:02}\",\"buyerEval\":100,\"evalDate\":\"0{} Nov 2025\",\
                     \"images\":[\"https://ae01.alicdn.com/kf/S{page}x{i}.jpg\"]}}",
                    1 + i % 9
                )
            })
            .collect();
        format!(
            "{{\"data\":{{\"totalNum\":999,\"totalPage\":{total},\"currentPage\":{page},\"evaViewList\":[{}]}}}}",
            items.join(",")
        )
    }

    #[test]
    fn a_run_of_the_page_itself_asks_nothing_and_reads_the_page_once() {
        let mut run = ReviewRun::of_page("1005001", ReviewFilter::default());
        assert_eq!(run.state, RunState::Reading);
        assert_eq!(run.pending, Some(1), "waiting for the page");
        assert!(
            run.next_request(0.0).is_none(),
            "never a request to the shop"
        );
        // SYNTHETIC page around the documented aliexpress.ru widget shape.
        let page = "<html><script id=\"__AER_DATA__\">{\"widgets\":[{\"widgetId\":\"bx/RedReviewsProductFeedbackList/0.35.0\",\"props\":{\"reviews\":[\
            {\"product\":{\"id\":\"1005001\",\"skuProperties\":\"Red | M\"},\"root\":{\"id\":\"r1\",\"date\":\"1 June 2026\",\"grade\":4,\
            \"text\":\"ok\",\"images\":[{\"id\":\"i1\",\"url\":\"https://ae01.alicdn.com/kf/Sru1.jpg\"}]},\"interaction\":{\"likesAmount\":2}}]}}]}</script></html>";
        run.answer(page);
        assert_eq!(run.state, RunState::Done);
        assert_eq!(run.pages_read, 1);
        assert_eq!(run.reviews.len(), 1);
        assert_eq!(run.reviews[0].variant, "Red, M");
        assert_eq!(run.photos_collected(), 1);
        run.answer(page);
        assert_eq!(run.reviews.len(), 1, "read once");

        // A page without reviews: done, and the user told why there are none.
        let mut none = ReviewRun::of_page("1005001", ReviewFilter::default());
        none.answer("<html><body>no reviews here</body></html>");
        assert_eq!(none.state, RunState::Done);
        assert!(none.reviews.is_empty());
        assert_eq!(none.warnings, [t("buyer_ru_page_none")]);
        // A bad product id asks for nothing at all.
        let bad = ReviewRun::of_page("x", ReviewFilter::default());
        assert_eq!((bad.state, bad.pending), (RunState::Done, None));
    }

    #[test]
    fn a_run_of_the_first_pages_ends_after_them() {
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default())
            .first_pages(2);
        for page in 1..=2 {
            let req = run
                .next_request(f64::from(page) * 2000.0)
                .expect("a request");
            assert_eq!(req.page, page);
            run.answer(&synthetic_page(page, 5, 20));
        }
        assert_eq!(run.state, RunState::Done, "2 of 5 pages, then done");
        assert_eq!(run.pages_read, 2);
        assert!(run.next_request(1e7).is_none());
        assert_eq!(run.reviews.len(), 40);
        // Bounds, and a run stored before the field existed reads all pages.
        let r = |n| {
            ReviewRun::new(ReviewSource::AliExpress, "1", ReviewFilter::default()).first_pages(n)
        };
        assert_eq!(r(0).max_pages, 1);
        assert_eq!(r(1000).max_pages, MAX_PAGES);
        let mut old = serde_json::to_value(r(2)).expect("json");
        old.as_object_mut().map(|o| o.remove("max_pages"));
        let old: ReviewRun = serde_json::from_value(old).expect("reads");
        assert_eq!(old.max_pages, MAX_PAGES);
    }

    #[test]
    fn one_request_a_second_and_one_at_a_time() {
        let mut run = ReviewRun::new(
            ReviewSource::AliExpress,
            "1005006717259012",
            ReviewFilter::default(),
        );
        let r1 = run.next_request(10_000.0).expect("page 1");
        assert_eq!(r1.page, 1);
        assert_eq!(r1.not_before_ms, 10_000.0);
        assert!(r1.url.contains("productId=1005006717259012") && r1.url.contains("page=1&"));
        assert_eq!(
            run.next_request(10_100.0),
            None,
            "nothing while page 1 is pending"
        );
        run.answer(&synthetic_page(1, 5, 20));
        let r2 = run.next_request(10_200.0).expect("page 2");
        assert_eq!((r2.page, r2.not_before_ms), (2, 11_000.0));
        run.answer(&synthetic_page(2, 5, 20));
        let r3 = run.next_request(20_000.0).expect("page 3");
        assert_eq!(r3.not_before_ms, 20_000.0);
        // The gap counts from the answer when it came later than the send.
        run.answered_at(20_400.0);
        run.answer(&synthetic_page(3, 5, 20));
        let r4 = run.next_request(20_500.0).expect("page 4");
        assert_eq!(r4.not_before_ms, 21_400.0);
    }

    #[test]
    fn a_captcha_on_page_3_keeps_pages_1_and_2_and_says_so() {
        let mut run = ReviewRun::new(
            ReviewSource::AliExpress,
            "1005006717259012",
            ReviewFilter::default(),
        );
        let mut now = 0.0;
        for page in 1..=2 {
            let r = run.next_request(now).expect("request");
            now = r.not_before_ms;
            run.answer(&synthetic_page(page, 10, 20));
        }
        let r = run.next_request(now).expect("page 3");
        assert_eq!(r.page, 3);
        // What the shop sends instead of data (the x5sec "punish" redirect body).
        run.answer(
            "{\"ret\":[\"FAIL_SYS_USER_VALIDATE::哎哟喂,被挤爆啦,请稍后重试\"],\
             \"data\":{\"url\":\"https://feedback.aliexpress.com/_____tmd_____/punish?x5secdata=x\"}}",
        );
        assert_eq!(run.reviews.len(), 40);
        assert_eq!(run.photos_collected(), 40);
        assert_eq!(run.pages_read, 2);
        let RunState::Stopped { reason } = &run.state else {
            panic!("not stopped: {:?}", run.state)
        };
        assert_eq!(reason, &tn("review_stopped", 2, &[t("api_captcha").into()]));
        assert_eq!(
            reason.english(),
            "Reading the reviews stopped after 2 pages: the shop asked for a captcha or a sign-in. \
             The photos found so far are kept."
        );
        assert_eq!(run.next_request(now + 60_000.0), None, "never asked again");
        run.answer(&synthetic_page(3, 10, 20));
        assert_eq!(run.reviews.len(), 40);
    }

    #[test]
    fn stops_at_the_limit_or_the_last_page() {
        let filter = ReviewFilter {
            max_photos: 30,
            ..ReviewFilter::default()
        };
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1", filter);
        for page in 1..=2 {
            run.next_request(0.0).expect("request");
            run.answer(&synthetic_page(page, 10, 20));
        }
        assert_eq!(run.state, RunState::Done, "30 photos after page 2");
        assert_eq!(run.next_request(1e9), None);

        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1", ReviewFilter::default());
        run.next_request(0.0);
        run.answer(&synthetic_page(1, 1, 20));
        assert_eq!((run.state.clone(), run.pages_read), (RunState::Done, 1));

        // No envelope (as in the real captures): a short page is the last.
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1", ReviewFilter::default());
        run.next_request(0.0);
        run.answer("{\"data\":{\"evaViewList\":[{\"evaluationIdStr\":\"1\"}]}}");
        assert_eq!(run.state, RunState::Done);
    }

    #[test]
    fn a_product_without_reviews_is_done_not_stopped() {
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1", ReviewFilter::default());
        run.next_request(0.0);
        run.answer("{\"data\":{\"totalNum\":0,\"totalPage\":0,\"evaViewList\":null}}");
        assert_eq!((run.state.clone(), run.pages_read), (RunState::Done, 1));
        let mut run = ReviewRun::new(ReviewSource::AliExpressRu, "1", ReviewFilter::default());
        run.next_request(0.0);
        run.answer("{\"data\":{\"reviews\":null}}");
        assert_eq!(run.state, RunState::Done);
    }

    #[test]
    fn failures_and_odd_answers_stop_without_retrying() {
        let mut run = ReviewRun::new(
            ReviewSource::AliExpressRu,
            "1005009452926938",
            ReviewFilter::default(),
        );
        let r = run.next_request(5.0).expect("page 1");
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("POST", RU_REVIEWS_URL)
        );
        assert_eq!(
            r.body.as_deref(),
            Some(ru_request_body("1005009452926938", 1).as_str())
        );
        run.answer("<html><body>Войдите</body></html>");
        assert_eq!(
            run.state,
            RunState::Stopped {
                reason: tn("review_stopped", 0, &[t("api_not_data").into()])
            }
        );
        assert_eq!(
            run.warnings,
            [t("buyer_ru_unverified")],
            "the form is unverified"
        );

        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1", ReviewFilter::default());
        run.next_request(0.0);
        run.answer("{\"something\":\"else\"}");
        assert!(
            run.awaits_page(),
            "nothing read: the page's own review section"
        );
        assert_eq!(
            run.next_request(1e12),
            None,
            "nothing more is asked of the shop"
        );
        // The page did not come: the run ends with why its pages stopped.
        run.failed(t("buyer_ru_page_unread"));
        assert_eq!(
            run.state,
            RunState::Stopped {
                reason: tn("review_stopped", 0, &[t("review_not_data").into()])
            }
        );

        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1", ReviewFilter::default());
        run.failed(t("api_captcha"));
        assert_eq!(
            run.state,
            RunState::Reading,
            "nothing pending: nothing to fail"
        );
        run.next_request(0.0);
        run.failed(t("api_captcha"));
        assert!(matches!(run.state, RunState::Stopped { .. }));
        assert_eq!(run.next_request(1e12), None);

        for bad in ["", "12a", "123456789012345678901"] {
            let mut run = ReviewRun::new(ReviewSource::AliExpress, bad, ReviewFilter::default());
            assert_eq!(run.next_request(0.0), None, "{bad:?}");
        }
        let mut run = ReviewRun::new(ReviewSource::AliExpressMtop, "1", ReviewFilter::default());
        assert_eq!(run.next_request(0.0), None);
    }

    /// SYNTHETIC: an aliexpress.ru `product-reviews` answer in the real
    /// captures' shape (§9.5 (iii)) with `n` reviews of one photo each.
    fn ru_api_page(page: u32, n: usize) -> String {
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                serde_json::json!({
                    "product": {"id": "1005001", "sourceId": 0, "skuProperties": "Red | M"},
                    "reviewer": {"name": "Someone", "avatar": null, "countryFlag": null},
                    "root": {"id": format!("p{page}r{i}"), "date": "1 June 2026", "grade": 5,
                             "text": "ok", "images": [{"id": "x", "url": format!("https://ae01.alicdn.com/kf/Sru{page}x{i}.jpg")}]},
                    "additional": null,
                    "interaction": {"likesAmount": 0}
                })
            })
            .collect();
        serde_json::json!({"data": {"reviews": items}}).to_string()
    }

    /// SYNTHETIC: a product page with page 1 (`n` reviews of one photo each)
    /// in its `#__AER_DATA__` widget.
    fn ru_product_page(n: usize) -> String {
        let api: serde_json::Value = serde_json::from_str(&ru_api_page(1, n)).unwrap_or_default();
        format!(
            "<html><script id=\"__AER_DATA__\">{{\"widgets\":[{{\"widgetId\":\"bx/RedReviewsProductFeedbackList/0.35.0\",\"props\":{{\"reviews\":{}}}}}]}}</script></html>",
            api["data"]["reviews"]
        )
    }

    #[test]
    fn the_ru_body_names_the_product_page_size_order_and_filters_only() {
        let body: serde_json::Value =
            serde_json::from_str(&ru_request_body("1005009452926938", 3)).expect("JSON");
        // As the page itself sends page 3 (reviews-native-contexts capture).
        assert_eq!(
            body,
            serde_json::json!({ "productKey": { "id": "1005009452926938", "sourceId": 0 },
                "pagination": { "pageNum": 3, "pageSize": 10 }, "sort": 1, "filters": [], "skuFilter": [] })
        );
    }

    #[test]
    fn aliexpress_ru_asks_page_2_on_only_when_the_filter_needs_more() {
        // Page 1 (the page's own) holds the 6 photos the filter wants: no POST.
        let six = ReviewFilter {
            max_photos: 6,
            ..ReviewFilter::default()
        };
        let mut run = ReviewRun::of_page("1005001", six);
        assert_eq!(run.next_request(0.0), None, "page 1 is the page's own");
        run.answer(&ru_product_page(10));
        assert_eq!((run.state.clone(), run.pages_read), (RunState::Done, 1));
        assert_eq!(run.next_request(1e9), None);

        // A page 1 shorter than a page is the last page: no POST either.
        let mut run = ReviewRun::of_page("1005001", ReviewFilter::default());
        run.answer(&ru_product_page(5));
        assert_eq!(run.state, RunState::Done);

        // More wanted: pages 2 and 3 by POST, a second apart, until a short page.
        let mut run = ReviewRun::of_page("1005001", ReviewFilter::default());
        run.answer(&ru_product_page(10));
        assert_eq!(run.state, RunState::Reading);
        let r2 = run.next_request(50_000.0).expect("page 2");
        assert_eq!(
            (r2.page, r2.method.as_str(), r2.url.as_str()),
            (2, "POST", RU_REVIEWS_URL)
        );
        assert_eq!(r2.not_before_ms, 50_000.0);
        assert_eq!(
            r2.body.as_deref(),
            Some(ru_request_body("1005001", 2).as_str())
        );
        assert_eq!(run.next_request(50_001.0), None, "one at a time");
        run.answer(&ru_api_page(2, 10));
        let r3 = run.next_request(50_100.0).expect("page 3");
        assert_eq!((r3.page, r3.not_before_ms), (3, 51_000.0));
        assert_eq!(
            r3.body.as_deref(),
            Some(ru_request_body("1005001", 3).as_str())
        );
        run.answer(&ru_api_page(3, 4));
        assert_eq!((run.state.clone(), run.pages_read), (RunState::Done, 3));
        assert_eq!(run.reviews.len(), 24);
        assert!(run.warnings.is_empty());

        // The in-page button's run: its first 2 pages (page 1 the page's own).
        let mut run = ReviewRun::of_page("1005001", ReviewFilter::default()).first_pages(2);
        run.answer(&ru_product_page(10));
        run.next_request(0.0).expect("page 2");
        run.answer(&ru_api_page(2, 10));
        assert_eq!((run.state.clone(), run.pages_read), (RunState::Done, 2));
    }

    #[test]
    fn aliexpress_ru_further_pages_stop_at_a_captcha_or_an_answer_not_understood() {
        let start = || {
            let mut run = ReviewRun::of_page("1005001", ReviewFilter::default());
            run.answer(&ru_product_page(10));
            run.next_request(0.0).expect("page 2");
            run.answer(&ru_api_page(2, 10));
            run.next_request(2000.0).expect("page 3");
            run
        };
        // A captcha on page 3: pages 1–2 kept, said, never asked again.
        let mut run = start();
        run.answer("{\"ret\":[\"FAIL_SYS_USER_VALIDATE::x\"],\"data\":{\"url\":\"https://aliexpress.ru/_____tmd_____/punish?x5secdata=1\"}}");
        assert_eq!(
            run.state,
            RunState::Stopped {
                reason: tn("review_stopped", 2, &[t("api_captcha").into()])
            }
        );
        assert_eq!((run.pages_read, run.reviews.len()), (2, 20));
        assert!(
            run.warnings.is_empty(),
            "a captcha is no sign of a wrong form"
        );
        assert_eq!(run.next_request(1e9), None);
        // JSON that is not review data, an HTML page, an HTTP error: stopped,
        // and the user told that the request form is unverified.
        for answer in [
            Some("{\"error\":\"bad request\"}"),
            Some("<!doctype html><p>Ошибка</p>"),
            None,
        ] {
            let mut run = start();
            match answer {
                Some(body) => run.answer(body),
                None => run.request_failed(t("api_captcha")),
            }
            assert!(matches!(run.state, RunState::Stopped { .. }), "{answer:?}");
            assert_eq!((run.pages_read, run.reviews.len()), (2, 20));
            assert_eq!(run.warnings, [t("buyer_ru_unverified")], "{answer:?}");
        }
        // A worker that stopped is no sign of a wrong form either.
        let mut run = start();
        run.failed(t("buyer_worker_stopped"));
        assert!(run.warnings.is_empty());
    }

    #[test]
    fn never_more_than_max_pages() {
        let mut run = ReviewRun::new(
            ReviewSource::AliExpress,
            "1",
            ReviewFilter {
                max_photos: super::super::MAX_MAX_PHOTOS,
                ..ReviewFilter::default()
            },
        );
        let mut asked = 0;
        let mut now = 0.0;
        while let Some(r) = run.next_request(now) {
            asked += 1;
            now = r.not_before_ms;
            // Every page says there are more, and brings reviews without photos.
            run.answer(&format!(
                "{{\"data\":{{\"totalPage\":100000,\"evaViewList\":[{}]}}}}",
                (0..20)
                    .map(|i| format!("{{\"evaluationIdStr\":\"{}-{i}\"}}", r.page))
                    .collect::<Vec<_>>()
                    .join(",")
            ));
            assert!(asked <= MAX_PAGES);
        }
        assert_eq!(asked, MAX_PAGES);
        assert!(now >= f64::from(MAX_PAGES - 1) * MIN_GAP_MS);
    }

    #[test]
    fn nothing_readable_on_aliexpress_reads_the_page_review_section_once() {
        let section = crate::reviews::parse::tests::synthetic_section();
        let captcha = "{\"ret\":[\"FAIL_SYS_USER_VALIDATE::x\"],\"data\":{\"url\":\"https://feedback.aliexpress.com/_____tmd_____/punish?x5secdata=1\"}}";
        let stopped = |why: Say| RunState::Stopped {
            reason: tn("review_stopped", 0, &[why.into()]),
        };
        // A captcha on page 1, a request that failed, an answer that is not
        // review data: each reads the section the page shows.
        for end in 0..3 {
            let mut run =
                ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default());
            run.next_request(0.0).expect("page 1");
            let why = match end {
                0 => {
                    run.answer(captcha);
                    t("api_captcha")
                }
                1 => {
                    run.request_failed(t("api_captcha"));
                    t("api_captcha")
                }
                _ => {
                    run.answer("{\"something\":\"else\"}");
                    t("review_not_data")
                }
            };
            assert!(run.awaits_page(), "{end}");
            assert_eq!(run.state, RunState::Reading);
            assert_eq!(run.pending, Some(SECTION_PAGE));
            assert_eq!(
                run.next_request(1e12),
                None,
                "nothing more is asked of the shop"
            );
            run.answer(&section);
            assert_eq!(
                run.state,
                stopped(why.clone()),
                "the user is told why the pages stopped"
            );
            assert_eq!(run.reviews.len(), 2);
            assert_eq!(run.photos_collected(), 3);
            assert_eq!(run.warnings, [t("review_from_section")]);
            assert!(!run.awaits_page());
            // Stored and read back by another worker: the same run.
            let back: ReviewRun =
                serde_json::from_str(&serde_json::to_string(&run).expect("stored"))
                    .expect("read back");
            assert_eq!(back, run);
            run.answer(&section);
            assert_eq!(run.reviews.len(), 2, "read once");
        }

        // A page whose section shows nothing: stopped, with nothing and no warning.
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default());
        run.next_request(0.0);
        run.answer(captcha);
        run.answer("<html><body>no reviews shown</body></html>");
        assert_eq!(run.state, stopped(t("api_captcha")));
        assert!(run.reviews.is_empty() && run.warnings.is_empty());

        // Cancelled while waiting for the page: done, the page is not read.
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default());
        run.next_request(0.0);
        run.answer(captcha);
        run.cancel();
        assert_eq!(run.state, RunState::Done);
        assert!(!run.awaits_page());
        run.answer(&section);
        assert!(run.reviews.is_empty());

        // Not when pages were read already (a captcha on page 2 keeps page 1),
        // nor for a worker that stopped, nor on aliexpress.ru.
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default());
        run.next_request(0.0);
        run.answer(&synthetic_page(1, 3, PAGE_SIZE as usize));
        run.next_request(2000.0).expect("page 2");
        run.answer(captcha);
        assert!(!run.awaits_page() && matches!(run.state, RunState::Stopped { .. }));
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default());
        run.next_request(0.0);
        run.failed(t("buyer_worker_stopped"));
        assert_eq!(
            run.state,
            RunState::Stopped {
                reason: tn("review_stopped", 0, &[t("buyer_worker_stopped").into()])
            }
        );
        let mut run = ReviewRun::new(
            ReviewSource::AliExpressRu,
            "1005001",
            ReviewFilter::default(),
        );
        run.next_request(0.0);
        run.answer(captcha);
        assert!(!run.awaits_page() && matches!(run.state, RunState::Stopped { .. }));
    }

    #[test]
    fn the_pages_own_review_request_gives_the_language_and_country() {
        let page = |q: &str| {
            format!("https://feedback.aliexpress.com/pc/searchEvaluation.do?productId=1005001&{q}&page=1&pageSize=10&filter=all&sort=complex_default")
        };
        let locale = |lang: &str, country: &str| PageLocale {
            lang: lang.into(),
            country: country.into(),
        };
        for (q, want) in [
            ("lang=de_DE&country=DE", Some(locale("de_DE", "DE"))),
            ("lang=pt_BR&country=BR", Some(locale("pt_BR", "BR"))),
            ("lang=es&country=ES", Some(locale("es", "ES"))),
            ("lang=fr_FR", Some(locale("fr_FR", "US"))),
            ("country=IL", Some(locale("en_US", "IL"))),
            ("lang=de_DE%26x%3D1&country=DE", Some(locale("en_US", "DE"))),
            ("lang=%3Cscript%3E&country=de", None),
            ("lang=DE_de&country=DEU", None),
            ("x=1", None),
        ] {
            assert_eq!(page_locale(&page(q), "1005001"), want, "{q}");
        }
        // Another product's request, or another endpoint: nothing.
        assert_eq!(page_locale(&page("lang=de_DE&country=DE"), "1005002"), None);
        assert_eq!(
            page_locale(
                "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?lang=de_DE",
                "1005001"
            ),
            None
        );

        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default())
            .asked_as(Some(&page("lang=de_DE&country=DE")));
        let req = run.next_request(0.0).expect("page 1");
        assert_eq!(req.url, "https://feedback.aliexpress.com/pc/searchEvaluation.do?productId=1005001&lang=de_DE&country=DE&page=1&pageSize=20&filter=all&sort=complex_default");
        let back: ReviewRun =
            serde_json::from_str(&serde_json::to_string(&run).expect("stored")).expect("read back");
        assert_eq!(back, run, "kept across worker stops");
        let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005001", ReviewFilter::default())
            .asked_as(None);
        assert!(run
            .next_request(0.0)
            .expect("page 1")
            .url
            .contains("&lang=en_US&country=US&"));
        // aliexpress.ru asks as its page does, whatever AliExpress's page asked.
        let run = ReviewRun::new(
            ReviewSource::AliExpressRu,
            "1005001",
            ReviewFilter::default(),
        )
        .asked_as(Some(&page("lang=de_DE&country=DE")));
        assert_eq!(run.locale, None);
    }
}
