//! Table-driven tests of the URL rules (page-formats §1.1, §2, §3, §4).

use alisave_core::url::{
    cdn_key, is_cdn_media_url, media_extension, original_url, preview_url, product_page,
    ProductPage,
};
use alisave_core::Platform;

fn page(platform: Platform, id: &str, host: &str) -> Option<ProductPage> {
    Some(ProductPage {
        platform,
        product_id: id.to_string(),
        host: host.to_string(),
    })
}

#[test]
fn product_page_accepts() {
    use Platform::*;
    let cases: &[(&str, Option<ProductPage>)] = &[
        (
            "https://www.aliexpress.com/item/1005005913925017.html",
            page(AliExpress, "1005005913925017", "www.aliexpress.com"),
        ),
        (
            "https://aliexpress.com/item/1005005913925017.html",
            page(AliExpress, "1005005913925017", "aliexpress.com"),
        ),
        (
            "http://www.aliexpress.com/item/32993251330.html",
            page(AliExpress, "32993251330", "www.aliexpress.com"),
        ),
        (
            "https://he.aliexpress.com/item/32993251330.html?spm=a2g0o.detail&gps-id=x#nav",
            page(AliExpress, "32993251330", "he.aliexpress.com"),
        ),
        (
            "https://es.aliexpress.com/item/1005004787627817.html",
            page(AliExpress, "1005004787627817", "es.aliexpress.com"),
        ),
        (
            "https://WWW.AliExpress.US/item/1005004787627817.html",
            page(AliExpress, "1005004787627817", "www.aliexpress.us"),
        ),
        (
            "https://www.aliexpress.us/item/3256805599812345.html",
            page(AliExpress, "3256805599812345", "www.aliexpress.us"),
        ),
        (
            "https://m.aliexpress.com/item/1005004787627817.html",
            page(AliExpress, "1005004787627817", "m.aliexpress.com"),
        ),
        (
            "https://h5.es.aliexpress.com/item/1005004787627817.html",
            page(AliExpress, "1005004787627817", "h5.es.aliexpress.com"),
        ),
        (
            "https://www.aliexpress.com/item/Apple-iPhone-SE-A9/32993251330.html",
            page(AliExpress, "32993251330", "www.aliexpress.com"),
        ),
        (
            "https://www.aliexpress.com/i/32993251330.html",
            page(AliExpress, "32993251330", "www.aliexpress.com"),
        ),
        (
            "https://www.aliexpress.com:443/item/32993251330.html",
            page(AliExpress, "32993251330", "www.aliexpress.com"),
        ),
        (
            "  https://www.aliexpress.com/item/32993251330.html  ",
            page(AliExpress, "32993251330", "www.aliexpress.com"),
        ),
        (
            "https://aliexpress.ru/item/1005008195850531.html",
            page(AliExpressRu, "1005008195850531", "aliexpress.ru"),
        ),
        (
            "https://www.aliexpress.ru/item/1005008195850531.html?sku_id=1",
            page(AliExpressRu, "1005008195850531", "www.aliexpress.ru"),
        ),
        (
            "https://m.aliexpress.ru/item/1005008195850531.html",
            page(AliExpressRu, "1005008195850531", "m.aliexpress.ru"),
        ),
        (
            "https://www.alibaba.com/product-detail/New-Arrival-Wireless-Earbuds_1600123456789.html",
            page(Alibaba, "1600123456789", "www.alibaba.com"),
        ),
        (
            "https://www.alibaba.com/product-detail/Some_Slug_With_Underscores_62012345678.html?spm=x",
            page(Alibaba, "62012345678", "www.alibaba.com"),
        ),
        (
            "https://french.alibaba.com/product-detail/Slug_1600123456789.html",
            page(Alibaba, "1600123456789", "french.alibaba.com"),
        ),
    ];
    for (url, want) in cases {
        assert_eq!(&product_page(url), want, "{url}");
    }
}

#[test]
fn product_page_rejects() {
    let cases = [
        "",
        "not a url",
        "https://evil-aliexpress.com/item/1005005913925017.html",
        "https://aliexpress.com.evil.net/item/1005005913925017.html",
        "https://www.aliexpress.com.evil.net/item/1005005913925017.html",
        "https://myaliexpress.com/item/1005005913925017.html",
        "https://aliexpress.ru.evil.net/item/1005005913925017.html",
        "https://evil.aliexpress.ru/item/1005005913925017.html",
        "https://notalibaba.com/product-detail/Slug_1600123456789.html",
        "https://www.aliexpress.com/cart",
        "https://www.aliexpress.com/",
        "https://www.aliexpress.com",
        "https://www.aliexpress.com/p/some/page.html",
        "https://www.aliexpress.com/item/",
        "https://www.aliexpress.com/item/.html",
        "https://www.aliexpress.com/item/abc.html",
        "https://www.aliexpress.com/item/123abc.html",
        "https://www.aliexpress.com/item/1005005913925017",
        "https://www.aliexpress.com/item/1005005913925017.htm",
        "https://www.aliexpress.com/item/1005005913925017.html/extra",
        "https://www.aliexpress.com/item//1005005913925017.html",
        "https://www.aliexpress.com/store/1005005913925017.html",
        "https://www.aliexpress.com/i/Slug/1005005913925017.html",
        "https://aliexpress.ru/item/Slug/1005005913925017.html",
        "https://www.alibaba.com/product-detail/1600123456789.html",
        "https://www.alibaba.com/product-detail/_1600123456789.html",
        "https://www.alibaba.com/product-detail/Slug_abc.html",
        "https://www.alibaba.com/item/1600123456789.html",
        // userinfo and host tricks
        "https://www.aliexpress.com@evil.net/item/1005005913925017.html",
        "https://user:pass@www.aliexpress.com/item/1005005913925017.html",
        "https://evil.net\\@www.aliexpress.com/item/1005005913925017.html",
        "https://evil.net\\.aliexpress.com/item/1005005913925017.html",
        "https://www.aliexpress.com:8080/item/1005005913925017.html",
        "https://www.aliexpress%2ecom/item/1005005913925017.html",
        "https://127.0.0.1/item/1005005913925017.html",
        "https://[::1]/item/1005005913925017.html",
        "https://www.aliexpress.com /item/1005005913925017.html",
        // schemes
        "ftp://www.aliexpress.com/item/1005005913925017.html",
        "javascript://www.aliexpress.com/item/1005005913925017.html",
        "file:///item/1005005913925017.html",
        "//www.aliexpress.com/item/1005005913925017.html",
        "www.aliexpress.com/item/1005005913925017.html",
    ];
    for url in cases {
        assert_eq!(product_page(url), None, "{url}");
    }
}

const K: &str = "https://ae01.alicdn.com/kf/S8f1c9c3b2a0e4d8c9f1f2b3c4d5e6f7aX";

#[test]
fn original_url_strips_every_documented_suffix() {
    // (input, expected original) — every suffix form of page-formats §4.3.
    let cases: Vec<(String, String)> = vec![
        (format!("{K}.jpg"), format!("{K}.jpg")),
        (format!("{K}.jpg_50x50.jpg"), format!("{K}.jpg")),
        (format!("{K}.jpg_80x80.jpg"), format!("{K}.jpg")),
        (format!("{K}.jpg_250x250.jpg"), format!("{K}.jpg")),
        (format!("{K}.jpg_640x640.jpg"), format!("{K}.jpg")),
        (format!("{K}.jpeg_640x640.jpeg"), format!("{K}.jpeg")),
        (format!("{K}.jpeg_80x80.jpeg"), format!("{K}.jpeg")),
        (format!("{K}.jpg_220x220q90.jpg_.webp"), format!("{K}.jpg")),
        (format!("{K}.jpg_480x480q90.jpg_.webp"), format!("{K}.jpg")),
        (format!("{K}.jpg_Q90.jpg_.webp"), format!("{K}.jpg")),
        (format!("{K}.jpg_50x50.jpg_.webp"), format!("{K}.jpg")),
        (format!("{K}.jpg_220x220q75.jpg_.avif"), format!("{K}.jpg")),
        (format!("{K}.jpg_.webp"), format!("{K}.jpg")),
        (format!("{K}.jpg_.avif"), format!("{K}.jpg")),
        (format!("{K}.png_.webp"), format!("{K}.png")),
        (format!("{K}.jpg_350x350xz.jpg"), format!("{K}.jpg")),
        (format!("{K}.jpg_960x960.jpg"), format!("{K}.jpg")),
        (format!("{K}.jpg_960x960q75.jpg"), format!("{K}.jpg")),
        (format!("{K}.png_640x640.png"), format!("{K}.png")),
        (format!("{K}.png_250x250.png_.webp"), format!("{K}.png")),
        (format!("{K}.webp"), format!("{K}.webp")),
        (format!("{K}.gif"), format!("{K}.gif")),
        (format!("{K}.JPG_640x640.JPG"), format!("{K}.JPG")),
        // slug form
        (
            "https://ae01.alicdn.com/kf/HTB1.DiLMmzqK1RjSZFjq6zlCFXaP/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg_50x50.jpg".into(),
            "https://ae01.alicdn.com/kf/HTB1.DiLMmzqK1RjSZFjq6zlCFXaP/Apple-iPhone-SE-A9-Dual-Core-2GB-RAM-16.jpg".into(),
        ),
        // Alibaba suffixes
        (
            "https://s.alicdn.com/@sc04/kf/H5b0a6c0e7f1d4b7e8f2a9c3d4e5f6a7bK.jpg_720x720q50.jpg".into(),
            "https://s.alicdn.com/@sc04/kf/H5b0a6c0e7f1d4b7e8f2a9c3d4e5f6a7bK.jpg".into(),
        ),
        (
            "https://sc04.alicdn.com/kf/Hc5bb0a6c0e7f1d4b7e8f2a9c3d4e5f6aX.jpg_120x120.jpg".into(),
            "https://sc04.alicdn.com/kf/Hc5bb0a6c0e7f1d4b7e8f2a9c3d4e5f6aX.jpg".into(),
        ),
        (
            "https://sc01.alicdn.com/kf/Hab.jpg_300x300.jpg".into(),
            "https://sc01.alicdn.com/kf/Hab.jpg".into(),
        ),
        (
            "https://sc02.alicdn.com/kf/Hab.png_350x350.png".into(),
            "https://sc02.alicdn.com/kf/Hab.png".into(),
        ),
        (
            "https://s.alicdn.com/@sc01/kf/Hab.jpg_960x960q80.jpg".into(),
            "https://s.alicdn.com/@sc01/kf/Hab.jpg".into(),
        ),
        (
            "https://s.alicdn.com/@sc04/kf/Hab.jpg_80x80.jpg".into(),
            "https://s.alicdn.com/@sc04/kf/Hab.jpg".into(),
        ),
        (
            "https://s.alicdn.com/@sc04/kf/Hab.jpg_100x100.jpg".into(),
            "https://s.alicdn.com/@sc04/kf/Hab.jpg".into(),
        ),
        // protocol-relative, http, whitespace, fragment, query
        (
            "//ae01.alicdn.com/kf/HTB1abc/x.jpg_220x220q90.jpg_.webp".into(),
            "https://ae01.alicdn.com/kf/HTB1abc/x.jpg".into(),
        ),
        (
            "http://ae04.alicdn.com/kf/Hab.jpg".into(),
            "https://ae04.alicdn.com/kf/Hab.jpg".into(),
        ),
        (
            "HTTPS://AE01.ALICDN.COM/kf/Hab.jpg".into(),
            "https://ae01.alicdn.com/kf/Hab.jpg".into(),
        ),
        (
            " \n\thttps://ae01.alicdn.com/kf/Hab.jpg \n".into(),
            "https://ae01.alicdn.com/kf/Hab.jpg".into(),
        ),
        (
            "https://ae01.alicdn.com/kf/Hab.jpg#frag".into(),
            "https://ae01.alicdn.com/kf/Hab.jpg".into(),
        ),
        (
            "https://ae01.alicdn.com/kf/HTB1DCN8P/221558572/HTB1DCN8P.jpg?size=76546&height=345&width=960&hash=0123abcd".into(),
            "https://ae01.alicdn.com/kf/HTB1DCN8P/221558572/HTB1DCN8P.jpg".into(),
        ),
        (
            "https://ae-pic-a1.aliexpress-media.com/kf/S0eab51705bf14f4fb4e86dccb88feb41a.jpg_220x220q75.jpg_.avif".into(),
            "https://ae-pic-a1.aliexpress-media.com/kf/S0eab51705bf14f4fb4e86dccb88feb41a.jpg".into(),
        ),
        (
            "https://ae-pic-a2.aliexpress-media.com/kf/Sab.png".into(),
            "https://ae-pic-a2.aliexpress-media.com/kf/Sab.png".into(),
        ),
        (
            "https://ae01.alicdn.com:443/kf/Hab.jpg".into(),
            "https://ae01.alicdn.com/kf/Hab.jpg".into(),
        ),
        // Taobao-style
        (
            "https://img.alicdn.com/imgextra/i1/2206/O1CN01abc_!!2206.jpg_400x400.jpg".into(),
            "https://img.alicdn.com/imgextra/i1/2206/O1CN01abc_!!2206.jpg".into(),
        ),
        // non-ASCII slug gets percent-encoded
        (
            "https://ae01.alicdn.com/kf/Hab/Zapatillas-niño.jpg_640x640.jpg".into(),
            "https://ae01.alicdn.com/kf/Hab/Zapatillas-ni%C3%B1o.jpg".into(),
        ),
    ];
    for (input, want) in &cases {
        assert_eq!(
            original_url(input).as_deref(),
            Some(want.as_str()),
            "{input}"
        );
        // Idempotent.
        assert_eq!(original_url(want).as_deref(), Some(want.as_str()), "{want}");
    }
}

#[test]
fn original_url_videos() {
    let cases = [
        (
            "https://video.aliexpress-media.com/play/u/ae_sg_item/2136113456/p/1/e/6/t/10301/314590204503.mp4",
            Some("https://video.aliexpress-media.com/play/u/ae_sg_item/2136113456/p/1/e/6/t/10301/314590204503.mp4"),
        ),
        (
            "//cloud.video.taobao.com/play/u/2136113456/p/1/e/6/t/10301/314590204503.mp4#t=1",
            Some("https://cloud.video.taobao.com/play/u/2136113456/p/1/e/6/t/10301/314590204503.mp4"),
        ),
        (
            "http://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/1/d/hd/6000280444270.mp4?auth_key=123-abc",
            Some("https://cloud.video.alibaba.com/play/u/2153292369/p/1/e/6/t/1/d/hd/6000280444270.mp4?auth_key=123-abc"),
        ),
        ("https://video.alicdn.com/abc/def.mp4", Some("https://video.alicdn.com/abc/def.mp4")),
        // Alibaba rendition as named in detailData (real, §9.2): query kept.
        (
            "https://gv.videocdn.alibaba.com/4f4e1c368ac918af/3ee9a7f5d0058d62/20230317_1b582b32489f25b3_402097114017_mp4_264_hd_unlimit_taobao.mp4?bizCode=icbu_vod_video",
            Some("https://gv.videocdn.alibaba.com/4f4e1c368ac918af/3ee9a7f5d0058d62/20230317_1b582b32489f25b3_402097114017_mp4_264_hd_unlimit_taobao.mp4?bizCode=icbu_vod_video"),
        ),
        ("https://gv.videocdn.alibaba.com/a/b/c.jpg", None),
        ("https://xgv.videocdn.alibaba.com/a/b/c.mp4", None),
        // video host but not a video file
        ("https://video.aliexpress-media.com/play/u/x/1.m3u8", None),
        ("https://video.aliexpress-media.com/play/u/x/1.jpg", None),
    ];
    for (input, want) in cases {
        assert_eq!(original_url(input).as_deref(), want, "{input}");
    }
}

#[test]
fn original_url_rejects() {
    let cases = [
        "",
        "   ",
        "javascript:alert(1)",
        "javascript://ae01.alicdn.com/kf/Hab.jpg",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd.jpg",
        "ftp://ae01.alicdn.com/kf/Hab.jpg",
        "/kf/Hab.jpg",
        "kf/Hab.jpg",
        "https://example.com/kf/Hab.jpg",
        "https://evil-alicdn.com/kf/Hab.jpg",
        "https://ae01.alicdn.com.evil.net/kf/Hab.jpg",
        "https://ae05.alicdn.com/kf/Hab.jpg",
        "https://alicdn.com/kf/Hab.jpg",
        "https://u.alicdn.com/js/5v/esite/img/img-placeholder.png",
        "https://aeproductsourcesite.alicdn.com/product/description/pc/v2/en_US/desc.htm?productId=1",
        "https://img.alicdn.com/tfs/TB1mb1QXrY1gK0jSZTEXXXDQVXa-64-64.png",
        "https://img.alicdn.com/tfs/TB1mb1QXrY1gK0jSZTEXXXDQVXa-120-40.png_.webp",
        "https://ae01.alicdn.com/kf/Hab",
        "https://ae01.alicdn.com/",
        "https://ae01.alicdn.com",
        "https://ae01.alicdn.com/kf/Hab.js",
        "https://user@ae01.alicdn.com/kf/Hab.jpg",
        "https://ae01.alicdn.com@evil.net/kf/Hab.jpg",
        "https://evil.net\\@ae01.alicdn.com/kf/Hab.jpg",
        "https://ae01.alicdn.com:8443/kf/Hab.jpg",
        "https://1.2.3.4/kf/Hab.jpg",
        "https://[::1]/kf/Hab.jpg",
        "https://ae01.alicdn.com/kf/Ha b.jpg",
        "https://ae-pic-.aliexpress-media.com/kf/Hab.jpg",
        "https://x.ae-pic-a1.aliexpress-media.com/kf/Hab.jpg",
        "https://aliexpress-media.com/kf/Hab.jpg",
    ];
    for input in cases {
        assert_eq!(original_url(input), None, "{input}");
    }
    let huge = format!("https://ae01.alicdn.com/kf/{}.jpg", "a".repeat(100_000));
    assert_eq!(original_url(&huge), None);
}

#[test]
fn cdn_media_hosts() {
    let yes = [
        "https://ae01.alicdn.com/kf/Hab.jpg",
        "https://ae02.alicdn.com/kf/Hab.jpg",
        "https://ae03.alicdn.com/kf/Hab.jpg",
        "https://ae04.alicdn.com/kf/Hab.jpg",
        "https://AE01.alicdn.COM/kf/Hab.jpg",
        "https://ae-pic-a1.aliexpress-media.com/kf/Sab.jpg",
        "https://ae-pic-b2.aliexpress-media.com/kf/Sab.jpg",
        "https://sc01.alicdn.com/kf/Hab.jpg",
        "https://sc02.alicdn.com/kf/Hab.jpg",
        "https://sc04.alicdn.com/kf/Hab.jpg",
        "https://s.alicdn.com/@sc04/kf/Hab.jpg",
        "https://img.alicdn.com/imgextra/i1/1/O1CN01.jpg",
        "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/2.mp4",
        "https://cloud.video.taobao.com/play/u/1/p/1/e/6/t/10301/2.mp4",
        "https://cloud.video.alibaba.com/play/u/1/p/1/e/6/t/10301/2.mp4",
        "https://video.alicdn.com/x/2.mp4",
        "https://gv.videocdn.alibaba.com/4f4e1c368ac918af/3ee9a7f5d0058d62/20230317_1b582b32489f25b3_402097114017_mp4_264_hd_unlimit_taobao.mp4?bizCode=icbu_vod_video",
        "https://ae01.alicdn.com:443/kf/Hab.jpg",
    ];
    for u in yes {
        assert!(is_cdn_media_url(u), "{u}");
    }
    let no = [
        "http://ae01.alicdn.com/kf/Hab.jpg",
        "//ae01.alicdn.com/kf/Hab.jpg",
        "https://aeproductsourcesite.alicdn.com/product/description/x.htm",
        "https://u.alicdn.com/js/5v/esite/img/img-placeholder.png",
        "https://ae01.alicdn.com",
        "https://ae01.alicdn.com/",
        "https://ae01.alicdn.com:8080/kf/Hab.jpg",
        "https://u@ae01.alicdn.com/kf/Hab.jpg",
        "https://192.168.1.1/kf/Hab.jpg",
        "https://www.aliexpress.com/item/1.html",
        "https://ae01.alicdn.com.evil.net/kf/Hab.jpg",
        "https://evilae01.alicdn.com/kf/Hab.jpg",
        "javascript:alert(1)",
        "",
    ];
    for u in no {
        assert!(!is_cdn_media_url(u), "{u}");
    }
}

#[test]
fn dedupe_keys() {
    let same = [
        "https://ae01.alicdn.com/kf/S0eab51705bf14f4fb4e86dccb88feb41a.jpg",
        "https://ae-pic-a1.aliexpress-media.com/kf/S0eab51705bf14f4fb4e86dccb88feb41a.jpg_220x220q75.jpg_.avif",
        "//ae04.alicdn.com/kf/S0eab51705bf14f4fb4e86dccb88feb41a/Some-Slug.jpg_640x640.jpg",
        "https://ae01.alicdn.com/kf/S0eab51705bf14f4fb4e86dccb88feb41a/221558572/S0eab51705bf14f4fb4e86dccb88feb41a.jpg?size=1",
    ];
    for u in same {
        assert_eq!(cdn_key(u), "kf:S0eab51705bf14f4fb4e86dccb88feb41a", "{u}");
    }
    // Old `HTB1.` keys contain dots: they must not be cut at the first dot.
    assert_eq!(
        cdn_key("https://ae01.alicdn.com/kf/HTB1.DiLM7voK1RjSZFDq6xY3pXam/Apple-iPhone-SE.jpg_50x50.jpg"),
        "kf:HTB1.DiLM7voK1RjSZFDq6xY3pXam"
    );
    assert_eq!(
        cdn_key("//ae01.alicdn.com/kf/HTB1yUp.psyYBuNkSnfoq6AWgVXa7.jpg_220x220q90.jpg_.webp"),
        "kf:HTB1yUp.psyYBuNkSnfoq6AWgVXa7"
    );
    assert_ne!(
        cdn_key("https://ae01.alicdn.com/kf/HTB1.DiLM7voK1RjSZFDq6xY3pXam/x.jpg"),
        cdn_key("https://ae01.alicdn.com/kf/HTB1.AAAA/x.jpg")
    );
    assert_eq!(
        cdn_key("https://s.alicdn.com/@sc04/kf/Habc.jpg_720x720q50.jpg"),
        cdn_key("https://sc04.alicdn.com/kf/Habc.jpg")
    );
    assert_eq!(
        cdn_key(
            "https://cloud.video.taobao.com/play/u/2136113456/p/1/e/6/t/10301/314590204503.mp4"
        ),
        "video:314590204503"
    );
    assert_eq!(
        cdn_key("https://video.aliexpress-media.com/play/u/ae_sg_item/2136113456/p/1/e/6/t/10301/314590204503.mp4"),
        "video:314590204503"
    );
    assert_eq!(
        cdn_key("https://img.alicdn.com/imgextra/i1/2206/O1CN01abc_!!2206.jpg_400x400.jpg"),
        "path:/imgextra/i1/2206/O1CN01abc_!!2206.jpg"
    );
    // Alibaba renditions of one video share its id.
    let gv = |name: &str| {
        format!("https://gv.videocdn.alibaba.com/4f4e1c368ac918af/3ee9a7f5d0058d62/{name}.mp4?bizCode=icbu_vod_video")
    };
    assert_eq!(
        cdn_key(&gv(
            "20230317_1b582b32489f25b3_402097114017_mp4_264_hd_unlimit_taobao"
        )),
        "video:402097114017"
    );
    assert_eq!(
        cdn_key(&gv(
            "20230317_6e64460f2bebbbb9_402097114017_mp4_265_hd_unlimit_taobao"
        )),
        "video:402097114017"
    );
    assert_eq!(
        cdn_key(&gv("other_name")),
        "path:/4f4e1c368ac918af/3ee9a7f5d0058d62/other_name.mp4"
    );
    // Not a CDN URL: the trimmed input, no panic.
    assert_eq!(cdn_key("  javascript:x "), "javascript:x");
    assert_ne!(
        cdn_key("https://ae01.alicdn.com/kf/Ha.jpg"),
        cdn_key("https://ae01.alicdn.com/kf/Hb.jpg")
    );
}

#[test]
fn previews() {
    let cases = [
        (
            "https://ae01.alicdn.com/kf/Hab.jpg",
            Some("https://ae01.alicdn.com/kf/Hab.jpg_250x250.jpg"),
        ),
        (
            "https://ae01.alicdn.com/kf/Hab.jpg_640x640.jpg",
            Some("https://ae01.alicdn.com/kf/Hab.jpg_250x250.jpg"),
        ),
        (
            "https://ae-pic-a1.aliexpress-media.com/kf/Sab.jpeg",
            Some("https://ae-pic-a1.aliexpress-media.com/kf/Sab.jpeg_250x250.jpeg"),
        ),
        (
            "https://ae-pic-a1.aliexpress-media.com/kf/Sab.png",
            Some("https://ae-pic-a1.aliexpress-media.com/kf/Sab.png_250x250.png"),
        ),
        (
            "https://sc04.alicdn.com/kf/Hab.jpg",
            Some("https://sc04.alicdn.com/kf/Hab.jpg_300x300.jpg"),
        ),
        (
            "https://s.alicdn.com/@sc04/kf/Hab.jpg",
            Some("https://s.alicdn.com/@sc04/kf/Hab.jpg_300x300.jpg"),
        ),
        ("https://ae01.alicdn.com/kf/Hab.gif", None),
        ("https://img.alicdn.com/imgextra/i1/1/O1CN01.jpg", None),
        (
            "https://video.aliexpress-media.com/play/u/ae_sg_item/1/p/1/e/6/t/10301/2.mp4",
            None,
        ),
        ("javascript:alert(1)", None),
    ];
    for (input, want) in cases {
        assert_eq!(preview_url(input).as_deref(), want, "{input}");
        if let Some(p) = want {
            // A preview normalises back to the original.
            assert_eq!(original_url(p), original_url(input));
        }
    }
}

#[test]
fn extensions() {
    let cases = [
        (
            "https://ae01.alicdn.com/kf/Hab.jpg_220x220q75.jpg_.avif",
            Some("jpg"),
        ),
        ("https://ae01.alicdn.com/kf/Hab.JPEG", Some("jpeg")),
        ("https://ae01.alicdn.com/kf/Hab.png?x=1", Some("png")),
        ("https://ae01.alicdn.com/kf/Hab.webp", Some("webp")),
        ("https://ae01.alicdn.com/kf/Hab.gif", Some("gif")),
        ("https://ae01.alicdn.com/kf/Hab.avif", Some("avif")),
        ("https://ae01.alicdn.com/kf/Hab.bmp", Some("bmp")),
        (
            "https://cloud.video.taobao.com/play/u/1/p/1/e/6/t/10301/2.mp4",
            Some("mp4"),
        ),
        ("https://ae01.alicdn.com/kf/Hab", None),
        ("https://ae01.alicdn.com/kf/Hab.svg", None),
        ("https://ae01.alicdn.com/kf/Hab.jpg/", None),
        ("", None),
    ];
    for (input, want) in cases {
        assert_eq!(media_extension(input), want, "{input}");
    }
}
