//! No remote code, no hidden network or tracking capability: a scan of the built
//! `dist/` (what the store receives), as promised in PRIVACY.md.
//!
//! Fails when `dist/` is not built (`cargo xtask build` builds it; `cargo xtask
//! test` builds before it tests). A caller that does not want the scan says so
//! with `ALISAVE_SKIP_DIST=1`: then it is skipped with a message.
//! `ALISAVE_DIST=<dir>` scans another directory (e.g. the unzipped store package).
//!
//! The scan is exact, not loose: every occurrence of a dangerous token outside a
//! whole-line `//` comment must match an entry of [`ALLOWED`], which names the
//! file, the exact surrounding text and why it is harmless. A new occurrence
//! anywhere fails, with its file, line and context.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The built `dist/` (or `$ALISAVE_DIST`), or `None` (with a message) when it is not built.
fn dist() -> Option<PathBuf> {
    let dist = std::env::var_os("ALISAVE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("dist"));
    if dist.join("manifest.json").is_file() {
        return Some(dist);
    }
    if std::env::var_os("ALISAVE_SKIP_DIST").is_some() {
        eprintln!("dist_scan: dist/ is not built; skipped because ALISAVE_SKIP_DIST is set");
        return None;
    }
    panic!(
        "dist/ is not built: run cargo xtask build (or set ALISAVE_SKIP_DIST=1 to skip the scan)"
    );
}

/// Every file below `dir`, as (`/`-separated relative path, absolute path), sorted.
fn files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                out.push((rel, path));
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `_locales/<locale>/messages.json` (Chrome's i18n message catalogues).
fn is_locale_messages(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    parts.len() == 3
        && parts[0] == "_locales"
        && parts[2] == "messages.json"
        && !parts[1].is_empty()
        && parts[1].len() <= 7
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn ext(rel: &str) -> &str {
    rel.rsplit_once('.').map(|(_, e)| e).unwrap_or("")
}

// ---------------------------------------------------------------------------
// Tokens and the allow-list.

/// How a token must be followed to count (a call, or any use).
#[derive(Clone, Copy)]
enum After {
    /// Any occurrence.
    Any,
    /// Followed by optional spaces and `(`.
    Call,
    /// Followed by optional spaces and a single `=` (an assignment, not `==`).
    Assign,
}

/// (token, must the character before it be a non-identifier one, what must follow, why it is dangerous)
const CODE_LOADING: &[(&str, bool, After, &str)] = &[
    ("eval", true, After::Any, "runs a string as code"),
    (
        "Function",
        true,
        After::Call,
        "the Function constructor runs a string as code",
    ),
    (
        "importScripts",
        true,
        After::Any,
        "loads a script at run time",
    ),
    (
        "import",
        true,
        After::Call,
        "dynamic import() loads a module at run time",
    ),
    (
        "Worker",
        true,
        After::Call,
        "starts a worker from a script URL",
    ),
    (
        "setTimeout",
        true,
        After::Any,
        "checked below: a string argument is code",
    ),
    (
        "setInterval",
        true,
        After::Any,
        "checked below: a string argument is code",
    ),
    (
        "document.write",
        true,
        After::Any,
        "writes markup (and scripts) into a page",
    ),
    (
        "insertAdjacentHTML",
        true,
        After::Any,
        "parses markup into a page",
    ),
    (
        "innerHTML",
        true,
        After::Assign,
        "parses markup into a page",
    ),
    (
        "outerHTML",
        true,
        After::Assign,
        "parses markup into a page",
    ),
    ("srcdoc", true, After::Any, "an inline document"),
    ("javascript:", false, After::Any, "a script URL"),
    (
        "createContextualFragment",
        true,
        After::Any,
        "parses markup",
    ),
    (
        "WebAssembly.compileStreaming",
        true,
        After::Any,
        "compiles fetched code",
    ),
];

/// Network, tracking and private-data APIs the promise excludes.
const NETWORK_AND_DATA: &[(&str, bool, After, &str)] = &[
    ("fetch", true, After::Call, "a network request"),
    ("XMLHttpRequest", true, After::Any, "a network request"),
    (
        "sendBeacon",
        true,
        After::Any,
        "a network request (analytics beacons)",
    ),
    ("WebSocket", true, After::Any, "a network connection"),
    ("EventSource", true, After::Any, "a network connection"),
    (
        "RTCPeerConnection",
        true,
        After::Any,
        "a network connection",
    ),
    ("http://", false, After::Any, "a remote URL"),
    ("https://", false, After::Any, "a remote URL"),
    ("ws://", false, After::Any, "a remote URL"),
    ("wss://", false, After::Any, "a remote URL"),
    ("cookie", false, After::Any, "cookies"),
    ("Cookie", false, After::Any, "cookies"),
    ("chrome.history", false, After::Any, "browsing history"),
    (
        "chrome.tabs.executeScript",
        false,
        After::Any,
        "code injection",
    ),
    ("chrome.scripting", false, After::Any, "code injection"),
    (
        "onBeforeSendHeaders",
        false,
        After::Any,
        "reads request headers (cookies)",
    ),
    (
        "onSendHeaders",
        false,
        After::Any,
        "reads request headers (cookies)",
    ),
    (
        "onHeadersReceived",
        false,
        After::Any,
        "reads response headers",
    ),
    ("onAuthRequired", false, After::Any, "credentials"),
    (
        "requestBody",
        false,
        After::Any,
        "reads form data sent by pages",
    ),
    (
        "extraHeaders",
        false,
        After::Any,
        "reads request headers (cookies)",
    ),
    (
        "'blocking'",
        false,
        After::Any,
        "a blocking webRequest listener",
    ),
    (
        "\"blocking\"",
        false,
        After::Any,
        "a blocking webRequest listener",
    ),
    (
        "localStorage",
        true,
        After::Any,
        "storage outside chrome.storage",
    ),
    (
        "sessionStorage",
        true,
        After::Any,
        "storage outside chrome.storage",
    ),
    (
        "indexedDB",
        true,
        After::Any,
        "storage outside chrome.storage",
    ),
    ("caches", true, After::Any, "storage outside chrome.storage"),
    ("geolocation", false, After::Any, "location"),
    ("clipboard", false, After::Any, "clipboard"),
];

/// An occurrence that is known and harmless: in `file`, `context` is the exact text
/// starting `offset` bytes before the token.
struct Allowed {
    file: &'static str,
    token: &'static str,
    context: &'static str,
    reason: &'static str,
}

const ALLOWED: &[Allowed] = &[
    // wasm-bindgen's debug formatter (`debugString`) names a function value in an
    // error message: a template literal, not a call.
    Allowed {
        file: "background/background.js",
        token: "Function",
        context: "`Function(${val.name})`",
        reason: "wasm-bindgen debugString: text of an error message",
    },
    Allowed {
        file: "pages.js",
        token: "Function",
        context: "`Function(${val.name})`",
        reason: "wasm-bindgen debugString: text of an error message",
    },
    Allowed {
        file: "content/content.js",
        token: "Function",
        context: "`Function(${{id}.name})`",
        reason: "wasm-bindgen debugString (minified): text of an error message",
    },
    // wasm-bindgen's loader fetches the module's own .wasm; every caller passes
    // `new URL('./<name>_bg.wasm', import.meta.url)` (checked by
    // `wasm_is_loaded_from_the_package`), a file of the package itself.
    Allowed {
        file: "background/background.js",
        token: "fetch",
        context: "module_or_path = fetch(module_or_path);",
        reason: "wasm-bindgen init: loads background_bg.wasm from the package",
    },
    Allowed {
        file: "pages.js",
        token: "fetch",
        context: "module_or_path = fetch(module_or_path);",
        reason: "wasm-bindgen init: loads pages_bg.wasm from the package",
    },
    // Leptos builds each `view!` as a <template> from static markup compiled into
    // the wasm (tachys `get_template` / `create_element_from_html`); dynamic
    // values go into text nodes and attributes. The extension-page CSP
    // (script-src 'self') would block any script in it anyway.
    Allowed {
        file: "pages.js",
        token: "innerHTML",
        context: "arg0.innerHTML = getStringFromWasm0(arg1, arg2);",
        reason: "Leptos static templates",
    },
    // The popup keeps UI-only state (filter, selection per product) in the
    // extension's localStorage (gloo-storage), and the queue page the pause the
    // user chose last (`queue.pause_s`): documented in PRIVACY.md, audited by
    // tests/e2e/privacy.test.mjs. Both are in the pages' shared module.
    Allowed {
        file: "pages.js",
        token: "localStorage",
        context: "const ret = arg0.localStorage;",
        reason: "popup UI state and the queue's last pause (documented keys)",
    },
];

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Byte offsets of `token` in `text` that count (word boundary, follow rule),
/// outside whole-line `//` comments.
fn occurrences(text: &str, token: &str, boundary: bool, after: After) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(token) {
        let at = from + i;
        from = at + token.len();
        if boundary && text[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = text[at + token.len()..].trim_start_matches([' ', '\t']);
        let follows = match after {
            After::Any => {
                // A word token must end at a word boundary too (`evaluate` is not `eval`).
                !boundary
                    || !text[at + token.len()..].starts_with(|c: char| is_ident(c))
                    || token.ends_with(|c: char| !is_ident(c))
            }
            After::Call => rest.starts_with('('),
            After::Assign => rest.starts_with('=') && !rest.starts_with("=="),
        };
        if !follows {
            continue;
        }
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        let line = text[line_start..].split('\n').next().unwrap_or("");
        if line.trim_start().starts_with("//") || line.trim_start().starts_with("* ") {
            continue; // a whole-line comment (the hand-written and wasm-bindgen files have them)
        }
        out.push(at);
    }
    out
}

/// Does `text` at `at` match `pattern`? `{id}` in a pattern stands for one
/// identifier (minifiers rename variables from build to build).
fn matches_at(text: &str, at: usize, pattern: &str) -> bool {
    let mut pos = at;
    let mut parts = pattern.split("{id}").peekable();
    while let Some(part) = parts.next() {
        if !text[pos..].starts_with(part) {
            return false;
        }
        pos += part.len();
        if parts.peek().is_some() {
            let n = text[pos..]
                .chars()
                .take_while(|c| is_ident(*c))
                .map(char::len_utf8)
                .sum::<usize>();
            if n == 0 {
                return false;
            }
            pos += n;
        }
    }
    true
}

/// Where `token` sits in `pattern` (in bytes of matched text, before any `{id}`).
fn token_offset(pattern: &str, token: &str) -> Option<usize> {
    let i = pattern.find(token)?;
    (!pattern[..i].contains("{id}")).then_some(i)
}

fn allowed(rel: &str, text: &str, token: &str, at: usize) -> bool {
    ALLOWED.iter().any(|a| {
        a.file == rel
            && a.token == token
            && token_offset(a.context, token)
                .is_some_and(|off| at >= off && matches_at(text, at - off, a.context))
    })
}

fn context(text: &str, at: usize) -> String {
    let mut s = at.saturating_sub(60);
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = (at + 80).min(text.len());
    while !text.is_char_boundary(e) {
        e += 1;
    }
    let line = text[..at].matches('\n').count() + 1;
    format!("line {line}: …{}…", text[s..e].replace('\n', "⏎"))
}

/// Findings of one token list over every script of dist/.
fn scan(list: &[(&str, bool, After, &str)]) -> Vec<String> {
    let Some(dist) = dist() else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for (rel, path) in files(&dist) {
        if !matches!(ext(&rel), "js" | "html" | "css") {
            continue;
        }
        let text = read(&path);
        for &(token, boundary, after, why) in list {
            for at in occurrences(&text, token, boundary, after) {
                if allowed(&rel, &text, token, at) {
                    continue;
                }
                findings.push(format!(
                    "dist/{rel}: `{token}` ({why}) at {}",
                    context(&text, at)
                ));
            }
        }
    }
    findings
}

// ---------------------------------------------------------------------------

#[test]
fn dist_holds_only_the_expected_kinds_of_files() {
    let Some(dist) = dist() else { return };
    for (rel, path) in files(&dist) {
        assert!(
            matches!(ext(&rel), "js" | "wasm" | "html" | "css" | "png")
                || rel == "manifest.json"
                || is_locale_messages(&rel),
            "dist/{rel}: unexpected kind of file in the package"
        );
        if is_locale_messages(&rel) {
            // Chrome i18n: data only, {"name": {"message": "...", ...}, ...}.
            let v: Value =
                serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("dist/{rel}: {e}"));
            let entries = v
                .as_object()
                .unwrap_or_else(|| panic!("dist/{rel}: not an object"));
            for (name, entry) in entries {
                assert!(
                    entry.get("message").and_then(Value::as_str).is_some(),
                    "dist/{rel}: {name} has no message"
                );
            }
        }
        assert!(
            !rel.split('/').any(|c| c.starts_with('.')),
            "dist/{rel}: hidden file in the package"
        );
        let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(meta.file_type().is_file(), "dist/{rel}: not a regular file");
        if ext(&rel) == "js" {
            let text = read(&path);
            assert!(
                !text.contains("sourceMappingURL"),
                "dist/{rel}: names a source map (a URL loaded by dev tools)"
            );
        }
    }
}

#[test]
fn manifest_names_no_remote_url() {
    let Some(dist) = dist() else { return };
    let m: Value = serde_json::from_str(&read(&dist.join("manifest.json"))).expect("manifest.json");
    // Keys that would load or point at something remote, or expose the extension.
    for key in [
        "update_url",
        "homepage_url",
        "externally_connectable",
        "web_accessible_resources",
        "sandbox",
        "chrome_url_overrides",
        "devtools_page",
        "oauth2",
        "storage",
        "declarative_net_request",
    ] {
        assert!(m.get(key).is_none(), "manifest.json has \"{key}\"");
    }
    // Only match patterns of the shop hosts may contain "://", and the optional
    // CDN hosts exactly as core lists them (the CSP is checked below, directive by
    // directive).
    fn walk(path: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(_) if path.starts_with("content_security_policy/") => {}
            Value::String(s)
                if path.starts_with("optional_host_permissions/")
                    && alisave_core::media::CDN_ORIGINS.contains(&s.as_str()) => {}
            Value::String(s) => {
                let pattern_field = path.starts_with("host_permissions/")
                    || (path.starts_with("content_scripts/") && path.contains("/matches/"));
                if s.contains("://") || s.starts_with("//") {
                    let shop = [
                        "aliexpress.com/",
                        "aliexpress.us/",
                        "aliexpress.ru/",
                        "alibaba.com/",
                    ]
                    .iter()
                    .any(|h| s.starts_with(&format!("*://*.{h}")));
                    if !(pattern_field && shop) {
                        out.push(format!("{path}: {s}"));
                    }
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(&format!("{path}/{i}"), x, out);
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}/{k}")
                    };
                    walk(&p, x, out);
                }
            }
            _ => {}
        }
    }
    let mut remote = Vec::new();
    walk("", &m, &mut remote);
    assert!(
        remote.is_empty(),
        "remote URLs in manifest.json: {remote:?}"
    );
    // The extension-page CSP loads code only from the package (and compiles only the
    // package's wasm): the code directives name nothing else. (Directives that
    // restrict other loads, e.g. img-src/connect-src, may name shop hosts.)
    let csp_keys: Vec<&String> = m["content_security_policy"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        csp_keys,
        ["extension_pages"],
        "content_security_policy keys (no sandbox pages)"
    );
    let csp = m["content_security_policy"]["extension_pages"]
        .as_str()
        .unwrap_or_default();
    let directives: Vec<Vec<&str>> = csp
        .split(';')
        .map(|d| d.split_whitespace().collect::<Vec<_>>())
        .filter(|d| !d.is_empty())
        .collect();
    let script_src = directives
        .iter()
        .find(|d| d[0] == "script-src")
        .unwrap_or_else(|| panic!("extension_pages CSP has no script-src: {csp}"));
    assert_eq!(
        script_src[1..],
        ["'self'", "'wasm-unsafe-eval'"],
        "script-src of the extension pages: {csp}"
    );
    for d in &directives {
        if [
            "script-src",
            "script-src-elem",
            "script-src-attr",
            "worker-src",
            "object-src",
            "default-src",
        ]
        .contains(&d[0])
        {
            for source in &d[1..] {
                assert!(
                    ["'self'", "'none'", "'wasm-unsafe-eval'"].contains(source),
                    "{} allows {source}: {csp}",
                    d[0]
                );
            }
        }
    }
    // Every file the manifest names is in the package.
    let mut named = vec![m["background"]["service_worker"]
        .as_str()
        .unwrap_or_default()
        .to_string()];
    for cs in m["content_scripts"].as_array().into_iter().flatten() {
        for js in cs["js"].as_array().into_iter().flatten() {
            named.push(js.as_str().unwrap_or_default().to_string());
        }
    }
    for f in named {
        assert!(
            !f.contains(':') && !f.starts_with('/'),
            "manifest names a non-package file: {f}"
        );
        assert!(
            dist.join(&f).is_file(),
            "manifest names dist/{f}, which is missing"
        );
    }
}

/// `<tag …>` start tags of `html` named `name` (lowercase), as their attribute text.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&open) {
        let at = from + i;
        from = at + open.len();
        let next = lower[from..].chars().next().unwrap_or('>');
        if !(next.is_whitespace() || next == '>' || next == '/') {
            continue;
        }
        let end = lower[at..].find('>').map_or(html.len(), |e| at + e);
        out.push(&html[at..end]);
    }
    out
}

/// The value of attribute `attr` in a start tag (quoted or not).
fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(attr) {
        let at = from + i;
        from = at + attr.len();
        if !lower[..at].ends_with(|c: char| c.is_whitespace()) {
            continue;
        }
        let rest = tag[at + attr.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        return Some(match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        });
    }
    None
}

#[test]
fn html_pages_load_only_packaged_files() {
    let Some(dist) = dist() else { return };
    for (rel, path) in files(&dist) {
        if ext(&rel) != "html" {
            continue;
        }
        let html = read(&path);
        for forbidden in [
            "iframe", "object", "embed", "base", "frame", "portal", "form",
        ] {
            assert!(
                tags(&html, forbidden).is_empty(),
                "dist/{rel}: <{forbidden}>"
            );
        }
        for meta in tags(&html, "meta") {
            assert!(
                attr(meta, "http-equiv").is_none(),
                "dist/{rel}: <meta http-equiv> ({meta})"
            );
        }
        let mut loaded = Vec::new();
        for tag in tags(&html, "script") {
            let src =
                attr(tag, "src").unwrap_or_else(|| panic!("dist/{rel}: inline <script> {tag}"));
            loaded.push(src);
        }
        for tag in tags(&html, "link")
            .into_iter()
            .chain(tags(&html, "img"))
            .chain(tags(&html, "source"))
        {
            loaded.extend(attr(tag, "href"));
            loaded.extend(attr(tag, "src"));
        }
        for src in loaded {
            assert!(
                !src.contains(':') && !src.starts_with("//") && !src.starts_with('/'),
                "dist/{rel}: loads {src:?}, not a file of the package"
            );
            let target = Path::new(&rel).parent().unwrap_or(Path::new("")).join(src);
            assert!(
                dist.join(&target).is_file(),
                "dist/{rel}: loads {src}, which is not in dist/"
            );
        }
    }
}

#[test]
fn javascript_loads_no_code_at_run_time() {
    let findings = scan(CODE_LOADING)
        .into_iter()
        // setTimeout/setInterval are only code-loading with a string argument.
        .filter(|f| {
            let timer = f.contains("`setTimeout`") || f.contains("`setInterval`");
            !timer || {
                let after = f
                    .split_once("setTimeout")
                    .or_else(|| f.split_once("setInterval"));
                after.is_some_and(|(_, a)| {
                    let a = a.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
                    a.starts_with(['"', '\'', '`'])
                })
            }
        })
        .collect::<Vec<_>>();
    assert!(
        findings.is_empty(),
        "code loading in dist/:\n{}",
        findings.join("\n")
    );
}

#[test]
fn static_imports_name_only_packaged_modules() {
    let Some(dist) = dist() else { return };
    for (rel, path) in files(&dist) {
        if ext(&rel) != "js" {
            continue;
        }
        // `import … from '<spec>'`, `import '<spec>'`, `export … from '<spec>'`: one per
        // line in the module files (the content script is an IIFE bundle: no imports).
        for line in read(&path).lines() {
            let t = line.trim_start();
            if !(t.starts_with("import ")
                || t.starts_with("import'")
                || t.starts_with("import\"")
                || (t.starts_with("export ") && t.contains(" from ")))
            {
                continue;
            }
            let tail = t
                .rsplit_once(" from ")
                .map_or(t.trim_start_matches("import"), |(_, s)| s)
                .trim();
            let q = tail.chars().next().unwrap_or(' ');
            assert!(
                q == '\'' || q == '"',
                "dist/{rel}: cannot read the module of {t:?}"
            );
            let spec = tail[1..].split(q).next().unwrap_or("");
            assert!(
                spec.starts_with("./") || spec.starts_with("../"),
                "dist/{rel}: imports {spec:?}, not a relative module of the package"
            );
            let target = Path::new(&rel).parent().unwrap_or(Path::new("")).join(spec);
            assert!(
                dist.join(&target).is_file(),
                "dist/{rel}: imports {spec}, missing from dist/"
            );
        }
    }
}

#[test]
fn javascript_has_no_network_tracking_or_private_data_api() {
    let findings = scan(NETWORK_AND_DATA);
    assert!(
        findings.is_empty(),
        "network, tracking or private-data APIs in dist/ (see PRIVACY.md):\n{}",
        findings.join("\n")
    );
}

#[test]
fn wasm_is_loaded_from_the_package() {
    let Some(dist) = dist() else { return };
    // Each loader passes its own module's URL, relative to itself.
    for (loader, wasm) in [
        ("sw.js", "./background/background_bg.wasm"),
        ("saver.js", "./pages_bg.wasm"),
        ("popup_init.js", "./pages_bg.wasm"),
        ("pages_init.js", "./pages_bg.wasm"),
    ] {
        let text = read(&dist.join(loader));
        let call = format!("new URL('{wasm}', import.meta.url)");
        assert!(
            text.contains(&call),
            "dist/{loader} does not load {wasm} with {call}"
        );
        assert!(dist.join(wasm).is_file(), "dist/{wasm} missing");
    }
}

#[test]
fn wasm_modules_import_only_their_glue() {
    let Some(dist) = dist() else { return };
    let mut seen = 0;
    for (rel, path) in files(&dist) {
        if ext(&rel) != "wasm" {
            continue;
        }
        seen += 1;
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let glue_name = format!(
            "./{}.js",
            Path::new(&rel)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
        );
        let glue = dist.join(
            Path::new(&rel).with_file_name(
                Path::new(&rel)
                    .file_name()
                    .and_then(|f| f.to_str())
                    .unwrap_or_default()
                    .replace("_bg.wasm", ".js"),
            ),
        );
        let glue_text = read(&glue);
        let mut names = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
            let payload = payload.unwrap_or_else(|e| panic!("{rel}: {e}"));
            if let wasmparser::Payload::ImportSection(reader) = payload {
                for import in reader.into_imports() {
                    let import = import.unwrap_or_else(|e| panic!("{rel}: {e}"));
                    // wasm-bindgen imports everything from its own glue module.
                    assert!(
                        import.module == glue_name || import.module == "wbg",
                        "dist/{rel} imports from {:?} (expected its glue {glue_name})",
                        import.module
                    );
                    names.push(import.name.to_string());
                }
            }
        }
        // Each import is a function the glue (in the package) defines: the wasm
        // can do nothing the glue does not spell out in plain JS.
        for n in &names {
            assert!(
                glue_text.contains(n.as_str()),
                "dist/{rel} imports {n}, which its glue does not define"
            );
        }
        assert!(!names.is_empty(), "dist/{rel}: no imports at all?");
    }
    assert_eq!(
        seen, 2,
        "expected the worker's and the extension pages' wasm modules only"
    );
}

#[test]
fn web_request_is_observe_only() {
    let Some(dist) = dist() else { return };
    let sw = read(&dist.join("sw.js"));
    let code: String = sw
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    // One webRequest event, onBeforeRequest, with the URL filter and no extraInfoSpec
    // (no 'blocking', no 'requestBody', no headers).
    let uses: Vec<&str> = code
        .match_indices("chrome.webRequest.")
        .map(|(i, _)| {
            let rest = &code[i + "chrome.webRequest.".len()..];
            rest.split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or("")
        })
        .collect();
    assert_eq!(uses, ["onBeforeRequest"], "webRequest events used by sw.js");
    let open = "chrome.webRequest.onBeforeRequest.addListener(";
    let start = code
        .find(open)
        .map(|i| i + open.len())
        .expect("onBeforeRequest listener in sw.js");
    // The call's top-level arguments (bracket depth 0; sw.js has no brackets in strings).
    let mut args = vec![String::new()];
    let mut depth = 0i32;
    for c in code[start..].chars() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' if depth == 0 => break,
            ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                args.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = args.last_mut() {
            last.push(c);
        }
    }
    let args: Vec<String> = args
        .iter()
        .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|a| !a.is_empty())
        .collect();
    assert_eq!(
        args.len(),
        2,
        "onBeforeRequest takes a listener and the URL filter only (no extraInfoSpec): {args:?}"
    );
    assert_eq!(
        args[1], "{ urls: API_URL_PATTERNS }",
        "the filter is exactly the API URL patterns"
    );
    // Nothing else in the package can register webRequest listeners: the wasm glue names no webRequest.
    for (rel, path) in files(&dist) {
        if ext(&rel) == "js" && rel != "sw.js" {
            let code = read(&path);
            let named = code.lines().any(|l| {
                let t = l.trim_start();
                !(t.starts_with("//") || t.starts_with('*') || t.starts_with("/*"))
                    && l.contains("webRequest")
            });
            assert!(!named, "dist/{rel} names webRequest outside comments");
        }
    }
}

#[test]
fn stylesheets_load_nothing_remote() {
    let Some(dist) = dist() else { return };
    for (rel, path) in files(&dist) {
        if ext(&rel) != "css" {
            continue;
        }
        let css = read(&path).to_ascii_lowercase();
        assert!(!css.contains("@import"), "dist/{rel}: @import");
        for (i, _) in css.match_indices("url(") {
            let arg = css[i + 4..].trim_start_matches([' ', '"', '\'']);
            assert!(
                !arg.contains(':') || arg.starts_with("data:image/"),
                "dist/{rel}: url({}…)",
                &arg[..arg.len().min(40)]
            );
            assert!(
                !arg.starts_with("//"),
                "dist/{rel}: protocol-relative url()"
            );
        }
    }
}

#[test]
fn the_allow_list_is_not_stale() {
    // Every allow-list entry still matches something: entries cannot quietly
    // accumulate and later cover a new, unreviewed occurrence.
    let Some(dist) = dist() else { return };
    for a in ALLOWED {
        let path = dist.join(a.file);
        let text = read(&path);
        let found = text.match_indices(a.token).any(|(at, _)| {
            token_offset(a.context, a.token)
                .is_some_and(|off| at >= off && matches_at(&text, at - off, a.context))
        });
        assert!(
            found,
            "allow-list entry no longer matches dist/{}: {:?} ({}); remove it",
            a.file, a.context, a.reason
        );
    }
}

/// The code spans (`…`) of the first column of the Markdown table whose header row
/// starts with `| {header} |`, in PRIVACY.md.
fn privacy_table_keys(md: &str, header: &str) -> Vec<String> {
    let head = format!("| {header} |");
    let mut rows = md.lines().skip_while(|l| !l.starts_with(&head)).skip(2);
    let mut out = Vec::new();
    for line in rows.by_ref() {
        if !line.starts_with('|') {
            break;
        }
        let first = line.split('|').nth(1).unwrap_or("").trim();
        out.push(first.trim_matches('`').to_string());
    }
    out
}

#[test]
fn privacy_md_tables_match_the_manifest_and_the_web_request_filter() {
    // PRIVACY.md documents every permission and host with its reason: the tables
    // must list exactly what manifest.json requests (no more, no less).
    let md = read(&root().join("PRIVACY.md"));
    let m: Value =
        serde_json::from_str(&read(&root().join("manifest.json"))).expect("manifest.json");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        privacy_table_keys(&md, "permission"),
        strings(&m["permissions"]),
        "PRIVACY.md permission table vs manifest.json permissions"
    );
    assert_eq!(
        privacy_table_keys(&md, "host permission"),
        strings(&m["host_permissions"]),
        "PRIVACY.md host permission table vs manifest.json host_permissions"
    );
    assert_eq!(
        privacy_table_keys(&md, "optional host permission"),
        strings(&m["optional_host_permissions"]),
        "PRIVACY.md optional host permission table vs manifest.json optional_host_permissions"
    );
    // The webRequest row names exactly the worker's URL patterns.
    let row = md
        .lines()
        .find(|l| l.starts_with("| `webRequest` |"))
        .expect("webRequest row in PRIVACY.md");
    let listed: Vec<&str> = row
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.contains("://"))
        .collect();
    assert_eq!(listed, alisave_core::protocol::API_URL_PATTERNS.to_vec());
    // And the content-script matches are the ones promise 4 states.
    let scripts = m["content_scripts"].as_array().cloned().unwrap_or_default();
    for cs in &scripts {
        for pattern in strings(&cs["matches"]) {
            assert!(
                md.contains(&format!("`{pattern}`")),
                "PRIVACY.md does not list the content-script match {pattern}"
            );
        }
    }
}
