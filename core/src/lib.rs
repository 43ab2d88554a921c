//! Pure logic of AliSavePro.
//!
//! Architecture invariant: this crate has no wasm dependencies and does no I/O.
//! Everything here runs unchanged in `cargo test` on the host, in the service
//! worker and in the content script.

pub mod button_settings;
pub mod content_wire;
pub mod engine;
pub mod extract;
pub mod fetch;
pub mod filename;
pub mod inventory;
pub mod manifest;
pub mod media;
pub mod page_view;
pub mod pages;
pub mod plan;
pub mod popup_view;
pub mod protocol;
pub mod queue;
pub mod reviews;
pub mod say;
pub mod settings;
pub mod url;
pub mod zip;

pub use inventory::{Inventory, MediaItem, MediaKind, Platform, Variant, Warning};
