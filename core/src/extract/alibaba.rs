//! Alibaba.com product-detail pages (page-formats §3).

use super::js::{self, Found};
use super::{at, digits, dom, list, text, Ctx};
use crate::{MediaKind, Variant};
use serde_json::Value;

/// Reads an Alibaba page.
pub fn extract(ctx: &mut Ctx<'_>) {
    let scripts = ctx.scripts.clone();
    for (_, body) in &scripts {
        match js::find_assignment(body, "window.detailData") {
            Found::Literal(lit) => {
                if let Some(v) = ctx.parse_json(lit, "window.detailData") {
                    detail_data(ctx, &v);
                }
            }
            Found::Truncated => ctx.c.warn("bad_json", "window.detailData is cut off"),
            Found::Missing => {}
        }
    }
    // desc.htm JSON documents.
    let docs = ctx.documents;
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
    for r in dom::roots(&ctx.dom, |e| {
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
fn detail_data(ctx: &mut Ctx<'_>, v: &Value) {
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
    match product.get("mediaItems") {
        Some(Value::Array(items)) => {
            let mut first_image: Option<String> = None;
            let mut videos: Vec<(String, Option<String>)> = Vec::new();
            for it in items {
                let kind = text(it.get("type"))
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if kind == "video" {
                    let best = ["hd", "sd", "ld"]
                        .iter()
                        .find_map(|q| {
                            let e = at(it, &["videoUrl", q])?;
                            text(e.get("videoUrl")).or_else(|| text(Some(e)))
                        })
                        .or_else(|| text(it.get("videoUrl")));
                    let poster = text(it.get("videoCoverUrl")).or_else(|| image_of(it));
                    match best {
                        Some(u) => videos.push((u, poster)),
                        None => ctx.c.warn(
                            "unexpected_shape",
                            format!("{source}: a video item has no hd/sd/ld URL"),
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
    // Older pages: product.video = {cover, videoId}.
    if let Some(vid) = digits(at(product, &["video", "videoId"])) {
        let u =
            format!("https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/1/d/hd/{vid}.mp4");
        let poster = text(at(product, &["video", "cover"]));
        ctx.c.add(
            MediaKind::Video,
            &u,
            None,
            poster.as_deref(),
            "detailData product.video",
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
