//! Buyer review photos (issue #15): the popup's commands (`PopupToBg`), the
//! paging loop and the save.
//!
//! Nothing here runs unless the user opened the popup's "Buyer photos" tab and
//! asked for them, or turned on the setting `button_reviews`: then the page's
//! own save (its button) also reads the product's first review pages and saves
//! their photos when the reading ends ([`with_button`]). AliExpress's pages are
//! asked in the language and country of the page's own review request when
//! the webRequest listener saw one ([`page_review_request`]); when they give
//! nothing readable, the reviews the page shows are read from its review
//! section ([`read_from_page`]). On aliexpress.ru
//! page 1 is read from the tab's own page ([`from_page`]); further pages, only
//! when the filter needs them, are the page's own review request (a `POST` of
//! `reviews::ru_request_body`, the extension's only request with a body).
//! The run lives in `chrome.storage.session` under `reviews:<tab id>`
//! (`core::reviews::StoredReviews`), which the popup follows; the rules
//! (which page, when, what an answer means) are `core::reviews::ReviewRun`'s. The loop here only waits, fetches and stores:
//! take the run under the lock, ask it for the next request, store it (pending),
//! wait until the request may go (at most one a second), fetch, hand the answer
//! over, store, and again until the run is no longer reading. A run left pending
//! by a worker that stopped is failed by the next one (`resume`), with the
//! reason, keeping what was read.

use crate::{load_settings, web_log};
use alisave_chrome::{self as chrome, Area};
use alisave_core::engine::{Batch, ProductInfo};
use alisave_core::filename::{ReviewNamer, REVIEWS_FOLDER};
use alisave_core::manifest::review_rows;
use alisave_core::protocol::{
    review_source, FailedFile, PopupToBg, PopupToContent, SaveReport, MAX_DOCUMENT_BYTES,
    MAX_FILES_PER_SAVE,
};
use alisave_core::reviews::{
    button_reads_reviews, plan, reviews_key, select, ButtonRun, ReviewFilter, ReviewRun,
    ReviewSource, RunState, StoredReviews, BUTTON_PAGES, REVIEWS_PREFIX,
};
use alisave_core::say::{t, tf, Say};
use alisave_core::url::{is_cdn_media_url, product_page, ProductPage};
use alisave_core::{Inventory, Warning};

thread_local! {
    /// Serialises read-modify-write of the `reviews:<tab>` runs within this
    /// worker instance (a lock, not state).
    static LOCK: std::rc::Rc<futures_util::lock::Mutex<()>> =
        std::rc::Rc::new(futures_util::lock::Mutex::new(()));
    /// This worker instance's name: a stored run pending under another name
    /// was left by a worker that stopped.
    static DRIVER: String = format!("{}-{}", chrome::now_ms() as u64, (js_sys::Math::random() * 1e9) as u64);
}

fn lock() -> std::rc::Rc<futures_util::lock::Mutex<()>> {
    LOCK.with(|l| l.clone())
}

fn driver() -> String {
    DRIVER.with(|d| d.clone())
}

async fn load(tab_id: i64) -> Option<StoredReviews> {
    chrome::storage_read(Area::Session, &reviews_key(tab_id))
        .await
        .ok()
        .flatten()
}

async fn store(tab_id: i64, s: &StoredReviews) -> bool {
    match chrome::storage_set(Area::Session, &reviews_key(tab_id), s).await {
        Ok(()) => true,
        Err(e) => {
            web_log(&format!("[AliSavePro] could not record a review run: {e}"));
            false
        }
    }
}

/// The product page the tab shows now, and where its reviews are read.
async fn product_of_tab(tab_id: i64) -> Result<(ProductPage, String), Say> {
    let url = chrome::tab(tab_id)
        .await
        .ok()
        .and_then(|t| t.url)
        .unwrap_or_default();
    let page = product_page(&url).ok_or_else(|| t("refusal_not_product_page"))?;
    review_source(&page)?;
    Ok((page, url))
}

/// The URL of the review request the tab's page made itself for
/// `product_id` (`page_view::page_review_request`, from what the webRequest
/// listener saw or the page's timeline named): the run asks in its language
/// and country (`ReviewRun::asked_as`).
async fn page_review_request(tab_id: i64, product_id: &str) -> Option<String> {
    let list = crate::observed_list(tab_id).await;
    alisave_core::page_view::page_review_request(&list, product_id).map(str::to_string)
}

/// A popup command (sender and fields checked by the caller).
pub async fn command(msg: PopupToBg) -> SaveReport {
    let tab_id = msg.tab_id();
    let (page, url) = match product_of_tab(tab_id).await {
        Ok(p) => p,
        Err(why) => return SaveReport::refused(why),
    };
    match msg {
        PopupToBg::ReviewsLoad { filter, .. } => load_reviews(tab_id, &page, &url, filter).await,
        PopupToBg::ReviewsCancel { .. } => {
            let l = lock();
            let _g = l.lock().await;
            if let Some(mut s) = load(tab_id).await {
                s.run.cancel();
                store(tab_id, &s).await;
            }
            ok()
        }
        PopupToBg::ReviewsSave {
            filter,
            title,
            shop,
            ..
        } => save(tab_id, &page, filter, title, shop, None).await,
    }
}

fn ok() -> SaveReport {
    SaveReport {
        ok: true,
        ..SaveReport::default()
    }
}

/// Starts reading the product's reviews (a new run; one already reading this
/// product goes on).
async fn load_reviews(
    tab_id: i64,
    page: &ProductPage,
    url: &str,
    filter: ReviewFilter,
) -> SaveReport {
    let asked = page_review_request(tab_id, &page.product_id).await;
    {
        let l = lock();
        let _g = l.lock().await;
        let earlier = load(tab_id).await;
        if let Some(s) = &earlier {
            let mine = s.driver == driver();
            if s.product_id == page.product_id && s.run.state == RunState::Reading && mine {
                return ok();
            }
        }
        // The page's save still waiting for its buyer photos: the new run saves them.
        let button = earlier.and_then(|s| s.button_to_keep(&page.product_id, &driver()));
        let Ok(source) = review_source(page) else {
            return SaveReport::refused(t("buyer_alibaba_sign_in"));
        };
        let page_itself = source == ReviewSource::AliExpressRuPage;
        let s = StoredReviews {
            product_id: page.product_id.clone(),
            platform: page.platform.slug().to_string(),
            page_url: url.to_string(),
            driver: driver(),
            run: if page_itself {
                ReviewRun::of_page(&page.product_id, filter)
            } else {
                ReviewRun::new(source, &page.product_id, filter).asked_as(asked.as_deref())
            },
            button,
        };
        if !store(tab_id, &s).await {
            return SaveReport::refused(t("buyer_not_recorded"));
        }
        if page_itself {
            wasm_bindgen_futures::spawn_local(read_from_page(tab_id, s.run));
            return ok();
        }
    }
    wasm_bindgen_futures::spawn_local(drive(tab_id));
    ok()
}

/// A run that waits for the tab's page (`ReviewRun::awaits_page`):
/// aliexpress.ru's page 1 (the reviews the page itself carries), or, when an
/// AliExpress run's review pages gave nothing readable, the page's review
/// section. The tab's own content script is asked to inspect its page (as the
/// popup does); the worker reads the reviews from the page it sends
/// ([`from_page`]), which then goes on with the further pages the filter needs
/// or the save. A page that did not come (the tab was closed, or shows another
/// product) ends the run with the reason: `waiting`, the run as it was when
/// the page was asked for, and not a newer run of the tab that waits too.
async fn read_from_page(tab_id: i64, waiting: ReviewRun) {
    let _ = chrome::send_to_tab::<_, serde_json::Value>(tab_id, &PopupToContent::Inspect).await;
    let l = lock();
    let _g = l.lock().await;
    let Some(mut s) = load(tab_id).await else {
        return;
    };
    if s.driver == driver() && s.run.awaits_page() && s.run == waiting {
        // For aliexpress.ru's page 1 (an AliExpress run's section ends with
        // the reason its pages stopped).
        s.run.failed(t("buyer_ru_page_unread"));
        store(tab_id, &s).await;
    }
}

/// A content script of `tab_id` sent its page (`shown`, checked by the
/// caller): a run waiting for this product's page reads its reviews from it.
pub async fn from_page(tab_id: i64, shown: &ProductPage, html: &str) {
    let l = lock();
    let _g = l.lock().await;
    let Some(mut s) = load(tab_id).await else {
        return;
    };
    if s.run.awaits_page()
        && s.product_id == shown.product_id
        && s.platform == shown.platform.slug()
    {
        s.run.answer(html);
        if !store(tab_id, &s).await {
            return;
        }
        if s.run.state == RunState::Reading {
            // The filter needs more than page 1: its further pages.
            wasm_bindgen_futures::spawn_local(drive(tab_id));
        } else if s.save_due().is_some() {
            // A page's save waiting for these photos (see `button_to_keep`).
            wasm_bindgen_futures::spawn_local(save_when_read(tab_id));
        }
    }
}

/// The page's own save of `tab_id` (its button) started as `report`: with the
/// setting `button_reviews` on, the product's first [`BUTTON_PAGES`] review
/// pages are read, and their photos saved when the reading ends
/// (`reviews::button_reads_reviews` says when). The settings are read first:
/// with the setting off nothing else is done.
pub async fn with_button(
    tab_id: i64,
    page_request: Option<String>,
    title: Option<String>,
    shop: Option<String>,
    report: &SaveReport,
) {
    let (settings, _) = load_settings().await;
    if !settings.button_reviews {
        return;
    }
    let Ok((page, url)) = product_of_tab(tab_id).await else {
        return;
    };
    let Ok(source) = review_source(&page) else {
        return;
    };
    let page_itself = source == ReviewSource::AliExpressRuPage;
    let asked = page_review_request(tab_id, &page.product_id).await;
    let waiting = {
        let l = lock();
        let _g = l.lock().await;
        let existing = load(tab_id).await;
        let started = report.ok && report.batch_id.is_some();
        if !button_reads_reviews(
            settings.button_reviews,
            true,
            started,
            &page.product_id,
            page_request.as_deref(),
            existing.as_ref(),
        ) {
            return;
        }
        let s = StoredReviews {
            product_id: page.product_id.clone(),
            platform: page.platform.slug().to_string(),
            page_url: url,
            driver: driver(),
            run: if page_itself {
                ReviewRun::of_page(&page.product_id, ReviewFilter::default())
            } else {
                ReviewRun::new(source, &page.product_id, ReviewFilter::default())
                    .asked_as(asked.as_deref())
            }
            .first_pages(BUTTON_PAGES),
            button: Some(ButtonRun {
                page_request,
                request_id: format!("rv{tab_id}-{}", chrome::now_ms() as u64),
                title,
                shop,
                saved: false,
                saving: None,
            }),
        };
        if !store(tab_id, &s).await {
            return;
        }
        page_itself.then_some(s.run)
    };
    if let Some(waiting) = waiting {
        // aliexpress.ru: page 1 from the page, then the further pages.
        wasm_bindgen_futures::spawn_local(read_from_page(tab_id, waiting));
    } else {
        wasm_bindgen_futures::spawn_local(drive(tab_id));
    }
}

/// A tab's run: its pages, then (a button's run) its save. When the pages
/// gave nothing readable, the reviews the page shows first ([`read_from_page`]).
async fn drive(tab_id: i64) {
    read_pages(tab_id).await;
    if let Some(s) = load(tab_id)
        .await
        .filter(|s| s.driver == driver() && s.run.awaits_page())
    {
        read_from_page(tab_id, s.run).await;
    }
    save_when_read(tab_id).await;
}

/// Saves the photos of a button's run that ended (`StoredReviews::save_due`),
/// with the default filter, into the product folder the page's save used. Once:
/// the save is claimed for this worker first (`StoredReviews::claim_save`: a
/// second call here, or a "Load" meanwhile, leaves it to this one), a batch
/// made for the run's request id is not made again (a worker stopped between
/// the two finds it), and the run is then marked saved. The reviews saved are
/// the ones the claim saw, whatever the stored run becomes meanwhile.
async fn save_when_read(tab_id: i64) {
    let s = {
        let l = lock();
        let _g = l.lock().await;
        let Some(mut s) = load(tab_id).await else {
            return;
        };
        if s.claim_save(&driver()).is_none() || !store(tab_id, &s).await {
            return;
        }
        s
    };
    let Some(button) = s.button.clone() else {
        return;
    };
    if let Some(page) = product_page(&s.page_url) {
        if crate::engine::report_of_request(tab_id, &button.request_id)
            .await
            .is_none()
        {
            let report = save_reviews(
                tab_id,
                &page,
                &s,
                ReviewFilter::default(),
                button.title.clone(),
                button.shop.clone(),
                Some(button.request_id.clone()),
            )
            .await;
            if !report.ok {
                web_log("[AliSavePro] the buyer photos of the page's save were not saved");
            }
        }
    }
    let l = lock();
    let _g = l.lock().await;
    if let Some(mut s) = load(tab_id).await {
        if let Some(b) = s
            .button
            .as_mut()
            .filter(|b| b.request_id == button.request_id)
        {
            b.saved = true;
            store(tab_id, &s).await;
        }
    }
}

/// The paging loop of a tab's run.
async fn read_pages(tab_id: i64) {
    loop {
        let (req, product_id) = {
            let l = lock();
            let _g = l.lock().await;
            let Some(mut s) = load(tab_id).await else {
                return;
            };
            if s.driver != driver() {
                return;
            }
            let Some(req) = s.run.next_request(chrome::now_ms()) else {
                return;
            };
            if !store(tab_id, &s).await {
                return;
            }
            (req, s.product_id)
        };
        let wait = req.not_before_ms - chrome::now_ms();
        if wait > 0.0 {
            chrome::sleep_ms(wait).await;
        }
        // Cancelled, closed or replaced meanwhile: nothing is asked.
        let still = load(tab_id)
            .await
            .is_some_and(|s| s.product_id == product_id && s.run.pending == Some(req.page));
        if !still {
            return;
        }
        let result = match req.body.as_deref() {
            None => chrome::fetch_text(&req.url, true, MAX_DOCUMENT_BYTES).await,
            // aliexpress.ru's review page, as the page itself asks for it.
            Some(json) => chrome::post_json_text(&req.url, json, MAX_DOCUMENT_BYTES).await,
        };
        let l = lock();
        let _g = l.lock().await;
        let Some(mut s) = load(tab_id).await else {
            return;
        };
        if s.product_id != product_id || s.run.pending != Some(req.page) {
            return;
        }
        s.run.answered_at(chrome::now_ms());
        match result {
            Ok(body) => s.run.answer(&body),
            Err(e) => s
                .run
                .request_failed(tf("buyer_request_failed", &[e.say().into()])),
        }
        if !store(tab_id, &s).await {
            return;
        }
    }
}

/// At every worker start: a run left pending by a stopped worker is failed
/// with the reason (what was read is kept; the user may load again).
pub async fn resume() {
    let Ok(all) = chrome::session_all().await else {
        return;
    };
    let tabs = {
        let l = lock();
        let _g = l.lock().await;
        fail_orphans(&all).await
    };
    // A button's run that ended (here or before the stop) is saved now.
    for tab_id in tabs {
        save_when_read(tab_id).await;
    }
}

/// Fails or ends the runs other (stopped) workers left reading; returns the
/// tabs of every run.
async fn fail_orphans(all: &serde_json::Map<String, serde_json::Value>) -> Vec<i64> {
    let mut tabs = Vec::new();
    for key in all.keys().filter(|k| k.starts_with(REVIEWS_PREFIX)) {
        let Some(tab_id) = key[REVIEWS_PREFIX.len()..].parse::<i64>().ok() else {
            continue;
        };
        tabs.push(tab_id);
        let Some(mut s) = load(tab_id).await else {
            continue;
        };
        if s.driver != driver() && s.run.state == RunState::Reading {
            if s.run.pending.is_some() {
                s.run.failed(t("buyer_worker_stopped"));
            } else {
                s.run.cancel();
            }
            store(tab_id, &s).await;
        }
    }
    tabs
}

/// Forgets a closed tab's run.
pub async fn on_tab_removed(tab_id: i64) {
    let l = lock();
    let _g = l.lock().await;
    let _ = chrome::session_remove(&reviews_key(tab_id)).await;
}

/// Saves the photos `filter` selects of what was read, as one engine batch of
/// separate files in `<product folder>/reviews/[<variant>/]`, with
/// `reviews.json`/`reviews.csv` beside them.
async fn save(
    tab_id: i64,
    page: &ProductPage,
    filter: ReviewFilter,
    title: Option<String>,
    shop: Option<String>,
    request_id: Option<String>,
) -> SaveReport {
    let Some(stored) = load(tab_id)
        .await
        .filter(|s| s.product_id == page.product_id)
    else {
        return SaveReport::refused(t("buyer_nothing_read"));
    };
    if stored.run.state == RunState::Reading {
        return SaveReport::refused(t("buyer_still_reading"));
    }
    save_reviews(tab_id, page, &stored, filter, title, shop, request_id).await
}

/// [`save`] of the reviews `stored` holds.
async fn save_reviews(
    tab_id: i64,
    page: &ProductPage,
    stored: &StoredReviews,
    filter: ReviewFilter,
    title: Option<String>,
    shop: Option<String>,
    request_id: Option<String>,
) -> SaveReport {
    let url = stored.page_url.as_str();
    let (settings, settings_note) = load_settings().await;
    let today = {
        let d = js_sys::Date::new_0();
        alisave_core::filename::Date::new(
            d.get_full_year() as u16,
            (d.get_month() + 1) as u8,
            d.get_date() as u8,
        )
    };
    let inventory = Inventory {
        platform: Some(page.platform),
        product_id: page.product_id.clone(),
        title: title.filter(|t| !t.trim().is_empty()),
        shop: shop.filter(|s| !s.trim().is_empty()),
        host: page.host.clone(),
        ..Inventory::default()
    };
    let product_folder = alisave_core::plan::product_folder_on(&settings, &inventory, today);
    let reviews_folder = format!("{product_folder}/{REVIEWS_FOLDER}");
    let reviews = &stored.run.reviews;
    let selection = select(reviews, &filter);
    let files = plan(
        reviews,
        &selection,
        &ReviewNamer::new(&product_folder, &settings.review_template),
    );
    let mut report = SaveReport {
        folder: reviews_folder.clone(),
        ..SaveReport::default()
    };
    for note in selection.notes(filter.limit()) {
        report.warnings.push(Warning::for_user("reviews", note));
    }
    if let Some(note) = settings_note {
        report.warnings.push(Warning::for_user("settings", note));
    }
    let mut accepted = Vec::new();
    let mut kept = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        if i >= MAX_FILES_PER_SAVE || !is_cdn_media_url(&f.url) {
            report.failed.push(FailedFile {
                url: f.url.clone(),
                path: f.path.clone(),
                reason: t("why_not_cdn"),
            });
            continue;
        }
        report.started.push(f.path.clone());
        accepted.push(f.planned());
        kept.push(f);
    }
    report.summarise();
    if accepted.is_empty() {
        return report;
    }
    let now = chrome::now_ms();
    let id = alisave_core::engine::batch_id(tab_id, request_id.as_deref(), now);
    let product = ProductInfo {
        platform: stored.platform.clone(),
        id: stored.product_id.clone(),
        title: inventory.title.clone(),
        shop: inventory.shop.clone(),
        page_url: url.to_string(),
    };
    let mut batch = Batch::new(
        id.clone(),
        tab_id,
        reviews_folder.clone(),
        product,
        accepted,
        now,
    );
    batch.warnings = report.warnings.clone();
    batch.save_as = false;
    // The product's manifest is not this batch's: reviews.json/csv are.
    batch.manifest = false;
    batch.product_folder = product_folder.clone();
    batch.request_id = request_id;
    report.batch_id = Some(id);
    // reviews.json/csv are written when the batch ends, with each file's
    // outcome (`manifest::manifest_files`).
    batch.reviews = Some(review_rows(reviews, &kept, &reviews_folder));
    if let Err(e) = crate::engine::start(batch).await {
        // Nothing was started: the report says so, with no batch to follow.
        report.ok = false;
        report.message = e;
        report.batch_id = None;
        report.started.clear();
    }
    report
}
