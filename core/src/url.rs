//! URL rules: shop product pages, CDN hosts, original-resolution normalisation.
//! (Being written; see the helper's contract in the commit that fills it.)

use crate::Platform;

/// A recognised shop product page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPage {
    pub platform: Platform,
    pub product_id: String,
    pub host: String,
}

/// Recognises a shop product page URL.
pub fn product_page(_page_url: &str) -> Option<ProductPage> {
    None
}

/// Normalises a media URL to its original-resolution https form.
pub fn original_url(_raw: &str) -> Option<String> {
    None
}

/// True when `url` is an https URL on one of the shops' image/video CDNs.
pub fn is_cdn_media_url(_url: &str) -> bool {
    false
}

/// Dedupe key of a CDN URL.
pub fn cdn_key(url: &str) -> String {
    url.to_string()
}

/// A cheap thumbnail URL for an original.
pub fn preview_url(_original: &str) -> Option<String> {
    None
}

/// Lowercase file extension of the URL's path, when it has a known media one.
pub fn media_extension(_url: &str) -> Option<&'static str> {
    None
}
