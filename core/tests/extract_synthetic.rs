//! Synthetic pages (every test name says `synthetic`) for the formats no real
//! capture exists for: Era C (`_d_c_`), Era D (mtop JSONP + description
//! document), the hashed React DOM, Alibaba `detailData` + `desc.htm`, JSON-LD.

mod common;

use alisave_core::extract::{Document, PageInput};
use alisave_core::{MediaKind, Platform};
use common::{codes, fixture, run, urls};

/// The `data` object text of a real airvzxf dump.
fn airvzxf_data(id: &str) -> String {
    let js = fixture(&format!(
        "airvzxf-web-browser-extension-alienhanced/item-{id}.js"
    ));
    let start = js.find("data:").expect("data:") + "data:".len();
    let end = js.rfind("};").expect("end");
    // `data: {…}\n};` — the `};` closes `window.runParams`.
    js[start..end].trim().to_string()
}

// ---------------------------------------------------------------------------
// Era C

#[test]
fn era_c_ssr_dcdata_component_map_synthetic() {
    let data = airvzxf_data("1005005913925017");
    let html = format!(
        "<html><head><script>\nwindow.runParams = {{\n            }};\nwindow._d_c_ = window._d_c_ || {{}};\nwindow._d_c_.viewName = 'newDetail';\nwindow._d_c_.isCSR = false;\nwindow._d_c_.DCData = {data};\n</script></head><body><div id=\"root\"></div></body></html>"
    );
    let inv = run(
        "https://www.aliexpress.com/item/1005005913925017.html",
        &html,
        &[],
    );
    assert_eq!(urls(&inv, MediaKind::Gallery).len(), 6);
    assert_eq!(inv.of_kind(MediaKind::Variant).count(), 3);
    assert_eq!(inv.of_kind(MediaKind::Video).count(), 0);
    assert_eq!(inv.shop.as_deref(), Some("Kitleler SportShoes Store"));
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let first = inv.of_kind(MediaKind::Variant).next().expect("variant");
    let v = first.variant.as_ref().expect("label");
    assert_eq!(
        (v.axis.as_str(), v.value.as_str()),
        ("Color", "Black Rose Red")
    );
}

#[test]
fn era_c_csr_dcdata_image_path_list_only_synthetic() {
    let html = r#"<html><head><script>
window.runParams = {
            };
window._d_c_ = window._d_c_ || {};
window._d_c_.viewName = 'choiceDetail';
window._d_c_.isCSR = true;
window._d_c_.DCData = {"extParams":{"site":"deu"},"name":"ItemDetailResp","imagePathList":["https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg","https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.png"],"summImagePathList":["https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg_80x80.jpg","https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.png_80x80.png"]};
</script></head><body><div id="root"></div></body></html>"#;
    let inv = run(
        "https://de.aliexpress.com/item/1005006000000001.html",
        html,
        &[],
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.png",
        ]
    );
    assert_eq!(inv.items.len(), 2);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

// ---------------------------------------------------------------------------
// Era D

const MTOP_BODY: &str = r#"mtopjsonp1({"api":"mtop.aliexpress.pdp.pc.query","data":{"result":{
 "PRODUCT_TITLE":{"text":"Synthetic  Gamepad\n Pro"},
 "GLOBAL_DATA":{"globalData":{"productId":1005007000000001,"subject":"ignored (title already set)","storeName":"Synthetic Store","currencyCode":"USD"}},
 "HEADER_IMAGE_PC":{
   "imagePathList":[
     "https://ae-pic-a1.aliexpress-media.com/kf/Saaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1.jpg",
     "//ae01.alicdn.com/kf/Sbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2.jpg_220x220q75.jpg_.avif",
     "https://ae01.alicdn.com/kf/Saaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1.jpg_640x640.jpg",
     "https://ae04.alicdn.com/kf/Scccccccccccccccccccccccccccccccc3.jpeg_640x640.jpeg",
     "javascript:alert(1)",
     "https://evil.example.com/kf/Sddd.jpg"
   ],
   "skuImagesMap":{"12000000000000001":["https://ae01.alicdn.com/kf/Sfff.jpg"]}
 },
 "SKU":{"skuProperties":[
   {"skuPropertyId":14,"skuPropertyName":"Color","skuPropertyValues":[
     {"propertyValueIdLong":691,"propertyValueDisplayName":"Play blue light","propertyValueName":"Blue","skuPropertyImagePath":"https://ae-pic-a1.aliexpress-media.com/kf/Seeeeeeeeeeeeeeeeeeeeeeeeeeeeeee4.jpg_640x640.jpg"},
     {"propertyValueIdLong":193,"propertyValueName":"Black","skuPropertyImagePath":"https://ae-pic-a1.aliexpress-media.com/kf/Sggggggggggggggggggggggggggggggg5.png"},
     {"propertyValueIdLong":29,"propertyValueDisplayName":"White"}
   ]},
   {"skuPropertyId":200007763,"skuPropertyName":"Ships From","skuPropertyValues":[{"propertyValueIdLong":201336100,"propertyValueName":"China"}]}
 ],"skuPaths":{"0":{"skuIdStr":"12000000000000001","path":"14:691"}}},
 "DESC":{"pcDescUrl":"https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=1005007000000001&key=S1.zip&token=t","nativeDescUrl":"https://aeproductsourcesite.alicdn.com/product/description/native/v2/en_US/desc.json?productId=1005007000000001"},
 "SHOP_CARD_PC":{"storeName":"other","logo":"https://ae01.alicdn.com/kf/Slogo.png"},
 "PRICE":{"banner":"https://ae01.alicdn.com/kf/Sbanner.png"}
}},"ret":["SUCCESS::调用成功"],"v":"1.0"});"#;

const DESC_HTML: &str = r#"<div class="detailmodule_html"><div class="detail-desc-decorate-richtext">
<kse:widget data-widget-type="relatedProduct" id="1" type="relation"><a href="https://www.aliexpress.com/item/1005001111111111.html"><img src="https://ae01.alicdn.com/kf/Scross1.jpg"></a></kse:widget>
<p><img src="https://ae01.alicdn.com/kf/Sdesc1/Seller-Slug.jpg_.webp"><img slate-data-type="image" src="https://ae-pic-a1.aliexpress-media.com/kf/Sdesc2.jpeg_640x640.jpeg"></p>
<script>window.adminAccountId=1;var x='<img src="https://ae01.alicdn.com/kf/Sinscript.jpg">';</script>
<a href="//www.aliexpress.com/store/1234"><img src="https://ae01.alicdn.com/kf/Sstorebanner.jpg"></a>
<img src="https://ae-pic-a1.aliexpress-media.com/kf/Saaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1.jpg">
<img src="https://example.com/tracker.gif"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<img src="https://ae01.alicdn.com/kf/Sdesc3.jpg?size=1&amp;height=2&amp;width=3&amp;hash=4">
<video src="https://video.aliexpress-media.com/play/u/ae_sg_item/9/p/1/e/6/t/10301/777.mp4" poster="https://ae01.alicdn.com/kf/Sposter.jpg"></video>
</div></div>"#;

#[test]
fn era_d_mtop_jsonp_and_description_document_synthetic() {
    let html = r#"<html><head><script>window.runParams = {};
window._d_c_ = window._d_c_ || {}; window._d_c_.isCSR = true;</script></head>
<body><div id="root"><div class="pdp-body pdp-wrap"><div class="slider--img--K0YbWW2"><img src="https://ae01.alicdn.com/kf/Sdomonly.jpg_220x220q75.jpg_.avif"></div></div></div></body></html>"#;
    let docs = [
        Document {
            url: "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&appKey=12574478&api=mtop.aliexpress.pdp.pc.query&type=originaljsonp&callback=mtopjsonp1".into(),
            body: MTOP_BODY.into(),
        },
        Document {
            url: "https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=1005007000000001&key=S1.zip&token=t".into(),
            body: DESC_HTML.into(),
        },
    ];
    let inv = run(
        "https://www.aliexpress.us/item/1005007000000001.html",
        html,
        &docs,
    );
    assert_eq!(inv.platform, Some(Platform::AliExpress));
    assert_eq!(inv.host, "www.aliexpress.us");
    assert_eq!(inv.title.as_deref(), Some("Synthetic Gamepad Pro"));
    assert_eq!(inv.shop.as_deref(), Some("Synthetic Store"));
    assert_eq!(inv.locale.as_deref(), Some("en_US"));
    // Gallery: order kept, suffixes cut, the ae01 copy of image 1 merged.
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://ae-pic-a1.aliexpress-media.com/kf/Saaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1.jpg",
            "https://ae01.alicdn.com/kf/Sbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2.jpg",
            "https://ae04.alicdn.com/kf/Scccccccccccccccccccccccccccccccc3.jpeg",
        ]
    );
    let v: Vec<(&str, &str, &str)> = inv
        .of_kind(MediaKind::Variant)
        .map(|i| {
            let l = i.variant.as_ref().expect("label");
            (i.url.as_str(), l.axis.as_str(), l.value.as_str())
        })
        .collect();
    assert_eq!(
        v,
        [
            (
                "https://ae-pic-a1.aliexpress-media.com/kf/Seeeeeeeeeeeeeeeeeeeeeeeeeeeeeee4.jpg",
                "Color",
                "Play blue light"
            ),
            (
                "https://ae-pic-a1.aliexpress-media.com/kf/Sggggggggggggggggggggggggggggggg5.png",
                "Color",
                "Black"
            ),
        ]
    );
    // Description: no cross-sell, no store banner, nothing from scripts, the
    // gallery duplicate merged away, off-CDN and data: images dropped.
    assert_eq!(
        urls(&inv, MediaKind::Description),
        [
            "https://ae01.alicdn.com/kf/Sdesc1/Seller-Slug.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/Sdesc2.jpeg",
            "https://ae01.alicdn.com/kf/Sdesc3.jpg",
        ]
    );
    let videos: Vec<_> = inv.of_kind(MediaKind::Video).collect();
    assert_eq!(videos.len(), 1);
    assert_eq!(
        videos[0].url,
        "https://video.aliexpress-media.com/play/u/ae_sg_item/9/p/1/e/6/t/10301/777.mp4"
    );
    assert_eq!(
        videos[0].poster.as_deref(),
        Some("https://ae01.alicdn.com/kf/Sposter.jpg")
    );
    // No DOM thumbnails once data exists; no logo/banner from other modules.
    for bad in [
        "Sdomonly",
        "Slogo",
        "Sbanner",
        "Sfff",
        "Scross1",
        "Sstorebanner",
        "Sinscript",
    ] {
        assert!(inv.items.iter().all(|i| !i.url.contains(bad)), "{bad}");
    }
    let off: Vec<_> = inv
        .warnings
        .iter()
        .filter(|w| w.code == "off_cdn_url")
        .collect();
    assert_eq!(off.len(), 4, "{:?}", inv.warnings);
    assert!(off
        .iter()
        .any(|w| w.message.contains("javascript:alert(1)")));
    assert!(off.iter().any(|w| w.message.contains("evil.example.com")));
    assert!(off
        .iter()
        .any(|w| w.message.contains("example.com/tracker.gif")));
    assert!(off.iter().any(|w| w.message.contains("data:image/gif")));
}

#[test]
fn era_d_native_description_json_synthetic() {
    let docs = [
        Document { url: "https://acs.aliexpress.us/h5/mtop.aliexpress.pdp.pc.query/1.0/?callback=mtopjsonp2".into(), body: MTOP_BODY.replace("mtopjsonp1", "mtopjsonp2") },
        Document {
            url: "https://aeproductsourcesite.alicdn.com/product/description/native/v2/en_US/desc.json?productId=1005007000000001".into(),
            body: r#"{"version":"1","moduleList":[{"type":"text","data":{"content":"hi"}},{"type":"image","data":{"url":"https://ae01.alicdn.com/kf/Snative1.jpg","style":{}}},{"type":"image","data":{"url":"https://ae01.alicdn.com/kf/Snative2.png_.webp"}}]}"#.into(),
        },
    ];
    let inv = run(
        "https://www.aliexpress.com/item/1005007000000001.html",
        "<html></html>",
        &docs,
    );
    assert_eq!(
        urls(&inv, MediaKind::Description),
        [
            "https://ae01.alicdn.com/kf/Snative1.jpg",
            "https://ae01.alicdn.com/kf/Snative2.png"
        ]
    );
    assert_eq!(inv.of_kind(MediaKind::Gallery).count(), 3);
}

#[test]
fn era_d_token_bootstrap_reply_is_a_warning_synthetic() {
    let docs = [Document {
        url: "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?callback=mtopjsonp1".into(),
        body: r#"mtopjsonp1({"api":"mtop.aliexpress.pdp.pc.query","data":{},"ret":["FAIL_SYS_TOKEN_EMPTY::令牌为空"],"v":"1.0"})"#.into(),
    }];
    let inv = run(
        "https://www.aliexpress.com/item/1005007000000001.html",
        "<html></html>",
        &docs,
    );
    assert!(inv.items.is_empty());
    assert!(codes(&inv).contains(&"no_data"), "{:?}", inv.warnings);
    assert!(inv
        .warnings
        .iter()
        .any(|w| w.message.contains("FAIL_SYS_TOKEN_EMPTY")));
}

// ---------------------------------------------------------------------------
// React PDP DOM only (no data at all): hashed class names.

#[test]
fn react_dom_fallback_hashed_classes_synthetic() {
    let html = r#"<html lang="en-US"><head><meta property="og:image" content="https://ae01.alicdn.com/kf/Sog.jpg_960x960.jpg"></head><body><div id="root"><div class="pdp-body pdp-wrap"><div class="pdp-info">
<div class="image-view--previewWrap--kSHfegR"><div class="image-view--previewBox--FyWaIlU"><div><img class="magnifier--image--RM17RL2" src="https://ae01.alicdn.com/kf/Sthumb2.jpg_Q90.jpg_.webp"></div></div>
<div class="video--wrap--EhkqzuR"><video class="video--videoPlayer--qZSl_Uf" src="https://video.aliexpress-media.com/play/u/ae_sg_item/5/p/1/e/6/t/10301/555.mp4" poster="https://ae01.alicdn.com/kf/Sposter.jpg_640x640.jpg"></video></div></div>
<div class="slider--slider--VKj5hty"><div class="slider--item--RpyeewA"><div class="slider--img--K0YbWW2 slider--active--ETznpbf"><img src="https://ae01.alicdn.com/kf/Sthumb1.jpg_220x220q75.jpg_.avif"></div></div>
<div class="slider--item--RpyeewA"><div class="slider--img--kD4mIg7"><img src="https://ae01.alicdn.com/kf/Sthumb2.jpg_220x220q75.jpg_.avif"></div></div>
<div class="slider--item--RpyeewA"><div class="slider--img--kD4mIg7"><img src="//ae-pic-a1.aliexpress-media.com/kf/Sthumb3.png_220x220.png_.avif"></div></div></div>
<div class="title--wrap--UUHae_g"><h1 data-pl="product-title">Synthetic <b>React</b> Item</h1></div>
<div class="sku-item--property--HuasaIz"><div class="sku-item--title--Z0HLO87"><span>Color: <span>Red</span></span></div><div class="sku-item--skus--StEhULs">
<div data-sku-col="14-29" class="sku-item--image--jMUnnGA sku-item--selected--ITGY_EO"><img src="https://ae01.alicdn.com/kf/Sred.jpg_220x220.jpg_.avif" alt="Red"></div>
<div data-sku-col="14-193" class="sku-item--image--jMUnnGA"><img src="https://ae01.alicdn.com/kf/Sblack.jpg_220x220.jpg_.avif" alt="Black"></div>
<div class="sku-item--text--hYfAukP"><span>XL</span></div></div></div>
</div>
<div id="nav-description"><div class="description--wrap--x"><div id="product-description" class="description--product-description--Mjtql28"><template shadowrootmode="open"><div class="detailmodule_html"><img src="https://ae01.alicdn.com/kf/Sdesc.jpg"></div></template></div></div></div>
<div class="recommend"><img src="https://ae01.alicdn.com/kf/Srec.jpg_220x220q75.jpg_.avif"></div>
</div></div></body></html>"#;
    let inv = run(
        "https://www.aliexpress.com/item/1005008000000001.html",
        html,
        &[],
    );
    assert_eq!(inv.title.as_deref(), Some("Synthetic React Item"));
    assert_eq!(inv.locale.as_deref(), Some("en_US"));
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://ae01.alicdn.com/kf/Sthumb1.jpg",
            "https://ae01.alicdn.com/kf/Sthumb2.jpg",
            "https://ae-pic-a1.aliexpress-media.com/kf/Sthumb3.png",
            "https://ae01.alicdn.com/kf/Sog.jpg",
        ]
    );
    let v: Vec<(&str, &str, &str)> = inv
        .of_kind(MediaKind::Variant)
        .map(|i| {
            let l = i.variant.as_ref().expect("label");
            (i.url.as_str(), l.axis.as_str(), l.value.as_str())
        })
        .collect();
    assert_eq!(
        v,
        [
            ("https://ae01.alicdn.com/kf/Sred.jpg", "Color", "Red"),
            ("https://ae01.alicdn.com/kf/Sblack.jpg", "Color", "Black"),
        ]
    );
    assert_eq!(
        urls(&inv, MediaKind::Description),
        ["https://ae01.alicdn.com/kf/Sdesc.jpg"]
    );
    let videos: Vec<_> = inv.of_kind(MediaKind::Video).collect();
    assert_eq!(videos.len(), 1);
    assert_eq!(
        videos[0].poster.as_deref(),
        Some("https://ae01.alicdn.com/kf/Sposter.jpg")
    );
    assert_eq!(
        videos[0].preview.as_deref(),
        Some("https://ae01.alicdn.com/kf/Sposter.jpg_250x250.jpg")
    );
    assert!(inv.items.iter().all(|i| !i.url.contains("Srec")));
}

// ---------------------------------------------------------------------------
// Era A video + description document matching (Module map, synthetic).

#[test]
fn era_a_module_video_uid_synthetic() {
    let html = r#"<html><head><script> window.runParams = {
      data: {"imageModule":{"imagePathList":["https://ae01.alicdn.com/kf/HTB1abc/Slug.jpg"],"videoId":3500123456,"videoUid":"aBc-1_2"},
             "titleModule":{"subject":"Old item"},"descriptionModule":{"descriptionUrl":"https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=32993251331&key=H.zip&token=x"},
             "webEnv":{"env":{"valMap":{"g11n:locale":"en_US"}}}},
      csrfToken: '}{',
      abVersion: '',
      abtestMap: {}
  };
  var GaData = {}; </script></head><body></body></html>"#;
    let docs = [Document {
        url: "https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=32993251331&amp;key=H.zip&amp;token=x".into(),
        body: r#"<p><img src="https://ae01.alicdn.com/kf/HTB1desc/221558572/HTB1desc.jpg"></p>"#.into(),
    }];
    let inv = run(
        "https://www.aliexpress.com/item/Old-Item-Slug/32993251331.html",
        html,
        &docs,
    );
    assert_eq!(inv.product_id, "32993251331");
    assert_eq!(inv.title.as_deref(), Some("Old item"));
    assert_eq!(
        urls(&inv, MediaKind::Video),
        ["https://cloud.video.taobao.com/play/u/aBc-1_2/p/1/e/6/t/10301/3500123456.mp4"]
    );
    assert_eq!(
        urls(&inv, MediaKind::Description),
        ["https://ae01.alicdn.com/kf/HTB1desc/221558572/HTB1desc.jpg"]
    );
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

// ---------------------------------------------------------------------------
// Alibaba

const DETAIL_DATA: &str = r#"{"devData":{},"globalData":{
  "product":{"productId":1600123456789,"subject":"Synthetic Wireless Earbuds",
    "mediaItems":[
      {"type":"image","imageUrl":{"big":"https://s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg","normal":"https://s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg_300x300.jpg"}},
      {"type":"video","videoId":6000280444270,"duration":30,"videoCoverUrl":"https://sc04.alicdn.com/kf/Hc5bb000000000000000000000000000a.jpg_120x120.jpg",
       "videoUrl":{"ld":{"videoUrl":"https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/ld6000280444270.mp4","definition":"ld"},
                   "hd":{"videoUrl":"https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/6000280444270.mp4?auth_key=abc","definition":"hd"},
                   "sd":{"videoUrl":"https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/sd6000280444270.mp4"}}},
      {"type":"image","imageUrl":{"normal":"//sc04.alicdn.com/kf/H2222222222222222222222222222222b.png_350x350.png"}},
      {"type":"image","imageUrl":{"big":"https://sc01.alicdn.com/kf/H1111111111111111111111111111111a.jpg_720x720q50.jpg"}},
      {"type":"image","imageUrl":{"big":"https://www.alibaba.com/not-cdn.jpg"}}
    ],
    "sku":{"skuAttrs":[{"id":3216,"name":"Color","values":[
        {"id":1,"name":"Black","originImage":"https://s.alicdn.com/@sc04/kf/H3333333333333333333333333333333c.jpg_80x80.jpg"},
        {"id":2,"name":"White"}]}]},
    "price":{"productLadderPrices":[]}},
  "seller":{"companyName":"Shenzhen Synthetic Tech Co., Ltd.","companyLogo":"https://sc04.alicdn.com/kf/Hlogo.png"}},
 "hierarchy":{},"metaData":{},"nodeMap":{}}"#;

const ALIBABA_DESC: &str = r##"{"success":true,"data":{"productHtmlDescription":"<div id=\"detail_decorate_root\"><style>#detail_decorate_root .magic-0{width:750px}</style><div module-title=\"detailSingleImage\" class=\"J_module\"><img src=\"//u.alicdn.com/js/5v/esite/img/img-placeholder.png\" data-src=\"//sc04.alicdn.com/kf/H4444444444444444444444444444444d.jpg\"></div><div module-title=\"detailManyImage\" class=\"J_module\"><img src=\"//u.alicdn.com/js/5v/esite/img/img-placeholder.png\" data-src=\"https://s.alicdn.com/@sc04/kf/H5555555555555555555555555555555e.jpg_720x720q50.jpg\"><a href=\"https://synthetic.en.alibaba.com/company_profile.html\"><img src=\"//u.alicdn.com/js/5v/esite/img/img-placeholder.png\" data-src=\"//sc04.alicdn.com/kf/Hcompany.jpg\"></a></div><video src=\"https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/6000999.mp4\"></video></div>"}}"##;

#[test]
fn alibaba_detail_data_and_desc_htm_synthetic() {
    let html = format!(
        "<html><head><script>window.detailData = {DETAIL_DATA};\nwindow.detailData.extra = 1;</script></head><body><div id=\"root\"></div></body></html>"
    );
    let docs = [Document {
        url: "https://www.alibaba.com/event/app/mainAction/desc.htm?detailId=1600123456789&language=en".into(),
        body: ALIBABA_DESC.into(),
    }];
    let inv = run(
        "https://www.alibaba.com/product-detail/Synthetic-Wireless-Earbuds_1600123456789.html?spm=a2700",
        &html,
        &docs,
    );
    assert_eq!(inv.platform, Some(Platform::Alibaba));
    assert_eq!(inv.product_id, "1600123456789");
    assert_eq!(inv.title.as_deref(), Some("Synthetic Wireless Earbuds"));
    assert_eq!(
        inv.shop.as_deref(),
        Some("Shenzhen Synthetic Tech Co., Ltd.")
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg",
            "https://sc04.alicdn.com/kf/H2222222222222222222222222222222b.png",
        ]
    );
    let g0 = inv.items.first().expect("item");
    assert_eq!(
        g0.preview.as_deref(),
        Some("https://s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg_300x300.jpg")
    );
    let v: Vec<_> = inv.of_kind(MediaKind::Variant).collect();
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].url,
        "https://s.alicdn.com/@sc04/kf/H3333333333333333333333333333333c.jpg"
    );
    assert_eq!(
        v[0].variant
            .as_ref()
            .map(|l| (l.axis.as_str(), l.value.as_str())),
        Some(("Color", "Black"))
    );
    assert_eq!(
        urls(&inv, MediaKind::Description),
        [
            "https://sc04.alicdn.com/kf/H4444444444444444444444444444444d.jpg",
            "https://s.alicdn.com/@sc04/kf/H5555555555555555555555555555555e.jpg",
        ]
    );
    let videos: Vec<_> = inv.of_kind(MediaKind::Video).collect();
    assert_eq!(
        videos.iter().map(|v| v.url.as_str()).collect::<Vec<_>>(),
        [
            // hd preferred over sd/ld; its signed query is kept.
            "https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/6000280444270.mp4?auth_key=abc",
            "https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/10301/6000999.mp4",
        ]
    );
    assert_eq!(
        videos[0].poster.as_deref(),
        Some("https://sc04.alicdn.com/kf/Hc5bb000000000000000000000000000a.jpg")
    );
    assert!(inv.items.iter().all(|i| !i.url.contains("Hcompany")
        && !i.url.contains("Hlogo")
        && !i.url.contains("placeholder")));
    assert_eq!(codes(&inv), ["off_cdn_url"], "{:?}", inv.warnings);
}

#[test]
fn alibaba_legacy_product_and_json_ld_fallback_synthetic() {
    // Legacy top-level `product` with the older `video` object: an id only,
    // so no video (no URL is built from an id), and a warning.
    let html = r#"<html><head><script>window.detailData = {"product":{"subject":"Legacy","mediaItems":[{"type":"image","imageUrl":{"big":"https://sc02.alicdn.com/kf/HL1.jpg"}}],"video":{"videoId":6000111,"cover":"https://sc04.alicdn.com/kf/Hcover.jpg"}}};</script></head><body></body></html>"#;
    let inv = run(
        "https://www.alibaba.com/product-detail/Legacy_62012345678.html",
        html,
        &[],
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        ["https://sc02.alicdn.com/kf/HL1.jpg"]
    );
    assert_eq!(urls(&inv, MediaKind::Video), Vec::<&str>::new());
    assert_eq!(codes(&inv), ["video_without_url"]);
    assert!(inv.warnings[0].message.contains("6000111"));
    // No detailData at all: JSON-LD Product.image.
    let html = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"BreadcrumbList"},{"@type":"Product","name":"LD Product","image":["https://sc04.alicdn.com/kf/HLD1.jpg_350x350.jpg",{"@type":"ImageObject","contentUrl":"//sc04.alicdn.com/kf/HLD2.png"},"https://evil.example/x.jpg"]}]}</script></head><body></body></html>"#;
    let inv = run(
        "https://www.alibaba.com/product-detail/LD_1600000000001.html",
        html,
        &[],
    );
    assert_eq!(inv.title.as_deref(), Some("LD Product"));
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://sc04.alicdn.com/kf/HLD1.jpg",
            "https://sc04.alicdn.com/kf/HLD2.png"
        ]
    );
    assert_eq!(codes(&inv), ["off_cdn_url"]);
}

#[test]
fn unknown_page_url_still_reads_content_with_a_warning_synthetic() {
    let html = r#"<html><head><script>window.runParams = {data: {"imageComponent":{"imagePathList":["https://ae01.alicdn.com/kf/Sx.jpg"]},"productInfoComponent":{"idStr":"1005000000000009"}}};</script></head></html>"#;
    let inv = run("https://example.com/whatever", html, &[]);
    assert_eq!(inv.platform, None);
    assert_eq!(inv.product_id, "1005000000000009");
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        ["https://ae01.alicdn.com/kf/Sx.jpg"]
    );
    assert_eq!(codes(&inv), ["not_product_page"]);
}

// ---------------------------------------------------------------------------
// description_urls: what the caller should fetch next.

#[test]
fn description_urls_from_page_data_synthetic() {
    use alisave_core::extract::description_urls;
    // Real Era B dump in a synthetic wrapper: descriptionUrl of the data.
    let js = fixture("airvzxf-web-browser-extension-alienhanced/item-1005005913925017.js");
    let html = format!("<html><head><script>{js}</script></head><body></body></html>");
    let input = PageInput {
        url: "https://es.aliexpress.com/item/1005005913925017.html",
        html: &html,
        documents: &[],
    };
    let urls = description_urls(&input);
    assert_eq!(urls.len(), 1, "{urls:?}");
    assert!(urls[0].starts_with(
        "https://aeproductsourcesite.alicdn.com/product/description/pc/v2/es_ES/desc.htm?productId=1005005913925017&key="
    ));
    // Once supplied, it is not asked for again.
    let docs = [Document {
        url: urls[0].clone(),
        body: "<p>x</p>".into(),
    }];
    let input = PageInput {
        documents: &docs,
        ..input
    };
    assert!(description_urls(&input).is_empty());
    // Alibaba: the desc.htm endpoint for the product id.
    let input = PageInput {
        url: "https://www.alibaba.com/product-detail/Slug_1600123456789.html",
        html: "<html></html>",
        documents: &[],
    };
    assert_eq!(
        description_urls(&input),
        ["https://www.alibaba.com/event/app/mainAction/desc.htm?detailId=1600123456789&language=en"]
    );
    // Named URLs off the shop hosts are never returned.
    let html = r#"<script>window.runParams = {data: {"productDescComponent":{"descriptionUrl":"https://evil.example/desc.htm"},"imageComponent":{"imagePathList":[]}}};</script>"#;
    let input = PageInput {
        url: "https://www.aliexpress.com/item/1005000000000001.html",
        html,
        documents: &[],
    };
    assert!(description_urls(&input).is_empty());
}

#[test]
fn aer_locale_defaults_to_ru_unless_page_says_otherwise_synthetic() {
    let island = r#"<script id="__AER_DATA__" type="application/json">{"props":{"id":"1005000000000001","gallery":[]}}</script>"#;
    let inv = run(
        "https://aliexpress.ru/item/1005000000000001.html",
        &format!("<html>{island}</html>"),
        &[],
    );
    assert_eq!(inv.locale.as_deref(), Some("ru_RU"));
    let inv = run(
        "https://aliexpress.ru/item/1005000000000001.html",
        &format!("<html lang=\"en\">{island}</html>"),
        &[],
    );
    assert_eq!(inv.locale.as_deref(), Some("en"));
}

// ---------------------------------------------------------------------------
// Era C CSR shell (§9.4): `imagePathList` in both path forms; the API wins.

const CSR_SHELL_HEAD: &str = "<html><head><script>\nwindow.runParams = {\n            };\nwindow._d_c_ = window._d_c_ || {};\nwindow._d_c_.viewName = 'newDetail';\nwindow._d_c_.isCSR = true;\nwindow._d_c_.DCData = ";
const CSR_SHELL_TAIL: &str = ";\n</script></head><body><div id=\"root\"></div></body></html>";

#[test]
fn era_c_csr_shell_both_path_forms_synthetic() {
    let dc = r#"{"imagePathList":["https://ae-pic-a1.aliexpress-media.com/kf/S3333333333333333333333333333333c.jpg","https://ae01.alicdn.com/kf/S4444444444444444444444444444444d/Wireless-Gamepad-Pro.jpg","https://ae01.alicdn.com/kf/S5555555555555555555555555555555e/Wireless-Gamepad-Pro.png"],"summImagePathList":["https://ae-pic-a1.aliexpress-media.com/kf/S3333333333333333333333333333333c.jpg_80x80.jpg","https://ae01.alicdn.com/kf/S4444444444444444444444444444444d/Wireless-Gamepad-Pro.jpg_80x80.jpg","https://ae01.alicdn.com/kf/S5555555555555555555555555555555e/Wireless-Gamepad-Pro.png_80x80.png"],"imageOptimize":true,"i18nMap":{"VIEW_MORE":"View more"}}"#;
    let html = format!("{CSR_SHELL_HEAD}{dc}{CSR_SHELL_TAIL}");
    let inv = run(
        "https://www.aliexpress.com/item/1005006000000002.html",
        &html,
        &[],
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://ae-pic-a1.aliexpress-media.com/kf/S3333333333333333333333333333333c.jpg",
            "https://ae01.alicdn.com/kf/S4444444444444444444444444444444d/Wireless-Gamepad-Pro.jpg",
            "https://ae01.alicdn.com/kf/S5555555555555555555555555555555e/Wireless-Gamepad-Pro.png",
        ]
    );
    assert_eq!(inv.items.len(), 3);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    // Thumbnails only: the originals of the same images.
    let dc = r#"{"imagePathList":[],"summImagePathList":["https://ae01.alicdn.com/kf/S4444444444444444444444444444444d/Wireless-Gamepad-Pro.jpg_80x80.jpg"]}"#;
    let html = format!("{CSR_SHELL_HEAD}{dc}{CSR_SHELL_TAIL}");
    let inv = run(
        "https://www.aliexpress.com/item/1005006000000002.html",
        &html,
        &[],
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        ["https://ae01.alicdn.com/kf/S4444444444444444444444444444444d/Wireless-Gamepad-Pro.jpg"]
    );
}

#[test]
fn era_c_csr_shell_with_real_mtop_response_not_duplicated_synthetic() {
    // A synthetic CSR shell naming the real response's six images in the
    // other path form (ae01, `<key>/<slug>.jpg`) and as thumbnails, plus the
    // real mtop response: the gallery is the API's six, once each.
    let keys = [
        "S9e0501832f6b49698d4502e004a3a390a",
        "S7b965c693b1c4ae09e1b81ff9e73181aA",
        "S53722e550ca34479917a9e512f49ca0eE",
        "S82e89fc5eb7e4f4f8907f0ebb2991a14y",
        "S5c30a55abc14497cbd9f455a749d0611z",
        "Sbf7bc6d16f4347dba507db08401e2db0r",
    ];
    let full: Vec<String> = keys
        .iter()
        .map(|k| format!("\"https://ae01.alicdn.com/kf/{k}/1-Buah-Sisir-Pelurus-Rambut.jpg\""))
        .collect();
    let thumbs: Vec<String> = keys
        .iter()
        .map(|k| {
            format!("\"https://ae01.alicdn.com/kf/{k}/1-Buah-Sisir-Pelurus-Rambut.jpg_80x80.jpg\"")
        })
        .collect();
    let dc = format!(
        "{{\"imagePathList\":[{}],\"summImagePathList\":[{}]}}",
        full.join(","),
        thumbs.join(",")
    );
    let html = format!("{CSR_SHELL_HEAD}{dc}{CSR_SHELL_TAIL}");
    let body = fixture("autostep8n-lang-aliexpress-scraper-cloudflare/aliexpress-mtop-real.json");
    let docs = [Document {
        url: "https://acs.aliexpress.com/h5/mtop.aliexpress.pdp.pc.query/1.0/?jsv=2.5.1&appKey=12574478&api=mtop.aliexpress.pdp.pc.query&v=1.0&type=originaljsonp&dataType=jsonp&callback=mtopjsonp1".into(),
        body: format!("mtopjsonp1({body})"),
    }];
    let inv = run(
        "https://www.aliexpress.com/item/1005012410104961.html",
        &html,
        &docs,
    );
    let want: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let ext = if i == 0 { "jpeg" } else { "jpg" };
            format!("https://ae-pic-a1.aliexpress-media.com/kf/{k}.{ext}")
        })
        .collect();
    assert_eq!(urls(&inv, MediaKind::Gallery), want);
    assert_eq!(inv.items.len(), 6 + 2 + 1);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    // Without the API response the shell alone gives the same six images.
    let inv = run(
        "https://www.aliexpress.com/item/1005012410104961.html",
        &html,
        &[],
    );
    assert_eq!(inv.of_kind(MediaKind::Gallery).count(), 6);
}

// ---------------------------------------------------------------------------
// Alibaba videos: explicit rendition URLs only.

#[test]
fn alibaba_video_renditions_prefer_h264_and_never_guess_synthetic() {
    let gv = |id: &str, codec: &str, q: &str| {
        format!("https://gv.videocdn.alibaba.com/aaaa000000000001/bbbb000000000002/20240101_1111111111111111_{id}_mp4_{codec}_{q}_unlimit_taobao.mp4?bizCode=icbu_vod_video")
    };
    let dd = format!(
        r#"{{"globalData":{{"product":{{"productId":1600000000777,"subject":"Videos",
      "mediaItems":[
        {{"type":"image","imageUrl":{{"big":"https://sc04.alicdn.com/kf/H1111111111111111111111111111111a.jpg"}}}},
        {{"type":"video","videoId":500000000001,"videoCoverUrl":"https://sc04.alicdn.com/kf/H1111111111111111111111111111111a.jpg_120x120.jpg",
          "videoUrl":{{"sd_265":{{"definition":"sd_265","videoUrl":"{a_sd}"}},"hd_265":{{"definition":"hd_265","videoUrl":"{a_hd}"}}}}}},
        {{"type":"video","videoId":500000000002,
          "videoUrl":{{"hd":{{"videoUrl":"https://evil.example/500000000002.mp4"}},"hd_265":{{"videoUrl":"{b_hd265}"}},"sd":{{"videoUrl":"{b_sd}"}}}}}},
        {{"type":"video","videoId":500000000003,"videoUrl":{{}}}}
      ],
      "video":{{"videoId":500000000001,"cover":"https://sc04.alicdn.com/kf/Hcover.jpg"}}}}}},
  "nodeMap":{{"module_description":{{"privateData":{{"productDescription":{{"details":[],"videoId":500000000004}}}}}}}}}}"#,
        a_sd = gv("500000000001", "265", "sd"),
        a_hd = gv("500000000001", "265", "hd"),
        b_hd265 = gv("500000000002", "265", "hd"),
        b_sd = gv("500000000002", "264", "sd"),
    );
    let html = format!("<html><head><script>window.detailData = {dd};</script></head></html>");
    let inv = run(
        "https://www.alibaba.com/product-detail/Videos_1600000000777.html",
        &html,
        &[],
    );
    assert_eq!(
        urls(&inv, MediaKind::Video),
        [
            // Only HEVC renditions: the hd one.
            gv("500000000001", "265", "hd").as_str(),
            // H.264 sd before HEVC hd; the off-CDN hd one is passed over.
            gv("500000000002", "264", "sd").as_str(),
        ]
    );
    // Ids without a URL (a video item with no renditions, the description
    // video) are warnings; the legacy `product.video` id is the first
    // video's, so it needs none.
    assert_eq!(
        codes(&inv),
        ["video_without_url", "video_without_url"],
        "{:?}",
        inv.warnings
    );
    assert!(inv.warnings[0].message.contains("500000000003"));
    assert!(inv.warnings[1].message.contains("500000000004"));
    assert!(inv.items.iter().all(|i| !i.url.contains("cloud.video")));
}

// ---------------------------------------------------------------------------
// Alibaba 2026 rendered DOM without `window.detailData` (§9.3, reported; no
// real capture exists, so this page is built from that description).

const ALIBABA_2026_DOM: &str = r#"<!DOCTYPE html><html lang="en"><head><title>Synthetic Butterfly Necklace - Alibaba.com</title>
<meta property="og:image" content="https://s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg_300x300.jpg"></head>
<body>
<header class="sc-hd-header"><img src="https://s.alicdn.com/@sc04/kf/Hheader000000000000000000000000001.png"></header>
<div id="container">
 <div class="detail-gallery-wrap">
  <div class="main-media-list">
   <div class="media-slide"><img src="//s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg_960x960q80.jpg" alt="Synthetic Butterfly Necklace"></div>
   <div class="media-slide"><img src="//s.alicdn.com/@sc04/kf/H2222222222222222222222222222222b.jpg_960x960q80.jpg"></div>
   <div class="media-slide media-video"><img class="play-icon" width="48" src="//s.alicdn.com/@sc04/kf/Hplay0000000000000000000000000001.png"><video src="https://gv.videocdn.alibaba.com/aaaa000000000001/bbbb000000000002/20240101_1111111111111111_500000000009_mp4_264_hd_unlimit_taobao.mp4?bizCode=icbu_vod_video"></video></div>
  </div>
  <div class="thumb-list">
   <div class="thumb-item active" style="background-image: url(&quot;//s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg_80x80.jpg&quot;);"></div>
   <div class="thumb-item" style="background-image:url('//s.alicdn.com/@sc04/kf/H2222222222222222222222222222222b.jpg_80x80.jpg')"></div>
   <div class="thumb-item" style="width:80px; background-image: url(//s.alicdn.com/@sc04/kf/H3333333333333333333333333333333c.png_80x80.png)"></div>
  </div>
 </div>
 <div data-module-name="module_title"><h1>Synthetic Butterfly Necklace</h1><img src="//s.alicdn.com/@sc04/kf/Htitlebadge00000000000000000001.png"></div>
 <div data-module-name="module_sku">
  <div class="sku-attr"><div class="sku-attr-title">Color: Gold</div>
   <div class="sku-attr-list">
    <div class="sku-attr-item selected" title="Gold"><img src="//s.alicdn.com/@sc04/kf/H4444444444444444444444444444444d.jpg_100x100.jpg"><img class="hot" src="https://sc01.alicdn.com/kf/Hd58a2101f24141a0ae490d8f57a0c169c.png"></div>
    <div class="sku-attr-item" title="Steel"><div class="sku-img" style="background-image:url(//s.alicdn.com/@sc04/kf/H5555555555555555555555555555555e.jpg_100x100.jpg)"></div></div>
   </div>
  </div>
  <div class="sku-attr"><div class="sku-attr-title">Length</div><div class="sku-attr-item" title="40+5CM"><span>40+5CM</span></div></div>
 </div>
 <div data-module-name="module_description">
  <div class="description-content">
   <img src="//s.alicdn.com/@sc04/kf/H6666666666666666666666666666666f.jpg">
   <img src="//u.alicdn.com/js/5v/esite/img/img-placeholder.png" data-src="//sc04.alicdn.com/kf/H7777777777777777777777777777777a.jpg_720x720q50.jpg">
  </div>
  <div class="company-info-images"><img src="//sc04.alicdn.com/kf/Hfactory00000000000000000000000001.jpg"></div>
  <a href="https://synthetic.en.alibaba.com/company_profile.html"><img src="//sc04.alicdn.com/kf/Hcompanybanner000000000000000001.jpg"></a>
 </div>
 <div data-module-name="module_review"><img src="//sc04.alicdn.com/kf/Hreview000000000000000000000000001.jpg"></div>
 <div data-module-name="module_unifed_company_card"><img src="//sc04.alicdn.com/kf/Hcompanylogo0000000000000000000001.png"></div>
 <div class="recommend-list"><a href="https://www.alibaba.com/product-detail/Other_1600000000009.html"><img src="//s.alicdn.com/@sc04/kf/Hrecommend00000000000000000000001.jpg_300x300.jpg"></a></div>
 <div class="you-may-like"><img src="//s.alicdn.com/@sc04/kf/Hmaylike000000000000000000000001.jpg"></div>
 <a href="https://www.alibaba.com/product-detail/Other2_1600000000010.html"><img src="//s.alicdn.com/@sc04/kf/Hlinked0000000000000000000000001.jpg"></a>
</div>
<footer><img src="//s.alicdn.com/@sc04/kf/Hfooter000000000000000000000000001.png"></footer>
</body></html>"#;

#[test]
fn alibaba_2026_dom_fallback_synthetic() {
    let inv = run(
        "https://www.alibaba.com/product-detail/Synthetic-Butterfly-Necklace_1600000000123.html",
        ALIBABA_2026_DOM,
        &[],
    );
    assert_eq!(inv.platform, Some(Platform::Alibaba));
    // Slides (protocol-relative, `_960x960q80.jpg` cut) and the CSS
    // thumbnails (`_80x80` cut; the third slide is not rendered yet).
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg",
            "https://s.alicdn.com/@sc04/kf/H2222222222222222222222222222222b.jpg",
            "https://s.alicdn.com/@sc04/kf/H3333333333333333333333333333333c.png",
        ]
    );
    let v: Vec<(&str, &str, &str)> = inv
        .of_kind(MediaKind::Variant)
        .map(|i| {
            let l = i.variant.as_ref().expect("label");
            (i.url.as_str(), l.axis.as_str(), l.value.as_str())
        })
        .collect();
    assert_eq!(
        v,
        [
            (
                "https://s.alicdn.com/@sc04/kf/H4444444444444444444444444444444d.jpg",
                "Color",
                "Gold"
            ),
            (
                "https://s.alicdn.com/@sc04/kf/H5555555555555555555555555555555e.jpg",
                "Color",
                "Steel"
            ),
        ]
    );
    assert_eq!(
        urls(&inv, MediaKind::Description),
        [
            "https://s.alicdn.com/@sc04/kf/H6666666666666666666666666666666f.jpg",
            "https://sc04.alicdn.com/kf/H7777777777777777777777777777777a.jpg",
        ]
    );
    assert_eq!(
        urls(&inv, MediaKind::Video),
        ["https://gv.videocdn.alibaba.com/aaaa000000000001/bbbb000000000002/20240101_1111111111111111_500000000009_mp4_264_hd_unlimit_taobao.mp4?bizCode=icbu_vod_video"]
    );
    assert_eq!(inv.items.len(), 3 + 2 + 2 + 1);
    for bad in [
        "Hheader",
        "Hplay",
        "Htitlebadge",
        "Hd58a2101",
        "Hfactory",
        "Hcompany",
        "Hreview",
        "Hrecommend",
        "Hmaylike",
        "Hlinked",
        "Hfooter",
    ] {
        assert!(inv.items.iter().all(|i| !i.url.contains(bad)), "{bad}");
    }
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn alibaba_dom_extra_tile_skipped_when_media_items_exist_synthetic() {
    // The platform's extra tile (same image on every product, not in
    // `mediaItems`) sits in the gallery strip.
    let tile = r#"<div class="media-slide"><img src="//s.alicdn.com/@sc04/kf/Hextratile000000000000000000000001.jpg_960x960q80.jpg"></div><div class="thumb-item" style="background-image:url(//s.alicdn.com/@sc04/kf/Hextratile000000000000000000000001.jpg_80x80.jpg)"></div>"#;
    let slides = r#"<div class="media-slide"><img src="//s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg_960x960q80.jpg"></div><div class="media-slide"><img src="//s.alicdn.com/@sc04/kf/H2222222222222222222222222222222b.jpg_960x960q80.jpg"></div>"#;
    let page = |media_items: &str| {
        format!(
            r#"<html><head><script>window.detailData = {{"globalData":{{"product":{{"productId":1600000000124,"mediaItems":[{media_items}]}}}}}};</script></head><body><div class="detail-gallery-wrap">{slides}{tile}</div></body></html>"#
        )
    };
    let url = "https://www.alibaba.com/product-detail/Tile_1600000000124.html";
    // Images in mediaItems: they are the gallery; the tile is not.
    let inv = run(
        url,
        &page(
            r#"{"type":"image","imageUrl":{"big":"https://sc04.alicdn.com/kf/H1111111111111111111111111111111a.jpg"}},{"type":"image","imageUrl":{"big":"https://sc04.alicdn.com/kf/H2222222222222222222222222222222b.jpg"}}"#,
        ),
        &[],
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        [
            "https://sc04.alicdn.com/kf/H1111111111111111111111111111111a.jpg",
            "https://sc04.alicdn.com/kf/H2222222222222222222222222222222b.jpg",
        ]
    );
    // Only a video in mediaItems: the DOM strip is read, but only for images
    // mediaItems names (here the video's cover).
    let inv = run(
        url,
        &page(
            r#"{"type":"video","videoId":500000000010,"videoCoverUrl":"https://sc04.alicdn.com/kf/H1111111111111111111111111111111a.jpg_120x120.jpg","videoUrl":{"hd":{"videoUrl":"https://gv.videocdn.alibaba.com/a/b/20240101_1111111111111111_500000000010_mp4_264_hd_unlimit_taobao.mp4?bizCode=icbu_vod_video"}}}"#,
        ),
        &[],
    );
    assert_eq!(
        urls(&inv, MediaKind::Gallery),
        ["https://s.alicdn.com/@sc04/kf/H1111111111111111111111111111111a.jpg"]
    );
    assert_eq!(inv.of_kind(MediaKind::Video).count(), 1);
    assert!(inv.items.iter().all(|i| !i.url.contains("Hextratile")));
    // No detailData at all: the strip is all there is (the tile cannot be
    // told apart then).
    let html = format!(
        r#"<html><body><div class="detail-gallery-wrap">{slides}{tile}</div></body></html>"#
    );
    let inv = run(url, &html, &[]);
    assert_eq!(inv.of_kind(MediaKind::Gallery).count(), 3);
}

#[test]
fn alibaba_desc_json_of_another_product_is_dropped_synthetic() {
    let html = format!(
        "<html><head><script>window.detailData = {DETAIL_DATA};</script></head><body></body></html>"
    );
    let other = r#"{"success":true,"data":{"productId":1600000000999,"productHtmlDescription":"<div id=\"detail_decorate_root\"><img src=\"//sc04.alicdn.com/kf/Hother000000000000000000000000001.jpg\"></div>"}}"#;
    for url in [
        // The body names the other product.
        "https://www.alibaba.com/event/app/mainAction/desc.htm?language=en",
        // The URL names it.
        "https://www.alibaba.com/event/app/mainAction/desc.htm?detailId=1600000000999&amp;language=en",
    ] {
        let docs = [Document {
            url: url.into(),
            body: other.into(),
        }];
        let inv = run(
            "https://www.alibaba.com/product-detail/Synthetic-Wireless-Earbuds_1600123456789.html",
            &html,
            &docs,
        );
        assert_eq!(inv.of_kind(MediaKind::Description).count(), 0, "{url}");
        assert!(inv.items.iter().all(|i| !i.url.contains("Hother")));
        assert_eq!(inv.of_kind(MediaKind::Gallery).count(), 2);
        assert!(
            codes(&inv).contains(&"document_other_product"),
            "{url}: {:?}",
            inv.warnings
        );
    }
}

// ---------------------------------------------------------------------------
// aliexpress.ru SKU swatches in the rendered page (§2 selectors).

#[test]
fn aer_dom_sku_swatches_synthetic() {
    let html = r#"<!DOCTYPE html><html lang="ru"><head><title>x</title></head><body>
<script id="__AER_DATA__" type="application/json">{"widgets":[{"props":{"id":"1005000000000003","name":"Повербанк","gallery":[{"imageUrl":"https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg","previewUrl":"https://ae-pic-a1.aliexpress-media.com/kf/S1111111111111111111111111111111a.jpg","videoUrl":null}],"skuInfo":null}}]}</script>
<div class="SnowSku_SnowSku__container__a1b2c">
 <div class="SnowSku_SkuPropertyItem__root__x1y2z">
  <div class="SnowSku_SkuPropertyItem__title__q9w8e"><span>Цвет: </span><span>БЕЛЫЙ</span></div>
  <ul class="SnowSku_SkuPropertyItem__optionList__k3j4h">
   <li><button class="SnowSku_SkuPropertyItem__option__p0o9i" title="БЕЛЫЙ"><picture><source type="image/avif" srcset="https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.jpg_120x120.jpg_.avif"><img src="https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.jpg_120x120.jpg" alt="БЕЛЫЙ"></picture></button></li>
   <li><button class="SnowSku_SkuPropertyItem__option__p0o9i" aria-label="BLACK"><picture><img src="//ae-pic-a1.aliexpress-media.com/kf/S3333333333333333333333333333333c.jpg_120x120.jpg_.webp"></picture></button></li>
  </ul>
 </div>
 <div class="SnowSku_SkuPropertyItem__root__x1y2z">
  <div class="SnowSku_SkuPropertyItem__title__q9w8e">Ёмкость аккумулятора: 10000mAh</div>
  <ul class="SnowSku_SkuPropertyItem__optionList__k3j4h"><li><button><span>10000mAh</span></button></li></ul>
 </div>
</div>
<div class="recommend"><img src="https://ae-pic-a1.aliexpress-media.com/kf/S9999999999999999999999999999999z.jpg"></div>
</body></html>"#;
    let inv = run(
        "https://aliexpress.ru/item/1005000000000003.html",
        html,
        &[],
    );
    assert_eq!(inv.of_kind(MediaKind::Gallery).count(), 1);
    let v: Vec<(&str, &str, &str)> = inv
        .of_kind(MediaKind::Variant)
        .map(|i| {
            let l = i.variant.as_ref().expect("label");
            (i.url.as_str(), l.axis.as_str(), l.value.as_str())
        })
        .collect();
    assert_eq!(
        v,
        [
            (
                "https://ae-pic-a1.aliexpress-media.com/kf/S2222222222222222222222222222222b.jpg",
                "Цвет",
                "БЕЛЫЙ"
            ),
            (
                "https://ae-pic-a1.aliexpress-media.com/kf/S3333333333333333333333333333333c.jpg",
                "Цвет",
                "BLACK"
            ),
        ]
    );
    assert_eq!(inv.items.len(), 3);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}
