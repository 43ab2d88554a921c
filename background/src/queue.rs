//! The queue of product links (issue #14) carried out. Its rules are
//! `alisave_core::queue` (what to open next, when, what a page read or a
//! finished batch means, restarts); this module opens and closes the tabs, asks
//! each product's page to save itself through the same path as its button
//! (`PopupToContent::SavePage`), and writes the queue to `chrome.storage.local`
//! after every change, so a stopped worker or a restarted browser goes on from
//! there. In memory there is only what a new worker can do without: a lock
//! over the read-modify-write of the queue, the tabs whose page read is in
//! flight (so one page is not asked twice at once), the pending wake-up, and
//! whether the queue was found absent or with no save under way (caches of
//! storage, see [`ABSENT`] and [`NO_SAVE`]).

use crate::engine;
use alisave_chrome::{self as chrome, Area};
use alisave_core::manifest::{products_csv, products_json, products_summary};
use alisave_core::protocol::{
    queue_outcome, PageToBg, PopupToContent, SaveReport, MAX_QUEUE_TEXT_BYTES,
};
use alisave_core::queue::{
    parse_links, prefix_of_request, Effect, ItemState, Next, PageOutcome, Queue, SavedProduct,
};
use alisave_core::say::{t, tf};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

/// Where the queue lives (`chrome.storage.local`: it outlives the browser).
pub const KEY: &str = "queue";

thread_local! {
    static LOCK: Rc<futures_util::lock::Mutex<()>> = Rc::new(futures_util::lock::Mutex::new(()));
    static READING: RefCell<HashSet<i64>> = RefCell::new(HashSet::new());
    /// The stored queue was found absent by a read under the lock and nothing
    /// has written it since (this worker's writes are made under the lock and
    /// clear this; any other writer's change of the key clears it through
    /// `chrome.storage.onChanged`, [`on_stored_changed`]).
    /// A cache of storage, not state: a new worker starts without it and reads.
    /// With no queue, a batch write (one per step of every save) then costs no
    /// read of the queue.
    static ABSENT: Cell<bool> = const { Cell::new(false) };
    /// No product's save was under way (`Queue::waits_for_batch`) in the
    /// queue last read under the lock, and nothing has written it since
    /// (cleared as [`ABSENT`] is): a batch's change cannot move it on.
    static NO_SAVE: Cell<bool> = const { Cell::new(false) };
    static WAKE_AT: Cell<f64> = const { Cell::new(f64::INFINITY) };
}

fn lock() -> Rc<futures_util::lock::Mutex<()>> {
    LOCK.with(Rc::clone)
}

async fn load() -> Result<Option<Queue>, chrome::Error> {
    let Some(value) = chrome::storage_get(Area::Local, KEY).await? else {
        return Ok(None);
    };
    match serde_json::from_value(value) {
        Ok(q) => Ok(Some(q)),
        Err(e) => {
            // Unreadable (an older or damaged form): nothing can be carried on;
            // the page says so and offers to clear it.
            crate::web_log(&format!("[AliSavePro] the stored queue is unreadable: {e}"));
            Ok(None)
        }
    }
}

/// The stored queue, without reading it when it was found absent (for the
/// checks of whether a tab or page event is the queue's: one read per worker
/// instead of one per page loaded).
async fn load_if_any() -> Option<Queue> {
    if ABSENT.with(Cell::get) {
        return None;
    }
    load().await.ok().flatten()
}

async fn store(q: &Queue) -> bool {
    ABSENT.with(|a| a.set(false));
    NO_SAVE.with(|a| a.set(false));
    match chrome::storage_set(Area::Local, KEY, q).await {
        Ok(()) => true,
        Err(e) => {
            crate::web_log(&format!("[AliSavePro] could not record the queue: {e}"));
            false
        }
    }
}

/// Changes the stored queue under the lock; carries out the effects after it
/// is stored (never before: a stopped worker must find what it did).
async fn change(f: impl FnOnce(&mut Queue) -> Vec<Effect>) -> bool {
    let effects = {
        let l = lock();
        let _g = l.lock().await;
        let Ok(Some(mut q)) = load().await else {
            return false;
        };
        let effects = f(&mut q);
        if !store(&q).await {
            return false;
        }
        effects
    };
    carry_out(effects).await;
    true
}

async fn carry_out(effects: Vec<Effect>) {
    for e in effects {
        match e {
            Effect::CloseTab(tab) => {
                let _ = chrome::close_tab(tab).await;
            }
            Effect::BringForward(tab) => {
                if let Err(e) = chrome::bring_forward(tab).await {
                    crate::web_log(&format!("[AliSavePro] could not show the tab: {e}"));
                }
            }
            Effect::Reread { tab_id, .. } => {
                wasm_bindgen_futures::spawn_local(read_page(tab_id));
            }
        }
    }
}

/// A command of the queue page. The answer says whether it was taken, and why
/// not.
pub async fn command(msg: PageToBg) -> SaveReport {
    let ok = SaveReport {
        ok: true,
        ..SaveReport::default()
    };
    let now = chrome::now_ms();
    match msg {
        PageToBg::QueueStart { text, pause_ms } => {
            if text.len() > MAX_QUEUE_TEXT_BYTES {
                return SaveReport::refused(t("queue_list_too_long"));
            }
            let links = parse_links(&text);
            if links.products.is_empty() {
                return SaveReport::refused(t("queue_no_products"));
            }
            {
                let l = lock();
                let _g = l.lock().await;
                if let Ok(Some(q)) = load().await {
                    if q.running() {
                        return SaveReport::refused(t("queue_already_running"));
                    }
                }
                let mut q = Queue::new(&links, pause_ms);
                q.id = format!("{}", now as u64);
                if !store(&q).await {
                    return SaveReport::refused(t("queue_not_recorded"));
                }
            }
            pump().await;
            ok
        }
        PageToBg::QueuePause => reply(
            change(|q| {
                q.pause();
                Vec::new()
            })
            .await,
        ),
        PageToBg::QueueResume => {
            let done = change(|q| q.resume(now)).await;
            pump().await;
            reply(done)
        }
        PageToBg::QueueCancel => {
            let done = change(|q| q.cancel()).await;
            pump().await;
            reply(done)
        }
        PageToBg::QueueRetry => {
            let done = change(|q| {
                q.retry_failed();
                Vec::new()
            })
            .await;
            pump().await;
            reply(done)
        }
        PageToBg::QueueClear => {
            let l = lock();
            let _g = l.lock().await;
            if let Ok(Some(q)) = load().await {
                if q.running() {
                    return SaveReport::refused(t("queue_still_running"));
                }
            }
            match chrome::local_remove(KEY).await {
                Ok(()) => ok,
                Err(e) => SaveReport::refused(tf("queue_not_cleared", &[e.to_string().into()])),
            }
        }
        PageToBg::QueuePoke => {
            pump().await;
            ok
        }
    }
}

fn reply(done: bool) -> SaveReport {
    if done {
        SaveReport {
            ok: true,
            ..SaveReport::default()
        }
    } else {
        SaveReport::refused(t("queue_not_recorded"))
    }
}

/// A batch was stored or removed (the engine's or a saver page's write): a
/// queued product's save may have finished. Nothing to do without a queue.
pub async fn on_batches_changed() {
    if !NO_SAVE.with(Cell::get) {
        pump_when(true).await;
    }
}

/// The stored queue changed (any writer): it is read again.
pub fn on_stored_changed() {
    ABSENT.with(|a| a.set(false));
    NO_SAVE.with(|a| a.set(false));
}

/// Moves the queue on: finished batches end their products, overdue pages
/// fail, the next product opens when its time has come (a wake-up is set for
/// the pause), and the summary is written once everything ended.
pub async fn pump() {
    pump_when(false).await;
}

/// [`pump`]; `for_batches` (a batch changed): not even a read when no
/// product's save was under way in the queue as last read (checked again
/// under the lock: the batch writes at a save's start come faster than the
/// first read answers).
async fn pump_when(for_batches: bool) {
    loop {
        let mut opened = false;
        let mut summary: Option<Queue> = None;
        let effects = {
            let l = lock();
            let _g = l.lock().await;
            if for_batches && NO_SAVE.with(Cell::get) {
                return;
            }
            let mut q = match load().await {
                Ok(Some(q)) => q,
                Ok(None) => {
                    // Learnt under the lock, as every write of ours is made:
                    // no write of ours can be in flight past this read.
                    ABSENT.with(|a| a.set(true));
                    NO_SAVE.with(|a| a.set(true));
                    return;
                }
                Err(_) => return,
            };
            let before = q.clone();
            let now = chrome::now_ms();
            let mut effects = q.overdue(now);
            effects.extend(check_batches(&mut q).await);
            match q.next(now) {
                Next::Open(i) => match chrome::saving::open_tab(&q.items[i].url, false).await {
                    Ok(tab) => {
                        q.opened(i, tab, now);
                        opened = true;
                    }
                    Err(e) => {
                        crate::web_log(&format!("[AliSavePro] could not open a tab: {e}"));
                        q.open_failed(i, tf("queue_tab_not_opened", &[e.to_string().into()]));
                        opened = true; // go on with the next one
                    }
                },
                Next::WakeAt(at) => wake_at(at),
                Next::Finished if !q.summary_written => {
                    q.summary_written = true;
                    summary = Some(q.clone());
                }
                Next::Finished | Next::Idle => {}
            }
            if q != before && !store(&q).await {
                return;
            }
            // As stored (under the lock, after any write of ours).
            NO_SAVE.with(|n| n.set(!q.waits_for_batch()));
            effects
        };
        carry_out(effects).await;
        if let Some(q) = summary {
            write_summary(&q).await;
        }
        if !opened {
            return;
        }
    }
}

/// Ends the products whose batch finished (or was lost with a restarted
/// browser's `storage.session`).
async fn check_batches(q: &mut Queue) -> Vec<Effect> {
    let mut effects = Vec::new();
    for i in 0..q.items.len() {
        let ItemState::Saving { batch_id, .. } = &q.items[i].state else {
            continue;
        };
        match engine::stored(batch_id).await {
            Ok(Some(batch)) if batch.finished() => {
                let p = batch.progress();
                let download = batch
                    .pack
                    .as_ref()
                    .and_then(|p| p.zip_download)
                    .or_else(|| batch.jobs.iter().find_map(|j| j.saved_download));
                let info = SavedProduct {
                    title: batch.product.title.clone(),
                    shop: batch.product.shop.clone(),
                    folder: batch.folder.clone(),
                    download,
                };
                effects.extend(q.saved(i, p.done as u32, p.failed as u32, info));
            }
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => effects.extend(q.batch_lost(i)),
        }
    }
    effects
}

/// Runs [`pump`] at `at` (one wake-up pending at a time; the earliest wins).
/// A worker stopped before then goes on at its next start or event, or when
/// the queue page pokes it.
fn wake_at(at: f64) {
    if WAKE_AT.with(|w| w.get()) <= at {
        return;
    }
    WAKE_AT.with(|w| w.set(at));
    wasm_bindgen_futures::spawn_local(async move {
        chrome::sleep_ms(at - chrome::now_ms()).await;
        WAKE_AT.with(|w| w.set(f64::INFINITY));
        pump().await;
    });
}

/// Asks the page in `tab_id` (a queued product being read) to save itself, as
/// its button does, under the product's save request id; records what it
/// gave. Sent again after a stopped worker, the same id finds the batch the
/// first request made: never saved twice.
pub async fn read_page(tab_id: i64) {
    if !READING.with(|r| r.borrow_mut().insert(tab_id)) {
        return;
    }
    let request = match load().await {
        Ok(Some(q)) => q.opening_in(tab_id).map(|i| q.request_id(i)),
        _ => None,
    };
    let Some(request_id) = request else {
        READING.with(|r| r.borrow_mut().remove(&tab_id));
        return;
    };
    let reply = chrome::send_to_tab::<_, SaveReport>(
        tab_id,
        &PopupToContent::SavePage {
            request_id: request_id.clone(),
        },
    )
    .await;
    READING.with(|r| r.borrow_mut().remove(&tab_id));
    let Ok(report) = reply else {
        // No content script listening yet (it announces itself when it
        // starts) or the tab went away: the page's start, or the time limit,
        // decides.
        return;
    };
    let Some(outcome) = queue_outcome(&report) else {
        return;
    };
    change(|q| match q.opening_in(tab_id) {
        Some(i) if q.request_id(i) == request_id => q.read(i, outcome),
        _ => Vec::new(),
    })
    .await;
    pump().await;
}

/// What the worker answered a save request of a queued product's page (made
/// by the same worker that answers, whichever asked: a worker stopped while the
/// page asked is replaced by one that answers the page's resend, while the
/// stopped one's question to the page is lost).
pub async fn page_read(tab_id: i64, request_id: &str, report: &SaveReport) {
    let Some(outcome) = queue_outcome(report) else {
        return;
    };
    let recorded = change(|q| match outcome {
        // A batch is recorded even if the product was cancelled meanwhile.
        PageOutcome::Saving { batch_id } => q.batch_made(request_id, &batch_id),
        outcome => match q.opening_in(tab_id) {
            Some(i) if q.request_id(i) == request_id => q.read(i, outcome),
            _ => Vec::new(),
        },
    })
    .await;
    if recorded {
        wasm_bindgen_futures::spawn_local(pump());
    }
}

/// A tab finished loading (`tabs.onUpdated`, status `complete`): a queued
/// product's tab that landed on a captcha, sign-in or other page is told to
/// the queue; one on its product page is read.
pub async fn on_tab_loaded(tab_id: i64, url: &str) {
    let ours = matches!(load_if_any().await, Some(q) if q.opening_in(tab_id).is_some());
    if !ours {
        return;
    }
    change(|q| q.landed(tab_id, url)).await;
    read_page(tab_id).await;
    pump().await;
}

/// A content script announced its page view: when it is a queued product's
/// tab that has finished loading, its page is read.
pub async fn on_page_view(tab_id: i64) {
    let ours = matches!(load_if_any().await, Some(q) if q.opening_in(tab_id).is_some());
    if !ours {
        return;
    }
    if chrome::tab(tab_id)
        .await
        .is_ok_and(|t| t.status.as_deref() == Some("complete"))
    {
        read_page(tab_id).await;
    }
}

/// A tab closed (`tabs.onRemoved`): the queue learns it when the tab was one
/// of its own.
pub async fn on_tab_removed(tab_id: i64) {
    let ours = matches!(load_if_any().await, Some(q) if q.holds_tab(tab_id));
    if !ours {
        return;
    }
    change(|q| {
        q.tab_closed(tab_id);
        Vec::new()
    })
    .await;
    pump().await;
}

/// At every worker start: products being read in tabs that are gone are
/// opened again, pages still open are read again (same request ids), and the
/// queue moves on.
pub async fn resume() {
    let open: Vec<i64> = match chrome::tabs_matching(&[]).await {
        Ok(tabs) => tabs.into_iter().filter_map(|t| t.id).collect(),
        Err(_) => return,
    };
    if !change(|q| q.after_restart(&open)).await {
        return;
    }
    pump().await;
}

/// Whether a queued page's save under `request_id` may make a batch (its
/// product is still being read: not cancelled, not superseded by a retry).
pub async fn may_save(request_id: &str) -> bool {
    let l = lock();
    let _g = l.lock().await;
    matches!(load().await, Ok(Some(q)) if q.may_save(request_id))
}

/// The queue's folders taken by its other products' saves (for
/// `core::queue::distinct_folder`), from the batches the queue made.
pub async fn folders_taken(request_id: &str) -> Vec<(String, String)> {
    let Some(prefix) = prefix_of_request(request_id) else {
        return Vec::new();
    };
    let mut taken = Vec::new();
    if let Ok(all) = chrome::session_all().await {
        for (key, value) in all {
            if !key.starts_with("batch:") {
                continue;
            }
            if let Some(b) = alisave_core::engine::batch_from_stored(&value) {
                if b.request_id
                    .as_deref()
                    .is_some_and(|r| r.starts_with(&prefix))
                {
                    taken.push((b.product_folder.clone(), b.product.id.clone()));
                }
            }
        }
    }
    if let Ok(Some(q)) = load().await {
        if format!("q{}-", q.id) == prefix {
            for i in &q.items {
                if let Some(s) = &i.saved {
                    taken.push((
                        s.folder.trim_end_matches(".zip").to_string(),
                        i.product_id.clone(),
                    ));
                }
            }
        }
    }
    taken
}

/// Writes `products.json` and `products.csv` into the download folder, next
/// to the product folders (marked written before: never twice).
async fn write_summary(q: &Queue) {
    let (settings, _) = crate::load_settings().await;
    let summary = products_summary(q, &chrome::i18n_message);
    for (name, text, mime) in [
        ("products.json", products_json(&summary), "application/json"),
        ("products.csv", products_csv(&summary), "text/csv"),
    ] {
        // The queue's own summary, rewritten after "Retry failed"; it describes
        // the last queue saved into this folder (each product folder keeps its
        // own product.json).
        let path = format!("{}/{name}", settings.folder);
        if let Err(e) = engine::save_text(&path, &text, mime).await {
            crate::web_log(&format!("[AliSavePro] {name} could not be saved: {e}"));
        }
    }
}
