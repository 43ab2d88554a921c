//! Reading media from markup: description containers/documents and the DOM
//! fallbacks used when a page carries no data object.

use super::collect::Collector;
use super::html::{Dom, Element};
use crate::url::{key_of_original, original_url, product_page};
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
pub fn img_url<'e>(el: &'e Element<'_>) -> Option<&'e str> {
    img_url_original(el).map(|(v, _)| v)
}

/// [`img_url`] (trimmed, non-empty) and its [`original_url`] when it has one.
fn img_url_original<'e>(el: &'e Element<'_>) -> Option<(&'e str, Option<String>)> {
    let mut first: Option<&str> = None;
    for a in IMG_ATTRS {
        if let Some(v) = el.attr(a).map(str::trim).filter(|v| !v.is_empty()) {
            if let Some(o) = original_url(v) {
                return Some((v, Some(o)));
            }
            if first.is_none() {
                first = Some(v);
            }
        }
    }
    first.map(|v| (v, None))
}

/// Most description containers read per document (a page has one or two).
const MAX_ROOTS: usize = 8;
/// Most elements looked at below a `<video>` for its `<source>`.
const MAX_VIDEO_CHILDREN: usize = 16;
/// Most elements scanned below one ancestor when looking for a SKU title.
const MAX_AXIS_SCAN: usize = 200;
/// Most swatch images read from the DOM.
const MAX_SWATCHES: usize = 1000;

/// Top-level elements (not nested in another match) among `candidates`
/// (indices in document order, e.g. those of [`Dom::attr_candidates`] when
/// `pred` looks for an attribute substring) satisfying `pred`.
pub fn roots_among(
    dom: &Dom<'_>,
    candidates: impl IntoIterator<Item = usize>,
    pred: impl Fn(&Element) -> bool,
) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for i in candidates {
        let Some(el) = dom.get(i) else { continue };
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
        match &*el.name {
            "img" => {
                if excluded(dom, i, root, platform, pid) {
                    continue;
                }
                match img_url_original(el) {
                    Some((u, Some(o))) => {
                        c.add_original(MediaKind::Description, u, o, None, None, source);
                    }
                    Some((u, None)) => {
                        c.add(MediaKind::Description, u, None, None, source);
                    }
                    None => {}
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

/// The URL of a CSS `background-image: url(…)` (or `background: url(…)`) in
/// an element's `style` attribute.
pub fn background_url<'e>(el: &'e Element<'_>) -> Option<&'e str> {
    let style = el.attr("style")?;
    let lower = style.to_ascii_lowercase();
    // `lower` has the byte length of `style`, so its offsets index `style`.
    let b = lower.find("background")?;
    let open = b
        .checked_add(lower.get(b..)?.find("url(")?)?
        .checked_add(4)?;
    let close = open.checked_add(lower.get(open..)?.find(')')?)?;
    let inner = style.get(open..close)?.trim();
    let inner = inner
        .strip_prefix(['"', '\''])
        .and_then(|x| x.strip_suffix(['"', '\'']))
        .unwrap_or(inner)
        .trim();
    (!inner.is_empty()).then_some(inner)
}

/// What a part of an Alibaba 2026 page is, for the DOM fallback (§9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AlibabaRegion {
    /// Outside any named module, or in a gallery/media module.
    Gallery,
    /// `module_sku`: variant images.
    Sku,
    /// The description module.
    Description,
    /// Anything else: other modules (reviews, company card, recommendations,
    /// certificates, shipping…), header/footer, links to other pages.
    Skip,
}

/// Class fragments of blocks that are never product media.
const ALIBABA_SKIP_CLASSES: [&str; 10] = [
    "recommend",
    "may-like",
    "maylike",
    "review",
    "feedback",
    "company",
    "supplier",
    "certif",
    "factory",
    "ranking",
];

/// Class fragments of decorations (badges, icons, play buttons, logos).
const ICON_CLASSES: [&str; 3] = ["icon", "badge", "logo"];

/// Some class contains one of `fragments` (ASCII case-insensitive; `review`
/// does not match `preview`).
fn has_class_fragment(el: &Element, fragments: &[&str]) -> bool {
    el.attr("class").is_some_and(|c| {
        c.split_ascii_whitespace().any(|t| {
            let t = t.to_ascii_lowercase();
            fragments
                .iter()
                .any(|f| t.contains(f) && !(*f == "review" && t.contains("preview")))
        })
    })
}

/// A "hot" badge: some class has `hot` as a whole `-`/`_`-separated word.
fn is_hot_badge(el: &Element) -> bool {
    el.attr("class").is_some_and(|c| {
        c.split(|ch: char| ch.is_ascii_whitespace() || ch == '-' || ch == '_')
            .any(|w| w.eq_ignore_ascii_case("hot"))
    })
}

/// Region of one element given its parent's.
fn alibaba_region(el: &Element, parent: AlibabaRegion, pid: &str) -> AlibabaRegion {
    use AlibabaRegion::*;
    if parent == Skip {
        return Skip;
    }
    if matches!(&*el.name, "header" | "footer" | "nav") {
        return Skip;
    }
    if let Some(name) = el.attr("data-module-name") {
        let n = name.to_ascii_lowercase();
        return if n.contains("sku") {
            Sku
        } else if n.contains("description") {
            Description
        } else if ["gallery", "image", "media", "photo", "video", "main"]
            .iter()
            .any(|f| n.contains(f))
        {
            Gallery
        } else {
            Skip
        };
    }
    if has_class_fragment(el, &ALIBABA_SKIP_CLASSES) {
        return Skip;
    }
    if el.name == "a" {
        if let Some(h) = el.attr("href").map(str::trim).filter(|h| !h.is_empty()) {
            // Linked description images are company banners; elsewhere only
            // links to other products, stores or company pages.
            let l = h.to_ascii_lowercase();
            if parent == Description
                || is_shop_link(h, pid)
                || l.contains("company_profile")
                || l.contains("/company/")
            {
                return Skip;
            }
        }
    }
    parent
}

/// Is this image a decoration (icon class, or declared at most 24 px)?
fn is_decoration(dom: &Dom<'_>, i: usize) -> bool {
    let Some(el) = dom.get(i) else { return true };
    let tiny = |a: &str| {
        el.attr(a)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|n| n <= 24)
    };
    let decorative = |e: &Element| has_class_fragment(e, &ICON_CLASSES) || is_hot_badge(e);
    tiny("width")
        || tiny("height")
        || decorative(el)
        || dom.ancestors(i).take(1).any(|(_, e)| decorative(e))
}

/// Which kinds the Alibaba DOM fallback should read.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlibabaWants {
    pub gallery: bool,
    pub variants: bool,
    pub description: bool,
    pub videos: bool,
}

/// Alibaba 2026 rendered page (§9.3), read when `window.detailData` did not
/// give a kind: modules by `data-module-name`; gallery slides (`<img>`) and the
/// thumbnail strip (CSS `background-image`) outside other modules, `/kf/`
/// images only; `module_sku` swatches as variants; the description module's
/// images and videos. Reviews, recommendations, company cards, certificates,
/// header/footer and links to other pages are skipped. When `media_keys` (the
/// `mediaItems` keys) is not empty, gallery URLs outside it are skipped (the
/// platform's extra tile).
pub fn alibaba_modules(
    dom: &Dom<'_>,
    c: &mut Collector,
    pid: &str,
    want: AlibabaWants,
    media_keys: &std::collections::HashSet<String>,
) {
    use AlibabaRegion::*;
    let mut regions: Vec<AlibabaRegion> = Vec::with_capacity(dom.elements.len());
    for el in &dom.elements {
        let parent = el
            .parent
            .and_then(|p| regions.get(p).copied())
            .unwrap_or(Gallery);
        regions.push(alibaba_region(el, parent, pid));
    }
    let mut swatches = 0usize;
    for (i, el) in dom.elements.iter().enumerate() {
        let region = regions.get(i).copied().unwrap_or(Skip);
        if region == Skip {
            continue;
        }
        if el.name == "video" {
            if (region == Description && want.description) || (region == Gallery && want.videos) {
                let src = video_src(dom, i);
                if let Some(s) = src {
                    c.add(
                        MediaKind::Video,
                        s,
                        None,
                        el.attr("poster"),
                        "page video (DOM)",
                    );
                }
            }
            continue;
        }
        let url = if el.name == "img" {
            img_url(el)
        } else {
            background_url(el)
        };
        let Some(url) = url else { continue };
        if is_decoration(dom, i) {
            continue;
        }
        match region {
            Gallery if want.gallery => {
                let Some(orig) = original_url(url) else {
                    continue;
                };
                if !orig.contains("/kf/") {
                    continue;
                }
                if !media_keys.is_empty() && !media_keys.contains(&key_of_original(&orig)) {
                    continue;
                }
                c.add(MediaKind::Gallery, &orig, None, None, "page gallery (DOM)");
            }
            Sku if want.variants => {
                swatches = swatches.saturating_add(1);
                if swatches > MAX_SWATCHES {
                    continue;
                }
                let variant = swatch_value(dom, i).map(|value| Variant {
                    axis: sku_axis(dom, i, |e| {
                        e.attr("data-module-name").is_none() && has_class_fragment(e, &["title"])
                    })
                    .unwrap_or_else(|| "Variant".to_string()),
                    value,
                });
                c.add(MediaKind::Variant, url, variant, None, "module_sku (DOM)");
            }
            Description if want.description => {
                c.add(
                    MediaKind::Description,
                    url,
                    None,
                    None,
                    "module_description (DOM)",
                );
            }
            _ => {}
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
        let src = video_src(dom, i);
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

/// The source of the `<video>` element `i`: its `src`, or its first `<source>`'s.
fn video_src<'d>(dom: &'d Dom<'_>, i: usize) -> Option<&'d str> {
    let el = dom.get(i)?;
    el.attr("src").filter(|s| !s.trim().is_empty()).or_else(|| {
        dom.descendants_upto(i, MAX_VIDEO_CHILDREN)
            .into_iter()
            .filter_map(|j| dom.get(j))
            .find(|e| e.name == "source")
            .and_then(|e| e.attr("src"))
    })
}
