//! `cargo xtask fuzz [SECONDS]`: coverage-guided fuzzing of alisave-core.
//!
//! The fuzz project is `fuzz/` (its own cargo workspace; targets in
//! `fuzz/fuzz_targets/`, invariants in `fuzz/src/lib.rs`, see
//! `fuzz/README.md`). It uses cargo-fuzz and libFuzzer (libfuzzer-sys builds
//! libFuzzer from source with the system C++ compiler). cargo-fuzz passes
//! nightly-only flags to rustc; `RUSTC_BOOTSTRAP=1` lets the stable toolchain
//! accept them, so no nightly toolchain is needed.
//!
//! Each target runs in one process (no `-jobs`/`-fork`), one after another,
//! with its learnt corpus in `fuzz/target/corpus/<target>/` (kept between
//! runs, not committed), the committed seeds of `fuzz/corpus/<target>/` and
//! the saved crash inputs of `fuzz/regressions/<target>/` as read-only input.
//! Crash inputs go to `fuzz/artifacts/<target>/`; the full libFuzzer output to
//! `fuzz/target/logs/<target>.log`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// `cargo fuzz build/run` flags: no sanitizer (alisave-core forbids `unsafe`;
/// panics, stack overflows, timeouts and OOMs are caught without one) and
/// debug assertions on, so arithmetic overflow panics too.
const BUILD_FLAGS: [&str; 3] = ["--sanitizer", "none", "--debug-assertions"];

/// Longest input per target (bytes); the extractor gets room for real pages.
fn max_len(target: &str) -> usize {
    match target {
        "extract" => 32_768,
        _ => 4096,
    }
}

/// Files of a crash kind libFuzzer writes into the artifact directory.
fn crash_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                ["crash-", "oom-", "timeout-", "leak-"]
                    .iter()
                    .any(|k| n.starts_with(k))
            })
        })
        .collect();
    out.sort();
    out
}

/// Number of files and bytes in a directory (not recursive).
fn dir_size(dir: &Path) -> (usize, u64) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    rd.flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .fold((0, 0), |(n, b), m| (n + 1, b + m.len()))
}

/// A `cargo` command with the fuzz environment.
fn cargo(root: &Path) -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root).env("RUSTC_BOOTSTRAP", "1");
    c
}

fn status_ok(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let st = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({st})"))
    }
}

/// The fuzz targets: `fuzz/fuzz_targets/*.rs`, sorted.
fn targets(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("fuzz").join("fuzz_targets");
    let rd = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out: Vec<String> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(format!("no fuzz targets in {}", dir.display()));
    }
    Ok(out)
}

/// What one libFuzzer run printed that the summary needs.
#[derive(Default)]
struct Stats {
    execs: Option<u64>,
    cov: Option<String>,
}

/// Reads libFuzzer's output line by line: everything to the log, the
/// interesting lines (progress pulses, errors, the end) to our stderr.
fn follow(out: impl std::io::Read, log: &mut std::fs::File) -> Stats {
    let mut stats = Stats::default();
    let mut shown_panic = 0usize;
    for line in BufReader::new(out).lines() {
        let Ok(line) = line else { break };
        let _ = writeln!(log, "{line}");
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            stats.execs = n.trim().parse().ok();
        }
        if let Some(i) = line.find("cov: ") {
            // `#123 NEW cov: 456 ft: 789 corp: 10/2Kb …`
            let rest = &line[i..];
            let end = rest
                .find(" lim:")
                .or_else(|| rest.find(" exec/s"))
                .unwrap_or(rest.len());
            stats.cov = Some(rest[..end].trim().to_string());
        }
        let loud = line.contains("pulse")
            || line.starts_with("Done ")
            || line.starts_with("INFO: seed corpus")
            || line.contains("ERROR")
            || line.contains("SUMMARY")
            || line.contains("Test unit written")
            || line.starts_with("stat::");
        if line.contains("panicked at") {
            shown_panic = 2;
        }
        if loud || shown_panic > 0 {
            eprintln!("    {line}");
            shown_panic = shown_panic.saturating_sub(1);
        }
    }
    stats
}

fn human_bytes(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20))
    } else {
        format!("{:.1} KiB", b as f64 / 1024.0)
    }
}

/// Installs cargo-fuzz if missing (from crates.io) and runs every fuzz target for `seconds` each; prints and returns a summary line per target: executions run, crashes found.
///
/// Lines look like `extract: 1234567 execs in 300 s (4115/s), 0 crashes,
/// cov: 2345 ft: 8901 corp: 345/1203Kb, corpus 345 files (1.2 MiB)`; a line
/// with crashes names the new files in `fuzz/artifacts/<target>/`. libFuzzer
/// stops a target at its first crash. When any target crashed, the summary is
/// returned as `Err` (after all targets ran) so that the task fails; so it is
/// when a target could not be built or started (`FAILED` in its line).
pub fn run(root: &std::path::Path, seconds: u64) -> Result<Vec<String>, String> {
    let t0 = Instant::now();
    let have = cargo(root)
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        eprintln!("==> cargo install cargo-fuzz --locked");
        status_ok(cargo(root).args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let targets = targets(root)?;
    let fuzz = root.join("fuzz");

    eprintln!("==> cargo fuzz build (all targets)");
    status_ok(cargo(root).args(["fuzz", "build"]).args(BUILD_FLAGS))?;

    let logs = fuzz.join("target").join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let mut lines = Vec::new();
    let mut crashed = false;
    let mut failed = false;
    for t in &targets {
        let work = fuzz.join("target").join("corpus").join(t);
        let seeds = fuzz.join("corpus").join(t);
        let regressions = fuzz.join("regressions").join(t);
        let artifacts = fuzz.join("artifacts").join(t);
        for d in [&work, &seeds, &artifacts] {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        let before = crash_files(&artifacts);
        let mut cmd = cargo(root);
        cmd.args(["fuzz", "run"])
            .args(BUILD_FLAGS)
            .arg(t)
            .arg(&work)
            .arg(&seeds);
        if dir_size(&regressions).0 > 0 {
            cmd.arg(&regressions);
        }
        cmd.arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-max_len={}", max_len(t)))
            .arg("-timeout=10")
            .arg("-rss_limit_mb=2048")
            .arg("-print_final_stats=1")
            .arg(format!("-artifact_prefix={}/", artifacts.display()));
        let dict = fuzz.join("dict").join(format!("{t}.dict"));
        if dict.is_file() {
            cmd.arg(format!("-dict={}", dict.display()));
        }
        eprintln!("==> fuzz {t} for {seconds} s: {cmd:?}");
        let log_path = logs.join(format!("{t}.log"));
        let mut log =
            std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let started = Instant::now();
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start cargo fuzz run {t}: {e}"))?;
        let stats = match child.stderr.take() {
            Some(err) => follow(err, &mut log),
            None => Stats::default(),
        };
        let status = child
            .wait()
            .map_err(|e| format!("cargo fuzz run {t}: {e}"))?;
        let secs = started.elapsed().as_secs_f64();
        let new: Vec<PathBuf> = crash_files(&artifacts)
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        let crashes = new.len();
        let execs = stats.execs.map_or("?".to_string(), |n| n.to_string());
        let rate = stats.execs.map_or(String::new(), |n| {
            format!(" ({:.0}/s)", n as f64 / secs.max(0.001))
        });
        let (files, bytes) = dir_size(&work);
        let mut line = format!(
            "{t}: {execs} execs in {secs:.0} s{rate}, {crashes} crash{}, {}, corpus {files} files ({})",
            if crashes == 1 { "" } else { "es" },
            stats.cov.as_deref().unwrap_or("cov: ?"),
            human_bytes(bytes)
        );
        for p in &new {
            line.push_str(&format!("; {}", p.display()));
        }
        if crashes > 0 {
            crashed = true;
        } else if !status.success() {
            // No crash input: the build or libFuzzer's start-up failed.
            failed = true;
            line.push_str(&format!(
                "; FAILED: cargo fuzz exited with {status} without a crash input, see {}",
                log_path.display()
            ));
        }
        eprintln!("    {line}");
        lines.push(line);
    }
    eprintln!(
        "==> fuzz summary ({:.0} s in all)",
        t0.elapsed().as_secs_f64()
    );
    for l in &lines {
        println!("{l}");
    }
    if crashed || failed {
        Err(format!(
            "{}:\n{}",
            if crashed {
                "fuzzing found crashes (reproduce with `RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -a <target> <file>`)"
            } else {
                "a fuzz target could not run"
            },
            lines.join("\n")
        ))
    } else {
        Ok(lines)
    }
}
