//! The content script's size: it is parsed on every product page a user opens.
//!
//! Issue 13 asks for at most 150 KB raw and 40 KB gzip. Not reached yet (see
//! BENCHMARKS.md, "Content script size", for what is left and why): the enforced
//! test is a ratchet at what the script weighs now, so it can only shrink; the
//! goal itself is an ignored test (`cargo test -p xtask --test content_size --
//! --ignored`) that passes once it is met, when the ratchet becomes the goal.
//!
//! Like `dist_scan.rs`: fails when `dist/` is not built (`cargo xtask build`),
//! skipped with a message when `ALISAVE_SKIP_DIST=1`; `ALISAVE_DIST=<dir>`
//! measures another directory.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::PathBuf;

/// Ceiling enforced today (bytes): the size reached on branch content-size, with
/// a little room for unrelated changes to the shared code, raised once by what
/// issue #14 had to add to the page (counts said with the language's plural
/// rules, `Intl.PluralRules`: +0.5 KB gzip; the queue's and the popup's "save
/// this page" request with its own id: +0.3 KB).
const MAX_RAW: usize = 222_000;
const MAX_GZIP: usize = 69_000;

/// The goal of issue 13 (bytes; KB = 1000 bytes, as in BENCHMARKS.md).
const GOAL_RAW: usize = 150_000;
const GOAL_GZIP: usize = 40_000;

/// (raw, gzip -9) bytes of `dist/content/content.js`, or `None` when not built and skipping.
fn sizes() -> Option<(usize, usize)> {
    let dist = std::env::var_os("ALISAVE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
    let path = dist.join("content/content.js");
    if !path.is_file() {
        if std::env::var_os("ALISAVE_SKIP_DIST").is_some() {
            eprintln!("content_size: dist/ is not built; skipped because ALISAVE_SKIP_DIST is set");
            return None;
        }
        panic!(
            "{} is not built: run cargo xtask build (or set ALISAVE_SKIP_DIST=1 to skip)",
            path.display()
        );
    }
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes).expect("gzip in memory");
    let gzipped = gz.finish().expect("gzip in memory");
    Some((bytes.len(), gzipped.len()))
}

#[test]
fn the_content_script_does_not_grow() {
    let Some((raw, gzip)) = sizes() else { return };
    eprintln!("content.js: {raw} bytes raw, {gzip} bytes gzip -9");
    assert!(
        raw <= MAX_RAW && gzip <= MAX_GZIP,
        "content.js is {raw} bytes raw, {gzip} gzip: over the ceiling of {MAX_RAW} raw, \
         {MAX_GZIP} gzip (what it carries: BENCHMARKS.md, \"Content script size\")"
    );
}

#[test]
#[ignore = "issue 13's goal, not reached yet: see BENCHMARKS.md"]
fn the_content_script_meets_the_goal() {
    let Some((raw, gzip)) = sizes() else { return };
    assert!(
        raw <= GOAL_RAW && gzip <= GOAL_GZIP,
        "content.js is {raw} bytes raw, {gzip} gzip; the goal is {GOAL_RAW} raw, {GOAL_GZIP} gzip"
    );
}
