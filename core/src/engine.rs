//! The download engine's state machine (pure; the worker persists it).
//!
//! A [`Batch`] is one save request: its files ([`Job`]s) and their states. The
//! service worker keeps every batch in `chrome.storage.session` and changes it only
//! through these methods, so a worker stopped at any point resumes from storage:
//! a job is marked [`JobState::Starting`] *before* `chrome.downloads.download` is
//! called, and a worker that finds a `Starting` job on resume first looks for a
//! download of that URL that already exists (no file is saved twice).

use crate::say::{t, tf, tn, Say};
use crate::{MediaKind, Warning};
use serde::{Deserialize, Serialize};

/// Downloads running at once per batch: Chrome's connection limit per host (the
/// files of a product come from one or two CDN hosts), so no download waits in
/// Chrome's own queue and none is idle.
pub const CONCURRENCY: usize = 6;
/// Jobs marked `Starting` beyond the running downloads, so that a lane whose
/// download ends starts the next file at once, without waiting for a storage
/// write (a write takes milliseconds while Chrome is busy writing files). A
/// mark is stored before its call, as every mark is; only the worker that
/// made it calls it ([`Batch::launchable`]), within [`LAUNCH_WINDOW_MS`].
pub const AHEAD: usize = 3;
/// A mark is called within this long of its `since_ms` or not at all (the
/// worker then stores it again with a new time, [`Batch::renew_marks`]): so a
/// call a stopped worker may have made went out at most this long after its
/// mark, which [`START_GRACE_MS`] covers.
pub const LAUNCH_WINDOW_MS: f64 = 2_000.0;
/// Attempts per file for transient failures (network errors, timeouts, 5xx).
pub const MAX_ATTEMPTS: u32 = 3;

/// Delay before attempt `attempt + 1` after `attempt` failed transiently (ms).
pub fn backoff_ms(attempt: u32) -> f64 {
    1000.0 * f64::from(2u32.saturating_pow(attempt.saturating_sub(1).min(6)))
}

/// State of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    /// Waiting to start (not before `not_before_ms`).
    Queued,
    /// `chrome.downloads.download` is being called (since `since_ms`).
    Starting { since_ms: f64 },
    /// Chrome is downloading it.
    Downloading { download_id: i64 },
    /// On disk.
    Done,
    /// Given up, with the reason shown to the user.
    Failed { reason: Say },
}

/// One file of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub url: String,
    pub path: String,
    pub kind: MediaKind,
    #[serde(flatten)]
    pub state: JobState,
    pub attempts: u32,
    pub not_before_ms: f64,
    /// Variant name of a variant image (for `product.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The original-resolution URL on the page, when `url` is another copy
    /// (a CDN size, or a fallback after the CDN sent the wrong bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_url: Option<String>,
    /// Size on disk in bytes, once saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// What was done to the file on the way (converted, fallback URL…), for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Say>,
    /// Chrome's download of the file once saved (for "open folder").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_download: Option<i64>,
    /// Downloads of earlier attempts that ended without the file: never adopted
    /// again after a restart (at most a few: one per attempt).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub past_downloads: Vec<i64>,
}

/// What the product page said about the product, for the report and `product.json`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProductInfo {
    pub platform: String,
    pub id: String,
    pub title: Option<String>,
    pub shop: Option<String>,
    pub page_url: String,
}

/// One save request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: String,
    pub tab_id: i64,
    pub folder: String,
    pub product: ProductInfo,
    pub created_ms: f64,
    pub jobs: Vec<Job>,
    /// What the extractor or the save could not do (shown in the final report).
    pub warnings: Vec<Warning>,
    /// Whether Chrome asks where to save each file.
    #[serde(default)]
    pub save_as: bool,
    /// Set when the files are fetched and packed in the saver page (ZIP and/or
    /// conversion) instead of being downloaded one by one by the worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackSpec>,
    /// Whether `product.json`/`product.csv` are written with the files.
    #[serde(default)]
    pub manifest: bool,
    /// Product folder (the files' common parent), for the manifest's relative paths.
    #[serde(default)]
    pub product_folder: String,
    /// The manifest files were written (or attempted): not twice.
    #[serde(default)]
    pub manifest_written: bool,
    /// The save request (click) that made the batch: the same request sent again
    /// after the worker stopped finds this batch ([`batch_of_request`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// A buyer-review batch (issue #15): its `reviews.json` rows, written with
    /// each file's outcome when it ends (`manifest::manifest_files`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Vec<crate::reviews::ReviewRow>>,
}

/// The batch a save request already made, if any: the newest of `tab_id` with
/// that request id. A request sent again (its first answer was lost when the
/// worker stopped) is answered with it, so nothing is saved twice.
pub fn batch_of_request<'a>(
    batches: impl IntoIterator<Item = &'a Batch>,
    tab_id: i64,
    request_id: &str,
) -> Option<&'a Batch> {
    batches
        .into_iter()
        .filter(|b| b.tab_id == tab_id && b.request_id.as_deref() == Some(request_id))
        .max_by(|a, b| a.created_ms.total_cmp(&b.created_ms))
}

/// How the saver page treats a packed batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackSpec {
    /// One ZIP per product instead of separate files.
    pub zip: bool,
    /// Target image format.
    pub format: crate::settings::ImageFormat,
    /// JPEG/WebP quality, percent.
    pub quality: u8,
    /// The saver page's tab, once opened.
    #[serde(default)]
    pub saver_tab: Option<i64>,
    /// The ZIP's download id, once handed to Chrome.
    #[serde(default)]
    pub zip_download: Option<i64>,
    /// Path of the ZIP, relative to the download directory.
    #[serde(default)]
    pub zip_path: String,
    /// The saver page has written everything (the archive, the manifest): only
    /// then is the batch finished, even when every file's state is final.
    #[serde(default)]
    pub finished: bool,
    /// The saver page instance that writes the batch now (a token it made at
    /// start): one writer. A page that finds another token stored stops writing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<String>,
    /// When the writer last stored a step (ms): its deadline is measured from
    /// here, by lack of progress, not from the batch's creation.
    #[serde(default)]
    pub heartbeat_ms: f64,
    /// When the writer handed the archive to Chrome (recorded before it did):
    /// a page gone before recording the archive's download leaves it to be
    /// found ([`Batch::adopt_saver_downloads`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_started_ms: Option<f64>,
}

/// How long a packed batch may go without a step of its saver page, while the
/// page's tab is not known, before the worker takes it for gone.
pub const SAVER_QUIET_MS: f64 = 30_000.0;

/// What the worker makes of a packed batch's saver page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaverState {
    /// Its tab exists, or it made progress recently: leave it the batch.
    Alive,
    /// Closed, or silent too long without a known tab: fail what it did not write.
    Gone,
}

/// A file the background could not start saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedFile {
    pub url: String,
    pub path: String,
    pub reason: Say,
}

/// The first three failures as the user reads them (`gallery-01.jpg: reason; …`),
/// with `…` when there are more. Used by the button's reply and the final report.
pub fn failure_summary(failures: &[FailedFile]) -> Say {
    let mut parts: Vec<Say> = failures
        .iter()
        .take(3)
        .map(|f| {
            tf(
                "failure_item",
                &[
                    f.path.rsplit('/').next().unwrap_or(&f.path).into(),
                    (&f.reason).into(),
                ],
            )
        })
        .collect();
    if failures.len() > 3 {
        parts.push(Say::plain("…"));
    }
    Say::join(parts, "; ")
}

/// How a failed download is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth another attempt (network trouble, timeout, server error).
    Transient(Say),
    /// Final (not found, forbidden, disk errors, cancelled by the user).
    Permanent(Say),
}

/// Classifies a `chrome.downloads` interrupt reason
/// (<https://developer.chrome.com/docs/extensions/reference/api/downloads#type-InterruptReason>).
pub fn classify_interrupt(reason: &str) -> Failure {
    use Failure::{Permanent, Transient};
    match reason {
        "NETWORK_FAILED" => Transient(t("why_network_failed")),
        "NETWORK_TIMEOUT" => Transient(t("why_network_timeout")),
        "NETWORK_DISCONNECTED" => Transient(t("why_network_disconnected")),
        "NETWORK_SERVER_DOWN" => Transient(t("why_server_down")),
        "NETWORK_INVALID_REQUEST" => Permanent(t("why_invalid_request")),
        "SERVER_FAILED" => Transient(t("why_server_error")),
        "SERVER_NO_RANGE" => Transient(t("why_no_resume")),
        "SERVER_BAD_CONTENT" => Permanent(t("why_not_found")),
        "SERVER_UNAUTHORIZED" => Permanent(tf("why_refused_access", &["401".into()])),
        "SERVER_FORBIDDEN" => Permanent(tf("why_refused_access", &["403".into()])),
        "SERVER_UNREACHABLE" => Transient(t("why_unreachable")),
        "SERVER_CERT_PROBLEM" => Permanent(t("why_certificate")),
        "SERVER_CONTENT_LENGTH_MISMATCH" => Transient(t("why_cut_short")),
        "SERVER_CROSS_ORIGIN_REDIRECT" => Permanent(t("why_redirected")),
        "FILE_NO_SPACE" => Permanent(t("why_disk_full")),
        "FILE_ACCESS_DENIED" => Permanent(t("why_no_write_permission")),
        "FILE_NAME_TOO_LONG" => Permanent(t("why_name_too_long")),
        "FILE_TOO_LARGE" => Permanent(t("why_too_large_for_disk")),
        "FILE_VIRUS_INFECTED" | "FILE_BLOCKED" | "FILE_SECURITY_CHECK_FAILED" => {
            Permanent(t("why_blocked"))
        }
        "FILE_TRANSIENT_ERROR" => Transient(t("why_temporary_file")),
        "FILE_FAILED" | "FILE_HASH_MISMATCH" | "FILE_SAME_AS_SOURCE" => {
            Permanent(t("why_not_written"))
        }
        "USER_CANCELED" => Permanent(t("why_cancelled")),
        "USER_SHUTDOWN" | "CRASH" => Transient(t("why_browser_closed")),
        other => Permanent(tf("why_download_failed", &[other.into()])),
    }
}

impl Failure {
    /// The reason, whatever the kind.
    pub fn reason(self) -> Say {
        match self {
            Failure::Transient(s) | Failure::Permanent(s) => s,
        }
    }
}

/// Progress of a batch, as shown on the button, the badge and in the popup.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Progress {
    pub batch_id: String,
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    pub finished: bool,
    pub folder: String,
    /// One sentence: "12 / 40" while running, the final report when finished.
    pub message: Say,
    pub failures: Vec<FailedFile>,
}

impl Batch {
    /// A new batch with every job queued.
    pub fn new(
        id: String,
        tab_id: i64,
        folder: String,
        product: ProductInfo,
        files: Vec<crate::plan::PlannedFile>,
        created_ms: f64,
    ) -> Batch {
        let jobs = files
            .into_iter()
            .map(|f| Job {
                original_url: (f.original != f.url).then_some(f.original),
                url: f.url,
                path: f.path,
                kind: f.kind,
                state: JobState::Queued,
                attempts: 0,
                not_before_ms: 0.0,
                variant: f.variant,
                bytes: None,
                note: None,
                saved_download: None,
                past_downloads: Vec::new(),
            })
            .collect();
        Batch {
            id,
            tab_id,
            folder,
            product,
            created_ms,
            jobs,
            warnings: Vec::new(),
            save_as: false,
            pack: None,
            manifest: false,
            product_folder: String::new(),
            manifest_written: false,
            request_id: None,
            reviews: None,
        }
    }

    fn running(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| {
                matches!(
                    j.state,
                    JobState::Starting { .. } | JobState::Downloading { .. }
                )
            })
            .count()
    }

    /// Jobs to mark `Starting` now: at most [`CONCURRENCY`] running plus
    /// [`AHEAD`] marks waiting for a lane. The caller stores the marks, then
    /// calls what [`Batch::launchable`] allows.
    pub fn take_startable(&mut self, now_ms: f64) -> Vec<usize> {
        let free = (CONCURRENCY + AHEAD).saturating_sub(self.running());
        let picked: Vec<usize> = self
            .jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.state == JobState::Queued && j.not_before_ms <= now_ms)
            .map(|(i, _)| i)
            .take(free)
            .collect();
        for &i in &picked {
            if let Some(j) = self.jobs.get_mut(i) {
                j.state = JobState::Starting { since_ms: now_ms };
                j.attempts += 1;
            }
        }
        picked
    }

    /// Lanes free in this batch: [`CONCURRENCY`] less the downloads that may be
    /// running. Those are the `Downloading` jobs whose download has not ended
    /// (`ended`: ends heard, not yet stored), and the `Starting` jobs that are not
    /// this worker's uncalled marks (`unlaunched`): its calls out, a call whose
    /// answer a failed write dropped, a stopped worker's marks (maybe called),
    /// except the calls whose download already ended (`ended_calls`: answered,
    /// the answer not yet stored).
    pub fn lanes_free(&self, unlaunched: &[usize], ended_calls: &[usize], ended: &[i64]) -> usize {
        let busy = self
            .jobs
            .iter()
            .enumerate()
            .filter(|(i, j)| match j.state {
                JobState::Starting { .. } => !unlaunched.contains(i) && !ended_calls.contains(i),
                JobState::Downloading { download_id } => !ended.contains(&download_id),
                _ => false,
            })
            .count();
        CONCURRENCY.saturating_sub(busy)
    }

    /// Which of `unlaunched` (the jobs this worker marked `Starting`, stored,
    /// and has not called) to call now: those still `Starting` with a mark at
    /// most [`LAUNCH_WINDOW_MS`] old, as many as lanes are free
    /// ([`Batch::lanes_free`]). Only the worker that made a mark calls it: a
    /// mark of a stopped worker may have been called ([`Batch::resume_starting`]
    /// settles it).
    pub fn launchable(
        &self,
        unlaunched: &[usize],
        ended_calls: &[usize],
        ended: &[i64],
        now_ms: f64,
    ) -> Vec<usize> {
        let free = self.lanes_free(unlaunched, ended_calls, ended);
        let mut out: Vec<usize> = unlaunched
            .iter()
            .copied()
            .filter(|&i| {
                matches!(self.jobs.get(i).map(|j| &j.state),
                    Some(JobState::Starting { since_ms }) if now_ms - since_ms <= LAUNCH_WINDOW_MS && *since_ms <= now_ms)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out.truncate(free);
        out
    }

    /// Whether a lane is free while this worker's uncalled marks are all too
    /// old to be called: nothing would call them until a write renews them
    /// (the worker then pumps the batch: renew, store, call).
    pub fn marks_stale(
        &self,
        unlaunched: &[usize],
        ended_calls: &[usize],
        ended: &[i64],
        now_ms: f64,
    ) -> bool {
        let own_starting = unlaunched.iter().any(|&i| {
            matches!(
                self.jobs.get(i).map(|j| &j.state),
                Some(JobState::Starting { .. })
            )
        });
        own_starting
            && self.lanes_free(unlaunched, ended_calls, ended) > 0
            && self
                .launchable(unlaunched, ended_calls, ended, now_ms)
                .is_empty()
    }

    /// Gives this worker's uncalled marks (`unlaunched`) the time `now_ms`, to
    /// be stored with the batch's next write: they stay callable
    /// ([`Batch::launchable`]). Whether one was older than half the window (a
    /// write is then due for them alone).
    pub fn renew_marks(&mut self, unlaunched: &[usize], now_ms: f64) -> bool {
        let mut due = false;
        for &i in unlaunched {
            if let Some(JobState::Starting { since_ms }) =
                self.jobs.get_mut(i).map(|j| &mut j.state)
            {
                due |= now_ms - *since_ms > LAUNCH_WINDOW_MS / 2.0;
                *since_ms = now_ms;
            }
        }
        due
    }

    /// When to look again for a queued job that is waiting for its backoff
    /// (`None` when none waits: jobs waiting only for a free slot start when a
    /// running download ends).
    pub fn next_wake_ms(&self, now_ms: f64) -> Option<f64> {
        self.jobs
            .iter()
            .filter(|j| j.state == JobState::Queued && j.not_before_ms > now_ms)
            .map(|j| j.not_before_ms)
            .min_by(|a, b| a.total_cmp(b))
    }

    /// `chrome.downloads.download` returned this id for job `i`. The worker makes
    /// the call outside its lock, so the job may have moved on before the answer
    /// is recorded: adopted by the same download, or already finished by its
    /// completion. Only a job still waiting for a download (`Starting`, or
    /// `Queued` again) takes it; whether it did.
    pub fn started(&mut self, i: usize, download_id: i64) -> bool {
        match self.jobs.get_mut(i) {
            Some(j) if matches!(j.state, JobState::Starting { .. } | JobState::Queued) => {
                j.state = JobState::Downloading { download_id };
                true
            }
            _ => false,
        }
    }

    /// `chrome.downloads.download` itself failed for job `i` (invalid URL or
    /// name, ...). Only a job still `Starting` fails; whether it did.
    pub fn start_failed(&mut self, i: usize, reason: Say) -> bool {
        match self.jobs.get_mut(i) {
            Some(j) if matches!(j.state, JobState::Starting { .. }) => {
                j.state = JobState::Failed { reason };
                true
            }
            _ => false,
        }
    }

    /// Index of the job downloading `download_id`.
    pub fn job_of_download(&self, download_id: i64) -> Option<usize> {
        self.jobs
            .iter()
            .position(|j| j.state == JobState::Downloading { download_id })
    }

    /// Chrome finished `download_id`.
    pub fn completed(&mut self, download_id: i64) -> bool {
        match self
            .job_of_download(download_id)
            .and_then(|i| self.jobs.get_mut(i))
        {
            Some(j) => {
                j.state = JobState::Done;
                j.saved_download = Some(download_id);
                true
            }
            None => false,
        }
    }

    /// Every Chrome download the batch knows of (running, saved, and earlier
    /// attempts'): the `download:<id>` keys a finished or removed batch
    /// leaves behind.
    pub fn download_ids(&self) -> Vec<i64> {
        let mut out = Vec::new();
        for j in &self.jobs {
            if let JobState::Downloading { download_id } = j.state {
                out.push(download_id);
            }
            out.extend(j.saved_download);
            out.extend(j.past_downloads.iter().copied());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether this worker writes `product.json` and its companions for the
    /// batch when it finishes (a packed batch's saver page puts them in the
    /// ZIP itself).
    pub fn writes_manifest(&self) -> bool {
        self.pack.is_none() && (self.manifest || self.reviews.is_some()) && !self.manifest_written
    }

    /// Chrome downloads of saved files whose size the manifest still needs
    /// (none unless [`Batch::writes_manifest`]). Asked once, when the batch
    /// has finished, in one `chrome.downloads.search` for all of them, not one
    /// query per file as each ends (a round trip to the browser per file while
    /// the other downloads run, for a figure only the manifest reads).
    pub fn sizes_wanted(&self) -> Vec<i64> {
        if !self.writes_manifest() {
            return Vec::new();
        }
        self.jobs
            .iter()
            .filter(|j| j.state == JobState::Done && j.bytes.is_none())
            .filter_map(|j| j.saved_download)
            .collect()
    }

    /// Records the sizes on disk of saved files (`(download id, bytes)`; ids
    /// of no saved file here are ignored); whether any was new.
    pub fn record_sizes(&mut self, sizes: &[(i64, u64)]) -> bool {
        let mut changed = false;
        for j in &mut self.jobs {
            if j.state != JobState::Done || j.bytes.is_some() {
                continue;
            }
            if let Some(&(_, n)) = sizes.iter().find(|(id, _)| Some(*id) == j.saved_download) {
                j.bytes = Some(n);
                changed = true;
            }
        }
        changed
    }

    /// Chrome downloads of what this batch saved, newest first: the ZIP, or each
    /// file (for "open folder").
    pub fn saved_downloads(&self) -> Vec<i64> {
        let zip = self.pack.as_ref().and_then(|p| p.zip_download);
        let mut out: Vec<i64> = Vec::new();
        let files = self
            .jobs
            .iter()
            .rev()
            .filter(|j| j.state == JobState::Done)
            .filter_map(|j| j.saved_download);
        for id in zip.into_iter().chain(files) {
            // Every file of an archive names the archive's download.
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// Chrome interrupted `download_id` with `reason`: queue a retry after a
    /// backoff for transient failures, fail otherwise.
    pub fn interrupted(&mut self, download_id: i64, reason: &str, now_ms: f64) -> bool {
        let Some(j) = self
            .job_of_download(download_id)
            .and_then(|i| self.jobs.get_mut(i))
        else {
            return false;
        };
        if j.past_downloads.len() >= 16 {
            j.past_downloads.remove(0);
        }
        j.past_downloads.push(download_id);
        match classify_interrupt(reason) {
            Failure::Transient(_) if j.attempts < MAX_ATTEMPTS => {
                j.state = JobState::Queued;
                j.not_before_ms = now_ms + backoff_ms(j.attempts);
            }
            Failure::Transient(text) => {
                j.state = JobState::Failed {
                    reason: tn("why_tried", j.attempts as usize, &[text.into()]),
                };
            }
            Failure::Permanent(text) => j.state = JobState::Failed { reason: text },
        }
        true
    }

    /// A `Starting` job whose download turned out to exist already (found by URL
    /// after the worker was stopped): adopt it instead of starting it again.
    pub fn adopt(&mut self, i: usize, download_id: i64) {
        self.started(i, download_id);
    }

    /// Job `i` is `Starting` and its worker is gone (or the batch stalled): adopt
    /// the download it became ([`adoptable`]). When there is none yet, the call
    /// may still be on its way — Chrome creates a download only once the server
    /// answers, and a stopped worker's request goes on without it — so the job
    /// waits until [`START_GRACE_MS`] after its mark; only then is it queued
    /// again (the attempt did not happen). Any other state is left as it is.
    pub fn resume_starting(
        &mut self,
        i: usize,
        own_extension: &str,
        seen: &[SeenDownload],
        now_ms: f64,
    ) -> Resumed {
        let Some(job) = self.jobs.get(i) else {
            return Resumed::NotStarting;
        };
        let JobState::Starting { since_ms } = job.state else {
            return Resumed::NotStarting;
        };
        if let Some(did) = adoptable(job, &self.id, own_extension, seen) {
            self.adopt(i, did);
            return Resumed::Adopted(did);
        }
        if now_ms - since_ms < START_GRACE_MS {
            return Resumed::Waiting;
        }
        if let Some(j) = self.jobs.get_mut(i) {
            j.state = JobState::Queued;
            j.attempts = j.attempts.saturating_sub(1);
        }
        Resumed::Requeued
    }

    /// When a `Starting` job waiting for its download ([`Resumed::Waiting`]) is
    /// to be looked at again: the end of its grace.
    pub fn next_start_check_ms(&self) -> Option<f64> {
        self.jobs
            .iter()
            .filter_map(|j| match j.state {
                JobState::Starting { since_ms } => Some(since_ms + START_GRACE_MS),
                _ => None,
            })
            .min_by(|a, b| a.total_cmp(b))
    }

    /// What the worker makes of this packed batch's saver page, at `now_ms`;
    /// `page_open`: Chrome lists a saver page of this batch among the
    /// extension's contexts (`runtime.getContexts`), which needs no write of the
    /// page's: a page whose storage writes fail is still seen; `tab_exists`:
    /// whether the page's recorded tab still exists (`None` when the page
    /// recorded none). A page that shows progress is never taken for gone while
    /// it is open or its tab exists, nor within [`SAVER_QUIET_MS`] of its last
    /// step (a tab just opened may not be a context yet).
    pub fn saver_state(
        &self,
        now_ms: f64,
        page_open: bool,
        tab_exists: Option<bool>,
    ) -> SaverState {
        let Some(p) = &self.pack else {
            return SaverState::Alive;
        };
        if page_open {
            return SaverState::Alive;
        }
        match tab_exists {
            Some(true) => SaverState::Alive,
            Some(false) => SaverState::Gone,
            None => {
                let last = p.heartbeat_ms.max(self.created_ms);
                if now_ms - last < SAVER_QUIET_MS {
                    SaverState::Alive
                } else {
                    SaverState::Gone
                }
            }
        }
    }

    /// The saver page is gone before the end: what it did not write fails with
    /// that reason (the user can retry it); a file packed into a ZIP reached the
    /// disk only if that archive was handed to Chrome (its `saved_download` is
    /// the archive's download, [`Batch::zip_saved`]). The page loses the batch: if it
    /// was only slow, its next write finds another writer and stops.
    pub fn saver_gone(&mut self) {
        for j in self.jobs.iter_mut() {
            if !matches!(j.state, JobState::Done | JobState::Failed { .. }) {
                j.state = JobState::Failed {
                    reason: t("why_saver_closed"),
                };
            } else if j.state == JobState::Done && j.saved_download.is_none() {
                // Packed into an archive that never reached Chrome.
                j.state = JobState::Failed {
                    reason: t("why_saver_closed_zip"),
                };
            }
        }
        if let Some(p) = self.pack.as_mut() {
            p.saver_tab = None;
            p.writer = None;
            p.finished = true;
        }
    }

    /// A saver page instance (`writer`, its token) takes the packed batch over:
    /// at its first start, after a reload, or opened again by "retry". Jobs a
    /// previous instance left `Starting` are queued again (it did not finish
    /// them), and so are files it packed into an archive that never reached
    /// Chrome (`Done` without a `saved_download`) — in any round: after a retry,
    /// the files of the first archive are on disk, those of the lost second one
    /// are not. Returns the jobs to do, in order.
    pub fn take_over_pack(&mut self, writer: &str, now_ms: f64) -> Vec<usize> {
        let Some(p) = self.pack.as_mut() else {
            return Vec::new();
        };
        if p.finished {
            return Vec::new();
        }
        p.writer = Some(writer.to_string());
        p.heartbeat_ms = now_ms;
        for j in self.jobs.iter_mut() {
            let redo = match j.state {
                JobState::Starting { .. } | JobState::Downloading { .. } => true,
                // Packed into an archive that never reached Chrome.
                JobState::Done => j.saved_download.is_none(),
                _ => false,
            };
            if redo {
                j.state = JobState::Queued;
                j.saved_download = None;
                j.bytes = None;
            }
        }
        self.jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.state == JobState::Queued)
            .map(|(i, _)| i)
            .collect()
    }

    /// The archive was handed to Chrome as download `download_id`: the files
    /// packed into it (done, not on disk yet) are on disk now.
    pub fn zip_saved(&mut self, download_id: i64) {
        if let Some(p) = self.pack.as_mut() {
            p.zip_download = Some(download_id);
            p.archive_started_ms = None;
        }
        for j in self.jobs.iter_mut() {
            if j.state == JobState::Done && j.saved_download.is_none() {
                j.saved_download = Some(download_id);
            }
        }
    }

    /// A saver page may be gone between Chrome writing a file (or the archive)
    /// and the page recording it. Before its work is taken over or failed, the
    /// downloads Chrome has (`seen`: this extension's, complete, started after
    /// the page marked the file or archive, to the planned name) are adopted:
    /// the files are on disk, not to be failed, nor saved again by a retry.
    /// Returns how many files were adopted.
    pub fn adopt_saver_downloads(&mut self, own_extension: &str, seen: &[SeenDownload]) -> usize {
        let Some(pack) = self.pack.clone() else {
            return 0;
        };
        let mut taken: Vec<i64> = self.jobs.iter().filter_map(|j| j.saved_download).collect();
        let mut n = 0;
        let unsaved = self
            .jobs
            .iter()
            .any(|j| j.state == JobState::Done && j.saved_download.is_none());
        if let (true, true, Some(t)) = (pack.zip, unsaved, pack.archive_started_ms) {
            let archive = seen
                .iter()
                .filter(|d| saver_made(d, own_extension, t, &taken))
                .filter(|d| is_planned_file(&d.filename, &pack.zip_path))
                .max_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
            if let Some(d) = archive {
                let before = self
                    .jobs
                    .iter()
                    .filter(|j| j.saved_download.is_some())
                    .count();
                self.zip_saved(d.id);
                taken.push(d.id);
                n += self
                    .jobs
                    .iter()
                    .filter(|j| j.saved_download.is_some())
                    .count()
                    - before;
            }
        }
        for j in self.jobs.iter_mut() {
            let JobState::Starting { since_ms } = j.state else {
                continue;
            };
            let found = seen
                .iter()
                .filter(|d| saver_made(d, own_extension, since_ms, &taken))
                .filter(|d| is_planned_file(&d.filename, &j.path))
                // Saved from its bytes (a blob URL), or as it is from its URL.
                .filter(|d| d.url.starts_with("blob:") || d.url == j.url)
                .max_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
            if let Some(d) = found {
                j.state = JobState::Done;
                j.saved_download = Some(d.id);
                taken.push(d.id);
                n += 1;
            }
        }
        n
    }

    /// Whether the stored batch still belongs to the saver page `writer`.
    pub fn written_by(&self, writer: &str) -> bool {
        self.pack
            .as_ref()
            .is_some_and(|p| !p.finished && p.writer.as_deref() == Some(writer))
    }

    /// Whether the user's "retry" may act now. One writer per batch: a packed
    /// batch (ZIP/conversion) is written by its saver page until that page says it
    /// finished; retrying before would open a second page writing the same batch.
    /// A batch of separate files is the worker's alone: its failed files may be
    /// queued again while others still run.
    pub fn may_retry(&self) -> bool {
        self.pack.as_ref().is_none_or(|p| p.finished)
    }

    /// Puts every failed job back in the queue (the user's "retry"); nothing when
    /// [`Batch::may_retry`] says no.
    pub fn retry_failed(&mut self) -> usize {
        if !self.may_retry() {
            return 0;
        }
        let mut n = 0;
        for j in &mut self.jobs {
            if matches!(j.state, JobState::Failed { .. }) {
                j.state = JobState::Queued;
                j.attempts = 0;
                j.not_before_ms = 0.0;
                n += 1;
            }
        }
        n
    }

    /// Whether every job reached `Done` or `Failed`.
    pub fn finished(&self) -> bool {
        if self.pack.as_ref().is_some_and(|p| !p.finished) {
            return false;
        }
        self.jobs
            .iter()
            .all(|j| matches!(j.state, JobState::Done | JobState::Failed { .. }))
    }

    /// Progress and, when finished, the final report.
    pub fn progress(&self) -> Progress {
        let total = self.jobs.len();
        let done = self
            .jobs
            .iter()
            .filter(|j| j.state == JobState::Done)
            .count();
        let failures: Vec<FailedFile> = self
            .jobs
            .iter()
            .filter_map(|j| match &j.state {
                JobState::Failed { reason } => Some(FailedFile {
                    url: j.url.clone(),
                    path: j.path.clone(),
                    reason: reason.clone(),
                }),
                _ => None,
            })
            .collect();
        let failed = failures.len();
        let finished = self.finished();
        let report = if !finished {
            tf("progress_count", &[(done + failed).into(), total.into()])
        } else if failed == 0 {
            tn("report_saved_all", done, &[(&self.folder).into()])
        } else {
            tn(
                "report_saved_some",
                total,
                &[
                    done.into(),
                    (&self.folder).into(),
                    failed.into(),
                    failure_summary(&failures).into(),
                ],
            )
        };
        // What was missing from the page itself stays in the final word.
        let mut parts = vec![report];
        if finished {
            parts.extend(crate::inventory::user_warnings(&self.warnings));
        }
        let message = Say::join(parts, " ");
        Progress {
            batch_id: self.id.clone(),
            total,
            done,
            failed,
            finished,
            folder: self.folder.clone(),
            message,
            failures,
        }
    }
}

/// A download Chrome knows (`chrome.downloads.search`), as far as adopting it
/// after a restart is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenDownload {
    pub id: i64,
    pub url: String,
    /// Chrome's target path (absolute, with the platform's separators); empty
    /// while Chrome has not decided it yet.
    pub filename: String,
    /// When it started (ms since the epoch).
    pub start_ms: f64,
    /// The extension that started it (`byExtensionId`); `None` for the user's own.
    pub by_extension: Option<String>,
    /// The batch that already recorded it as its own (`download:<id>`), if any.
    pub claimed_by: Option<String>,
    /// Chrome has written it whole.
    pub complete: bool,
}

/// How long a `Starting` job with no download yet may still become one: its
/// call goes out within [`LAUNCH_WINDOW_MS`] of the mark, and a download
/// request waits for the server's answer before Chrome creates the download; a
/// CDN that has not started answering in 30 s is treated as gone (the job is
/// then queued again: a late answer costs a duplicate, a long wait costs a
/// stalled save).
pub const START_GRACE_MS: f64 = LAUNCH_WINDOW_MS + 30_000.0;

/// What [`Batch::resume_starting`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resumed {
    /// The job's download was found and adopted.
    Adopted(i64),
    /// No download yet, and the call may still arrive: left `Starting`.
    Waiting,
    /// No download, and none can come any more: queued again.
    Requeued,
    /// The job was not `Starting`.
    NotStarting,
}

/// Clock slack when comparing a download's start with a job's `Starting` mark.
pub const ADOPT_SLACK_MS: f64 = 2_000.0;

/// Whether Chrome's target path `filename` is the planned relative `path`, or the
/// name Chrome made unique from it (`gallery-01 (1).jpg`, `conflictAction:
/// "uniquify"`).
pub fn is_planned_file(filename: &str, path: &str) -> bool {
    let actual = filename.replace('\\', "/");
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (Some(d), n),
        None => (None, path),
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, Some(e)),
        _ => (name, None),
    };
    let Some((actual_dir, actual_name)) = actual.rsplit_once('/') else {
        return false;
    };
    // The folder: the planned one, at the end of the target's directory.
    if let Some(d) = dir {
        if !(actual_dir == d || actual_dir.ends_with(&format!("/{d}"))) {
            return false;
        }
    }
    let rest = match ext {
        Some(e) => match actual_name.strip_suffix(&format!(".{e}")) {
            Some(r) => r,
            None => return false,
        },
        None => actual_name,
    };
    let Some(tail) = rest.strip_prefix(stem) else {
        return false;
    };
    tail.is_empty()
        || tail
            .strip_prefix(" (")
            .and_then(|t| t.strip_suffix(')'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Which download a job left `Starting` by a stopped worker became, if any: one
/// this extension started (`own_extension`) for the job's URL and planned file
/// (or one whose target Chrome has not decided yet), started no earlier than the
/// job's mark, not another batch's and not one of the job's earlier attempts; the
/// newest such. The user's own download of the same URL, another batch's file, or
/// an older download is never adopted (the job is then started again).
pub fn adoptable(
    job: &Job,
    batch_id: &str,
    own_extension: &str,
    seen: &[SeenDownload],
) -> Option<i64> {
    let JobState::Starting { since_ms } = job.state else {
        return None;
    };
    seen.iter()
        .filter(|d| d.url == job.url)
        .filter(|d| !own_extension.is_empty() && d.by_extension.as_deref() == Some(own_extension))
        .filter(|d| d.start_ms >= since_ms - ADOPT_SLACK_MS)
        .filter(|d| d.claimed_by.as_deref().is_none_or(|b| b == batch_id))
        .filter(|d| d.filename.is_empty() || is_planned_file(&d.filename, &job.path))
        .filter(|d| !job.past_downloads.contains(&d.id))
        .max_by(|a, b| a.start_ms.total_cmp(&b.start_ms).then(a.id.cmp(&b.id)))
        .map(|d| d.id)
}

/// A complete download this extension started after `since_ms` that no job
/// holds yet: one the saver page may have made.
fn saver_made(d: &SeenDownload, own_extension: &str, since_ms: f64, taken: &[i64]) -> bool {
    d.complete
        && !own_extension.is_empty()
        && d.by_extension.as_deref() == Some(own_extension)
        && d.start_ms >= since_ms - ADOPT_SLACK_MS
        && d.claimed_by.is_none()
        && !taken.contains(&d.id)
}

/// How long a page following an unfinished save waits without news before it
/// asks the worker to look ([`crate::protocol::ContentToBg::Poke`]). A worker
/// stopped during a backoff wait, or an `onChanged` event lost on the way, then
/// costs at most this long: the poke starts a worker (which resumes what it
/// finds) and makes it check its running downloads against Chrome. Without the
/// `alarms` permission (not granted by the privacy policy) nothing else can wake
/// a stopped worker at a given time.
pub const POKE_AFTER_MS: f64 = 10_000.0;

/// Whether a page that last heard of its unfinished save at `last_heard_ms`
/// should poke the worker now.
pub fn should_poke(last_heard_ms: f64, now_ms: f64, finished: bool) -> bool {
    !finished && now_ms - last_heard_ms >= POKE_AFTER_MS
}

/// The action badge for a batch's progress: the count while running, then ✓ or !.
pub fn badge_text(p: &Progress) -> String {
    if !p.finished {
        format!("{}", p.done + p.failed)
    } else if p.failed > 0 {
        "!".to_string()
    } else {
        "✓".to_string()
    }
}

/// The stored form of a batch (the value under [`batch_key`]): its JSON text.
///
/// A batch is written at every step of a save, under the worker's lock. As an
/// object of 100 jobs it cost a JS call per field to build (serde-wasm-bindgen)
/// and a structured clone of every field in `chrome.storage.session.set`, then
/// the same again to read it back; as one string it is one copy each way and
/// serde_json's own speed (measured in BENCHMARKS.md, "Saving").
pub fn stored_batch(batch: &Batch) -> String {
    // A `Batch` has no maps and no fallible `Serialize`: this cannot fail.
    serde_json::to_string(batch).unwrap_or_default()
}

/// A batch read from storage: its JSON text ([`stored_batch`]), or the object
/// an older version stored. `None` for anything else (damaged: not a batch).
pub fn batch_from_stored(value: &serde_json::Value) -> Option<Batch> {
    // Through `Value` both ways: reading a `Batch` straight from text would
    // compile a second copy of its whole `Deserialize` into every module that
    // reads batches (about 15 KB of gzipped wasm each, measured).
    let value = match value {
        serde_json::Value::String(text) => serde_json::from_str(text).ok()?,
        other => other.clone(),
    };
    serde_json::from_value(value).ok()
}

/// The id of a new batch of tab `tab_id`: named after the save request that
/// makes it when there is one (`r` and the request id), so that the same
/// request sent again finds its batch under one key ([`batch_key`]) instead of
/// reading every stored batch; after the time otherwise. The two forms never
/// meet: a request's id has its `r`, the time is digits only.
pub fn batch_id(tab_id: i64, request_id: Option<&str>, now_ms: f64) -> String {
    match request_id {
        Some(r) => format!("{tab_id}-r{r}"),
        None => format!("{tab_id}-{}", now_ms as u64),
    }
}

/// The key under which the batch that save request `request_id` of `tab_id`
/// made is stored, if it made one ([`batch_id`]).
pub fn request_batch_key(tab_id: i64, request_id: &str) -> String {
    batch_key(&batch_id(tab_id, Some(request_id), 0.0))
}

/// `chrome.storage.session` key of a batch.
pub fn batch_key(id: &str) -> String {
    format!("batch:{id}")
}

/// `chrome.storage.session` key mapping a Chrome download id to its batch.
pub fn download_key(download_id: i64) -> String {
    format!("download:{download_id}")
}

/// A batch of `n` queued gallery images of product `product` in tab `tab`, for
/// the unit tests here and in `popup_view`.
#[cfg(test)]
pub(crate) fn sample_batch(id: &str, tab: i64, product: &str, created: f64, n: usize) -> Batch {
    let files = (0..n)
        .map(|i| crate::plan::PlannedFile {
            url: format!("https://ae01.alicdn.com/kf/S{i}.jpg"),
            path: format!("AliSavePro/aliexpress-{product}/gallery-{:02}.jpg", i + 1),
            kind: MediaKind::Gallery,
            original: format!("https://ae01.alicdn.com/kf/S{i}.jpg"),
            variant: None,
        })
        .collect();
    Batch::new(
        id.into(),
        tab,
        format!("AliSavePro/aliexpress-{product}"),
        ProductInfo {
            id: product.into(),
            ..ProductInfo::default()
        },
        files,
        created,
    )
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// How a packed batch's saver page is asked to pack (nothing written yet).
    fn pack_spec(zip: bool, saver_tab: Option<i64>) -> PackSpec {
        PackSpec {
            zip,
            format: crate::settings::ImageFormat::Original,
            quality: 90,
            saver_tab,
            zip_download: None,
            zip_path: "x.zip".into(),
            finished: false,
            writer: None,
            heartbeat_ms: 0.0,
            archive_started_ms: None,
        }
    }

    mod adopting {
        use super::super::*;
        #[cfg(target_arch = "wasm32")]
        use wasm_bindgen_test::wasm_bindgen_test as test;

        const EXT: &str = "abcdefghijklmnopabcdefghijklmnop";

        fn starting_job() -> Job {
            let mut b = sample_batch("b1", 1, "1005", 10_000.0, 1);
            b.take_startable(50_000.0);
            b.jobs.remove(0)
        }

        fn seen(id: i64, filename: &str, start_ms: f64) -> SeenDownload {
            SeenDownload {
                id,
                url: "https://ae01.alicdn.com/kf/S0.jpg".into(),
                filename: filename.into(),
                start_ms,
                by_extension: Some(EXT.into()),
                claimed_by: None,
                complete: true,
            }
        }

        const MINE: &str = "/home/u/Downloads/AliSavePro/aliexpress-1005/gallery-01.jpg";

        #[test]
        fn a_packed_batch_is_retried_only_once_its_writer_finished() {
            let mut b = sample_batch("b", 1, "1", 0.0, 2);
            b.jobs[0].state = JobState::Failed {
                reason: t("why_not_found"),
            };
            b.pack = Some(super::pack_spec(true, Some(5)));
            assert!(!b.may_retry());
            assert_eq!(b.retry_failed(), 0, "the saver page is still writing");
            assert!(matches!(b.jobs[0].state, JobState::Failed { .. }));
            if let Some(p) = b.pack.as_mut() {
                p.finished = true;
            }
            assert!(b.may_retry());
            assert_eq!(b.retry_failed(), 1);
            // Separate files: the worker's own, retried at any time.
            let mut s = sample_batch("s", 1, "1", 0.0, 2);
            s.jobs[1].state = JobState::Failed {
                reason: t("why_not_found"),
            };
            assert!(s.may_retry());
            assert_eq!(s.retry_failed(), 1);
        }

        fn packed(zip: bool) -> Batch {
            let mut b = sample_batch("p", 1, "1", 1_000.0, 3);
            b.pack = Some(super::pack_spec(zip, None));
            b
        }

        #[test]
        fn a_progressing_saver_page_is_not_taken_for_gone() {
            let mut b = packed(true);
            // No tab recorded yet: measured from creation, then from each step.
            assert_eq!(
                b.saver_state(1_000.0 + SAVER_QUIET_MS - 1.0, false, None),
                SaverState::Alive
            );
            assert_eq!(
                b.saver_state(1_000.0 + SAVER_QUIET_MS, false, None),
                SaverState::Gone
            );
            b.take_over_pack("w1", 100_000.0);
            assert_eq!(
                b.saver_state(100_000.0 + SAVER_QUIET_MS - 1.0, false, None),
                SaverState::Alive
            );
            // A known tab decides.
            assert_eq!(b.saver_state(1e12, false, Some(true)), SaverState::Alive);
            assert_eq!(
                b.saver_state(100_001.0, false, Some(false)),
                SaverState::Gone
            );
            // A page Chrome lists as open is alive, however long its writes fail.
            assert_eq!(b.saver_state(1e12, true, None), SaverState::Alive);
            assert_eq!(b.saver_state(1e12, true, Some(false)), SaverState::Alive);
        }

        #[test]
        fn a_reloaded_saver_page_redoes_what_was_not_written() {
            let mut b = packed(true);
            assert_eq!(b.take_over_pack("w1", 5.0), vec![0, 1, 2]);
            assert!(b.written_by("w1"));
            b.jobs[0].state = JobState::Done;
            b.jobs[1].state = JobState::Starting { since_ms: 6.0 };
            b.jobs[2].state = JobState::Failed {
                reason: t("why_not_found"),
            };
            // Reloaded: the archive in progress is lost, so the saved file too.
            assert_eq!(b.take_over_pack("w2", 7.0), vec![0, 1]);
            assert!(!b.written_by("w1"), "the old instance must stop writing");
            assert!(b.written_by("w2"));
            assert!(matches!(b.jobs[2].state, JobState::Failed { .. }));
            // Separate files (conversion only): what is on disk stays.
            let mut s = packed(false);
            s.take_over_pack("w1", 5.0);
            s.jobs[0].state = JobState::Done;
            s.jobs[0].saved_download = Some(7);
            s.jobs[1].state = JobState::Starting { since_ms: 6.0 };
            assert_eq!(s.take_over_pack("w2", 7.0), vec![1, 2]);
            assert_eq!(s.jobs[0].state, JobState::Done);
        }

        /// After "retry", a second archive holds the files that failed the first
        /// time: if its page is reloaded or closed before that archive reaches
        /// Chrome, those files are not on disk (the first archive's are).
        #[test]
        fn a_second_archive_lost_after_retry_is_not_taken_for_saved() {
            let mut b = packed(true);
            b.take_over_pack("w1", 5.0);
            b.jobs[0].state = JobState::Done;
            b.jobs[1].state = JobState::Failed {
                reason: t("why_not_found"),
            };
            b.jobs[2].state = JobState::Done;
            b.zip_saved(41);
            b.pack.as_mut().expect("packed").finished = true;
            assert_eq!(b.saved_downloads(), vec![41]);
            // Retry: a new page packs job 1 into a second archive, then is reloaded.
            assert_eq!(b.retry_failed(), 1);
            if let Some(p) = b.pack.as_mut() {
                p.finished = false;
                p.writer = None;
            }
            assert_eq!(b.take_over_pack("w2", 10.0), vec![1]);
            b.jobs[1].state = JobState::Done;
            assert_eq!(
                b.take_over_pack("w3", 11.0),
                vec![1],
                "the lost archive's file is done again"
            );
            b.jobs[1].state = JobState::Done;
            b.saver_gone();
            assert_eq!(b.jobs[0].state, JobState::Done);
            assert_eq!(b.jobs[2].state, JobState::Done);
            assert!(
                matches!(b.jobs[1].state, JobState::Failed { .. }),
                "not in any archive on disk"
            );
        }

        /// What a saver page had Chrome write and did not record is adopted
        /// (the right file, complete, this extension's, after the mark), never
        /// the user's own download or an earlier save's.
        #[test]
        fn what_chrome_wrote_for_a_gone_page_is_adopted() {
            let blob = |id: i64, filename: &str, start_ms: f64| SeenDownload {
                url: format!("blob:chrome-extension://{EXT}/{id}"),
                ..seen(id, filename, start_ms)
            };
            let mut s = packed(false);
            s.take_over_pack("w1", 5.0);
            s.jobs[0].path = "AliSavePro/aliexpress-1/gallery-01.png".into();
            s.jobs[0].state = JobState::Starting { since_ms: 50_000.0 };
            let file = "/home/u/Downloads/AliSavePro/aliexpress-1/gallery-01.png";
            let not_yet = SeenDownload {
                complete: false,
                ..blob(5, file, 50_100.0)
            };
            let users = SeenDownload {
                by_extension: None,
                ..blob(6, file, 50_100.0)
            };
            let earlier = blob(7, file, 10_000.0);
            let other = blob(
                8,
                "/home/u/Downloads/AliSavePro/aliexpress-1/gallery-02.png",
                50_100.0,
            );
            assert_eq!(
                s.adopt_saver_downloads(EXT, &[not_yet, users, earlier, other]),
                0
            );
            assert_eq!(s.adopt_saver_downloads(EXT, &[blob(9, file, 50_100.0)]), 1);
            assert_eq!(s.jobs[0].state, JobState::Done);
            assert_eq!(s.jobs[0].saved_download, Some(9));
            s.saver_gone();
            assert_eq!(s.jobs[0].state, JobState::Done, "on disk: not failed");

            // The archive handed to Chrome before the page recorded it.
            let mut z = packed(true);
            z.take_over_pack("w1", 5.0);
            z.jobs[0].state = JobState::Done;
            z.jobs[1].state = JobState::Done;
            if let Some(p) = z.pack.as_mut() {
                p.zip_path = "AliSavePro/aliexpress-1.zip".into();
                p.archive_started_ms = Some(60_000.0);
            }
            let zip = "/home/u/Downloads/AliSavePro/aliexpress-1 (1).zip";
            assert_eq!(
                z.adopt_saver_downloads(EXT, &[blob(11, zip, 59_000.0 - ADOPT_SLACK_MS)]),
                0
            );
            assert_eq!(z.adopt_saver_downloads(EXT, &[blob(12, zip, 60_500.0)]), 2);
            assert_eq!(z.saved_downloads(), vec![12]);
            assert!(
                z.take_over_pack("w2", 70_000.0).len() == 1,
                "only the file not in it is redone"
            );
        }

        #[test]
        fn a_gone_saver_page_loses_the_batch() {
            let mut b = packed(true);
            b.take_over_pack("w1", 5.0);
            b.jobs[0].state = JobState::Done;
            b.saver_gone();
            assert!(b.finished());
            assert!(!b.written_by("w1"));
            assert!(b
                .jobs
                .iter()
                .all(|j| matches!(j.state, JobState::Failed { .. })));
            assert!(
                b.take_over_pack("w2", 9.0).is_empty(),
                "finished: nothing to take"
            );
            let mut s = packed(false);
            s.take_over_pack("w1", 5.0);
            s.jobs[0].state = JobState::Done;
            s.jobs[0].saved_download = Some(7);
            s.saver_gone();
            assert_eq!(
                s.jobs[0].state,
                JobState::Done,
                "a separate file is on disk"
            );
        }

        #[test]
        fn a_request_sent_again_finds_its_batch() {
            let mut a = sample_batch("a", 1, "1", 10.0, 1);
            a.request_id = Some("r1".into());
            let mut b = sample_batch("b", 2, "1", 20.0, 1);
            b.request_id = Some("r1".into());
            let c = sample_batch("c", 1, "1", 30.0, 1);
            let all = [a, b, c];
            assert_eq!(
                batch_of_request(&all, 1, "r1").map(|x| x.id.as_str()),
                Some("a")
            );
            assert_eq!(
                batch_of_request(&all, 2, "r1").map(|x| x.id.as_str()),
                Some("b")
            );
            assert!(batch_of_request(&all, 1, "r2").is_none());
            assert!(
                batch_of_request(&all, 3, "r1").is_none(),
                "another tab's request"
            );
        }

        #[test]
        fn a_request_names_its_batch() {
            assert_eq!(batch_id(7, Some("1700-42"), 5.0), "7-r1700-42");
            assert_eq!(
                batch_id(7, Some("1700-42"), 9.0),
                batch_id(7, Some("1700-42"), 5.0)
            );
            assert_ne!(
                batch_id(8, Some("1700-42"), 5.0),
                batch_id(7, Some("1700-42"), 5.0)
            );
            assert_eq!(request_batch_key(7, "1700-42"), "batch:7-r1700-42");
            assert_eq!(batch_id(7, None, 1_700_000_000_123.0), "7-1700000000123");
            // A request id of digits only is still not a time's id.
            assert_ne!(
                batch_id(7, Some("1700000000123"), 0.0),
                batch_id(7, None, 1_700_000_000_123.0)
            );
        }

        #[test]
        fn a_starting_job_waits_for_a_call_still_on_its_way() {
            let mut b = sample_batch("b1", 1, "1005", 10_000.0, 1);
            b.take_startable(50_000.0);
            // No download yet: the call may still get its answer.
            assert_eq!(
                b.resume_starting(0, EXT, &[], 50_000.0 + 1_000.0),
                Resumed::Waiting
            );
            assert_eq!(b.next_start_check_ms(), Some(50_000.0 + START_GRACE_MS));
            // It arrived: adopted.
            let mut c = b.clone();
            assert_eq!(
                c.resume_starting(0, EXT, &[seen(4, MINE, 50_500.0)], 52_000.0),
                Resumed::Adopted(4)
            );
            // None came within the grace: the attempt did not happen.
            assert_eq!(
                b.resume_starting(0, EXT, &[], 50_000.0 + START_GRACE_MS),
                Resumed::Requeued
            );
            assert_eq!(b.jobs[0].state, JobState::Queued);
            assert_eq!(b.jobs[0].attempts, 0);
            assert_eq!(b.resume_starting(0, EXT, &[], 1e12), Resumed::NotStarting);
        }

        #[test]
        fn a_quiet_save_is_poked_after_a_while() {
            assert!(!should_poke(1_000.0, 1_000.0 + POKE_AFTER_MS - 1.0, false));
            assert!(should_poke(1_000.0, 1_000.0 + POKE_AFTER_MS, false));
            assert!(!should_poke(1_000.0, 1_000.0 + 10.0 * POKE_AFTER_MS, true));
        }

        #[test]
        fn planned_names_and_their_unique_variants() {
            let p = "AliSavePro/aliexpress-1005/gallery-01.jpg";
            assert!(is_planned_file(MINE, p));
            assert!(is_planned_file(
                "C:\\Users\\u\\Downloads\\AliSavePro\\aliexpress-1005\\gallery-01 (2).jpg",
                p
            ));
            for other in [
                "/home/u/Downloads/AliSavePro/aliexpress-1006/gallery-01.jpg",
                "/home/u/Downloads/gallery-01.jpg",
                "/home/u/Downloads/AliSavePro/aliexpress-1005/gallery-011.jpg",
                "/home/u/Downloads/AliSavePro/aliexpress-1005/gallery-01 (x).jpg",
                "/home/u/Downloads/AliSavePro/aliexpress-1005/gallery-01.png",
                "/home/u/Downloads/xAliSavePro/aliexpress-1005/gallery-01.jpg",
                "",
            ] {
                assert!(!is_planned_file(other, p), "{other}");
            }
        }

        #[test]
        fn only_our_own_download_of_the_planned_file_is_adopted() {
            let job = starting_job();
            assert_eq!(
                adoptable(&job, "b1", EXT, &[seen(7, MINE, 50_100.0)]),
                Some(7)
            );
            // Chrome has not decided the target yet: ours by URL, origin and time.
            assert_eq!(
                adoptable(&job, "b1", EXT, &[seen(7, "", 50_100.0)]),
                Some(7)
            );
            // The user's own download of the same URL.
            let users = SeenDownload {
                by_extension: None,
                ..seen(8, "/home/u/Downloads/S0.jpg", 50_200.0)
            };
            assert_eq!(
                adoptable(&job, "b1", EXT, std::slice::from_ref(&users)),
                None
            );
            // Another batch's file (another folder, or recorded by that batch).
            let other_folder = seen(9, "/d/AliSavePro/aliexpress-9/gallery-01.jpg", 50_100.0);
            assert_eq!(adoptable(&job, "b1", EXT, &[other_folder]), None);
            let claimed = SeenDownload {
                claimed_by: Some("b0".into()),
                ..seen(10, MINE, 50_100.0)
            };
            assert_eq!(adoptable(&job, "b1", EXT, &[claimed]), None);
            // Older than the Starting mark (an earlier save of the same product).
            assert_eq!(
                adoptable(&job, "b1", EXT, &[seen(11, MINE, 40_000.0)]),
                None
            );
            // Among several, the newest that fits, never an earlier attempt's.
            let three = [users, seen(13, MINE, 50_300.0), seen(12, MINE, 50_200.0)];
            assert_eq!(adoptable(&job, "b1", EXT, &three), Some(13));
            let mut retried = job.clone();
            retried.past_downloads = vec![13];
            assert_eq!(adoptable(&retried, "b1", EXT, &three), Some(12));
            // Not Starting: nothing to adopt.
            let mut queued = job.clone();
            queued.state = JobState::Queued;
            assert_eq!(
                adoptable(&queued, "b1", EXT, &[seen(7, MINE, 50_100.0)]),
                None
            );
            assert_eq!(adoptable(&job, "b1", "", &[seen(7, MINE, 50_100.0)]), None);
        }
    }

    fn batch(n: usize) -> Batch {
        sample_batch("b1", 7, "1", 0.0, n)
    }

    #[test]
    fn a_stored_batch_reads_back_whole_in_both_stored_forms() {
        let b = sample_batch("7-1", 7, "1", 1.5, 3);
        let text = stored_batch(&b);
        assert_eq!(
            batch_from_stored(&serde_json::Value::String(text)),
            Some(b.clone())
        );
        // The object an older version stored.
        let object = serde_json::to_value(&b).unwrap_or_default();
        assert_eq!(batch_from_stored(&object), Some(b));
        // Damaged values are not batches.
        for bad in [
            serde_json::json!("{\"id\":"),
            serde_json::json!("[]"),
            serde_json::json!({"id": 3}),
            serde_json::json!(null),
        ] {
            assert_eq!(batch_from_stored(&bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes_are_asked_once_for_the_saved_files_a_manifest_names() {
        let mut b = batch(4);
        for (n, i) in b.take_startable(0.0).into_iter().enumerate() {
            b.started(i, 100 + n as i64);
        }
        assert!(b.completed(100));
        assert!(b.completed(101));
        assert!(b.interrupted(102, "FILE_FAILED", 0.0));
        assert_eq!(
            b.download_ids(),
            vec![100, 101, 102, 103],
            "saved, failed, running"
        );
        assert!(b.sizes_wanted().is_empty(), "no manifest: no sizes asked");
        b.manifest = true;
        assert_eq!(
            b.sizes_wanted(),
            vec![100, 101],
            "only saved files, without a size"
        );
        // A size that came with the completion is kept; unknown ids change nothing.
        b.jobs[1].bytes = Some(7);
        assert_eq!(b.sizes_wanted(), vec![100]);
        assert!(!b.record_sizes(&[(101, 9), (555, 1)]));
        assert_eq!(b.jobs[1].bytes, Some(7));
        assert!(b.record_sizes(&[(100, 4096)]));
        assert_eq!(b.jobs[0].bytes, Some(4096));
        assert!(b.sizes_wanted().is_empty());
        // Written already, or packed by the saver page: nothing to ask.
        b.jobs[0].bytes = None;
        b.manifest_written = true;
        assert!(b.sizes_wanted().is_empty());
        b.manifest_written = false;
        b.reviews = Some(Vec::new());
        b.manifest = false;
        assert_eq!(
            b.sizes_wanted(),
            vec![100],
            "buyer reviews write a manifest too"
        );
        b.pack = Some(pack_spec(true, None));
        assert!(
            b.sizes_wanted().is_empty(),
            "the saver page packs the manifest"
        );
    }

    #[test]
    fn starts_at_most_the_concurrency_limit() {
        let mut b = batch(10);
        let marked = b.take_startable(0.0);
        assert_eq!(marked, (0..CONCURRENCY + AHEAD).collect::<Vec<_>>());
        assert!(
            b.take_startable(0.0).is_empty(),
            "all slots and marks taken"
        );
        let first = b.launchable(&marked, &[], &[], 0.0);
        assert_eq!(first, (0..CONCURRENCY).collect::<Vec<_>>());
        let waiting: Vec<usize> = (CONCURRENCY..CONCURRENCY + AHEAD).collect();
        // Calls out (Starting, no longer uncalled marks) take their lanes as
        // downloads do; one whose download already ended does not.
        assert!(b.launchable(&waiting, &[], &[], 0.0).is_empty());
        assert_eq!(b.launchable(&waiting, &[2], &[], 0.0), vec![CONCURRENCY]);
        for (n, i) in first.iter().enumerate() {
            b.started(*i, 100 + n as i64);
        }
        assert!(
            b.launchable(&waiting, &[], &[], 0.0).is_empty(),
            "lanes busy"
        );
        // An end heard but not yet stored frees its lane for the next mark.
        assert_eq!(b.launchable(&waiting, &[], &[100], 0.0), vec![CONCURRENCY]);
        assert!(b.completed(100));
        assert_eq!(b.launchable(&waiting, &[], &[], 0.0), vec![CONCURRENCY]);
        // The freed mark is made again ahead of the lanes.
        assert_eq!(b.take_startable(0.0), vec![CONCURRENCY + AHEAD]);
        assert_eq!(b.progress().message.english(), "1 / 10");
        assert_eq!(
            b.next_wake_ms(0.0),
            None,
            "queued jobs wait for a slot, not a timer"
        );
    }

    #[test]
    fn a_mark_is_called_only_within_its_window_and_renewed_to_stay_callable() {
        let mut b = batch(CONCURRENCY + 2);
        let marked = b.take_startable(1000.0);
        let last = CONCURRENCY + 1;
        // Not someone else's mark, nor a job that moved on.
        assert!(b.launchable(&[], &[], &[], 1000.0).is_empty());
        b.started(0, 7);
        assert_eq!(
            b.launchable(&marked, &[], &[], 1000.0),
            (1..CONCURRENCY).collect::<Vec<_>>(),
            "the downloading job takes a lane and is not called again"
        );
        // Starting jobs that are not our uncalled marks take lanes (calls out,
        // a stopped worker's marks).
        assert_eq!(b.launchable(&[last], &[], &[], 1000.0), Vec::<usize>::new());
        // A mark older than the window is not called: a stopped worker's call
        // could otherwise go out after the grace a new worker gives it.
        let late = 1000.0 + LAUNCH_WINDOW_MS + 1.0;
        assert!(b.launchable(&marked, &[], &[], late).is_empty());
        assert!(!b.marks_stale(&marked, &[], &[], 1000.0));
        assert!(
            b.marks_stale(&marked, &[], &[], late),
            "a lane waits for a write"
        );
        assert!(!b.marks_stale(&[], &[], &[], late), "no mark of ours");
        assert!(b.renew_marks(&marked, late), "stale marks are due a write");
        assert!(!b.marks_stale(&marked, &[], &[], late));
        assert_eq!(b.launchable(&marked, &[], &[], late).len(), CONCURRENCY - 1);
        assert!(!b.renew_marks(&[last], late + 10.0), "a fresh mark is not");
        assert_eq!(
            b.jobs[last].state,
            JobState::Starting {
                since_ms: late + 10.0
            }
        );
        // Renewing leaves jobs that are not Starting alone.
        b.renew_marks(&[0], late + 20.0);
        assert_eq!(b.jobs[0].state, JobState::Downloading { download_id: 7 });
    }

    #[test]
    fn transient_failures_retry_with_backoff_then_fail() {
        let mut b = batch(1);
        for attempt in 1..=MAX_ATTEMPTS {
            assert_eq!(b.take_startable(1e9), vec![0]);
            b.started(0, i64::from(attempt));
            assert!(b.interrupted(i64::from(attempt), "SERVER_FAILED", 1000.0));
            if attempt < MAX_ATTEMPTS {
                assert_eq!(b.jobs[0].state, JobState::Queued);
                assert_eq!(b.next_wake_ms(1000.0), Some(1000.0 + backoff_ms(attempt)));
                assert_eq!(b.jobs[0].not_before_ms, 1000.0 + backoff_ms(attempt));
                assert!(b.take_startable(1000.0).is_empty(), "waits for the backoff");
            }
        }
        assert_eq!(
            b.jobs[0].state,
            JobState::Failed {
                reason: tn("why_tried", 3, &[t("why_server_error").into()])
            }
        );
        assert_eq!(
            b.progress().failures[0].reason.english(),
            "server error (tried 3 times)"
        );
        assert!(b.finished());
    }

    #[test]
    fn not_found_is_final_at_once() {
        let mut b = batch(2);
        b.take_startable(0.0);
        b.started(0, 1);
        b.started(1, 2);
        b.interrupted(1, "SERVER_BAD_CONTENT", 0.0);
        b.completed(2);
        let p = b.progress();
        assert!(p.finished);
        assert_eq!((p.done, p.failed), (1, 1));
        assert_eq!(
            p.message.english(),
            "Saved 1 of 2 files to AliSavePro/aliexpress-1; 1 failed — gallery-01.jpg: not found on the server (HTTP 404)"
        );
        assert_eq!(b.retry_failed(), 1);
        assert!(!b.finished());
        assert_eq!(b.take_startable(0.0), vec![0]);
    }

    #[test]
    fn unknown_ids_and_backoff_bounds() {
        let mut b = batch(1);
        assert!(!b.completed(99));
        assert!(!b.interrupted(99, "NETWORK_FAILED", 0.0));
        assert_eq!(backoff_ms(1), 1000.0);
        assert_eq!(backoff_ms(2), 2000.0);
        assert!(backoff_ms(u32::MAX) <= 64_000.0);
        assert!(matches!(
            classify_interrupt("SOMETHING_NEW"),
            Failure::Permanent(_)
        ));
    }

    #[test]
    fn batch_round_trips_through_json() {
        let mut b = batch(3);
        b.take_startable(0.0);
        b.started(0, 5);
        let back: Batch = serde_json::from_value(serde_json::to_value(&b).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, b);
    }
}
