//! Native extraction timing for `cargo xtask bench` (recorded, never asserted).
//!
//! Usage: `cargo run --release -p alisave-core --example bench_extract -- RUNS URL=FILE...`
//! Prints one JSON object per page: {"url", "bytes", "median_ms", "min_ms",
//! "gb_per_s" (bytes / median), "items"}. The minimum is the steadier figure
//! on a shared machine.

use alisave_core::extract::{extract, PageInput};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(21);
    for spec in args {
        let Some((url, file)) = spec.split_once('=') else {
            eprintln!("expected URL=FILE, got {spec}");
            std::process::exit(2);
        };
        let html = match std::fs::read(file) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                eprintln!("{file}: {e}");
                std::process::exit(2);
            }
        };
        let mut times = Vec::with_capacity(runs);
        let mut items = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let inv = extract(&PageInput {
                url,
                html: &html,
                documents: &[],
            });
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            items = inv.items.len();
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let median = times[times.len() / 2];
        let min = times.first().copied().unwrap_or(0.0);
        let gbps = html.len() as f64 / (median / 1000.0) / 1e9;
        println!(
            "{{\"url\":{:?},\"bytes\":{},\"median_ms\":{median:.4},\"min_ms\":{min:.4},\"gb_per_s\":{gbps:.3},\"items\":{items}}}",
            url,
            html.len()
        );
    }
}
