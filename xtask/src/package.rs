//! `cargo xtask package`: the Chrome Web Store upload ZIP, made from `dist/`.
//!
//! Deterministic: the same `dist/` gives the same bytes, whenever and wherever
//! it is packaged. Entries are regular files only, sorted by their `/`-separated
//! path, each stored with the same fixed time stamp (1980-01-01 00:00:00, the
//! earliest a ZIP can hold), the same permissions (0644), Deflate at level 9,
//! no extra fields and no archive comment. (Byte-identity holds for one
//! version of the `zip`/`miniz_oxide` crates, i.e. for one `Cargo.lock`.)
//!
//! The version comes from one source of truth, `manifest.json` (the file the
//! store reads). `dist/manifest.json` must carry the same version (otherwise
//! `dist/` is stale), and the workspace version in `Cargo.toml` must equal it
//! too, so the two numbers can never silently disagree.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Mode bits every entry gets (rw-r--r--).
const FILE_MODE: u32 = 0o644;

/// Zips `root/dist` into `root/target/alisavepro-<version>.zip` and returns its path.
pub fn package(root: &Path) -> Result<PathBuf, String> {
    let version = manifest_version(&root.join("manifest.json"))?;
    let dist = root.join("dist");
    let built = manifest_version(&dist.join("manifest.json"))
        .map_err(|e| format!("dist/ is not built or is broken ({e}): run cargo xtask build"))?;
    if built != version {
        return Err(format!(
            "dist/manifest.json has version {built} but manifest.json has {version}: dist/ is stale, run cargo xtask build"
        ));
    }
    if let Some(cargo) = workspace_version(root)? {
        if cargo != version {
            return Err(format!(
                "Cargo.toml [workspace.package] version is {cargo} but manifest.json (the source of truth) says {version}: make them equal"
            ));
        }
    }
    let bytes = zip_dir(&dist)?;
    let out_dir = root.join("target");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let out = out_dir.join(format!("alisavepro-{version}.zip"));
    // Write beside, then rename: a reader never sees a half-written archive.
    let tmp = out_dir.join(format!(".alisavepro-{version}.zip.partial"));
    std::fs::write(&tmp, &bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &out).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out)
}

/// The `version` of a manifest, checked against Chrome's rule: one to four
/// dot-separated integers, each 0..=65535, without leading zeros.
fn manifest_version(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let version = json
        .get("version")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| format!("{}: no \"version\" string", path.display()))?;
    let parts: Vec<&str> = version.split('.').collect();
    let valid = (1..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u32>().is_ok_and(|n| n <= 65535)
        });
    if !valid {
        return Err(format!(
            "{}: version {version:?} is not 1-4 dot-separated integers 0-65535",
            path.display()
        ));
    }
    Ok(version.to_string())
}

/// `version = "…"` of `[workspace.package]` in `root/Cargo.toml` (None when the
/// file or the key is absent). A line scan is enough for this one key.
fn workspace_version(root: &Path) -> Result<Option<String>, String> {
    let path = root.join("Cargo.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some(rest) = line.strip_prefix("version") {
            let value = rest
                .trim_start()
                .strip_prefix('=')
                .map(str::trim)
                .unwrap_or("");
            let value = value.split('#').next().unwrap_or("").trim();
            return match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(v) => Ok(Some(v.to_string())),
                None => Err(format!(
                    "{}: cannot read [workspace.package] version {value:?}",
                    path.display()
                )),
            };
        }
    }
    Ok(None)
}

/// Every regular file below `dir`, as (`/`-separated relative path, absolute path),
/// sorted by relative path. Symbolic links and other special files are refused:
/// the archive must hold exactly what is in `dir`.
fn files_below(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", d.display()))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let rel = path
                    .strip_prefix(dir)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let mut parts = Vec::new();
                for c in rel.components() {
                    let s = c
                        .as_os_str()
                        .to_str()
                        .ok_or_else(|| format!("{}: name is not UTF-8", path.display()))?;
                    parts.push(s.to_string());
                }
                out.push((parts.join("/"), path));
            } else {
                return Err(format!(
                    "{}: not a regular file or directory (symbolic link?); refusing to package it",
                    path.display()
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The deterministic ZIP of `dir`'s files, in memory.
fn zip_dir(dir: &Path) -> Result<Vec<u8>, String> {
    let files = files_below(dir)?;
    if !files.iter().any(|(rel, _)| rel == "manifest.json") {
        return Err(format!("{}: no manifest.json", dir.display()));
    }
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::default())
        .unix_permissions(FILE_MODE)
        .large_file(false);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (rel, path) in &files {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        zip.start_file(rel.as_str(), options)
            .map_err(|e| format!("zip {rel}: {e}"))?;
        zip.write_all(&data)
            .map_err(|e| format!("zip {rel}: {e}"))?;
    }
    let cursor = zip.finish().map_err(|e| format!("zip: {e}"))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A scratch repository root with a manifest, a Cargo.toml and a dist/.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str, version: &str) -> Result<Self, String> {
            let root = std::env::temp_dir().join(format!(
                "alisave-package-test-{}-{name}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&root);
            let s = Scratch(root);
            let manifest =
                format!("{{\"manifest_version\": 3, \"name\": \"T\", \"version\": \"{version}\"}}");
            s.write("manifest.json", manifest.as_bytes())?;
            s.write(
                "Cargo.toml",
                format!("[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"{version}\"\nedition = \"2021\"\n").as_bytes(),
            )?;
            s.write("dist/manifest.json", manifest.as_bytes())?;
            Ok(s)
        }

        fn write(&self, rel: &str, data: &[u8]) -> Result<(), String> {
            let p = self.0.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&p, data).map_err(|e| format!("{}: {e}", p.display()))
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn fill_dist(s: &Scratch, order: &[usize]) -> Result<(), String> {
        let files: [(&str, Vec<u8>); 5] = [
            (
                "dist/sw.js",
                b"import init from './background/background.js';\n".to_vec(),
            ),
            (
                "dist/background/background_bg.wasm",
                (0..=255u8).cycle().take(5000).collect(),
            ),
            ("dist/icons/icon16.png", b"\x89PNG fake".to_vec()),
            (
                "dist/popup.html",
                b"<!doctype html><title>p</title>".to_vec(),
            ),
            (
                "dist/content/content.js",
                "(()=>{})();".repeat(300).into_bytes(),
            ),
        ];
        for &i in order {
            let (rel, data) = &files[i];
            s.write(rel, data)?;
        }
        Ok(())
    }

    #[test]
    fn same_input_same_bytes_whatever_the_order_and_time() -> Result<(), String> {
        let a = Scratch::new("a", "1.2.3")?;
        fill_dist(&a, &[0, 1, 2, 3, 4])?;
        let first_path = package(&a.0)?;
        assert_eq!(first_path, a.0.join("target/alisavepro-1.2.3.zip"));
        let first = std::fs::read(&first_path).map_err(|e| e.to_string())?;

        // Packaging again later (other mtimes) gives the same bytes.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        fill_dist(&a, &[4, 3, 2, 1, 0])?;
        let again = std::fs::read(package(&a.0)?).map_err(|e| e.to_string())?;
        assert_eq!(first, again, "repackaging changed the bytes");

        // Another checkout, files created in another order: the same bytes.
        let b = Scratch::new("b", "1.2.3")?;
        fill_dist(&b, &[2, 0, 4, 1, 3])?;
        let other = std::fs::read(package(&b.0)?).map_err(|e| e.to_string())?;
        assert_eq!(
            first, other,
            "another tree with the same content gave other bytes"
        );

        // The archive holds exactly dist/'s files, sorted, with fixed metadata.
        let mut archive = zip::ZipArchive::new(Cursor::new(first)).map_err(|e| e.to_string())?;
        let names: Vec<String> = archive.file_names().map(str::to_string).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(
            sorted,
            [
                "background/background_bg.wasm",
                "content/content.js",
                "icons/icon16.png",
                "manifest.json",
                "popup.html",
                "sw.js"
            ]
        );
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).map_err(|e| e.to_string())?;
            assert_eq!(f.last_modified(), Some(DateTime::default()), "{}", f.name());
            assert_eq!(
                f.unix_mode().map(|m| m & 0o777),
                Some(FILE_MODE),
                "{}",
                f.name()
            );
            assert_eq!(f.compression(), CompressionMethod::Deflated);
            let mut data = Vec::new();
            f.read_to_end(&mut data).map_err(|e| e.to_string())?;
            let on_disk =
                std::fs::read(a.0.join("dist").join(f.name())).map_err(|e| e.to_string())?;
            assert_eq!(data, on_disk, "{}", f.name());
        }
        Ok(())
    }

    #[test]
    fn a_changed_file_changes_the_bytes() -> Result<(), String> {
        let s = Scratch::new("c", "0.1.0")?;
        fill_dist(&s, &[0, 1, 2, 3, 4])?;
        let before = std::fs::read(package(&s.0)?).map_err(|e| e.to_string())?;
        s.write("dist/popup.html", b"<!doctype html><title>q</title>")?;
        let after = std::fs::read(package(&s.0)?).map_err(|e| e.to_string())?;
        assert_ne!(before, after);
        Ok(())
    }

    #[test]
    fn versions_must_agree_and_be_valid() -> Result<(), String> {
        let s = Scratch::new("d", "0.1.0")?;
        fill_dist(&s, &[0])?;
        // Stale dist/.
        s.write("dist/manifest.json", br#"{"version": "0.0.9"}"#)?;
        let e = package(&s.0).err().unwrap_or_default();
        assert!(e.contains("stale"), "{e}");
        // Cargo.toml disagrees with the manifest.
        s.write("dist/manifest.json", br#"{"version": "0.1.0"}"#)?;
        s.write("Cargo.toml", b"[workspace.package]\nversion = \"0.2.0\"\n")?;
        let e = package(&s.0).err().unwrap_or_default();
        assert!(e.contains("Cargo.toml"), "{e}");
        // Not a Chrome version.
        for bad in ["1.2.3.4.5", "01.2", "1..2", "70000", "1.0-beta", ""] {
            let m = format!("{{\"version\": \"{bad}\"}}");
            s.write("manifest.json", m.as_bytes())?;
            s.write("dist/manifest.json", m.as_bytes())?;
            s.write("Cargo.toml", b"")?;
            assert!(package(&s.0).is_err(), "{bad} accepted");
        }
        // No dist/ at all.
        let t = Scratch::new("e", "0.1.0")?;
        std::fs::remove_dir_all(t.0.join("dist")).map_err(|e| e.to_string())?;
        let e = package(&t.0).err().unwrap_or_default();
        assert!(e.contains("cargo xtask build"), "{e}");
        Ok(())
    }

    #[test]
    fn the_repository_versions_agree() -> Result<(), String> {
        // manifest.json is the source of truth; the workspace version follows it.
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let manifest = manifest_version(&root.join("manifest.json"))?;
        assert_eq!(workspace_version(&root)?, Some(manifest));
        Ok(())
    }
}
