//! The product inventory: everything the extractor found on one product page.

use serde::{Deserialize, Serialize};

/// Which shop a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// aliexpress.com / .us and its language subdomains.
    AliExpress,
    /// aliexpress.ru (the separate Russian platform).
    AliExpressRu,
    /// alibaba.com.
    Alibaba,
}

impl Platform {
    /// Short stable name, used in folder names and messages.
    pub fn slug(self) -> &'static str {
        match self {
            Platform::AliExpress => "aliexpress",
            Platform::AliExpressRu => "aliexpress-ru",
            Platform::Alibaba => "alibaba",
        }
    }
}

/// What a media item is to the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// Main gallery image.
    Gallery,
    /// Image of one SKU value (colour, style, ...).
    Variant,
    /// Image from the seller's description.
    Description,
    /// Gallery or description video.
    Video,
    /// A buyer's review photo or video (issue #15): never one of the product's
    /// own media, so not in [`MediaKind::ALL`] nor among the kinds the settings
    /// choose; saved into its own `reviews/` folder.
    Review,
}

impl MediaKind {
    /// All kinds, in the order they are presented and saved.
    pub const ALL: [MediaKind; 4] = [
        MediaKind::Gallery,
        MediaKind::Variant,
        MediaKind::Description,
        MediaKind::Video,
    ];

    /// Stable lowercase name (`gallery`, `variant`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Gallery => "gallery",
            MediaKind::Variant => "variant",
            MediaKind::Description => "description",
            MediaKind::Video => "video",
            MediaKind::Review => "review",
        }
    }
}

/// Axis and value of a variant image, e.g. `Color` / `Black Rose Red`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// SKU property name (`Color`).
    pub axis: String,
    /// SKU value name (`Black Rose Red`).
    pub value: String,
}

/// One image or video of the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaItem {
    /// What it is.
    pub kind: MediaKind,
    /// Original-resolution https URL on a shop CDN.
    pub url: String,
    /// A cheap thumbnail URL the CDN serves, for previews.
    pub preview: Option<String>,
    /// Variant axis/value for [`MediaKind::Variant`] items.
    pub variant: Option<Variant>,
    /// Poster image of a video, when known.
    pub poster: Option<String>,
    /// Dedupe key (the CDN content key, see `url::cdn_key`).
    pub key: String,
}

/// Something the extractor could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable machine-readable code (`bad_json`, `off_cdn_url`, ...).
    pub code: String,
    /// Explanation for developers (English; logs and tests).
    pub message: String,
    /// The sentence for the user, when the user should know (it goes into the
    /// reports, in the user's language); `None` for parser notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub say: Option<crate::say::Say>,
}

impl Warning {
    /// A note for developers.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            code: code.into(),
            message: message.into(),
            say: None,
        }
    }

    /// The same warning, also said to the user.
    pub fn with_say(mut self, say: crate::say::Say) -> Self {
        self.say = Some(say);
        self
    }

    /// Something the user should know (what is missing from what was found).
    pub fn for_user(code: impl Into<String>, say: crate::say::Say) -> Self {
        Warning {
            code: code.into(),
            message: String::new(),
            say: Some(say),
        }
    }
}

/// Everything found on one product page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inventory {
    /// Shop platform, when the page URL is a known product page.
    pub platform: Option<Platform>,
    /// Product id (digits).
    pub product_id: String,
    /// Product title, when present.
    pub title: Option<String>,
    /// Shop / store name, when present.
    pub shop: Option<String>,
    /// Host of the page (`he.aliexpress.com`).
    pub host: String,
    /// Locale of the page, when known (`en_US`, `he_IL`).
    pub locale: Option<String>,
    /// Media items: gallery first (page order), then variants, description, videos.
    pub items: Vec<MediaItem>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
}

impl Inventory {
    /// Items of one kind, in order.
    pub fn of_kind(&self, kind: MediaKind) -> impl Iterator<Item = &MediaItem> {
        self.items.iter().filter(move |i| i.kind == kind)
    }
}
/// The sentences of the warnings the user should read.
pub fn user_warnings(warnings: &[Warning]) -> Vec<crate::say::Say> {
    warnings.iter().filter_map(|w| w.say.clone()).collect()
}
