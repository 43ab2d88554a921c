//! Which review photos are saved and under which names: the user's filters
//! (stars, variant, limit, order), the counts the options show per variant and
//! per star rating, and the files ([`plan`]).

use super::{Review, ReviewFilter, ReviewOrder};
use crate::filename::{ReviewNamer, ReviewValues};
use crate::say::{tn, Say};
use serde::{Deserialize, Serialize};

/// One review photo (or video) chosen to be saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPhoto {
    /// Index of its review in the list given to [`select`].
    pub review: usize,
    /// Its original-resolution CDN URL.
    pub url: String,
    pub video: bool,
    pub followup: bool,
}

/// What [`select`] chose.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Selection {
    /// The photos, in the chosen order, at most the filter's limit.
    pub photos: Vec<ReviewPhoto>,
    /// Photos of admitted reviews left out by the limit.
    pub over_limit: usize,
    /// Media of admitted reviews that are not on a shop CDN (never saved).
    pub off_cdn: usize,
}

impl Selection {
    /// What the user should know about the choice.
    pub fn notes(&self, limit: usize) -> Vec<Say> {
        let mut out = Vec::new();
        if self.over_limit > 0 {
            out.push(tn("review_limit_reached", limit, &[]));
        }
        if self.off_cdn > 0 {
            out.push(tn("review_off_cdn", self.off_cdn, &[]));
        }
        if self.photos.is_empty() {
            out.push(crate::say::t("review_no_photos"));
        }
        out
    }
}

/// The reviews' order under `order` (indices; stable: the shop's order breaks ties).
fn ordered(reviews: &[Review], order: ReviewOrder) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..reviews.len()).collect();
    match order {
        ReviewOrder::Newest => idx.sort_by(|&a, &b| {
            // Undated last; ISO dates order as text.
            let (da, db) = (&reviews[a].date, &reviews[b].date);
            da.is_empty().cmp(&db.is_empty()).then(db.cmp(da))
        }),
        ReviewOrder::Helpful => idx.sort_by(|&a, &b| reviews[b].helpful.cmp(&reviews[a].helpful)),
    }
    idx
}

/// The photos to save: of reviews with at least the filter's stars and of its
/// variant, newest or most helpful first (a review's own photos, then its
/// follow-up's), videos only when the filter takes them, at most its limit.
/// Only media on a shop CDN are ever chosen.
pub fn select(reviews: &[Review], filter: &ReviewFilter) -> Selection {
    let limit = filter.limit();
    let mut s = Selection::default();
    for i in ordered(reviews, filter.order) {
        let r = &reviews[i];
        if !filter.admits(r) {
            continue;
        }
        for m in &r.media {
            if m.video && !filter.videos {
                continue;
            }
            let Some(url) = &m.original else {
                s.off_cdn += 1;
                continue;
            };
            if s.photos.len() >= limit {
                s.over_limit += 1;
                continue;
            }
            s.photos.push(ReviewPhoto {
                review: i,
                url: url.clone(),
                video: m.video,
                followup: m.followup,
            });
        }
    }
    s
}

/// One shown photo as the popup's Buyer photos grid draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewThumb {
    /// The full-size photo (what is saved).
    pub url: String,
    /// The CDN's small copy for the grid (`url::preview_url`); `None` for a
    /// video or a format the CDN does not shrink (the grid shows a mark).
    pub thumb: Option<String>,
    /// What its alt text says: the review's variant and stars.
    pub variant: String,
    pub stars: u8,
    pub video: bool,
}

/// The grid of the photos `selection` chose, in its order: never the
/// full-size file as a thumbnail (a grid of 200 would download them all).
pub fn thumbnails(reviews: &[Review], selection: &Selection) -> Vec<ReviewThumb> {
    selection
        .photos
        .iter()
        .filter_map(|p| {
            let r = reviews.get(p.review)?;
            Some(ReviewThumb {
                url: p.url.clone(),
                thumb: if p.video {
                    None
                } else {
                    crate::url::preview_url(&p.url)
                },
                variant: r.variant.clone(),
                stars: r.stars,
                video: p.video,
            })
        })
        .collect()
}

/// Reviews and usable photos of one variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantCount {
    /// As [`Review::variant`] says it (empty: reviews that name none).
    pub variant: String,
    pub reviews: usize,
    pub photos: usize,
}

/// Reviews and usable photos with one star rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarCount {
    /// 1–5; 0 for reviews without a rating.
    pub stars: u8,
    pub reviews: usize,
    pub photos: usize,
}

/// The counts the filters are chosen by.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewCounts {
    /// Most photos first, then by name.
    pub variants: Vec<VariantCount>,
    /// 5 stars first; ratings no review has are left out.
    pub stars: Vec<StarCount>,
}

/// Reviews and photos (on a shop CDN, videos included) per variant and per star
/// rating, over every review given (no filter applied).
pub fn counts(reviews: &[Review]) -> ReviewCounts {
    let mut variants: Vec<VariantCount> = Vec::new();
    let mut stars: Vec<StarCount> = (0..=5u8)
        .rev()
        .map(|s| StarCount {
            stars: s,
            reviews: 0,
            photos: 0,
        })
        .collect();
    for r in reviews {
        let photos = r.media.iter().filter(|m| m.original.is_some()).count();
        match variants.iter_mut().find(|v| v.variant == r.variant) {
            Some(v) => {
                v.reviews += 1;
                v.photos += photos;
            }
            None => variants.push(VariantCount {
                variant: r.variant.clone(),
                reviews: 1,
                photos,
            }),
        }
        if let Some(s) = stars.iter_mut().find(|s| s.stars == r.stars.min(5)) {
            s.reviews += 1;
            s.photos += photos;
        }
    }
    variants.sort_by(|a, b| b.photos.cmp(&a.photos).then(a.variant.cmp(&b.variant)));
    stars.retain(|s| s.reviews > 0);
    ReviewCounts { variants, stars }
}

/// One review file to download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFile {
    /// https CDN URL (the original).
    pub url: String,
    /// Path relative to the download directory, `/`-separated:
    /// `<product folder>/reviews[/<variant>]/<name>`.
    pub path: String,
    /// Index of its review in the list given to [`plan`].
    pub review: usize,
    /// Its review's id.
    pub review_id: String,
    pub variant: String,
    pub stars: u8,
    pub video: bool,
    pub followup: bool,
}

impl ReviewFile {
    /// The download engine's file of it: kind [`crate::MediaKind::Review`]
    /// (buyer media, never one of the product's kinds), with its variant.
    pub fn planned(&self) -> crate::plan::PlannedFile {
        crate::plan::PlannedFile {
            url: self.url.clone(),
            path: self.path.clone(),
            kind: crate::MediaKind::Review,
            original: self.url.clone(),
            variant: (!self.variant.is_empty()).then(|| self.variant.clone()),
        }
    }
}

/// The files of a selection: numbered from 01 in the selection's order
/// (zero-padded to the count's width), named by `namer`.
pub fn plan(reviews: &[Review], selection: &Selection, namer: &ReviewNamer) -> Vec<ReviewFile> {
    let width = selection.photos.len().to_string().len().max(2);
    let mut out = Vec::with_capacity(selection.photos.len());
    for (i, p) in selection.photos.iter().enumerate() {
        let Some(r) = reviews.get(p.review) else {
            continue;
        };
        let ext =
            crate::url::media_extension(&p.url).unwrap_or(if p.video { "mp4" } else { "jpg" });
        let values = ReviewValues {
            stars: if r.stars > 0 {
                r.stars.to_string()
            } else {
                String::new()
            },
            review: r.id.clone(),
            date: r.date.clone(),
            variant: r.variant.clone(),
            n: format!("{:0width$}", i + 1),
            ext: ext.to_string(),
        };
        out.push(ReviewFile {
            url: p.url.clone(),
            path: namer.path(&values),
            review: p.review,
            review_id: r.id.clone(),
            variant: r.variant.clone(),
            stars: r.stars,
            video: p.video,
            followup: p.followup,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::ReviewMedia;
    use super::*;
    use crate::filename::DEFAULT_REVIEW_TEMPLATE;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn review(
        id: &str,
        date: &str,
        stars: u8,
        variant: &str,
        helpful: u32,
        photos: usize,
    ) -> Review {
        Review {
            id: id.into(),
            date: date.into(),
            stars,
            variant: variant.into(),
            helpful,
            media: (0..photos)
                .map(|k| ReviewMedia {
                    url: format!("https://ae01.alicdn.com/kf/S{id}x{k}.jpg"),
                    original: Some(format!("https://ae01.alicdn.com/kf/S{id}x{k}.jpg")),
                    video: false,
                    followup: k == 2,
                })
                .collect(),
            ..Review::default()
        }
    }

    fn sample() -> Vec<Review> {
        vec![
            review("1", "2025-01-01", 5, "Black, M", 0, 2),
            review("2", "2025-03-01", 3, "Black, M", 9, 1),
            review("3", "", 5, "White, L", 2, 3),
            review("4", "2025-02-01", 4, "White, L", 5, 1),
        ]
    }

    fn ids(reviews: &[Review], s: &Selection) -> Vec<String> {
        s.photos
            .iter()
            .map(|p| reviews[p.review].id.clone())
            .collect()
    }

    #[test]
    fn the_grid_shows_cdn_thumbnails_of_the_chosen_photos_never_the_originals() {
        use crate::reviews::ReviewMedia;
        let media = |url: &str, video: bool| ReviewMedia {
            url: url.into(),
            original: crate::url::original_url(url),
            video,
            followup: false,
        };
        let reviews = vec![
            Review {
                id: "1".into(),
                stars: 4,
                variant: "Red".into(),
                date: "2025-11-02".into(),
                media: vec![
                    media("https://ae01.alicdn.com/kf/Sa.jpg_220x220.jpg", false),
                    media(
                        "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/5.mp4",
                        true,
                    ),
                ],
                ..Review::default()
            },
            Review {
                id: "2".into(),
                stars: 5,
                date: "2025-11-03".into(),
                media: vec![media("https://ae01.alicdn.com/kf/Sb.png", false)],
                ..Review::default()
            },
        ];
        let sel = select(&reviews, &ReviewFilter::default());
        let grid = thumbnails(&reviews, &sel);
        let got: Vec<(&str, Option<&str>, &str, u8, bool)> = grid
            .iter()
            .map(|t| {
                (
                    t.url.as_str(),
                    t.thumb.as_deref(),
                    t.variant.as_str(),
                    t.stars,
                    t.video,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "https://ae01.alicdn.com/kf/Sb.png",
                    Some("https://ae01.alicdn.com/kf/Sb.png_250x250.png"),
                    "",
                    5,
                    false
                ),
                (
                    "https://ae01.alicdn.com/kf/Sa.jpg",
                    Some("https://ae01.alicdn.com/kf/Sa.jpg_250x250.jpg"),
                    "Red",
                    4,
                    false
                ),
                (
                    "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/5.mp4",
                    None,
                    "Red",
                    4,
                    true
                ),
            ]
        );
        // The grid follows the filter: what is shown is what would be saved.
        let red = ReviewFilter {
            variant: Some("Red".into()),
            videos: false,
            ..ReviewFilter::default()
        };
        assert_eq!(thumbnails(&reviews, &select(&reviews, &red)).len(), 1);
    }

    #[test]
    fn filters_order_and_limit() {
        let r = sample();
        let all = select(&r, &ReviewFilter::default());
        assert_eq!(ids(&r, &all), ["2", "4", "1", "1", "3", "3", "3"]);
        let f = ReviewFilter {
            min_stars: 4,
            ..ReviewFilter::default()
        };
        assert_eq!(ids(&r, &select(&r, &f)), ["4", "1", "1", "3", "3", "3"]);
        let f = ReviewFilter {
            variant: Some("White, L".into()),
            order: ReviewOrder::Helpful,
            ..ReviewFilter::default()
        };
        assert_eq!(ids(&r, &select(&r, &f)), ["4", "3", "3", "3"]);
        let f = ReviewFilter {
            max_photos: 3,
            order: ReviewOrder::Helpful,
            ..ReviewFilter::default()
        };
        let s = select(&r, &f);
        assert_eq!(ids(&r, &s), ["2", "4", "3"]);
        assert_eq!(s.over_limit, 4);
        assert_eq!(s.notes(3), [tn("review_limit_reached", 3, &[])]);
        let none = select(
            &r,
            &ReviewFilter {
                variant: Some("Red".into()),
                ..ReviewFilter::default()
            },
        );
        assert_eq!(none.notes(200), [crate::say::t("review_no_photos")]);
    }

    #[test]
    fn counts_per_variant_and_stars() {
        let c = counts(&sample());
        let v: Vec<(&str, usize, usize)> = c
            .variants
            .iter()
            .map(|v| (v.variant.as_str(), v.reviews, v.photos))
            .collect();
        assert_eq!(v, [("White, L", 2, 4), ("Black, M", 2, 3)]);
        let s: Vec<(u8, usize, usize)> = c
            .stars
            .iter()
            .map(|s| (s.stars, s.reviews, s.photos))
            .collect();
        assert_eq!(s, [(5, 2, 5), (4, 1, 1), (3, 1, 1)]);
    }

    #[test]
    fn files_go_into_variant_folders_with_review_placeholders() {
        let mut r = sample();
        r[0].variant = "Black: M/XL <2>".into();
        let namer = ReviewNamer::new("AliSavePro/aliexpress-1", DEFAULT_REVIEW_TEMPLATE);
        let s = select(&r, &ReviewFilter::default());
        let files = plan(&r, &s, &namer);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "AliSavePro/aliexpress-1/reviews/Black, M/review-01-3star-2025-03-01.jpg",
                "AliSavePro/aliexpress-1/reviews/White, L/review-02-4star-2025-02-01.jpg",
                "AliSavePro/aliexpress-1/reviews/Black M XL 2/review-03-5star-2025-01-01.jpg",
                "AliSavePro/aliexpress-1/reviews/Black M XL 2/review-04-5star-2025-01-01.jpg",
                "AliSavePro/aliexpress-1/reviews/White, L/review-05-5star.jpg",
                "AliSavePro/aliexpress-1/reviews/White, L/review-06-5star.jpg",
                "AliSavePro/aliexpress-1/reviews/White, L/review-07-5star.jpg",
            ]
        );
        let namer = ReviewNamer::new("F", "{review}_{stars}_{variant}_{date}_{n}.{ext}");
        let f = plan(&r, &s, &namer);
        assert_eq!(
            f[0].path,
            "F/reviews/Black, M/2_3_Black, M_2025-03-01_01.jpg"
        );
    }
}
