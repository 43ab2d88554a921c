//! The manifest and the extension pages, exactly as documented in PRIVACY.md and
//! ARCHITECTURE.md: any widening of permissions, hosts, matches or CSP fails here.

use serde_json::{json, Value};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn manifest() -> Value {
    serde_json::from_str(&read("manifest.json")).unwrap_or_else(|e| panic!("manifest.json: {e}"))
}

const PRODUCT_PAGES: [&str; 4] = [
    "*://*.aliexpress.com/item/*",
    "*://*.aliexpress.us/item/*",
    "*://*.aliexpress.ru/item/*",
    "*://*.alibaba.com/product-detail/*",
];

#[test]
fn permissions_are_exactly_storage_downloads_web_request() {
    let m = manifest();
    assert_eq!(m["manifest_version"], 3);
    assert_eq!(
        m["permissions"],
        json!(["storage", "downloads", "webRequest"])
    );
    assert!(m.get("optional_permissions").is_none());
}

/// The CDN hosts are optional: requested only when the user turns on ZIP or
/// conversion (fetching bytes needs them), exactly the list core knows.
#[test]
fn optional_host_permissions_are_exactly_the_cdn_hosts() {
    assert_eq!(
        manifest()["optional_host_permissions"],
        json!(alisave_core::media::CDN_ORIGINS)
    );
    for origin in alisave_core::media::CDN_ORIGINS {
        assert!(origin.starts_with("https://"), "{origin}: https only");
        assert!(
            !origin.contains("aliexpress.com") && !origin.contains("alibaba.com/"),
            "{origin}: shops are host permissions, not optional"
        );
    }
}

#[test]
fn host_permissions_are_exactly_the_shop_hosts() {
    assert_eq!(
        manifest()["host_permissions"],
        json!([
            "*://*.aliexpress.com/*",
            "*://*.aliexpress.us/*",
            "*://*.aliexpress.ru/*",
            "*://*.alibaba.com/*"
        ])
    );
}

#[test]
fn content_script_runs_only_on_product_pages() {
    let m = manifest();
    let scripts = m["content_scripts"].as_array().cloned().unwrap_or_default();
    assert_eq!(scripts.len(), 1);
    assert_eq!(scripts[0]["matches"], json!(PRODUCT_PAGES));
    // The popup finds the open product tabs with the same patterns.
    assert_eq!(
        alisave_core::popup_view::PRODUCT_PAGE_PATTERNS,
        PRODUCT_PAGES
    );
    assert_eq!(scripts[0]["js"], json!(["content/content.js"]));
    assert!(scripts[0].get("all_frames").is_none(), "top frame only");
    assert!(scripts[0].get("world").is_none(), "isolated world only");
    // The content script is one classic script: nothing is web-accessible,
    // so pages cannot probe for the extension.
    assert!(m.get("web_accessible_resources").is_none());
    assert!(
        m.get("externally_connectable").is_none(),
        "no page may message the extension"
    );
}

#[test]
fn csp_allows_wasm_and_nothing_looser() {
    assert_eq!(
        manifest()["content_security_policy"],
        json!({"extension_pages": "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'"})
    );
}

#[test]
fn service_worker_and_pages() {
    let m = manifest();
    assert_eq!(
        m["background"],
        json!({"service_worker": "sw.js", "type": "module"})
    );
    assert_eq!(m["action"]["default_popup"], "popup.html");
    assert_eq!(m["options_ui"]["page"], "options.html");
    for size in ["16", "32", "48", "128"] {
        let icon = m["icons"][size].as_str().unwrap_or_default();
        let png = std::fs::read(root().join("static").join(icon)).unwrap_or_default();
        assert!(png.starts_with(b"\x89PNG"), "icon {size} missing");
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        assert_eq!(w.to_string(), size, "icon {size} has width {w}");
    }
}

#[test]
fn manifest_is_localised_with_english_as_the_default() {
    let m = manifest();
    assert_eq!(m["default_locale"], "en");
    assert_eq!(m["name"], "__MSG_ext_name__");
    assert_eq!(m["description"], "__MSG_ext_description__");
    assert_eq!(m["action"]["default_title"], "__MSG_action_title__");
    // Every locale names the extension and describes it within the store's limits
    // (xtask/tests/locales.rs checks the catalogues themselves).
    for lang in ["en", "ru", "es", "pt", "fr", "de"] {
        let path = format!("static/_locales/{lang}/messages.json");
        let messages: Value =
            serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let text = |key: &str| {
            messages[key]["message"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: no {key}"))
                .to_string()
        };
        assert!(text("ext_name").chars().count() <= 75, "{path}: ext_name");
        assert!(
            text("ext_description").chars().count() <= 132,
            "{path}: ext_description longer than 132 characters"
        );
        assert!(!text("action_title").is_empty(), "{path}: action_title");
    }
}

#[test]
fn web_request_filter_in_sw_js_equals_the_core_list() {
    let sw = read("static/sw.js");
    let start = sw
        .find("const API_URL_PATTERNS = [")
        .expect("pattern list in sw.js");
    let end = start + sw[start..].find("];").expect("end of list");
    let listed: Vec<&str> = sw[start..end]
        .lines()
        .skip(1)
        .filter_map(|l| l.trim().strip_prefix('\'')?.strip_suffix("',"))
        .collect();
    assert_eq!(listed, alisave_core::protocol::API_URL_PATTERNS.to_vec());
    // Every observed URL is on a host we hold a permission for.
    for p in listed {
        let host = p.trim_start_matches("*://").split('/').next().unwrap_or("");
        assert!(
            [
                "aliexpress.com",
                "aliexpress.us",
                "aliexpress.ru",
                "alibaba.com"
            ]
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}"))),
            "{p}"
        );
    }
}

#[test]
fn the_popup_loaders_early_questions_are_the_protocols() {
    let init = read("popup/popup_init.js");
    // The port name.
    let port = format!(
        "{{ name: '{}', frameId: 0 }}",
        alisave_core::popup_view::POPUP_PORT
    );
    assert!(init.contains(&port), "popup_init.js connects with {port}");
    // The inspect request, as the Rust side serialises it.
    let inspect =
        serde_json::to_value(alisave_core::protocol::PopupToContent::Inspect).expect("serialises");
    assert_eq!(inspect, json!({ "type": "inspect" }));
    assert!(init.contains("chrome.tabs.sendMessage(tab.id, { type: 'inspect' })"));
    // Nothing else is sent from the loader.
    assert_eq!(init.matches("sendMessage(").count(), 1);
    assert_eq!(init.matches("chrome.tabs.connect(").count(), 1);
}

#[test]
fn service_worker_registers_listeners_synchronously() {
    let sw: String = read("static/sw.js")
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !sw.contains("await "),
        "no top-level await in the service worker"
    );
    assert!(
        !sw.contains("import("),
        "no dynamic import in the service worker"
    );
    for l in [
        "chrome.runtime.onMessage.addListener(",
        "chrome.webRequest.onBeforeRequest.addListener(",
    ] {
        let line = sw
            .lines()
            .find(|x| x.contains(l))
            .unwrap_or_else(|| panic!("{l} missing"));
        assert!(
            line.starts_with("chrome."),
            "{l} must be at top level, not nested"
        );
    }
}

fn assert_no_inline_script(name: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("<script") {
        let tag_end = rest[i..].find('>').map(|e| i + e).unwrap_or(rest.len());
        let tag = &rest[i..tag_end];
        assert!(tag.contains(" src="), "{name}: inline <script> {tag}");
        let close = rest[tag_end..]
            .find("</script>")
            .map(|c| tag_end + c)
            .unwrap_or(tag_end);
        assert!(
            rest[tag_end + 1..close].trim().is_empty(),
            "{name}: script with a body"
        );
        rest = &rest[close..];
    }
    assert!(!lower.contains("onclick="), "{name}: inline handler");
    assert!(!lower.contains("javascript:"), "{name}: javascript: URL");
}

#[test]
fn extension_pages_have_no_inline_scripts() {
    for page in [
        "popup/index.html",
        "static/options.html",
        "static/queue.html",
        "static/saver.html",
    ] {
        assert_no_inline_script(page, &read(page));
    }
    // The built pages too, when dist/ exists (cargo xtask test builds it first).
    for page in [
        "dist/popup.html",
        "dist/options.html",
        "dist/queue.html",
        "dist/saver.html",
    ] {
        if let Ok(html) = std::fs::read_to_string(root().join(page)) {
            assert_no_inline_script(page, &html);
        }
    }
}

#[test]
fn built_dist_has_every_file_the_manifest_names() {
    let dist = root().join("dist");
    if !dist.join("manifest.json").exists() {
        return; // not built yet: cargo xtask test builds before the end-to-end tests
    }
    let m: Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join("manifest.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(m, manifest(), "dist/manifest.json is stale");
    let mut files = vec![
        "sw.js".to_string(),
        "popup.html".into(),
        "options.html".into(),
        "content/content.js".into(),
        "background/background.js".into(),
        "background/background_bg.wasm".into(),
        "popup_init.js".into(),
        "pages_init.js".into(),
        "pages.js".into(),
        "pages_bg.wasm".into(),
        "queue.html".into(),
        "alisave.css".into(),
        "saver.html".into(),
        "saver.js".into(),
        "saver.css".into(),
    ];
    for size in ["16", "32", "48", "128"] {
        files.push(m["icons"][size].as_str().unwrap_or_default().to_string());
    }
    for lang in ["en", "ru", "es", "pt", "fr", "de"] {
        files.push(format!("_locales/{lang}/messages.json"));
    }
    for f in files {
        assert!(dist.join(&f).is_file(), "dist/{f} missing");
    }
}
