//! Collecting media candidates: normalisation, dedupe, ordering, warnings.

use crate::say;
use crate::url::{key_of_original, original_url, preview_of_original};
use crate::{MediaItem, MediaKind, Variant, Warning};
use std::collections::HashMap;

/// Most items kept per kind; more is hostile input, not a product page.
pub const MAX_ITEMS_PER_KIND: usize = 1000;
/// Most warnings kept; the rest are summarised in one final warning.
pub const MAX_WARNINGS: usize = 40;

fn kind_index(kind: MediaKind) -> usize {
    match kind {
        MediaKind::Gallery => 0,
        MediaKind::Variant => 1,
        MediaKind::Description => 2,
        MediaKind::Video => 3,
        // Never extracted from a product page: no list of its own.
        MediaKind::Review => usize::MAX,
    }
}

/// Shortens untrusted text for a warning message.
pub fn clip(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// Accumulates items per kind and warnings.
#[derive(Debug, Default)]
pub struct Collector {
    lists: [Vec<MediaItem>; 4],
    index: [HashMap<String, usize>; 4],
    full: [bool; 4],
    warnings: Vec<Warning>,
    suppressed: usize,
}

impl Collector {
    /// Records a warning (bounded).
    pub fn warn(&mut self, code: &str, message: impl Into<String>) {
        self.push_warning(Warning::new(code, message));
    }

    /// Records a warning (bounded), unless the same one was recorded.
    pub fn push_warning(&mut self, w: Warning) {
        if self.warnings.len() < MAX_WARNINGS {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        } else {
            self.suppressed += 1;
        }
    }

    /// Number of items of `kind` so far.
    pub fn count(&self, kind: MediaKind) -> usize {
        self.lists.get(kind_index(kind)).map_or(0, Vec::len)
    }

    /// Adds one candidate. `raw` is any URL form found in the page; it is
    /// normalised with [`original_url`]. Returns true when it was usable.
    pub fn add(
        &mut self,
        kind: MediaKind,
        raw: &str,
        variant: Option<Variant>,
        poster: Option<&str>,
        source: &str,
    ) -> bool {
        let raw = raw.trim();
        if raw.is_empty() {
            return false;
        }
        let Some(url) = original_url(raw) else {
            self.warn(
                "off_cdn_url",
                format!(
                    "{source}: ignored a {} URL that is not an https shop CDN media URL: {}",
                    kind.as_str(),
                    clip(raw)
                ),
            );
            return false;
        };
        self.add_original(kind, raw, url, variant, poster, source)
    }

    /// [`Collector::add`] of a trimmed, non-empty `raw` whose
    /// [`original_url`] the caller already has (`url`).
    pub fn add_original(
        &mut self,
        kind: MediaKind,
        raw: &str,
        url: String,
        variant: Option<Variant>,
        poster: Option<&str>,
        source: &str,
    ) -> bool {
        let is_video = kind == MediaKind::Video;
        let path = url
            .get(..memchr::memchr2(b'?', b'#', url.as_bytes()).unwrap_or(url.len()))
            .unwrap_or("");
        let mp4 = path.len() >= 4
            && path
                .as_bytes()
                .get(path.len() - 4..)
                .is_some_and(|e| e.eq_ignore_ascii_case(b".mp4"));
        if is_video != mp4 {
            self.warn(
                "wrong_media_type",
                format!(
                    "{source}: ignored {} URL of the wrong media type: {}",
                    kind.as_str(),
                    clip(raw)
                ),
            );
            return false;
        }
        let poster = poster
            .and_then(original_url)
            .filter(|p| !p.ends_with(".mp4"));
        let key = key_of_original(&url);
        let k = kind_index(kind);
        let (Some(list), Some(index)) = (self.lists.get_mut(k), self.index.get_mut(k)) else {
            return false;
        };
        if let Some(&at) = index.get(&key) {
            // Duplicate: keep the first position, fill what it lacks.
            if let Some(existing) = list.get_mut(at) {
                if existing.variant.is_none() {
                    existing.variant = variant;
                }
                if existing.poster.is_none() {
                    existing.preview = existing
                        .preview
                        .take()
                        .or_else(|| poster.as_deref().and_then(preview_of_original));
                    existing.poster = poster;
                }
            }
            return true;
        }
        if list.len() >= MAX_ITEMS_PER_KIND {
            if let Some(f) = self.full.get_mut(k) {
                if !*f {
                    *f = true;
                    let kind_name = match kind {
                        MediaKind::Gallery => say::t("kind_gallery"),
                        MediaKind::Variant => say::t("kind_variant"),
                        MediaKind::Description => say::t("kind_description"),
                        MediaKind::Video => say::t("kind_video"),
                        MediaKind::Review => say::t("kind_review"),
                    };
                    self.push_warning(
                        Warning::new(
                            "too_many_items",
                            format!("{source}: more than {MAX_ITEMS_PER_KIND} {} items; the rest were ignored", kind.as_str()),
                        )
                        .with_say(say::tn(
                            "warn_too_many_items",
                            MAX_ITEMS_PER_KIND,
                            &[kind_name.into()],
                        )),
                    );
                }
            }
            return false;
        }
        let preview = if is_video {
            poster.as_deref().and_then(preview_of_original)
        } else {
            preview_of_original(&url)
        };
        let variant = if kind == MediaKind::Variant {
            variant
        } else {
            None
        };
        index.insert(key.clone(), list.len());
        list.push(MediaItem {
            kind,
            url,
            preview,
            variant,
            poster,
            key,
        });
        true
    }

    /// Items in final order (gallery, variant, description, video), each key
    /// once (first position wins), and the warnings.
    pub fn finish(mut self) -> (Vec<MediaItem>, Vec<Warning>) {
        let mut seen: HashMap<String, ()> = HashMap::new();
        let mut items = Vec::new();
        for list in std::mem::take(&mut self.lists) {
            for item in list {
                if seen.insert(item.key.clone(), ()).is_none() {
                    items.push(item);
                }
            }
        }
        if self.suppressed > 0 {
            self.warnings.push(Warning::new(
                "more_warnings",
                format!("{} more warnings were not listed", self.suppressed),
            ));
        }
        (items, self.warnings)
    }
}
