//! Tidy test: `alisave-core` is layered. Each top-level module of `core/src`
//! uses only modules of lower layers (the list below, bottom first), so there
//! is no import cycle and each layer can be read, tested and changed knowing
//! only what lies below it. A new module must be placed in a layer here; a
//! `crate::` use that reaches up or sideways fails with the edge named.
//!
//! What counts as a use: every `crate::<module>` path and `use crate::{…}`
//! list in code, the crate root's re-exports (`crate::MediaKind`, …) counted
//! as their module. Comments and `#[cfg(test)]` items are not code the crate
//! ships: tests may use any module to build their fixtures.
//!
//! Written by hand: a line scanner over our own sources is all this needs
//! (rust-analyzer keeps tidy tests of this kind in the same way).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may use modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    // Message keys and sentences; the ZIP writer (bytes only); which extension
    // page a document is.
    &["say", "zip", "pages"],
    // What a page offers (media items, warnings); why a fetch failed.
    &["inventory", "fetch"],
    // URL rules of the shops' CDNs; file naming rules (templates, safe names).
    &["url", "filename"],
    // Media bytes (type, animation, original check, conversion); extraction;
    // a list of product links (the queue's input).
    &["media", "extract", "queue"],
    // The user's settings.
    &["settings"],
    // The download plan; page views and their shop documents.
    &["plan", "page_view"],
    // Buyer review photos (reading the shops' answers, filters, names, the
    // paging rule, which reads refusals with page_view's rules; the rows of
    // reviews.json a review batch carries).
    &["reviews"],
    // The download engine (batches, jobs, adoption, the saver's rules).
    &["engine"],
    // product.json/csv and report.txt; the messages between the parts.
    &["manifest", "protocol"],
    // The popup's view of a tab; the content script's side of the protocol,
    // without serde (the same wire format, over JS objects).
    &["popup_view", "content_wire"],
    // The two settings the in-page button reads.
    &["button_settings"],
];

/// The crate root's re-exports, by the module that defines them.
const REEXPORTS: &[(&str, &str)] = &[
    ("Inventory", "inventory"),
    ("MediaItem", "inventory"),
    ("MediaKind", "inventory"),
    ("Platform", "inventory"),
    ("Variant", "inventory"),
    ("Warning", "inventory"),
];

fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("core/src is readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments and without `#[cfg(test)]` items.
fn shipped_code(src: &str) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line == "#[cfg(test)]" {
            // Skip the item that follows: to its closing brace, or its `;`.
            let mut depth: i64 = 0;
            let mut opened = false;
            i += 1;
            while i < lines.len() {
                let l = strip_comment(lines[i]);
                depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
                opened |= l.contains('{');
                i += 1;
                if (opened && depth <= 0) || (!opened && l.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push_str(strip_comment(lines[i]));
        out.push('\n');
        i += 1;
    }
    out
}

/// A line without its `//` comment (`//` inside a string is rare enough in
/// paths we look for; a URL's `//` cuts only text after it).
fn strip_comment(line: &str) -> &str {
    match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    }
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The modules a piece of code uses through `crate::`.
fn uses(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let resolve = |name: &str| -> Option<String> {
        if modules.contains(name) {
            return Some(name.to_string());
        }
        REEXPORTS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.to_string())
    };
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            for name in list[..end].split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if let Some(m) = resolve(name) {
                    found.insert(m);
                }
            }
        } else if let Some(m) = resolve(ident_at(rest)) {
            found.insert(m);
        }
    }
    found
}

/// Module → modules it uses, for every top-level module of `core/src`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = core_src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let module_of = |p: &Path| -> Option<String> {
        let rel = p.strip_prefix(&root).ok()?;
        let first = rel.components().next()?.as_os_str().to_str()?;
        (first != "lib.rs").then(|| first.trim_end_matches(".rs").to_string())
    };
    let modules: BTreeSet<String> = files.iter().filter_map(|p| module_of(p)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(m) = module_of(f) else { continue };
        let src = std::fs::read_to_string(f).expect("readable source");
        let mut deps = uses(&shipped_code(&src), &modules);
        deps.remove(&m);
        g.entry(m).or_default().extend(deps);
    }
    g
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn every_core_module_uses_only_lower_layers() {
    let g = graph();
    let mut problems = Vec::new();
    for (m, deps) in &g {
        let Some(lm) = layer_of(m) else {
            problems.push(format!("core/src/{m}: not in a layer (add it to LAYERS)"));
            continue;
        };
        for d in deps {
            match layer_of(d) {
                Some(ld) if ld < lm => {}
                Some(_) => problems.push(format!(
                    "{m} (layer {lm}) uses {d} (layer {}): a use up or sideways",
                    layer_of(d).unwrap_or_default()
                )),
                None => problems.push(format!("{m} uses {d}, which is not in a layer")),
            }
        }
    }
    for layer in LAYERS {
        for m in *layer {
            if !g.contains_key(*m) {
                problems.push(format!("LAYERS names {m}, which core/src does not have"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The scanner itself: it sees `crate::` paths and lists, follows the root's
/// re-exports, and leaves comments and test items out.
#[test]
fn the_scanner_reads_uses_as_the_compiler_would() {
    let modules: BTreeSet<String> = ["say", "engine", "inventory"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let code = shipped_code(
        "use crate::say::{t, Say};\nuse crate::{MediaKind, Warning};\n\
         // crate::engine in a comment\nfn f() { crate::engine::x(); }\n\
         #[cfg(test)]\nmod tests {\n    use crate::protocol::X;\n    fn g() {}\n}\n",
    );
    let found: Vec<String> = uses(&code, &modules).into_iter().collect();
    assert_eq!(found, ["engine", "inventory", "say"]);
    let no_tests = shipped_code("#[cfg(test)]\nuse crate::engine::Batch;\nfn f() {}\n");
    assert!(uses(&no_tests, &modules).is_empty());
}
