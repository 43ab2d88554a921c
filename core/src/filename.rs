//! File names that are valid on Windows, macOS and Linux, and the download plan.

use crate::settings::Settings;
use crate::{Inventory, MediaItem, MediaKind};

/// Names Windows reserves (case-insensitive, with or without an extension).
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Makes one path component safe on every OS: forbidden and control characters
/// become `_`, leading/trailing dots and spaces go, reserved device names get a
/// `_` prefix, and the result is cut to `max_bytes` UTF-8 bytes on a character
/// boundary. Unicode letters are kept. Never returns an empty string.
pub fn safe_component(raw: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_bytes));
    let mut last_was_sep = false;
    for ch in raw.chars() {
        let bad = ch.is_control()
            || matches!(ch, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*')
            // Bidirectional overrides can disguise an extension.
            || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        let c = if bad || ch.is_whitespace() { ' ' } else { ch };
        if c == ' ' {
            if last_was_sep {
                continue;
            }
            last_was_sep = true;
        } else {
            last_was_sep = false;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches(|c: char| c == '.' || c == ' ');
    let mut s = String::new();
    for ch in trimmed.chars() {
        if s.len() + ch.len_utf8() > max_bytes.max(1) {
            break;
        }
        s.push(ch);
    }
    let s = s.trim_end_matches(['.', ' ']).to_string();
    if s.is_empty() {
        return "_".to_string();
    }
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        return format!("_{s}");
    }
    s
}

/// One file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Original-resolution https CDN URL.
    pub url: String,
    /// Path relative to the download directory, `/`-separated.
    pub path: String,
    /// Kind of media.
    pub kind: MediaKind,
}

/// Folder of one product inside the settings' folder: `<platform>-<id>`.
pub fn product_folder(settings: &Settings, inv: &Inventory) -> String {
    let platform = inv.platform.map(|p| p.slug()).unwrap_or("shop");
    let id = safe_component(&inv.product_id, 40);
    format!("{}/{}-{}", settings.folder, platform, id)
}

/// The files the in-page button saves for `inv` under `settings`: every item of an
/// enabled kind, numbered per kind from 01 (zero-padded to the count's width),
/// variant images named by their variant.
pub fn plan(settings: &Settings, inv: &Inventory) -> Vec<PlannedFile> {
    plan_where(settings, inv, |item| settings.kinds.allows(item.kind))
}

/// The files for a selection of original URLs (the popup's choice): only items of
/// the inventory, whatever the kinds setting says. Numbering is the same as for
/// the whole inventory, so a file keeps its name whether saved alone or with all.
pub fn plan_selected(settings: &Settings, inv: &Inventory, urls: &[String]) -> Vec<PlannedFile> {
    plan_where(settings, inv, |item| urls.contains(&item.url))
}

fn plan_where(
    settings: &Settings,
    inv: &Inventory,
    keep: impl Fn(&MediaItem) -> bool,
) -> Vec<PlannedFile> {
    let folder = product_folder(settings, inv);
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
            let mut stem = format!("{}-{:0width$}", kind.as_str(), i + 1);
            if let Some(v) = &item.variant {
                stem.push('-');
                stem.push_str(&v.value);
            }
            let name = safe_component(&stem, 100);
            out.push(PlannedFile {
                url: item.url.clone(),
                path: format!("{folder}/{name}.{ext}"),
                kind,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_safe() {
        let cases = [
            ("plain", "plain"),
            ("a/b\\c", "a b c"),
            ("what?*<>|\"", "what"),
            ("..", "_"),
            ("...hidden", "hidden"),
            ("trailing. . ", "trailing"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("LPT9", "_LPT9"),
            ("COM10", "COM10"),
            ("tab\there\nnew", "tab here new"),
            ("Красный цвет", "Красный цвет"),
            ("", "_"),
            ("evil\u{202E}gpj.exe", "evil gpj.exe"),
        ];
        for (raw, want) in cases {
            assert_eq!(safe_component(raw, 100), want, "{raw:?}");
        }
    }

    fn item(kind: MediaKind, url: &str, variant: Option<&str>) -> MediaItem {
        MediaItem {
            kind,
            url: url.into(),
            preview: None,
            variant: variant.map(|v| crate::Variant {
                axis: "Color".into(),
                value: v.into(),
            }),
            poster: None,
            key: url.into(),
        }
    }

    fn inventory() -> Inventory {
        Inventory {
            platform: Some(crate::Platform::AliExpress),
            product_id: "1005".into(),
            items: vec![
                item(MediaKind::Gallery, "https://ae01.alicdn.com/kf/A.jpg", None),
                item(MediaKind::Gallery, "https://ae01.alicdn.com/kf/B.png", None),
                item(
                    MediaKind::Variant,
                    "https://ae01.alicdn.com/kf/C.jpg",
                    Some("Red/Blue: CON"),
                ),
                item(
                    MediaKind::Video,
                    "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/2.mp4",
                    None,
                ),
            ],
            ..Inventory::default()
        }
    }

    #[test]
    fn plan_names_numbers_and_filters_by_kind() {
        let mut s = Settings::default();
        let paths: Vec<String> = plan(&s, &inventory()).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            [
                "AliSavePro/aliexpress-1005/gallery-01.jpg",
                "AliSavePro/aliexpress-1005/gallery-02.png",
                "AliSavePro/aliexpress-1005/variant-01-Red Blue CON.jpg",
                "AliSavePro/aliexpress-1005/video-01.mp4",
            ]
        );
        s.kinds.gallery = false;
        s.kinds.video = false;
        assert_eq!(plan(&s, &inventory()).len(), 1);
    }

    #[test]
    fn selection_keeps_names_and_ignores_unknown_urls() {
        let s = Settings::default();
        let picked = plan_selected(
            &s,
            &inventory(),
            &[
                "https://ae01.alicdn.com/kf/B.png".into(),
                "https://evil.example/x.exe".into(),
            ],
        );
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0].path, "AliSavePro/aliexpress-1005/gallery-02.png");
    }

    #[test]
    fn length_is_cut_on_a_char_boundary() {
        let s = safe_component(&"é".repeat(100), 11);
        assert_eq!(s, "ééééé");
        assert!(s.len() <= 11);
        let emoji = safe_component(&"😀".repeat(1000), 100);
        assert!(emoji.len() <= 100 && !emoji.is_empty());
    }
}
