//! The download plan: which files a save writes and where, from the settings
//! and the inventory (the naming rules are [`crate::filename`]'s).

use crate::filename::{Date, Namer};
use crate::settings::{ImageSize, Settings};
use crate::{Inventory, MediaItem, MediaKind};

/// One file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// https CDN URL to download: the original, or the CDN's copy at the
    /// preferred size ([`sized_url`]).
    pub url: String,
    /// Path relative to the download directory, `/`-separated.
    pub path: String,
    /// Kind of media.
    pub kind: MediaKind,
    /// The original-resolution URL on the page (equals `url` unless a CDN size
    /// is saved).
    pub original: String,
    /// Variant name of a variant image.
    pub variant: Option<String>,
}

/// Moves planned files from the product folder `from` into `to` (a queue's
/// product whose planned folder another product of the queue took).
pub fn move_to_folder(files: &mut [PlannedFile], from: &str, to: &str) {
    let prefix = format!("{from}/");
    for f in files {
        if let Some(rest) = f.path.strip_prefix(&prefix) {
            f.path = format!("{to}/{rest}");
        }
    }
}

/// Folder of one product: the settings' folder and the rendered folder
/// template (`AliSavePro/aliexpress-1005004787627817` by default).
/// `{date}` renders empty; see [`product_folder_on`].
pub fn product_folder(settings: &Settings, inv: &Inventory) -> String {
    product_folder_on(settings, inv, None)
}

/// [`product_folder`] for a save made on `date`.
pub fn product_folder_on(settings: &Settings, inv: &Inventory, date: Option<Date>) -> String {
    namer(settings, inv, date).folder().to_string()
}

/// The files the in-page button saves for `inv` under `settings`: every item of an
/// enabled kind, numbered per kind from 01 (zero-padded to the count's width),
/// named by the templates. `{date}` renders empty; see [`plan_on`].
pub fn plan(settings: &Settings, inv: &Inventory) -> Vec<PlannedFile> {
    plan_on(settings, inv, None)
}

/// [`plan`] for a save made on `date` (fills `{date}`).
pub fn plan_on(settings: &Settings, inv: &Inventory, date: Option<Date>) -> Vec<PlannedFile> {
    plan_where(settings, inv, date, |item| settings.kinds.allows(item.kind))
}

/// The files for a selection of original URLs (the popup's choice): only items of
/// the inventory, whatever the kinds setting says. Numbering is the same as for
/// the whole inventory, so a file keeps its name whether saved alone or with all.
pub fn plan_selected(settings: &Settings, inv: &Inventory, urls: &[String]) -> Vec<PlannedFile> {
    plan_selected_on(settings, inv, urls, None)
}

/// [`plan_selected`] for a save made on `date`.
pub fn plan_selected_on(
    settings: &Settings,
    inv: &Inventory,
    urls: &[String],
    date: Option<Date>,
) -> Vec<PlannedFile> {
    plan_where(settings, inv, date, |item| urls.contains(&item.url))
}

fn namer(settings: &Settings, inv: &Inventory, date: Option<Date>) -> Namer {
    Namer::new(
        &settings.folder,
        &settings.folder_template,
        &settings.file_template,
        inv,
        date,
    )
}

fn plan_where(
    settings: &Settings,
    inv: &Inventory,
    date: Option<Date>,
    keep: impl Fn(&MediaItem) -> bool,
) -> Vec<PlannedFile> {
    let namer = namer(settings, inv, date);
    let folder = namer.folder();
    let mut out = Vec::new();
    for kind in MediaKind::ALL {
        let items: Vec<&MediaItem> = inv.of_kind(kind).collect();
        let width = items.len().to_string().len().max(2);
        for (i, item) in items.iter().enumerate() {
            if !keep(item) {
                continue;
            }
            let ext = crate::url::media_extension(&item.url).unwrap_or(match kind {
                MediaKind::Video => "mp4",
                _ => "jpg",
            });
            let variant = item
                .variant
                .as_ref()
                .map(|v| v.value.as_str())
                .unwrap_or_default();
            let name = namer.file(kind, variant, &format!("{:0width$}", i + 1), ext);
            let url = match kind {
                MediaKind::Video => item.url.clone(),
                _ => sized_url(&item.url, settings.image_size).unwrap_or_else(|| item.url.clone()),
            };
            out.push(PlannedFile {
                url,
                path: format!("{folder}/{name}"),
                kind,
                original: item.url.clone(),
                variant: item.variant.as_ref().map(|v| v.value.clone()),
            });
        }
    }
    out
}

/// The URL of the CDN's copy of an image at `size` (`…/kf/K.jpg_640x640.jpg`,
/// the `_<N>x<N>.<ext>` form of page-formats §4.3), or `None` when the original
/// is wanted or the CDN has no sized form for it (videos, `img.alicdn.com`,
/// formats other than jpg/jpeg/png): then the original is saved.
pub fn sized_url(url: &str, size: ImageSize) -> Option<String> {
    let ImageSize::Cdn(px) = size else {
        return None;
    };
    // preview_url knows which CDN hosts and formats take a size suffix.
    crate::url::preview_url(url)?;
    let original = crate::url::original_url(url)?;
    let ext = crate::url::media_extension(&original)?;
    let sized = format!("{original}_{px}x{px}.{ext}");
    crate::url::is_cdn_media_url(&sized).then_some(sized)
}

/// A sample product with one item of each kind and a named variant, for the
/// options page's preview of file names.
pub fn sample_inventory() -> Inventory {
    let item = |kind, key: &str, variant: Option<&str>| MediaItem {
        kind,
        url: format!("https://ae01.alicdn.com/kf/{key}"),
        preview: None,
        variant: variant.map(|v| crate::Variant {
            axis: "Color".into(),
            value: v.into(),
        }),
        poster: None,
        key: key.into(),
    };
    Inventory {
        platform: Some(crate::Platform::AliExpress),
        product_id: "1005004787627817".into(),
        title: Some("Wireless Gamepad Pro".into()),
        shop: Some("Sample Store".into()),
        host: "www.aliexpress.com".into(),
        items: vec![
            item(MediaKind::Gallery, "S1.jpg", None),
            item(MediaKind::Gallery, "S2.png", None),
            item(MediaKind::Variant, "S3.jpg", Some("Black")),
            item(MediaKind::Variant, "S4.jpg", Some("Rose Gold")),
            item(MediaKind::Description, "S5.jpg", None),
            MediaItem {
                kind: MediaKind::Video,
                url: "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/1.mp4".into(),
                preview: None,
                variant: None,
                poster: None,
                key: "video:1".into(),
            },
        ],
        ..Inventory::default()
    }
}
