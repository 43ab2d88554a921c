//! Installs whatever the build and the tests need and is missing, from the
//! registries our machines reach (crates.io, npm, Debian). Nothing prebuilt is
//! downloaded from elsewhere.

use crate::{output, run, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// trunk version the build is known to work with.
pub const TRUNK_VERSION: &str = "0.21.14";
/// The wasm target.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where the tools are: a PATH with `node_modules/.bin` and cargo's bin first.
pub struct Env {
    path: String,
    pub chromium: PathBuf,
}

impl Env {
    /// A command with the tool PATH.
    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("PATH", &self.path);
        c.env("CHROMIUM_PATH", &self.chromium);
        c
    }
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// The exact wasm-bindgen version in Cargo.lock.
pub fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn version_of(env: &Env, program: &str) -> Option<String> {
    output(env.cmd(program).arg("--version")).ok()
}

fn as_root(args: &[&str]) -> Command {
    // apt-get needs root; use sudo when we are not root and it exists.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut c = if is_root {
        Command::new(args[0])
    } else {
        let mut s = Command::new("sudo");
        s.arg(args[0]);
        s
    };
    c.args(&args[1..]);
    c.env("DEBIAN_FRONTEND", "noninteractive");
    c
}

/// Installs what is missing and returns the tool environment.
pub fn setup(root: &Path) -> Result<Env> {
    let bin = cargo_home().join("bin");
    let path = format!(
        "{}:{}:{}",
        root.join("node_modules/.bin").display(),
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut env = Env {
        path,
        chromium: PathBuf::from("/usr/bin/chromium"),
    };

    // 1. The wasm target.
    let targets =
        output(env.cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !targets.lines().any(|l| l.trim() == WASM_TARGET) {
        eprintln!("==> installing the {WASM_TARGET} target");
        run(env.cmd("rustup").args(["target", "add", WASM_TARGET]))?;
    }

    // 2. wasm-bindgen-cli at exactly the version in Cargo.lock. Not --locked: the
    //    crate's lock file pins a webpki-roots release our registry mirror lacks.
    let wb = locked_wasm_bindgen(root)?;
    if version_of(&env, "wasm-bindgen").map(|v| v.trim().to_string())
        != Some(format!("wasm-bindgen {wb}"))
    {
        eprintln!("==> installing wasm-bindgen-cli {wb} (a few minutes, once)");
        run(env
            .cmd("cargo")
            .args(["install", "--force", &format!("wasm-bindgen-cli@{wb}")]))?;
    }

    // 3. trunk, pinned.
    if version_of(&env, "trunk").map(|v| v.trim().to_string())
        != Some(format!("trunk {TRUNK_VERSION}"))
    {
        eprintln!("==> installing trunk {TRUNK_VERSION} (about 10 minutes, once)");
        run(env.cmd("cargo").args([
            "install",
            "--locked",
            "--force",
            &format!("trunk@{TRUNK_VERSION}"),
        ]))?;
    }

    // 4. npm tools (binaryen 132: wasm-opt + wasm2js; esbuild; playwright-core).
    if version_of(&env, "node").is_none() || version_of(&env, "npm").is_none() {
        eprintln!("==> installing Node.js and npm (Debian)");
        run(&mut as_root(&["apt-get", "update"]))?;
        run(&mut as_root(&["apt-get", "install", "-y", "nodejs", "npm"]))?;
    }
    let stamp = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => match (s.modified(), l.modified()) {
            (Ok(s), Ok(l)) => s >= l,
            _ => false,
        },
        _ => false,
    };
    if !fresh || version_of(&env, "wasm2js").is_none() {
        eprintln!("==> installing npm tools (npm ci)");
        run(env
            .cmd("npm")
            .current_dir(root)
            .args(["ci", "--no-audit", "--no-fund"]))?;
    }
    let wasm_opt = version_of(&env, "wasm-opt").unwrap_or_default();
    if !wasm_opt.contains("version 132") {
        return Err(format!(
            "wasm-opt on PATH is not binaryen 132 but {:?}; node_modules/.bin must come first",
            wasm_opt.trim()
        ));
    }

    // 5. openssl makes the test shop's TLS certificate.
    if output(env.cmd("openssl").arg("version")).is_err() {
        eprintln!("==> installing openssl (Debian)");
        run(&mut as_root(&["apt-get", "update"]))?;
        run(&mut as_root(&["apt-get", "install", "-y", "openssl"]))?;
    }

    // 6. Chromium (Debian), for the end-to-end tests and the demo.
    if let Ok(p) = std::env::var("CHROMIUM_PATH") {
        env.chromium = PathBuf::from(p);
    }
    if !env.chromium.exists() {
        eprintln!("==> installing Chromium (Debian)");
        run(&mut as_root(&["apt-get", "update"]))?;
        // chromium-l10n: the UI languages the locale tests switch to.
        run(&mut as_root(&[
            "apt-get",
            "install",
            "-y",
            "chromium",
            "chromium-l10n",
        ]))?;
        if !env.chromium.exists() {
            return Err(format!(
                "Chromium is still missing at {}",
                env.chromium.display()
            ));
        }
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cargo_lock_pins_the_wasm_bindgen_the_build_installs() {
        let v = super::locked_wasm_bindgen(&crate::root()).unwrap_or_default();
        assert_eq!(
            v, "0.2.130",
            "Trunk.toml [tools] wasm_bindgen must follow Cargo.lock"
        );
        let trunk = std::fs::read_to_string(crate::root().join("Trunk.toml")).unwrap_or_default();
        assert!(trunk.contains(&format!("wasm_bindgen = \"{v}\"")));
    }
}
