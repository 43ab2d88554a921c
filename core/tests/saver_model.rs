//! Model-based test of a packed batch (ZIP or conversion): the saver page that
//! writes it and the worker that watches it, played through thousands of random
//! sequences against the pure rules of `alisave_core::engine`, carried out the
//! way `saver/src/lib.rs` and `background/src/engine.rs` do it.
//!
//! What the simulation covers: saver pages that load late, are reloaded or
//! closed at any step (before their first write, mid-archive, between Chrome
//! writing a file or the archive and the page recording it), storage writes
//! that fail (the page's take-over, a step, its
//! final record, the worker's "the page is gone"), the worker looking at the
//! batch at any time (a restart's `resume`, a poke, a closed tab), time passing
//! beyond the page's quiet limit, and "retry" with a second archive. Every
//! read-modify-write runs under the lock worker and page share
//! (`chrome::locks`), so each step here is atomic.
//!
//! Checked after every step: no file is on disk twice (as a separate file or in
//! an archive handed to Chrome), and a file the stored batch calls saved is on
//! disk. At the end (pages finish, the worker looks again), the batch is
//! finished, not stuck: each file is done and on disk exactly once, or failed
//! and on disk nowhere; and a retry saves every failed file, once.

use alisave_core::engine::{
    Batch, JobState, PackSpec, ProductInfo, SaverState, SeenDownload, SAVER_QUIET_MS,
};
use alisave_core::plan::PlannedFile;
use alisave_core::settings::ImageFormat;
use alisave_core::MediaKind;
use proptest::prelude::*;

const EXT: &str = "abcdefghijklmnopabcdefghijklmnop";
const DOWNLOADS: &str = "/home/u/Downloads";

/// Attempts of the page's important writes (`MAX_ATTEMPTS` in the saver).
const WRITE_ATTEMPTS: u32 = alisave_core::engine::MAX_ATTEMPTS;

#[derive(Debug, Clone)]
enum Step {
    /// A saver page opened by the worker loads and takes the batch over.
    PageStarts(usize),
    /// A page finishes one file (`ok`: its bytes came; else it failed).
    PageDoes(usize, bool),
    /// A page with nothing left hands its archive to Chrome and records the end.
    PageFinishes(usize),
    /// The user closes a page's tab (the worker hears `tabs.onRemoved`).
    ClosePage(usize),
    /// A page is reloaded: a new instance in the same tab.
    ReloadPage(usize),
    /// The worker looks at the batch (a restart's `resume`, a poke).
    WorkerCheck,
    /// The next storage write fails.
    StorageFails,
    /// The user presses "Retry failed".
    Retry,
    /// Time passes (ms).
    Tick(u32),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..3).prop_map(Step::PageStarts),
        8 => ((0usize..3), proptest::bool::weighted(0.8)).prop_map(|(p, ok)| Step::PageDoes(p, ok)),
        2 => (0usize..3).prop_map(Step::PageFinishes),
        1 => (0usize..3).prop_map(Step::ClosePage),
        1 => (0usize..3).prop_map(Step::ReloadPage),
        2 => Just(Step::WorkerCheck),
        2 => Just(Step::StorageFails),
        1 => Just(Step::Retry),
        2 => (0u32..40_000).prop_map(Step::Tick),
    ]
}

/// One saver page instance.
#[derive(Debug, Clone)]
struct Page {
    writer: String,
    tab: i64,
    /// Its document runs (Chrome lists it among the extension's pages).
    alive: bool,
    /// It took the batch over (its `run` began).
    started: bool,
    /// It found another writer, or could not record its take-over: it writes
    /// nothing more.
    stopped: bool,
    /// Its copy of the batch, and the files it still has to do.
    mem: Option<Batch>,
    queue: Vec<usize>,
    /// The files this instance put into its archive (in memory).
    packed: Vec<usize>,
    /// A file (job, download) or the archive (download) Chrome has written and
    /// the page has not recorded yet.
    unrecorded_file: Option<(usize, i64)>,
    unrecorded_archive: Option<i64>,
}

struct World {
    zip: bool,
    now: f64,
    stored: Batch,
    fail_next_write: bool,
    pages: Vec<Page>,
    next_tab: i64,
    next_download: i64,
    writers: u32,
    /// Separate files on disk (job index), and archives on disk (their jobs).
    files: Vec<usize>,
    archives: Vec<Vec<usize>>,
    /// Chrome's downloads of the saver (all complete: blob URLs are written at once).
    chrome: Vec<SeenDownload>,
}

fn batch(n: usize, zip: bool) -> Batch {
    let files = (0..n)
        .map(|i| PlannedFile {
            url: format!("https://ae01.alicdn.com/kf/S{i}.jpg"),
            path: format!("AliSavePro/aliexpress-1/gallery-{:02}.jpg", i + 1),
            kind: MediaKind::Gallery,
            original: format!("https://ae01.alicdn.com/kf/S{i}.jpg"),
            variant: None,
        })
        .collect();
    let mut b = Batch::new(
        "b1".into(),
        3,
        "AliSavePro/aliexpress-1".into(),
        ProductInfo::default(),
        files,
        1_000_000.0,
    );
    b.pack = Some(PackSpec {
        zip,
        format: if zip {
            ImageFormat::Original
        } else {
            ImageFormat::Jpeg
        },
        quality: 90,
        saver_tab: None,
        zip_download: None,
        zip_path: "AliSavePro/aliexpress-1.zip".into(),
        finished: false,
        writer: None,
        heartbeat_ms: 0.0,
        archive_started_ms: None,
    });
    b
}

impl World {
    fn new(n: usize, zip: bool) -> World {
        let mut w = World {
            zip,
            now: 1_000_000.0,
            stored: batch(n, zip),
            fail_next_write: false,
            pages: Vec::new(),
            next_tab: 10,
            next_download: 100,
            writers: 0,
            files: Vec::new(),
            archives: Vec::new(),
            chrome: Vec::new(),
        };
        // `start_packed`: the batch stored, then its page opened.
        w.open_page();
        w
    }

    /// A storage write (fails when a failure was drawn for it).
    fn write(&mut self, b: &Batch) -> bool {
        if std::mem::take(&mut self.fail_next_write) {
            return false;
        }
        self.stored = b.clone();
        true
    }

    /// A write tried again as the page does for its important records.
    fn write_retrying(&mut self, b: &Batch) -> bool {
        (0..WRITE_ATTEMPTS).any(|_| self.write(b))
    }

    fn open_page(&mut self) {
        self.writers += 1;
        let tab = self.next_tab;
        self.next_tab += 1;
        self.pages.push(Page {
            writer: format!("w{}", self.writers),
            tab,
            alive: true,
            started: false,
            stopped: false,
            mem: None,
            queue: Vec::new(),
            packed: Vec::new(),
            unrecorded_file: None,
            unrecorded_archive: None,
        });
    }

    fn page(&self, k: usize) -> Option<usize> {
        let live: Vec<usize> = (0..self.pages.len())
            .filter(|&i| self.pages[i].alive)
            .collect();
        (!live.is_empty()).then(|| live[k % live.len()])
    }

    /// The page's `store`: under the lock, only while it is the writer.
    fn page_store(&mut self, p: usize) {
        let me = self.pages[p].writer.clone();
        if !self.stored.written_by(&me) {
            self.pages[p].stopped = true;
            return;
        }
        let mut mem = self.pages[p].mem.clone().expect("started");
        if let Some(s) = mem.pack.as_mut() {
            s.heartbeat_ms = self.now;
        }
        self.pages[p].mem = Some(mem.clone());
        // Tried again when storage refuses it: a step records a file on disk.
        self.write_retrying(&mem);
    }

    /// Chrome writes a blob URL of the saver to `path` (`uniquify`).
    fn chrome_writes(&mut self, path: &str) -> i64 {
        let id = self.next_download;
        self.next_download += 1;
        let (stem, ext) = path.rsplit_once('.').unwrap_or((path, ""));
        let mut filename = format!("{DOWNLOADS}/{path}");
        let mut k = 1;
        while self.chrome.iter().any(|d| d.filename == filename) {
            filename = format!("{DOWNLOADS}/{stem} ({k}).{ext}");
            k += 1;
        }
        self.chrome.push(SeenDownload {
            id,
            url: format!("blob:chrome-extension://{EXT}/{id}"),
            filename,
            start_ms: self.now,
            by_extension: Some(EXT.into()),
            claimed_by: None,
            complete: true,
        });
        id
    }

    /// What the worker or a new page does before failing or taking over the
    /// batch: adopts what Chrome wrote and no one recorded.
    fn adopt(&self, b: &mut Batch) {
        b.adopt_saver_downloads(EXT, &self.chrome);
    }

    /// The page closes its own tab, or its tab is closed: the worker hears of it.
    fn tab_closed(&mut self, p: usize) {
        self.pages[p].alive = false;
        let tab = self.pages[p].tab;
        if !self.stored.finished()
            && self.stored.pack.as_ref().and_then(|s| s.saver_tab) == Some(tab)
        {
            let mut b = self.stored.clone();
            self.adopt(&mut b);
            b.saver_gone();
            self.write(&b);
        }
    }

    fn run(&mut self, s: &Step) {
        match *s {
            Step::PageStarts(k) => {
                let Some(p) = self.page(k) else { return };
                if self.pages[p].started {
                    return;
                }
                self.pages[p].started = true;
                let me = self.pages[p].writer.clone();
                let mut b = self.stored.clone();
                self.adopt(&mut b);
                b.take_over_pack(&me, self.now);
                if !self.write_retrying(&b) {
                    // Not recorded: the page says so and closes its tab.
                    self.pages[p].stopped = true;
                    self.tab_closed(p);
                    return;
                }
                if !b.written_by(&me) {
                    // Finished already (nothing to take): the page has nothing to do.
                    self.pages[p].stopped = true;
                    return;
                }
                // `pack_batch`: its tab recorded, its files starting, stored.
                let tab = self.pages[p].tab;
                if let Some(s) = b.pack.as_mut() {
                    s.saver_tab = Some(tab);
                }
                let queue: Vec<usize> = (0..b.jobs.len())
                    .filter(|&i| b.jobs[i].state == JobState::Queued)
                    .collect();
                for &i in &queue {
                    b.jobs[i].state = JobState::Starting { since_ms: self.now };
                }
                self.pages[p].mem = Some(b);
                self.pages[p].queue = queue;
                self.page_store(p);
            }
            Step::PageDoes(k, ok) => {
                let Some(p) = self.page(k) else { return };
                let pg = &self.pages[p];
                if !pg.started || pg.stopped {
                    return;
                }
                let mut mem = self.pages[p].mem.clone().expect("started");
                // A file Chrome wrote: now recorded.
                if let Some((i, id)) = self.pages[p].unrecorded_file.take() {
                    mem.jobs[i].state = JobState::Done;
                    mem.jobs[i].saved_download = Some(id);
                    self.pages[p].mem = Some(mem);
                    self.page_store(p);
                    return;
                }
                if self.pages[p].queue.is_empty() {
                    return;
                }
                let i = self.pages[p].queue.remove(0);
                if !ok {
                    mem.jobs[i].state = JobState::Failed {
                        reason: alisave_core::say::t("why_not_found"),
                    };
                } else if self.zip {
                    // Into the archive in memory: on disk only with the archive.
                    mem.jobs[i].state = JobState::Done;
                    self.pages[p].packed.push(i);
                } else {
                    // A converted file, saved as its own download: the page marks
                    // it (its final name, from now), then Chrome writes it; the
                    // page records it at its next step.
                    mem.jobs[i].state = JobState::Starting { since_ms: self.now };
                    self.pages[p].mem = Some(mem);
                    self.page_store(p);
                    if self.pages[p].stopped {
                        return;
                    }
                    let path = self.stored.jobs[i].path.clone();
                    let id = self.chrome_writes(&path);
                    self.files.push(i);
                    self.pages[p].unrecorded_file = Some((i, id));
                    return;
                }
                self.pages[p].mem = Some(mem);
                self.page_store(p);
            }
            Step::PageFinishes(k) => {
                let Some(p) = self.page(k) else { return };
                let pg = &self.pages[p];
                if !pg.started || pg.stopped || !pg.queue.is_empty() || pg.unrecorded_file.is_some()
                {
                    return;
                }
                let mut mem = self.pages[p].mem.clone().expect("started");
                if self.zip {
                    let packed = self.pages[p].packed.clone();
                    if !packed.is_empty() && self.pages[p].unrecorded_archive.is_none() {
                        // The page marks the hand-over, then Chrome writes the
                        // archive; the page records it at its next step.
                        if let Some(s) = mem.pack.as_mut() {
                            s.archive_started_ms = Some(self.now);
                        }
                        self.pages[p].mem = Some(mem);
                        self.page_store(p);
                        if self.pages[p].stopped {
                            return;
                        }
                        let zip_path = self.stored.pack.as_ref().expect("packed").zip_path.clone();
                        let id = self.chrome_writes(&zip_path);
                        self.archives.push(packed);
                        self.pages[p].unrecorded_archive = Some(id);
                        return;
                    }
                    if let Some(id) = self.pages[p].unrecorded_archive.take() {
                        mem.zip_saved(id);
                    }
                }
                // `finish`: under the lock, only while the writer.
                let me = self.pages[p].writer.clone();
                if !self.stored.written_by(&me) {
                    self.pages[p].stopped = true;
                    return;
                }
                if let Some(s) = mem.pack.as_mut() {
                    s.finished = true;
                }
                self.pages[p].stopped = true;
                if self.write_retrying(&mem) {
                    self.tab_closed(p);
                }
                // Unrecorded: the page stays open and says so.
            }
            Step::ClosePage(k) => {
                if let Some(p) = self.page(k) {
                    self.tab_closed(p);
                }
            }
            Step::ReloadPage(k) => {
                let Some(p) = self.page(k) else { return };
                self.writers += 1;
                let pg = &mut self.pages[p];
                pg.writer = format!("w{}", self.writers);
                pg.started = false;
                pg.stopped = false;
                pg.mem = None;
                pg.queue.clear();
                pg.packed.clear();
                pg.unrecorded_file = None;
                pg.unrecorded_archive = None;
            }
            Step::WorkerCheck => {
                if self.stored.finished() {
                    return;
                }
                let Some(spec) = self.stored.pack.clone() else {
                    return;
                };
                // `runtime.getContexts` lists the live saver pages of the batch.
                let open = self.pages.iter().any(|p| p.alive);
                let tab_exists = spec
                    .saver_tab
                    .map(|t| self.pages.iter().any(|p| p.alive && p.tab == t));
                if self.stored.saver_state(self.now, open, tab_exists) == SaverState::Gone {
                    let mut b = self.stored.clone();
                    self.adopt(&mut b);
                    b.saver_gone();
                    self.write(&b);
                }
            }
            Step::StorageFails => self.fail_next_write = true,
            Step::Retry => {
                let mut b = self.stored.clone();
                if b.retry_failed() == 0 {
                    return;
                }
                if let Some(s) = b.pack.as_mut() {
                    s.finished = false;
                    s.saver_tab = None;
                    s.writer = None;
                }
                b.created_ms = self.now;
                // The worker opens the page only once the retry is recorded.
                if self.write(&b) {
                    self.open_page();
                }
            }
            Step::Tick(ms) => self.now += f64::from(ms),
        }
    }

    /// Where a job's file is on disk (separate files and archives).
    fn copies(&self, i: usize) -> usize {
        self.files.iter().filter(|&&f| f == i).count()
            + self.archives.iter().filter(|a| a.contains(&i)).count()
    }

    fn check(&self) -> Result<(), String> {
        for i in 0..self.stored.jobs.len() {
            let c = self.copies(i);
            if c > 1 {
                return Err(format!("file {i} is on disk {c} times"));
            }
            let j = &self.stored.jobs[i];
            if j.state == JobState::Done && j.saved_download.is_some() && c == 0 {
                return Err(format!("file {i} is called saved but is on disk nowhere"));
            }
        }
        Ok(())
    }

    /// No more failures drawn: live pages run to their end, the worker looks
    /// again once the quiet limit passed. Returns whether the batch finished.
    fn settle(&mut self) -> bool {
        self.fail_next_write = false;
        for _ in 0..8 {
            for p in 0..self.pages.len() {
                if !self.pages[p].alive {
                    continue;
                }
                let k = (0..p).filter(|&q| self.pages[q].alive).count();
                self.run(&Step::PageStarts(k));
                while self.pages[p].alive
                    && !self.pages[p].stopped
                    && (!self.pages[p].queue.is_empty() || self.pages[p].unrecorded_file.is_some())
                {
                    self.run(&Step::PageDoes(k, true));
                }
                self.run(&Step::PageFinishes(k));
                self.run(&Step::PageFinishes(k));
            }
            self.run(&Step::Tick(SAVER_QUIET_MS as u32 + 1));
            self.run(&Step::WorkerCheck);
            if self.stored.finished() {
                return true;
            }
            // A page that stays open without writing (it lost the batch, or
            // could not record its end) is closed by the user in the end.
            for p in 0..self.pages.len() {
                if self.pages[p].alive && self.pages[p].stopped {
                    self.tab_closed(p);
                }
            }
        }
        self.stored.finished()
    }

    fn check_final(&self) -> Result<(), String> {
        if !self.stored.finished() {
            return Err(format!("the batch is stuck: {:?}", self.stored));
        }
        for (i, j) in self.stored.jobs.iter().enumerate() {
            let c = self.copies(i);
            match j.state {
                JobState::Done if c != 1 => {
                    return Err(format!("file {i} done but on disk {c} times"))
                }
                JobState::Failed { .. } if c != 0 => {
                    return Err(format!("file {i} failed but on disk {c} times"))
                }
                JobState::Done | JobState::Failed { .. } => {}
                ref other => return Err(format!("file {i} left {other:?}")),
            }
        }
        let p = self.stored.progress();
        if p.done + p.failed != self.stored.jobs.len() {
            return Err(format!("counts do not add up: {p:?}"));
        }
        Ok(())
    }
}

fn cases() -> u32 {
    std::env::var("ALISAVE_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn a_packed_batch_never_loses_duplicates_or_sticks(
        n in 1usize..6,
        zip in any::<bool>(),
        steps in proptest::collection::vec(step(), 0..60),
    ) {
        let mut w = World::new(n, zip);
        for s in &steps {
            w.run(s);
            if let Err(e) = w.check() {
                prop_assert!(false, "after {s:?}: {e}\nsteps: {steps:?}");
            }
        }
        let settled = w.settle();
        if let Err(e) = w.check_final() {
            prop_assert!(false, "settled: {settled}: {e}\nsteps: {steps:?}");
        }
        // "Retry failed" with every file available: each is saved, once.
        w.run(&Step::Retry);
        w.settle();
        if let Err(e) = w.check().and_then(|()| w.check_final()) {
            prop_assert!(false, "after a retry: {e}\nsteps: {steps:?}");
        }
        let p = w.stored.progress();
        prop_assert_eq!(p.failed, 0, "a retry with every file available left failures: {:?}", p);
    }
}

/// The hole `Batch::zip_saved` closed, replayed: after a retry, the second
/// archive's page is reloaded before that archive reached Chrome; its file is
/// packed again, not taken for saved.
#[test]
fn a_lost_second_archive_is_packed_again() {
    let mut w = World::new(2, true);
    w.run(&Step::PageStarts(0));
    w.run(&Step::PageDoes(0, true));
    w.run(&Step::PageDoes(0, false));
    w.run(&Step::PageFinishes(0));
    w.run(&Step::PageFinishes(0));
    assert_eq!(w.archives, vec![vec![0]]);
    w.run(&Step::Retry);
    w.run(&Step::PageStarts(0));
    w.run(&Step::PageDoes(0, true));
    w.run(&Step::ReloadPage(0));
    assert!(w.settle());
    w.check_final().expect("consistent");
    assert_eq!(w.archives, vec![vec![0], vec![1]]);
}
