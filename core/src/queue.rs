//! A list of product links to save one after another (issue #14, the queue):
//! the text a user pastes or the text/CSV file they drop, read into the
//! products to open and the lines left out, each with its reason.
//!
//! Rules: every line is read; in a CSV line each cell is tried (quoted cells
//! too), so an export with a title column still works. A link without a scheme
//! (`www.aliexpress.com/item/…`) is read as `https://`. Only product pages of
//! the supported shops are kept ([`crate::url::product_page`]). The same
//! product on another subdomain of its shop (`de.` and `www.aliexpress.com`,
//! `.us`) is the same product: the first line keeps it, later ones are left
//! out as duplicates. Empty lines are skipped silently; a line with no link
//! (a header row) is left out, said so.

use crate::say::{t, tf, Say};
use crate::url::product_page;
use crate::Platform;

/// Most products one list holds; further lines are left out, said so.
pub const MAX_LINKS: usize = 500;

/// Longest line looked at (longer: not a link).
const MAX_LINE: usize = 8192;

/// A product to open and save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedProduct {
    /// The link as the user gave it (with `https://` when it had no scheme).
    pub url: String,
    pub platform: Platform,
    pub product_id: String,
    /// Its line in the list (1-based).
    pub line: usize,
}

/// A line left out of the queue, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOut {
    pub line: usize,
    /// The line's text (shortened to 200 characters).
    pub text: String,
    pub reason: Say,
}

/// What a list holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Links {
    pub products: Vec<QueuedProduct>,
    pub left_out: Vec<LeftOut>,
}

/// Reads a pasted list or a dropped text/CSV file.
pub fn parse_links(text: &str) -> Links {
    let mut out = Links::default();
    // The same product is the same platform and id, whatever the subdomain.
    let mut seen: Vec<(Platform, String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        let left = |reason: Say| LeftOut {
            line,
            text: trimmed.chars().take(200).collect(),
            reason,
        };
        if trimmed.len() > MAX_LINE {
            out.left_out.push(left(t("queue_not_link")));
            continue;
        }
        let links: Vec<String> = cells(trimmed).filter_map(as_link).collect();
        if links.is_empty() {
            out.left_out.push(left(t("queue_not_link")));
            continue;
        }
        let Some((url, page)) = links
            .iter()
            .find_map(|u| product_page(u).map(|p| (u.clone(), p)))
        else {
            let reason = if links.iter().any(|u| is_shop_link(u)) {
                t("queue_not_product")
            } else {
                t("queue_not_shop")
            };
            out.left_out.push(left(reason));
            continue;
        };
        if let Some((_, _, at)) = seen
            .iter()
            .find(|(p, id, _)| *p == page.platform && *id == page.product_id)
        {
            out.left_out
                .push(left(tf("queue_duplicate", &[(*at as u32).into()])));
            continue;
        }
        if out.products.len() >= MAX_LINKS {
            out.left_out
                .push(left(tf("queue_too_many", &[(MAX_LINKS as u32).into()])));
            continue;
        }
        seen.push((page.platform, page.product_id.clone(), line));
        out.products.push(QueuedProduct {
            url,
            platform: page.platform,
            product_id: page.product_id,
            line,
        });
    }
    out
}

/// The cells of a CSV/TSV line (`,`, `;` or tab), quotes removed; a line
/// without separators is one cell.
fn cells(line: &str) -> impl Iterator<Item = &str> {
    line.split([',', ';', '\t'])
        .map(|c| c.trim().trim_matches('"').trim())
        .filter(|c| !c.is_empty())
}

/// A cell that is a web link: `http(s)://…`, or a host-first link of a shop.
fn as_link(cell: &str) -> Option<String> {
    let lower = cell.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Some(cell.to_string());
    }
    let host = lower.split('/').next().unwrap_or_default();
    let shop_host = [
        "aliexpress.com",
        "aliexpress.us",
        "aliexpress.ru",
        "alibaba.com",
    ]
    .iter()
    .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    (shop_host && cell.contains('/')).then(|| format!("https://{cell}"))
}

/// Whether a link is on one of the shops (a page that is not a product).
fn is_shop_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    [
        "aliexpress.com",
        "aliexpress.us",
        "aliexpress.ru",
        "alibaba.com",
    ]
    .iter()
    .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_pasted_list_keeps_product_pages_once_and_says_why_of_the_rest() {
        let text = "\
https://www.aliexpress.com/item/1005004787627817.html
  de.aliexpress.com/item/1005004787627817.html?spm=x  

https://www.alibaba.com/product-detail/Water-Bottle_1600000000001.html
https://aliexpress.ru/item/1005008195850531.html
https://www.aliexpress.com/store/912345
https://example.org/item/1.html
just some words
https://he.aliexpress.com/item/32993251330.html#reviews
";
        let got = parse_links(text);
        let ids: Vec<(usize, &str)> = got
            .products
            .iter()
            .map(|p| (p.line, p.product_id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                (1, "1005004787627817"),
                (4, "1600000000001"),
                (5, "1005008195850531"),
                (9, "32993251330")
            ]
        );
        assert_eq!(got.products[2].platform, Platform::AliExpressRu);
        let left: Vec<(usize, String)> = got
            .left_out
            .iter()
            .map(|l| (l.line, l.reason.english()))
            .collect();
        assert_eq!(
            left,
            [
                (2, "the same product as line 1".to_string()),
                (6, "not a product page".to_string()),
                (7, "not an AliExpress or Alibaba page".to_string()),
                (8, "not a link".to_string()),
            ]
        );
    }

    #[test]
    fn a_csv_export_with_a_header_and_quoted_cells() {
        let csv = "\u{feff}title;url;price\n\"Bottle, blue\";\"https://www.alibaba.com/product-detail/B_1600000000002.html\";3.5\nLamp\thttps://aliexpress.us/item/1005000000000001.html\t9\n";
        let got = parse_links(csv);
        assert_eq!(got.products.len(), 2);
        assert_eq!(got.products[0].product_id, "1600000000002");
        assert_eq!(
            got.products[1].url,
            "https://aliexpress.us/item/1005000000000001.html"
        );
        assert_eq!(got.left_out.len(), 1, "the header row");
        assert_eq!(got.left_out[0].line, 1);
    }

    #[test]
    fn a_list_longer_than_the_limit_keeps_the_first_products() {
        let text: String = (0..MAX_LINKS + 3)
            .map(|i| {
                format!(
                    "https://www.aliexpress.com/item/{}.html\n",
                    1_005_000_000_000_000u64 + i as u64
                )
            })
            .collect();
        let got = parse_links(&text);
        assert_eq!(got.products.len(), MAX_LINKS);
        assert_eq!(got.left_out.len(), 3);
        assert_eq!(
            got.left_out[0].reason.english(),
            format!("more than {MAX_LINKS} links: left for another list")
        );
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            "\u{0}\u{1}",
            "https://",
            "aliexpress.com",
            &"x".repeat(20_000),
            "https://www.aliexpress.com/item/.html",
            ";;;,,,\t\t",
        ] {
            let got = parse_links(text);
            assert!(got.products.is_empty(), "{text:?}");
        }
    }
}
