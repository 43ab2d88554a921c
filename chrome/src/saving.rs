//! Bindings the saver page (ZIP, conversion) and the worker's packed batches use:
//! tabs it opens and closes, the optional CDN host access, byte fetches, and
//! waiting for a download to finish.

use super::{call, js, DownloadItem, Error, FetchError};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

mod sys {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = create, catch)]
        pub fn tabs_create(props: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = getCurrent, catch)]
        pub fn tabs_get_current() -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = remove, catch)]
        pub fn tabs_remove(tab_id: f64) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "permissions"], js_name = contains, catch)]
        pub fn permissions_contains(p: &JsValue) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = ["chrome", "permissions"], js_name = request, catch)]
        pub fn permissions_request(p: &JsValue) -> Result<js_sys::Promise, JsValue>;
    }
}

fn origins_object(origins: &[&str]) -> Result<JsValue, Error> {
    let o = js_sys::Object::new();
    let list: js_sys::Array = origins.iter().map(|s| JsValue::from_str(s)).collect();
    js_sys::Reflect::set(&o, &"origins".into(), &list).map_err(js)?;
    Ok(o.into())
}

/// `chrome.permissions.contains({origins})`.
pub async fn has_origins(origins: &[&str]) -> Result<bool, Error> {
    let v = call(sys::permissions_contains(&origins_object(origins)?)).await?;
    Ok(v.as_bool().unwrap_or(false))
}

/// `chrome.permissions.request({origins})`: Chrome's prompt. Must run inside a
/// user gesture (a click or change handler). Resolves with the user's answer.
pub async fn request_origins(origins: &[&str]) -> Result<bool, Error> {
    let v = call(sys::permissions_request(&origins_object(origins)?)).await?;
    Ok(v.as_bool().unwrap_or(false))
}

/// `chrome.tabs.create({url, active})`: the new tab's id. Needs no permission.
pub async fn open_tab(url: &str, active: bool) -> Result<i64, Error> {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"url".into(), &JsValue::from_str(url)).map_err(js)?;
    js_sys::Reflect::set(&o, &"active".into(), &JsValue::from_bool(active)).map_err(js)?;
    let tab = call(sys::tabs_create(&o)).await?;
    super::get_i64(&tab, "id").ok_or_else(|| Error::Serde("tab without id".into()))
}

/// `chrome.tabs.getCurrent()`: the id of the tab this extension page is in.
pub async fn current_tab_id() -> Option<i64> {
    let tab = call(sys::tabs_get_current()).await.ok()?;
    super::get_i64(&tab, "id")
}

/// `chrome.tabs.remove(tabId)`.
pub async fn close_tab(tab_id: i64) -> Result<(), Error> {
    call(sys::tabs_remove(tab_id as f64)).await?;
    Ok(())
}

/// A fetched file: HTTP status, Content-Type and the body.
pub struct Fetched {
    pub content_type: String,
    pub bytes: js_sys::Uint8Array,
}

/// `fetch(url)` of media bytes without cookies (the CDNs get none), refusing
/// bodies over `max_bytes`.
pub async fn fetch_bytes(url: &str, max_bytes: f64) -> Result<Fetched, FetchError> {
    let response = super::fetch_get(url, false).await?;
    if !response.ok() {
        return Err(FetchError::Status(response.status()));
    }
    let content_type = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    if let Some(len) = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|l| l.parse::<f64>().ok())
    {
        if len > max_bytes {
            return Err(FetchError::TooLarge { max_bytes });
        }
    }
    let buf = JsFuture::from(
        response
            .array_buffer()
            .map_err(|e| FetchError::Other(super::js_error_text(&e)))?,
    )
    .await
    .map_err(|_| FetchError::CutShort)?;
    let bytes = js_sys::Uint8Array::new(&buf);
    if f64::from(bytes.length()) > max_bytes {
        return Err(FetchError::TooLarge { max_bytes });
    }
    Ok(Fetched {
        content_type,
        bytes,
    })
}

/// Waits until download `id` is complete or interrupted (polls
/// `chrome.downloads.search`: a page can wait, and a poll cannot miss an event).
/// `None` when the download disappeared (removed from Chrome's list).
pub async fn wait_download(id: i64) -> Result<Option<DownloadItem>, Error> {
    loop {
        match super::download_by_id(id).await? {
            Some(d) if d.state != "in_progress" => return Ok(Some(d)),
            Some(_) => super::sleep_ms(150.0).await,
            None => return Ok(None),
        }
    }
}
