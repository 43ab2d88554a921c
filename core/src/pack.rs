//! Saving from bytes: what the saver page does with each fetched file (ZIP,
//! format conversion), checked here without I/O.
//!
//! * [`sniff`] / [`check_bytes`] — the original-bytes guarantee: the bytes must be
//!   the media the URL names (a `.jpg` must be JPEG). A CDN that answers with a
//!   re-encoded WebP/AVIF, an HTML error page or nothing is caught, and
//!   [`fallback_urls`] gives the next-best URLs of the same file.
//! * [`convert_decision`] — whether a file is converted (never videos, animated
//!   images, or files already in the wanted format).
//! * [`ZipStream`] — an archive written entry by entry (store method: the media is
//!   already compressed), each call returning only the bytes it added, so the page
//!   can hand them to a `Blob` and hold about one file in memory.
//! * [`manifest_json`], [`manifest_csv`], [`report_text`] — `product.json`,
//!   `product.csv` and the ZIP's `report.txt` (schema in docs/product-manifest.md).

use crate::engine::{Batch, Job, JobState};
use crate::say::{t, tf, Lookup, Say};
use crate::settings::ImageFormat;
use crate::MediaKind;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashSet;
use std::io::Write;
use std::rc::Rc;

/// The shops' image and video CDNs as host patterns: the manifest's
/// `optional_host_permissions`, requested when the user turns on ZIP or
/// conversion (fetching media bytes needs them; separate files do not).
/// Alibaba's video hosts (`gv.videocdn.alibaba.com`, `cloud.video.alibaba.com`)
/// are not here: the shop host permission `*://*.alibaba.com/*` covers them.
/// `xtask/tests/manifest.rs` checks that manifest.json lists exactly these.
pub const CDN_ORIGINS: [&str; 3] = [
    "https://*.alicdn.com/*",
    "https://*.aliexpress-media.com/*",
    "https://cloud.video.taobao.com/*",
];

/// Largest media file the saver page fetches, in bytes. The bytes stream into
/// the browser's blob storage (not into memory: BENCHMARKS.md); the limit keeps
/// an entry well under ZIP's 4 GiB without ZIP64. A larger file is saved as its
/// own download, with a note.
pub const MAX_MEDIA_BYTES: f64 = 2e9;

/// A media type recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sniffed {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    Bmp,
    Mp4,
    Webm,
}

impl Sniffed {
    /// The file extension used for this type.
    pub fn ext(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "jpg",
            Sniffed::Png => "png",
            Sniffed::Gif => "gif",
            Sniffed::Webp => "webp",
            Sniffed::Avif => "avif",
            Sniffed::Bmp => "bmp",
            Sniffed::Mp4 => "mp4",
            Sniffed::Webm => "webm",
        }
    }

    /// The MIME type (what `OffscreenCanvas.convertToBlob` takes).
    pub fn mime(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "image/jpeg",
            Sniffed::Png => "image/png",
            Sniffed::Gif => "image/gif",
            Sniffed::Webp => "image/webp",
            Sniffed::Avif => "image/avif",
            Sniffed::Bmp => "image/bmp",
            Sniffed::Mp4 => "video/mp4",
            Sniffed::Webm => "video/webm",
        }
    }

    /// Human name for reports ("JPEG").
    pub fn name(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "JPEG",
            Sniffed::Png => "PNG",
            Sniffed::Gif => "GIF",
            Sniffed::Webp => "WebP",
            Sniffed::Avif => "AVIF",
            Sniffed::Bmp => "BMP",
            Sniffed::Mp4 => "MP4",
            Sniffed::Webm => "WebM",
        }
    }

    /// The type a file extension names (`jpg`/`jpeg` → JPEG).
    pub fn from_ext(ext: &str) -> Option<Sniffed> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => Sniffed::Jpeg,
            "png" => Sniffed::Png,
            "gif" => Sniffed::Gif,
            "webp" => Sniffed::Webp,
            "avif" => Sniffed::Avif,
            "bmp" => Sniffed::Bmp,
            "mp4" => Sniffed::Mp4,
            "webm" => Sniffed::Webm,
            _ => return None,
        })
    }

    /// Whether this is a video container.
    pub fn is_video(self) -> bool {
        matches!(self, Sniffed::Mp4 | Sniffed::Webm)
    }
}

/// The media type of `b` from its magic bytes, `None` when it is none we save.
pub fn sniff(b: &[u8]) -> Option<Sniffed> {
    let at = |i: usize, sig: &[u8]| b.get(i..i + sig.len()) == Some(sig);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Some(Sniffed::Gif)
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Some(Sniffed::Webp)
    } else if at(0, b"BM") && b.len() > 26 {
        Some(Sniffed::Bmp)
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(Sniffed::Webm)
    } else if at(4, b"ftyp") {
        // ISO base media: the major brand (and compatible brands) say which.
        let end = b
            .get(0..4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize)
            .unwrap_or(0)
            .clamp(16, 64)
            .min(b.len());
        let brands = b.get(8..end).unwrap_or_default();
        if brands.chunks(4).any(|c| c == b"avif" || c == b"avis") {
            Some(Sniffed::Avif)
        } else {
            Some(Sniffed::Mp4)
        }
    } else {
        None
    }
}

/// Whether an image has more than one frame (animated GIF, animated WebP, APNG).
/// Animated images are saved unconverted: the browser's encoders keep one frame.
pub fn is_animated(b: &[u8]) -> bool {
    let mut scan = AnimationScan::new();
    scan.feed(b);
    scan.finish()
}

/// Finds whether an image is animated from its bytes as they arrive, in pieces
/// of any size: the saver feeds it each piece of a download as it streams in,
/// so finding out never needs the whole file in memory (a GIF's frames can
/// be anywhere in it). It walks the file's structure (PNG chunks up to the
/// first `IDAT`, WebP's RIFF chunks and `VP8X` flags, GIF blocks and
/// sub-blocks), keeping only the few header bytes it is reading. Offsets are
/// `u64`: a crafted chunk length near 2^32 moves the walk past the end of the
/// file (which ends it), and never wraps it back, on any target.
///
/// Written by hand: the image crates decode whole images and need `Read` over
/// the whole file; this needs three header walks over a stream.
#[derive(Debug, Clone)]
pub struct AnimationScan {
    /// Bytes fed so far.
    seen: u64,
    /// Offset of the structure to read next.
    next: u64,
    /// Its length, and how much of it is in `buf` yet.
    need: usize,
    have: usize,
    buf: [u8; SNIFF_ANIMATION],
    /// The sniffed header (the file's first bytes).
    head: [u8; SNIFF_ANIMATION],
    step: ScanStep,
    /// GIF image descriptors seen.
    frames: u8,
    found: Option<bool>,
}

/// Header bytes that say the image type and WebP's `VP8X` flags.
const SNIFF_ANIMATION: usize = 21;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScanStep {
    Sniff,
    /// A PNG chunk header: length (BE) and type.
    PngChunk,
    /// A RIFF chunk header: id and length (LE).
    RiffChunk,
    /// The tag of the next GIF block.
    GifBlock,
    /// A GIF image descriptor (the 9 bytes after its tag).
    GifImage,
    /// The length byte of a GIF sub-block.
    GifSubBlock,
}

impl Default for AnimationScan {
    fn default() -> Self {
        Self::new()
    }
}

impl AnimationScan {
    pub fn new() -> Self {
        AnimationScan {
            seen: 0,
            next: 0,
            need: SNIFF_ANIMATION,
            have: 0,
            buf: [0; SNIFF_ANIMATION],
            head: [0; SNIFF_ANIMATION],
            step: ScanStep::Sniff,
            frames: 0,
            found: None,
        }
    }

    /// The next piece of the file.
    pub fn feed(&mut self, piece: &[u8]) {
        let start = self.seen;
        self.seen = start.saturating_add(piece.len() as u64);
        while self.found.is_none() {
            let from = self.next.saturating_add(self.have as u64);
            if from >= self.seen {
                break;
            }
            // Reads go forward: `from` is in this piece, or in the sniffed header
            // (the first structures start inside it).
            let head = self.head;
            let in_head = from < SNIFF_ANIMATION as u64 && self.step != ScanStep::Sniff;
            let rest = if in_head {
                head.get(from as usize..).unwrap_or_default()
            } else {
                let Some(off) = from
                    .checked_sub(start)
                    .and_then(|o| usize::try_from(o).ok())
                else {
                    self.found = Some(false);
                    break;
                };
                piece.get(off..).unwrap_or_default()
            };
            let take = (self.need - self.have).min(rest.len());
            self.buf[self.have..self.have + take].copy_from_slice(&rest[..take]);
            self.have += take;
            if self.have < self.need {
                if in_head {
                    continue; // the rest is in this piece
                }
                break;
            }
            self.have = 0;
            self.read();
        }
    }

    /// Whether it saw animation (a file that ended early is not animated).
    pub fn finish(&self) -> bool {
        match self.found {
            Some(found) => found,
            // A file shorter than the sniffing header: walk what there is.
            None if self.step == ScanStep::Sniff && self.have > 0 => {
                let mut short = AnimationScan {
                    need: self.have,
                    ..AnimationScan::new()
                };
                short.feed(&self.buf[..self.have]);
                short.found == Some(true)
            }
            None => false,
        }
    }

    /// Whether the answer is known (the rest of the file does not matter).
    pub fn decided(&self) -> bool {
        self.found.is_some()
    }

    fn expect(&mut self, at: u64, step: ScanStep, need: usize) {
        self.next = at;
        self.step = step;
        self.need = need;
    }

    /// Acts on the `need` bytes read at `next`.
    fn read(&mut self) {
        let b = self.buf;
        let at = self.next;
        let u32_be = |i: usize| u64::from(u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
        let u32_le = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
        let color_table = |packed: u8| -> u64 {
            if packed & 0x80 != 0 {
                3 << ((packed & 0x07) + 1)
            } else {
                0
            }
        };
        if self.step == ScanStep::Sniff {
            self.head = b;
        }
        match self.step {
            ScanStep::Sniff => match sniff(&b) {
                Some(Sniffed::Png) => self.expect(8, ScanStep::PngChunk, 8),
                Some(Sniffed::Webp) => {
                    if &b[12..16] == b"VP8X" && b[20] & 0x02 != 0 {
                        self.found = Some(true);
                    } else {
                        self.expect(12, ScanStep::RiffChunk, 8);
                    }
                }
                Some(Sniffed::Gif) => {
                    self.expect(13 + color_table(b[10]), ScanStep::GifBlock, 1);
                }
                _ => self.found = Some(false),
            },
            ScanStep::PngChunk => match &b[4..8] {
                b"acTL" => self.found = Some(true),
                b"IDAT" => self.found = Some(false),
                _ => self.expect(at.saturating_add(12 + u32_be(0)), ScanStep::PngChunk, 8),
            },
            ScanStep::RiffChunk => {
                if &b[0..4] == b"ANIM" {
                    self.found = Some(true);
                } else {
                    let len = u32_le(4);
                    self.expect(
                        at.saturating_add(8 + len + (len & 1)),
                        ScanStep::RiffChunk,
                        8,
                    );
                }
            }
            ScanStep::GifBlock => match b[0] {
                0x2C => {
                    self.frames += 1;
                    if self.frames > 1 {
                        self.found = Some(true);
                    } else {
                        self.expect(at + 1, ScanStep::GifImage, 9);
                    }
                }
                // Extension: tag, label, then sub-blocks.
                0x21 => self.expect(at + 2, ScanStep::GifSubBlock, 1),
                // The trailer, or garbage.
                _ => self.found = Some(false),
            },
            ScanStep::GifImage => {
                // The descriptor after its tag, local color table, LZW minimum
                // code size.
                let data = at + 9 + color_table(b[8]) + 1;
                self.expect(data, ScanStep::GifSubBlock, 1);
            }
            ScanStep::GifSubBlock => {
                let n = u64::from(b[0]);
                if n == 0 {
                    self.expect(at + 1, ScanStep::GifBlock, 1);
                } else {
                    self.expect(at + 1 + n, ScanStep::GifSubBlock, 1);
                }
            }
        }
    }
}

/// Why fetched bytes are not the file the URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BytesProblem {
    /// Nothing came back.
    Empty,
    /// Something that is not media (an HTML error or login page, JSON…).
    NotMedia { content_type: String },
    /// Media of another type than the URL names: the CDN re-encoded it.
    Reencoded { expected: Sniffed, got: Sniffed },
}

impl BytesProblem {
    /// What the CDN did, for the user.
    pub fn say(&self) -> Say {
        match self {
            BytesProblem::Empty => t("bytes_empty"),
            BytesProblem::NotMedia { content_type } if content_type.is_empty() => {
                t("bytes_not_media")
            }
            BytesProblem::NotMedia { content_type } => {
                tf("bytes_not_media_type", &[content_type.into()])
            }
            BytesProblem::Reencoded { expected, got } => tf(
                "bytes_reencoded",
                &[got.name().into(), expected.name().into()],
            ),
        }
    }
}

/// Why a file could not be fetched, from the HTTP status the server answered.
pub fn http_problem(status: u16) -> Say {
    match status {
        404 => t("why_not_found"),
        401 | 403 => tf("why_refused_access", &[status.into()]),
        500..=599 => tf("why_server_error_status", &[status.into()]),
        _ => tf("why_http_status", &[status.into()]),
    }
}

/// Checks that `bytes` fetched from `url` are the original file: media, and of the
/// type the URL's extension names (when it names one). Returns the type.
pub fn check_bytes(url: &str, content_type: &str, bytes: &[u8]) -> Result<Sniffed, BytesProblem> {
    if bytes.is_empty() {
        return Err(BytesProblem::Empty);
    }
    let Some(got) = sniff(bytes) else {
        let ct = content_type.split(';').next().unwrap_or("").trim();
        return Err(BytesProblem::NotMedia {
            content_type: ct.chars().take(60).collect(),
        });
    };
    match crate::url::media_extension(url).and_then(Sniffed::from_ext) {
        Some(expected) if expected != got => Err(BytesProblem::Reencoded { expected, got }),
        _ => Ok(got),
    }
}

/// Other URLs of the same file, best first, to try when `url` answered with the
/// wrong bytes: the same `/kf/` key on the other AliExpress image host, then
/// without the SEO slug (`kf/<key>/<slug>.jpg` → `kf/<key>.jpg`, the 2024+ form).
/// Every URL returned is a CDN media URL; none equals `url`.
pub fn fallback_urls(url: &str) -> Vec<String> {
    let Some(orig) = crate::url::original_url(url) else {
        return Vec::new();
    };
    let Some(rest) = orig.strip_prefix("https://") else {
        return Vec::new();
    };
    let Some((host, path)) = rest.split_once('/') else {
        return Vec::new();
    };
    let host = host.to_ascii_lowercase();
    let ae = host.ends_with(".alicdn.com") && host.starts_with("ae0")
        || host.ends_with(".aliexpress-media.com") && host.starts_with("ae-pic-");
    if !ae {
        return Vec::new();
    }
    let other_host = if host.ends_with(".alicdn.com") {
        "ae-pic-a1.aliexpress-media.com"
    } else {
        "ae01.alicdn.com"
    };
    let mut out = vec![format!("https://{other_host}/{path}")];
    // kf/<key>/<slug>.<ext> → kf/<key>.<ext> (only for exactly that shape).
    let parts: Vec<&str> = path.split('/').collect();
    if let [kf, key, slug] = parts.as_slice() {
        if *kf == "kf" && !key.contains('.') {
            if let Some((_, ext)) = slug.rsplit_once('.') {
                for h in [host.as_str(), other_host] {
                    out.push(format!("https://{h}/kf/{key}.{ext}"));
                }
            }
        }
    }
    out.retain(|u| u != url && crate::url::is_cdn_media_url(u));
    out.dedup();
    out
}

/// What happens to one file's bytes before it is saved.
#[derive(Debug, Clone, PartialEq)]
pub enum Convert {
    /// Saved as fetched; the reason is said in the report when there is one.
    Keep(Option<Say>),
    /// Re-encoded by the browser to this type (quality 0..1 for lossy types).
    To {
        target: Sniffed,
        quality: Option<f64>,
    },
}

/// Whether a file of type `got` is converted under `format`/`quality` (percent).
pub fn convert_decision(format: ImageFormat, quality: u8, got: Sniffed, animated: bool) -> Convert {
    let Some(target) = format.target() else {
        return Convert::Keep(None);
    };
    if got.is_video() {
        Convert::Keep(None)
    } else if got == target {
        // Never re-encode a file that already is what was asked: it only loses quality.
        Convert::Keep(None)
    } else if animated {
        Convert::Keep(Some(t("note_animated")))
    } else {
        Convert::To {
            target,
            quality: format
                .has_quality()
                .then(|| f64::from(quality.clamp(1, 100)) / 100.0),
        }
    }
}

/// `path` with its extension replaced by `ext` (`a/b.jpg` → `a/b.png`).
pub fn with_ext(path: &str, ext: &str) -> String {
    let slash = path.rfind('/').map_or(0, |i| i + 1);
    match path[slash..].rfind('.') {
        Some(dot) if dot > 0 => format!("{}.{ext}", &path[..slash + dot]),
        _ => format!("{path}.{ext}"),
    }
}

/// The folder of a batch's files inside a ZIP: one per kind.
pub fn zip_folder(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Gallery => "gallery",
        MediaKind::Variant => "variants",
        MediaKind::Description => "description",
        MediaKind::Video => "videos",
    }
}

/// The CRC-32 and length of a file fed in pieces (for [`ZipStream::add_hashed`]):
/// the saver hands it one window of the fetched bytes at a time.
#[derive(Default)]
pub struct EntryHasher {
    crc: rawzip::Crc32,
    len: u64,
}

impl EntryHasher {
    pub fn new() -> EntryHasher {
        EntryHasher::default()
    }

    /// Feeds the next piece.
    pub fn update(&mut self, piece: &[u8]) {
        self.crc.update(piece);
        self.len += piece.len() as u64;
    }

    /// The CRC-32 and the length of everything fed.
    pub fn finish(&self) -> (u32, u64) {
        (self.crc.checksum(), self.len)
    }
}

/// Bytes of a fetched file the saver copies into wasm at once to hash it.
pub const HASH_WINDOW: u32 = 1024 * 1024;

/// Why the archive could not be written.
#[derive(Debug)]
pub struct ZipError(pub String);

impl std::fmt::Display for ZipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the ZIP archive could not be written: {}", self.0)
    }
}

/// The writer's output buffer, shared with the archive writer and drained after
/// every entry. While `skip` is set, bytes are counted by the archive writer but
/// not kept: the caller already holds them (an entry's data, see
/// [`ZipStream::add_parts`]).
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>, Rc<std::cell::Cell<bool>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.1.get() {
            self.0.borrow_mut().extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A ZIP archive written one entry at a time (rawzip: streaming, store method,
/// data descriptors, ZIP64 when needed). Entry names are unique: a repeated name
/// gets ` (2)`, ` (3)`… before its extension.
pub struct ZipStream {
    archive: rawzip::ZipArchiveWriter<Sink>,
    sink: Sink,
    names: HashSet<String>,
    mtime: rawzip::time::UtcDateTime,
    bytes_out: u64,
}

impl ZipStream {
    /// A new archive whose entries are dated `unix_seconds`.
    pub fn new(unix_seconds: i64) -> ZipStream {
        let sink = Sink::default();
        ZipStream {
            archive: rawzip::ZipArchiveWriter::new(sink.clone()),
            sink,
            names: HashSet::new(),
            mtime: rawzip::time::UtcDateTime::from_unix(unix_seconds),
            bytes_out: 0,
        }
    }

    /// The unique entry name for `name` (which must be a relative `/` path).
    fn unique(&mut self, name: &str) -> String {
        let mut candidate = name.to_string();
        let mut n = 2;
        while !self.names.insert(candidate.to_lowercase()) {
            let slash = name.rfind('/').map_or(0, |i| i + 1);
            candidate = match name[slash..].rfind('.') {
                Some(dot) if dot > 0 => {
                    format!("{} ({n}){}", &name[..slash + dot], &name[slash + dot..])
                }
                _ => format!("{name} ({n})"),
            };
            n += 1;
        }
        candidate
    }

    /// Adds a file; returns its entry name and the archive bytes this added.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<(String, Vec<u8>), ZipError> {
        let (name, mut head, tail) = self.add_parts(name, data)?;
        head.extend_from_slice(data);
        head.extend_from_slice(&tail);
        Ok((name, head))
    }

    /// Adds a file without copying its data out again: returns the entry name,
    /// the bytes that go before the data (local header) and after it (data
    /// descriptor). The archive is `head`, then `data` as given, then `tail`.
    pub fn add_parts(
        &mut self,
        name: &str,
        data: &[u8],
    ) -> Result<(String, Vec<u8>, Vec<u8>), ZipError> {
        let name = self.unique(name);
        let err = |e: rawzip::Error| ZipError(e.to_string());
        let sink = self.sink.clone();
        let take = |s: &Sink| std::mem::take(&mut *s.0.borrow_mut());
        let (mut entry, config) = self
            .archive
            .new_file(name.as_str())
            .compression_method(rawzip::CompressionMethod::STORE)
            .last_modified(self.mtime)
            .unix_permissions(0o644)
            .start()
            .map_err(err)?;
        let head = take(&sink);
        let mut writer = config.wrap(&mut entry);
        sink.1.set(true);
        let written = writer.write_all(data);
        sink.1.set(false);
        written.map_err(|e| ZipError(e.to_string()))?;
        let (_, descriptor) = writer.finish().map_err(err)?;
        entry.finish(descriptor).map_err(err)?;
        let tail = take(&sink);
        self.bytes_out += (head.len() + data.len() + tail.len()) as u64;
        Ok((name, head, tail))
    }

    /// Adds a file whose bytes stay with the caller and were hashed by it in
    /// pieces ([`EntryHasher`]): only the CRC and the length come into wasm, so a
    /// 300 MB video costs no more wasm memory than a thumbnail. Returns what
    /// [`ZipStream::add_parts`] returns for the same bytes.
    pub fn add_hashed(
        &mut self,
        name: &str,
        crc: u32,
        len: u64,
    ) -> Result<(String, Vec<u8>, Vec<u8>), ZipError> {
        let name = self.unique(name);
        let err = |e: rawzip::Error| ZipError(e.to_string());
        let sink = self.sink.clone();
        let take = |s: &Sink| std::mem::take(&mut *s.0.borrow_mut());
        let (mut entry, _config) = self
            .archive
            .new_file(name.as_str())
            .compression_method(rawzip::CompressionMethod::STORE)
            .last_modified(self.mtime)
            .unix_permissions(0o644)
            .crc32(rawzip::Crc32Option::Custom(crc))
            .start()
            .map_err(err)?;
        let head = take(&sink);
        // The entry writer counts the stored bytes as they pass; they are the
        // caller's, so the sink drops them: a zero block stands in for them.
        static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];
        sink.1.set(true);
        let mut left = len;
        let mut written = Ok(());
        while left > 0 && written.is_ok() {
            let n = usize::try_from(left.min(ZEROS.len() as u64)).unwrap_or(ZEROS.len());
            written = entry.write_all(ZEROS.get(..n).unwrap_or(&ZEROS));
            left -= n as u64;
        }
        sink.1.set(false);
        written.map_err(|e| ZipError(e.to_string()))?;
        entry
            .finish(rawzip::DataDescriptorOutput::new(crc, len))
            .map_err(err)?;
        let tail = take(&sink);
        self.bytes_out += head.len() as u64 + len + tail.len() as u64;
        Ok((name, head, tail))
    }

    /// Writes the central directory; returns the last bytes of the archive.
    pub fn finish(self) -> Result<Vec<u8>, ZipError> {
        let sink = self.sink.clone();
        self.archive.finish().map_err(|e| ZipError(e.to_string()))?;
        let out = std::mem::take(&mut *sink.0.borrow_mut());
        Ok(out)
    }

    /// Bytes written so far (the archive's size up to now).
    pub fn bytes_out(&self) -> u64 {
        self.bytes_out
    }
}

/// Schema identifier written into every `product.json`.
pub const MANIFEST_SCHEMA: &str = "alisavepro.product/1";

/// One file in `product.json` / `product.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestFile {
    /// Path relative to the product folder (or inside the ZIP).
    pub file: String,
    pub kind: MediaKind,
    pub variant: Option<String>,
    /// The URL the bytes were downloaded from.
    pub source_url: String,
    /// The original-resolution URL of the media on the page.
    pub original_url: String,
    /// Size in bytes on disk, when known.
    pub size: Option<u64>,
    /// `saved` or `failed`.
    pub status: &'static str,
    /// Why it failed, or what was done to it (converted, fallback URL…).
    pub note: Option<String>,
}

/// `product.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub schema: &'static str,
    pub product_id: String,
    pub platform: String,
    pub title: Option<String>,
    pub shop: Option<String>,
    pub page_url: String,
    /// When the save started, ISO 8601 UTC.
    pub saved_at: String,
    pub files: Vec<ManifestFile>,
}

/// `ms` since the Unix epoch as ISO 8601 UTC (`2026-11-30T04:05:06Z`).
pub fn iso_utc(ms: f64) -> String {
    let secs = if ms.is_finite() {
        (ms / 1000.0).floor() as i64
    } else {
        0
    };
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    )
}

/// The file's path relative to the product folder `base`.
fn relative<'a>(path: &'a str, base: &str) -> &'a str {
    path.strip_prefix(base)
        .and_then(|p| p.strip_prefix('/'))
        .unwrap_or(path)
}

/// The manifest of a batch. `base` is the product folder (file paths are
/// relative to it); notes are written in the language of `look`.
pub fn manifest(batch: &Batch, base: &str, look: Lookup<'_>) -> Manifest {
    let files = batch
        .jobs
        .iter()
        .map(|j: &Job| {
            let (status, note) = match &j.state {
                JobState::Done => ("saved", j.note.as_ref()),
                JobState::Failed { reason } => ("failed", Some(reason)),
                _ => ("pending", j.note.as_ref()),
            };
            let note = note.map(|n| n.render(look));
            ManifestFile {
                file: relative(&j.path, base).to_string(),
                kind: j.kind,
                variant: j.variant.clone(),
                source_url: j.url.clone(),
                original_url: j.original_url.clone().unwrap_or_else(|| j.url.clone()),
                size: j.bytes,
                status,
                note,
            }
        })
        .collect();
    Manifest {
        schema: MANIFEST_SCHEMA,
        product_id: batch.product.id.clone(),
        platform: batch.product.platform.clone(),
        title: batch.product.title.clone(),
        shop: batch.product.shop.clone(),
        page_url: batch.product.page_url.clone(),
        saved_at: iso_utc(batch.created_ms),
        files,
    }
}

/// `product.json` text.
pub fn manifest_json(m: &Manifest) -> String {
    let mut s = serde_json::to_string_pretty(m).unwrap_or_default();
    s.push('\n');
    s
}

/// One CSV field (RFC 4180 quoting). Text that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'`: titles and
/// variant names come from the page and must not become formulas in the
/// dropshipper's spreadsheet. (Hand-written: ten lines, where the `csv` crate
/// would add its weight to the worker for one writer call.)
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `product.csv`: a header row, then one row per file with the product columns
/// repeated (one flat table imports everywhere). UTF-8 with a BOM so that
/// spreadsheet programs read Cyrillic/CJK titles correctly.
pub fn manifest_csv(m: &Manifest) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("product_id,platform,title,shop,page_url,saved_at,file,kind,variant,source_url,original_url,size,status,note\r\n");
    for f in &m.files {
        let size = f.size.map(|s| s.to_string()).unwrap_or_default();
        let row = [
            m.product_id.as_str(),
            m.platform.as_str(),
            m.title.as_deref().unwrap_or(""),
            m.shop.as_deref().unwrap_or(""),
            m.page_url.as_str(),
            m.saved_at.as_str(),
            f.file.as_str(),
            f.kind.as_str(),
            f.variant.as_deref().unwrap_or(""),
            f.source_url.as_str(),
            f.original_url.as_str(),
            size.as_str(),
            f.status,
            f.note.as_deref().unwrap_or(""),
        ];
        let row: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// `report.txt` inside a ZIP: the final report, then every file with its
/// status (`saved`/`failed`, as in `product.csv`) and note.
pub fn report_text(m: &Manifest, summary: &str, look: Lookup<'_>) -> String {
    let mut out = format!(
        "AliSavePro — {}\n{}\n{}\n\n{}\n\n",
        m.title.as_deref().unwrap_or(&m.product_id),
        m.page_url,
        tf("report_txt_saved_at", &[m.saved_at.as_str().into()]).render(look),
        summary
    );
    for f in &m.files {
        out.push_str(&format!("{:<7} {}", f.status, f.file));
        if let Some(n) = &f.note {
            out.push_str(&format!(" — {n}"));
        }
        out.push('\n');
    }
    out
}

/// The whole-file walk `AnimationScan` replaced, kept as the reference the
/// streaming scan is tested against.
#[cfg(test)]
mod reference {
    use super::{sniff, Sniffed};

    pub fn is_animated(b: &[u8]) -> bool {
        match sniff(b) {
            Some(Sniffed::Gif) => gif_frames(b) > 1,
            Some(Sniffed::Webp) => {
                // VP8X header: flags byte at 20, bit 1 = animation; or an ANIM chunk.
                (b.get(12..16) == Some(b"VP8X") && b.get(20).is_some_and(|f| f & 0x02 != 0))
                    || riff_chunks(b).any(|id| id == *b"ANIM")
            }
            Some(Sniffed::Png) => png_chunks(b).any(|id| id == *b"acTL"),
            _ => false,
        }
    }

    /// Counts image descriptors of a GIF, walking its blocks (stops at 2).
    fn gif_frames(b: &[u8]) -> usize {
        let Some(&packed) = b.get(10) else { return 0 };
        let mut i = 13;
        if packed & 0x80 != 0 {
            i += 3 * (1usize << ((packed & 0x07) + 1));
        }
        let mut frames = 0;
        // Skips sub-blocks starting at `i`; returns the index after the terminator.
        let skip_blocks = |mut i: usize| -> Option<usize> {
            loop {
                let n = *b.get(i)? as usize;
                i += 1 + n;
                if n == 0 {
                    return Some(i);
                }
            }
        };
        while let Some(&tag) = b.get(i) {
            match tag {
                0x2C => {
                    frames += 1;
                    if frames > 1 {
                        break;
                    }
                    let Some(&p) = b.get(i + 9) else { break };
                    i += 10;
                    if p & 0x80 != 0 {
                        i += 3 * (1usize << ((p & 0x07) + 1));
                    }
                    i += 1; // LZW minimum code size
                    match skip_blocks(i) {
                        Some(n) => i = n,
                        None => break,
                    }
                }
                0x21 => match skip_blocks(i + 2) {
                    Some(n) => i = n,
                    None => break,
                },
                _ => break, // 0x3B trailer or garbage
            }
        }
        frames
    }

    /// Chunk ids of a RIFF (WebP) file. All offset arithmetic is checked: on wasm32
    /// `usize` is 32 bits, and a crafted chunk length near 2^32 must end the walk,
    /// never wrap it back to an earlier offset (that loops forever).
    fn riff_chunks(b: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
        let mut i = 12usize;
        std::iter::from_fn(move || {
            let id: [u8; 4] = b.get(i..i.checked_add(4)?)?.try_into().ok()?;
            let len: [u8; 4] = b
                .get(i.checked_add(4)?..i.checked_add(8)?)?
                .try_into()
                .ok()?;
            let len = usize::try_from(u32::from_le_bytes(len)).unwrap_or(usize::MAX);
            // Past the end on overflow: this chunk is read, the walk ends at the next.
            i = i
                .checked_add(8)
                .and_then(|n| n.checked_add(len))
                .and_then(|n| n.checked_add(len & 1))
                .unwrap_or(usize::MAX);
            Some(id)
        })
    }

    /// Chunk types of a PNG file, up to the first IDAT (checked arithmetic, as
    /// [`riff_chunks`]).
    fn png_chunks(b: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
        let mut i = 8usize;
        std::iter::from_fn(move || {
            let len: [u8; 4] = b.get(i..i.checked_add(4)?)?.try_into().ok()?;
            let id: [u8; 4] = b
                .get(i.checked_add(4)?..i.checked_add(8)?)?
                .try_into()
                .ok()?;
            if &id == b"IDAT" {
                return None;
            }
            let len = usize::try_from(u32::from_be_bytes(len)).unwrap_or(usize::MAX);
            i = i
                .checked_add(12)
                .and_then(|n| n.checked_add(len))
                .unwrap_or(usize::MAX);
            Some(id)
        })
    }
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\0\0\0\0\0\0\0\0\0IDAT";

    fn webp(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        for (id, data) in chunks {
            body.extend_from_slice(*id);
            body.extend_from_slice(&(data.len() as u32).to_le_bytes());
            body.extend_from_slice(data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    fn gif(frames: usize) -> Vec<u8> {
        let mut g = b"GIF89a\x01\0\x01\0\x80\0\0".to_vec();
        g.extend_from_slice(&[0, 0, 0, 255, 255, 255]); // 2-colour table
        g.extend_from_slice(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01\0\0\0");
        for _ in 0..frames {
            g.extend_from_slice(b"\x21\xF9\x04\0\x0A\0\0\0");
            g.extend_from_slice(b"\x2C\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0");
        }
        g.push(0x3B);
        g
    }

    #[test]
    fn sniffs_every_saved_type() {
        assert_eq!(sniff(JPEG), Some(Sniffed::Jpeg));
        assert_eq!(sniff(PNG), Some(Sniffed::Png));
        assert_eq!(sniff(&gif(1)), Some(Sniffed::Gif));
        assert_eq!(sniff(&webp(&[(b"VP8 ", b"x")])), Some(Sniffed::Webp));
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"),
            Some(Sniffed::Avif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41"),
            Some(Sniffed::Mp4)
        );
        assert_eq!(sniff(&[0x1A, 0x45, 0xDF, 0xA3, 1]), Some(Sniffed::Webm));
        assert_eq!(sniff(b"<!DOCTYPE html><title>404</title>"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(&[0xFF, 0xD8]), None, "cut short");
    }

    /// Chunk lengths near 2^32 end the chunk walk (on wasm32, where `usize` is 32
    /// bits, unchecked offsets wrapped back to the start and looped forever).
    #[test]
    fn huge_chunk_lengths_end_the_walk() {
        for len in [
            0xFFFF_FFF8u32,
            0xFFFF_FFF4,
            0xFFFF_FFFF,
            0x8000_0000,
            0xFFFF_FFF0,
        ] {
            // WebP: a VP8L chunk whose length wraps `8 + len + (len & 1)`, then ANIM.
            let mut w = b"RIFF\0\0\0\0WEBPVP8L".to_vec();
            w.extend_from_slice(&len.to_le_bytes());
            w.extend_from_slice(b"ANIM\x06\0\0\0\0\0\0\0\0\0");
            assert!(!is_animated(&w), "{len:#x}");
            assert!(!reference::is_animated(&w), "{len:#x}");
            // PNG: an IHDR whose length wraps `12 + len`, then acTL.
            let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
            p.extend_from_slice(&len.to_be_bytes());
            p.extend_from_slice(b"IHDR");
            p.extend_from_slice(b"\0\0\0\x08acTL\0\0\0\x02\0\0\0\0");
            assert!(!is_animated(&p), "{len:#x}");
            assert!(!reference::is_animated(&p), "{len:#x}");
        }
    }

    /// Images of every animated type and their truncations, for the scans.
    fn animation_samples() -> Vec<Vec<u8>> {
        let mut apng =
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\0\0\0\0".to_vec();
        apng.extend_from_slice(b"\0\0\0\x08acTL\0\0\0\x02\0\0\0\0\0\0\0\0");
        let whole = vec![
            gif(0),
            gif(1),
            gif(2),
            gif(5),
            PNG.to_vec(),
            apng,
            b"\x89PNG\r\n\x1a\n\0\0\0\x08acTL\0\0\0\x02\0\0\0\0".to_vec(),
            // Frames right after the global colour table (inside the header).
            b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0\x3b"
                .to_vec(),
            webp(&[(b"VP8 ", b"data")]),
            webp(&[(b"VP8X", &[0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0])]),
            webp(&[(b"VP8X", &[0; 10]), (b"ANIM", &[0; 6])]),
            webp(&[(b"VP8X", &[0; 10]), (b"ICCP", b"odd"), (b"ANIM", &[0; 6])]),
            JPEG.to_vec(),
        ];
        let mut out = Vec::new();
        for w in whole {
            for n in 0..=w.len() {
                out.push(w[..n].to_vec());
            }
        }
        out
    }

    /// Fed in pieces of any size, the streaming scan answers as the whole-file
    /// walk it replaced.
    #[test]
    fn the_streaming_scan_answers_as_the_whole_file_walk() {
        for sample in animation_samples() {
            let expected = reference::is_animated(&sample);
            assert_eq!(is_animated(&sample), expected, "{sample:?}");
            for piece in 1..=9 {
                let mut scan = AnimationScan::new();
                for p in sample.chunks(piece) {
                    scan.feed(p);
                }
                assert_eq!(scan.finish(), expected, "pieces of {piece}: {sample:?}");
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Random bytes, behind each real header, cut at random places.
        #[test]
        fn streaming_scan_matches_the_walk_on_any_input(
            head in 0usize..6,
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            cuts in proptest::collection::vec(1usize..40, 0..20),
        ) {
            let heads: [&[u8]; 6] = [
                b"",
                b"\x89PNG\r\n\x1a\n",
                b"GIF89a\x01\0\x01\0\x00\0\0",
                b"GIF89a\x01\0\x01\0\x81\0\0",
                b"RIFF\0\0\0\0WEBPVP8X",
                b"RIFF\0\0\0\0WEBP",
            ];
            let mut file = heads[head].to_vec();
            file.extend_from_slice(&body);
            let mut scan = AnimationScan::new();
            let mut rest: &[u8] = &file;
            for c in cuts {
                let (a, b) = rest.split_at(c.min(rest.len()));
                scan.feed(a);
                rest = b;
            }
            scan.feed(rest);
            proptest::prop_assert_eq!(scan.finish(), reference::is_animated(&file));
        }
    }

    #[test]
    fn finds_animation_in_gif_webp_and_png() {
        assert!(!is_animated(&gif(1)));
        assert!(is_animated(&gif(3)));
        assert!(!is_animated(&webp(&[(b"VP8 ", b"data")])));
        assert!(is_animated(&webp(&[(
            b"VP8X",
            &[0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        )])));
        assert!(is_animated(&webp(&[
            (b"VP8X", &[0; 10]),
            (b"ANIM", &[0; 6])
        ])));
        assert!(!is_animated(PNG));
        let mut apng =
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\0\0\0\0".to_vec();
        apng.extend_from_slice(b"\0\0\0\x08acTL\0\0\0\x02\0\0\0\0\0\0\0\0");
        assert!(is_animated(&apng));
        assert!(!is_animated(JPEG));
        // Truncated or hostile input never panics.
        for n in 0..40 {
            let _ = is_animated(&gif(2)[..n]);
            let _ = is_animated(&apng[..n.min(apng.len())]);
        }
    }

    #[test]
    fn original_bytes_are_checked_against_the_url() {
        let url = "https://ae01.alicdn.com/kf/Sabc.jpg";
        assert_eq!(check_bytes(url, "image/jpeg", JPEG), Ok(Sniffed::Jpeg));
        let reenc = check_bytes(url, "image/webp", &webp(&[(b"VP8 ", b"x")]));
        assert_eq!(
            reenc,
            Err(BytesProblem::Reencoded {
                expected: Sniffed::Jpeg,
                got: Sniffed::Webp
            })
        );
        assert_eq!(
            reenc.err().map(|e| e.say().english()).unwrap_or_default(),
            "the CDN sent WebP instead of the original JPEG"
        );
        let html = check_bytes(url, "text/html; charset=utf-8", b"<html>blocked</html>");
        assert_eq!(
            html.err().map(|e| e.say().english()).unwrap_or_default(),
            "the CDN sent text/html instead of the media"
        );
        assert_eq!(
            check_bytes(url, "image/jpeg", b""),
            Err(BytesProblem::Empty)
        );
        // .jpeg and a transform suffix name JPEG too; a video URL takes MP4.
        assert!(check_bytes("https://ae01.alicdn.com/kf/S.jpeg_640x640.jpeg", "", JPEG).is_ok());
        let mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";
        assert!(check_bytes(
            "https://video.aliexpress-media.com/play/u/1/2/3.mp4",
            "",
            mp4
        )
        .is_ok());
    }

    #[test]
    fn fallbacks_are_other_cdn_urls_of_the_same_key() {
        assert_eq!(
            fallback_urls("https://ae01.alicdn.com/kf/Sabc/Nice-slug.jpg"),
            vec![
                "https://ae-pic-a1.aliexpress-media.com/kf/Sabc/Nice-slug.jpg",
                "https://ae01.alicdn.com/kf/Sabc.jpg",
                "https://ae-pic-a1.aliexpress-media.com/kf/Sabc.jpg",
            ]
        );
        assert_eq!(
            fallback_urls("https://ae-pic-a1.aliexpress-media.com/kf/Sabc.png"),
            vec!["https://ae01.alicdn.com/kf/Sabc.png"]
        );
        assert!(fallback_urls("https://sc04.alicdn.com/kf/H1.jpg").is_empty());
        assert!(fallback_urls("https://evil.example/kf/a.jpg").is_empty());
        assert!(fallback_urls("javascript:alert(1)").is_empty());
    }

    #[test]
    fn conversion_skips_videos_animations_and_same_format() {
        use ImageFormat::*;
        assert_eq!(
            convert_decision(Original, 90, Sniffed::Webp, false),
            Convert::Keep(None)
        );
        assert_eq!(
            convert_decision(Jpeg, 80, Sniffed::Png, false),
            Convert::To {
                target: Sniffed::Jpeg,
                quality: Some(0.8)
            }
        );
        assert_eq!(
            convert_decision(Png, 80, Sniffed::Jpeg, false),
            Convert::To {
                target: Sniffed::Png,
                quality: None
            }
        );
        assert_eq!(
            convert_decision(Jpeg, 80, Sniffed::Jpeg, false),
            Convert::Keep(None)
        );
        assert_eq!(
            convert_decision(Webp, 80, Sniffed::Mp4, false),
            Convert::Keep(None)
        );
        assert_eq!(
            convert_decision(Jpeg, 80, Sniffed::Gif, true),
            Convert::Keep(Some(t("note_animated")))
        );
        assert_eq!(t("note_animated").english(), "animated; saved unconverted");
        assert_eq!(with_ext("a/b.c/d.jpg", "png"), "a/b.c/d.png");
        assert_eq!(with_ext("a/b.c/d", "png"), "a/b.c/d.png");
        assert_eq!(with_ext("a/.hidden", "png"), "a/.hidden.png");
    }

    #[test]
    fn zip_stream_round_trips_through_a_reader() {
        let mut z = ZipStream::new(1_764_460_800);
        let mut archive = Vec::new();
        let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let (n1, b1) = z
            .add("gallery/gallery-01.jpg", JPEG)
            .unwrap_or_default_pair();
        archive.extend(b1);
        let (n2, b2) = z
            .add("gallery/gallery-01.jpg", &big)
            .unwrap_or_default_pair();
        archive.extend(b2);
        let (n3, b3) = z.add("variants/Красный.png", PNG).unwrap_or_default_pair();
        archive.extend(b3);
        assert_eq!(n1, "gallery/gallery-01.jpg");
        assert_eq!(
            n2, "gallery/gallery-01 (2).jpg",
            "repeated names stay unique"
        );
        assert_eq!(n3, "variants/Красный.png");
        assert_eq!(z.bytes_out(), archive.len() as u64);
        let tail = z.finish();
        assert!(tail.is_ok());
        archive.extend(tail.unwrap_or_default());

        let read = rawzip::ZipArchive::from_slice(&archive);
        assert!(read.is_ok(), "{:?}", read.err());
        let Ok(read) = read else { return };
        let mut found = Vec::new();
        let mut entries = read.entries();
        while let Ok(Some(e)) = entries.next_entry() {
            assert_eq!(e.compression_method(), rawzip::CompressionMethod::STORE);
            let name = e
                .file_path()
                .try_normalize()
                .map(String::from)
                .unwrap_or_default();
            let wayfinder = e.wayfinder();
            let Ok(local) = read.get_entry(wayfinder) else {
                panic!("entry")
            };
            found.push((name, local.data().to_vec()));
        }
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].1, JPEG);
        assert_eq!(found[1].1, big);
        assert_eq!(found[2].0, "variants/Красный.png");
        assert_eq!(found[2].1, PNG);
    }

    #[test]
    fn add_parts_is_add_without_the_copy() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
        let mut a = ZipStream::new(0);
        let mut b = ZipStream::new(0);
        let whole = a.add("x/y.bin", &data).unwrap_or_default_pair();
        let parts = b.add_parts("x/y.bin", &data);
        let Ok((name, head, tail)) = parts else {
            panic!("add_parts failed")
        };
        assert_eq!(name, whole.0);
        assert_eq!([head, data.clone(), tail].concat(), whole.1);
        assert_eq!(a.bytes_out(), b.bytes_out());
        let (ta, tb) = (a.finish(), b.finish());
        assert_eq!(ta.ok(), tb.ok(), "same central directory");
    }

    #[test]
    fn add_hashed_is_add_parts_with_the_hash_made_in_pieces() {
        for size in [0usize, 1, 5000, 64 * 1024, 64 * 1024 + 7, 200_000] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let mut a = ZipStream::new(0);
            let mut b = ZipStream::new(0);
            let Ok(whole) = a.add_parts("v/video.mp4", &data) else {
                panic!("add_parts failed")
            };
            let mut h = EntryHasher::new();
            for piece in data.chunks(3333) {
                h.update(piece);
            }
            let (crc, len) = h.finish();
            assert_eq!(len, size as u64);
            let Ok(hashed) = b.add_hashed("v/video.mp4", crc, len) else {
                panic!("add_hashed failed")
            };
            assert_eq!(hashed, whole, "{size} bytes");
            assert_eq!(a.bytes_out(), b.bytes_out());
            assert_eq!(a.finish().ok(), b.finish().ok(), "same central directory");
        }
    }

    trait PairOrDefault {
        fn unwrap_or_default_pair(self) -> (String, Vec<u8>);
    }
    impl PairOrDefault for Result<(String, Vec<u8>), ZipError> {
        fn unwrap_or_default_pair(self) -> (String, Vec<u8>) {
            match self {
                Ok(p) => p,
                Err(e) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_764_475_506_000.0), "2025-11-30T04:05:06Z");
        assert_eq!(iso_utc(951_782_400_000.0), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(f64::NAN), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "'-5");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
