//! AliSavePro content script (composition root).
//!
//! Thin by design: it injects the in-page button and hands the page's data (its
//! serialised DOM, inline script text included) to the service worker, where the
//! extractor runs as real wasm. This crate is compiled to plain JS with binaryen's
//! wasm2js, because a shop page whose Content-Security-Policy lacks
//! `'wasm-unsafe-eval'` blocks WebAssembly compilation in content scripts.
//!
//! Stable hooks (tests and outside acceptance checks rely on them):
//! `#alisave-root` (host element, open shadow root) holding
//! `button[data-alisave-action="download-all"]` and `[data-alisave-status]`.

use alisave_chrome::i18n::{say as said, t, tf, tn};
use alisave_chrome::{self as chrome, Area};
use alisave_core::button_settings::ButtonSettings;
use alisave_core::content_wire::{self as wire, Ask, Bad, ToContent, Wire};
use alisave_core::page_view::HeldDocuments;
use alisave_core::popup_view::POPUP_PORT;
use alisave_core::protocol::{
    Document as FetchedDocument, SaveReport, Unavailable, MAX_DOCUMENT_BYTES,
};
use alisave_core::say::{self, Say};
use alisave_core::settings::STORAGE_KEY;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    Document, Element, HtmlButtonElement, MutationObserver, MutationObserverInit, ShadowRootInit,
    ShadowRootMode,
};

/// The allocator: a free list that merges neighbours (this script allocates
/// little: strings of messages and the documents it holds).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

const HOST_ID: &str = "alisave-root";

/// `console.warn("[AliSavePro] " + parts)`.
fn warn(parts: &[&str]) {
    web_sys::console::warn_1(&concat("[AliSavePro] ", parts).into());
}

/// `first` and `rest` joined (`format!` without the formatting machinery, which
/// this script, compiled to JS, does not carry).
fn concat(first: &str, rest: &[&str]) -> String {
    let mut out = String::from(first);
    for p in rest {
        out.push_str(p);
    }
    out
}

/// A count in decimal digits (integer formatting without `core::fmt`).
fn count(n: usize) -> String {
    say::decimal(n as u32)
}

/// The page's JS values as the protocol's wire format ([`wire`]): messages are
/// built and read as plain objects, with no serde in this script.
struct Js;

impl Wire for Js {
    type V = JsValue;
    fn string(s: &str) -> JsValue {
        JsValue::from_str(s)
    }
    fn bool(b: bool) -> JsValue {
        JsValue::from_bool(b)
    }
    fn array(items: Vec<JsValue>) -> JsValue {
        items.into_iter().collect::<js_sys::Array>().into()
    }
    fn object(fields: Vec<(&str, JsValue)>) -> JsValue {
        let obj = js_sys::Object::new();
        for (k, v) in fields {
            let _ = js_sys::Reflect::set(&obj, &k.into(), &v);
        }
        obj.into()
    }
    fn set(obj: &mut JsValue, key: &str, value: JsValue) {
        if obj.is_object() {
            let _ = js_sys::Reflect::set(obj, &key.into(), &value);
        }
    }
    fn get(v: &JsValue, key: &str) -> Option<JsValue> {
        if !v.is_object() {
            return None;
        }
        js_sys::Reflect::get(v, &key.into())
            .ok()
            .filter(|f| !f.is_undefined() && !f.is_null())
    }
    fn as_string(v: &JsValue) -> Option<String> {
        v.as_string()
    }
    fn as_bool(v: &JsValue) -> Option<bool> {
        v.as_bool()
    }
    fn as_f64(v: &JsValue) -> Option<f64> {
        v.as_f64()
    }
    fn items(v: &JsValue) -> Option<Vec<JsValue>> {
        js_sys::Array::is_array(v).then(|| v.unchecked_ref::<js_sys::Array>().iter().collect())
    }
    fn keys(v: &JsValue) -> Option<Vec<String>> {
        (v.is_object() && !js_sys::Array::is_array(v)).then(|| {
            js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>())
                .iter()
                .filter_map(|k| k.as_string())
                .collect()
        })
    }
}

/// A save's report: what the page reads of it, and the reply as it goes to the popup.
struct Report {
    said: SaveReport,
    raw: JsValue,
}

/// A refusal with text already in the user's language.
fn refused(text: String) -> Report {
    let message = Say::plain(text);
    Report {
        raw: wire::refused_report::<Js>(&message),
        said: SaveReport::refused(message),
    }
}

/// The worker's reply to a save, retry or poke, read.
fn report(raw: JsValue) -> Result<Report, String> {
    let said = wire::read_save_report::<Js>(&raw).map_err(unexpected)?;
    Ok(Report { said, raw })
}

/// A reply of the worker that does not have the protocol's shape.
fn unexpected(bad: Bad) -> String {
    no_background(&chrome::Error::Serde(bad.to_string()))
}

fn no_background(e: &chrome::Error) -> String {
    tf("content_no_background", &[&e.text()])
}

/// The button's resting label.
fn button_label() -> String {
    t("content_button")
}

const STYLE: &str = r#"
:host { all: initial; }
.wrap { position: fixed; right: 20px; bottom: 20px; z-index: 2147483647;
  display: flex; flex-direction: column; align-items: flex-end; gap: 6px;
  font: 14px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.wrap.top { top: 20px; bottom: auto; flex-direction: column-reverse; }
.wrap.left { left: 20px; right: auto; align-items: flex-start; }
button { all: unset; cursor: pointer; background: #c82703; color: #fff; font-weight: 600;
  padding: 10px 16px; border-radius: 22px; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
button:hover { background: #a82102; }
button:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
button[disabled] { opacity: .7; cursor: progress; }
.status { max-width: 320px; background: #fff; color: #222; padding: 6px 10px; border-radius: 8px;
  box-shadow: 0 1px 4px rgba(0,0,0,.2); }
.status:empty { display: none; }
.status.error { color: #b00020; }
"#;

thread_local! {
    /// Keeps the DOM observer and storage listener alive for the page's lifetime.
    static KEEP: RefCell<Vec<Box<dyn std::any::Any>>> = const { RefCell::new(Vec::new()) };
    /// Whether the button is shown, and its corner (the settings it reads).
    static BUTTON: Cell<ButtonSettings> = Cell::new(ButtonSettings::default());
    /// Our host element: re-attached as it is (button state kept) when the page removes it.
    static HOST: RefCell<Option<Element>> = const { RefCell::new(None) };
    /// Re-insertions in the current second, and until when re-insertion pauses, so a
    /// page that removes the host in a loop cannot make us spin with it.
    static REINSERT: RefCell<(f64, u32, f64)> = const { RefCell::new((0.0, 0, 0.0)) };
    /// The page's last save with failures, offered for a retry on the button.
    static RETRY: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Shop documents read for this page view, sent with each later request so
    /// that none is read twice; dropped when the page shows another product.
    static HELD: RefCell<HeldDocuments> = RefCell::new(HeldDocuments::default());
    /// The product the page showed when it last announced its page view, and
    /// since when (`performance.now()`): its resource timeline counts from there.
    static VIEWED: RefCell<String> = const { RefCell::new(String::new()) };
    static VIEW_START: RefCell<f64> = const { RefCell::new(0.0) };
    /// When the page last heard of the save it follows (ms), and whether a
    /// watch over it runs (see [`watch_save`]).
    static HEARD: RefCell<f64> = const { RefCell::new(0.0) };
    static WATCHING_SAVE: RefCell<bool> = const { RefCell::new(false) };
    /// The batch this page is following.
    static BATCH: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The latest progress received, which may arrive before the save's reply.
    static LAST: RefCell<Option<alisave_core::engine::Progress>> = const { RefCell::new(None) };
    /// Ports of open popups following this page's media.
    static PORTS: RefCell<Vec<chrome::Port>> = const { RefCell::new(Vec::new()) };
    /// Signature of the page's media last told to the popups, and whether a check is due.
    static MEDIA: RefCell<(u64, bool)> = const { RefCell::new((0, false)) };
    /// The media observer, and the shadow roots it watches besides the document
    /// (a document observer does not see inside shadow roots, where the new
    /// AliExpress pages render their description).
    static MEDIA_OBSERVER: RefCell<Option<MutationObserver>> = const { RefCell::new(None) };
    static WATCHED_ROOTS: RefCell<Vec<web_sys::ShadowRoot>> = const { RefCell::new(Vec::new()) };
}

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

#[wasm_bindgen(start)]
fn start() {
    let Some(doc) = document() else { return };
    let href = doc
        .location()
        .and_then(|l| l.href().ok())
        .unwrap_or_default();
    // The manifest already limits us to product pages; check again so that a
    // mistake there can never put the button elsewhere.
    if alisave_core::url::product_page(&href).is_none() {
        return;
    }
    ensure_button();
    watch_dom();
    announce_page_view(true);
    watch_page_views();
    listen_to_popup();
    listen_to_popup_ports();
    spawn_local(async {
        let stored = chrome::storage_get_js(Area::Local, STORAGE_KEY).await.ok();
        apply_settings(stored_settings(stored));
    });
    let listener = chrome::on_storage_changed_js(|area, key, new_value| {
        if area == "local" && key == STORAGE_KEY {
            apply_settings(stored_settings(Some(new_value)));
        }
    });
    KEEP.with(|k| k.borrow_mut().push(Box::new(listener)));
}

/// The button's settings from what is stored (`undefined` when nothing is).
fn stored_settings(stored: Option<JsValue>) -> ButtonSettings {
    let stored = stored.filter(|v| !v.is_undefined());
    ButtonSettings::from_stored::<Js>(stored.as_ref())
}

/// The product id of the page's current URL (empty when it shows none).
fn current_product() -> String {
    document()
        .and_then(|d| d.location())
        .and_then(|l| l.href().ok())
        .and_then(|u| alisave_core::url::product_page(&u))
        .map(|p| p.product_id)
        .unwrap_or_default()
}

/// Tells the worker that this page view is the tab's current one (it forgets
/// what other page views of the tab loaded): at start, after a restore from the
/// back/forward cache (`always`), and when the page moved to another product.
fn announce_page_view(always: bool) {
    let product = current_product();
    if product.is_empty() {
        return;
    }
    let previous = VIEWED.with(|v| v.replace(product.clone()));
    let changed = previous != product;
    if changed && !previous.is_empty() {
        // Another product in the same document: its requests start now.
        VIEW_START.with(|s| *s.borrow_mut() = performance_now());
    }
    if !(always || changed) {
        return;
    }
    // Documents held for another product are dropped here.
    HELD.with(|h| {
        h.borrow_mut().for_product(&product);
    });
    let url = document()
        .and_then(|d| d.location())
        .and_then(|l| l.href().ok())
        .unwrap_or_default();
    spawn_local(async move {
        if let Err(e) = send(&wire::page_view::<Js>(&url)).await.and_then(report) {
            warn(&[&e]);
        }
    });
}

/// `performance.now()` of the page (0 when unavailable).
fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The URLs of the page's resource timeline since it showed its current product
/// that are shop API requests (the worker keeps the usable ones). The page's
/// own record of what it loaded, including answers the webRequest listener
/// never saw (served from Blink's memory cache, or before the worker ran).
fn loaded_api_urls() -> Vec<String> {
    let since = VIEW_START.with(|s| *s.borrow());
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else {
        return Vec::new();
    };
    let entries = perf.get_entries_by_type("resource");
    let mut out = Vec::new();
    for e in entries.iter() {
        let name = js_sys::Reflect::get(&e, &"name".into())
            .ok()
            .and_then(|v| v.as_string());
        let start = js_sys::Reflect::get(&e, &"startTime".into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        if let Some(name) = name {
            if start >= since && alisave_core::page_view::classify_request(&name).is_some() {
                out.push(name);
            }
        }
    }
    out
}

/// Follows the page's own navigations inside this document (`history.pushState`,
/// through the Navigation API) and restores from the back/forward cache.
fn watch_page_views() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_show = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let persisted = js_sys::Reflect::get(&e, &"persisted".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if persisted {
            announce_page_view(true);
        }
    });
    let _ = window.add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
    KEEP.with(|k| k.borrow_mut().push(Box::new(on_show)));
    let on_entry = Closure::<dyn FnMut()>::new(|| announce_page_view(false));
    let navigation = js_sys::Reflect::get(&window, &"navigation".into())
        .ok()
        .and_then(|n| n.dyn_into::<web_sys::EventTarget>().ok());
    let target: web_sys::EventTarget = match navigation {
        Some(n) => {
            let _ = n.add_event_listener_with_callback(
                "currententrychange",
                on_entry.as_ref().unchecked_ref(),
            );
            n
        }
        // Without the Navigation API: back/forward between same-document entries.
        None => {
            let _ = window
                .add_event_listener_with_callback("popstate", on_entry.as_ref().unchecked_ref());
            window.into()
        }
    };
    KEEP.with(|k| k.borrow_mut().push(Box::new((on_entry, target))));
}

fn apply_settings(s: ButtonSettings) {
    BUTTON.with(|b| b.set(s));
    if let Some(root) = HOST
        .with(|h| h.borrow().clone())
        .and_then(|h| h.shadow_root())
    {
        if let Ok(Some(wrap)) = root.query_selector(".wrap") {
            wrap.set_class_name(s.wrap_class());
            let _ = wrap.set_attribute("data-alisave-position", s.position.as_str());
        }
    }
    if s.show {
        ensure_button();
    } else if let Some(host) = HOST.with(|h| h.borrow().clone()) {
        host.remove();
    }
}

/// Most re-insertions per second before pausing.
const MAX_REINSERTS_PER_SECOND: u32 = 10;
/// How long re-insertion pauses after that (ms).
const REINSERT_PAUSE_MS: f64 = 300.0;

/// Puts the host element in the page unless it is already there. Idempotent.
fn ensure_button() {
    if !BUTTON.with(|b| b.get().show) {
        return;
    }
    let Some(doc) = document() else { return };
    let ours = HOST.with(|h| h.borrow().clone());
    let Some(host) = ours else {
        if let Err(e) = inject(&doc) {
            web_sys::console::warn_2(&"[AliSavePro] could not add the button:".into(), &e);
        }
        return;
    };
    let in_place = host.is_connected() && doc.get_element_by_id(HOST_ID).is_some_and(|e| e == host);
    if in_place {
        return;
    }
    let now = js_sys::Date::now();
    let allowed = REINSERT.with(|r| {
        let (window, count, paused_until) = &mut *r.borrow_mut();
        if now < *paused_until {
            return false;
        }
        if now - *window > 1000.0 {
            *window = now;
            *count = 0;
        }
        *count += 1;
        if *count > MAX_REINSERTS_PER_SECOND {
            *paused_until = now + REINSERT_PAUSE_MS;
            // A fresh allowance once the pause is over.
            *window = *paused_until;
            *count = 0;
            return false;
        }
        true
    });
    if !allowed {
        schedule_retry();
        return;
    }
    // Elements of the page that took our id are not ours: they go.
    while let Some(impostor) = doc.get_element_by_id(HOST_ID) {
        if impostor == host {
            break;
        }
        impostor.remove();
    }
    if let Some(parent) = doc.document_element() {
        let _ = parent.append_child(&host);
    }
}

/// Tries again once the re-insertion pause is over (one timer at a time).
fn schedule_retry() {
    thread_local! {
        static PENDING: RefCell<bool> = const { RefCell::new(false) };
    }
    if PENDING.with(|p| p.replace(true)) {
        return;
    }
    spawn_local(async {
        alisave_chrome::sleep_ms(REINSERT_PAUSE_MS + 50.0).await;
        PENDING.with(|p| *p.borrow_mut() = false);
        ensure_button();
    });
}

fn inject(doc: &Document) -> Result<(), JsValue> {
    let host = doc.create_element("div")?;
    host.set_id(HOST_ID);
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let style = doc.create_element("style")?;
    style.set_text_content(Some(STYLE));
    let wrap = doc.create_element("div")?;
    let settings = BUTTON.with(Cell::get);
    wrap.set_class_name(settings.wrap_class());
    wrap.set_attribute("data-alisave-position", settings.position.as_str())?;
    let status = doc.create_element("div")?;
    status.set_class_name("status");
    status.set_attribute("data-alisave-status", "")?;
    status.set_attribute("role", "status")?;
    status.set_attribute("aria-live", "polite")?;
    let button: HtmlButtonElement = doc.create_element("button")?.dyn_into()?;
    button.set_type("button");
    button.set_attribute("data-alisave-action", "download-all")?;
    button.set_text_content(Some(&button_label()));
    let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        // Only the user's own clicks: a page script can reach an open shadow root
        // and synthesise a click (isTrusted = false); that must not start a save.
        if !ev.is_trusted() {
            return;
        }
        spawn_local(async {
            match RETRY.with(|r| r.borrow_mut().take()) {
                Some(batch_id) => {
                    run_retry(batch_id).await;
                }
                None => {
                    run_save(None, None).await;
                }
            }
        })
    });
    button.set_onclick(Some(on_click.as_ref().unchecked_ref()));
    on_click.forget(); // lives as long as the button
    wrap.append_child(&status)?;
    wrap.append_child(&button)?;
    root.append_child(&style)?;
    root.append_child(&wrap)?;
    // <html> rather than <body>: pages that re-render their body keep our host.
    let parent: Element = doc.document_element().ok_or("no document element")?;
    parent.append_child(&host)?;
    HOST.with(|h| *h.borrow_mut() = Some(host));
    Ok(())
}

/// Re-adds the button whenever the page's re-rendering removes it.
fn watch_dom() {
    let Some(doc) = document() else { return };
    let Some(root) = doc.document_element() else {
        return;
    };
    let callback = Closure::<dyn FnMut()>::new(ensure_button);
    let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    if observer.observe_with_options(&root, &init).is_ok() {
        KEEP.with(|k| {
            k.borrow_mut().push(Box::new(callback));
            k.borrow_mut().push(Box::new(observer));
        });
    }
}

fn parts() -> Option<(HtmlButtonElement, Element)> {
    let root = HOST.with(|h| h.borrow().clone())?.shadow_root()?;
    let button = root
        .query_selector("button[data-alisave-action]")
        .ok()??
        .dyn_into()
        .ok()?;
    let status = root.query_selector("[data-alisave-status]").ok()??;
    Some((button, status))
}

fn show(text: &str, error: bool) {
    if let Some((_, status)) = parts() {
        status.set_text_content(Some(text));
        status.set_class_name(if error { "status error" } else { "status" });
    }
}

/// Saves (everything enabled, or the popup's selection), showing progress and the
/// outcome on the in-page button. Returns the background's report.
async fn run_save(only: Option<&[String]>, request_id: Option<String>) -> Report {
    let button = parts().map(|(b, _)| b);
    if let Some(b) = &button {
        if b.disabled() {
            // Keyed, so the queue reads it as "busy", not as a failure.
            let message = alisave_core::say::t("content_busy");
            return Report {
                raw: wire::refused_report::<Js>(&message),
                said: SaveReport::refused(message),
            };
        }
        b.set_disabled(true);
        b.set_text_content(Some(&t("content_saving")));
    }
    show("", false);
    let reply = request_save(only, request_id).await;
    let report = &reply.said;
    let mut text = said(&report.message);
    if !report.failed.is_empty() {
        text.push(' ');
        text.push_str(&said(&alisave_core::protocol::failure_summary(
            &report.failed,
        )));
    }
    show(&text, !report.ok);
    BATCH.with(|b| *b.borrow_mut() = report.batch_id.clone());
    if report.batch_id.is_some() {
        watch_save();
    }
    if let Some((button, status)) = parts() {
        // Machine-readable outcome next to the sentence (for tests and the demo).
        for a in [
            "data-alisave-finished",
            "data-alisave-done",
            "data-alisave-failed-final",
        ] {
            let _ = status.remove_attribute(a);
        }
        let _ = status.set_attribute("data-alisave-started", &count(report.started.len()));
        let _ = status.set_attribute("data-alisave-failed", &count(report.failed.len()));
        let _ = status.set_attribute("data-alisave-folder", &report.folder);
        if report.batch_id.is_none() {
            button.set_disabled(false);
            button.set_text_content(Some(&button_label()));
        }
    }
    // Progress that overtook the reply.
    if let Some(p) = LAST.with(|l| l.borrow().clone()) {
        if report.batch_id.as_deref() == Some(p.batch_id.as_str()) {
            on_progress(&p);
        }
    }
    reply
}

/// Retries the failed files of `batch_id` (from the button or the popup) and
/// returns the background's answer.
async fn run_retry(batch_id: String) -> Report {
    RETRY.with(|r| *r.borrow_mut() = None);
    if let Some((b, status)) = parts() {
        b.set_disabled(true);
        for a in [
            "data-alisave-finished",
            "data-alisave-done",
            "data-alisave-failed-final",
        ] {
            let _ = status.remove_attribute(a);
        }
    }
    BATCH.with(|b| *b.borrow_mut() = Some(batch_id.clone()));
    watch_save();
    let reply = send(&wire::retry::<Js>(&batch_id))
        .await
        .and_then(report)
        .unwrap_or_else(refused);
    if reply.said.ok {
        show(&said(&reply.said.message), false);
        if let Some((b, _)) = parts() {
            b.set_text_content(Some(&t("content_saving")));
        }
    } else {
        finish_with(&said(&reply.said.message), true);
    }
    reply
}

/// While the save this page follows is unfinished, pokes the worker when no
/// news came for a while (`core::engine::should_poke`): a worker stopped during a
/// backoff, or a lost download event, then delays the save by seconds, not until
/// something else happens to wake the worker.
fn watch_save() {
    HEARD.with(|h| *h.borrow_mut() = chrome::now_ms());
    if WATCHING_SAVE.with(|w| w.replace(true)) {
        return;
    }
    spawn_local(async {
        loop {
            chrome::sleep_ms(alisave_core::engine::POKE_AFTER_MS / 2.0).await;
            let Some(batch_id) = BATCH.with(|b| b.borrow().clone()) else {
                break;
            };
            let finished = LAST.with(|l| {
                l.borrow()
                    .as_ref()
                    .is_some_and(|p| p.batch_id == batch_id && p.finished)
            });
            let heard = HEARD.with(|h| *h.borrow());
            if finished {
                break;
            }
            if alisave_core::engine::should_poke(heard, chrome::now_ms(), false) {
                HEARD.with(|h| *h.borrow_mut() = chrome::now_ms());
                let _ = send(&wire::poke::<Js>(&batch_id)).await;
            }
        }
        WATCHING_SAVE.with(|w| *w.borrow_mut() = false);
    });
}

fn finish_with(message: &str, error: bool) {
    show(message, error);
    if let Some((b, _)) = parts() {
        b.set_disabled(false);
        b.set_text_content(Some(&button_label()));
    }
}

/// Progress from the background: "12 / 40" on the button, then the final report;
/// failures turn the button into a retry.
fn on_progress(p: &alisave_core::engine::Progress) {
    HEARD.with(|h| *h.borrow_mut() = chrome::now_ms());
    LAST.with(|l| *l.borrow_mut() = Some(p.clone()));
    let ours = BATCH.with(|b| b.borrow().as_deref() == Some(p.batch_id.as_str()));
    if !ours {
        return;
    }
    let Some((button, status)) = parts() else {
        return;
    };
    if !p.finished {
        button.set_text_content(Some(&tf(
            "content_progress",
            &[&count(p.done + p.failed), &count(p.total)],
        )));
        return;
    }
    show(&said(&p.message), p.failed > 0);
    let _ = status.set_attribute("data-alisave-done", &count(p.done));
    let _ = status.set_attribute("data-alisave-failed-final", &count(p.failed));
    let _ = status.set_attribute("data-alisave-finished", "true");
    button.set_disabled(false);
    if p.failed > 0 {
        RETRY.with(|r| *r.borrow_mut() = Some(p.batch_id.clone()));
        button.set_text_content(Some(&tn("content_retry", p.failed, &[])));
    } else {
        RETRY.with(|r| *r.borrow_mut() = None);
        button.set_text_content(Some(&button_label()));
    }
}

/// The page's DOM as HTML, with the content of open shadow roots (the new
/// AliExpress pages render the description in one) as declarative
/// `<template shadowrootmode="open">` elements. Our own host is left out.
/// A JS string: the page's text goes to the worker without passing through
/// this script's memory.
fn page_html(doc: &Document) -> JsValue {
    let Some(root) = doc.document_element() else {
        return JsValue::from_str("");
    };
    let outer = || js_sys::Reflect::get(&root, &"outerHTML".into()).unwrap_or(JsValue::UNDEFINED);
    let roots = js_sys::Array::new();
    if let Ok(all) = doc.query_selector_all("*") {
        for i in 0..all.length() {
            let Some(el) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            if el.id() == HOST_ID {
                continue;
            }
            if let Some(sr) = el.shadow_root() {
                roots.push(&sr);
            }
        }
    }
    let get_html = js_sys::Reflect::get(&root, &"getHTML".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let (Some(get_html), true) = (get_html, roots.length() > 0) else {
        return outer();
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"shadowRoots".into(), &roots);
    let Some(inner) = get_html
        .call1(&root, &options)
        .ok()
        .filter(JsValue::is_string)
    else {
        return outer();
    };
    let mut open = String::from("<html");
    let attrs = root.attributes();
    for i in 0..attrs.length() {
        if let Some(a) = attrs.item(i) {
            let value = a.value().replace('&', "&amp;").replace('"', "&quot;");
            open.push(' ');
            open.push_str(&a.name());
            open.push_str("=\"");
            open.push_str(&value);
            open.push('"');
        }
    }
    open.push('>');
    js_sys::JsString::from(open)
        .concat(&inner)
        .concat(&"</html>".into())
        .into()
}

/// The message asking the worker about the page (`ContentToBg::SaveAll` or
/// `Inspect`), with the page's resource timeline.
fn message(
    ask: Ask<'_>,
    url: &str,
    html: JsValue,
    documents: &[FetchedDocument],
    unavailable: &[Unavailable],
    fetched_needs: bool,
) -> JsValue {
    let loaded = loaded_api_urls();
    wire::page_request::<Js>(
        ask,
        url,
        html,
        documents,
        unavailable,
        fetched_needs,
        &loaded,
    )
}

/// The documents held for `product`.
fn held(product: &str) -> Vec<FetchedDocument> {
    HELD.with(|h| h.borrow_mut().for_product(product).to_vec())
}

/// Keeps documents read for `product`.
fn hold(product: &str, docs: Vec<FetchedDocument>) {
    if !docs.is_empty() {
        HELD.with(|h| h.borrow_mut().keep(product, docs));
    }
}

/// Keeps the documents a reply hands back (and takes them out of it: the popup
/// gets the reply without them); returns the documents it asks for.
fn take_documents(product: &str, reply: &JsValue) -> Result<Vec<String>, String> {
    let docs = wire::read_documents::<Js>(reply).map_err(unexpected)?;
    hold(product, docs.read);
    let mut reply = reply.clone();
    Js::set(&mut reply, "read", Js::array(Vec::new()));
    Ok(docs.need_documents)
}

/// Sends the page, with the documents already read for this page view, to the
/// background; keeps what it read; when it asks for description documents,
/// fetches them here — with the page's origin, exactly as the page itself loads
/// them — and asks again with them. Returns the background's final reply (a
/// `SaveReport` or an `InspectReply`, without the documents it handed back).
async fn ask_background(ask: Ask<'_>) -> Result<JsValue, String> {
    let doc = document().ok_or_else(|| t("content_no_page"))?;
    let url = doc
        .location()
        .and_then(|l| l.href().ok())
        .unwrap_or_default();
    let product = alisave_core::url::product_page(&url)
        .map(|p| p.product_id)
        .unwrap_or_default();
    let html = page_html(&doc);
    let first = send(&message(
        ask,
        &url,
        html.clone(),
        &held(&product),
        &[],
        false,
    ))
    .await?;
    let needed = take_documents(&product, &first)?;
    if needed.is_empty() {
        return Ok(first);
    }
    show(&t("content_loading_description"), false);
    let mut fetched = Vec::new();
    let mut unavailable = Vec::new();
    for url in needed {
        match chrome::fetch_text(&url, false, MAX_DOCUMENT_BYTES).await {
            Ok(body) => fetched.push(FetchedDocument { url, body }),
            // Said here, in the user's language: the worker puts it in the report as is.
            Err(e) => unavailable.push(Unavailable {
                url,
                reason: said(&e.say()),
            }),
        }
    }
    hold(&product, fetched);
    let second = send(&message(
        ask,
        &url,
        html,
        &held(&product),
        &unavailable,
        true,
    ))
    .await?;
    take_documents(&product, &second)?;
    Ok(second)
}

/// Times a save request is sent when the worker stops while handling it.
const SAVE_ATTEMPTS: usize = 3;

async fn request_save(only: Option<&[String]>, request_id: Option<String>) -> Report {
    // One id per click (or the one the queue gave): the worker answers a
    // request sent again with the batch the first one made, so resending after
    // a stopped worker saves nothing twice.
    let request_id = request_id.unwrap_or_else(|| {
        concat(
            &say::decimal((chrome::now_ms() / 1000.0) as u32),
            &["-", &say::decimal((js_sys::Math::random() * 4e9) as u32)],
        )
    });
    let mut last = String::new();
    for _ in 0..SAVE_ATTEMPTS {
        let ask = Ask::Save {
            only,
            request_id: &request_id,
        };
        match ask_background(ask).await.and_then(report) {
            Ok(report) => return report,
            // The worker stopped while it handled the request (Chrome may stop or
            // replace it at any time): the next message starts a new one.
            Err(e) if worker_stopped(&e) => last = e,
            Err(e) => return refused(e),
        }
    }
    refused(last)
}

/// Whether a failed message means the worker went away mid-request (Chrome's
/// wording), as opposed to a refusal or a missing extension.
fn worker_stopped(error: &str) -> bool {
    // A plain byte search: `str::contains` brings a string-search algorithm
    // larger than this whole check into the script.
    let has = |needle: &str| {
        error
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    has("message channel closed") || has("Receiving end does not exist")
}

async fn send(msg: &JsValue) -> Result<JsValue, String> {
    chrome::send_message_js(msg)
        .await
        .map_err(|e| no_background(&e))
}

/// Whether a sender (`sender.id`, `sender.url`) is one of this extension's pages.
fn from_own_page(id: Option<&str>, url: Option<&str>) -> bool {
    let own = chrome::runtime_id();
    id == Some(own.as_str())
        && url.is_some_and(|u| {
            u.strip_prefix("chrome-extension://")
                .and_then(|rest| rest.strip_prefix(own.as_str()))
                .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Messages from the extension's own pages (the popup): forwarded through the
/// same validated channel as the button. Anything else is ignored.
fn listen_to_popup() {
    chrome::on_message(|msg: JsValue, sender: JsValue| async move {
        let from_us = from_own_page(
            chrome::get_string(&sender, "id").as_deref(),
            chrome::get_string(&sender, "url").as_deref(),
        );
        if !from_us {
            return JsValue::NULL;
        }
        match wire::read_to_content::<Js>(&msg) {
            Ok(ToContent::Retry { batch_id }) => run_retry(batch_id).await.raw,
            Ok(ToContent::Inspect) => {
                // Reading is harmless to repeat: once more if the worker stopped.
                let reply = match ask_background(Ask::Inspect).await {
                    Err(e) if worker_stopped(&e) => ask_background(Ask::Inspect).await,
                    other => other,
                };
                reply.unwrap_or_else(|message| wire::inspect_refused::<Js>(&Say::plain(message)))
            }
            Ok(ToContent::Progress(progress)) => {
                on_progress(&progress);
                JsValue::TRUE
            }
            Ok(ToContent::Save { only }) => run_save(Some(&only), None).await.raw,
            Ok(ToContent::SavePage { request_id }) => run_save(None, Some(request_id)).await.raw,
            Err(_) => JsValue::NULL,
        }
    });
}

/// Popups of this extension open a port to follow the page's media while they
/// are open; a change (an image added, a description that loaded late) is told
/// to them, and they ask for the inventory again through the usual channel.
fn listen_to_popup_ports() {
    chrome::on_connect(|port| {
        let (id, url) = port.sender();
        let from_us = from_own_page(id.as_deref(), url.as_deref());
        if port.name() != POPUP_PORT || !from_us {
            return;
        }
        thread_local! {
            static WATCHING: RefCell<bool> = const { RefCell::new(false) };
        }
        if !WATCHING.with(|w| w.replace(true)) {
            watch_media();
        }
        // (After the observer exists: reading the media also watches the shadow roots.)
        MEDIA.with(|m| m.borrow_mut().0 = media_signature());
        let gone = port.clone();
        port.on_disconnect(move || PORTS.with(|p| p.borrow_mut().retain(|x| !x.same(&gone))));
        PORTS.with(|p| p.borrow_mut().push(port));
    });
}

/// Observes the page for media changes (elements added or removed, `src` changes).
fn watch_media() {
    let Some(root) = document().and_then(|d| d.document_element()) else {
        return;
    };
    let callback = Closure::<dyn FnMut()>::new(media_maybe_changed);
    let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    if observer
        .observe_with_options(&root, &media_observer_init())
        .is_ok()
    {
        KEEP.with(|k| k.borrow_mut().push(Box::new(callback)));
        MEDIA_OBSERVER.with(|o| *o.borrow_mut() = Some(observer));
    }
}

/// What the media observer watches: nodes added or removed anywhere below, and
/// media source attributes.
fn media_observer_init() -> MutationObserverInit {
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    init.set_attributes(true);
    let filter = js_sys::Array::of3(&"src".into(), &"srcset".into(), &"poster".into());
    init.set_attribute_filter(&filter);
    init
}

/// Adds `root` to what the media observer watches, once. Shadow roots are found
/// when the page's media are read (at the popup's connection and after every
/// change), so one attached after the page loaded is watched from the next change
/// of the document, the one that inserted its host.
fn watch_shadow_root(root: web_sys::ShadowRoot) {
    if WATCHED_ROOTS.with(|w| w.borrow().iter().any(|r| r == &root)) {
        return;
    }
    let watched = MEDIA_OBSERVER.with(|o| {
        o.borrow().as_ref().is_some_and(|observer| {
            observer
                .observe_with_options(&root, &media_observer_init())
                .is_ok()
        })
    });
    if watched {
        WATCHED_ROOTS.with(|w| w.borrow_mut().push(root));
    }
}

/// How long the page must be quiet before its media are compared (ms).
const MEDIA_QUIET_MS: f64 = 250.0;

/// Called on DOM changes: when popups listen, compares the page's media (after a
/// short quiet time, so a burst of changes is one message) and tells them.
fn media_maybe_changed() {
    if PORTS.with(|p| p.borrow().is_empty())
        || MEDIA.with(|m| m.replace_with(|&mut (s, _)| (s, true)).1)
    {
        return;
    }
    spawn_local(async {
        chrome::sleep_ms(MEDIA_QUIET_MS).await;
        let now = media_signature();
        let changed = MEDIA.with(|m| {
            let (before, _) = m.replace((now, false));
            before != now
        });
        if changed {
            PORTS.with(|p| {
                p.borrow_mut()
                    .retain(|port| port.post_js(&wire::media_changed::<Js>()).is_ok())
            });
        }
    });
}

/// A hash of the media sources on the page (its DOM and open shadow roots,
/// our own host left out): it changes when the page adds, removes or swaps media.
fn media_signature() -> u64 {
    const SELECTOR: &str = "img, video, source, template";
    let Some(doc) = document() else { return 0 };
    // FNV-1a over every source, in document order.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |text: &str| {
        for b in text.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut read = |list: web_sys::NodeList| {
        for i in 0..list.length() {
            let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            for a in ["src", "srcset", "poster"] {
                if let Some(v) = el.get_attribute(a) {
                    add(&v);
                }
            }
            if el.tag_name().eq_ignore_ascii_case("template") {
                add(&el.inner_html());
            }
        }
    };
    if let Ok(list) = doc.query_selector_all(SELECTOR) {
        read(list);
    }
    if let Ok(all) = doc.query_selector_all("*") {
        for i in 0..all.length() {
            let Some(el) = all.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            if el.id() == HOST_ID {
                continue;
            }
            if let Some(root) = el.shadow_root() {
                if let Ok(list) = root.query_selector_all(SELECTOR) {
                    read(list);
                }
                watch_shadow_root(root);
            }
        }
    }
    hash
}
