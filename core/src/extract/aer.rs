//! aliexpress.ru (page-formats §2): `#__AER_DATA__` widget tree, `productData`
//! API JSON, `#content_anchor` description.

use super::{digits, dom, list, text, Ctx};
use crate::{MediaKind, Variant};
use serde_json::Value;

/// Most JSON nodes visited while searching the widget tree.
const MAX_NODES: usize = 2_000_000;

/// Reads an aliexpress.ru page.
pub fn extract(ctx: &mut Ctx<'_>) {
    let islands: Vec<usize> = ctx
        .dom
        .by_name("script")
        .filter(|&i| ctx.dom.get(i).is_some_and(|e| e.id_is("__AER_DATA__")))
        .collect();
    for i in islands {
        let body = ctx.dom.raw_inner(i);
        let Some(v) = ctx.parse_json(body, "#__AER_DATA__") else {
            continue;
        };
        let pid = ctx.product_id.clone();
        match find_product_props(&v, &pid) {
            Some(props) => {
                ctx.set_product_id(text(props.get("id")));
                ctx.set_title(text(props.get("name")));
                gallery(ctx, props.get("gallery"), "#__AER_DATA__ gallery");
                sku(ctx, props.get("skuInfo"), "#__AER_DATA__ skuInfo");
            }
            None => ctx.c.warn(
                "no_data",
                "#__AER_DATA__ has no product node with a gallery",
            ),
        }
    }
    // productData API responses.
    let docs = ctx.documents.clone();
    for d in &docs {
        let body = d.body.trim_start();
        if !body.starts_with('{')
            || !(d.url.contains("productData")
                || body.contains("\"gallery\"")
                || body.contains("\"skuInfo\""))
        {
            continue;
        }
        let Some(v) = ctx.parse_json(body, "productData response") else {
            continue;
        };
        let data = v.get("data").unwrap_or(&v);
        if !ctx.same_product(digits(data.get("id")), "productData response") {
            continue;
        }
        ctx.set_product_id(text(data.get("id")));
        ctx.set_title(text(data.get("name")));
        gallery(ctx, data.get("gallery"), "productData gallery");
        sku(ctx, data.get("skuInfo"), "productData skuInfo");
        // Description widget HTML (`widgets[].state.data.html`), if passed.
        if let Some(html) = text(super::at(data, &["description", "html"])) {
            let doc = super::html::Dom::parse(&html);
            dom::description(
                &doc,
                &mut ctx.c,
                None,
                ctx.platform,
                &ctx.product_id.clone(),
                "productData description",
            );
        }
    }
    // Description widget documents (`/widget?uuid=…`) with state.data.html.
    for d in &docs {
        if !d.url.contains("/widget") {
            continue;
        }
        let Some(v) = ctx.parse_json(d.body.trim(), "description widget response") else {
            continue;
        };
        let pid = ctx.product_id.clone();
        for w in list(v.get("widgets")) {
            if let Some(html) = text(super::at(w, &["state", "data", "html"])) {
                let doc = super::html::Dom::parse(&html);
                dom::description(
                    &doc,
                    &mut ctx.c,
                    None,
                    ctx.platform,
                    &pid,
                    "description widget",
                );
            }
        }
    }
    let pid = ctx.product_id.clone();
    for r in dom::roots_among(
        &ctx.dom,
        ctx.dom.attr_candidates(&["content_anchor"]),
        |e| e.id_is("content_anchor"),
    ) {
        dom::description(
            &ctx.dom,
            &mut ctx.c,
            Some(r),
            ctx.platform,
            &pid,
            "#content_anchor",
        );
    }
    // SKU swatches of the rendered page, when the data gave no variant image.
    if ctx.c.count(MediaKind::Variant) == 0 {
        dom::aer_variants(&ctx.dom, &mut ctx.c);
    }
    if ctx.title.is_none() {
        let t = dom::title(&ctx.dom);
        ctx.set_title(t);
    }
}

/// Depth-first search (explicit stack) for an object whose `props.id` is the
/// item id and whose `props.gallery` is an array; returns `props`. With no
/// known id, the first `props` with a gallery array.
fn find_product_props<'v>(root: &'v Value, pid: &str) -> Option<&'v Value> {
    let mut stack: Vec<&Value> = vec![root];
    let mut fallback: Option<&Value> = None;
    let mut visited = 0usize;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > MAX_NODES {
            break;
        }
        match v {
            Value::Object(m) => {
                if let Some(props) = m.get("props") {
                    if props.get("gallery").is_some_and(Value::is_array) {
                        let id = text(props.get("id"));
                        if !pid.is_empty() && id.as_deref() == Some(pid) {
                            return Some(props);
                        }
                        if fallback.is_none() && (pid.is_empty() || id.is_none()) {
                            fallback = Some(props);
                        }
                    }
                }
                // Push in reverse so children are visited in document order.
                let children: Vec<&Value> = m
                    .values()
                    .filter(|c| c.is_object() || c.is_array())
                    .collect();
                stack.extend(children.into_iter().rev());
            }
            Value::Array(a) => {
                stack.extend(a.iter().filter(|c| c.is_object() || c.is_array()).rev())
            }
            _ => {}
        }
    }
    fallback
}

/// `gallery[] = {imageUrl, previewUrl, videoUrl}`.
fn gallery(ctx: &mut Ctx<'_>, g: Option<&Value>, source: &str) {
    let Some(g) = g else { return };
    if !g.is_array() {
        if !g.is_null() {
            ctx.c
                .warn("unexpected_shape", format!("{source} is not a list"));
        }
        return;
    }
    for entry in list(Some(g)) {
        let image = text(entry.get("imageUrl")).or_else(|| text(entry.get("previewUrl")));
        match text(entry.get("videoUrl")) {
            Some(video) => {
                // A bare numeric id: build the real (uid-less) play URL form.
                let url = if video.bytes().all(|b| b.is_ascii_digit()) {
                    format!("https://video.aliexpress-media.com/play/u/ae_sg_item/p/1/e/6/t/10301/{video}.mp4")
                } else {
                    video
                };
                ctx.c
                    .add(MediaKind::Video, &url, None, image.as_deref(), source);
            }
            None => {
                if let Some(u) = image {
                    ctx.c.add(MediaKind::Gallery, &u, None, None, source);
                } else if !entry.is_object() {
                    ctx.c.warn(
                        "unexpected_shape",
                        format!("{source}: an entry is not an object"),
                    );
                }
            }
        }
    }
}

/// `skuInfo.propertyList[].values[]`: `imageMainUrl` (`…_640x640.jpg`, the
/// original once the suffix is cut) or `imagePreviewUrl` (§9.1, real); both
/// `null` on text values. Older names are still tried after them.
fn sku(ctx: &mut Ctx<'_>, s: Option<&Value>, source: &str) {
    let Some(s) = s.filter(|s| s.is_object()) else {
        return;
    };
    for prop in list(s.get("propertyList")) {
        let axis = text(prop.get("name")).unwrap_or_else(|| "Variant".to_string());
        for val in list(prop.get("values")) {
            let image = [
                "imageMainUrl",
                "imagePreviewUrl",
                "imageUrl",
                "image",
                "skuPropertyImagePath",
                "imgUrl",
                "previewUrl",
            ]
            .iter()
            .find_map(|k| text(val.get(*k)));
            let Some(image) = image else { continue };
            let value = text(val.get("displayName"))
                .or_else(|| text(val.get("name")))
                .unwrap_or_default();
            let variant = Some(Variant {
                axis: super::collapse(&axis),
                value: super::collapse(&value),
            });
            ctx.c.add(MediaKind::Variant, &image, variant, None, source);
        }
    }
}
