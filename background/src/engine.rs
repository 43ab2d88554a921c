//! The download engine's effects: persists [`Batch`]es in `chrome.storage.session`,
//! starts downloads, follows `chrome.downloads.onChanged`, reports progress to the
//! tab and the badge. All decisions are in `alisave_core::engine`.
//!
//! Nothing here is authoritative in memory: every change is written to storage
//! before the next step, and [`resume`] (run when the worker starts) picks up
//! whatever a stopped worker left.

use alisave_chrome::{self as chrome, Area};
use alisave_core::engine::{batch_key, download_key, Batch, JobState, Progress};
use alisave_core::protocol::PopupToContent;
use futures_util::lock::Mutex;

thread_local! {
    /// Serialises read-modify-write of batches within this worker instance (a lock,
    /// not state: a new worker starts unlocked and reads everything from storage).
    static LOCK: std::rc::Rc<Mutex<()>> = std::rc::Rc::new(Mutex::new(()));
}

fn lock() -> std::rc::Rc<Mutex<()>> {
    LOCK.with(|l| l.clone())
}

async fn load(id: &str) -> Option<Batch> {
    let value = chrome::storage_get(Area::Session, &batch_key(id))
        .await
        .ok()??;
    serde_json::from_value(value).ok()
}

async fn store(batch: &Batch) {
    if let Err(e) = chrome::storage_set(Area::Session, &batch_key(&batch.id), batch).await {
        web_sys_warn(&format!("[AliSavePro] could not record progress: {e}"));
    }
}

fn web_sys_warn(s: &str) {
    crate::web_log(s);
}

/// Creates a batch and starts it.
pub async fn start(batch: Batch) -> Progress {
    {
        let l = lock();
        let _g = l.lock().await;
        store(&batch).await;
    }
    pump(batch.id.clone()).await;
    load(&batch.id)
        .await
        .map(|b| b.progress())
        .unwrap_or_default()
}

/// Starts what may start now; schedules a wake-up for retries waiting for their
/// backoff. Reports progress.
pub fn pump(id: String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
    Box::pin(async move {
        let wake = {
            let l = lock();
            let _g = l.lock().await;
            let Some(mut batch) = load(&id).await else {
                return;
            };
            let startable = batch.take_startable(chrome::now_ms());
            // Written before any download starts: a worker stopped now finds these
            // jobs `Starting` and looks for their downloads before starting them again.
            store(&batch).await;
            for i in startable {
                let Some(job) = batch.jobs.get(i).cloned() else {
                    continue;
                };
                let options = chrome::DownloadOptions {
                    url: &job.url,
                    filename: &job.path,
                    conflict_action: "uniquify",
                    save_as: batch.save_as,
                };
                match chrome::download(&options).await {
                    Ok(download_id) => {
                        let did = i64::from(download_id);
                        let _ =
                            chrome::storage_set(Area::Session, &download_key(did), &batch.id).await;
                        batch.started(i, did);
                    }
                    Err(e) => batch.start_failed(i, e.to_string()),
                }
                store(&batch).await;
            }
            report(&batch).await;
            batch.next_wake_ms(chrome::now_ms())
        };
        if let Some(at) = wake {
            chrome::sleep_ms(at - chrome::now_ms()).await;
            pump(id).await;
        }
    })
}

/// `chrome.downloads.onChanged`: a download of ours completed or was interrupted.
pub async fn on_changed(download_id: i64, state: Option<String>, error: Option<String>) {
    let finished = matches!(state.as_deref(), Some("complete") | Some("interrupted"));
    if !finished {
        return;
    }
    let Some(id) = chrome::storage_get(Area::Session, &download_key(download_id))
        .await
        .ok()
        .flatten()
        .and_then(|v| v.as_str().map(str::to_string))
    else {
        return; // not one of ours
    };
    {
        let l = lock();
        let _g = l.lock().await;
        let Some(mut batch) = load(&id).await else {
            return;
        };
        let changed = match state.as_deref() {
            Some("complete") => batch.completed(download_id),
            _ => batch.interrupted(
                download_id,
                error.as_deref().unwrap_or("NETWORK_FAILED"),
                chrome::now_ms(),
            ),
        };
        if !changed {
            return;
        }
        store(&batch).await;
    }
    let _ = chrome::session_remove(&download_key(download_id)).await;
    pump(id).await;
}

/// Queues the failed files of a batch again (the user's retry).
pub async fn retry(id: &str, tab_id: i64) -> Option<Progress> {
    {
        let l = lock();
        let _g = l.lock().await;
        let mut batch = load(id).await?;
        if batch.tab_id != tab_id {
            return None; // only the page that made the batch may retry it
        }
        batch.retry_failed();
        store(&batch).await;
    }
    pump(id.to_string()).await;
    load(id).await.map(|b| b.progress())
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
            let l = lock();
            let _g = l.lock().await;
            let Some(mut batch) = load(&id).await else {
                continue;
            };
            if batch.finished() {
                continue;
            }
            for i in 0..batch.jobs.len() {
                let Some(job) = batch.jobs.get(i).cloned() else {
                    continue;
                };
                match job.state {
                    // The worker stopped around chrome.downloads.download: adopt the
                    // download if it exists, so the file is not saved twice.
                    JobState::Starting { since_ms } => {
                        let found = chrome::downloads_of_url(&job.url, since_ms - 1000.0)
                            .await
                            .ok()
                            .and_then(|items| items.into_iter().next());
                        match found {
                            Some(d) => {
                                let _ = chrome::storage_set(
                                    Area::Session,
                                    &download_key(d.id),
                                    &batch.id,
                                )
                                .await;
                                batch.adopt(i, d.id);
                                apply_state(&mut batch, d.id, &d.state, d.error.as_deref());
                            }
                            None => {
                                if let Some(j) = batch.jobs.get_mut(i) {
                                    j.state = JobState::Queued;
                                    j.attempts = j.attempts.saturating_sub(1);
                                }
                            }
                        }
                    }
                    // Events may have been missed while no worker ran.
                    JobState::Downloading { download_id } => {
                        if let Ok(Some(d)) = chrome::download_by_id(download_id).await {
                            apply_state(&mut batch, download_id, &d.state, d.error.as_deref());
                        }
                    }
                    _ => {}
                }
            }
            store(&batch).await;
        }
        pump(id).await;
    }
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

/// Forgets the finished batches of a closed tab (what was saved from it is no
/// one's business once the tab is gone). Unfinished ones go on and are forgotten
/// when they finish (see [`report`]).
pub async fn forget_tab(tab_id: i64) {
    let Ok(all) = chrome::session_all().await else {
        return;
    };
    let l = lock();
    let _g = l.lock().await;
    for (key, value) in all {
        if !key.starts_with("batch:") {
            continue;
        }
        let Ok(batch) = serde_json::from_value::<Batch>(value) else {
            let _ = chrome::session_remove(&key).await; // unreadable: nothing to keep
            continue;
        };
        if batch.tab_id == tab_id && batch.finished() {
            remove(&batch).await;
        }
    }
}

async fn remove(batch: &Batch) {
    for job in &batch.jobs {
        if let JobState::Downloading { download_id } = job.state {
            let _ = chrome::session_remove(&download_key(download_id)).await;
        }
    }
    let _ = chrome::session_remove(&batch_key(&batch.id)).await;
}

/// Progress to the page's button and the action badge.
async fn report(batch: &Batch) {
    let progress = batch.progress();
    let badge = if !progress.finished {
        format!("{}", progress.done + progress.failed)
    } else if progress.failed > 0 {
        "!".to_string()
    } else {
        "✓".to_string()
    };
    if chrome::tab(batch.tab_id).await.is_err() {
        // The tab is gone: nobody to tell, and nothing to keep once finished.
        if progress.finished {
            remove(batch).await;
        }
        return;
    }
    let _ = chrome::set_badge_text(batch.tab_id, &badge).await;
    // The tab may have been closed or navigated; the batch goes on regardless.
    let _ = chrome::send_to_tab::<_, serde_json::Value>(
        batch.tab_id,
        &PopupToContent::Progress { progress },
    )
    .await;
}
