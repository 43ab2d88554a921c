//! Helpers shared by the extraction test files.
#![allow(dead_code)] // each test file uses a subset

use alisave_core::extract::{extract, Document, PageInput};
use alisave_core::{Inventory, MediaKind};

/// The real fixtures, copied into the repository (see their PROVENANCE.md).
pub const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/real/");

/// A real fixture file's text.
pub fn fixture(rel: &str) -> String {
    let path = format!("{REAL}{rel}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// Runs the extractor.
pub fn run(url: &str, html: &str, documents: &[Document]) -> Inventory {
    extract(&PageInput {
        url,
        html,
        documents,
    })
}

/// URLs of one kind, in order.
pub fn urls(inv: &Inventory, kind: MediaKind) -> Vec<&str> {
    inv.of_kind(kind).map(|i| i.url.as_str()).collect()
}

/// Warning codes, in order.
pub fn codes(inv: &Inventory) -> Vec<&str> {
    inv.warnings.iter().map(|w| w.code.as_str()).collect()
}
