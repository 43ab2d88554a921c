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

/// A byte stream read piece by piece as the browser hands them over (a response
/// body, or a `Blob`'s stream): nothing has to hold the whole of it.
///
/// Read with a BYOB reader into one reused buffer where the stream is a byte
/// stream (fetch bodies and `Blob` streams are, in Chrome): a default reader
/// hands out a new array per piece, and those stay in memory until V8 collects
/// them (measured: about the file's size at peak for a 100 MB body;
/// BENCHMARKS.md). A piece is therefore valid only until the next call.
pub struct Pieces {
    reader: Option<Reader>,
}

enum Reader {
    Byob {
        reader: web_sys::ReadableStreamByobReader,
        buf: Option<js_sys::ArrayBuffer>,
    },
    Default(web_sys::ReadableStreamDefaultReader),
}

/// The reused buffer of a BYOB reader.
const PIECE_BYTES: u32 = 1 << 20;

impl Pieces {
    /// Reads `stream` (`None`: a body-less response, no pieces).
    pub fn of(stream: Option<web_sys::ReadableStream>) -> Pieces {
        let reader = stream.map(|s| {
            let byob = || -> Result<JsValue, JsValue> {
                let options = js_sys::Object::new();
                js_sys::Reflect::set(&options, &"mode".into(), &"byob".into())?;
                let get: js_sys::Function =
                    js_sys::Reflect::get(&s, &"getReader".into())?.dyn_into()?;
                // Throws for a stream that is not a byte stream.
                get.call1(&s, &options)
            };
            match byob() {
                Ok(r) => Reader::Byob {
                    reader: r.unchecked_into(),
                    buf: None,
                },
                Err(_) => Reader::Default(s.get_reader().unchecked_into()),
            }
        });
        Pieces { reader }
    }

    /// The next piece (valid until the next call), `None` at the end; `Err`
    /// when the stream broke off.
    pub async fn next(&mut self) -> Result<Option<js_sys::Uint8Array>, String> {
        let read = match &mut self.reader {
            None => return Ok(None),
            Some(Reader::Default(reader)) => reader.read(),
            Some(Reader::Byob { reader, buf }) => {
                let b = buf
                    .take()
                    .unwrap_or_else(|| js_sys::ArrayBuffer::new(PIECE_BYTES));
                reader.read_with_array_buffer_view(&js_sys::Uint8Array::new(&b))
            }
        };
        let result: web_sys::ReadableStreamReadResult = JsFuture::from(read)
            .await
            .map_err(|e| super::js_error_text(&e))?
            .unchecked_into();
        if result.get_done().unwrap_or(true) {
            self.reader = None;
            return Ok(None);
        }
        let piece = result
            .get_value()
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| "the stream gave something other than bytes".to_string())?;
        if let Some(Reader::Byob { buf, .. }) = &mut self.reader {
            // The buffer came back (moved) with the piece: reuse it.
            *buf = Some(piece.buffer());
        }
        Ok(Some(piece))
    }

    /// Stops reading (the rest is not fetched).
    pub fn cancel(&mut self) {
        match self.reader.take() {
            Some(Reader::Default(reader)) => {
                let _ = reader.cancel();
            }
            Some(Reader::Byob { reader, .. }) => {
                let _ = reader.cancel();
            }
            None => {}
        }
    }
}

/// A file being fetched: its Content-Type and its body, still to be read.
pub struct Fetched {
    pub content_type: String,
    pub body: Pieces,
}

/// `fetch(url)` of media bytes without cookies (the CDNs get none). Refuses a
/// body that says it is over `max_bytes`; the reader counts the rest.
pub async fn fetch_media(url: &str, max_bytes: f64) -> Result<Fetched, FetchError> {
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
    Ok(Fetched {
        content_type,
        body: Pieces::of(response.body()),
    })
}

/// The downloads started after `since_ms` (less the adoption slack), as the
/// engine's adoption rules read them (`Batch::adopt_saver_downloads`). None is
/// recorded as a job's (`download:<id>`): the saver page records its files in
/// the batch itself.
pub async fn downloads_since(
    since_ms: f64,
) -> Result<Vec<alisave_core::engine::SeenDownload>, Error> {
    let q = js_sys::Object::new();
    let after = since_ms - alisave_core::engine::ADOPT_SLACK_MS;
    let iso = js_sys::Date::new(&JsValue::from_f64(after)).to_iso_string();
    js_sys::Reflect::set(&q, &"startedAfter".into(), &iso).map_err(js)?;
    let items: Vec<DownloadItem> = super::from_js(call(super::sys::downloads_search(&q)).await?)?;
    Ok(items
        .into_iter()
        .map(|d| alisave_core::engine::SeenDownload {
            id: d.id,
            start_ms: d.start_ms(),
            complete: d.state == "complete",
            url: d.url,
            filename: d.filename.unwrap_or_default(),
            by_extension: d.by_extension_id,
            claimed_by: None,
        })
        .collect())
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
