//! The download engine's effects: persists [`Batch`]es in `chrome.storage.session`,
//! starts downloads, follows `chrome.downloads.onChanged`, reports progress to the
//! tab and the badge. All decisions are in `alisave_core::engine`.
//!
//! Nothing here is authoritative in memory: every change is written to storage
//! before the next step, and [`resume`] (run when the worker starts) picks up
//! whatever a stopped worker left.

use alisave_chrome::{self as chrome, Area};
use alisave_core::engine::{
    badge_text, batch_from_stored, batch_key, batch_of_request, download_key, request_batch_key,
    stored_batch, Batch, JobState, Progress, Resumed, SaverState, SeenDownload, ADOPT_SLACK_MS,
};
use alisave_core::protocol::{PopupToContent, SaveReport};
use alisave_core::say::{tf, Say};
use futures_util::lock::{Mutex, OwnedMutexGuard};
use std::sync::Arc;

thread_local! {
    /// Serialises read-modify-write of batches within this worker instance (a lock,
    /// not state: a new worker starts unlocked and reads everything from storage).
    #[allow(clippy::arc_with_non_send_sync)]
    static LOCK: Arc<Mutex<()>> = Arc::new(Mutex::new(()));
}

/// Held while the worker reads, changes and writes batches: this worker's own
/// lock (its tasks, one at a time) and then the origin's Web Lock over batches,
/// which the saver page takes for its steps too (`chrome::locks`): storage has
/// no compare-and-set, so without it one side's write could undo the other's.
struct Guard {
    _web: Option<chrome::locks::Held>,
    _mine: OwnedMutexGuard<()>,
}

/// This worker's own lock alone, for the steps of a batch of separate files
/// (`pump`, `step`): such a batch has one writer, this worker, for its whole
/// life (whether a batch is packed is fixed when it is made), so the saver page
/// never touches it and the origin's Web Lock — a round trip to the browser of
/// about a millisecond at every step — has nothing to exclude there. A step that
/// meets a packed batch leaves it alone.
async fn own_guard() -> OwnedMutexGuard<()> {
    LOCK.with(Arc::clone).lock_owned().await
}

async fn guard() -> Guard {
    let mine = own_guard().await;
    let web = match chrome::locks::acquire(chrome::locks::BATCHES).await {
        Ok(h) => Some(h),
        Err(e) => {
            web_sys_warn(&format!(
                "[AliSavePro] no lock shared with the saver page: {e}"
            ));
            None
        }
    };
    Guard {
        _web: web,
        _mine: mine,
    }
}

/// The stored batch `id`: `Ok(None)` when there is none (a browser restart
/// cleared `storage.session`), `Err` when storage could not be read.
pub async fn stored(id: &str) -> Result<Option<Batch>, chrome::Error> {
    Ok(chrome::storage_get(Area::Session, &batch_key(id))
        .await?
        .as_ref()
        .and_then(batch_from_stored))
}

thread_local! {
    /// The batches of separate files as this worker last stored or read them: a
    /// read cache, never ahead of storage. Such a batch has one writer, this
    /// worker (a packed batch is its saver page's and never kept here), every
    /// write goes to storage first and is kept only once stored (a failed write
    /// drops the entry), and a new worker starts empty and reads storage. Reading
    /// a 100-job batch back from storage at every step cost about 2 ms under the
    /// lock (measured): most of a step.
    static KNOWN: std::cell::RefCell<Vec<Batch>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps `batch` as stored (only an unfinished batch of separate files).
fn known(batch: &Batch) {
    KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        k.retain(|b| b.id != batch.id);
        if batch.pack.is_none() && !batch.finished() {
            k.push(batch.clone());
        }
    });
}

fn unknown(id: &str) {
    KNOWN.with(|k| k.borrow_mut().retain(|b| b.id != id));
}

async fn load(id: &str) -> Option<Batch> {
    if let Some(b) = KNOWN.with(|k| k.borrow().iter().find(|b| b.id == id).cloned()) {
        return Some(b);
    }
    let b = stored(id).await.ok().flatten()?;
    known(&b);
    Some(b)
}

/// Stores the batch; whether it was stored.
async fn store(batch: &Batch) -> bool {
    match chrome::storage_set(Area::Session, &batch_key(&batch.id), &stored_batch(batch)).await {
        Ok(()) => {
            known(batch);
            true
        }
        Err(e) => {
            unknown(&batch.id);
            web_sys_warn(&format!("[AliSavePro] could not record progress: {e}"));
            false
        }
    }
}

fn web_sys_warn(s: &str) {
    crate::web_log(s);
}

/// Creates a batch and starts it: stored with its first marks in one write.
/// `Err` with the sentence for the user when storage refused the batch
/// (nothing was started: a download never starts unless its batch is stored).
pub async fn start(mut batch: Batch) -> Result<(), Say> {
    {
        let _g = guard().await;
        mark_ready(&mut batch, &[], &[], true)
            .await
            .map_err(|e| tf("save_not_recorded", &[e.to_string().into()]))?;
        report(&batch).await;
    }
    launch_ready(&batch.id);
    Ok(())
}

/// Creates a batch the saver page packs (ZIP/conversion) and opens that page in
/// a background tab. The page owns the batch from then on.
pub async fn start_packed(batch: Batch) -> Result<(), Say> {
    let _g = guard().await;
    // A page opened on an unrecorded batch would find nothing to pack.
    chrome::storage_set(Area::Session, &batch_key(&batch.id), &stored_batch(&batch))
        .await
        .map_err(|e| tf("saver_not_opened", &[e.to_string().into()]))?;
    report(&batch).await;
    // From here on the batch is the page's: it records its own tab id and every
    // step. The worker writes nothing more (two writers would lose steps).
    open_saver(&batch.id)
        .await
        .map(|_| ())
        .map_err(|e| tf("saver_not_opened", &[e.to_string().into()]))
}

/// A packed batch is its saver page's; the worker only looks whether that page
/// is gone (closed, or never recorded and silent), and then fails what it did
/// not write (`Batch::saver_state`, `saver_gone`). Called under the guard, by a
/// restarted worker and by the page's poke.
async fn check_saver(batch: &mut Batch) {
    let Some(p) = &batch.pack else {
        return;
    };
    let tab_exists = match p.saver_tab {
        Some(t) => Some(chrome::tab(t).await.is_ok()),
        None => None,
    };
    let open = saver_open(&batch.id).await;
    if batch.saver_state(chrome::now_ms(), open, tab_exists) == SaverState::Gone {
        saver_gone(batch).await;
        store(batch).await;
        report(batch).await;
    }
}

/// The batch's saver page is gone: what it had Chrome write is adopted, the
/// rest failed with the reason (`Batch::adopt_saver_downloads`, `saver_gone`).
async fn saver_gone(batch: &mut Batch) {
    if let Ok(seen) = chrome::saving::downloads_since(batch.created_ms).await {
        batch.adopt_saver_downloads(&chrome::runtime_id(), &seen);
    }
    batch.saver_gone();
}

/// Whether Chrome lists a saver page of batch `id` among the extension's pages
/// (false when it cannot tell: the other signs then decide).
async fn saver_open(id: &str) -> bool {
    let want = chrome::runtime_url(&format!("saver.html#{id}"));
    chrome::extension_tab_urls()
        .await
        .is_ok_and(|urls| urls.contains(&want))
}

async fn open_saver(id: &str) -> Result<i64, chrome::Error> {
    let url = chrome::runtime_url(&format!("saver.html#{id}"));
    chrome::saving::open_tab(&url, false).await
}

/// Starts what may start now; schedules a wake-up for retries waiting for their
/// backoff. Reports progress.
pub fn pump(id: String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(async move {
        let wake = {
            let _g = own_guard().await;
            let Some(mut batch) = load(&id).await else {
                return;
            };
            if batch.pack.is_some() {
                return; // the saver page's
            }
            let _ = mark_ready(&mut batch, &[], &[], false).await; // warned; retried at the next wake-up
            report(&batch).await;
            batch.next_wake_ms(chrome::now_ms())
        };
        launch_ready(&id);
        if let Some(at) = wake {
            chrome::sleep_ms(at - chrome::now_ms()).await;
            pump(id).await;
        }
    })
}

/// A download to start: job `job` of batch `batch`, whose `Starting` mark is stored.
struct Launch {
    batch: String,
    job: usize,
    url: String,
    path: String,
    save_as: bool,
}

/// What `chrome.downloads.download` answered for a launched job.
struct Answer {
    batch: String,
    job: usize,
    result: Result<i64, String>,
}

/// Marks the jobs that may start now `Starting` (the free lanes and
/// [`alisave_core::engine::AHEAD`] more), renews this worker's uncalled marks
/// and stores the batch (the caller holds the lock and has the batch loaded),
/// together with the `download:<id>` keys of `recorded` (downloads whose ids
/// the batch took in this step: one write for all). `answered`: the jobs whose
/// call answers this write records; they stay this worker's calls until it is
/// stored. A download never starts unless its mark is stored (a worker stopped
/// after the call finds the mark and looks for the download before starting it
/// again): [`launch_ready`] calls marks once the lock is released, or when a
/// lane frees. `dirty`: the batch changed before, store it even if nothing
/// starts.
async fn mark_ready(
    batch: &mut Batch,
    recorded: &[i64],
    answered: &[usize],
    dirty: bool,
) -> Result<(), chrome::Error> {
    let now = chrome::now_ms();
    let own = own_marks(batch);
    let due = batch.renew_marks(&own, now);
    let startable = batch.take_startable(now);
    let done_calls = || {
        CALLS.with(|c| {
            c.borrow_mut()
                .retain(|(b, j)| !(*b == batch.id && answered.contains(j)))
        })
    };
    if startable.is_empty() && !dirty && recorded.is_empty() && !due {
        done_calls();
        return Ok(());
    }
    let owners: Vec<(String, String)> = recorded
        .iter()
        .map(|did| (download_key(*did), batch.id.clone()))
        .collect();
    if let Err(e) =
        chrome::session_set_with(&batch_key(&batch.id), &stored_batch(batch), &owners).await
    {
        unknown(&batch.id);
        done_calls();
        web_sys_warn(&format!("[AliSavePro] could not record progress: {e}"));
        // Left queued: the next wake-up (an event, the page's poke, a restart)
        // tries again. Ids not recorded are found again by adoption.
        for &i in &startable {
            if let Some(j) = batch.jobs.get_mut(i) {
                j.state = JobState::Queued;
                j.attempts = j.attempts.saturating_sub(1);
            }
        }
        return Err(e);
    }
    // Kept, and the answers' calls ended, in the same turn as the write
    // resolves: no `launch_ready` in between sees a recorded job as uncalled.
    known(batch);
    done_calls();
    MARKS.with(|m| {
        m.borrow_mut()
            .extend(startable.into_iter().map(|i| (batch.id.clone(), i)))
    });
    RECORDED.with(|r| {
        r.borrow_mut()
            .extend(recorded.iter().map(|&did| (did, batch.id.clone())))
    });
    Ok(())
}

/// This worker's stored marks of `batch` not called yet (those of jobs still
/// `Starting`; the others are forgotten).
fn own_marks(batch: &Batch) -> Vec<usize> {
    MARKS.with(|m| {
        let mut m = m.borrow_mut();
        m.retain(|(b, i)| {
            *b != batch.id
                || matches!(
                    batch.jobs.get(*i).map(|j| &j.state),
                    Some(JobState::Starting { .. })
                )
        });
        m.iter()
            .filter(|(b, _)| *b == batch.id)
            .map(|(_, i)| *i)
            .collect()
    })
}

/// Calls the marks of batch `id` that may be called now
/// (`Batch::launchable`: this worker's, fresh, while a lane is free), as the
/// batch was last stored. Synchronous: the marks taken and the calls entered
/// in one turn, so no two callers call the same mark.
fn launch_ready(id: &str) {
    let launches = KNOWN.with(|k| {
        let k = k.borrow();
        let Some(batch) = k.iter().find(|b| b.id == id) else {
            return Vec::new(); // not as stored: the next step stores it first
        };
        let own = own_marks(batch);
        let ended = ENDED.with(|e| e.borrow().clone());
        // Calls whose download already ended (answered, the answer not stored
        // yet): their lanes are free.
        let ended_calls: Vec<usize> = ANSWERS.with(|a| {
            a.borrow()
                .iter()
                .filter(|x| x.batch == id && x.result.as_ref().is_ok_and(|d| ended.contains(d)))
                .map(|x| x.job)
                .collect()
        });
        let now = chrome::now_ms();
        let ready = batch.launchable(&own, &ended_calls, &ended, now);
        if ready.is_empty() && batch.marks_stale(&own, &ended_calls, &ended, now) {
            // A lane is free and our marks are too old to be called (a slow
            // write): a pump renews, stores and calls them. One at a time.
            let first = RENEWING.with(|r| {
                let mut r = r.borrow_mut();
                let first = !r.iter().any(|b| b == id);
                if first {
                    r.push(id.to_string());
                }
                first
            });
            if first {
                let id = id.to_string();
                wasm_bindgen_futures::spawn_local(async move {
                    pump(id.clone()).await;
                    RENEWING.with(|r| r.borrow_mut().retain(|b| *b != id));
                });
            }
            return Vec::new();
        }
        MARKS.with(|m| {
            m.borrow_mut()
                .retain(|(b, i)| !(b == id && ready.contains(i)))
        });
        ready
            .into_iter()
            .filter_map(|i| {
                batch.jobs.get(i).map(|j| Launch {
                    batch: batch.id.clone(),
                    job: i,
                    url: j.url.clone(),
                    path: j.path.clone(),
                    save_as: batch.save_as,
                })
            })
            .collect()
    });
    launch(launches);
}

thread_local! {
    /// Finished downloads waiting for the lock. Whoever takes the lock next
    /// applies all of them with one read and one write per batch: when several
    /// downloads end together, they are recorded together. Not authoritative: a
    /// worker stopped with changes here loses nothing, as `resume` asks Chrome for
    /// the state of every download still marked running.
    static INBOX: std::cell::RefCell<Vec<Change>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Answers of `chrome.downloads.download` waiting for the lock (recorded like
    /// the changes: all at once by the next holder). A worker stopped with answers
    /// here leaves `Starting` marks, which `resume` adopts.
    static ANSWERS: std::cell::RefCell<Vec<Answer>> = const { std::cell::RefCell::new(Vec::new()) };
    /// (batch, job) of this worker's download calls whose answer is not recorded
    /// yet. Not state of the save: it says which `Starting` marks are this live
    /// worker's own calls, which the reconciliation must leave alone, and why a
    /// change of an unknown download may still be ours.
    static CALLS: std::cell::RefCell<Vec<(String, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// (batch, job) of the marks this worker stored ahead of a free lane and
    /// has not called yet. Not state of the save: only this worker may call
    /// them (a new worker treats every mark as possibly called, and
    /// `resume_starting` settles it), and the reconciliation leaves them alone.
    static MARKS: std::cell::RefCell<Vec<(String, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Downloads whose end this worker heard and has not stored yet: their
    /// lanes are free for the next mark (`Batch::launchable`).
    static ENDED: std::cell::RefCell<Vec<i64>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Batches a pump is renewing stale marks of (`Batch::marks_stale`).
    static RENEWING: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    /// (download id, batch) of the downloads whose `download:<id>` key this worker
    /// stored: a hint that spares reading the key when the download ends. Not
    /// state of the save: the batch read next decides (a change applies only to
    /// a job holding that download id), and a new worker reads the keys.
    static RECORDED: std::cell::RefCell<Vec<(i64, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether job `job` of batch `batch` has a download call of this worker
/// waiting for its answer to be recorded, or is a mark of this worker not
/// called yet.
fn calling(batch: &str, job: usize) -> bool {
    CALLS.with(|c| c.borrow().iter().any(|(b, j)| b == batch && *j == job))
        || MARKS.with(|m| m.borrow().iter().any(|(b, j)| b == batch && *j == job))
}

/// How long an answer of `chrome.downloads.download` may wait for a step that
/// records it with other news. Waiting changes nothing for the save: until it
/// is recorded the job stays `Starting`, the state a slow answer has anyway
/// (this worker leaves its own pending calls alone; a new worker adopts the
/// download). Fewer steps, each a write of the whole batch under the lock: 100
/// files of 400 KB from a local server took about 100 steps, now about 80.
const ANSWER_WAIT_MS: f64 = 100.0;

/// Starts the downloads, outside the lock: Chrome answers a download call only
/// once the server has answered (its headers name the file), and holding the
/// lock that long would stop every other step — finished downloads recorded,
/// free slots filled — for the slowest server's first byte. Each answer is
/// recorded by the next step that takes the lock.
fn launch(launches: Vec<Launch>) {
    for l in launches {
        if CALLS.with(|c| c.borrow().iter().any(|(b, j)| *b == l.batch && *j == l.job)) {
            continue; // already called
        }
        CALLS.with(|c| c.borrow_mut().push((l.batch.clone(), l.job)));
        wasm_bindgen_futures::spawn_local(async move {
            let options = chrome::DownloadOptions {
                url: &l.url,
                filename: &l.path,
                conflict_action: "uniquify",
                save_as: l.save_as,
            };
            let result = chrome::download(&options)
                .await
                .map(i64::from)
                .map_err(|e| e.to_string());
            ANSWERS.with(|a| {
                a.borrow_mut().push(Answer {
                    batch: l.batch,
                    job: l.job,
                    result,
                })
            });
            // Recorded by the step of the next download that ends (a small
            // file's own end often comes within milliseconds), else after
            // ANSWER_WAIT_MS: one write for both instead of two.
            chrome::sleep_ms(ANSWER_WAIT_MS).await;
            step().await;
        });
    }
}

/// A finished download as `chrome.downloads.onChanged` reported it.
struct Change {
    download_id: i64,
    complete: bool,
    error: Option<String>,
    size: Option<i64>,
}

/// `chrome.downloads.onChanged`: a download of ours completed or was interrupted.
pub async fn on_changed(
    download_id: i64,
    state: Option<String>,
    error: Option<String>,
    size: Option<i64>,
) {
    let complete = match state.as_deref() {
        Some("complete") => true,
        Some("interrupted") => false,
        _ => return,
    };
    // Its lane is free: the next mark of its batch is called now, before the
    // end is stored (the mark is).
    ENDED.with(|e| e.borrow_mut().push(download_id));
    let owner = RECORDED
        .with(|r| {
            r.borrow()
                .iter()
                .find(|(did, _)| *did == download_id)
                .map(|(_, b)| b.clone())
        })
        .or_else(|| {
            ANSWERS.with(|a| {
                a.borrow()
                    .iter()
                    .find(|a| a.result == Ok(download_id))
                    .map(|a| a.batch.clone())
            })
        });
    if let Some(batch) = owner {
        launch_ready(&batch);
    }
    // The file's size (for the manifest) rarely comes with the completion:
    // those missing are asked once for the whole batch when it has finished
    // (`Batch::sizes_wanted`), not here per file.
    INBOX.with(|b| {
        b.borrow_mut().push(Change {
            download_id,
            complete,
            error,
            size,
        })
    });
    step().await;
}

/// Records what is waiting — download calls answered, downloads ended — with
/// one read and one write per batch, fills the freed slots, reports, and
/// launches the new downloads after the lock is released.
async fn step() {
    let mut wakes = Vec::new();
    let mut ended = Vec::new();
    {
        let _g = own_guard().await;
        let answers = ANSWERS.with(|a| std::mem::take(&mut *a.borrow_mut()));
        let changes = INBOX.with(|b| std::mem::take(&mut *b.borrow_mut()));
        if answers.is_empty() && changes.is_empty() {
            return; // an earlier step took them
        }
        // Whose downloads they are: the keys this worker stored, or an answer
        // recorded in this very step (the download may end before its call's
        // answer is recorded), else the keys in storage (one read for all).
        let hints: Vec<Option<String>> = RECORDED.with(|r| {
            let r = r.borrow();
            changes
                .iter()
                .map(|c| {
                    r.iter()
                        .find(|(did, _)| *did == c.download_id)
                        .map(|(_, b)| b.clone())
                        .or_else(|| {
                            answers
                                .iter()
                                .find(|a| a.result == Ok(c.download_id))
                                .map(|a| a.batch.clone())
                        })
                })
                .collect()
        });
        let keys: Vec<String> = changes
            .iter()
            .zip(&hints)
            .filter(|(_, hint)| hint.is_none())
            .map(|(c, _)| download_key(c.download_id))
            .collect();
        let mut read = chrome::session_strings(&keys)
            .await
            .unwrap_or_default()
            .into_iter();
        let owners: Vec<Option<String>> = hints
            .into_iter()
            .map(|hint| hint.or_else(|| read.next().flatten()))
            .collect();
        let mut by_batch: Vec<(String, Vec<Answer>, Vec<Change>)> = Vec::new();
        fn entry<'a>(
            list: &'a mut Vec<(String, Vec<Answer>, Vec<Change>)>,
            id: &str,
        ) -> &'a mut (String, Vec<Answer>, Vec<Change>) {
            match list.iter().position(|(b, _, _)| b == id) {
                Some(at) => &mut list[at],
                None => {
                    list.push((id.to_string(), Vec::new(), Vec::new()));
                    let last = list.len() - 1;
                    &mut list[last]
                }
            }
        }
        for a in answers {
            let id = a.batch.clone();
            entry(&mut by_batch, &id).1.push(a);
        }
        let mut unknown = Vec::new();
        for (c, owner) in changes.into_iter().zip(owners) {
            match owner {
                Some(id) => {
                    ended.push(c.download_id);
                    entry(&mut by_batch, &id).2.push(c);
                }
                None => unknown.push(c),
            }
        }
        for (id, answers, list) in by_batch {
            let Some(mut batch) = load(&id).await.filter(|b| b.pack.is_none()) else {
                // Gone, or (never expected: only this worker's downloads have
                // keys) a packed batch, which is its saver page's.
                CALLS.with(|c| c.borrow_mut().retain(|(b, _)| *b != id));
                MARKS.with(|m| m.borrow_mut().retain(|(b, _)| *b != id));
                continue;
            };
            let mut recorded = Vec::new();
            let mut changed = false;
            let answered: Vec<usize> = answers.iter().map(|a| a.job).collect();
            for a in answers {
                match a.result {
                    Ok(did) => {
                        if batch.started(a.job, did) {
                            recorded.push(did);
                            changed = true;
                        }
                    }
                    Err(e) => {
                        changed |= batch.start_failed(a.job, tf("why_not_started", &[e.into()]))
                    }
                }
            }
            for c in list {
                changed |= apply_change(&mut batch, c);
            }
            // Unchanged, it is stored only when nothing else is to be done.
            if mark_ready(&mut batch, &recorded, &answered, changed)
                .await
                .is_ok()
            {
                // Its marks are called now, not after the other batches' writes.
                launch_ready(&id);
            } // else warned; recovered by the reconciliation
            if !changed {
                continue;
            }
            report(&batch).await;
            if let Some(at) = batch.next_wake_ms(chrome::now_ms()) {
                wakes.push((id, at));
            }
        }
        // A change no key names may be of a download whose call has not
        // answered yet: kept for the step that records that answer. With no call
        // of ours waiting, it is not ours.
        if CALLS.with(|c| !c.borrow().is_empty()) {
            INBOX.with(|b| b.borrow_mut().extend(unknown));
        }
    }
    RECORDED.with(|r| r.borrow_mut().retain(|(did, _)| !ended.contains(did)));
    // Ends stored (or lost with a failed write, found again by the
    // reconciliation); those still waiting in the inbox keep their lanes free.
    INBOX.with(|b| {
        let b = b.borrow();
        ENDED.with(|e| {
            e.borrow_mut()
                .retain(|did| b.iter().any(|c| c.download_id == *did))
        })
    });
    for (id, at) in wakes {
        wasm_bindgen_futures::spawn_local(async move {
            chrome::sleep_ms(at - chrome::now_ms()).await;
            pump(id).await;
        });
    }
}

/// Records one finished download in its batch; whether anything changed.
fn apply_change(batch: &mut Batch, c: Change) -> bool {
    if !c.complete {
        return batch.interrupted(
            c.download_id,
            c.error.as_deref().unwrap_or("NETWORK_FAILED"),
            chrome::now_ms(),
        );
    }
    if let (Some(i), Some(n)) = (
        batch.job_of_download(c.download_id),
        c.size.filter(|n| *n >= 0),
    ) {
        if let Some(j) = batch.jobs.get_mut(i) {
            j.bytes = Some(n as u64);
        }
    }
    batch.completed(c.download_id)
}

/// Queues the failed files of a batch again (the user's retry).
pub async fn retry(id: &str, tab_id: i64) -> Option<Progress> {
    {
        let _g = guard().await;
        let mut batch = load(id).await?;
        if batch.tab_id != tab_id {
            return None; // only the page that made the batch may retry it
        }
        if batch.retry_failed() == 0 {
            return Some(batch.progress());
        }
        if let Some(p) = batch.pack.as_mut() {
            // The saver page packs the failed files again (a new archive in ZIP mode).
            p.finished = false;
            p.saver_tab = None;
            p.writer = None;
            batch.created_ms = chrome::now_ms();
            if !store(&batch).await {
                // Unrecorded, a page would find the batch finished and do nothing;
                // a second retry would then open a second writer.
                return Some(load(id).await?.progress());
            }
            report(&batch).await;
            if let Err(e) = open_saver(&batch.id).await {
                web_sys_warn(&format!(
                    "[AliSavePro] the saving page could not be opened: {e}"
                ));
            }
            return Some(batch.progress());
        }
        batch.manifest_written = false;
        store(&batch).await;
    }
    pump(id.to_string()).await;
    load(id).await.map(|b| b.progress())
}

/// The page of `tab_id` heard nothing of its batch for a while: checks the
/// running downloads against Chrome (an event may have been lost), then starts
/// what is due (a backoff may have ended while no worker ran). A packed batch is
/// its saver page's: only its progress is returned.
pub async fn poke(id: &str, tab_id: i64) -> Option<Progress> {
    {
        let _g = guard().await;
        let mut batch = load(id).await?;
        if batch.tab_id != tab_id {
            return None;
        }
        if batch.finished() {
            return Some(batch.progress());
        }
        if batch.pack.is_some() {
            check_saver(&mut batch).await;
            return Some(batch.progress());
        }
        let mut changed = settle_starting(&mut batch).await;
        for i in 0..batch.jobs.len() {
            if let Some(JobState::Downloading { download_id }) =
                batch.jobs.get(i).map(|j| j.state.clone())
            {
                if let Ok(Some(d)) = chrome::download_by_id(download_id).await {
                    let before = batch.jobs.get(i).map(|j| j.state.clone());
                    apply_state(&mut batch, download_id, &d.state, d.error.as_deref());
                    changed |= batch.jobs.get(i).map(|j| j.state.clone()) != before;
                }
            }
        }
        if changed {
            store(&batch).await;
        }
        recheck_later(&batch);
    }
    pump(id.to_string()).await;
    load(id).await.map(|b| b.progress())
}

/// A `Starting` job waiting for its call (`Resumed::Waiting`) is looked at again
/// when its grace ends, while this worker lives (best effort, like a backoff: a
/// worker stopped meanwhile resumes it at its next start, and the page pokes).
fn recheck_later(batch: &Batch) {
    let Some(at) = batch.next_start_check_ms() else {
        return;
    };
    let id = batch.id.clone();
    wasm_bindgen_futures::spawn_local(async move {
        chrome::sleep_ms((at - chrome::now_ms()).max(0.0) + 1.0).await;
        let settled = {
            let _g = guard().await;
            match load(&id).await {
                Some(mut b) if !b.finished() && b.pack.is_none() => {
                    if settle_starting(&mut b).await {
                        store(&b).await;
                    }
                    recheck_later(&b);
                    true
                }
                _ => false,
            }
        };
        if settled {
            pump(id).await;
        }
    });
}

/// Picks up the batches a stopped worker left unfinished.
pub async fn resume() {
    let Ok(all) = chrome::session_all().await else {
        return;
    };
    let ids: Vec<String> = all
        .keys()
        .filter_map(|k| k.strip_prefix("batch:").map(str::to_string))
        .collect();
    for id in ids {
        {
            let _g = guard().await;
            let Some(mut batch) = load(&id).await else {
                continue;
            };
            if batch.finished() {
                continue;
            }
            if batch.pack.is_some() {
                check_saver(&mut batch).await;
                continue;
            }
            // The worker stopped around chrome.downloads.download: adopt the
            // download if it exists (or wait for it), so no file is saved twice.
            settle_starting(&mut batch).await;
            // Events may have been missed while no worker ran.
            for i in 0..batch.jobs.len() {
                let Some(JobState::Downloading { download_id }) =
                    batch.jobs.get(i).map(|j| j.state.clone())
                else {
                    continue;
                };
                if let Ok(Some(d)) = chrome::download_by_id(download_id).await {
                    apply_state(&mut batch, download_id, &d.state, d.error.as_deref());
                }
            }
            store(&batch).await;
            recheck_later(&batch);
        }
        pump(id).await;
    }
}

/// The batch's `Starting` jobs whose worker is gone (not the calls this worker
/// still waits on: see [`calling`]): each adopts the download it became,
/// waits for it within its grace, or is queued again (`Batch::resume_starting`).
/// Whether anything changed.
async fn settle_starting(batch: &mut Batch) -> bool {
    let own = chrome::runtime_id();
    let mut changed = false;
    for i in 0..batch.jobs.len() {
        let Some(job) = batch.jobs.get(i).cloned() else {
            continue;
        };
        let JobState::Starting { since_ms } = job.state else {
            continue;
        };
        if calling(&batch.id, i) {
            continue; // this worker's own call: its answer will be recorded
        }
        let seen = seen_downloads(&job.url, since_ms).await;
        match batch.resume_starting(i, &own, &seen, chrome::now_ms()) {
            Resumed::Adopted(did) => {
                changed = true;
                let _ = chrome::storage_set(Area::Session, &download_key(did), &batch.id).await;
                if let Ok(Some(item)) = chrome::download_by_id(did).await {
                    apply_state(batch, did, &item.state, item.error.as_deref());
                }
            }
            Resumed::Requeued => changed = true,
            Resumed::Waiting | Resumed::NotStarting => {}
        }
    }
    changed
}

/// Chrome's downloads of `url` started around or after `since_ms`, with the batch
/// that recorded each as its own (for [`adoptable`]).
async fn seen_downloads(url: &str, since_ms: f64) -> Vec<SeenDownload> {
    let items = chrome::downloads_of_url(url, since_ms - ADOPT_SLACK_MS)
        .await
        .unwrap_or_default();
    let mut seen = Vec::with_capacity(items.len());
    for d in items {
        let claimed_by = chrome::storage_get(Area::Session, &download_key(d.id))
            .await
            .ok()
            .flatten()
            .and_then(|v| v.as_str().map(str::to_string));
        seen.push(SeenDownload {
            id: d.id,
            start_ms: d.start_ms(),
            url: d.url.clone(),
            filename: d.filename.clone().unwrap_or_default(),
            by_extension: d.by_extension_id.clone(),
            claimed_by,
            complete: d.state == "complete",
        });
    }
    seen
}

fn apply_state(batch: &mut Batch, download_id: i64, state: &str, error: Option<&str>) {
    match state {
        "complete" => {
            batch.completed(download_id);
        }
        "interrupted" => {
            batch.interrupted(
                download_id,
                error.unwrap_or("NETWORK_FAILED"),
                chrome::now_ms(),
            );
        }
        _ => {}
    }
}

/// What the save request `request_id` of `tab_id` already made, as its answer
/// (the request was sent again after the worker stopped mid-way).
pub async fn report_of_request(tab_id: i64, request_id: &str) -> Option<SaveReport> {
    // A request's batch is stored under a key its request names: one read, not
    // every stored batch.
    let key = request_batch_key(tab_id, request_id);
    let stored = chrome::storage_get(Area::Session, &key).await.ok()??;
    let b = batch_from_stored(&stored)?;
    let b = batch_of_request(std::slice::from_ref(&b), tab_id, request_id)?;
    let p = b.progress();
    Some(SaveReport {
        ok: true,
        message: p.message,
        folder: b.folder.clone(),
        started: b.jobs.iter().map(|j| j.path.clone()).collect(),
        warnings: b.warnings.clone(),
        batch_id: Some(b.id.clone()),
        ..SaveReport::default()
    })
}

/// Forgets the finished batches of a closed tab (what was saved from it is no
/// one's business once the tab is gone). Unfinished ones go on and are forgotten
/// when they finish (see [`report`]).
pub async fn forget_tab(tab_id: i64) {
    let Ok(all) = chrome::session_all().await else {
        return;
    };
    let _g = guard().await;
    for (key, value) in all {
        if !key.starts_with("batch:") {
            continue;
        }
        let Some(batch) = batch_from_stored(&value) else {
            unknown(key.trim_start_matches("batch:"));
            let _ = chrome::session_remove(&key).await; // unreadable: nothing to keep
            continue;
        };
        if batch.tab_id == tab_id && batch.finished() {
            remove(&batch).await;
        } else if !batch.finished() && batch.pack.as_ref().and_then(|p| p.saver_tab) == Some(tab_id)
        {
            let mut batch = batch;
            saver_gone(&mut batch).await;
            store(&batch).await;
            report(&batch).await;
        }
    }
}

async fn remove(batch: &Batch) {
    unknown(&batch.id);
    MARKS.with(|m| m.borrow_mut().retain(|(b, _)| *b != batch.id));
    let mut keys: Vec<String> = batch.download_ids().into_iter().map(download_key).collect();
    keys.push(batch_key(&batch.id));
    let _ = chrome::session_remove_all(&keys).await;
}

/// Progress to the page's button and the action badge.
async fn report(batch: &Batch) {
    let mut progress = batch.progress();
    if !progress.finished && too_soon(&batch.id) {
        // Counts shown at most every REPORT_EVERY_MS while running (each report is
        // two messages to the browser); the final word always goes,
        // and a skipped count is shown when the interval is over.
        report_later(batch.id.clone());
        return;
    }
    if progress.finished {
        forget_download_keys(batch).await;
    }
    if progress.finished && batch.writes_manifest() {
        if let Some(told) = write_manifest(&with_sizes(batch).await).await {
            // The final word says which manifest file could not be saved.
            progress = told.progress();
        }
    }
    let badge = badge_text(&progress);
    if !progress.finished {
        // A count while running: not waited for under the lock (the page's
        // reply tells us nothing). Both calls go out when the task is first
        // polled, and tasks are polled in the order they were spawned, so the
        // page and the badge get the counts in order, and the final word,
        // sent later, comes last.
        let tab_id = batch.tab_id;
        let badge_set = async move { chrome::set_badge_text(tab_id, &badge).await };
        let told = async move {
            chrome::send_to_tab::<_, serde_json::Value>(
                tab_id,
                &PopupToContent::Progress { progress },
            )
            .await
        };
        wasm_bindgen_futures::spawn_local(async move {
            let _ = futures_util::future::join(badge_set, told).await;
        });
        return;
    }
    if chrome::set_badge_text(batch.tab_id, &badge).await.is_err() {
        // The tab is gone (the badge of a missing tab cannot be set): nobody to
        // tell, and nothing to keep once finished.
        if progress.finished {
            remove(batch).await;
        }
        return;
    }
    // The tab may have been closed or navigated; the batch goes on regardless.
    let _ = chrome::send_to_tab::<_, serde_json::Value>(
        batch.tab_id,
        &PopupToContent::Progress { progress },
    )
    .await;
}

thread_local! {
    /// Downloads whose `download:<id>` key this worker removed (so a finished
    /// batch reported again does not remove them again). Not state: a new
    /// worker removes them once more, which changes nothing.
    static FORGOTTEN: std::cell::RefCell<std::collections::HashSet<i64>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
}

/// Removes the `download:<id>` keys of a finished batch, in one call. Every
/// way a batch finishes (a step, a poke, a resume, an adoption) reports it,
/// so this is where they go; until then they still say whose each download
/// is (and keep another batch from adopting it).
async fn forget_download_keys(batch: &Batch) {
    let keys: Vec<String> = FORGOTTEN.with(|f| {
        let mut f = f.borrow_mut();
        batch
            .download_ids()
            .into_iter()
            .filter(|id| f.insert(*id))
            .map(download_key)
            .collect()
    });
    if !keys.is_empty() {
        let _ = chrome::session_remove_all(&keys).await;
    }
}

/// Slack before a batch's creation for the downloads asked by
/// [`with_sizes`] (its downloads all started after it was created; this
/// covers a clock moved back a little).
const SIZES_SLACK_MS: f64 = 60_000.0;

/// The batch with the sizes on disk of its saved files that the manifest
/// still needs, asked in one `chrome.downloads.search` (a file whose size
/// cannot be learnt is listed without one).
async fn with_sizes(batch: &Batch) -> Batch {
    let mut batch = batch.clone();
    let wanted = batch.sizes_wanted();
    if wanted.is_empty() {
        return batch;
    }
    match chrome::complete_downloads_since(batch.created_ms - SIZES_SLACK_MS).await {
        Ok(items) => {
            let sizes: Vec<(i64, u64)> = items
                .iter()
                .filter(|d| wanted.contains(&d.id))
                .filter_map(|d| d.file_size.filter(|n| *n >= 0.0).map(|n| (d.id, n as u64)))
                .collect();
            batch.record_sizes(&sizes);
        }
        Err(e) => web_sys_warn(&format!("[AliSavePro] file sizes could not be read: {e}")),
    }
    batch
}

/// Least time between two progress reports of a running batch.
const REPORT_EVERY_MS: f64 = 100.0;

thread_local! {
    /// When each batch last reported (rate limiting of what is shown only: a new
    /// worker starts empty and simply reports at once).
    static LAST_REPORT: std::cell::RefCell<std::collections::HashMap<String, f64>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

thread_local! {
    /// Batches with a delayed progress report scheduled (at most one each).
    static LATER: std::cell::RefCell<std::collections::HashSet<String>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
}

/// Reports the batch's progress once the interval is over, so the last count
/// before a slow file is shown too (best effort: a stopped worker reports on its
/// next event).
fn report_later(id: String) {
    if !LATER.with(|l| l.borrow_mut().insert(id.clone())) {
        return;
    }
    wasm_bindgen_futures::spawn_local(Box::pin(async move {
        chrome::sleep_ms(REPORT_EVERY_MS).await;
        LATER.with(|l| l.borrow_mut().remove(&id));
        let _g = guard().await;
        if let Some(batch) = load(&id).await {
            if batch.pack.is_none() {
                LAST_REPORT.with(|m| m.borrow_mut().remove(&id));
                Box::pin(report(&batch)).await;
            }
        }
    }));
}

fn too_soon(id: &str) -> bool {
    let now = chrome::now_ms();
    LAST_REPORT.with(|m| {
        let mut m = m.borrow_mut();
        match m.get(id) {
            Some(last) if now - last < REPORT_EVERY_MS => true,
            _ => {
                m.insert(id.to_string(), now);
                false
            }
        }
    })
}

/// Saves small text (a manifest, a summary) as the file `path` (relative to the
/// download directory), replacing an older one of that name: a `data:` URL, as
/// a service worker cannot hand a blob to `chrome.downloads`.
pub async fn save_text(path: &str, text: &str, mime: &str) -> Result<i32, chrome::Error> {
    let url = format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    );
    chrome::download(&chrome::DownloadOptions {
        url: &url,
        filename: path,
        conflict_action: "overwrite",
        save_as: false,
    })
    .await
}

/// Writes `product.json` and `product.csv` into the product folder of a finished
/// batch of separate files, or a review batch's `reviews.json`/`.csv` with each
/// file's outcome (`manifest::manifest_files`; data: URLs: small text the worker
/// can hand to chrome.downloads without a blob URL). Marked written first: never
/// twice. Returns the batch as stored when a file could not be saved (with a
/// warning for the user naming it).
async fn write_manifest(batch: &Batch) -> Option<Batch> {
    // Notes in the browser's language, like every sentence the user reads.
    let files = alisave_core::manifest::manifest_files(batch, &chrome::i18n_message);
    if files.is_empty() {
        return None;
    }
    let mut marked = batch.clone();
    marked.manifest_written = true;
    if !store(&marked).await {
        // Not marked, not written: never twice (the next report tries again).
        return None;
    }
    for (path, text, mime) in files {
        if let Err(e) = save_text(&path, &text, mime).await {
            let name = path.rsplit('/').next().unwrap_or_default();
            web_sys_warn(&format!("[AliSavePro] {name} could not be saved: {e}"));
            marked.warnings.push(alisave_core::Warning::for_user(
                "manifest",
                tf(
                    "warn_manifest_not_saved",
                    &[name.into(), e.to_string().into()],
                ),
            ));
        }
    }
    if marked.warnings.len() == batch.warnings.len() {
        return None;
    }
    store(&marked).await;
    Some(marked)
}
