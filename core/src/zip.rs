//! The ZIP archive the saver page writes: entry by entry (store method: the
//! media is already compressed), each call returning only the bytes it added,
//! so the page can hand them to a `Blob` and hold about one file in memory.

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::Write;
use std::rc::Rc;

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
}
