//! Alibaba.com product-detail pages (page-formats §3, §9.2, §9.3).

use super::js::{self, Found};
use super::{at, digits, dom, list, text, Ctx};
use crate::url::{key_of_original, original_url};
use crate::{MediaKind, Variant};
use serde_json::Value;
use std::collections::HashSet;

/// Video renditions in order of preference: H.264 first (`hd` → `sd` → `ld`),
/// HEVC (`hd_265`, `sd_265`) only when there is no H.264 one (§9.2).
const RENDITIONS: [&str; 5] = ["hd", "sd", "ld", "hd_265", "sd_265"];

/// Reads an Alibaba page.
pub fn extract(ctx: &mut Ctx<'_>) {
    let scripts = ctx.scripts.clone();
    // Keys of the `mediaItems` images (and video covers), for the DOM gallery.
    let mut media_keys: HashSet<String> = HashSet::new();
    for (_, body) in &scripts {
        match js::find_assignment(body, "window.detailData") {
            Found::Literal(lit) => {
                if let Some(v) = ctx.parse_json(lit, "window.detailData") {
                    detail_data(ctx, &v, &mut media_keys);
                }
            }
            Found::Truncated => ctx.c.warn("bad_json", "window.detailData is cut off"),
            Found::Missing => {}
        }
    }
    // desc.htm JSON documents.
    let docs = ctx.documents.clone();
    let pid = ctx.product_id.clone();
    for d in docs {
        let body = d.body.trim_start();
        let looks_json = body.starts_with('{');
        if !(d.url.contains("desc.htm") || (looks_json && body.contains("productHtmlDescription")))
        {
            continue;
        }
        if looks_json {
            let Some(v) = ctx.parse_json(body, "description (desc.htm)") else {
                continue;
            };
            let id = [
                &["data", "productId"][..],
                &["data", "detailId"][..],
                &["productId"][..],
                &["detailId"][..],
            ]
            .iter()
            .find_map(|p| digits(at(&v, p)));
            if !ctx.same_product(id, "description (desc.htm)") {
                continue;
            }
            let html = text(at(&v, &["data", "productHtmlDescription"]))
                .or_else(|| text(v.get("productHtmlDescription")));
            match html {
                Some(h) => {
                    let doc = super::html::Dom::parse(&h);
                    dom::description(
                        &doc,
                        &mut ctx.c,
                        None,
                        ctx.platform,
                        &pid,
                        "description (desc.htm)",
                    );
                }
                None => ctx.c.warn(
                    "no_data",
                    "desc.htm response has no data.productHtmlDescription",
                ),
            }
        } else {
            let doc = super::html::Dom::parse(&d.body);
            dom::description(
                &doc,
                &mut ctx.c,
                None,
                ctx.platform,
                &pid,
                "description (desc.htm)",
            );
        }
    }
    // Description rendered in the page.
    let candidates = ctx
        .dom
        .attr_candidates(&["detail_decorate_root", "J-rich-text-description"]);
    for r in dom::roots_among(&ctx.dom, candidates, |e| {
        e.id_is("detail_decorate_root") || e.id_is("J-rich-text-description")
    }) {
        dom::description(
            &ctx.dom,
            &mut ctx.c,
            Some(r),
            ctx.platform,
            &pid,
            "description (page)",
        );
    }
    // The rendered 2026 page (§9.3), for what the data did not give.
    let want = dom::AlibabaWants {
        gallery: ctx.c.count(MediaKind::Gallery) == 0,
        variants: ctx.c.count(MediaKind::Variant) == 0,
        description: ctx.c.count(MediaKind::Description) == 0,
        videos: ctx.c.count(MediaKind::Video) == 0,
    };
    if want.gallery || want.variants || want.description || want.videos {
        dom::alibaba_modules(&ctx.dom, &mut ctx.c, &pid, want, &media_keys);
    }
    // JSON-LD fallback for the gallery.
    if ctx.c.count(MediaKind::Gallery) == 0 {
        json_ld(ctx);
    }
    if ctx.c.count(MediaKind::Gallery) == 0 {
        if let Some(u) = dom::meta_content(&ctx.dom, "og:image").map(str::to_string) {
            ctx.c.add(MediaKind::Gallery, &u, None, None, "og:image");
        }
    }
    if ctx.title.is_none() {
        let t = dom::title(&ctx.dom);
        ctx.set_title(t);
    }
}

/// `detailData.globalData.product` (or legacy `detailData.product`).
fn detail_data(ctx: &mut Ctx<'_>, v: &Value, media_keys: &mut HashSet<String>) {
    let product = at(v, &["globalData", "product"]).or_else(|| v.get("product"));
    let Some(product) = product.filter(|p| p.is_object()) else {
        ctx.c
            .warn("no_data", "window.detailData has no product object");
        return;
    };
    ctx.set_title(text(product.get("subject")));
    ctx.set_product_id(digits(product.get("productId")));
    let shop = text(at(v, &["globalData", "seller", "companyName"]))
        .or_else(|| text(at(v, &["seller", "companyName"])))
        .or_else(|| text(at(product, &["seller", "companyName"])));
    ctx.set_shop(shop);
    let source = "detailData mediaItems";
    // Video ids that came with a URL, and those named without one.
    let mut played: Vec<String> = Vec::new();
    let mut no_url: Vec<(String, &str)> = Vec::new();
    match product.get("mediaItems") {
        Some(Value::Array(items)) => {
            let mut first_image: Option<String> = None;
            let mut videos: Vec<(String, Option<String>)> = Vec::new();
            for it in items {
                for u in [text(it.get("videoCoverUrl"))]
                    .into_iter()
                    .chain(image_urls(it))
                    .flatten()
                {
                    if let Some(o) = original_url(&u) {
                        media_keys.insert(key_of_original(&o));
                    }
                }
                let kind = text(it.get("type"))
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if kind == "video" {
                    let id = digits(it.get("videoId"));
                    let poster = text(it.get("videoCoverUrl")).or_else(|| image_of(it));
                    match (best_rendition(it.get("videoUrl")), id) {
                        (Some(u), id) => {
                            played.extend(id);
                            videos.push((u, poster));
                        }
                        (None, Some(id)) => no_url.push((id, source)),
                        (None, None) => ctx.c.warn(
                            "unexpected_shape",
                            format!("{source}: a video item has neither a URL nor an id"),
                        ),
                    }
                } else if let Some(u) = image_of(it) {
                    if ctx.c.add(MediaKind::Gallery, &u, None, None, source)
                        && first_image.is_none()
                    {
                        first_image = Some(u);
                    }
                }
            }
            for (u, poster) in videos {
                let poster = poster.or_else(|| first_image.clone());
                ctx.c
                    .add(MediaKind::Video, &u, None, poster.as_deref(), source);
            }
        }
        Some(_) => ctx
            .c
            .warn("unexpected_shape", format!("{source} is not a list")),
        None => {}
    }
    // `product.video = {cover, videoId}` (legacy) and the description's
    // `videoId` name ids only: no URL is built from an id (the renditions'
    // signed paths cannot be derived; a built one is another file, or a 404).
    if let Some(id) = digits(at(product, &["video", "videoId"])) {
        no_url.push((id, "detailData product.video"));
    }
    if let Some(id) = digits(at(
        v,
        &[
            "nodeMap",
            "module_description",
            "privateData",
            "productDescription",
            "videoId",
        ],
    )) {
        no_url.push((id, "detailData productDescription"));
    }
    let mut warned: Vec<&str> = Vec::new();
    for (id, from) in &no_url {
        if played.contains(id) || warned.contains(&id.as_str()) {
            continue;
        }
        warned.push(id);
        ctx.c.warn(
            "video_without_url",
            format!("{from}: video id {id}, no URL (not guessed)"),
        );
    }
    // SKU images: the image key inside each value is unverified; try the
    // plausible names only (never every URL in the object).
    for attr in list(at(product, &["sku", "skuAttrs"])) {
        let axis = text(attr.get("name")).unwrap_or_else(|| "Variant".to_string());
        for val in list(attr.get("values")) {
            let image = [
                "originImage",
                "bigImage",
                "image",
                "imageUrl",
                "imgUrl",
                "skuImage",
            ]
            .iter()
            .find_map(|k| {
                let f = val.get(*k)?;
                text(f.get("big")).or_else(|| text(Some(f)))
            });
            let Some(image) = image else { continue };
            let value = text(val.get("name")).unwrap_or_default();
            ctx.c.add(
                MediaKind::Variant,
                &image,
                Some(Variant {
                    axis: axis.clone(),
                    value,
                }),
                None,
                "detailData sku.skuAttrs",
            );
        }
    }
    // Newer modular pages: nodeMap.module_description.privateData.productDescription.details[].
    let details = at(
        v,
        &[
            "nodeMap",
            "module_description",
            "privateData",
            "productDescription",
            "details",
        ],
    );
    for d in list(details) {
        if text(d.get("type")).as_deref() == Some("image") {
            if let Some(u) = text(d.get("url")) {
                ctx.c.add(
                    MediaKind::Description,
                    &u,
                    None,
                    None,
                    "detailData module_description",
                );
            }
        }
    }
}

/// The explicit URL of the best rendition in a `videoUrl` map (see
/// [`RENDITIONS`]): the first whose URL is a CDN video, else the first named
/// (the collector then says why it is not used). A plain string is taken as is.
fn best_rendition(v: Option<&Value>) -> Option<String> {
    let v = v?;
    if v.is_string() {
        return text(Some(v));
    }
    let named: Vec<String> = RENDITIONS
        .iter()
        .filter_map(|q| {
            let e = v.get(*q)?;
            text(e.get("videoUrl")).or_else(|| text(Some(e)))
        })
        .collect();
    named
        .iter()
        .find(|u| original_url(u).is_some_and(|o| o.contains(".mp4")))
        .or_else(|| named.first())
        .cloned()
}

/// Every URL string of an item's `imageUrl` (object values or a string).
fn image_urls(it: &Value) -> Vec<Option<String>> {
    match it.get("imageUrl") {
        Some(Value::Object(m)) => m.values().map(|x| text(Some(x))).collect(),
        Some(x) => vec![text(Some(x))],
        None => Vec::new(),
    }
}

/// `imageUrl.big || origin || normal` (or a plain string).
fn image_of(it: &Value) -> Option<String> {
    let iu = it.get("imageUrl")?;
    match iu {
        Value::String(_) => text(Some(iu)),
        Value::Object(_) => ["big", "origin", "normal"]
            .iter()
            .find_map(|k| text(iu.get(*k))),
        _ => None,
    }
}

/// `<script type="application/ld+json">` Product `image` (string, array,
/// ImageObject), also inside `@graph`.
fn json_ld(ctx: &mut Ctx<'_>) {
    let blocks: Vec<usize> = ctx
        .dom
        .by_name("script")
        .filter(|&i| {
            ctx.dom
                .get(i)
                .and_then(|e| e.attr("type"))
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
        })
        .collect();
    for i in blocks {
        let body = ctx.dom.raw_inner(i);
        let Some(v) = ctx.parse_json(body.trim(), "JSON-LD") else {
            continue;
        };
        let mut nodes: Vec<&Value> = match &v {
            Value::Array(a) => a.iter().collect(),
            _ => vec![&v],
        };
        if let Some(g) = v.get("@graph") {
            nodes.extend(list(Some(g)));
        }
        for n in nodes {
            let is_product = match n.get("@type") {
                Some(Value::String(s)) => s == "Product",
                Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some("Product")),
                _ => false,
            };
            if !is_product {
                continue;
            }
            ctx.set_title(text(n.get("name")));
            let images: Vec<&Value> = match n.get("image") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(x) => vec![x],
                None => Vec::new(),
            };
            for im in images {
                let u = match im {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(_) => text(im.get("contentUrl")).or_else(|| text(im.get("url"))),
                    _ => None,
                };
                if let Some(u) = u {
                    ctx.c
                        .add(MediaKind::Gallery, &u, None, None, "JSON-LD Product.image");
                }
            }
        }
    }
}
