//! Thin bindings to the `chrome.*` extension APIs AliSavePro uses.
//!
//! Architecture invariant: this is the only crate that names `chrome.*`, and it
//! holds no business logic. Each function maps to one API call; MV3 APIs return
//! promises, which are awaited here and converted with serde-wasm-bindgen.
//! Reference: <https://developer.chrome.com/docs/extensions/reference/api>.
//!
//! Why hand-written: no maintained crate covers `webRequest`, the full
//! `downloads` API and `storage.onChanged` together (see ARCHITECTURE.md).

/// Why a fetch brought no usable body: the pure crate's type, so that each part
/// says it to the user in the user's language.
pub use alisave_core::fetch::FetchFailure as FetchError;
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub mod i18n;
pub mod locks;
pub mod saving;

mod sys {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
        pub fn storage_local_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = set, catch)]
        pub fn storage_local_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = get, catch)]
        pub fn storage_session_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = set, catch)]
        pub fn storage_session_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = remove, catch)]
        pub fn storage_session_remove(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = remove, catch)]
        pub fn storage_local_remove(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "onChanged"], js_name = addListener)]
        pub fn storage_on_changed_add_listener(cb: &js_sys::Function);
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "onChanged"], js_name = removeListener)]
        pub fn storage_on_changed_remove_listener(cb: &js_sys::Function);

        #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = sendMessage, catch)]
        pub fn runtime_send_message(msg: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getURL)]
        pub fn runtime_get_url(path: &str) -> String;
        #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getContexts, catch)]
        pub fn runtime_get_contexts(filter: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = id, thread_local_v2)]
        pub static RUNTIME_ID: JsValue;

        #[wasm_bindgen(js_namespace = ["chrome", "downloads"], js_name = download, catch)]
        pub fn downloads_download(options: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "downloads"], js_name = search, catch)]
        pub fn downloads_search(query: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = get, catch)]
        pub fn storage_session_get_all(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;

        #[wasm_bindgen(js_namespace = ["chrome", "runtime", "onMessage"], js_name = addListener)]
        pub fn runtime_on_message_add_listener(cb: &js_sys::Function);
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = sendMessage, catch)]
        pub fn tabs_send_message(tab_id: f64, msg: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = get, catch)]
        pub fn tabs_get(tab_id: f64) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = query, catch)]
        pub fn tabs_query(query: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = remove, catch)]
        pub fn tabs_remove(tab_id: f64) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = update, catch)]
        pub fn tabs_update(tab_id: f64, props: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "windows"], js_name = update, catch)]
        pub fn windows_update(window_id: f64, props: &JsValue) -> Result<js_sys::Promise, JsValue>;

        #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getMessage)]
        pub fn i18n_get_message(name: &str, substitutions: &js_sys::Array) -> JsValue;
        #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getUILanguage)]
        pub fn i18n_get_ui_language() -> String;

        #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setBadgeText, catch)]
        pub fn action_set_badge_text(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    }
}

/// An error from a chrome API call or from converting its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The API threw or its promise rejected (message from Chrome).
    Js(String),
    /// The data did not have the expected shape.
    Serde(String),
}

impl Error {
    /// What [`std::fmt::Display`] writes, without the formatting machinery (the
    /// content script, compiled to JS, carries none).
    pub fn text(&self) -> String {
        let (what, m) = match self {
            Error::Js(m) => ("browser error: ", m),
            Error::Serde(m) => ("unexpected data: ", m),
        };
        let mut out = String::with_capacity(what.len() + m.len());
        out.push_str(what);
        out.push_str(m);
        out
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::error::Error for Error {}

/// Best human-readable text of a thrown JS value.
pub fn js_error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

fn js(e: JsValue) -> Error {
    Error::Js(js_error_text(&e))
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, Error> {
    // Maps become plain objects, which chrome.* APIs and storage expect.
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).map_err(|e| Error::Serde(e.to_string()))
}

/// Converts a JS value to a Rust type.
pub fn from_js<T: DeserializeOwned>(v: JsValue) -> Result<T, Error> {
    serde_wasm_bindgen::from_value(v).map_err(|e| Error::Serde(e.to_string()))
}

/// Converts a Rust value to a plain JS value.
pub fn to_js_value<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, Error> {
    to_js(v)
}

async fn call(p: Result<js_sys::Promise, JsValue>) -> Result<JsValue, Error> {
    JsFuture::from(p.map_err(js)?).await.map_err(js)
}

/// Which `chrome.storage` area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// `chrome.storage.local`: settings.
    Local,
    /// `chrome.storage.session`: per-tab state of the service worker (cleared on browser exit).
    Session,
}

/// `chrome.storage.<area>.get(key)`: the stored value as JSON, `None` when absent.
pub async fn storage_get(area: Area, key: &str) -> Result<Option<serde_json::Value>, Error> {
    let value = storage_get_js(area, key).await?;
    if value.is_undefined() {
        return Ok(None);
    }
    from_js(value).map(Some)
}

/// The value stored under `key`, read as a `T`: `Ok(None)` when there is
/// none or it does not read as a `T` (an older or damaged form: the caller
/// starts afresh), `Err` when storage itself could not be read.
pub async fn storage_read<T: DeserializeOwned>(area: Area, key: &str) -> Result<Option<T>, Error> {
    Ok(storage_get(area, key)
        .await?
        .and_then(|v| serde_json::from_value(v).ok()))
}

/// `chrome.storage.<area>.get(key)`: the stored value as it is (`undefined`
/// when absent).
pub async fn storage_get_js(area: Area, key: &str) -> Result<JsValue, Error> {
    let keys = JsValue::from_str(key);
    let got = match area {
        Area::Local => call(sys::storage_local_get(&keys)).await?,
        Area::Session => call(sys::storage_session_get(&keys)).await?,
    };
    js_sys::Reflect::get(&got, &keys).map_err(js)
}

/// `chrome.storage.<area>.set({key: value})`.
pub async fn storage_set<T: Serialize + ?Sized>(
    area: Area,
    key: &str,
    value: &T,
) -> Result<(), Error> {
    let obj = js_sys::Object::new();
    js_sys::Reflect::set(&obj, &JsValue::from_str(key), &to_js(value)?).map_err(js)?;
    match area {
        Area::Local => call(sys::storage_local_set(&obj)).await?,
        Area::Session => call(sys::storage_session_set(&obj)).await?,
    };
    Ok(())
}

/// `chrome.storage.session.remove(key)`.
pub async fn session_remove(key: &str) -> Result<(), Error> {
    call(sys::storage_session_remove(&JsValue::from_str(key))).await?;
    Ok(())
}

/// `chrome.storage.session.remove([keys…])`: one call for all of them.
pub async fn session_remove_all(keys: &[String]) -> Result<(), Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let list: js_sys::Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
    call(sys::storage_session_remove(&list)).await?;
    Ok(())
}

/// `chrome.storage.session.get([keys…])`: each key's string value (`None` when
/// absent or not a string), in the order of `keys`, read in one call.
pub async fn session_strings(keys: &[String]) -> Result<Vec<Option<String>>, Error> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let list: js_sys::Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
    let got = call(sys::storage_session_get(&list)).await?;
    keys.iter()
        .map(|k| {
            js_sys::Reflect::get(&got, &JsValue::from_str(k))
                .map(|v| v.as_string())
                .map_err(js)
        })
        .collect()
}

/// `chrome.storage.session.set({…})` of several keys in one call (one write:
/// all of them are stored, or none): `value` under `key`, and each of
/// `strings` as a string value under its key.
pub async fn session_set_with<T: Serialize + ?Sized>(
    key: &str,
    value: &T,
    strings: &[(String, String)],
) -> Result<(), Error> {
    let obj = js_sys::Object::new();
    js_sys::Reflect::set(&obj, &JsValue::from_str(key), &to_js(value)?).map_err(js)?;
    for (k, v) in strings {
        js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v)).map_err(js)?;
    }
    call(sys::storage_session_set(&obj)).await?;
    Ok(())
}

/// `chrome.storage.local.remove(key)`.
pub async fn local_remove(key: &str) -> Result<(), Error> {
    call(sys::storage_local_remove(&JsValue::from_str(key))).await?;
    Ok(())
}

/// A change of one storage key, as delivered by `chrome.storage.onChanged`.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageChange {
    pub area: String,
    pub key: String,
    pub new_value: Option<serde_json::Value>,
}

/// Subscription to `chrome.storage.onChanged`; removes the listener when dropped.
pub struct StorageListener {
    closure: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl Drop for StorageListener {
    fn drop(&mut self) {
        sys::storage_on_changed_remove_listener(self.closure.as_ref().unchecked_ref());
    }
}

/// Calls `f` for every changed key in every storage area.
pub fn on_storage_changed(mut f: impl FnMut(StorageChange) + 'static) -> StorageListener {
    on_storage_changed_js(move |area, key, new_value| {
        f(StorageChange {
            area: area.to_string(),
            key,
            new_value: Some(new_value)
                .filter(|v| !v.is_undefined())
                .and_then(|v| from_js(v).ok()),
        })
    })
}

/// Calls `f(area, key, newValue)` for every changed key in every storage area
/// (`newValue` as it is: `undefined` when the key was removed).
pub fn on_storage_changed_js(
    mut f: impl FnMut(&str, String, JsValue) + 'static,
) -> StorageListener {
    let closure =
        Closure::<dyn FnMut(JsValue, JsValue)>::new(move |changes: JsValue, area: JsValue| {
            let area = area.as_string().unwrap_or_default();
            let keys = js_sys::Object::keys(changes.unchecked_ref::<js_sys::Object>());
            for key in keys.iter() {
                let Some(key_str) = key.as_string() else {
                    continue;
                };
                let change = js_sys::Reflect::get(&changes, &key).unwrap_or(JsValue::UNDEFINED);
                let new_value = js_sys::Reflect::get(&change, &JsValue::from_str("newValue"))
                    .unwrap_or(JsValue::UNDEFINED);
                f(&area, key_str, new_value);
            }
        });
    sys::storage_on_changed_add_listener(closure.as_ref().unchecked_ref());
    StorageListener { closure }
}

/// `chrome.runtime.sendMessage(msg)` and its reply.
pub async fn send_message<T: Serialize + ?Sized, R: DeserializeOwned>(msg: &T) -> Result<R, Error> {
    from_js(send_message_js(&to_js(msg)?).await?)
}

/// `chrome.runtime.sendMessage(msg)` and its reply, as JS values (none at all is
/// an error: the background did not reply).
pub async fn send_message_js(msg: &JsValue) -> Result<JsValue, Error> {
    let reply = call(sys::runtime_send_message(msg)).await?;
    if reply.is_undefined() {
        return Err(Error::Js("no reply from the extension's background".into()));
    }
    Ok(reply)
}

/// `chrome.runtime.id`.
pub fn runtime_id() -> String {
    sys::RUNTIME_ID.with(|v| v.as_string()).unwrap_or_default()
}

/// `chrome.runtime.getURL(path)`.
pub fn runtime_url(path: &str) -> String {
    sys::runtime_get_url(path)
}

/// The URLs of the extension's own pages open in tabs
/// (`chrome.runtime.getContexts`, Chrome 116+; no permission needed).
pub async fn extension_tab_urls() -> Result<Vec<String>, Error> {
    let filter = js_sys::Object::new();
    let types: js_sys::Array = [JsValue::from_str("TAB")].into_iter().collect();
    js_sys::Reflect::set(&filter, &"contextTypes".into(), &types).map_err(js)?;
    let contexts = call(sys::runtime_get_contexts(&filter)).await?;
    Ok(js_sys::Array::from(&contexts)
        .iter()
        .filter_map(|c| get_string(&c, "documentUrl"))
        .collect())
}

/// Options of `chrome.downloads.download`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadOptions<'a> {
    pub url: &'a str,
    /// Relative path inside the download directory.
    pub filename: &'a str,
    /// `"uniquify"`: never overwrite an existing file.
    pub conflict_action: &'a str,
    /// Whether Chrome shows a Save-As dialog.
    pub save_as: bool,
}

/// `chrome.downloads.download(options)`: the download id.
pub async fn download(options: &DownloadOptions<'_>) -> Result<i32, Error> {
    let id = call(sys::downloads_download(&to_js(options)?)).await?;
    id.as_f64()
        .map(|n| n as i32)
        .ok_or_else(|| Error::Serde("download id is not a number".into()))
}

/// A download as `chrome.downloads.search` reports it, reduced to what we read.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadItem {
    pub id: i64,
    pub url: String,
    /// `in_progress`, `interrupted` or `complete`.
    pub state: String,
    pub error: Option<String>,
    pub filename: Option<String>,
    /// Bytes on disk (known once complete).
    #[serde(default)]
    pub file_size: Option<f64>,
    /// When it started (ISO 8601).
    #[serde(default)]
    pub start_time: Option<String>,
    /// The extension that started it; absent for the user's own downloads.
    #[serde(default)]
    pub by_extension_id: Option<String>,
}

impl DownloadItem {
    /// `start_time` in ms since the epoch (`NaN` when absent or unreadable).
    pub fn start_ms(&self) -> f64 {
        self.start_time
            .as_deref()
            .map(js_sys::Date::parse)
            .unwrap_or(f64::NAN)
    }
}

/// `chrome.downloads.search({url, startedAfter})`: downloads of `url` started
/// after `started_after_ms` (ms since the epoch).
pub async fn downloads_of_url(
    url: &str,
    started_after_ms: f64,
) -> Result<Vec<DownloadItem>, Error> {
    search_since(&[("url", JsValue::from_str(url))], started_after_ms).await
}

/// `chrome.downloads.search` with `query` and `startedAfter`.
async fn search_since(
    query: &[(&str, JsValue)],
    started_after_ms: f64,
) -> Result<Vec<DownloadItem>, Error> {
    let q = js_sys::Object::new();
    for (k, v) in query {
        js_sys::Reflect::set(&q, &JsValue::from_str(k), v).map_err(js)?;
    }
    let iso = js_sys::Date::new(&JsValue::from_f64(started_after_ms)).to_iso_string();
    js_sys::Reflect::set(&q, &"startedAfter".into(), &iso).map_err(js)?;
    from_js(call(sys::downloads_search(&q)).await?)
}

/// `chrome.downloads.search({startedAfter, state: 'complete', limit: 0})`:
/// every complete download started after `started_after_ms` (ms since the
/// epoch), in one call.
pub async fn complete_downloads_since(started_after_ms: f64) -> Result<Vec<DownloadItem>, Error> {
    let query = [
        ("state", JsValue::from_str("complete")),
        ("limit", JsValue::from_f64(0.0)),
    ];
    search_since(&query, started_after_ms).await
}

/// `chrome.downloads.search({id})`.
pub async fn download_by_id(id: i64) -> Result<Option<DownloadItem>, Error> {
    let q = js_sys::Object::new();
    js_sys::Reflect::set(&q, &"id".into(), &JsValue::from_f64(id as f64)).map_err(js)?;
    let items: Vec<DownloadItem> = from_js(call(sys::downloads_search(&q)).await?)?;
    Ok(items.into_iter().next())
}

/// Every key of `chrome.storage.session` with its value.
pub async fn session_all() -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    from_js(call(sys::storage_session_get_all(&JsValue::NULL)).await?)
}

/// Resolves after `ms` milliseconds (`setTimeout` of the current global).
pub async fn sleep_ms(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        if let Ok(set_timeout) = js_sys::Reflect::get(&global, &"setTimeout".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = set_timeout.call2(&global, &resolve, &JsValue::from_f64(ms.max(0.0)));
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A tab, reduced to what we read.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Tab {
    pub id: Option<i64>,
    pub url: Option<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "windowId")]
    pub window_id: Option<i64>,
}

/// The tabs whose URL matches one of `patterns` (match patterns; only tabs on
/// hosts of our host permissions show their URL), or every tab when empty.
pub async fn tabs_matching(patterns: &[&str]) -> Result<Vec<Tab>, Error> {
    let q = js_sys::Object::new();
    if !patterns.is_empty() {
        let list: js_sys::Array = patterns.iter().map(|p| JsValue::from_str(p)).collect();
        js_sys::Reflect::set(&q, &"url".into(), &list).map_err(js)?;
    }
    from_js(call(sys::tabs_query(&q)).await?)
}

/// `chrome.tabs.remove(tabId)`.
pub async fn close_tab(tab_id: i64) -> Result<(), Error> {
    call(sys::tabs_remove(tab_id as f64)).await?;
    Ok(())
}

/// Shows a tab to the user: makes it the active tab and focuses its window.
pub async fn bring_forward(tab_id: i64) -> Result<(), Error> {
    let p = js_sys::Object::new();
    js_sys::Reflect::set(&p, &"active".into(), &JsValue::TRUE).map_err(js)?;
    let tab: Tab = from_js(call(sys::tabs_update(tab_id as f64, &p)).await?)?;
    if let Some(w) = tab.window_id {
        let f = js_sys::Object::new();
        js_sys::Reflect::set(&f, &"focused".into(), &JsValue::TRUE).map_err(js)?;
        call(sys::windows_update(w as f64, &f)).await?;
    }
    Ok(())
}

/// The active tab of the current window (`chrome.tabs.query`). Its URL is only
/// visible for shop hosts (our host permissions).
pub async fn active_tab() -> Result<Option<Tab>, Error> {
    let q = js_sys::Object::new();
    js_sys::Reflect::set(&q, &"active".into(), &JsValue::TRUE).map_err(js)?;
    js_sys::Reflect::set(&q, &"currentWindow".into(), &JsValue::TRUE).map_err(js)?;
    let tabs: Vec<Tab> = from_js(call(sys::tabs_query(&q)).await?)?;
    Ok(tabs.into_iter().next())
}

/// `chrome.tabs.get(tabId)`.
pub async fn tab(tab_id: i64) -> Result<Tab, Error> {
    from_js(call(sys::tabs_get(tab_id as f64)).await?)
}

/// `chrome.action.setBadgeText` for one tab.
pub async fn set_badge_text(tab_id: i64, text: &str) -> Result<(), Error> {
    let d = js_sys::Object::new();
    js_sys::Reflect::set(&d, &"tabId".into(), &JsValue::from_f64(tab_id as f64)).map_err(js)?;
    js_sys::Reflect::set(&d, &"text".into(), &JsValue::from_str(text)).map_err(js)?;
    call(sys::action_set_badge_text(&d)).await?;
    Ok(())
}

/// Reads a field of a JS object as a string (`sender.url`, ...).
pub fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

/// Reads a field of a JS object as an integer.
pub fn get_i64(obj: &JsValue, key: &str) -> Option<i64> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|n| n.fract() == 0.0 && n.is_finite())
        .map(|n| n as i64)
}

/// Reads a nested JS object.
pub fn get_object(obj: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| v.is_object())
}

/// `fetch(url)` from the current global (page, extension page or service worker)
/// and the body as text. GET only, never with a body; a failure says what happened
/// ([`FetchError`]: unreachable, the HTTP status, too large, cut short).
/// `with_cookies` is used only for the shop's own API requests the page made.
pub async fn fetch_text(
    url: &str,
    with_cookies: bool,
    max_bytes: usize,
) -> Result<String, FetchError> {
    let response = fetch_get(url, with_cookies).await?;
    text_of(response, max_bytes).await
}

/// The one `POST` the extension makes: aliexpress.ru's review page request, as
/// the product page itself sends it (`content-type: application/json`, the
/// shop's cookies as for a GET of the shop's API); `json` is the body core
/// built (`reviews::ru_request_body`). The answer's body as text, as
/// [`fetch_text`].
pub async fn post_json_text(url: &str, json: &str, max_bytes: usize) -> Result<String, FetchError> {
    let response = fetch_post_json(url, json).await?;
    text_of(response, max_bytes).await
}

async fn text_of(response: web_sys::Response, max_bytes: usize) -> Result<String, FetchError> {
    if !response.ok() {
        return Err(FetchError::Status(response.status()));
    }
    let body = response
        .text()
        .map_err(|e| FetchError::Other(js_error_text(&e)))?;
    let text = JsFuture::from(body)
        .await
        .map_err(|_| FetchError::CutShort)?;
    let text = text.as_string().unwrap_or_default();
    if text.len() > max_bytes {
        return Err(FetchError::TooLarge {
            max_bytes: max_bytes as f64,
        });
    }
    Ok(text)
}

/// `fetch(url)` (GET, no body) from the current global (page, extension page or
/// service worker), with or without cookies; the response, whatever its status.
pub(crate) async fn fetch_get(
    url: &str,
    with_cookies: bool,
) -> Result<web_sys::Response, FetchError> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_credentials(if with_cookies {
        web_sys::RequestCredentials::Include
    } else {
        web_sys::RequestCredentials::Omit
    });
    call_fetch(url, &init).await
}

/// `fetch(url)` POSTing the JSON text `json`, with the shop's cookies (only
/// [`post_json_text`]; the content script never calls it).
async fn fetch_post_json(url: &str, json: &str) -> Result<web_sys::Response, FetchError> {
    let other = |e: JsValue| FetchError::Other(js_error_text(&e));
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(json));
    let headers = web_sys::Headers::new().map_err(other)?;
    headers
        .set("content-type", "application/json")
        .map_err(other)?;
    init.set_headers(&headers);
    init.set_credentials(web_sys::RequestCredentials::Include);
    call_fetch(url, &init).await
}

/// The global `fetch` of a request made of `url` and `init`.
async fn call_fetch(
    url: &str,
    init: &web_sys::RequestInit,
) -> Result<web_sys::Response, FetchError> {
    let other = |e: JsValue| FetchError::Other(js_error_text(&e));
    let request = web_sys::Request::new_with_str_and_init(url, init).map_err(other)?;
    let global = js_sys::global();
    let fetch: js_sys::Function = js_sys::Reflect::get(&global, &"fetch".into())
        .map_err(other)?
        .dyn_into()
        .map_err(|_| FetchError::Other("fetch is not available here".into()))?;
    let promise: js_sys::Promise = fetch
        .call1(&global, &request)
        .map_err(other)?
        .dyn_into()
        .map_err(|_| FetchError::Other("fetch did not return a promise".into()))?;
    // fetch() rejects with a bare "Failed to fetch" for network errors and for
    // responses the server does not let this origin read (CORS).
    JsFuture::from(promise)
        .await
        .map_err(|e| FetchError::Unreachable(js_error_text(&e)))?
        .dyn_into()
        .map_err(|_| FetchError::Other("not a response".into()))
}

/// `chrome.tabs.sendMessage(tabId, msg)` to the tab's content script, and its reply.
pub async fn send_to_tab<T: Serialize + ?Sized, R: DeserializeOwned>(
    tab_id: i64,
    msg: &T,
) -> Result<R, Error> {
    reply_of(call(sys::tabs_send_message(tab_id as f64, &to_js(msg)?)).await?)
}

/// A content script's answer (none at all is an error: the page did not reply).
fn reply_of<R: DeserializeOwned>(reply: JsValue) -> Result<R, Error> {
    if reply.is_undefined() {
        return Err(Error::Js("no reply from the page".into()));
    }
    from_js(reply)
}

/// `chrome.runtime.onMessage.addListener` for a handler that answers asynchronously.
/// `handler(message, sender)` returns a future of the reply; the listener lives
/// as long as the page or worker.
pub fn on_message<F, Fut>(handler: F)
where
    F: Fn(JsValue, JsValue) -> Fut + 'static,
    Fut: std::future::Future<Output = JsValue> + 'static,
{
    let closure = Closure::<dyn Fn(JsValue, JsValue, js_sys::Function) -> bool>::new(
        move |msg: JsValue, sender: JsValue, send_response: js_sys::Function| {
            let fut = handler(msg, sender);
            wasm_bindgen_futures::spawn_local(async move {
                let reply = fut.await;
                let _ = send_response.call1(&JsValue::NULL, &reply);
            });
            true // keep the channel open for the asynchronous reply
        },
    );
    sys::runtime_on_message_add_listener(closure.as_ref().unchecked_ref());
    closure.forget();
}

/// `chrome.i18n.getMessage`: `None` when the catalogue has no such message.
pub fn i18n_message(name: &str, substitutions: &[&str]) -> Option<String> {
    let subs: js_sys::Array = substitutions.iter().map(|s| JsValue::from_str(s)).collect();
    sys::i18n_get_message(name, &subs)
        .as_string()
        .filter(|m| !m.is_empty())
}

/// `chrome.i18n.getUILanguage()`.
pub fn ui_language() -> String {
    sys::i18n_get_ui_language()
}

mod sys_popup {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["chrome", "downloads"], js_name = show, catch)]
        pub fn downloads_show(download_id: f64) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = connect, catch)]
        pub fn tabs_connect(tab_id: f64, info: &JsValue) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "runtime", "onConnect"], js_name = addListener)]
        pub fn runtime_on_connect_add_listener(cb: &js_sys::Function);
    }
}

/// `chrome.downloads.show(downloadId)`: shows the downloaded file in its folder
/// in the system's file manager.
pub fn downloads_show(download_id: i64) -> Result<(), Error> {
    sys_popup::downloads_show(download_id as f64).map_err(js)?;
    Ok(())
}

/// A `chrome.runtime.Port` (long-lived connection between two contexts).
/// Listeners added to it live as long as the port.
#[derive(Clone)]
pub struct Port {
    port: JsValue,
}

impl Port {
    fn method(&self, path: &[&str]) -> Option<(JsValue, js_sys::Function)> {
        let mut this = self.port.clone();
        let (last, objects) = path.split_last()?;
        for p in objects {
            this = js_sys::Reflect::get(&this, &JsValue::from_str(p)).ok()?;
        }
        let f = js_sys::Reflect::get(&this, &JsValue::from_str(last))
            .ok()?
            .dyn_into()
            .ok()?;
        Some((this, f))
    }

    /// `port.name`.
    pub fn name(&self) -> String {
        get_string(&self.port, "name").unwrap_or_default()
    }

    /// `port.sender.id` and `port.sender.url` (set on the receiving side).
    pub fn sender(&self) -> (Option<String>, Option<String>) {
        match get_object(&self.port, "sender") {
            Some(s) => (get_string(&s, "id"), get_string(&s, "url")),
            None => (None, None),
        }
    }

    /// `port.postMessage(msg)`; an error when the other side is gone.
    pub fn post<T: Serialize + ?Sized>(&self, msg: &T) -> Result<(), Error> {
        self.post_js(&to_js(msg)?)
    }

    /// `port.postMessage(msg)` of a JS value; an error when the other side is gone.
    pub fn post_js(&self, msg: &JsValue) -> Result<(), Error> {
        let (this, f) = self
            .method(&["postMessage"])
            .ok_or_else(|| Error::Js("not a port".into()))?;
        f.call1(&this, msg).map_err(js)?;
        Ok(())
    }

    /// `port.onMessage.addListener`.
    pub fn on_message(&self, f: impl FnMut(JsValue) + 'static) {
        let closure = Closure::<dyn FnMut(JsValue)>::new(f);
        if let Some((this, add)) = self.method(&["onMessage", "addListener"]) {
            let _ = add.call1(&this, closure.as_ref());
        }
        closure.forget();
    }

    /// `port.onDisconnect.addListener`.
    pub fn on_disconnect(&self, f: impl FnMut() + 'static) {
        let closure = Closure::<dyn FnMut()>::new(f);
        if let Some((this, add)) = self.method(&["onDisconnect", "addListener"]) {
            let _ = add.call1(&this, closure.as_ref());
        }
        closure.forget();
    }

    /// Whether two handles are the same port.
    pub fn same(&self, other: &Port) -> bool {
        js_sys::Object::is(&self.port, &other.port)
    }
}

/// `chrome.tabs.connect(tabId, {name, frameId: 0})`: a port to the tab's content
/// script in its top frame.
pub fn tabs_connect(tab_id: i64, name: &str) -> Result<Port, Error> {
    let info = js_sys::Object::new();
    js_sys::Reflect::set(&info, &"name".into(), &JsValue::from_str(name)).map_err(js)?;
    js_sys::Reflect::set(&info, &"frameId".into(), &JsValue::from_f64(0.0)).map_err(js)?;
    let port = sys_popup::tabs_connect(tab_id as f64, &info).map_err(js)?;
    Ok(Port { port })
}

/// What the popup's loader (`popup_init.js`) asked its tab while the wasm loaded:
/// the port for page changes and the inspect request, already on their way.
pub struct Early {
    pub tab_id: i64,
    pub port: Port,
    reply: js_sys::Promise,
}

impl Early {
    /// The tab's answer to the early request (as [`send_to_tab`] returns it).
    pub async fn reply<R: DeserializeOwned>(self) -> Result<R, Error> {
        reply_of(JsFuture::from(self.reply).await.map_err(js)?)
    }
}

/// Takes what the popup's loader started (once; `None` when it started nothing).
pub async fn take_early() -> Option<Early> {
    let global = js_sys::global();
    let key = JsValue::from_str("alisaveEarly");
    let started: js_sys::Promise = js_sys::Reflect::get(&global, &key).ok()?.dyn_into().ok()?;
    let _ = js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &key);
    let early = JsFuture::from(started).await.ok()?;
    let tab_id = js_sys::Reflect::get(&early, &"tabId".into())
        .ok()?
        .as_f64()? as i64;
    let port = js_sys::Reflect::get(&early, &"port".into()).ok()?;
    let reply = js_sys::Reflect::get(&early, &"reply".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some(Early {
        tab_id,
        port: Port { port },
        reply,
    })
}

/// `chrome.runtime.onConnect.addListener`; the listener lives as long as the page.
pub fn on_connect(f: impl FnMut(Port) + 'static) {
    let mut f = f;
    let closure = Closure::<dyn FnMut(JsValue)>::new(move |port: JsValue| f(Port { port }));
    sys_popup::runtime_on_connect_add_listener(closure.as_ref().unchecked_ref());
    closure.forget();
}
