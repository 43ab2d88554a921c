//! Reading media from markup: description containers/documents and the DOM
//! fallbacks used when a page carries no data object.

use super::collect::Collector;
use super::html::{Dom, Element};
use crate::url::{original_url, product_page};
use crate::{MediaKind, Platform, Variant};

/// Attributes that may hold an image URL, lazy-loading ones first.
const IMG_ATTRS: [&str; 6] = [
    "data-src",
    "data-lazyload-src",
    "data-original",
    "data-ks-lazyload",
    "data-lazy-src",
    "src",
];

/// The best image URL of an `<img>`: the first attribute that normalises to a
/// CDN URL (so a placeholder `src` loses to `data-src`), else the first
/// non-empty one (which the collector then reports as off-CDN).
pub fn img_url(el: &Element) -> Option<&str> {
    let mut first: Option<&str> = None;
    for a in IMG_ATTRS {
        if let Some(v) = el.attr(a).map(str::trim).filter(|v| !v.is_empty()) {
            if original_url(v).is_some() {
                return Some(v);
            }
            if first.is_none() {
                first = Some(v);
            }
        }
    }
    first
}

/// Most description containers read per document (a page has one or two).
const MAX_ROOTS: usize = 8;
/// Most elements looked at below a `<video>` for its `<source>`.
const MAX_VIDEO_CHILDREN: usize = 16;
/// Most elements scanned below one ancestor when looking for a SKU title.
const MAX_AXIS_SCAN: usize = 200;
/// Most swatch images read from the DOM.
const MAX_SWATCHES: usize = 1000;

/// Top-level elements (not nested in another match) satisfying `pred`.
pub fn roots(dom: &Dom<'_>, pred: impl Fn(&Element) -> bool) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, el) in dom.elements.iter().enumerate() {
        if pred(el) && !out.iter().any(|&r| dom.is_ancestor(r, i)) {
            out.push(i);
            if out.len() >= MAX_ROOTS {
                break;
            }
        }
    }
    out
}

/// Is `href` a link to a product or store page (a cross-sell link)?
fn is_shop_link(href: &str, product_id: &str) -> bool {
    let h = href.trim();
    let abs = if h.starts_with("//") {
        format!("https:{h}")
    } else {
        h.to_string()
    };
    if let Some(p) = product_page(&abs) {
        return p.product_id != product_id;
    }
    let l = h.to_ascii_lowercase();
    l.contains("/item/")
        || l.contains("/product-detail/")
        || l.contains("/store/")
        || l.contains("/i/")
}

/// Why a description image is not product media, if it is not.
fn excluded(
    dom: &Dom<'_>,
    i: usize,
    root: Option<usize>,
    platform: Option<Platform>,
    pid: &str,
) -> bool {
    let mut link: Option<&str> = None;
    let mut related_widget = false;
    for (a, el) in dom.ancestors(i) {
        if Some(a) == root {
            break;
        }
        if el.name == "a" {
            if let Some(h) = el.attr("href").filter(|h| !h.trim().is_empty()) {
                link.get_or_insert(h);
            }
        }
        if el.name == "kse:widget"
            && el
                .attr("data-widget-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("relatedProduct"))
        {
            related_widget = true;
        }
        if el.class_contains("may-like") || el.class_contains("recommend") {
            return true;
        }
    }
    match link {
        // Linked images are cross-sell (to other items / stores), part of a
        // related-product widget, or (Alibaba) company-profile banners.
        Some(h) => related_widget || platform == Some(Platform::Alibaba) || is_shop_link(h, pid),
        None => false,
    }
}

/// Description media below `root` (or the whole document when `None`):
/// images in order, and `<video>` elements.
pub fn description(
    dom: &Dom<'_>,
    c: &mut Collector,
    root: Option<usize>,
    platform: Option<Platform>,
    pid: &str,
    source: &str,
) {
    let indices: Vec<usize> = match root {
        Some(r) => dom.descendants(r),
        None => (0..dom.elements.len()).collect(),
    };
    for i in indices {
        let Some(el) = dom.get(i) else { continue };
        match el.name.as_str() {
            "img" => {
                if excluded(dom, i, root, platform, pid) {
                    continue;
                }
                if let Some(u) = img_url(el) {
                    c.add(MediaKind::Description, u, None, None, source);
                }
            }
            "video" => {
                let poster = el.attr("poster").or_else(|| el.attr("data-previewurl"));
                let src = el.attr("src").filter(|s| !s.trim().is_empty()).or_else(|| {
                    // First <source src> child.
                    dom.descendants_upto(i, MAX_VIDEO_CHILDREN)
                        .into_iter()
                        .filter_map(|j| dom.get(j))
                        .find(|e| e.name == "source")
                        .and_then(|e| e.attr("src"))
                });
                if let Some(s) = src {
                    c.add(MediaKind::Video, s, None, poster, source);
                }
            }
            _ => {}
        }
    }
}

/// `<meta property="og:image">` / `name=` content.
pub fn meta_content<'d>(dom: &'d Dom<'_>, prop: &str) -> Option<&'d str> {
    dom.by_name("meta")
        .filter_map(|i| dom.get(i))
        .find(|e| e.attr("property") == Some(prop) || e.attr("name") == Some(prop))
        .and_then(|e| e.attr("content"))
}

fn has_ancestor(dom: &Dom<'_>, i: usize, levels: usize, pred: impl Fn(&Element) -> bool) -> bool {
    dom.ancestors(i).take(levels).any(|(_, e)| pred(e))
}

/// AliExpress gallery from the DOM: thumbnail strip (old and hashed new
/// classes), then the magnifier image, then og:image.
pub fn ae_gallery(dom: &Dom<'_>, c: &mut Collector) {
    let imgs: Vec<usize> = dom.by_name("img").collect();
    let source = "page gallery (DOM)";
    for &i in &imgs {
        if has_ancestor(dom, i, 4, |e| {
            e.has_class("images-view-item")
                || e.class_contains("slider--img")
                || e.class_contains("image-view--previewBox")
                || e.class_contains("image-view-v2--previewBox")
        }) && !dom.get(i).is_some_and(|e| e.class_contains("magnifier"))
        {
            if let Some(u) = dom.get(i).and_then(img_url) {
                c.add(MediaKind::Gallery, u, None, None, source);
            }
        }
    }
    for &i in &imgs {
        if dom
            .get(i)
            .is_some_and(|e| e.has_class("magnifier-image") || e.class_contains("magnifier--image"))
        {
            if let Some(u) = dom.get(i).and_then(img_url) {
                c.add(MediaKind::Gallery, u, None, None, source);
            }
        }
    }
    if let Some(u) = meta_content(dom, "og:image") {
        c.add(MediaKind::Gallery, u, None, None, "og:image");
    }
}

/// Axis name for a swatch: the title element (`is_title`) of the nearest
/// enclosing SKU property block (`Color: Black` → `Color`, `Color(2)` →
/// `Color`).
fn sku_axis(dom: &Dom<'_>, i: usize, is_title: impl Fn(&Element) -> bool) -> Option<String> {
    for (a, _) in dom.ancestors(i).take(6) {
        for j in dom.descendants_upto(a, MAX_AXIS_SCAN) {
            let Some(e) = dom.get(j) else { continue };
            if is_title(e) {
                let t = dom.text(j);
                let axis = t
                    .split([':', '：', '('])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                if !axis.is_empty() {
                    return Some(axis);
                }
            }
        }
    }
    None
}

/// The value name of a swatch: `alt`/`title` of the image, else `title` /
/// `aria-label` of its nearest ancestors (the swatch button).
fn swatch_value(dom: &Dom<'_>, i: usize) -> Option<String> {
    let own = dom
        .get(i)
        .and_then(|e| e.attr("alt").or_else(|| e.attr("title")));
    own.into_iter()
        .chain(
            dom.ancestors(i)
                .take(3)
                .flat_map(|(_, e)| [e.attr("title"), e.attr("aria-label")])
                .flatten(),
        )
        .map(super::collapse)
        .find(|s| !s.is_empty())
}

/// AliExpress SKU swatches from the DOM (old `.sku-property-image img`, new
/// `[data-sku-col] img` / `[class*="sku-item--image"] img`).
pub fn ae_variants(dom: &Dom<'_>, c: &mut Collector) {
    let imgs: Vec<usize> = dom.by_name("img").collect();
    let mut seen = 0usize;
    for i in imgs {
        if !has_ancestor(dom, i, 3, |e| {
            e.has_class("sku-property-image")
                || e.attr("data-sku-col").is_some()
                || e.class_contains("sku-item--image")
        }) {
            continue;
        }
        seen += 1;
        if seen > MAX_SWATCHES {
            break;
        }
        let Some(el) = dom.get(i) else { continue };
        let value = el
            .attr("title")
            .or_else(|| el.attr("alt"))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let variant = value.map(|value| Variant {
            axis: sku_axis(dom, i, |e| {
                e.has_class("sku-title") || e.class_contains("sku-item--title")
            })
            .unwrap_or_else(|| "Variant".to_string()),
            value,
        });
        if let Some(u) = img_url(el) {
            c.add(MediaKind::Variant, u, variant, None, "SKU swatches (DOM)");
        }
    }
}

/// aliexpress.ru SKU swatches (§2: `ul[class*="SnowSku_SkuPropertyItem__optionList"]
/// li button picture img`); the axis from the property block's title.
pub fn aer_variants(dom: &Dom<'_>, c: &mut Collector) {
    let imgs: Vec<usize> = dom.by_name("img").collect();
    let mut seen = 0usize;
    for i in imgs {
        if !has_ancestor(dom, i, 6, |e| {
            e.class_contains("SkuPropertyItem__optionList")
        }) {
            continue;
        }
        seen += 1;
        if seen > MAX_SWATCHES {
            break;
        }
        let Some(el) = dom.get(i) else { continue };
        let variant = swatch_value(dom, i).map(|value| Variant {
            axis: sku_axis(dom, i, |e| {
                e.class_contains("SkuPropertyItem__title")
                    || e.class_contains("SkuPropertyItem__name")
            })
            .unwrap_or_else(|| "Variant".to_string()),
            value,
        });
        if let Some(u) = img_url(el) {
            c.add(
                MediaKind::Variant,
                u,
                variant,
                None,
                "SKU swatches (DOM, aliexpress.ru)",
            );
        }
    }
}

/// Gallery `<video>` players of the React PDP.
pub fn ae_videos(dom: &Dom<'_>, c: &mut Collector) {
    let vids: Vec<usize> = dom.by_name("video").collect();
    for i in vids {
        let in_player = has_ancestor(dom, i, 6, |e| {
            e.class_contains("video--")
                || e.class_contains("image-view")
                || e.class_contains("video-wrap")
        }) || dom.get(i).is_some_and(|e| e.class_contains("video--"));
        if !in_player {
            continue;
        }
        let Some(el) = dom.get(i) else { continue };
        let src = el.attr("src").filter(|s| !s.trim().is_empty()).or_else(|| {
            dom.descendants_upto(i, MAX_VIDEO_CHILDREN)
                .into_iter()
                .filter_map(|j| dom.get(j))
                .find(|e| e.name == "source")
                .and_then(|e| e.attr("src"))
        });
        if let Some(s) = src {
            c.add(
                MediaKind::Video,
                s,
                None,
                el.attr("poster"),
                "gallery video (DOM)",
            );
        }
    }
}

/// Title from the DOM: product `<h1>`, og:title, `<title>`.
pub fn title(dom: &Dom<'_>) -> Option<String> {
    for i in dom.by_name("h1") {
        let Some(e) = dom.get(i) else { continue };
        if e.has_class("product-title-text") || e.attr("data-pl") == Some("product-title") {
            let t = dom.text(i);
            if !t.is_empty() {
                return Some(t);
            }
        }
    }
    if let Some(t) = meta_content(dom, "og:title")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        return Some(t.to_string());
    }
    dom.by_name("title")
        .next()
        .map(|i| dom.text(i))
        .filter(|t| !t.is_empty())
}
