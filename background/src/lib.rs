//! AliSavePro service worker (composition root).
//!
//! `static/sw.js` registers every listener synchronously at top level and forwards
//! each event to the exported functions here once the wasm is initialised.
//! Invariant: nothing authoritative lives in memory. The worker can be stopped
//! between any two events; per-tab knowledge is kept in `chrome.storage.session`
//! and settings in `chrome.storage.local`.

use alisave_chrome::{self as chrome, Area};
use alisave_core::engine::{Batch, PackSpec, ProductInfo};
use alisave_core::extract::{extract_with_needs, Document, PageInput};
use alisave_core::page_view::{
    api_answer, challenge_page, classify_request, forget_other_views, note_timeline, observed_key,
    record_observed, requests_of, still_to_read, ApiAnswer, ObservedRequest, PageView,
    MAX_OBSERVED_PER_TAB,
};
use alisave_core::protocol::{
    is_page_message, is_popup_message, needs_expected, sender_page_view, valid_request_id,
    validate_content_sender, validate_current_url, validate_documents, validate_page_sender,
    validate_popup_sender, validate_snapshot, ContentToBg, FailedFile, InspectReply, PageSnapshot,
    PageToBg, PopupToBg, Refusal, SaveReport, Sender, Unavailable, MAX_DOCUMENT_BYTES,
    MAX_FILES_PER_SAVE,
};
use alisave_core::say::{self, t, tf, tn, Say};
use alisave_core::settings::{self, Settings};
use alisave_core::url::is_cdn_media_url;
use alisave_core::Inventory;
use wasm_bindgen::prelude::*;

mod engine;
mod queue;
mod reviews;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

fn log_refusal(what: &str, reason: &dyn std::fmt::Display) {
    web_log(&format!("[AliSavePro] refused {what}: {reason}"));
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub(crate) fn web_log(s: &str);
}

fn sender_of(js: &JsValue) -> Sender {
    Sender {
        id: chrome::get_string(js, "id"),
        url: chrome::get_string(js, "url"),
        tab_id: chrome::get_object(js, "tab").and_then(|t| chrome::get_i64(&t, "id")),
        frame_id: chrome::get_i64(js, "frameId"),
        document_id: chrome::get_string(js, "documentId"),
    }
}

thread_local! {
    /// Serialises read-modify-write of the `observed:<tab>` lists within this
    /// worker instance (a lock, not state: a new worker starts unlocked).
    static OBSERVED_LOCK: std::rc::Rc<futures_util::lock::Mutex<()>> =
        std::rc::Rc::new(futures_util::lock::Mutex::new(()));
}

fn observed_lock() -> std::rc::Rc<futures_util::lock::Mutex<()>> {
    OBSERVED_LOCK.with(|l| l.clone())
}

/// The observed requests stored for a tab (empty when none or unreadable).
pub(crate) async fn observed_list(tab_id: i64) -> Vec<ObservedRequest> {
    chrome::storage_read(Area::Session, &observed_key(tab_id))
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// `chrome.runtime.onMessage` handler. Returns the reply (always a value the
/// sender can show; never rejects).
#[wasm_bindgen]
pub async fn handle_message(msg: JsValue, sender: JsValue) -> JsValue {
    let reply = handle(msg, sender_of(&sender)).await;
    let value = match &reply {
        Reply::Save(r) => chrome::to_js_value(r),
        Reply::Inspect(r) => chrome::to_js_value(r),
    };
    value.unwrap_or(JsValue::NULL)
}

enum Reply {
    Save(SaveReport),
    Inspect(InspectReply),
}

fn refuse(what: &str, e: &Refusal, inspect: bool) -> Reply {
    log_refusal(what, e);
    let message = e.say();
    if inspect {
        Reply::Inspect(InspectReply {
            message: Some(message),
            ..InspectReply::default()
        })
    } else {
        Reply::Save(SaveReport::refused(message))
    }
}

async fn handle(msg: JsValue, sender: Sender) -> Reply {
    let own_id = chrome::runtime_id();
    let kind = chrome::get_string(&msg, "type").unwrap_or_default();
    if is_popup_message(&kind) {
        // The popup's buyer-photo commands: from the popup of this extension only.
        if let Err(e) = validate_popup_sender(&sender, &own_id) {
            return refuse("a buyer-photo command", &e, false);
        }
        let msg = chrome::from_js::<PopupToBg>(msg)
            .map_err(|e| Refusal::BadField(e.to_string()))
            .and_then(|m| m.validate().map(|()| m));
        return Reply::Save(match msg {
            Ok(m) => reviews::command(m).await,
            Err(e) => {
                log_refusal("a buyer-photo command", &e);
                SaveReport::refused(e.say())
            }
        });
    }
    if is_page_message(&kind) {
        // The queue page's commands: from that page of this extension only.
        if let Err(e) = validate_page_sender(&sender, &own_id) {
            return refuse("a queue command", &e, false);
        }
        return Reply::Save(match chrome::from_js::<PageToBg>(msg) {
            Ok(m) => queue::command(m).await,
            Err(e) => {
                let e = Refusal::BadField(e.to_string());
                log_refusal("a queue command", &e);
                SaveReport::refused(e.say())
            }
        });
    }
    let inspect = kind == "inspect";
    let (page, tab_id) = match validate_content_sender(&sender, &own_id) {
        Ok(v) => v,
        Err(e) => return refuse("a message", &e, inspect),
    };
    let msg: ContentToBg = match chrome::from_js(msg) {
        Ok(m) => m,
        Err(e) => return refuse("a message", &Refusal::BadField(e.to_string()), inspect),
    };
    match msg {
        ContentToBg::SaveAll {
            page: snapshot,
            documents,
            unavailable,
            only,
            request_id,
            fetched_needs,
            loaded,
        } => {
            let request_id = request_id.filter(|r| valid_request_id(r));
            let parts = (documents, unavailable, fetched_needs, loaded);
            let ask = match Ask::checked(&snapshot, parts, &sender, &page, tab_id) {
                Ok(a) => a,
                Err(e) => return refuse("a save request", &e, false),
            };
            let queued = request_id.clone().filter(|r| r.starts_with('q'));
            let report = match gather(ask).await {
                Gathered::Refused(e) => {
                    log_refusal("documents", &e);
                    SaveReport::refused(e.say())
                }
                Gathered::Need(urls, read) => SaveReport {
                    need_documents: urls,
                    message: t("content_loading_description"),
                    read,
                    ..SaveReport::default()
                },
                Gathered::Done(inventory, read)
                    if inventory.items.is_empty() && challenge_page(&snapshot.html) =>
                {
                    // The shop's captcha or "punish" page, not the product: said
                    // as such (the queue stops here instead of failing on).
                    SaveReport {
                        read,
                        ..SaveReport::refused(t("page_challenge"))
                    }
                }
                Gathered::Done(inventory, read) => {
                    // The page's own save of the whole page (not the popup's
                    // selection, not a queue's product) may also read the
                    // product's buyer photos (setting `button_reviews`).
                    let by_button = only.is_none() && queued.is_none();
                    let (title, shop) = (inventory.title.clone(), inventory.shop.clone());
                    let page_request = request_id.clone();
                    let report = save(inventory, only, tab_id, &snapshot.url, request_id).await;
                    if by_button {
                        reviews::with_button(tab_id, page_request, title, shop, &report).await;
                    }
                    SaveReport { read, ..report }
                }
            };
            if let Some(rid) = queued {
                // A queued product's page: the queue learns what it gave here.
                queue::page_read(tab_id, &rid, &report).await;
            }
            Reply::Save(report)
        }
        ContentToBg::Poke { batch_id } => {
            let progress = engine::poke(&batch_id, tab_id).await;
            Reply::Save(progress_reply(batch_id, progress, t("latest_none")))
        }
        ContentToBg::PageView { url } => {
            let shown = match validate_current_url(&url, &page) {
                Ok(p) => p,
                Err(e) => return refuse("a page view", &e, false),
            };
            if let Some(view) = &sender_page_view(&sender, &shown) {
                let l = observed_lock();
                let _g = l.lock().await;
                let mut list = observed_list(tab_id).await;
                if forget_other_views(&mut list, view) {
                    let key = observed_key(tab_id);
                    let written = if list.is_empty() {
                        chrome::session_remove(&key).await
                    } else {
                        chrome::storage_set(Area::Session, &key, &list).await
                    };
                    if let Err(e) = written {
                        web_log(&format!("[AliSavePro] could not forget a page view: {e}"));
                    }
                }
            }
            // A queued product's page that started: read it once loaded.
            wasm_bindgen_futures::spawn_local(queue::on_page_view(tab_id));
            Reply::Save(SaveReport {
                ok: true,
                ..SaveReport::default()
            })
        }
        ContentToBg::Retry { batch_id } => {
            let progress = engine::retry(&batch_id, tab_id).await;
            Reply::Save(progress_reply(batch_id, progress, t("retry_nothing")))
        }
        ContentToBg::Inspect {
            page: snapshot,
            documents,
            unavailable,
            fetched_needs,
            loaded,
        } => {
            let parts = (documents, unavailable, fetched_needs, loaded);
            let ask = match Ask::checked(&snapshot, parts, &sender, &page, tab_id) {
                Ok(a) => a,
                Err(e) => return refuse("an inspect request", &e, true),
            };
            if matches!(
                page.platform,
                alisave_core::Platform::AliExpressRu | alisave_core::Platform::AliExpress
            ) {
                // A Buyer photos run waiting for this page (aliexpress.ru: the
                // reviews the page itself carries; AliExpress: its review
                // section, when the review pages gave nothing readable).
                // Nothing is asked of the shop.
                if let Some(shown) = alisave_core::url::product_page(&snapshot.url) {
                    reviews::from_page(tab_id, &shown, &snapshot.html).await;
                }
            }
            Reply::Inspect(match gather(ask).await {
                Gathered::Refused(e) => {
                    log_refusal("documents", &e);
                    InspectReply {
                        message: Some(e.say()),
                        ..InspectReply::default()
                    }
                }
                Gathered::Need(urls, read) => InspectReply {
                    need_documents: urls,
                    read,
                    ..InspectReply::default()
                },
                Gathered::Done(inventory, read) => InspectReply {
                    inventory: Some(inventory),
                    read,
                    ..InspectReply::default()
                },
            })
        }
    }
}

/// The answer about a batch of the page: its progress, or why there is none.
fn progress_reply(
    batch_id: String,
    progress: Option<alisave_core::engine::Progress>,
    none: Say,
) -> SaveReport {
    match progress {
        Some(p) => SaveReport {
            ok: true,
            message: p.message,
            folder: p.folder,
            batch_id: Some(batch_id),
            ..SaveReport::default()
        },
        None => SaveReport::refused(none),
    }
}

/// The stored settings, and what the user should know when some were unusable
/// (the same sentences the options page shows).
pub(crate) async fn load_settings() -> (Settings, Option<Say>) {
    match chrome::storage_get(Area::Local, settings::STORAGE_KEY).await {
        Ok(stored) => {
            let report = settings::load_report(stored.as_ref());
            let note = alisave_core::settings::say::load_notice(&report);
            (report.settings, note)
        }
        Err(e) => (
            Settings::default(),
            Some(tf("warn_settings_unreadable", &[e.to_string().into()])),
        ),
    }
}

/// Reads, in the worker, the shop API answers the page view requested (seen by the
/// webRequest listener) that the content script does not hold yet: product data
/// the page's HTML does not carry (Era D `pdp.pc.query`, aliexpress.ru
/// `productData`). Same shop hosts, which our host permissions cover; the user's
/// shop cookies go along as they did for the page (ARCHITECTURE.md, "Era D").
/// Each answer goes back to the content script, which keeps it for its page view:
/// the shop sees each of these requests from us at most once per page view.
async fn read_api_documents(
    tab_id: i64,
    view: Option<&PageView>,
    loaded: &[String],
    have: &[&str],
    warnings: &mut Vec<alisave_core::Warning>,
) -> (Vec<Document>, Vec<String>) {
    let Some(view) = view else {
        return (Vec::new(), Vec::new());
    };
    // What the webRequest listener saw for this page view, with what the page's own
    // timeline says it loaded (answers from Blink's memory cache, restored pages,
    // requests the listener filed under the document before) recorded too.
    let list = {
        let l = observed_lock();
        let _g = l.lock().await;
        let mut list = observed_list(tab_id).await;
        if note_timeline(&mut list, view, loaded) {
            if let Err(e) = chrome::storage_set(Area::Session, &observed_key(tab_id), &list).await {
                web_log(&format!(
                    "[AliSavePro] could not record the page's requests: {e}"
                ));
            }
        }
        list
    };
    let mine: Vec<ObservedRequest> = requests_of(&list, view, MAX_OBSERVED_PER_TAB)
        .into_iter()
        .cloned()
        .collect();
    let observed: Vec<String> = mine.iter().map(|r| r.url.clone()).collect();
    let mut read = Vec::new();
    for req in still_to_read(&mine, view, have) {
        match chrome::fetch_text(&req.url, true, MAX_DOCUMENT_BYTES).await {
            Ok(body) => read.push(Document {
                url: req.url.clone(),
                body,
            }),
            Err(e) => warnings.push(alisave_core::Warning::for_user(
                "api_fetch",
                tf("warn_api_fetch", &[e.say().into()]),
            )),
        }
    }
    (read, observed)
}

/// Outcome of reading a page: the inventory, documents still needed, or a
/// refusal; with the API answers read this time, for the content script to keep.
enum Gathered {
    Done(Inventory, Vec<Document>),
    Need(Vec<String>, Vec<Document>),
    Refused(Refusal),
}

/// A save or inspect request, validated as far as the sender and snapshot go.
struct Ask<'a> {
    snapshot: &'a PageSnapshot,
    documents: Vec<Document>,
    unavailable: Vec<Unavailable>,
    fetched_needs: bool,
    /// Shop API URLs of the page's own resource timeline.
    loaded: Vec<String>,
    tab_id: i64,
    view: Option<PageView>,
}

impl<'a> Ask<'a> {
    /// A save or inspect request whose snapshot shows a product page of the
    /// sender's shop host; the page view is the product it shows now.
    fn checked(
        snapshot: &'a PageSnapshot,
        (documents, unavailable, fetched_needs, loaded): (
            Vec<Document>,
            Vec<Unavailable>,
            bool,
            Vec<String>,
        ),
        sender: &Sender,
        page: &alisave_core::url::ProductPage,
        tab_id: i64,
    ) -> Result<Ask<'a>, Refusal> {
        let shown = validate_snapshot(snapshot, page)?;
        Ok(Ask {
            snapshot,
            documents,
            unavailable,
            fetched_needs,
            loaded,
            tab_id,
            view: sender_page_view(sender, &shown),
        })
    }
}

/// Reads the page: the snapshot, the documents the content script holds for its
/// page view, and the page view's API answers not read yet. Warnings about what
/// could not be read end up in the inventory.
async fn gather(ask: Ask<'_>) -> Gathered {
    let Ask {
        snapshot,
        documents,
        unavailable,
        fetched_needs,
        loaded,
        tab_id,
        view,
    } = ask;
    let view = view.as_ref();
    let (url, html) = (snapshot.url.as_str(), snapshot.html.as_str());
    let mut warnings = Vec::new();
    if view.is_none() {
        web_log("[AliSavePro] the sender named no document: only the page snapshot is used");
    }
    let have: Vec<&str> = documents.iter().map(|d| d.url.as_str()).collect();
    let (read, observed) = read_api_documents(tab_id, view, &loaded, &have, &mut warnings).await;
    // What the content script sends is checked: an API answer must be one this
    // page view requested, any other document one the page (or its data) names.
    if !documents.is_empty() || !unavailable.is_empty() {
        // What the page names (an extraction over the trusted documents) only
        // when a document is not one this page view requested.
        let named = if needs_expected(&documents, &unavailable, &observed) {
            let api: Vec<Document> = documents
                .iter()
                .filter(|d| observed.contains(&d.url))
                .cloned()
                .chain(read.iter().cloned())
                .collect();
            extract_with_needs(&PageInput {
                url,
                html,
                documents: &api,
            })
            .1
        } else {
            Vec::new()
        };
        if let Err(e) = validate_documents(&documents, &unavailable, &named, &observed) {
            return Gathered::Refused(e);
        }
    }
    // Shop refusals (a captcha, an expired request, an error) are not product
    // data: the page's DOM is read instead, and the user is told.
    let mut usable = Vec::new();
    for d in documents.iter().chain(read.iter()) {
        match classify_request(&d.url).map(|kind| api_answer(kind, &d.body)) {
            Some(ApiAnswer::Refused(why)) => warnings.push(alisave_core::Warning::for_user(
                "api_refused",
                tf("warn_api_refused", &[why.into()]),
            )),
            _ => usable.push(d.clone()),
        }
    }
    let (mut inventory, needs) = extract_with_needs(&PageInput {
        url,
        html,
        documents: &usable,
    });
    let missing: Vec<String> = needs
        .into_iter()
        .filter(|u| !documents.iter().any(|d| d.url == *u))
        .collect();
    if !missing.is_empty() && !fetched_needs {
        return Gathered::Need(
            missing
                .into_iter()
                .take(alisave_core::protocol::MAX_DOCUMENTS)
                .collect(),
            read,
        );
    }
    let has_description = inventory
        .items
        .iter()
        .any(|i| i.kind == alisave_core::MediaKind::Description);
    // The page's DOM may hold the rendered description already; only say that
    // something is missing when no description image was found at all.
    for u in missing.iter().filter(|_| !has_description) {
        let reason: say::Arg = unavailable
            .iter()
            .find(|x| x.url == *u)
            .map(|x| x.reason.as_str().into())
            .unwrap_or_else(|| t("why_not_received").into());
        warnings.push(alisave_core::Warning::for_user(
            "description_missing",
            tf("warn_description_missing", &[reason]),
        ));
    }
    inventory.warnings.extend(warnings);
    Gathered::Done(inventory, read)
}

thread_local! {
    /// Serialises save requests within this worker instance from the look-up of
    /// their request id to the stored batch (a lock, not state).
    static SAVE_LOCK: std::rc::Rc<futures_util::lock::Mutex<()>> =
        std::rc::Rc::new(futures_util::lock::Mutex::new(()));
}

/// Saves the inventory's items of the enabled kinds (or only the `only` URLs).
/// A request already answered (same `request_id`, sent again after the worker
/// stopped) gets the batch it made, not a second one.
async fn save(
    inventory: Inventory,
    only: Option<Vec<String>>,
    tab_id: i64,
    page_url: &str,
    request_id: Option<String>,
) -> SaveReport {
    let l = SAVE_LOCK.with(|l| l.clone());
    let _g = l.lock().await;
    if let Some(rid) = &request_id {
        if let Some(report) = engine::report_of_request(tab_id, rid).await {
            return report;
        }
    }
    let (settings, settings_note) = load_settings().await;
    let today = {
        let d = js_sys::Date::new_0();
        alisave_core::filename::Date::new(
            d.get_full_year() as u16,
            (d.get_month() + 1) as u8,
            d.get_date() as u8,
        )
    };
    let mut report = SaveReport {
        folder: alisave_core::plan::product_folder_on(&settings, &inventory, today),
        warnings: inventory.warnings.clone(),
        ..SaveReport::default()
    };
    let planned_folder = report.folder.clone();
    if let Some(rid) = request_id.as_deref().filter(|r| r.starts_with('q')) {
        if !queue::may_save(rid).await {
            // Cancelled (or read again after a retry) while this save was on
            // its way: the queue no longer asks for it.
            return SaveReport::refused(t("queue_cancelled"));
        }
        // A queue's product: never the folder of another product of the queue.
        let taken = queue::folders_taken(rid).await;
        report.folder =
            alisave_core::queue::distinct_folder(&report.folder, &inventory.product_id, &taken);
    }
    if let Some(note) = settings_note {
        report
            .warnings
            .push(alisave_core::Warning::for_user("settings", note));
    }
    let mut files = match &only {
        // The popup's selection: only items of this inventory, whatever their kind.
        Some(urls) => alisave_core::plan::plan_selected_on(&settings, &inventory, urls, today),
        None => alisave_core::plan::plan_on(&settings, &inventory, today),
    };
    if report.folder != planned_folder {
        alisave_core::plan::move_to_folder(&mut files, &planned_folder, &report.folder);
    }
    let mut accepted = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        if i >= MAX_FILES_PER_SAVE {
            report.failed.push(FailedFile {
                url: file.url.clone(),
                path: file.path.clone(),
                reason: tn("why_too_many_files", MAX_FILES_PER_SAVE, &[]),
            });
            continue;
        }
        // Defence in depth: the extractor only yields CDN URLs, but nothing else
        // may ever reach chrome.downloads.
        if !is_cdn_media_url(&file.url) {
            report.failed.push(FailedFile {
                url: file.url.clone(),
                path: file.path.clone(),
                reason: t("why_not_cdn"),
            });
            continue;
        }
        report.started.push(file.path.clone());
        accepted.push(file);
    }
    report.summarise();
    if accepted.is_empty() {
        return report;
    }
    let now = chrome::now_ms();
    let id = alisave_core::engine::batch_id(tab_id, request_id.as_deref(), now);
    let product = ProductInfo {
        platform: inventory
            .platform
            .map(|p| p.slug().to_string())
            .unwrap_or_default(),
        id: inventory.product_id.clone(),
        title: inventory.title.clone(),
        shop: inventory.shop.clone(),
        page_url: page_url.to_string(),
    };
    let product_folder = report.folder.clone();
    let mut batch = Batch::new(
        id.clone(),
        tab_id,
        product_folder.clone(),
        product,
        accepted,
        now,
    );
    batch.warnings = report.warnings.clone();
    batch.save_as = settings.ask_where_to_save;
    batch.manifest = settings.product_manifest;
    batch.product_folder = product_folder.clone();
    batch.request_id = request_id;
    report.batch_id = Some(id);
    if settings.needs_bytes() {
        // ZIP or conversion: the saver page fetches and packs (see saver/).
        let zip_path = format!("{product_folder}.zip");
        if settings.zip {
            batch.folder = zip_path.clone();
            report.folder = zip_path.clone();
        }
        batch.pack = Some(PackSpec {
            zip: settings.zip,
            format: settings.format,
            quality: settings.quality,
            saver_tab: None,
            zip_download: None,
            zip_path,
            finished: false,
            writer: None,
            heartbeat_ms: 0.0,
            archive_started_ms: None,
        });
        if let Err(e) = engine::start_packed(batch).await {
            report.ok = false;
            report.message = e;
        }
        return report;
    }
    if let Err(e) = engine::start(batch).await {
        // Nothing was started: the report says so, with no batch to follow.
        report.ok = false;
        report.message = e;
        report.batch_id = None;
        report.started.clear();
    }
    report
}

/// `chrome.webRequest.onBeforeRequest` handler for the shop's product and
/// description API requests (filter in `sw.js`). Records them per tab, with the
/// page view (document) that made them, in `chrome.storage.session`, so the
/// knowledge survives the worker being stopped.
#[wasm_bindgen]
pub async fn on_api_request(details: JsValue) {
    let Some(url) = chrome::get_string(&details, "url") else {
        return;
    };
    let Some(tab_id) = chrome::get_i64(&details, "tabId").filter(|t| *t >= 0) else {
        return;
    };
    let Some(req) = ObservedRequest::from_event(
        &url,
        chrome::get_i64(&details, "frameId"),
        chrome::get_string(&details, "documentId").as_deref(),
        chrome::get_i64(&details, "parentFrameId"),
        chrome::get_string(&details, "parentDocumentId").as_deref(),
    ) else {
        return;
    };
    let l = observed_lock();
    let _g = l.lock().await;
    // A tab closed meanwhile keeps no key (its removal ran under this lock).
    if chrome::tab(tab_id).await.is_err() {
        return;
    }
    let key = observed_key(tab_id);
    let mut list = observed_list(tab_id).await;
    record_observed(&mut list, req);
    if let Err(e) = chrome::storage_set(Area::Session, &key, &list).await {
        web_log(&format!(
            "[AliSavePro] could not record an API request: {e}"
        ));
    }
}

/// `chrome.tabs.onRemoved` handler: forgets what was observed for a closed tab.
#[wasm_bindgen]
pub async fn on_tab_removed(tab_id: f64) {
    {
        let l = observed_lock();
        let _g = l.lock().await;
        let _ = chrome::session_remove(&observed_key(tab_id as i64)).await;
    }
    engine::forget_tab(tab_id as i64).await;
    queue::on_tab_removed(tab_id as i64).await;
    reviews::on_tab_removed(tab_id as i64).await;
}

/// The API requests observed for a tab (read by the popup and by tests).
#[wasm_bindgen]
pub async fn observed_requests(tab_id: f64) -> JsValue {
    let list = chrome::storage_get(Area::Session, &observed_key(tab_id as i64))
        .await
        .ok()
        .flatten()
        .unwrap_or(serde_json::Value::Array(vec![]));
    chrome::to_js_value(&list).unwrap_or(JsValue::NULL)
}

/// Runs the extractor on a page and returns the inventory (no documents, no
/// downloads). Used by the extraction benchmark in the real browser.
#[wasm_bindgen]
pub fn extract_inventory(url: &str, html: &str) -> JsValue {
    let inventory = alisave_core::extract::extract(&PageInput {
        url,
        html,
        documents: &[],
    });
    chrome::to_js_value(&inventory).unwrap_or(JsValue::NULL)
}

/// `chrome.downloads.onChanged` handler (registered in `sw.js`).
#[wasm_bindgen]
pub async fn on_download_changed(delta: JsValue) {
    let Some(id) = chrome::get_i64(&delta, "id") else {
        return;
    };
    let current =
        |key: &str| chrome::get_object(&delta, key).and_then(|o| chrome::get_string(&o, "current"));
    // The size rarely comes with the completion; the engine asks for those
    // missing once the batch has finished (`Batch::sizes_wanted`).
    let size = chrome::get_object(&delta, "fileSize").and_then(|o| chrome::get_i64(&o, "current"));
    engine::on_changed(id, current("state"), current("error"), size).await;
}

/// Run when the worker starts: continues batches a stopped worker left, then
/// the queue.
#[wasm_bindgen]
pub async fn resume() {
    engine::resume().await;
    queue::resume().await;
    reviews::resume().await;
}

/// `chrome.tabs.onUpdated` with status `complete` (registered in `sw.js`):
/// where a queued product's tab landed. `url` is empty for hosts outside our
/// host permissions.
#[wasm_bindgen]
pub async fn on_tab_loaded(tab_id: f64, url: String) {
    queue::on_tab_loaded(tab_id as i64, &url).await;
}

/// `chrome.storage.onChanged` for batches (`batch:*` in `storage.session`,
/// filtered in `sw.js`): a queued product's batch may have finished.
#[wasm_bindgen]
pub async fn on_batches_changed() {
    queue::on_batches_changed().await;
}

/// `chrome.storage.onChanged` for the queue (`queue` in `storage.local`,
/// filtered in `sw.js`).
#[wasm_bindgen]
pub fn on_queue_changed() {
    queue::on_stored_changed();
}
