//! AliSavePro saver page (`saver.html#<batch id>`), a composition root.
//!
//! Why a page: an MV3 service worker cannot make blob URLs, and the offscreen API
//! needs a permission the privacy policy does not grant. So when a save needs the
//! media bytes (ZIP, format conversion), the worker stores the batch in
//! `chrome.storage.session` and opens this page in a background tab. The page:
//! fetches each file (without cookies), checks the bytes are the original
//! ([`alisave_core::media::check_bytes`], falling back to other CDN copies),
//! converts with the browser's own codecs (`createImageBitmap` +
//! `OffscreenCanvas.convertToBlob`), and either appends it to a ZIP written entry
//! by entry into a `Blob` (memory holds about the files in flight, not the
//! archive) or saves it as its own file. It records every step in the batch, so
//! the button, the badge and the popup show real counts, and closes itself when
//! Chrome has written everything.
//!
//! A file whose bytes cannot be fetched (no host access, CORS, network) is still
//! saved: as a separate, unconverted download of its URL, which needs no access.

use alisave_chrome::i18n::{say as said, t, tf};
use alisave_chrome::{self as chrome, saving, Area};
use alisave_core::engine::{
    badge_text, batch_from_stored, batch_key, stored_batch, Batch, JobState, PackSpec, MAX_ATTEMPTS,
};
use alisave_core::manifest;
use alisave_core::media::{self, BytesProblem, Convert, Sniffed};
use alisave_core::protocol::PopupToContent;
use alisave_core::say::{self, Say};
use alisave_core::zip::{self, ZipStream};
use chrome::FetchError;
use futures_util::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Files fetched at once.
const IN_FLIGHT: usize = 4;

fn set_text(id: &str, text: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        el.set_text_content(Some(text));
    }
}

fn set_attr(id: &str, name: &str, value: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        let _ = el.set_attribute(name, value);
    }
}

async fn load(id: &str) -> Option<Batch> {
    chrome::storage_get(Area::Session, &batch_key(id))
        .await
        .ok()
        .flatten()
        .as_ref()
        .and_then(batch_from_stored)
}

thread_local! {
    /// This page instance's writer token (`PackSpec::writer`): made at start, so a
    /// reloaded page is a new writer and the old one's late steps are refused.
    static WRITER: String = format!("{}-{}", chrome::now_ms(), js_sys::Math::random());
}

fn writer() -> String {
    WRITER.with(Clone::clone)
}

/// Stores a step, if this page still writes the batch (one writer: the worker
/// may have taken the page for gone, or a reloaded page may have taken over).
/// Returns false when it does not: the page then stops.
async fn store(batch: &mut Batch) -> bool {
    let me = writer();
    // The check and the write under the lock the worker takes for its batch
    // changes: between them the worker cannot take the page for gone, nor a
    // reloaded page take over.
    let _held = batches_lock().await;
    if let Some(stored) = load(&batch.id).await {
        if !stored.written_by(&me) {
            set_text("problem", &t("saver_taken_over"));
            return false;
        }
    }
    if let Some(p) = batch.pack.as_mut() {
        p.heartbeat_ms = chrome::now_ms();
    }
    if let Err(e) = write(batch).await {
        set_text("problem", &tf("saver_not_recorded", &[&e.to_string()]));
    }
    true
}

/// Writes the batch, tried again when storage refuses: a step records which
/// files are on disk, and a file on disk the batch does not know of would be
/// failed by the worker and saved again by a retry (`core/tests/saver_model.rs`).
async fn write(batch: &Batch) -> Result<(), chrome::Error> {
    let mut attempt = 1;
    loop {
        match chrome::storage_set(Area::Session, &batch_key(&batch.id), &stored_batch(batch)).await
        {
            Ok(()) => return Ok(()),
            Err(e) if attempt >= MAX_ATTEMPTS => return Err(e),
            Err(_) => {
                chrome::sleep_ms(alisave_core::engine::backoff_ms(attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// The origin's lock over batches (`chrome::locks`), shared with the worker;
/// without it (no Web Locks here) the page goes on as before, and says nothing:
/// the writer token still stops a page that lost the batch at its next step.
async fn batches_lock() -> Option<chrome::locks::Held> {
    chrome::locks::acquire(chrome::locks::BATCHES).await.ok()
}

/// Shows progress here, on the page's button and on the badge.
async fn report(batch: &Batch) {
    let p = batch.progress();
    set_attr("bar", "max", &p.total.to_string());
    set_attr("bar", "value", &(p.done + p.failed).to_string());
    set_text("status", &said(&p.message));
    let _ = chrome::set_badge_text(batch.tab_id, &badge_text(&p)).await;
    let _ = chrome::send_to_tab::<_, serde_json::Value>(
        batch.tab_id,
        &PopupToContent::Progress { progress: p },
    )
    .await;
}

/// The page's entry point (called by `saver.js`).
#[wasm_bindgen]
pub async fn run() {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let id = hash.trim_start_matches('#').to_string();
    let held = batches_lock().await;
    let Some(batch) = load(&id).await else {
        set_text("status", &t("saver_unknown"));
        return;
    };
    let Some(spec) = batch.pack.clone() else {
        set_text("status", &t("saver_not_packed"));
        return;
    };
    let title = batch
        .product
        .title
        .clone()
        .unwrap_or_else(|| batch.product.id.clone());
    set_text("title", &tf("saver_title", &[&title]));
    // This page takes the batch over (first start, reload, or retry): what an
    // earlier instance left unfinished is done again (core::engine rules).
    let mut batch = batch;
    // What an earlier instance had Chrome write but did not record is on disk.
    match saving::downloads_since(batch.created_ms).await {
        Ok(seen) => {
            batch.adopt_saver_downloads(&chrome::runtime_id(), &seen);
        }
        Err(e) => set_text("problem", &tf("saver_not_recorded", &[&e.to_string()])),
    }
    batch.take_over_pack(&writer(), chrome::now_ms());
    if let Err(e) = write(&batch).await {
        // Not the writer on record: every step would be refused. The page says
        // so and closes, and the worker fails the batch with that reason (the
        // user can retry) instead of waiting for a page that writes nothing.
        set_text("problem", &tf("saver_not_recorded", &[&e.to_string()]));
        drop(held);
        if let Some(me) = saving::current_tab_id().await {
            let _ = saving::close_tab(me).await;
        }
        return;
    }
    drop(held);
    let batch = pack_batch(batch, &spec).await;
    report(&batch).await;
    if batch.finished() {
        if let Some(me) = saving::current_tab_id().await {
            let _ = saving::close_tab(me).await;
        }
    }
}

/// What happened to one file's bytes.
struct Ready {
    index: usize,
    /// The bytes to save (original or converted), held by the browser, and
    /// their type, CRC-32 and length.
    body: Body,
    kind: Sniffed,
    /// URL the bytes came from.
    source: String,
    note: Option<Say>,
}

enum Outcome {
    Ready(Ready),
    /// Bytes unavailable to this page; save the URL directly instead.
    Direct {
        index: usize,
        why: FetchError,
    },
    Failed {
        index: usize,
        reason: Say,
    },
}

/// A file's bytes, held by the browser (a `Blob`, which Chrome's blob storage
/// pages to disk when large), and what reading them told us.
struct Body {
    blob: web_sys::Blob,
    /// CRC-32, when read for a ZIP (0 otherwise).
    crc: u32,
    len: u64,
    /// The first bytes (the type is in them).
    head: Vec<u8>,
    animated: bool,
}

/// Bytes of a file the type check looks at.
const HEAD_BYTES: usize = 64;

/// What the saver learns from a file's bytes as they stream past: its length
/// and first bytes always; its CRC-32 when it goes into a ZIP; whether it is
/// animated when it may be converted. Bytes come into wasm only while one of
/// these still needs them (a video saved with conversion on is not copied past
/// its first window), at most [`zip::HASH_WINDOW`] at a time, so wasm memory
/// never grows by more than one window for a file, however large (wasm memory
/// does not shrink once grown).
struct Reading {
    hasher: Option<zip::EntryHasher>,
    scan: Option<media::AnimationScan>,
    head: Vec<u8>,
    window: Vec<u8>,
    len: u64,
}

impl Reading {
    /// `crc`: the file goes into a ZIP; `animation`: it may be converted.
    fn new(crc: bool, animation: bool) -> Reading {
        Reading {
            hasher: crc.then(zip::EntryHasher::new),
            scan: animation.then(media::AnimationScan::new),
            head: Vec::new(),
            window: Vec::new(),
            len: 0,
        }
    }

    fn take(&mut self, piece: &js_sys::Uint8Array) {
        let total = piece.length();
        self.len += u64::from(total);
        let mut at = 0u32;
        while at < total {
            let scanning = self.scan.as_ref().is_some_and(|s| !s.decided());
            if self.hasher.is_none() && !scanning && self.head.len() >= HEAD_BYTES {
                break;
            }
            let end = at.saturating_add(zip::HASH_WINDOW).min(total);
            self.window.resize((end - at) as usize, 0);
            piece.subarray(at, end).copy_to(&mut self.window);
            if let Some(h) = self.hasher.as_mut() {
                h.update(&self.window);
            }
            if let Some(scan) = self.scan.as_mut().filter(|_| scanning) {
                scan.feed(&self.window);
            }
            if self.head.len() < HEAD_BYTES {
                let n = (HEAD_BYTES - self.head.len()).min(self.window.len());
                self.head.extend_from_slice(&self.window[..n]);
            }
            at = end;
        }
    }

    fn body(self, blob: web_sys::Blob) -> Body {
        Body {
            blob,
            crc: self.hasher.map_or(0, |h| h.finish().0),
            len: self.len,
            head: self.head,
            animated: self.scan.is_some_and(|s| s.finish()),
        }
    }
}

/// Reads a body piece by piece into a `Blob` (folded every [`FOLD_BYTES`], so
/// the page holds at most that much of it at once), learning what [`Reading`]
/// learns on the way. Stops at `max_bytes`.
async fn take_body(
    mut pieces: saving::Pieces,
    max_bytes: f64,
    mut reading: Reading,
) -> Result<Body, FetchError> {
    let mut parts = Parts::new("");
    let mut len = 0f64;
    loop {
        match pieces.next().await {
            Ok(Some(piece)) => {
                len += f64::from(piece.length());
                if len > max_bytes {
                    pieces.cancel();
                    return Err(FetchError::TooLarge { max_bytes });
                }
                reading.take(&piece);
                // The piece's memory is reused for the next one: its bytes go
                // into a `Blob` of their own now (copied out of the JS heap).
                let n = piece.length() as usize;
                let part = blob_of(&[piece.into()], "").map_err(FetchError::Other)?;
                parts.push(part.into(), n);
            }
            Ok(None) => break,
            Err(_) => return Err(FetchError::CutShort),
        }
    }
    let blob = parts
        .finish()
        .map_err(|e| FetchError::Other(e.to_string()))?;
    Ok(reading.body(blob))
}

/// Reads a `Blob` the page made (a converted image) for what `reading` learns.
async fn read_blob(blob: web_sys::Blob, mut reading: Reading) -> Result<Body, Say> {
    let mut pieces = saving::Pieces::of(Some(blob.stream()));
    while let Some(piece) = pieces.next().await.map_err(Say::plain)? {
        reading.take(&piece);
    }
    Ok(reading.body(blob))
}

/// Why a fetch got no bytes, for the user (from here the server is an image server).
fn fetch_problem(e: &FetchError) -> Say {
    match e {
        FetchError::Unreachable(_) => say::t("why_no_access"),
        other => other.say(),
    }
}

/// Fetches `url` and reads its body, with retries for transient errors (5xx, a
/// body that broke off), like the engine. Also the Content-Type. `crc` and
/// `animation`: what the body is read for ([`Reading::new`]).
async fn fetch_retrying(
    url: &str,
    crc: bool,
    animation: bool,
) -> Result<(String, Body), FetchError> {
    let mut attempt = 1;
    loop {
        let got = match saving::fetch_media(url, media::MAX_MEDIA_BYTES).await {
            Ok(f) => take_body(f.body, media::MAX_MEDIA_BYTES, Reading::new(crc, animation))
                .await
                .map(|b| (f.content_type, b)),
            Err(e) => Err(e),
        };
        match got {
            Ok(f) => return Ok(f),
            Err(e) => {
                if !e.is_transient() || attempt >= MAX_ATTEMPTS {
                    return Err(e);
                }
                chrome::sleep_ms(alisave_core::engine::backoff_ms(attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// Fetches one file and gets its bytes ready: the original (or the next-best
/// copy), converted when asked.
async fn prepare(index: usize, url: String, original: String, spec: PackSpec) -> Outcome {
    let wanted = spec.format.conversion(spec.quality);
    let mut candidates = vec![url.clone()];
    candidates.extend(media::fallback_urls(&original));
    candidates.dedup();
    let mut first_problem: Option<Say> = None;
    let mut best_effort: Option<(Body, Sniffed, String, BytesProblem)> = None;
    let mut got: Option<(Body, Sniffed, String)> = None;
    for (n, candidate) in candidates.iter().enumerate() {
        match fetch_retrying(candidate, spec.zip, wanted.is_some()).await {
            Ok((content_type, body)) => {
                match media::check_bytes(candidate, &content_type, &body.head) {
                    Ok(kind) => {
                        got = Some((body, kind, candidate.clone()));
                        break;
                    }
                    Err(problem) => {
                        if let BytesProblem::Reencoded { got: k, .. } = &problem {
                            if best_effort.is_none() {
                                best_effort = Some((body, *k, candidate.clone(), problem.clone()));
                            }
                        }
                        first_problem.get_or_insert(problem.say());
                    }
                }
            }
            Err(e) if n == 0 => {
                // Bytes this page may not read, or too many to hold: Chrome can
                // still save the file as it is.
                if matches!(e, FetchError::Unreachable(_) | FetchError::TooLarge { .. }) {
                    return Outcome::Direct { index, why: e };
                }
                // 404 and friends: the copies elsewhere are tried, the reason kept.
                first_problem.get_or_insert(fetch_problem(&e));
            }
            Err(_) => {}
        }
    }
    let (body, kind, source, mut note) = match (got, best_effort) {
        (Some((b, k, src)), _) => {
            let note = (src != url).then(|| match first_problem {
                Some(p) => say::tf("note_saved_original_from", &[p.into(), (&src).into()]),
                None => say::tf("note_saved_from", &[(&src).into()]),
            });
            (b, k, src, note)
        }
        (None, Some((b, k, src, problem))) => {
            let note = say::tf("note_saved_as_sent", &[problem.say().into()]);
            (b, k, src, Some(note))
        }
        (None, None) => {
            return Outcome::Failed {
                index,
                reason: first_problem.unwrap_or_else(|| say::t("why_could_not_download")),
            }
        }
    };
    // Animation only matters when the file would be converted (the scan ran as
    // the bytes streamed in).
    let decision = match media::convert_decision(wanted, kind, false) {
        Convert::To { .. } if body.animated => media::convert_decision(wanted, kind, true),
        d => d,
    };
    match decision {
        Convert::Keep(why) => {
            if let Some(w) = why {
                note = Some(match note {
                    Some(n) => n.then(w),
                    None => w,
                });
            }
            Outcome::Ready(Ready {
                index,
                body,
                kind,
                source,
                note,
            })
        }
        Convert::To { target, quality } => {
            match convert(&body.blob, kind, target, quality, spec.zip).await {
                Ok(out) => {
                    let (from, to) = (kind.name().into(), target.name().into());
                    let c = match quality {
                        Some(q) => say::tf(
                            "note_converted_quality",
                            &[from, to, ((q * 100.0).round() as u32).into()],
                        ),
                        None => say::tf("note_converted", &[from, to]),
                    };
                    Outcome::Ready(Ready {
                        index,
                        body: out,
                        kind: target,
                        source,
                        note: Some(match note {
                            Some(n) => n.then(c),
                            None => c,
                        }),
                    })
                }
                Err(e) => Outcome::Ready(Ready {
                    index,
                    body,
                    kind,
                    source,
                    note: Some(say::tf(
                        "note_not_converted",
                        &[target.name().into(), e.into()],
                    )),
                }),
            }
        }
    }
}

fn js_text(e: JsValue) -> String {
    chrome::js_error_text(&e)
}

/// A browser error, said as the browser said it.
fn js_say(e: JsValue) -> Say {
    Say::plain(js_text(e))
}

/// Re-encodes an image with the browser's own decoder and encoder.
/// `crc`: the result goes into a ZIP (its CRC-32 is taken as it is read back).
async fn convert(
    bytes: &web_sys::Blob,
    from: Sniffed,
    to: Sniffed,
    quality: Option<f64>,
    crc: bool,
) -> Result<Body, Say> {
    let window = web_sys::window().ok_or_else(|| Say::plain("no window"))?;
    let blob = blob_of(&[bytes.into()], from.mime()).map_err(Say::plain)?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(&blob)
            .map_err(js_say)?,
    )
    .await
    .map_err(|_| say::t("why_not_decodable"))?
    .dyn_into()
    .map_err(|_| say::t("why_not_decodable"))?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let canvas = web_sys::OffscreenCanvas::new(w, h).map_err(js_say)?;
    let ctx: web_sys::OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js_say)?
        .ok_or_else(|| Say::plain("no 2d context"))?
        .dyn_into()
        .map_err(|_| Say::plain("no 2d context"))?;
    if to == Sniffed::Jpeg {
        // JPEG has no transparency: transparent pixels become white, not black.
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_rect(0.0, 0.0, f64::from(w), f64::from(h));
    }
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0)
        .map_err(js_say)?;
    bitmap.close();
    let options = web_sys::ImageEncodeOptions::new();
    options.set_type(to.mime());
    if let Some(q) = quality {
        options.set_quality(q);
    }
    let out: web_sys::Blob = JsFuture::from(
        canvas
            .convert_to_blob_with_options(&options)
            .map_err(js_say)?,
    )
    .await
    .map_err(js_say)?
    .dyn_into()
    .map_err(|_| Say::plain("not a blob"))?;
    // Chrome silently falls back to PNG for types it cannot encode.
    if out.type_() != to.mime() {
        return Err(say::tf("why_cannot_encode", &[to.name().into()]));
    }
    read_blob(out, Reading::new(crc, false)).await
}

fn blob_of(parts: &[JsValue], mime: &str) -> Result<web_sys::Blob, String> {
    let array: js_sys::Array = parts.iter().collect();
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    web_sys::Blob::new_with_blob_sequence_and_options(&array, &bag).map_err(js_text)
}

/// Bytes of a `Blob` being written not yet folded into it, at most this many.
const FOLD_BYTES: usize = 8 << 20;

/// A `Blob` as it is written (a fetched file, or the archive): the browser's
/// blob storage, which pages large blobs to disk, and the parts written since
/// it was last made. The parts are folded into a new `Blob` every
/// [`FOLD_BYTES`]: memory holds at most that much of it, and the `Blob` is not
/// rebuilt for every part (measured for the archive: 3× slower than folding in
/// batches; BENCHMARKS.md). A `Blob` made of `Blob`s refers to them: folding
/// copies no bytes already folded.
struct Parts {
    mime: &'static str,
    blob: Option<web_sys::Blob>,
    pending: Vec<JsValue>,
    pending_bytes: usize,
    error: Option<String>,
}

impl Parts {
    fn new(mime: &'static str) -> Parts {
        Parts {
            mime,
            blob: None,
            pending: Vec::new(),
            pending_bytes: 0,
            error: None,
        }
    }

    fn push(&mut self, part: JsValue, len: usize) {
        self.pending.push(part);
        self.pending_bytes = self.pending_bytes.saturating_add(len);
        if self.pending_bytes >= FOLD_BYTES {
            self.fold();
        }
    }

    fn fold(&mut self) {
        let mut parts: Vec<JsValue> = self.blob.take().map(JsValue::from).into_iter().collect();
        parts.append(&mut self.pending);
        self.pending_bytes = 0;
        match blob_of(&parts, self.mime) {
            Ok(b) => self.blob = Some(b),
            Err(e) => {
                self.error
                    .get_or_insert(format!("the browser could not hold the bytes ({e})"));
            }
        }
    }

    /// The whole `Blob` (an empty one when nothing was written).
    fn finish(mut self) -> Result<web_sys::Blob, String> {
        self.fold();
        match (self.error, self.blob) {
            (None, Some(b)) => Ok(b),
            (Some(e), _) => Err(e),
            // An empty body: the type check says so, in its words.
            (None, None) => blob_of(&[], self.mime),
        }
    }
}

/// A blob URL for `blob` (revoked by the caller once Chrome has the file).
fn url_of(blob: &web_sys::Blob) -> Result<String, String> {
    web_sys::Url::create_object_url_with_blob(blob).map_err(js_text)
}

/// A file Chrome has written: its download id and size.
struct Saved {
    id: i64,
    size: f64,
}

/// Hands a blob URL to Chrome and waits until the file is written.
async fn save_blob(
    blob: &web_sys::Blob,
    path: &str,
    conflict: &str,
    save_as: bool,
) -> Result<Saved, Say> {
    let url = url_of(blob).map_err(|e| say::tf("why_save_failed", &[e.into()]))?;
    let result = save_url(&url, path, conflict, save_as).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    result
}

/// `chrome.downloads.download` of `url` to `path`, waiting for the end; the size.
async fn save_url(url: &str, path: &str, conflict: &str, save_as: bool) -> Result<Saved, Say> {
    let id = chrome::download(&chrome::DownloadOptions {
        url,
        filename: path,
        conflict_action: conflict,
        save_as,
    })
    .await
    .map_err(|e| say::tf("why_not_started", &[e.to_string().into()]))?;
    let item = saving::wait_download(i64::from(id))
        .await
        .map_err(|e| say::tf("why_save_failed", &[e.to_string().into()]))?
        .ok_or_else(|| say::t("why_download_gone"))?;
    if item.state == "complete" {
        Ok(Saved {
            id: item.id,
            size: item.file_size.unwrap_or(0.0),
        })
    } else {
        let reason = item.error.unwrap_or_else(|| "NETWORK_FAILED".into());
        Err(alisave_core::engine::classify_interrupt(&reason).reason())
    }
}

/// The last path component.
fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn set_job(batch: &mut Batch, i: usize, state: JobState, bytes: Option<u64>, note: Option<Say>) {
    if let Some(j) = batch.jobs.get_mut(i) {
        j.state = state;
        if bytes.is_some() {
            j.bytes = bytes;
        }
        if note.is_some() {
            j.note = note;
        }
    }
}

/// Fetches, checks, converts and saves every queued file of the batch.
async fn pack_batch(mut batch: Batch, spec: &PackSpec) -> Batch {
    let queued: Vec<(usize, String, String)> = batch
        .jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| matches!(j.state, JobState::Queued))
        .map(|(i, j)| {
            let original = j.original_url.clone().unwrap_or_else(|| j.url.clone());
            (i, j.url.clone(), original)
        })
        .collect();
    if let Some(p) = batch.pack.as_mut() {
        // The worker follows this tab: closing it fails what is not written yet.
        p.saver_tab = saving::current_tab_id().await;
    }
    for (i, _, _) in &queued {
        set_job(
            &mut batch,
            *i,
            JobState::Starting {
                since_ms: chrome::now_ms(),
            },
            None,
            None,
        );
    }
    if spec.zip {
        // Inside the archive each file sits in its kind's folder; the manifest and
        // the report name files by their place in the archive.
        let base = batch.product_folder.clone();
        for j in batch.jobs.iter_mut() {
            let name = base_name(&j.path).to_string();
            j.path = format!("{base}/{}/{name}", media::zip_folder(j.kind));
        }
    }
    if !store(&mut batch).await {
        return batch;
    }
    report(&batch).await;

    let now_s = (chrome::now_ms() / 1000.0) as i64;
    let mut zip = spec.zip.then(|| ZipStream::new(now_s));
    let mut archive = Parts::new("application/zip");
    let mut packed: Vec<usize> = Vec::new();
    let mut direct: Vec<(usize, FetchError)> = Vec::new();

    let mut stream = futures_util::stream::iter(
        queued
            .into_iter()
            .map(|(i, url, original)| prepare(i, url, original, spec.clone())),
    )
    .buffer_unordered(IN_FLIGHT);
    while let Some(outcome) = stream.next().await {
        match outcome {
            Outcome::Failed { index, reason } => {
                set_job(&mut batch, index, JobState::Failed { reason }, None, None);
            }
            Outcome::Direct { index, why } => direct.push((index, why)),
            Outcome::Ready(r) => {
                let Some(job) = batch.jobs.get(r.index).cloned() else {
                    continue;
                };
                let path = if alisave_core::url::media_extension(&job.path)
                    .and_then(Sniffed::from_ext)
                    == Some(r.kind)
                {
                    job.path.clone()
                } else {
                    media::with_ext(&job.path, r.kind.ext())
                };
                if let Some(j) = batch.jobs.get_mut(r.index) {
                    j.path = path.clone();
                    if r.source != j.url {
                        j.original_url.get_or_insert_with(|| j.url.clone());
                        j.url = r.source.clone();
                    }
                }
                let size = r.body.len;
                match zip.as_mut() {
                    Some(z) => {
                        let entry = format!("{}/{}", media::zip_folder(job.kind), base_name(&path));
                        // Only the header and descriptor come out of wasm; the
                        // file's bytes are in the Blob as fetched (their CRC was
                        // taken as they streamed in).
                        match z.add_hashed(&entry, r.body.crc, r.body.len) {
                            Ok((name, head, tail)) => {
                                archive.push(
                                    js_sys::Uint8Array::from(head.as_slice()).into(),
                                    head.len(),
                                );
                                archive.push(
                                    r.body.blob.clone().into(),
                                    usize::try_from(size).unwrap_or(usize::MAX),
                                );
                                archive.push(
                                    js_sys::Uint8Array::from(tail.as_slice()).into(),
                                    tail.len(),
                                );
                                packed.push(r.index);
                                if let Some(j) = batch.jobs.get_mut(r.index) {
                                    j.path = format!("{}/{name}", batch.product_folder);
                                }
                                set_job(&mut batch, r.index, JobState::Done, Some(size), r.note);
                            }
                            Err(e) => set_job(
                                &mut batch,
                                r.index,
                                JobState::Failed {
                                    reason: say::tf("why_zip_entry", &[e.to_string().into()]),
                                },
                                None,
                                None,
                            ),
                        }
                    }
                    None => {
                        // Marked before Chrome writes it: a page gone before it
                        // records the file leaves it to be adopted, not saved twice.
                        set_job(
                            &mut batch,
                            r.index,
                            JobState::Starting {
                                since_ms: chrome::now_ms(),
                            },
                            None,
                            None,
                        );
                        if !store(&mut batch).await {
                            return batch;
                        }
                        let result = match blob_of(&[r.body.blob.into()], r.kind.mime()) {
                            Ok(blob) => save_blob(&blob, &path, "uniquify", batch.save_as).await,
                            Err(e) => Err(say::tf("why_save_failed", &[e.into()])),
                        };
                        match result {
                            Ok(saved) => {
                                set_job(
                                    &mut batch,
                                    r.index,
                                    JobState::Done,
                                    Some(saved.size as u64),
                                    r.note,
                                );
                                if let Some(j) = batch.jobs.get_mut(r.index) {
                                    j.saved_download = Some(saved.id);
                                }
                            }
                            Err(reason) => set_job(
                                &mut batch,
                                r.index,
                                JobState::Failed { reason },
                                None,
                                None,
                            ),
                        }
                    }
                }
            }
        }
        if !store(&mut batch).await {
            return batch;
        }
        report(&batch).await;
    }
    drop(stream);

    // Files whose bytes this page could not read: saved as they are, separately.
    for (i, why) in direct {
        let Some(job) = batch.jobs.get(i).cloned() else {
            continue;
        };
        let note = if matches!(why, FetchError::Unreachable(_)) {
            say::tf("note_separate_no_access", &[fetch_problem(&why).into()])
        } else {
            say::tf("note_separate", &[fetch_problem(&why).into()])
        };
        // Next to the archive's place, not in a kind folder of its own.
        let path = format!("{}/{}", batch.product_folder, base_name(&job.path));
        if let Some(j) = batch.jobs.get_mut(i) {
            j.path = path.clone();
            j.state = JobState::Starting {
                since_ms: chrome::now_ms(),
            };
        }
        // Marked before Chrome writes it (as above).
        if !store(&mut batch).await {
            return batch;
        }
        match save_url(&job.url, &path, "uniquify", batch.save_as).await {
            Ok(saved) => {
                set_job(
                    &mut batch,
                    i,
                    JobState::Done,
                    Some(saved.size as u64),
                    Some(note),
                );
                if let Some(j) = batch.jobs.get_mut(i) {
                    j.saved_download = Some(saved.id);
                }
            }
            Err(reason) => set_job(&mut batch, i, JobState::Failed { reason }, None, None),
        }
        if !store(&mut batch).await {
            return batch;
        }
        report(&batch).await;
    }

    if zip.is_some() && packed.is_empty() {
        // Nothing went into the archive: no empty ZIP. What was saved (separately)
        // is in the product folder, and the report says so.
        zip = None;
        batch.folder = batch.product_folder.clone();
    }
    let manifest = manifest::manifest(&batch, &batch.product_folder, &chrome::i18n_message);
    match zip {
        Some(mut z) => {
            let mut extra: Vec<(String, String)> = Vec::new();
            if batch.manifest {
                extra.push(("product.json".into(), manifest::manifest_json(&manifest)));
                extra.push(("product.csv".into(), manifest::manifest_csv(&manifest)));
            }
            // The report as it will read once the archive is written.
            let summary = {
                let mut done = batch.clone();
                if let Some(p) = done.pack.as_mut() {
                    p.finished = true;
                }
                said(&done.progress().message)
            };
            extra.push((
                "report.txt".into(),
                manifest::report_text(&manifest, &summary, &chrome::i18n_message),
            ));
            for (name, text) in extra {
                if let Ok((_, chunk)) = z.add(&name, text.as_bytes()) {
                    let n = chunk.len();
                    archive.push(js_sys::Uint8Array::from(chunk.as_slice()).into(), n);
                }
            }
            let result = match z.finish() {
                Ok(tail) => {
                    let n = tail.len();
                    archive.push(js_sys::Uint8Array::from(tail.as_slice()).into(), n);
                    match archive.finish() {
                        Ok(blob) => {
                            // The hand-over marked before Chrome writes the archive:
                            // a page gone before recording it leaves it to be adopted.
                            if let Some(p) = batch.pack.as_mut() {
                                p.archive_started_ms = Some(chrome::now_ms());
                            }
                            if !store(&mut batch).await {
                                return batch;
                            }
                            save_blob(&blob, &spec.zip_path, "uniquify", batch.save_as).await
                        }
                        Err(e) => Err(Say::plain(e)),
                    }
                }
                Err(e) => Err(Say::plain(e.to_string())),
            };
            if let Ok(saved) = &result {
                batch.zip_saved(saved.id);
            }
            if let Err(reason) = result {
                for i in packed {
                    set_job(
                        &mut batch,
                        i,
                        JobState::Failed {
                            reason: say::tf("why_zip_not_saved", &[(&reason).into()]),
                        },
                        None,
                        None,
                    );
                }
            }
        }
        None => {
            if batch.manifest && batch.jobs.iter().any(|j| j.state == JobState::Done) {
                let files = [
                    (
                        "product.json",
                        manifest::manifest_json(&manifest),
                        "application/json",
                    ),
                    ("product.csv", manifest::manifest_csv(&manifest), "text/csv"),
                ];
                for (name, text, mime) in files {
                    let path = format!("{}/{name}", batch.product_folder);
                    let blob = blob_of(&[JsValue::from_str(&text)], mime);
                    if let Err(e) = match blob {
                        Ok(b) => save_blob(&b, &path, "overwrite", false).await,
                        Err(e) => Err(Say::plain(e)),
                    } {
                        batch.warnings.push(alisave_core::Warning::for_user(
                            "manifest",
                            say::tf("warn_manifest_not_saved", &[name.into(), e.into()]),
                        ));
                    }
                }
            }
        }
    }
    batch.manifest_written = true;
    finish(batch).await
}

async fn finish(mut batch: Batch) -> Batch {
    let _held = batches_lock().await;
    // Checked before `finished` is set: a finished batch has no writer.
    let mine = load(&batch.id)
        .await
        .is_none_or(|stored| stored.written_by(&writer()));
    if !mine {
        set_text("problem", &t("saver_taken_over"));
        return batch;
    }
    if let Some(p) = batch.pack.as_mut() {
        p.finished = true;
        p.heartbeat_ms = chrome::now_ms();
    }
    // This write says which files reached the disk (the archive's download).
    // Unrecorded, the page stays open with the problem shown: closing it would
    // make the worker fail files that are saved, and a retry save them twice.
    if let Err(e) = write(&batch).await {
        set_text("problem", &tf("saver_not_recorded", &[&e.to_string()]));
        if let Some(p) = batch.pack.as_mut() {
            p.finished = false;
        }
    }
    batch
}

/// For the benchmark (`tests/e2e/bench-saving.mjs`): packs `urls` into a ZIP
/// `Blob` as the saver does (each file streamed, checked and hashed on the way,
/// [`IN_FLIGHT`] at a time; the entries' headers from [`ZipStream`]; parts
/// folded into the archive every [`FOLD_BYTES`]), without saving it:
/// `{ size, entries }`.
#[wasm_bindgen]
pub async fn bench_pack(urls: Vec<String>) -> Result<JsValue, JsValue> {
    let mut zip = ZipStream::new((chrome::now_ms() / 1000.0) as i64);
    let mut archive = Parts::new("application/zip");
    let mut entries = 0u32;
    let mut stream = futures_util::stream::iter(
        urls.into_iter()
            .enumerate()
            .map(|(i, u)| async move { (i, fetch_retrying(&u, true, false).await) }),
    )
    .buffer_unordered(IN_FLIGHT);
    while let Some((i, got)) = stream.next().await {
        let (_, body) = got.map_err(|e| JsValue::from_str(&said(&fetch_problem(&e))))?;
        let (_, head, tail) = zip
            .add_hashed(&format!("media/file-{i:03}"), body.crc, body.len)
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        archive.push(js_sys::Uint8Array::from(head.as_slice()).into(), head.len());
        archive.push(
            body.blob.into(),
            usize::try_from(body.len).unwrap_or(usize::MAX),
        );
        archive.push(js_sys::Uint8Array::from(tail.as_slice()).into(), tail.len());
        entries += 1;
    }
    let end = zip
        .finish()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    archive.push(js_sys::Uint8Array::from(end.as_slice()).into(), end.len());
    let blob = archive.finish().map_err(|e| JsValue::from_str(&e))?;
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"size".into(), &blob.size().into())?;
    js_sys::Reflect::set(&o, &"entries".into(), &entries.into())?;
    Ok(o.into())
}

/// The ZIP writer for the benchmark (`tests/e2e/bench.mjs`): the same
/// [`ZipStream`] the saver uses, one entry per call.
#[wasm_bindgen]
pub struct BenchZip(Option<ZipStream>);

#[wasm_bindgen]
impl BenchZip {
    #[wasm_bindgen(constructor)]
    pub fn new() -> BenchZip {
        BenchZip(Some(ZipStream::new(0)))
    }

    /// Adds a file; returns the archive bytes it added.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<js_sys::Uint8Array, JsValue> {
        let z = self.0.as_mut().ok_or("finished")?;
        let (_, chunk) = z.add(name, data).map_err(|e| e.to_string())?;
        Ok(js_sys::Uint8Array::from(chunk.as_slice()))
    }

    /// Adds a file as the saver does: returns `[header, descriptor]`; the
    /// archive is the header, the caller's own `data`, then the descriptor.
    pub fn add_parts(&mut self, name: &str, data: &[u8]) -> Result<js_sys::Array, JsValue> {
        let z = self.0.as_mut().ok_or("finished")?;
        let (_, head, tail) = z.add_parts(name, data).map_err(|e| e.to_string())?;
        Ok(js_sys::Array::of2(
            &js_sys::Uint8Array::from(head.as_slice()),
            &js_sys::Uint8Array::from(tail.as_slice()),
        ))
    }

    /// Writes the central directory; returns the last bytes.
    pub fn finish(&mut self) -> Result<js_sys::Uint8Array, JsValue> {
        let z = self.0.take().ok_or("finished")?;
        let tail = z.finish().map_err(|e| e.to_string())?;
        Ok(js_sys::Uint8Array::from(tail.as_slice()))
    }
}

impl Default for BenchZip {
    fn default() -> Self {
        BenchZip::new()
    }
}
