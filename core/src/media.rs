//! The media files themselves: what the saver page decides from their bytes,
//! without I/O.
//!
//! * [`sniff`] / [`check_bytes`] — the original-bytes guarantee: the bytes must be
//!   the media the URL names (a `.jpg` must be JPEG). A CDN that answers with a
//!   re-encoded WebP/AVIF, an HTML error page or nothing is caught, and
//!   [`fallback_urls`] gives the next-best URLs of the same file.
//! * [`AnimationScan`] — whether an image is animated, from its bytes as they
//!   stream in.
//! * [`convert_decision`] — whether a file is converted (never videos, animated
//!   images, or files already in the wanted format).

use crate::say::{t, tf, Say};
use crate::MediaKind;
use serde::Serialize;

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

/// Whether a file of type `got` is converted: `wanted` is the type asked for
/// and its encoder quality (0–1, lossy types), `None` to keep every file as it
/// is (`settings::ImageFormat::conversion`).
pub fn convert_decision(
    wanted: Option<(Sniffed, Option<f64>)>,
    got: Sniffed,
    animated: bool,
) -> Convert {
    let Some((target, quality)) = wanted else {
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
        Convert::To { target, quality }
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
        MediaKind::Review => "reviews",
    }
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
        let jpeg80 = Some((Sniffed::Jpeg, Some(0.8)));
        assert_eq!(
            convert_decision(None, Sniffed::Webp, false),
            Convert::Keep(None)
        );
        assert_eq!(
            convert_decision(jpeg80, Sniffed::Png, false),
            Convert::To {
                target: Sniffed::Jpeg,
                quality: Some(0.8)
            }
        );
        assert_eq!(
            convert_decision(Some((Sniffed::Png, None)), Sniffed::Jpeg, false),
            Convert::To {
                target: Sniffed::Png,
                quality: None
            }
        );
        assert_eq!(
            convert_decision(jpeg80, Sniffed::Jpeg, false),
            Convert::Keep(None)
        );
        assert_eq!(
            convert_decision(Some((Sniffed::Webp, Some(0.8))), Sniffed::Mp4, false),
            Convert::Keep(None)
        );
        assert_eq!(
            convert_decision(jpeg80, Sniffed::Gif, true),
            Convert::Keep(Some(t("note_animated")))
        );
        assert_eq!(t("note_animated").english(), "animated; saved unconverted");
        assert_eq!(with_ext("a/b.c/d.jpg", "png"), "a/b.c/d.png");
        assert_eq!(with_ext("a/b.c/d", "png"), "a/b.c/d.png");
        assert_eq!(with_ext("a/.hidden", "png"), "a/.hidden.png");
    }
}
