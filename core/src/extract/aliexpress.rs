//! AliExpress global item pages, every era (page-formats §1).

use super::js::{self, Found};
use super::json::{self, KeySet, Keys, Selected};
use super::{at, digits, dom, list, locale_from_desc_url, text, uid, url_list, Ctx};
use crate::{MediaKind, Variant};
use serde_json::Value;

/// Reads an AliExpress page.
pub fn extract(ctx: &mut Ctx<'_>) {
    let mut maps: Vec<(Value, &'static str)> = Vec::new();
    let mut csr_gallery: Vec<String> = Vec::new();
    let scripts = ctx.scripts.clone();
    for (_, body) in &scripts {
        // Era A/B: window.runParams = { data: {…}, … }
        // One pass over `data` when it is plain JSON (the usual case): parsed
        // in place, before the literal is cut out, and stepped over by the
        // bracket matcher that cuts it out.
        let mut early: Option<(usize, usize, usize, Selected)> = None;
        let (found, lit_start) = js::find_assignment_skipping(body, "window.runParams", |j| {
            let text = body.get(j..)?;
            let vs = js::member_value_start(text, "data")?;
            let (v, len) = json::select_prefix::<ModuleKeys>(text.get(vs..)?)?;
            early = Some((j, vs, vs + len, v));
            Some((j + vs, j + vs + len))
        });
        match found {
            Found::Literal(lit) => {
                // Read as on the cut-out literal (`member_value_start(lit)`,
                // then `select_prefix` on the rest of it): the same when the
                // member start and the value with the byte after it lie
                // inside the literal, as every byte those readers looked at
                // then is one of the literal's.
                let fast = match early.take() {
                    Some((j, _, end, v)) if j == lit_start && end < lit.len() => Some(Some(v)),
                    _ => js::member_value_start(lit, "data")
                        .and_then(|vs| lit.get(vs..))
                        .and_then(json::select_prefix::<ModuleKeys>)
                        .map(|(v, _)| Some(v)),
                };
                let parsed = fast.or_else(|| {
                    js::object_members(lit)
                        .into_iter()
                        .find(|(k, _)| k == "data")
                        .map(|(_, data)| {
                            ctx.parse_selected(data, "window.runParams.data", &MODULE_KEYS)
                        })
                });
                if let Some(parsed) = parsed {
                    match parsed {
                        Some(Selected::Object(v, members)) if members > 0 => {
                            maps.push((v, "window.runParams.data"));
                        }
                        Some(Selected::Object(..)) | None => {}
                        Some(Selected::Other) => ctx
                            .c
                            .warn("unexpected_shape", "window.runParams.data is not an object"),
                    }
                }
            }
            Found::Truncated => ctx.c.warn(
                "bad_json",
                "window.runParams is cut off (the literal never closes)",
            ),
            Found::Missing => {}
        }
        // Era C: window._d_c_.DCData = {…}
        match js::find_assignment(body, "window._d_c_.DCData") {
            Found::Literal(lit) => {
                if let Some(v) = ctx.parse_selected(lit, "window._d_c_.DCData", &DC_DATA_KEYS) {
                    // Not an object: no module map, no image list (as `Value::get`).
                    let v = match v {
                        Selected::Object(v, _) => v,
                        Selected::Other => Value::Null,
                    };
                    if is_module_map(&v) {
                        maps.push((v, "window._d_c_.DCData"));
                    } else {
                        let mut l =
                            url_list(&mut ctx.c, v.get("imagePathList"), "DCData.imagePathList");
                        if l.is_empty() {
                            l = url_list(
                                &mut ctx.c,
                                v.get("summImagePathList"),
                                "DCData.summImagePathList",
                            );
                        }
                        csr_gallery.extend(l);
                    }
                }
            }
            Found::Truncated => ctx.c.warn("bad_json", "window._d_c_.DCData is cut off"),
            Found::Missing => {}
        }
    }
    // Era D: mtop JSONP bodies (or the same JSON unwrapped) among the documents.
    let docs = ctx.documents.clone();
    for d in docs {
        let body = js::strip_jsonp(&d.body);
        if !(body.starts_with('{')
            && (d.url.contains("mtop.aliexpress.pdp")
                || body.contains("HEADER_IMAGE_PC")
                || body.contains("\"result\"")))
        {
            continue;
        }
        if let Some(mut v) = ctx.parse_json(body, "product API response (mtop)") {
            let result = match v.pointer_mut("/data/result") {
                Some(r) => Some(r.take()),
                None => v.get_mut("result").map(Value::take),
            };
            match result {
                Some(r) if r.is_object() => {
                    let id = digits(at(&r, &["GLOBAL_DATA", "globalData", "productId"]));
                    if ctx.same_product(id, "product API response (mtop)") {
                        maps.push((r, "mtop pdp.pc.query"));
                    }
                }
                _ => {
                    let ret = text(list(v.get("ret")).first().copied()).unwrap_or_default();
                    ctx.c.warn(
                        "no_data",
                        format!(
                            "product API response has no data.result ({})",
                            super::collect::clip(&ret)
                        ),
                    );
                }
            }
        }
    }

    for (m, source) in &maps {
        read_module_map(ctx, m, source);
    }
    // Era C CSR shell: its gallery only when no module map (the API) gave one.
    if ctx.c.count(MediaKind::Gallery) == 0 {
        for u in &csr_gallery {
            ctx.c
                .add(MediaKind::Gallery, u, None, None, "window._d_c_.DCData");
        }
    }

    descriptions(ctx);

    // DOM fallbacks, only for what the data did not give.
    if ctx.c.count(MediaKind::Gallery) == 0 {
        dom::ae_gallery(&ctx.dom, &mut ctx.c);
    }
    if ctx.c.count(MediaKind::Variant) == 0 {
        dom::ae_variants(&ctx.dom, &mut ctx.c);
    }
    if ctx.c.count(MediaKind::Video) == 0 {
        dom::ae_videos(&ctx.dom, &mut ctx.c);
    }
    if ctx.title.is_none() {
        let t = dom::title(&ctx.dom);
        ctx.set_title(t);
    }
}

/// The module names of [`MODULE_KEYS`], then any extra names.
macro_rules! module_keys {
    ($($extra:literal),*) => {
        &[
            "imageModule",
            "imageComponent",
            "HEADER_IMAGE_PC",
            "videoComponent",
            "skuModule",
            "skuComponent",
            "SKU",
            "DESC",
            "descriptionModule",
            "productDescComponent",
            "titleModule",
            "productInfoComponent",
            "PRODUCT_TITLE",
            "GLOBAL_DATA",
            "storeModule",
            "sellerComponent",
            "SHOP_CARD_PC",
            "webEnv",
            "pageModule",
            $($extra,)*
        ]
    };
}
/// Every top-level member of a module map that [`is_module_map`] and
/// [`read_module_map`] look at; the others are validated, not kept.
const MODULE_NAMES: &[&str] = module_keys!();

/// Members of which [`read_module_map`] reads only some (by `get`, never
/// looking at the others, their number or order): within them only those
/// are kept. The SKU modules are mostly price lists; the page module,
/// language links.
const NARROW: &[(&str, &[&str])] = &[
    ("skuModule", &["productSKUPropertyList"]),
    ("skuComponent", &["productSKUPropertyList"]),
    ("SKU", &["skuProperties"]),
    ("DESC", &["descVideoUrl", "pcDescUrl", "nativeDescUrl"]),
    ("descriptionModule", &["descriptionUrl"]),
    ("productDescComponent", &["descriptionUrl"]),
    ("titleModule", &["subject"]),
    ("productInfoComponent", &["subject", "idStr"]),
    ("PRODUCT_TITLE", &["text"]),
    ("GLOBAL_DATA", &["globalData"]),
    ("storeModule", &["storeName"]),
    ("sellerComponent", &["storeName"]),
    ("SHOP_CARD_PC", &["storeName"]),
    ("webEnv", &["env"]),
    ("pageModule", &["productId"]),
];

/// The members of a module map kept by [`json::select`].
const MODULE_KEYS: Keys<'static> = Keys {
    names: MODULE_NAMES,
    narrow: NARROW,
};

/// [`MODULE_KEYS`] as a type, for [`json::select_prefix`].
struct ModuleKeys;

impl KeySet for ModuleKeys {
    const KEYS: Keys<'static> = MODULE_KEYS;
}

/// [`MODULE_KEYS`] and the Era C CSR image lists.
const DC_DATA_KEYS: Keys<'static> = Keys {
    names: module_keys!("imagePathList", "summImagePathList"),
    narrow: NARROW,
};

/// A Component/Module map (Era A/B/C SSR) or mtop result (Era D)?
fn is_module_map(v: &Value) -> bool {
    [
        "imageModule",
        "imageComponent",
        "skuComponent",
        "productInfoComponent",
        "HEADER_IMAGE_PC",
    ]
    .iter()
    .any(|k| v.get(*k).is_some())
}

/// Gallery, video, SKU, description URL and metadata of one module map.
fn read_module_map(ctx: &mut Ctx<'_>, m: &Value, source: &str) {
    // Gallery.
    let mut first_image: Option<String> = None;
    for key in ["imageModule", "imageComponent", "HEADER_IMAGE_PC"] {
        let Some(img) = m.get(key) else { continue };
        if !img.is_object() {
            ctx.c.warn(
                "unexpected_shape",
                format!("{source}: {key} is not an object"),
            );
            continue;
        }
        let what = format!("{source}: {key}");
        let mut urls = url_list(
            &mut ctx.c,
            img.get("imagePathList"),
            &format!("{what}.imagePathList"),
        );
        for alt in [
            "image640PathList",
            "imgList",
            "image250PathList",
            "summImagePathList",
        ] {
            if urls.is_empty() {
                urls = url_list(&mut ctx.c, img.get(alt), &format!("{what}.{alt}"));
            }
        }
        if urls.is_empty() {
            urls = list(img.get("mainImages"))
                .into_iter()
                .filter_map(|x| text(x.get("imageUrl")).or_else(|| text(Some(x))))
                .collect();
        }
        for u in &urls {
            if ctx.c.add(MediaKind::Gallery, u, None, None, &what) && first_image.is_none() {
                first_image = Some(u.clone());
            }
        }
        // Era A gallery video.
        if let (Some(vuid), Some(vid)) = (uid(img.get("videoUid")), digits(img.get("videoId"))) {
            let u =
                format!("https://cloud.video.taobao.com/play/u/{vuid}/p/1/e/6/t/10301/{vid}.mp4");
            ctx.c
                .add(MediaKind::Video, &u, None, first_image.as_deref(), &what);
        }
        // Era D gallery video (unverified shape).
        if let Some(pv) = img.get("productVideo").filter(|v| v.is_object()) {
            let play = pv.get("videoPlayInfo");
            let url = ["webUrl", "iphoneUrl", "androidPhoneUrl"]
                .iter()
                .find_map(|k| text(play.and_then(|p| p.get(*k))))
                .or_else(|| text(pv.get("videoUrl")));
            let poster = text(pv.get("posterUrl")).or_else(|| first_image.clone());
            if let Some(u) = url {
                ctx.c
                    .add(MediaKind::Video, &u, None, poster.as_deref(), &what);
            }
        }
    }
    // Era B/C gallery video.
    if let Some(vc) = m.get("videoComponent") {
        match (uid(vc.get("videoUid")), digits(vc.get("videoId"))) {
            (Some(vuid), Some(vid)) => {
                let u = format!("https://video.aliexpress-media.com/play/u/ae_sg_item/{vuid}/p/1/e/6/t/10301/{vid}.mp4");
                ctx.c.add(
                    MediaKind::Video,
                    &u,
                    None,
                    first_image.as_deref(),
                    &format!("{source}: videoComponent"),
                );
            }
            _ if vc.as_object().is_some_and(|o| !o.is_empty()) => {
                ctx.c.warn(
                    "unexpected_shape",
                    format!("{source}: videoComponent has no usable videoUid/videoId"),
                );
            }
            _ => {}
        }
    }
    // SKU images.
    let props = m
        .get("skuModule")
        .and_then(|s| s.get("productSKUPropertyList"))
        .or_else(|| {
            m.get("skuComponent")
                .and_then(|s| s.get("productSKUPropertyList"))
        })
        .or_else(|| m.get("SKU").and_then(|s| s.get("skuProperties")));
    if let Some(props) = props {
        if !matches!(props, Value::Array(_) | Value::Object(_)) {
            ctx.c.warn(
                "unexpected_shape",
                format!("{source}: SKU property list is not a list"),
            );
        }
        sku_properties(ctx, props, source);
    }
    // Description video (Era D).
    if let Some(u) = text(at(m, &["DESC", "descVideoUrl"])) {
        ctx.c.add(
            MediaKind::Video,
            &u,
            None,
            None,
            &format!("{source}: DESC.descVideoUrl"),
        );
    }
    // Description document URLs; Era D's `nativeDescUrl` (the same
    // description as JSON) only when there is no `pcDescUrl`.
    let named = [
        &["descriptionModule", "descriptionUrl"][..],
        &["productDescComponent", "descriptionUrl"][..],
        &["DESC", "pcDescUrl"][..],
    ]
    .iter()
    .filter_map(|path| text(at(m, path)))
    .collect::<Vec<_>>();
    let named = if named.is_empty() {
        text(at(m, &["DESC", "nativeDescUrl"]))
            .into_iter()
            .collect()
    } else {
        named
    };
    for u in named {
        let loc = locale_from_desc_url(&u);
        ctx.set_locale(loc);
        ctx.desc_urls.push(u);
    }
    // Metadata.
    let title = text(at(m, &["titleModule", "subject"]))
        .or_else(|| text(at(m, &["productInfoComponent", "subject"])))
        .or_else(|| text(at(m, &["PRODUCT_TITLE", "text"])))
        .or_else(|| text(at(m, &["GLOBAL_DATA", "globalData", "subject"])));
    ctx.set_title(title);
    let shop = text(at(m, &["storeModule", "storeName"]))
        .or_else(|| text(at(m, &["sellerComponent", "storeName"])))
        .or_else(|| text(at(m, &["GLOBAL_DATA", "globalData", "storeName"])))
        .or_else(|| text(at(m, &["SHOP_CARD_PC", "storeName"])));
    ctx.set_shop(shop);
    let locale = text(at(m, &["webEnv", "env", "valMap", "g11n:locale"]));
    ctx.set_locale(locale);
    let pid = digits(at(m, &["productInfoComponent", "idStr"]))
        .or_else(|| digits(at(m, &["pageModule", "productId"])))
        .or_else(|| digits(at(m, &["GLOBAL_DATA", "globalData", "productId"])));
    ctx.set_product_id(pid);
}

/// `productSKUPropertyList[]` / `skuProperties[]` → variant images.
fn sku_properties(ctx: &mut Ctx<'_>, props: &Value, source: &str) {
    let what = format!("{source}: SKU properties");
    for prop in list(Some(props)) {
        let axis = text(prop.get("skuPropertyName")).unwrap_or_else(|| "Variant".to_string());
        for val in list(prop.get("skuPropertyValues")) {
            let image = text(val.get("skuPropertyImagePath"))
                .or_else(|| text(val.get("skuPropertyImageSummPath")));
            let Some(image) = image else { continue };
            let value = text(val.get("propertyValueDisplayName"))
                .or_else(|| text(val.get("propertyValueName")))
                .or_else(|| text(val.get("skuPropertyTips")))
                .unwrap_or_default();
            let variant = Some(Variant {
                axis: super::collapse(&axis),
                value: super::collapse(&value),
            });
            ctx.c.add(MediaKind::Variant, &image, variant, None, &what);
        }
    }
}

/// Is this document the description named by the page data?
fn is_description_doc(url: &str, desc_urls: &[String]) -> bool {
    let norm = |u: &str| -> String {
        let u = u.trim().replace("&amp;", "&");
        let u = u.split('#').next().unwrap_or("").to_string();
        u.trim_start_matches("https:")
            .trim_start_matches("http:")
            .to_string()
    };
    let n = norm(url);
    if desc_urls.iter().any(|d| norm(d) == n) {
        return true;
    }
    let path = n.split('?').next().unwrap_or("").to_ascii_lowercase();
    path.ends_with("/desc.htm")
        || path.ends_with("/desc.json")
        || path.contains("/product/description/")
}

/// Description documents, then description containers in the DOM.
fn descriptions(ctx: &mut Ctx<'_>) {
    let docs = ctx.documents.clone();
    let pid = ctx.product_id.clone();
    for d in docs {
        if !is_description_doc(&d.url, &ctx.desc_urls) {
            continue;
        }
        let body = d.body.trim_start();
        if body.starts_with('{') {
            // nativeDescUrl JSON: {moduleList:[{type:"image",data:{url}}]}
            let Some(v) = ctx.parse_json(body, "description JSON") else {
                continue;
            };
            for m in list(v.get("moduleList")) {
                if text(m.get("type")).as_deref() == Some("image") {
                    if let Some(u) = text(at(m, &["data", "url"])) {
                        ctx.c
                            .add(MediaKind::Description, &u, None, None, "description JSON");
                    }
                }
            }
            continue;
        }
        let doc = super::html::Dom::parse(&d.body);
        dom::description(
            &doc,
            &mut ctx.c,
            None,
            ctx.platform,
            &pid,
            "description document",
        );
    }
    // Both tests need "product-description" in an attribute value.
    let candidates = ctx.dom.attr_candidates(&["product-description"]);
    let roots = dom::roots_among(&ctx.dom, candidates, |e| {
        e.id_is("product-description") || e.class_contains("description--product-description")
    });
    for r in roots {
        dom::description(
            &ctx.dom,
            &mut ctx.c,
            Some(r),
            ctx.platform,
            &pid,
            "description (page)",
        );
    }
}
