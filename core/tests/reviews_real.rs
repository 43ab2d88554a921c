//! Buyer review photos (issue #15) read from the real captures in
//! `tests/fixtures/real/` (see its PROVENANCE.md): the scrapfly captures of
//! AliExpress's `searchEvaluation.do` items, and the aliexpress.ru
//! `product-reviews` API and `#__AER_DATA__` captures (sanitized: their media
//! URLs are `https://fixtures.invalid/…`, so none of them may ever be saved).
//!
//! Where a capture is not the raw HTTP body, the test builds the body around it
//! and says "synthetic envelope/wrapper" in its name: the scrapfly files keep
//! only `data.evaViewList` (no envelope), the aliexpress.ru files keep the
//! widget node (not the page).

mod common;

use alisave_core::engine::{Batch, JobState, ProductInfo};
use alisave_core::filename::{ReviewNamer, DEFAULT_REVIEW_TEMPLATE, MAX_PATH_UNITS};
use alisave_core::manifest::{manifest_files, review_rows, reviews_manifest};
use alisave_core::reviews::{
    counts, parse, plan, select, Review, ReviewFile, ReviewFilter, ReviewOrder, ReviewRun,
    ReviewSource, RunState,
};
use alisave_core::say::{t, tn};
use common::fixture;
use serde_json::{json, Value};

const SCRAPFLY_2024: &str = "scrapfly-scrapfly-scrapers/reviews-1005006717259012-2024-09-06.json";
const SCRAPFLY_2025: &str = "scrapfly-scrapfly-scrapers/reviews-1005006717259012-2025-12-20.json";

fn json_of(rel: &str) -> Value {
    serde_json::from_str(&fixture(rel)).expect("fixture is JSON")
}

/// The capture's review items in the documented envelope (synthetic).
fn global_body(items: &[Value], page: u32, total_pages: Option<u32>) -> String {
    let mut data = json!({ "evaViewList": items });
    if let Some(n) = total_pages {
        data["totalPage"] = json!(n);
        data["currentPage"] = json!(page);
    }
    json!({ "data": data }).to_string()
}

fn scrapfly_items(rel: &str) -> Vec<Value> {
    json_of(rel)["reviews"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn summary(reviews: &[Review]) -> (usize, usize, usize, usize) {
    let with_photos = reviews.iter().filter(|r| !r.media.is_empty()).count();
    let photos = reviews.iter().map(|r| r.media.len()).sum();
    let followups = reviews
        .iter()
        .filter(|r| !r.followup_text.is_empty())
        .count();
    (reviews.len(), with_photos, photos, followups)
}

/// Every review of a real scrapfly capture, checked against the capture itself:
/// the id string, date, country, stars, variant, text, follow-up, and exactly
/// the `images[]` as original photos, in order.
fn check_against_capture(items: &[Value], reviews: &[Review]) {
    assert_eq!(items.len(), reviews.len());
    for (item, r) in items.iter().zip(reviews) {
        assert_eq!(r.id, item["evaluationIdStr"].as_str().unwrap_or_default());
        assert_eq!(r.date_text, item["evalDate"].as_str().unwrap_or_default());
        assert_eq!(r.date.len(), 10, "{:?}", r.date_text);
        assert_eq!(r.country, item["buyerCountry"].as_str().unwrap_or_default());
        assert_eq!(
            u64::from(r.stars) * 20,
            item["buyerEval"].as_u64().unwrap_or_default()
        );
        assert_eq!(
            r.text,
            item["buyerFeedback"].as_str().unwrap_or_default().trim()
        );
        assert_eq!(
            r.followup_text,
            item["buyerAddFbContent"]
                .as_str()
                .unwrap_or_default()
                .trim()
        );
        let images: Vec<&str> = item["images"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let originals: Vec<&str> = r
            .media
            .iter()
            .map(|m| m.original.as_deref().expect("on the CDN"))
            .collect();
        assert_eq!(originals, images, "review {}", r.id);
        assert!(r.media.iter().all(|m| !m.video && !m.followup));
    }
}

#[test]
fn scrapfly_2024_capture_in_a_synthetic_envelope() {
    let items = scrapfly_items(SCRAPFLY_2024);
    let page = parse(ReviewSource::AliExpress, &global_body(&items, 1, None));
    assert!(page.found);
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);
    assert_eq!(page.total_pages, None, "the capture has no envelope");
    assert_eq!(summary(&page.reviews), (60, 59, 170, 3));
    check_against_capture(&items, &page.reviews);
    let first = &page.reviews[0];
    assert_eq!(
        (
            first.id.as_str(),
            first.date.as_str(),
            first.country.as_str()
        ),
        ("30072011607750988", "2024-04-25", "US")
    );
    assert_eq!(first.variant, "1PC 2.0Ah Battery, EU");
    let followups: Vec<(&str, &str)> = page
        .reviews
        .iter()
        .filter(|r| !r.followup_text.is_empty())
        .map(|r| (r.id.as_str(), r.followup_date.as_str()))
        .collect();
    assert_eq!(
        followups,
        [
            ("50143684563365924", "2024-08-28"),
            ("50132728659572165", "2024-06-16"),
            ("50130884583761723", "2024-08-24"),
        ]
    );
    let c = counts(&page.reviews);
    let v: Vec<(&str, usize, usize)> = c
        .variants
        .iter()
        .map(|v| (v.variant.as_str(), v.reviews, v.photos))
        .collect();
    assert_eq!(
        v,
        [
            ("No Battery, EU", 48, 142),
            ("1PC 2.0Ah Battery, EU", 12, 28)
        ]
    );
    let s: Vec<(u8, usize, usize)> = c
        .stars
        .iter()
        .map(|s| (s.stars, s.reviews, s.photos))
        .collect();
    assert_eq!(s, [(5, 59, 170), (4, 1, 0)]);
    // No buyer names or avatars in what was read.
    let all = serde_json::to_string(&page.reviews).unwrap_or_default();
    for item in &items {
        let name = item["buyerName"].as_str().unwrap_or_default();
        assert!(!all.contains(&format!("\"{name}\"")), "{name}");
    }
    assert!(!all.contains("buyerHeadPortrait") && !all.contains("gw.alicdn.com/tps"));
}

#[test]
fn scrapfly_2025_capture_in_a_synthetic_envelope() {
    let items = scrapfly_items(SCRAPFLY_2025);
    let page = parse(ReviewSource::AliExpress, &global_body(&items, 1, None));
    assert_eq!(summary(&page.reviews), (60, 17, 38, 1));
    check_against_capture(&items, &page.reviews);
    let c = counts(&page.reviews);
    let s: Vec<(u8, usize, usize)> = c
        .stars
        .iter()
        .map(|s| (s.stars, s.reviews, s.photos))
        .collect();
    assert_eq!(s, [(5, 51, 30), (4, 4, 0), (3, 1, 0), (2, 2, 2), (1, 2, 6)]);
    let f = page
        .reviews
        .iter()
        .find(|r| !r.followup_text.is_empty())
        .expect("one follow-up");
    assert_eq!(
        (f.id.as_str(), f.date.as_str(), f.followup_date.as_str()),
        ("50196676109785953", "2025-11-04", "2025-11-19")
    );
    // Filters over the real reviews: at least 4 stars, one variant, newest first.
    let filter = ReviewFilter {
        min_stars: 4,
        variant: Some("1PC 2.0Ah Battery, EU".into()),
        ..ReviewFilter::default()
    };
    let sel = select(&page.reviews, &filter);
    assert!(!sel.photos.is_empty());
    let mut last = "9999-99-99".to_string();
    for p in &sel.photos {
        let r = &page.reviews[p.review];
        assert!(r.stars >= 4 && r.variant == "1PC 2.0Ah Battery, EU");
        assert!(r.date <= last, "newest first");
        last = r.date.clone();
    }
    // 1 and 2 star photos only with no star filter.
    let low = select(&page.reviews, &ReviewFilter::default())
        .photos
        .iter()
        .filter(|p| page.reviews[p.review].stars <= 2)
        .count();
    assert_eq!(low, 8);
}

#[test]
fn paged_run_over_real_reviews_meets_a_captcha_on_page_3() {
    // Real items, 20 a page, in synthetic envelopes that say there are 10 pages.
    let items = scrapfly_items(SCRAPFLY_2024);
    let mut run = ReviewRun::new(
        ReviewSource::AliExpress,
        "1005006717259012",
        ReviewFilter::default(),
    );
    let mut now = 1_000_000.0;
    let mut asked = Vec::new();
    while let Some(req) = run.next_request(now) {
        assert!(req.not_before_ms >= now);
        if let Some(&(_, prev)) = asked.last() {
            assert!(req.not_before_ms - prev >= 1000.0, "one request a second");
        }
        asked.push((req.page, req.not_before_ms));
        now = req.not_before_ms + 300.0;
        match req.page {
            1 | 2 => {
                let from = (req.page as usize - 1) * 20;
                run.answer(&global_body(&items[from..from + 20], req.page, Some(10)));
            }
            // The mtop gateway's "punish" answer instead of data.
            _ => run.answer(
                "{\"ret\":[\"FAIL_SYS_USER_VALIDATE::哎哟喂,被挤爆啦,请稍后重试\"],\
                 \"data\":{\"url\":\"https://feedback.aliexpress.com/_____tmd_____/punish?x5secdata=x\"}}",
            ),
        }
    }
    assert_eq!(asked.len(), 3, "page 3 is asked once, never again");
    assert_eq!(run.pages_read, 2);
    assert_eq!(run.reviews.len(), 40);
    let kept = run.photos_collected();
    let expected: usize = items[..40]
        .iter()
        .map(|i| i["images"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(kept, expected);
    assert_eq!(
        run.state,
        RunState::Stopped {
            reason: tn("review_stopped", 2, &[t("api_captcha").into()])
        }
    );
    let RunState::Stopped { reason } = &run.state else {
        unreachable!()
    };
    assert_eq!(
        reason.english(),
        "Reading the reviews stopped after 2 pages: the shop asked for a captcha or a sign-in. The photos found so far are kept."
    );
}

#[test]
fn a_run_stops_when_the_limit_is_collected() {
    let items = scrapfly_items(SCRAPFLY_2024);
    let filter = ReviewFilter {
        max_photos: 50,
        order: ReviewOrder::Helpful,
        ..ReviewFilter::default()
    };
    let mut run = ReviewRun::new(ReviewSource::AliExpress, "1005006717259012", filter.clone());
    let mut pages = 0;
    while let Some(req) = run.next_request(0.0) {
        pages += 1;
        let from = (req.page as usize - 1) * 20;
        let to = (from + 20).min(items.len());
        run.answer(&global_body(&items[from..to], req.page, Some(3)));
    }
    assert_eq!(run.state, RunState::Done);
    assert!(pages < 3, "50 photos are on the first pages: {pages}");
    assert_eq!(select(&run.reviews, &filter).photos.len(), 50);
}

/// The aliexpress.ru API page (sanitized capture): exact structure, and not
/// one of its `fixtures.invalid` URLs becomes a photo to save.
#[test]
fn aliexpress_ru_api_page_2() {
    let capture = json_of("IarBest-Aliexpress-to-AI/reviews-native-page2-1005009452926938.json");
    let body = capture["response"].to_string();
    let page = parse(ReviewSource::AliExpressRu, &body);
    assert!(page.found);
    let ids: Vec<&str> = page.reviews.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        (11..=20)
            .map(|i| format!("native-dress-r{i}"))
            .collect::<Vec<_>>()
    );
    let per: Vec<(u8, usize, &str, &str)> = page
        .reviews
        .iter()
        .map(|r| (r.stars, r.media.len(), r.variant.as_str(), r.date.as_str()))
        .collect();
    assert_eq!(per[0], (5, 2, "Sanitized SKU R11", ""));
    assert_eq!(per[4], (4, 0, "Sanitized SKU R15", ""));
    let images: Vec<usize> = per.iter().map(|p| p.1).collect();
    assert_eq!(images, [2, 2, 1, 0, 0, 0, 1, 1, 1, 1]);
    assert_eq!(page.reviews[0].date_text, "Sanitized date R11");
    assert_eq!(
        page.reviews[0]
            .media
            .iter()
            .map(|m| m.url.as_str())
            .collect::<Vec<_>>(),
        [
            "https://fixtures.invalid/r11-1.jpg",
            "https://fixtures.invalid/r11-2.jpg"
        ]
    );
    assert!(page
        .reviews
        .iter()
        .flat_map(|r| &r.media)
        .all(|m| m.original.is_none()));
    let sel = select(&page.reviews, &ReviewFilter::default());
    assert!(sel.photos.is_empty());
    assert_eq!(sel.off_cdn, 9);
    assert_eq!(
        sel.notes(200),
        [tn("review_off_cdn", 9, &[]), t("review_no_photos")]
    );
    assert!(!serde_json::to_string(&page.reviews)
        .unwrap_or_default()
        .contains("Reviewer R"));
}

#[test]
fn aliexpress_ru_api_follow_up_photos() {
    let capture = json_of("IarBest-Aliexpress-to-AI/reviews-native-additional-32882927175.json");
    let page = parse(ReviewSource::AliExpressRu, &capture["response"].to_string());
    let per: Vec<(usize, usize, u8)> = page
        .reviews
        .iter()
        .map(|r| {
            let follow = r.media.iter().filter(|m| m.followup).count();
            (r.media.len() - follow, follow, r.stars)
        })
        .collect();
    assert_eq!(per, [(7, 3, 5), (0, 1, 5), (0, 0, 5), (0, 0, 5)]);
    assert!(page.reviews.iter().all(|r| !r.followup_text.is_empty()));
    assert!(page.warnings.is_empty());
}

/// aliexpress.ru beyond page 1: the page's own first reviews (real SSR capture,
/// synthetic page wrapper), then pages 2 and 3 asked with exactly the bodies
/// the real page sent (`reviews-native-page2` and `reviews-native-contexts`
/// captures), page 2 answered with the real answer, page 3 with a captcha.
#[test]
fn aliexpress_ru_run_asks_further_pages_as_the_page_itself_does() {
    let id = "1005009452926938";
    let mut run = ReviewRun::of_page(id, ReviewFilter::default());
    assert_eq!(run.next_request(0.0), None, "page 1 is the page's own");
    run.answer(&aer_page(
        "IarBest-Aliexpress-to-AI/reviews-ssr-1005009452926938.json",
    ));
    assert_eq!((run.pages_read, run.reviews.len()), (1, 10));
    assert_eq!(
        run.state,
        RunState::Reading,
        "a full page 1: there may be more"
    );

    let page2 = json_of("IarBest-Aliexpress-to-AI/reviews-native-page2-1005009452926938.json");
    let r2 = run.next_request(1000.0).expect("page 2");
    assert_eq!(r2.method, page2["request"]["method"]);
    assert_eq!(
        format!(
            "https://aliexpress.ru{}",
            page2["request"]["pathname"].as_str().unwrap_or("")
        ),
        r2.url
    );
    let body2: Value = serde_json::from_str(r2.body.as_deref().unwrap_or("")).expect("JSON");
    assert_eq!(
        body2, page2["request"]["body"],
        "page 2 as the page asked for it"
    );
    run.answer(&page2["response"].to_string());
    assert_eq!((run.pages_read, run.reviews.len()), (2, 20));
    let photos: Vec<usize> = run.reviews.iter().map(|r| r.media.len()).collect();
    assert_eq!(
        photos,
        [1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 2, 2, 1, 0, 0, 0, 1, 1, 1, 1]
    );
    assert_eq!(run.reviews[10].stars, 5);
    assert_eq!(run.reviews[14].stars, 4);
    assert_eq!(run.reviews[10].variant, "Sanitized SKU R11");

    let contexts =
        json_of("IarBest-Aliexpress-to-AI/reviews-native-contexts-1005009452926938.json");
    let r3 = run.next_request(1500.0).expect("page 3");
    assert_eq!(r3.not_before_ms, 2000.0, "a second after page 2");
    let body3: Value = serde_json::from_str(r3.body.as_deref().unwrap_or("")).expect("JSON");
    assert_eq!(
        body3, contexts["captures"]["page3"]["body"],
        "page 3 as the page asked for it"
    );
    run.answer(r#"{"ret":["FAIL_SYS_USER_VALIDATE::x"],"data":{"url":"https://aliexpress.ru/_____tmd_____/punish?x5secdata=1"}}"#);
    assert_eq!(
        run.state,
        RunState::Stopped {
            reason: tn("review_stopped", 2, &[t("api_captcha").into()])
        }
    );
    assert_eq!(run.reviews.len(), 20, "pages 1–2 kept");
    // Sanitized URLs: none of them is ever chosen for saving.
    assert!(select(&run.reviews, &ReviewFilter::default())
        .photos
        .is_empty());
}

/// The page's `#__AER_DATA__` with the capture's widget node in it (a
/// synthetic wrapper: the capture is the widget, not the page).
fn aer_page(rel: &str) -> String {
    let capture = json_of(rel);
    let island = json!({ "widgets": [capture["widget"]] });
    format!(
        "<!doctype html><html><body><div id=\"root\"></div>\
         <script id=\"__AER_DATA__\" type=\"application/json\">{island}</script></body></html>"
    )
}

#[test]
fn aliexpress_ru_page_reviews_in_a_synthetic_page() {
    let page = parse(
        ReviewSource::AliExpressRuPage,
        &aer_page("IarBest-Aliexpress-to-AI/reviews-ssr-1005009452926938.json"),
    );
    assert!(page.found);
    let rows: Vec<(&str, &str, u8, &str, usize, u32, &str)> = page
        .reviews
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.variant.as_str(),
                r.stars,
                r.date.as_str(),
                r.media.len(),
                r.helpful,
                r.country.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "dress-review-1",
                "Lining B Navy Blue, M",
                5,
                "2026-06-01",
                1,
                8,
                "RU"
            ),
            (
                "dress-review-2",
                "Lining B Pink, XL",
                5,
                "2026-07-10",
                1,
                2,
                ""
            ),
            (
                "dress-review-3",
                "Deep Green B, XS",
                3,
                "2026-06-24",
                1,
                1,
                ""
            ),
            (
                "dress-review-4",
                "Lining B Pink, XS",
                5,
                "2026-07-23",
                1,
                0,
                ""
            ),
            (
                "dress-review-5",
                "Lining B Navy Blue, L",
                5,
                "2026-04-21",
                0,
                0,
                ""
            ),
            (
                "dress-review-6",
                "Lining B Navy Blue, XL",
                4,
                "2026-07-06",
                0,
                1,
                ""
            ),
            (
                "dress-review-7",
                "Lining B Wine Red, S",
                4,
                "2026-07-10",
                1,
                0,
                "MX"
            ),
            (
                "dress-review-8",
                "Lining B Taupe, XS",
                5,
                "2026-06-06",
                0,
                1,
                ""
            ),
            (
                "dress-review-9",
                "Cup A Taupe, S",
                5,
                "2026-05-19",
                1,
                8,
                "VN"
            ),
            (
                "dress-review-10",
                "Lining B Wine Red, XS",
                5,
                "2026-05-24",
                0,
                0,
                ""
            ),
        ]
    );
    assert_eq!(page.reviews[0].text, "Original dress review D1.");
    assert_eq!(
        page.reviews[0].media[0].url,
        "https://fixtures.invalid/dress-image-1.jpeg"
    );
    assert!(page
        .reviews
        .iter()
        .flat_map(|r| &r.media)
        .all(|m| m.original.is_none()));

    let other = parse(
        ReviewSource::AliExpressRuPage,
        &aer_page("IarBest-Aliexpress-to-AI/reviews-ssr-1005008195850531.json"),
    );
    let v: Vec<(&str, &str)> = other
        .reviews
        .iter()
        .map(|r| (r.variant.as_str(), r.date.as_str()))
        .collect();
    assert_eq!(
        v,
        [
            ("", "2025-12-16"),
            ("1CH Zigbee 7-32V", "2026-07-19"),
            ("2CH Zigbee 7-32V", "2026-07-21"),
            ("1CH Zigbee 7-32V", "2025-01-20"),
            ("2CH Zigbee 7-32V", "2025-01-08"),
        ]
    );
    assert_eq!(other.reviews[4].country, "IT");
}

#[test]
fn aliexpress_ru_page_follow_ups_in_a_synthetic_page() {
    let page = parse(
        ReviewSource::AliExpressRuPage,
        &aer_page("IarBest-Aliexpress-to-AI/reviews-ssr-additional-32882927175.json"),
    );
    let rows: Vec<(&str, &str, &str, usize, usize)> = page
        .reviews
        .iter()
        .map(|r| {
            (
                r.date.as_str(),
                r.followup_date.as_str(),
                r.followup_text.as_str(),
                r.media.iter().filter(|m| !m.followup).count(),
                r.media.iter().filter(|m| m.followup).count(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2024-09-14", "2026-06-16", "Follow-up review A1.", 1, 3),
            ("2024-11-27", "2024-12-12", "Follow-up review A2.", 1, 0),
        ]
    );
    assert_eq!(
        page.reviews[0].variant,
        "express, EU plug, 3 hole 2usb 2.5M"
    );
    let follow: Vec<&str> = page.reviews[0]
        .media
        .iter()
        .filter(|m| m.followup)
        .map(|m| m.url.as_str())
        .collect();
    assert_eq!(
        follow,
        [
            "https://fixtures.invalid/followup-a1-1.jpeg",
            "https://fixtures.invalid/followup-a1-2.jpeg",
            "https://fixtures.invalid/followup-a1-3.jpeg",
        ]
    );
}

/// Names, `reviews.json` and `reviews.csv` for the real 2025 capture.
#[test]
fn files_and_manifests_of_real_reviews() {
    let items = scrapfly_items(SCRAPFLY_2025);
    let page = parse(ReviewSource::AliExpress, &global_body(&items, 1, None));
    let namer = ReviewNamer::new(
        "AliSavePro/aliexpress-1005006717259012",
        DEFAULT_REVIEW_TEMPLATE,
    );
    let sel = select(&page.reviews, &ReviewFilter::default());
    let files = plan(&page.reviews, &sel, &namer);
    assert_eq!(files.len(), 38);
    let mut seen = std::collections::BTreeSet::new();
    for f in &files {
        assert!(seen.insert(f.path.to_lowercase()), "{}", f.path);
        assert!(f.path.encode_utf16().count() <= MAX_PATH_UNITS);
        assert!(
            f.path.starts_with(
                "AliSavePro/aliexpress-1005006717259012/reviews/No Battery, EU/review-"
            ) || f.path.starts_with(
                "AliSavePro/aliexpress-1005006717259012/reviews/1PC 2.0Ah Battery, EU/review-"
            ),
            "{}",
            f.path
        );
    }
    let first = &files[0];
    let r = &page.reviews[first.review];
    assert_eq!(
        first.path,
        format!(
            "AliSavePro/aliexpress-1005006717259012/reviews/{}/review-01-{}star-{}.{}",
            r.variant,
            r.stars,
            r.date,
            first.url.rsplit('.').next().unwrap_or_default()
        )
    );

    let folder = "AliSavePro/aliexpress-1005006717259012/reviews";
    let planned = files.iter().map(ReviewFile::planned).collect();
    let product = ProductInfo {
        platform: "aliexpress".into(),
        id: "1005006717259012".into(),
        ..ProductInfo::default()
    };
    let mut batch = Batch::new("b".into(), 1, folder.into(), product, planned, 0.0);
    batch.reviews = Some(review_rows(&page.reviews, &files, folder));
    for j in &mut batch.jobs {
        j.state = JobState::Done;
    }
    let m = reviews_manifest(&batch, &|_, _| None).expect("a review batch");
    assert_eq!(m.reviews.iter().map(|r| r.files.len()).sum::<usize>(), 38);
    let written = manifest_files(&batch, &|_, _| None);
    let json_text = written[0].1.clone();
    let v: Value = serde_json::from_str(&json_text).expect("reviews.json is JSON");
    assert_eq!(v["schema"], "alisavepro.reviews/1");
    assert!(v["reviews"][0]["review_id"].is_string());
    assert_eq!(v["reviews"][0]["files"][0]["status"], "saved");
    assert!(v["reviews"][0]["files"][0]["file"]
        .as_str()
        .is_some_and(|f| !f.starts_with("AliSavePro/")));
    let csv = written[1].1.clone();
    assert!(csv.starts_with("\u{feff}review_id,date,country,stars,variant,text,"));
    assert_eq!(
        csv.matches("\r\n").count() - 1 - count_newlines_in_texts(&m),
        m.reviews.len()
    );
    for text in [&json_text, &csv] {
        assert!(!text.contains("Г***ч"), "no buyer names");
        assert!(!text.contains("gw.alicdn.com"), "no avatars");
    }
}

/// Line breaks inside quoted CSV fields.
fn count_newlines_in_texts(m: &alisave_core::manifest::ReviewsManifest) -> usize {
    m.reviews
        .iter()
        .map(|r| r.text.matches("\r\n").count() + r.followup_text.matches("\r\n").count())
        .sum()
}

// ---------------------------------------------------------------------------
// Hostile input: real answers cut and corrupted anywhere.

mod hostile {
    use super::*;
    use proptest::prelude::*;

    fn bodies() -> Vec<(ReviewSource, String)> {
        let items = scrapfly_items(SCRAPFLY_2025);
        let ru = json_of("IarBest-Aliexpress-to-AI/reviews-native-additional-32882927175.json");
        vec![
            (
                ReviewSource::AliExpress,
                global_body(&items[..12], 1, Some(4)),
            ),
            (
                ReviewSource::AliExpressMtop,
                format!("mtopjsonp2({})", global_body(&items[..6], 1, None)),
            ),
            (ReviewSource::AliExpressRu, ru["response"].to_string()),
            (
                ReviewSource::AliExpressRuPage,
                aer_page("IarBest-Aliexpress-to-AI/reviews-ssr-additional-32882927175.json"),
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Cut, spliced or overwritten answers never panic, and whatever is read
        /// names only shop-CDN originals for saving.
        #[test]
        fn corrupted_answers_are_safe(which in 0usize..4, cut in any::<prop::sample::Index>(),
                                      at in any::<prop::sample::Index>(), junk in ".{0,40}") {
            let all = bodies();
            let (source, body) = &all[which];
            let n = body.len();
            let mut cut_at = cut.index(n + 1);
            while !body.is_char_boundary(cut_at) { cut_at -= 1; }
            let mut at_i = at.index(cut_at + 1);
            while !body.is_char_boundary(at_i) { at_i -= 1; }
            let mangled = format!("{}{junk}{}", &body[..at_i], &body[at_i..cut_at]);
            for s in [*source, ReviewSource::AliExpress, ReviewSource::AliExpressRu, ReviewSource::AliExpressSection] {
                let page = parse(s, &mangled);
                for m in page.reviews.iter().flat_map(|r| &r.media) {
                    if let Some(o) = &m.original {
                        prop_assert!(alisave_core::url::is_cdn_media_url(o), "{o}");
                    }
                }
                let sel = select(&page.reviews, &ReviewFilter::default());
                for p in &sel.photos {
                    prop_assert!(alisave_core::url::is_cdn_media_url(&p.url));
                }
                let mut run = ReviewRun::new(ReviewSource::AliExpress, "1", ReviewFilter::default());
                run.next_request(0.0);
                run.answer(&mangled);
                if run.awaits_page() {
                    // Nothing readable: the page's review section, here the same text.
                    prop_assert!(run.reviews.is_empty());
                    run.answer(&mangled);
                }
                prop_assert!(run.pending.is_none());
                prop_assert!(!run.awaits_page());
            }
        }
    }
}
