//! A list of product links to save one after another (issue #14, the queue):
//! the text a user pastes or the text/CSV file they drop, read into the
//! products to open and the lines left out, each with its reason.
//!
//! Rules: every line is read; in a CSV line each cell is tried (quoted cells
//! too), so an export with a title column still works. A link without a scheme
//! (`www.aliexpress.com/item/…`) is read as `https://`. Only product pages of
//! the supported shops are kept ([`crate::url::product_page`]). The same
//! product on another subdomain of its shop (`de.` and `www.aliexpress.com`,
//! `.us`) is the same product: the first line keeps it, later ones are left
//! out as duplicates. Empty lines are skipped silently; a line with no link
//! (a header row) is left out, said so.

use crate::say::{t, tf, tn, Say};
use crate::url::{is_shop_host, product_page};
use crate::Platform;
use serde::{Deserialize, Serialize};

/// Most products one list holds; further lines are left out, said so.
pub const MAX_LINKS: usize = 500;

/// Longest line looked at (longer: not a link).
const MAX_LINE: usize = 8192;

/// A product to open and save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedProduct {
    /// The link as the user gave it (with `https://` when it had no scheme).
    pub url: String,
    pub platform: Platform,
    pub product_id: String,
    /// Its line in the list (1-based).
    pub line: usize,
}

/// A line left out of the queue, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub line: usize,
    /// The line's text (shortened to 200 characters).
    pub text: String,
    pub reason: Say,
}

/// What a list holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Links {
    pub products: Vec<QueuedProduct>,
    pub left_out: Vec<LeftOut>,
}

/// Reads a pasted list or a dropped text/CSV file.
pub fn parse_links(text: &str) -> Links {
    let mut out = Links::default();
    // The same product is the same platform and id, whatever the subdomain.
    let mut seen: Vec<(Platform, String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        let left = |reason: Say| LeftOut {
            line,
            text: trimmed.chars().take(200).collect(),
            reason,
        };
        if trimmed.len() > MAX_LINE {
            out.left_out.push(left(t("queue_not_link")));
            continue;
        }
        let links: Vec<String> = cells(trimmed).filter_map(as_link).collect();
        if links.is_empty() {
            out.left_out.push(left(t("queue_not_link")));
            continue;
        }
        let Some((url, page)) = links
            .iter()
            .find_map(|u| product_page(u).map(|p| (u.clone(), p)))
        else {
            let reason = if links.iter().any(|u| is_shop_link(u)) {
                t("queue_not_product")
            } else {
                t("queue_not_shop")
            };
            out.left_out.push(left(reason));
            continue;
        };
        if let Some((_, _, at)) = seen
            .iter()
            .find(|(p, id, _)| *p == page.platform && *id == page.product_id)
        {
            out.left_out
                .push(left(tf("queue_duplicate", &[(*at as u32).into()])));
            continue;
        }
        if out.products.len() >= MAX_LINKS {
            out.left_out
                .push(left(tn("queue_too_many", MAX_LINKS, &[])));
            continue;
        }
        seen.push((page.platform, page.product_id.clone(), line));
        out.products.push(QueuedProduct {
            url,
            platform: page.platform,
            product_id: page.product_id,
            line,
        });
    }
    out
}

/// The cells of a CSV/TSV line (`,`, `;` or tab), quotes removed; a line
/// without separators is one cell.
fn cells(line: &str) -> impl Iterator<Item = &str> {
    line.split([',', ';', '\t'])
        .map(|c| c.trim().trim_matches('"').trim())
        .filter(|c| !c.is_empty())
}

/// A cell that is a web link: `http(s)://…`, or a host-first link of a shop.
fn as_link(cell: &str) -> Option<String> {
    let lower = cell.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Some(cell.to_string());
    }
    let host = cell.split('/').next().unwrap_or_default();
    (is_shop_host(host) && cell.contains('/')).then(|| format!("https://{cell}"))
}

/// Whether a link is on one of the shops (a page that is not a product).
fn is_shop_link(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    is_shop_host(rest.split(['/', '?', '#']).next().unwrap_or_default())
}

/// Most product tabs a queue has open at once.
pub const MAX_TABS: usize = 2;

/// The pause between opening one product and the next (ms), by default.
pub const DEFAULT_PAUSE_MS: f64 = 3_000.0;

/// Longest pause a user may set (ms).
pub const MAX_PAUSE_MS: f64 = 600_000.0;

/// How long a product's page may take to be read once its tab is open (ms):
/// then it fails ("the page did not load") and its tab closes.
pub const OPEN_LIMIT_MS: f64 = 90_000.0;

/// A product of a queue and where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub url: String,
    pub product_id: String,
    /// The shop (`Platform::slug`).
    #[serde(default)]
    pub platform: String,
    pub state: ItemState,
    /// Times "retry failed" put it back in line: part of its save request id,
    /// so a page read again after a stopped worker finds the batch its first
    /// read made (the engine's `batch_of_request`), and a retry makes a new one.
    #[serde(default)]
    pub tries: u32,
    /// What its save gave, once saved (for the page and the summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<SavedProduct>,
}

/// What a product's batch gave, read from the batch when it finished.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SavedProduct {
    pub title: Option<String>,
    /// The store's name on the page.
    pub shop: Option<String>,
    /// Its folder, or its ZIP file, inside the download folder.
    pub folder: String,
    /// A download of the product (to show its folder), when Chrome has one.
    pub download: Option<i64>,
}

/// Where a queued product is (`data-state` on the queue page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ItemState {
    Waiting,
    /// Its background tab is open (since `since_ms`); its page is being read.
    Opening {
        tab_id: i64,
        #[serde(default)]
        since_ms: f64,
    },
    /// Its files are being saved by the engine's batch (which goes on by the
    /// engine's own no-loss rules, whatever happens to the tab).
    Saving {
        tab_id: Option<i64>,
        batch_id: String,
    },
    Done {
        saved: u32,
        failed: u32,
    },
    Failed {
        reason: Say,
    },
    /// The shop asked for a captcha or a sign-in here: the queue stopped, the
    /// tab is left to the user.
    Paused {
        tab_id: i64,
    },
}

/// What the worker does next for a queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Open this product in a background tab.
    Open(usize),
    /// Nothing before this time (the pause between products).
    WakeAt(f64),
    /// Waiting for a tab, or paused: nothing to start.
    Idle,
    /// Every product is done or failed.
    Finished,
}

/// What a page read of a queued product gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PageOutcome {
    /// Its files are being saved in this batch.
    Saving { batch_id: String },
    /// A captcha, "punish" or sign-in page: never retried in a loop.
    Challenge,
    /// Not saved: a 404, not a product any more, nothing to save…
    Failed { reason: Say },
}

/// The prefix every save request id of the queue that made `request_id` has
/// (`q<queue>-`), when it is a queue's request id.
pub fn prefix_of_request(request_id: &str) -> Option<String> {
    let (queue, _) = request_id.strip_prefix('q')?.split_once('-')?;
    (!queue.is_empty() && queue.bytes().all(|b| b.is_ascii_digit())).then(|| format!("q{queue}-"))
}

/// A product folder no other product of the same queue has: the planned one,
/// or, when another product took it (two products with the same title under a
/// `{title}` template), the folder with the product id added. `taken`: the
/// folders of the queue's other saves, with their product ids. Compared
/// without case (Windows and macOS folders are case-insensitive).
pub fn distinct_folder(folder: &str, product_id: &str, taken: &[(String, String)]) -> String {
    let clash = |f: &str| {
        let f = f.to_lowercase();
        taken
            .iter()
            .any(|(t, id)| id != product_id && t.to_lowercase() == f)
    };
    if !clash(folder) {
        return folder.to_string();
    }
    let mut candidate = format!("{folder}-{product_id}");
    let mut n = 2;
    while clash(&candidate) {
        candidate = format!("{folder}-{product_id}-{n}");
        n += 1;
    }
    candidate
}

/// Where a queued product's tab ended up once loaded (`url` as Chrome gives
/// it: empty when it left the shops' hosts). `None`: a product page, which the
/// content script reads.
pub fn landing(url: &str) -> Option<PageOutcome> {
    if product_page(url).is_some() {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let host = lower
        .split_once("://")
        .map_or("", |(_, r)| r.split(['/', '?', '#']).next().unwrap_or(""));
    if lower.contains("_____tmd_____")
        || lower.contains("/punish")
        || lower.contains("captcha")
        || host.starts_with("login.")
        || host.starts_with("passport.")
        || lower.contains("/login")
    {
        return Some(PageOutcome::Challenge);
    }
    Some(PageOutcome::Failed {
        reason: if url.is_empty() || !is_shop_host(host) {
            t("queue_left_shop")
        } else {
            t("queue_no_longer_product")
        },
    })
}

/// What the worker must carry out after a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    CloseTab(i64),
    /// Show the tab to the user (a captcha to solve).
    BringForward(i64),
    /// Read this product's page again in its tab (after "Resume").
    Reread {
        item: usize,
        tab_id: i64,
    },
}

/// A list of products saved one after another, as stored in
/// `chrome.storage.local` (a stopped worker or a restarted browser goes on
/// from here: [`Queue::after_restart`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    /// Names the queue's save requests ([`Queue::request_id`]); letters and
    /// digits only.
    #[serde(default)]
    pub id: String,
    pub items: Vec<QueueItem>,
    /// The lines of the list that were left out, with their reasons.
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
    /// `products.csv`/`products.json` were written (or tried): not twice.
    #[serde(default)]
    pub summary_written: bool,
    /// Stopped by the user or by a challenge.
    pub paused: bool,
    /// When the last product was opened (ms), for the pause between products.
    #[serde(default)]
    pub last_open_ms: Option<f64>,
    pub pause_ms: f64,
}

impl Queue {
    pub fn new(links: &Links, pause_ms: f64) -> Queue {
        Queue {
            id: String::new(),
            items: links
                .products
                .iter()
                .map(|p| QueueItem {
                    url: p.url.clone(),
                    product_id: p.product_id.clone(),
                    platform: p.platform.slug().to_string(),
                    state: ItemState::Waiting,
                    tries: 0,
                    saved: None,
                })
                .collect(),
            left_out: links.left_out.clone(),
            summary_written: false,
            paused: false,
            last_open_ms: None,
            pause_ms: if pause_ms.is_finite() {
                pause_ms.clamp(0.0, MAX_PAUSE_MS)
            } else {
                DEFAULT_PAUSE_MS
            },
        }
    }

    /// The save request id of `item`'s page read: `q<queue>-<item>-<tries>`
    /// (a valid `protocol::valid_request_id`).
    pub fn request_id(&self, item: usize) -> String {
        let tries = self.items.get(item).map_or(0, |i| i.tries);
        format!("q{}-{item}-{tries}", self.id)
    }

    /// The prefix of every save request id of this queue.
    pub fn request_prefix(&self) -> String {
        format!("q{}-", self.id)
    }

    /// Whether the queue holds tab `tab_id` (reading a product, saving with
    /// it, or stopped at a captcha there).
    pub fn holds_tab(&self, tab_id: i64) -> bool {
        (0..self.items.len()).any(|i| self.tab_of(i) == Some(tab_id))
    }

    /// The product a save request id of this queue names, when it is that
    /// product's current request (not one from before a retry, nor another
    /// queue's).
    pub fn item_of_request(&self, request_id: &str) -> Option<usize> {
        let rest = request_id.strip_prefix(&self.request_prefix())?;
        let (item, _) = rest.split_once('-')?;
        let item: usize = item.parse().ok()?;
        (item < self.items.len() && self.request_id(item) == request_id).then_some(item)
    }

    /// Whether a page's save under `request_id` may make a batch: only while
    /// its product is being read. A cancelled product, one read again after a
    /// retry (a newer request id) or another queue's is refused, so a save
    /// still on its way when the user cancelled never adds files the queue
    /// does not know of.
    pub fn may_save(&self, request_id: &str) -> bool {
        self.item_of_request(request_id)
            .is_some_and(|i| matches!(self.items[i].state, ItemState::Opening { .. }))
    }

    /// A batch was made under `request_id`: its product is saving. Also when
    /// the product was cancelled in the moment between [`Queue::may_save`] and
    /// the batch (its files are coming: a retry must not save them again).
    pub fn batch_made(&mut self, request_id: &str, batch_id: &str) -> Vec<Effect> {
        let Some(i) = self.item_of_request(request_id) else {
            return Vec::new();
        };
        match self.items[i].state {
            ItemState::Opening { .. } => self.read(
                i,
                PageOutcome::Saving {
                    batch_id: batch_id.to_string(),
                },
            ),
            ItemState::Failed { .. } => {
                self.items[i].state = ItemState::Saving {
                    tab_id: None,
                    batch_id: batch_id.to_string(),
                };
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// The product whose page is read in `tab_id`.
    pub fn opening_in(&self, tab_id: i64) -> Option<usize> {
        self.items
            .iter()
            .position(|i| matches!(i.state, ItemState::Opening { tab_id: t, .. } if t == tab_id))
    }

    /// Whether a product's save is under way: only then can a batch's change
    /// (stored or removed) move the queue on (`saved`, `batch_lost`).
    pub fn waits_for_batch(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i.state, ItemState::Saving { .. }))
    }

    /// Whether the queue still has work (not every product done or failed).
    pub fn running(&self) -> bool {
        !self
            .items
            .iter()
            .all(|i| matches!(i.state, ItemState::Done { .. } | ItemState::Failed { .. }))
    }

    /// Tabs the queue holds (reading, saving with its tab, or left to the user).
    pub fn tabs_in_use(&self) -> usize {
        self.items
            .iter()
            .filter(|i| {
                matches!(
                    i.state,
                    ItemState::Opening { .. }
                        | ItemState::Saving {
                            tab_id: Some(_),
                            ..
                        }
                        | ItemState::Paused { .. }
                )
            })
            .count()
    }

    fn tab_of(&self, item: usize) -> Option<i64> {
        match self.items.get(item)?.state {
            ItemState::Opening { tab_id, .. } | ItemState::Paused { tab_id } => Some(tab_id),
            ItemState::Saving { tab_id, .. } => tab_id,
            _ => None,
        }
    }

    /// What to do now.
    pub fn next(&self, now_ms: f64) -> Next {
        if !self.running() {
            return Next::Finished;
        }
        if self.paused || self.tabs_in_use() >= MAX_TABS {
            return Next::Idle;
        }
        // One page loads at a time: the next product opens once the last one
        // was read. So a captcha or sign-in page stops the queue before anything
        // after it is asked of the shop (two tabs at once only overlap one
        // product's saving with the next one's reading).
        if self
            .items
            .iter()
            .any(|i| matches!(i.state, ItemState::Opening { .. }))
        {
            return Next::Idle;
        }
        let Some(i) = self
            .items
            .iter()
            .position(|i| i.state == ItemState::Waiting)
        else {
            return Next::Idle;
        };
        let at = self
            .last_open_ms
            .map_or(f64::NEG_INFINITY, |t| t + self.pause_ms);
        if now_ms < at {
            Next::WakeAt(at)
        } else {
            Next::Open(i)
        }
    }

    /// The worker opened product `item` in `tab_id` (after [`Next::Open`]).
    pub fn opened(&mut self, item: usize, tab_id: i64, now_ms: f64) {
        if let Some(i) = self.items.get_mut(item) {
            if i.state == ItemState::Waiting {
                i.state = ItemState::Opening {
                    tab_id,
                    since_ms: now_ms,
                };
                self.last_open_ms = Some(now_ms);
            }
        }
    }

    /// The tab for `item` could not be opened (after [`Next::Open`]): it fails
    /// with the reason, and the queue goes on with the next one.
    pub fn open_failed(&mut self, item: usize, reason: Say) {
        if let Some(i) = self.items.get_mut(item) {
            if i.state == ItemState::Waiting {
                i.state = ItemState::Failed { reason };
            }
        }
    }

    /// The page of `item` was read.
    pub fn read(&mut self, item: usize, outcome: PageOutcome) -> Vec<Effect> {
        let Some(ItemState::Opening { tab_id, .. }) = self.items.get(item).map(|i| i.state.clone())
        else {
            return Vec::new();
        };
        let (state, effects) = match outcome {
            PageOutcome::Saving { batch_id } => (
                ItemState::Saving {
                    tab_id: Some(tab_id),
                    batch_id,
                },
                Vec::new(),
            ),
            PageOutcome::Challenge => {
                self.paused = true;
                (
                    ItemState::Paused { tab_id },
                    vec![Effect::BringForward(tab_id)],
                )
            }
            PageOutcome::Failed { reason } => {
                (ItemState::Failed { reason }, vec![Effect::CloseTab(tab_id)])
            }
        };
        if let Some(i) = self.items.get_mut(item) {
            i.state = state;
        }
        effects
    }

    /// The batch of `item` finished: its counts and what it gave.
    pub fn saved(
        &mut self,
        item: usize,
        saved: u32,
        failed: u32,
        info: SavedProduct,
    ) -> Vec<Effect> {
        let Some(ItemState::Saving { tab_id, .. }) = self.items.get(item).map(|i| i.state.clone())
        else {
            return Vec::new();
        };
        if let Some(i) = self.items.get_mut(item) {
            i.state = ItemState::Done { saved, failed };
            i.saved = Some(info);
        }
        tab_id.map(Effect::CloseTab).into_iter().collect()
    }

    /// The batch of a saving `item` is gone without an end: the browser was
    /// restarted (batches live in `storage.session`). Its files may be partly
    /// on disk; it is never saved again on its own — the user reads why and
    /// "Retry failed" saves it again.
    pub fn batch_lost(&mut self, item: usize) -> Vec<Effect> {
        let Some(ItemState::Saving { tab_id, .. }) = self.items.get(item).map(|i| i.state.clone())
        else {
            return Vec::new();
        };
        if let Some(i) = self.items.get_mut(item) {
            i.state = ItemState::Failed {
                reason: t("queue_interrupted"),
            };
        }
        tab_id.map(Effect::CloseTab).into_iter().collect()
    }

    /// The user closed tab `tab_id`: a product being read there fails ("the
    /// tab was closed", "Retry failed" reads it again); one stopped at a
    /// captcha there waits for "Resume", which opens it anew; a product saving
    /// goes on without its tab.
    pub fn tab_closed(&mut self, tab_id: i64) {
        for i in &mut self.items {
            match i.state {
                ItemState::Opening { tab_id: tab, .. } if tab == tab_id => {
                    i.state = ItemState::Failed {
                        reason: t("queue_tab_closed"),
                    };
                }
                ItemState::Paused { tab_id: tab } if tab == tab_id => {
                    i.state = ItemState::Waiting;
                }
                ItemState::Saving {
                    tab_id: Some(tab),
                    ref batch_id,
                } if tab == tab_id => {
                    i.state = ItemState::Saving {
                        tab_id: None,
                        batch_id: batch_id.clone(),
                    };
                }
                _ => {}
            }
        }
    }

    /// Pages that took longer than [`OPEN_LIMIT_MS`] to be read fail and
    /// their tabs close.
    pub fn overdue(&mut self, now_ms: f64) -> Vec<Effect> {
        let mut effects = Vec::new();
        for i in &mut self.items {
            if let ItemState::Opening { tab_id, since_ms } = i.state {
                if now_ms - since_ms > OPEN_LIMIT_MS {
                    i.state = ItemState::Failed {
                        reason: t("queue_page_timeout"),
                    };
                    effects.push(Effect::CloseTab(tab_id));
                }
            }
        }
        effects
    }

    /// The page in `tab_id` of a product being read went somewhere that is
    /// not that product: a captcha, "punish" or sign-in page stops the queue
    /// there ([`PageOutcome::Challenge`]); anything else fails the product.
    pub fn landed(&mut self, tab_id: i64, url: &str) -> Vec<Effect> {
        let Some(item) = self.opening_in(tab_id) else {
            return Vec::new();
        };
        match landing(url) {
            Some(outcome) => self.read(item, outcome),
            None => Vec::new(),
        }
    }

    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Goes on: a product stopped at a challenge is read again in its tab
    /// (the user solved it there), then the rest.
    pub fn resume(&mut self, now_ms: f64) -> Vec<Effect> {
        self.paused = false;
        let mut effects = Vec::new();
        for (n, i) in self.items.iter_mut().enumerate() {
            if let ItemState::Paused { tab_id } = i.state {
                i.state = ItemState::Opening {
                    tab_id,
                    since_ms: now_ms,
                };
                effects.push(Effect::Reread { item: n, tab_id });
            }
        }
        effects
    }

    /// Stops the queue: what has not started fails as cancelled and its tabs
    /// close; files being saved finish (their batches are the engine's).
    pub fn cancel(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        for n in 0..self.items.len() {
            let tab = self.tab_of(n);
            let Some(i) = self.items.get_mut(n) else {
                continue;
            };
            if matches!(
                i.state,
                ItemState::Waiting | ItemState::Opening { .. } | ItemState::Paused { .. }
            ) {
                i.state = ItemState::Failed {
                    reason: t("queue_cancelled"),
                };
                effects.extend(tab.map(Effect::CloseTab));
            }
        }
        self.paused = false;
        effects
    }

    /// Puts the failed products back in line (each with a new save request
    /// id) and writes the summary again when they end.
    pub fn retry_failed(&mut self) {
        for i in &mut self.items {
            if matches!(i.state, ItemState::Failed { .. }) {
                i.state = ItemState::Waiting;
                i.tries = i.tries.saturating_add(1);
                self.summary_written = false;
            }
        }
        self.paused = false;
    }

    /// After a stopped worker or a restarted browser: a product whose tab is
    /// gone before it was saving is opened again; one that was saving stays
    /// (its batch resumes by the engine's rules, never saved twice); one paused
    /// at a challenge whose tab is gone waits for "Resume". Returns the pages
    /// to read again in tabs still open.
    pub fn after_restart(&mut self, open_tabs: &[i64]) -> Vec<Effect> {
        let mut effects = Vec::new();
        for (n, i) in self.items.iter_mut().enumerate() {
            match i.state {
                ItemState::Opening { tab_id, .. } if open_tabs.contains(&tab_id) => {
                    effects.push(Effect::Reread { item: n, tab_id });
                }
                ItemState::Opening { tab_id, .. } | ItemState::Paused { tab_id }
                    if !open_tabs.contains(&tab_id) =>
                {
                    i.state = ItemState::Waiting;
                }
                ItemState::Saving {
                    tab_id: Some(t),
                    ref batch_id,
                } if !open_tabs.contains(&t) => {
                    i.state = ItemState::Saving {
                        tab_id: None,
                        batch_id: batch_id.clone(),
                    };
                }
                _ => {}
            }
        }
        effects
    }
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_pasted_list_keeps_product_pages_once_and_says_why_of_the_rest() {
        let text = "\
https://www.aliexpress.com/item/1005004787627817.html
  de.aliexpress.com/item/1005004787627817.html?spm=x  

https://www.alibaba.com/product-detail/Water-Bottle_1600000000001.html
https://aliexpress.ru/item/1005008195850531.html
https://www.aliexpress.com/store/912345
https://example.org/item/1.html
just some words
https://he.aliexpress.com/item/32993251330.html#reviews
";
        let got = parse_links(text);
        let ids: Vec<(usize, &str)> = got
            .products
            .iter()
            .map(|p| (p.line, p.product_id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                (1, "1005004787627817"),
                (4, "1600000000001"),
                (5, "1005008195850531"),
                (9, "32993251330")
            ]
        );
        assert_eq!(got.products[2].platform, Platform::AliExpressRu);
        let left: Vec<(usize, String)> = got
            .left_out
            .iter()
            .map(|l| (l.line, l.reason.english()))
            .collect();
        assert_eq!(
            left,
            [
                (2, "the same product as line 1".to_string()),
                (6, "not a product page".to_string()),
                (7, "not an AliExpress or Alibaba page".to_string()),
                (8, "not a link".to_string()),
            ]
        );
    }

    #[test]
    fn a_csv_export_with_a_header_and_quoted_cells() {
        let csv = "\u{feff}title;url;price\n\"Bottle, blue\";\"https://www.alibaba.com/product-detail/B_1600000000002.html\";3.5\nLamp\thttps://aliexpress.us/item/1005000000000001.html\t9\n";
        let got = parse_links(csv);
        assert_eq!(got.products.len(), 2);
        assert_eq!(got.products[0].product_id, "1600000000002");
        assert_eq!(
            got.products[1].url,
            "https://aliexpress.us/item/1005000000000001.html"
        );
        assert_eq!(got.left_out.len(), 1, "the header row");
        assert_eq!(got.left_out[0].line, 1);
    }

    #[test]
    fn a_list_longer_than_the_limit_keeps_the_first_products() {
        let text: String = (0..MAX_LINKS + 3)
            .map(|i| {
                format!(
                    "https://www.aliexpress.com/item/{}.html\n",
                    1_005_000_000_000_000u64 + i as u64
                )
            })
            .collect();
        let got = parse_links(&text);
        assert_eq!(got.products.len(), MAX_LINKS);
        assert_eq!(got.left_out.len(), 3);
        assert_eq!(
            got.left_out[0].reason.english(),
            format!("more than {MAX_LINKS} links: left for another list")
        );
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            "\u{0}\u{1}",
            "https://",
            "aliexpress.com",
            &"x".repeat(20_000),
            "https://www.aliexpress.com/item/.html",
            ";;;,,,\t\t",
        ] {
            let got = parse_links(text);
            assert!(got.products.is_empty(), "{text:?}");
        }
    }

    fn queue(n: usize) -> Queue {
        let text: String = (0..n)
            .map(|i| {
                format!(
                    "https://www.aliexpress.com/item/{}.html\n",
                    1_005_000_000_000_000u64 + i as u64
                )
            })
            .collect();
        Queue::new(&parse_links(&text), DEFAULT_PAUSE_MS)
    }

    #[test]
    fn products_open_one_at_a_time_a_pause_apart_never_more_than_two_tabs() {
        let mut q = queue(4);
        assert_eq!(q.next(0.0), Next::Open(0));
        q.opened(0, 10, 0.0);
        assert_eq!(q.next(1e9), Next::Idle, "the first page is not read yet");
        q.read(
            0,
            PageOutcome::Saving {
                batch_id: "b0".into(),
            },
        );
        assert_eq!(q.next(1.0), Next::WakeAt(DEFAULT_PAUSE_MS));
        assert_eq!(q.next(DEFAULT_PAUSE_MS), Next::Open(1));
        q.opened(1, 11, DEFAULT_PAUSE_MS);
        q.read(
            1,
            PageOutcome::Saving {
                batch_id: "b1".into(),
            },
        );
        assert_eq!(q.next(1e9), Next::Idle, "two tabs in use");
        assert_eq!(
            q.saved(0, 5, 0, SavedProduct::default()),
            vec![Effect::CloseTab(10)]
        );
        assert_eq!(q.next(1e9), Next::Open(2));
    }

    #[test]
    fn a_captcha_stops_the_queue_and_resume_reads_that_product_again() {
        let mut q = queue(3);
        q.opened(0, 10, 0.0);
        assert_eq!(
            q.read(0, PageOutcome::Challenge),
            vec![Effect::BringForward(10)]
        );
        assert_eq!(q.next(1e9), Next::Idle, "stopped, never retried in a loop");
        assert_eq!(
            q.resume(2.0),
            vec![Effect::Reread {
                item: 0,
                tab_id: 10
            }]
        );
        q.read(
            0,
            PageOutcome::Saving {
                batch_id: "b".into(),
            },
        );
        assert_eq!(q.next(1e9), Next::Open(1));
    }

    #[test]
    fn a_restart_never_saves_a_product_twice() {
        let mut q = queue(3);
        q.opened(0, 10, 0.0);
        q.read(
            0,
            PageOutcome::Saving {
                batch_id: "b0".into(),
            },
        );
        q.opened(1, 11, 5_000.0);
        // The browser restarted: every tab is gone.
        assert!(q.after_restart(&[]).is_empty());
        assert_eq!(
            q.items[0].state,
            ItemState::Saving {
                tab_id: None,
                batch_id: "b0".into()
            },
            "its batch goes on; it is not opened again"
        );
        assert_eq!(q.items[1].state, ItemState::Waiting);
        let back: Queue =
            serde_json::from_str(&serde_json::to_string(&q).expect("json")).expect("stored form");
        assert_eq!(back, q);
    }

    #[test]
    fn cancel_fails_what_has_not_started_and_keeps_what_is_saving() {
        let mut q = queue(3);
        q.opened(0, 10, 0.0);
        q.read(
            0,
            PageOutcome::Saving {
                batch_id: "b0".into(),
            },
        );
        assert!(q.waits_for_batch());
        q.opened(1, 11, 5_000.0);
        assert_eq!(q.cancel(), vec![Effect::CloseTab(11)]);
        assert!(matches!(q.items[0].state, ItemState::Saving { .. }));
        assert!(
            q.waits_for_batch(),
            "a save under way still ends its product"
        );
        let _ = q.batch_lost(0);
        assert!(
            !q.waits_for_batch(),
            "nothing left that a batch change can end"
        );
        assert_eq!(
            q.items[2].state,
            ItemState::Failed {
                reason: t("queue_cancelled")
            }
        );
        assert_eq!(t("queue_cancelled").english(), "cancelled");
    }

    /// The tabs a queue's effects close.
    #[cfg(not(target_arch = "wasm32"))]
    fn close_tabs(effects: Vec<Effect>, open: &mut Vec<i64>) {
        for e in effects {
            if let Effect::CloseTab(t) = e {
                open.retain(|x| *x != t);
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Random orders of page reads, finished batches, pauses, resumes,
        /// cancels, retries and restarts: at most two tabs, opens a pause
        /// apart, nothing opened while paused or while a page loads, no product saved twice, and
        /// the queue always finishes once the shop answers.
        #[test]
        fn the_queue_keeps_its_promises_in_any_order(
            n in 1usize..8,
            steps in proptest::collection::vec((0u8..10, 0usize..8, 0u32..5_000), 0..80),
        ) {
            let mut q = queue(n);
            let mut now = 0.0;
            let mut next_tab = 100;
            let mut open: Vec<i64> = Vec::new();
            let mut saving_entered = vec![0u32; n];
            let mut last_open = f64::NEG_INFINITY;
            // Products whose batch was lost (a browser restart): they may fail.
            let mut lost = vec![false; n];
            let mut made = std::collections::HashSet::new();
            for (kind, k, dt) in steps {
                now += f64::from(dt);
                let before: Vec<ItemState> = q.items.iter().map(|i| i.state.clone()).collect();
                match kind {
                    0 | 1 => if let Next::Open(i) = q.next(now) {
                        proptest::prop_assert!(!q.paused);
                        proptest::prop_assert!(now - last_open >= q.pause_ms);
                        // One page loads at a time: nothing opens while a page
                        // is still being read.
                        proptest::prop_assert!(
                            !q.items.iter().any(|i| matches!(i.state, ItemState::Opening { .. })),
                            "opened while a page was loading"
                        );
                        q.opened(i, next_tab, now);
                        open.push(next_tab);
                        next_tab += 1;
                        last_open = now;
                    },
                    2 => {
                        let i = k % n;
                        // The current request of the product, or one from before a retry.
                        let rid = if dt % 3 == 0 { format!("q{}-{i}-{}", q.id, q.items[i].tries.saturating_sub(1)) } else { q.request_id(i) };
                        let allowed = q.may_save(&rid);
                        let before = q.items[i].state.clone();
                        // One batch per request id (the engine's `batch_of_request`).
                        let e = if (allowed || dt % 5 == 0) && made.insert(rid.clone()) { q.batch_made(&rid, &format!("b{k}")) } else { Vec::new() };
                        if !allowed && !matches!(before, ItemState::Failed { .. }) {
                            proptest::prop_assert_eq!(&q.items[i].state, &before, "a refused request changed its product");
                        }
                        close_tabs(e, &mut open);
                    }
                    3 => { let e = q.read(k % n, PageOutcome::Challenge); close_tabs(e, &mut open); }
                    4 => { let e = q.read(k % n, PageOutcome::Failed { reason: t("queue_not_product") }); close_tabs(e, &mut open); }
                    5 => { let e = q.saved(k % n, 3, 0, SavedProduct::default()); close_tabs(e, &mut open); }
                    6 => { let e = if k % 2 == 0 { q.pause(); vec![] } else { q.resume(now) }; close_tabs(e, &mut open); }
                    7 => if k % 3 == 0 { let e = q.cancel(); close_tabs(e, &mut open); } else { q.retry_failed(); for i in 0..n { if lost[i] && q.items[i].state == ItemState::Waiting { lost[i] = false; saving_entered[i] = 0; } } },
                    8 if k % 4 == 3 => if let Some(&tab) = open.get(dt as usize % open.len().max(1)) {
                        q.tab_closed(tab);
                        open.retain(|x| *x != tab);
                    },
                    8 => match k % 3 {
                        0 => { let e = q.overdue(now + OPEN_LIMIT_MS * f64::from(dt % 2)); close_tabs(e, &mut open); }
                        1 => if let Some(&tab) = open.get(k % open.len().max(1)) {
                            let url = ["https://www.aliexpress.com/_____tmd_____/punish?x5secdata=1", "", "https://www.aliexpress.com/"][dt as usize % 3];
                            let e = q.landed(tab, url); close_tabs(e, &mut open);
                        },
                        _ => { let i = k % n; if matches!(q.items[i].state, ItemState::Saving { .. }) { lost[i] = true; } let e = q.batch_lost(i); close_tabs(e, &mut open); }
                    },
                    _ => { open.clear(); let _ = q.after_restart(&open); }
                }
                for (i, (b, a)) in before.iter().zip(q.items.iter()).enumerate() {
                    if !matches!(b, ItemState::Saving { .. }) && matches!(a.state, ItemState::Saving { .. }) {
                        saving_entered[i] += 1;
                    }
                    if matches!(b, ItemState::Saving { .. } | ItemState::Done { .. }) && !lost[i] {
                        proptest::prop_assert!(
                            matches!(a.state, ItemState::Saving { .. } | ItemState::Done { .. }),
                            "a saving or saved product went back: {:?} -> {:?}", b, a.state
                        );
                    }
                }
                proptest::prop_assert!(q.tabs_in_use() <= MAX_TABS, "{} tabs", q.tabs_in_use());
                proptest::prop_assert!(saving_entered.iter().all(|&c| c <= 1), "saved twice: {:?}", saving_entered);
            }
            // The shop answers from now on: resume, and everything ends.
            let e = q.resume(now);
            close_tabs(e, &mut open);
            for _ in 0..(4 * n + 4) {
                now += q.pause_ms;
                if let Next::Open(i) = q.next(now) {
                    q.opened(i, next_tab, now);
                    next_tab += 1;
                }
                for i in 0..n {
                    if matches!(q.items[i].state, ItemState::Opening { .. }) {
                        q.read(i, PageOutcome::Saving { batch_id: format!("s{i}") });
                    }
                    q.saved(i, 1, 0, SavedProduct::default());
                }
            }
            proptest::prop_assert_eq!(q.next(now), Next::Finished);
        }
    }

    #[test]
    fn two_products_with_the_same_title_never_share_a_folder() {
        let taken = vec![
            ("AliSavePro/Bottle".to_string(), "1".to_string()),
            ("AliSavePro/Lamp".to_string(), "2".to_string()),
            ("AliSavePro/Lamp-3".to_string(), "9".to_string()),
        ];
        assert_eq!(
            distinct_folder("AliSavePro/Cup", "3", &taken),
            "AliSavePro/Cup"
        );
        assert_eq!(
            distinct_folder("AliSavePro/bottle", "3", &taken),
            "AliSavePro/bottle-3",
            "case-insensitive file systems"
        );
        assert_eq!(
            distinct_folder("AliSavePro/Bottle", "1", &taken),
            "AliSavePro/Bottle",
            "its own folder (a retry) is its own"
        );
        assert_eq!(
            distinct_folder("AliSavePro/Lamp", "3", &taken),
            "AliSavePro/Lamp-3-2"
        );
    }

    #[test]
    fn where_a_tab_landed() {
        assert_eq!(
            landing("https://www.aliexpress.com/item/1005004787627817.html"),
            None
        );
        for challenge in [
            "https://www.aliexpress.com/_____tmd_____/punish?x5secdata=abc",
            "https://login.aliexpress.com/?return_url=x",
            "https://passport.alibaba.com/icbu_login.htm",
        ] {
            assert_eq!(
                landing(challenge),
                Some(PageOutcome::Challenge),
                "{challenge}"
            );
        }
        assert_eq!(
            landing(""),
            Some(PageOutcome::Failed {
                reason: t("queue_left_shop")
            })
        );
        assert_eq!(
            landing("https://www.aliexpress.com/"),
            Some(PageOutcome::Failed {
                reason: t("queue_no_longer_product")
            })
        );
        let mut q = queue(2);
        q.opened(0, 7, 0.0);
        assert_eq!(
            q.landed(7, "https://www.aliexpress.com/_____tmd_____/punish?x=1"),
            vec![Effect::BringForward(7)]
        );
        assert!(q.paused);
        assert_eq!(q.landed(8, ""), vec![], "not a tab of the queue");
    }

    #[test]
    fn a_save_on_its_way_when_the_user_cancelled() {
        let mut q = queue(3);
        q.id = "5".into();
        q.opened(0, 7, 0.0);
        q.opened(1, 8, 0.0);
        let (r0, r1) = (q.request_id(0), q.request_id(1));
        assert!(q.may_save(&r0));
        q.cancel();
        assert!(!q.may_save(&r0), "cancelled before its batch: refused");
        // Product 1 passed the check just before the cancel: its batch is
        // recorded, so "Retry failed" does not save it again.
        q.batch_made(&r1, "b1");
        assert!(matches!(
            q.items[1].state,
            ItemState::Saving { tab_id: None, .. }
        ));
        q.retry_failed();
        assert_eq!(
            q.items[1].state,
            ItemState::Saving {
                tab_id: None,
                batch_id: "b1".into()
            }
        );
        assert!(!q.may_save(&r0), "an old request after a retry");
        assert!(q.batch_made(&r0, "late").is_empty());
        assert_eq!(q.items[0].state, ItemState::Waiting);
        assert!(!q.may_save("q6-0-1"), "another queue's");
        assert!(!q.may_save("q5-9-0"));
        assert!(!q.may_save("123-4"));
    }

    #[test]
    fn a_request_names_its_queue_and_tabs_are_known() {
        assert_eq!(prefix_of_request("q17-3-0").as_deref(), Some("q17-"));
        assert_eq!(prefix_of_request("t17-3"), None);
        assert_eq!(prefix_of_request("q-3-0"), None);
        assert_eq!(prefix_of_request("qx-3-0"), None);
        let mut q = queue(2);
        q.id = "17".into();
        assert_eq!(
            prefix_of_request(&q.request_id(1)),
            Some(q.request_prefix())
        );
        q.opened(0, 7, 0.0);
        assert!(q.holds_tab(7));
        assert!(!q.holds_tab(8));
    }

    #[test]
    fn a_tab_the_user_closed() {
        let mut q = queue(3);
        q.opened(0, 7, 0.0);
        q.opened(1, 8, 0.0);
        q.read(1, PageOutcome::Challenge);
        q.tab_closed(7);
        q.tab_closed(8);
        assert_eq!(
            q.items[0].state,
            ItemState::Failed {
                reason: t("queue_tab_closed")
            }
        );
        assert_eq!(q.items[1].state, ItemState::Waiting);
        assert_eq!(q.next(1e12), Next::Idle, "still stopped until Resume");
        q.resume(1e12);
        assert_eq!(q.next(1e12), Next::Open(1));
    }

    #[test]
    fn a_page_that_never_loads_fails_and_its_tab_closes() {
        let mut q = queue(2);
        q.opened(0, 7, 1_000.0);
        assert!(q.overdue(1_000.0 + OPEN_LIMIT_MS).is_empty());
        assert_eq!(
            q.overdue(1_001.0 + OPEN_LIMIT_MS),
            vec![Effect::CloseTab(7)]
        );
        assert_eq!(
            q.items[0].state,
            ItemState::Failed {
                reason: t("queue_page_timeout")
            }
        );
    }

    #[test]
    fn a_batch_lost_with_the_browser_fails_its_product_until_retried() {
        let mut q = queue(1);
        q.id = "17".into();
        assert_eq!(q.request_id(0), "q17-0-0");
        q.opened(0, 7, 0.0);
        q.read(
            0,
            PageOutcome::Saving {
                batch_id: "b".into(),
            },
        );
        q.after_restart(&[]);
        assert!(q.batch_lost(0).is_empty(), "its tab is gone already");
        assert!(matches!(q.items[0].state, ItemState::Failed { .. }));
        assert_eq!(q.next(1e12), Next::Finished);
        q.summary_written = true;
        q.retry_failed();
        assert!(!q.summary_written, "the summary is written again");
        assert_eq!(q.request_id(0), "q17-0-1", "a retry is a new request");
        assert_eq!(q.next(1e12), Next::Open(0));
    }

    #[test]
    fn an_unusable_pause_is_the_default_or_clamped() {
        let links = parse_links("https://www.aliexpress.com/item/1.html");
        assert_eq!(Queue::new(&links, f64::NAN).pause_ms, DEFAULT_PAUSE_MS);
        assert_eq!(Queue::new(&links, -5.0).pause_ms, 0.0);
        assert_eq!(Queue::new(&links, 1e12).pause_ms, MAX_PAUSE_MS);
    }
}
