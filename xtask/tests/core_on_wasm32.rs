//! The pure crate's unit tests also run on wasm32 (`cargo xtask test`), where the
//! worker and the content script run it with a 32-bit `usize`. A test module
//! runs there only when it takes wasm-bindgen-test's attribute for `#[test]`;
//! this check keeps a new module from being skipped there silently.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_core_test_module_also_runs_on_wasm32() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut missing = Vec::new();
    let mut modules = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable source");
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let t = line.trim();
            if !(t.starts_with("mod ") && t.ends_with('{')) {
                continue;
            }
            // A module whose body has #[test]s up to its first nested item.
            let body: Vec<&str> = lines[n + 1..]
                .iter()
                .take_while(|l| !l.trim_start().starts_with("mod "))
                .copied()
                .collect();
            if !body.iter().any(|l| l.trim() == "#[test]") {
                continue;
            }
            modules += 1;
            let has = body
                .iter()
                .any(|l| l.contains("use wasm_bindgen_test::wasm_bindgen_test as test;"));
            if !has {
                missing.push(format!("{}:{}", f.display(), n + 1));
            }
        }
    }
    assert!(modules >= 10, "found only {modules} test modules");
    assert!(
        missing.is_empty(),
        "test modules that would not run on wasm32: {missing:?}"
    );
}
