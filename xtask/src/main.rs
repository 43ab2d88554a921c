//! Build, demo, test and benchmark tasks of AliSavePro.
//!
//! `cargo xtask demo`  installs what is missing, builds `dist/`, and saves the
//!                     bundled sample product's media with the real extension.
//! `cargo xtask test`  installs what is missing, builds, and runs every test.
//! Also: `setup`, `build`, `bench`. See README.md.

mod fuzz;
mod package;
mod sizes;
mod tools;
mod wasm;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let rest = &args[args.len().min(1)..];
    let result = match task {
        "setup" => tools::setup(&root()).map(|_| ()),
        "build" => tools::setup(&root()).and_then(|env| build(&root(), &env)),
        "demo" => tools::setup(&root()).and_then(|env| {
            build(&root(), &env)?;
            demo(&root(), &env, rest)
        }),
        "test" => tools::setup(&root()).and_then(|env| test(&root(), &env)),
        "bench" => tools::setup(&root()).and_then(|env| bench(&root(), &env)),
        "sizes" => tools::setup(&root()).and_then(|env| sizes(&root(), &env)),
        "package" => tools::setup(&root()).and_then(|env| {
            build(&root(), &env)?;
            let zip = package::package(&root())?;
            println!("{}", zip.display());
            Ok(())
        }),
        "fuzz" => {
            let seconds = rest.first().and_then(|s| s.parse().ok()).unwrap_or(60);
            fuzz::run(&root(), seconds).map(|lines| {
                for l in lines {
                    println!("{l}");
                }
            })
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | build | demo [OUT_DIR] | test | bench | sizes | package | fuzz [SECONDS]>"
            );
            return if task == "help" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// Runs a command, failing with its name when it fails.
pub fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Runs a command and returns its standard output.
pub fn output(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{shown} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)
                .map_err(|e| format!("{} -> {}: {e}", entry.path().display(), dest.display()))?;
        }
    }
    Ok(())
}

fn step(name: &str) -> Instant {
    eprintln!("==> {name}");
    Instant::now()
}

/// Builds the extension into `dist/` (load-unpacked ready).
pub fn build(root: &Path, env: &tools::Env) -> Result {
    let t0 = Instant::now();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    // Assembled aside and swapped in at the end: a failed build leaves the last
    // good dist/ in place.
    let dist = target.join("dist-staging");
    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    }
    std::fs::create_dir_all(dist.join("content")).map_err(|e| e.to_string())?;

    // Service worker: real wasm (extension pages and workers allow
    // 'wasm-unsafe-eval').
    let t = step("background (cargo + wasm-bindgen + wasm-opt)");
    run(env.cmd("cargo").current_dir(root).args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "background",
    ]))?;
    run(env
        .cmd("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(dist.join("background"))
        .arg(target.join("wasm32-unknown-unknown/release/background.wasm")))?;
    let wasm = dist.join("background/background_bg.wasm");
    run(env
        .cmd("wasm-opt")
        .arg("-Oz")
        .arg(&wasm)
        .arg("-o")
        .arg(&wasm))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());

    // Content script: Rust -> wasm -> JS (wasm2js), one classic script.
    let t = step("content (cargo without reference-types + wasm-bindgen + wasm2js + esbuild)");
    let ctarget = target.join("content-js");
    run(env
        .cmd("cargo")
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &ctarget)
        // At cfg level this makes wasm-bindgen keep JS values in its JS heap
        // instead of an externref table, which wasm2js cannot express.
        .env(
            "RUSTFLAGS",
            "-C target-feature=-reference-types,-multivalue",
        )
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "content",
        ]))?;
    let raw = std::fs::read(ctarget.join("wasm32-unknown-unknown/release/content.wasm"))
        .map_err(|e| format!("content.wasm: {e}"))?;
    let stripped = wasm::strip_target_features(&raw, &["reference-types", "multivalue"])?;
    let work = ctarget.join("js");
    if work.exists() {
        std::fs::remove_dir_all(&work).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let stripped_path = work.join("content.wasm");
    std::fs::write(&stripped_path, stripped).map_err(|e| e.to_string())?;
    let bindgen = work.join("bindgen");
    run(env
        .cmd("wasm-bindgen")
        .args([
            "--target",
            "bundler",
            "--no-typescript",
            "--out-name",
            "content",
            "--out-dir",
        ])
        .arg(&bindgen)
        .arg(&stripped_path))?;
    let opt = work.join("content.opt.wasm");
    run(env
        .cmd("wasm-opt")
        // wasm2js cannot express the saturating float-to-int instructions rustc
        // emits; binaryen lowers them to checked conversions first.
        .args(["--llvm-nontrapping-fptoint-lowering", "-Oz"])
        .arg(bindgen.join("content_bg.wasm"))
        .arg("-o")
        .arg(&opt))?;
    let js_module = bindgen.join("content_bg.wasm.js");
    run(env
        .cmd("wasm2js")
        .arg("-Oz")
        .arg(&opt)
        .arg("-o")
        .arg(&js_module))?;
    patch_wasm2js_memory(&js_module)?;
    bind_wasm2js_imports(&js_module)?;
    let entry = bindgen.join("content.js");
    let glue = std::fs::read_to_string(&entry).map_err(|e| e.to_string())?;
    let glue = glue.replace("\"./content_bg.wasm\"", "\"./content_bg.wasm.js\"");
    if !glue.contains("./content_bg.wasm.js") {
        return Err("unexpected wasm-bindgen glue: no import of ./content_bg.wasm".into());
    }
    std::fs::write(&entry, glue).map_err(|e| e.to_string())?;
    run(env
        .cmd("esbuild")
        .arg(&entry)
        .args([
            "--bundle",
            "--format=iife",
            "--target=chrome120",
            "--legal-comments=none",
            "--minify",
            "--log-level=warning",
        ])
        .arg(format!(
            "--outfile={}",
            dist.join("content/content.js").display()
        )))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());

    // The extension pages' one module (popup, options, queue, saver; Leptos CSR),
    // built by trunk from the popup's page (Trunk.toml); the other pages are
    // static HTML that load it (static/).
    let t = step("extension pages (trunk)");
    let out = target.join("trunk").join("pages");
    run(env
        .cmd("trunk")
        .current_dir(root)
        .args(["build", "--release", "--config", "Trunk.toml", "--dist"])
        .arg(&out)
        .arg("popup/index.html"))?;
    for file in ["pages.js", "pages_bg.wasm", "popup_init.js"] {
        std::fs::copy(out.join(file), dist.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    std::fs::copy(out.join("index.html"), dist.join("popup.html"))
        .map_err(|e| format!("popup.html: {e}"))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());

    std::fs::copy(root.join("manifest.json"), dist.join("manifest.json"))
        .map_err(|e| e.to_string())?;
    copy_dir(&root.join("static"), &dist)?;
    let final_dist = root.join("dist");
    if final_dist.exists() {
        std::fs::remove_dir_all(&final_dist)
            .map_err(|e| format!("{}: {e}", final_dist.display()))?;
    }
    if std::fs::rename(&dist, &final_dist).is_err() {
        // Different file systems (a CARGO_TARGET_DIR elsewhere): copy instead.
        copy_dir(&dist, &final_dist)?;
        std::fs::remove_dir_all(&dist).map_err(|e| e.to_string())?;
    }
    eprintln!(
        "==> built {} in {:.1} s",
        final_dist.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// wasm2js's `memory.grow` does not detach the old ArrayBuffer, so wasm-bindgen's
/// cached views keep reading stale memory (every dynamic string arrives empty).
/// Detaching the old buffer on growth restores real wasm semantics.
fn patch_wasm2js_memory(path: &Path) -> Result {
    let js = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let needle = "buffer = newBuffer;";
    let count = js.matches(needle).count();
    if count != 1 {
        return Err(format!(
            "wasm2js output changed: expected one '{needle}', found {count}"
        ));
    }
    let patched = js.replace(
        needle,
        "if (buffer.transfer) buffer.transfer(0);\n    buffer = newBuffer;",
    );
    std::fs::write(path, patched).map_err(|e| e.to_string())
}

/// wasm2js hands the module's imports over as one namespace object
/// (`imports["./content_bg.js"]`), so the bundle keeps every import's long hashed
/// name (`__wbg_getMessage_0055ac778bf6d8d6`) twice, as property names. Imported
/// by name instead, they are bindings esbuild renames: about 9 KB of the content
/// script, 3 KB gzipped (BENCHMARKS.md).
fn bind_wasm2js_imports(path: &Path) -> Result {
    let js = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let changed = || format!("wasm2js output changed: {}", path.display());
    let namespace = "import * as $_content_bg_js from './content_bg.js';";
    let lookup = " var $_content_bg_js = imports[\"./content_bg.js\"];\n";
    let handed = "  \"./content_bg.js\": $_content_bg_js,\n";
    for marker in [namespace, lookup, handed] {
        if js.matches(marker).count() != 1 {
            return Err(format!("{}: expected one {marker:?}", changed()));
        }
    }
    let mut names = Vec::new();
    let mut out = String::with_capacity(js.len());
    for line in js.split_inclusive('\n') {
        let import = line
            .strip_prefix(" var fimport$")
            .and_then(|rest| rest.split_once(" = $_content_bg_js."))
            .and_then(|(n, name)| Some((n, name.strip_suffix(";\n")?)));
        match import {
            Some((n, name)) => {
                out.push_str(&format!(" var fimport${n} = {name};\n"));
                names.push(name);
            }
            None => out.push_str(line),
        }
    }
    if names.is_empty() {
        return Err(format!("{}: no imports found", changed()));
    }
    let out = out
        .replace(
            namespace,
            &format!("import {{ {} }} from './content_bg.js';", names.join(", ")),
        )
        .replace(lookup, "")
        .replace(handed, "");
    if out.contains("$_content_bg_js") {
        return Err(format!("{}: the import namespace is still used", changed()));
    }
    std::fs::write(path, out).map_err(|e| e.to_string())
}

fn demo(root: &Path, env: &tools::Env, rest: &[String]) -> Result {
    let out = rest
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("demo-output"));
    run(env
        .cmd("node")
        .current_dir(root)
        .arg("tests/e2e/demo.mjs")
        .arg(out))
}

fn test(root: &Path, env: &tools::Env) -> Result {
    // Build first: the native tests also check the built dist/ against the sources.
    build(root, env)?;
    let t = step("unit tests (cargo test)");
    run(env
        .cmd("cargo")
        .current_dir(root)
        .args(["test", "-p", "alisave-core", "-p", "xtask"]))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());
    // The fuzz targets' seeds and the saved crash inputs, replayed on stable
    // (the fuzz crate is a workspace of its own).
    let t = step("fuzz seeds and crash inputs replayed (cargo test, fuzz/)");
    run(env
        .cmd("cargo")
        .current_dir(root)
        .args(["test", "--manifest-path", "fuzz/Cargo.toml"]))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());
    // The pure crate also runs in the worker and the content script, where
    // `usize` is 32 bits: its unit tests run there too (wasm-bindgen-test-runner,
    // installed with wasm-bindgen-cli, runs them under node).
    let t = step("core unit tests on wasm32 (wasm-bindgen-test-runner, node)");
    run(env
        .cmd("cargo")
        .current_dir(root)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .args([
            "test",
            "-p",
            "alisave-core",
            "--lib",
            "--target",
            tools::WASM_TARGET,
        ]))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());
    let t = step("end-to-end tests (node --test, Debian Chromium)");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/e2e"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    run(env
        .cmd("node")
        .current_dir(root)
        .args(["--test", "--test-concurrency=1"])
        .args(&files))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());
    // The README's screenshots come from the build just tested.
    let t = step("screenshots (popup and options, light and dark → docs/screenshots)");
    run(env
        .cmd("node")
        .current_dir(root)
        .arg("tests/e2e/screenshots.mjs"))?;
    eprintln!("    {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Measures build times (cold: an empty target directory; warm: nothing changed;
/// incremental: one content source touched), then runs the browser benchmark,
/// which also measures sizes and writes BENCHMARKS.md.
fn bench(root: &Path, env: &tools::Env) -> Result {
    let cold_dir =
        std::env::temp_dir().join(format!("alisave-bench-target-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cold_dir);
    let timed = |label: &str| -> Result<f64> {
        eprintln!("==> bench: {label} build");
        let t = Instant::now();
        build(root, env)?;
        Ok(t.elapsed().as_secs_f64())
    };
    std::env::set_var("CARGO_TARGET_DIR", &cold_dir);
    let times = (|| -> Result<(f64, f64, f64)> {
        let cold = timed("cold")?;
        let warm = timed("warm (no change)")?;
        let src = root.join("content/src/lib.rs");
        let text = std::fs::read_to_string(&src).map_err(|e| e.to_string())?;
        std::fs::write(&src, format!("{text}\n")).map_err(|e| e.to_string())?;
        let incremental = timed("incremental (content changed)");
        std::fs::write(&src, text).map_err(|e| e.to_string())?;
        Ok((cold, warm, incremental?))
    })();
    std::env::remove_var("CARGO_TARGET_DIR");
    let _ = std::fs::remove_dir_all(&cold_dir);
    let (cold, warm, incremental) = times?;
    run(env
        .cmd("node")
        .current_dir(root)
        .arg("tests/e2e/bench.mjs")
        .env("BENCH_BUILD_COLD_S", cold.to_string())
        .env("BENCH_BUILD_WARM_S", warm.to_string())
        .env("BENCH_BUILD_INCREMENTAL_S", incremental.to_string()))?;
    // Their own sections of BENCHMARKS.md (popup paint; ZIP writer and engine; queue).
    run(env
        .cmd("node")
        .current_dir(root)
        .arg("tests/e2e/bench-popup.mjs"))?;
    run(env
        .cmd("node")
        .current_dir(root)
        .arg("tests/e2e/bench-saving.mjs"))?;
    // Many products: the queue against one by one (issue #14).
    run(env
        .cmd("node")
        .current_dir(root)
        .arg("tests/e2e/bench-queue.mjs"))?;
    sizes(root, env)
}

/// Builds, then writes what each shipped wasm module is made of, by crate,
/// into its section of BENCHMARKS.md (see `sizes.rs`).
fn sizes(root: &Path, env: &tools::Env) -> Result {
    build(root, env)?;
    let target = root.join("target");
    let work = target.join("sizes");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let release = target.join("wasm32-unknown-unknown/release");
    // (module, cargo's output, wasm-bindgen target, extra wasm-opt flags, shipped file)
    let modules = [
        (
            "background",
            release.join("background.wasm"),
            "web",
            vec![],
            "background/background_bg.wasm",
        ),
        (
            "extension pages (popup, options, queue, saver)",
            release.join("pages.wasm"),
            "web",
            vec![],
            "pages_bg.wasm",
        ),
        (
            "content (before wasm2js)",
            target.join("content-js/js/content.wasm"),
            "bundler",
            vec!["--llvm-nontrapping-fptoint-lowering"],
            "content/content.js",
        ),
    ];
    let mut measured = Vec::new();
    let mut shipped = String::new();
    for (i, (name, wasm, bindgen_target, extra, file)) in modules.iter().enumerate() {
        let out = work.join(format!("m{i}"));
        run(env
            .cmd("wasm-bindgen")
            .args([
                "--target",
                bindgen_target,
                "--no-typescript",
                "--out-name",
                "m",
                "--out-dir",
            ])
            .arg(&out)
            .arg(wasm))?;
        let opt = out.join("m.opt.wasm");
        run(env
            .cmd("wasm-opt")
            .args(extra)
            .args(["-Oz", "-g"])
            .arg(out.join("m_bg.wasm"))
            .arg("-o")
            .arg(&opt))?;
        let bytes = std::fs::read(&opt).map_err(|e| format!("{}: {e}", opt.display()))?;
        let b = sizes::breakdown(&bytes)?;
        let dist_bytes = std::fs::metadata(root.join("dist").join(file)).map_or(0, |m| m.len());
        shipped.push_str(&format!(
            "| {name} | `{file}` | {dist_bytes} | {} |\n",
            b.total()
        ));
        measured.push((name.to_string(), b));
    }
    let section = format!(
        "## Size breakdown per artefact (issue 13, outcome 7)\n\n\
         Each wasm module rebuilt as `cargo xtask build` builds it (wasm-bindgen, then \
         wasm-opt `-Oz`) but with `-g`, so that every function keeps its name, then each \
         function body counted for the crate its demangled name starts with (`std` = \
         std, core and alloc; generic code counts for the crate that defines it, not the \
         one that uses it). Names and other custom sections are left out, so the total is \
         close to the shipped file (the content script ships as JS: its wasm2js output is \
         about twice the wasm). Run: `cargo xtask sizes` (also the last step of `cargo xtask \
         bench`).\n\n| module | shipped file | shipped bytes | code + data + other (bytes) |\n\
         |---|---|---:|---:|\n{shipped}\n{}",
        sizes::table(&measured, 8)
    );
    let file = root.join("BENCHMARKS.md");
    let md = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let block = format!("<!-- sizes:start -->\n{section}<!-- sizes:end -->\n");
    let md = match (
        md.find("<!-- sizes:start -->"),
        md.find("<!-- sizes:end -->"),
    ) {
        (Some(a), Some(b)) if a < b => {
            let end = b + "<!-- sizes:end -->".len();
            let end = if md[end..].starts_with('\n') {
                end + 1
            } else {
                end
            };
            format!("{}{block}{}", &md[..a], &md[end..])
        }
        _ => format!("{}\n\n{block}", md.trim_end()),
    };
    std::fs::write(&file, md).map_err(|e| e.to_string())?;
    println!("{section}");
    Ok(())
}
