//! Extraction engine (being written).

use crate::Inventory;
use serde::{Deserialize, Serialize};

/// A document the page loaded (product API JSONP, description HTML/JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub url: String,
    pub body: String,
}

/// Everything the extractor reads.
#[derive(Debug, Clone, Copy)]
pub struct PageInput<'a> {
    pub url: &'a str,
    pub html: &'a str,
    pub documents: &'a [Document],
}

/// Extracts the product inventory from a page.
pub fn extract(_input: &PageInput<'_>) -> Inventory {
    Inventory::default()
}
