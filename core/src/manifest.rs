//! `product.json`, `product.csv` and the ZIP's `report.txt`: what a batch saved,
//! for the user and for tools (schema in docs/product-manifest.md).

use crate::engine::{Batch, Job, JobState};
use crate::say::{tf, Lookup};
use crate::MediaKind;
use serde::Serialize;

/// Schema identifier written into every `product.json`.
pub const MANIFEST_SCHEMA: &str = "alisavepro.product/1";

/// One file in `product.json` / `product.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestFile {
    /// Path relative to the product folder (or inside the ZIP).
    pub file: String,
    pub kind: MediaKind,
    pub variant: Option<String>,
    /// The URL the bytes were downloaded from.
    pub source_url: String,
    /// The original-resolution URL of the media on the page.
    pub original_url: String,
    /// Size in bytes on disk, when known.
    pub size: Option<u64>,
    /// `saved` or `failed`.
    pub status: &'static str,
    /// Why it failed, or what was done to it (converted, fallback URL…).
    pub note: Option<String>,
}

/// `product.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub schema: &'static str,
    pub product_id: String,
    pub platform: String,
    pub title: Option<String>,
    pub shop: Option<String>,
    pub page_url: String,
    /// When the save started, ISO 8601 UTC.
    pub saved_at: String,
    pub files: Vec<ManifestFile>,
}

/// `ms` since the Unix epoch as ISO 8601 UTC (`2026-11-30T04:05:06Z`).
pub fn iso_utc(ms: f64) -> String {
    let secs = if ms.is_finite() {
        (ms / 1000.0).floor() as i64
    } else {
        0
    };
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    )
}

/// The file's path relative to the product folder `base`.
fn relative<'a>(path: &'a str, base: &str) -> &'a str {
    path.strip_prefix(base)
        .and_then(|p| p.strip_prefix('/'))
        .unwrap_or(path)
}

/// The manifest of a batch. `base` is the product folder (file paths are
/// relative to it); notes are written in the language of `look`.
pub fn manifest(batch: &Batch, base: &str, look: Lookup<'_>) -> Manifest {
    let files = batch
        .jobs
        .iter()
        .map(|j: &Job| {
            let (status, note) = match &j.state {
                JobState::Done => ("saved", j.note.as_ref()),
                JobState::Failed { reason } => ("failed", Some(reason)),
                _ => ("pending", j.note.as_ref()),
            };
            let note = note.map(|n| n.render(look));
            ManifestFile {
                file: relative(&j.path, base).to_string(),
                kind: j.kind,
                variant: j.variant.clone(),
                source_url: j.url.clone(),
                original_url: j.original_url.clone().unwrap_or_else(|| j.url.clone()),
                size: j.bytes,
                status,
                note,
            }
        })
        .collect();
    Manifest {
        schema: MANIFEST_SCHEMA,
        product_id: batch.product.id.clone(),
        platform: batch.product.platform.clone(),
        title: batch.product.title.clone(),
        shop: batch.product.shop.clone(),
        page_url: batch.product.page_url.clone(),
        saved_at: iso_utc(batch.created_ms),
        files,
    }
}

/// `product.json` text.
pub fn manifest_json(m: &Manifest) -> String {
    let mut s = serde_json::to_string_pretty(m).unwrap_or_default();
    s.push('\n');
    s
}

/// One CSV field (RFC 4180 quoting). Text that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'`: titles and
/// variant names come from the page and must not become formulas in the
/// dropshipper's spreadsheet. (Hand-written: ten lines, where the `csv` crate
/// would add its weight to the worker for one writer call.)
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `product.csv`: a header row, then one row per file with the product columns
/// repeated (one flat table imports everywhere). UTF-8 with a BOM so that
/// spreadsheet programs read Cyrillic/CJK titles correctly.
pub fn manifest_csv(m: &Manifest) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("product_id,platform,title,shop,page_url,saved_at,file,kind,variant,source_url,original_url,size,status,note\r\n");
    for f in &m.files {
        let size = f.size.map(|s| s.to_string()).unwrap_or_default();
        let row = [
            m.product_id.as_str(),
            m.platform.as_str(),
            m.title.as_deref().unwrap_or(""),
            m.shop.as_deref().unwrap_or(""),
            m.page_url.as_str(),
            m.saved_at.as_str(),
            f.file.as_str(),
            f.kind.as_str(),
            f.variant.as_deref().unwrap_or(""),
            f.source_url.as_str(),
            f.original_url.as_str(),
            size.as_str(),
            f.status,
            f.note.as_deref().unwrap_or(""),
        ];
        let row: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Schema identifier written into every `products.json` (a queue's summary).
pub const PRODUCTS_SCHEMA: &str = "alisavepro.products/1";

/// One product of a queue in `products.json` / `products.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRow {
    pub product_id: String,
    pub platform: String,
    pub title: Option<String>,
    pub shop: Option<String>,
    pub page_url: String,
    pub files_saved: u32,
    pub files_failed: u32,
    /// Its folder or ZIP file, relative to the download directory.
    pub folder: Option<String>,
    /// `done`, `failed`, or where it stopped (`waiting`, `saving`…).
    pub state: &'static str,
    /// Why it failed, in the user's language.
    pub reason: Option<String>,
}

/// `products.json`: what a queue saved, one entry per product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductsSummary {
    pub schema: &'static str,
    pub products: Vec<ProductRow>,
}

/// The summary of a queue, its reasons said with `look`.
pub fn products_summary(q: &crate::queue::Queue, look: Lookup<'_>) -> ProductsSummary {
    use crate::queue::ItemState;
    let products = q
        .items
        .iter()
        .map(|i| {
            let (saved, failed, state, reason) = match &i.state {
                ItemState::Done { saved, failed } => (*saved, *failed, "done", None),
                ItemState::Failed { reason } => (0, 0, "failed", Some(reason.render(look))),
                ItemState::Waiting => (0, 0, "waiting", None),
                ItemState::Opening { .. } => (0, 0, "opening", None),
                ItemState::Saving { .. } => (0, 0, "saving", None),
                ItemState::Paused { .. } => (0, 0, "paused", None),
            };
            let info = i.saved.as_ref();
            ProductRow {
                product_id: i.product_id.clone(),
                platform: i.platform.clone(),
                title: info.and_then(|s| s.title.clone()),
                shop: info.and_then(|s| s.shop.clone()),
                page_url: i.url.clone(),
                files_saved: saved,
                files_failed: failed,
                folder: info.map(|s| s.folder.clone()),
                state,
                reason,
            }
        })
        .collect();
    ProductsSummary {
        schema: PRODUCTS_SCHEMA,
        products,
    }
}

/// `products.json`.
pub fn products_json(s: &ProductsSummary) -> String {
    let mut out = serde_json::to_string_pretty(s).unwrap_or_default();
    out.push('\n');
    out
}

/// `products.csv`: a header row, then one row per product (UTF-8 with a BOM,
/// fields quoted as in `product.csv`).
pub fn products_csv(s: &ProductsSummary) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(
        "product_id,platform,title,shop,page_url,files_saved,files_failed,folder,state,reason\r\n",
    );
    for p in &s.products {
        let (saved, failed) = (p.files_saved.to_string(), p.files_failed.to_string());
        let row = [
            p.product_id.as_str(),
            p.platform.as_str(),
            p.title.as_deref().unwrap_or(""),
            p.shop.as_deref().unwrap_or(""),
            p.page_url.as_str(),
            saved.as_str(),
            failed.as_str(),
            p.folder.as_deref().unwrap_or(""),
            p.state,
            p.reason.as_deref().unwrap_or(""),
        ];
        let row: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Schema identifier written into every `reviews.json` (issue #15).
pub const REVIEWS_SCHEMA: &str = "alisavepro.reviews/1";

pub use crate::reviews::{ReviewFileRow, ReviewRow};

/// `reviews.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewsManifest {
    pub schema: &'static str,
    pub product_id: String,
    pub platform: String,
    pub reviews: Vec<ReviewRow>,
}

/// The rows of the reviews whose photos are in `files` (in the files' order),
/// with the paths relative to `folder` (where `reviews.json` is written, the
/// product's `reviews` folder), every file `pending`: what a review batch
/// carries until it ends.
pub fn review_rows(
    reviews: &[crate::reviews::Review],
    files: &[crate::reviews::ReviewFile],
    folder: &str,
) -> Vec<ReviewRow> {
    let prefix = format!("{folder}/");
    let mut rows: Vec<(usize, ReviewRow)> = Vec::new();
    for f in files {
        let Some(r) = reviews.get(f.review) else {
            continue;
        };
        let file = ReviewFileRow {
            file: f.path.strip_prefix(&prefix).unwrap_or(&f.path).to_string(),
            status: "pending".into(),
            note: None,
        };
        if let Some((_, row)) = rows.iter_mut().find(|(i, _)| *i == f.review) {
            row.files.push(file);
            continue;
        }
        rows.push((
            f.review,
            ReviewRow {
                review_id: r.id.clone(),
                date: if r.date.is_empty() {
                    r.date_text.clone()
                } else {
                    r.date.clone()
                },
                country: r.country.clone(),
                stars: r.stars,
                variant: r.variant.clone(),
                text: r.text.clone(),
                followup_date: r.followup_date.clone(),
                followup_text: r.followup_text.clone(),
                helpful: r.helpful,
                files: vec![file],
            },
        ));
    }
    rows.into_iter().map(|(_, r)| r).collect()
}

/// `reviews.json` of a review batch (`None` for any other batch): its rows,
/// each file `saved` or `failed` with the reason (said with `look`) as its
/// job ended (the job of `<batch folder>/<file>`), `pending` while it runs.
pub fn reviews_manifest(batch: &Batch, look: Lookup<'_>) -> Option<ReviewsManifest> {
    let mut rows = batch.reviews.clone()?;
    for f in rows.iter_mut().flat_map(|r| r.files.iter_mut()) {
        let path = format!("{}/{}", batch.folder, f.file);
        let job = batch.jobs.iter().find(|j| j.path == path);
        let (status, note) = match job.map(|j| &j.state) {
            Some(JobState::Done) => ("saved", None),
            Some(JobState::Failed { reason }) => ("failed", Some(reason.render(look))),
            _ => ("pending", None),
        };
        f.status = status.into();
        f.note = note;
    }
    Some(ReviewsManifest {
        schema: REVIEWS_SCHEMA,
        product_id: batch.product.id.clone(),
        platform: batch.product.platform.clone(),
        reviews: rows,
    })
}

/// The text files a finished batch of separate files writes, as (path relative
/// to the download directory, text, MIME type): `reviews.json`/`.csv` in a
/// review batch's folder, else `product.json`/`.csv` in the product folder when
/// the batch asks for them. Nothing when no file was saved.
pub fn manifest_files(batch: &Batch, look: Lookup<'_>) -> Vec<(String, String, &'static str)> {
    if !batch.jobs.iter().any(|j| j.state == JobState::Done) {
        return Vec::new();
    }
    let pair = |dir: &str, stem: &str, json: String, csv: String| {
        vec![
            (format!("{dir}/{stem}.json"), json, "application/json"),
            (format!("{dir}/{stem}.csv"), csv, "text/csv"),
        ]
    };
    if let Some(m) = reviews_manifest(batch, look) {
        return pair(&batch.folder, "reviews", reviews_json(&m), reviews_csv(&m));
    }
    if !batch.manifest {
        return Vec::new();
    }
    let m = manifest(batch, &batch.product_folder, look);
    pair(
        &batch.product_folder,
        "product",
        manifest_json(&m),
        manifest_csv(&m),
    )
}

/// `reviews.json`.
pub fn reviews_json(m: &ReviewsManifest) -> String {
    let mut out = serde_json::to_string_pretty(m).unwrap_or_default();
    out.push('\n');
    out
}

/// `reviews.csv`: a header row, then one row per review (UTF-8 with a BOM,
/// fields quoted as in `product.csv`): `files` the saved ones joined by ` | `,
/// `failed` the others as `<file>: <reason>` joined by ` | `.
pub fn reviews_csv(m: &ReviewsManifest) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(
        "review_id,date,country,stars,variant,text,followup_date,followup_text,helpful,files,failed\r\n",
    );
    for r in &m.reviews {
        let (saved, failed): (Vec<&ReviewFileRow>, Vec<&ReviewFileRow>) =
            r.files.iter().partition(|f| f.status == "saved");
        let saved: Vec<&str> = saved.iter().map(|f| f.file.as_str()).collect();
        let failed: Vec<String> = failed
            .iter()
            .map(|f| match &f.note {
                Some(n) => format!("{}: {n}", f.file),
                None => format!("{}: {}", f.file, f.status),
            })
            .collect();
        let (stars, helpful, saved, failed) = (
            r.stars.to_string(),
            r.helpful.to_string(),
            saved.join(" | "),
            failed.join(" | "),
        );
        let row = [
            r.review_id.as_str(),
            r.date.as_str(),
            r.country.as_str(),
            stars.as_str(),
            r.variant.as_str(),
            r.text.as_str(),
            r.followup_date.as_str(),
            r.followup_text.as_str(),
            helpful.as_str(),
            saved.as_str(),
            failed.as_str(),
        ];
        let row: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// `report.txt` inside a ZIP: the final report, then every file with its
/// status (`saved`/`failed`, as in `product.csv`) and note.
pub fn report_text(m: &Manifest, summary: &str, look: Lookup<'_>) -> String {
    let mut out = format!(
        "AliSavePro — {}\n{}\n{}\n\n{}\n\n",
        m.title.as_deref().unwrap_or(&m.product_id),
        m.page_url,
        tf("report_txt_saved_at", &[m.saved_at.as_str().into()]).render(look),
        summary
    );
    for f in &m.files {
        out.push_str(&format!("{:<7} {}", f.status, f.file));
        if let Some(n) = &f.note {
            out.push_str(&format!(" — {n}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_764_475_506_000.0), "2025-11-30T04:05:06Z");
        assert_eq!(iso_utc(951_782_400_000.0), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(f64::NAN), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "'-5");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn reviews_rows_group_files_and_guard_text() {
        use crate::reviews::{Review, ReviewFile};
        let reviews = vec![
            Review {
                id: "50197810292797653".into(),
                date_text: "someday".into(),
                stars: 5,
                text: "=cmd|' /C calc'!A0, \"great\"".into(),
                ..Review::default()
            },
            Review {
                id: "2".into(),
                date: "2025-11-22".into(),
                ..Review::default()
            },
        ];
        let file = |review: usize, path: &str| ReviewFile {
            url: format!("https://ae01.alicdn.com/kf/{review}{}.jpg", path.len()),
            path: path.into(),
            review,
            review_id: reviews
                .get(review)
                .map(|r| r.id.clone())
                .unwrap_or_default(),
            variant: String::new(),
            stars: 0,
            video: false,
            followup: false,
        };
        let files = [
            file(1, "F/reviews/review-01.jpg"),
            file(0, "F/reviews/Black/review-02.jpg"),
            file(1, "F/reviews/review-03.jpg"),
            file(9, "F/reviews/review-04.jpg"),
        ];
        let rows = review_rows(&reviews, &files, "F/reviews");
        type Row<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
        let got: Vec<Row> = rows
            .iter()
            .map(|r| {
                (
                    r.review_id.as_str(),
                    r.date.as_str(),
                    r.files
                        .iter()
                        .map(|f| (f.file.as_str(), f.status.as_str()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2",
                    "2025-11-22",
                    vec![("review-01.jpg", "pending"), ("review-03.jpg", "pending")]
                ),
                (
                    "50197810292797653",
                    "someday",
                    vec![("Black/review-02.jpg", "pending")]
                ),
            ]
        );

        // The batch of those files: the rows get each file's outcome when it ends.
        let planned = files[..3].iter().map(ReviewFile::planned).collect();
        let product = crate::engine::ProductInfo {
            platform: "aliexpress".into(),
            id: "1".into(),
            ..Default::default()
        };
        let mut batch = Batch::new("b".into(), 1, "F/reviews".into(), product, planned, 0.0);
        batch.product_folder = "F".into();
        assert!(
            reviews_manifest(&batch, &|_, _| None).is_none(),
            "not a review batch"
        );
        batch.reviews = Some(rows);
        batch.manifest = false;
        assert!(
            manifest_files(&batch, &|_, _| None).is_empty(),
            "nothing saved yet"
        );
        batch.jobs[0].state = JobState::Done;
        batch.jobs[1].state = JobState::Done;
        batch.jobs[2].state = JobState::Failed {
            reason: crate::say::t("why_not_found"),
        };
        let look = |key: &str, _: &[&str]| {
            (key == "why_not_found").then(|| "not found on the server (HTTP 404)".to_string())
        };
        let written = manifest_files(&batch, &look);
        let names: Vec<&str> = written.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(names, ["F/reviews/reviews.json", "F/reviews/reviews.csv"]);
        let m = reviews_manifest(&batch, &look).expect("a review batch");
        assert_eq!(m.product_id, "1");
        let outcome: Vec<(&str, &str, Option<&str>)> = m
            .reviews
            .iter()
            .flat_map(|r| &r.files)
            .map(|f| (f.file.as_str(), f.status.as_str(), f.note.as_deref()))
            .collect();
        assert_eq!(
            outcome,
            [
                ("review-01.jpg", "saved", None),
                (
                    "review-03.jpg",
                    "failed",
                    Some("not found on the server (HTTP 404)")
                ),
                ("Black/review-02.jpg", "saved", None),
            ]
        );
        let json = reviews_json(&m);
        assert!(json.contains("\"review_id\": \"50197810292797653\""));
        assert!(json.contains("\"status\": \"failed\""), "{json}");
        let csv = reviews_csv(&m);
        assert!(csv.contains(",helpful,files,failed\r\n"), "{csv}");
        assert!(
            csv.contains(",review-01.jpg,review-03.jpg: not found on the server (HTTP 404)\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("\"'=cmd|' /C calc'!A0, \"\"great\"\"\""),
            "{csv}"
        );
    }

    #[test]
    fn a_product_batch_writes_product_files_only_when_asked() {
        let mut b = crate::engine::sample_batch("b", 1, "p", 0.0, 2);
        b.product_folder = b.folder.clone();
        b.jobs[0].state = JobState::Done;
        assert!(manifest_files(&b, &|_, _| None).is_empty(), "manifest off");
        b.manifest = true;
        let names: Vec<String> = manifest_files(&b, &|_, _| None)
            .into_iter()
            .map(|(p, _, _)| p)
            .collect();
        assert_eq!(
            names,
            [
                format!("{}/product.json", b.folder),
                format!("{}/product.csv", b.folder)
            ]
        );
    }
}
