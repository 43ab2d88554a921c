//! `navigator.locks` (the Web Locks API): a lock shared by every context of the
//! extension's origin — the service worker and the extension pages. The worker
//! and the saver page both read, change and write a packed batch in
//! `chrome.storage.session`, which has no compare-and-set; without a lock both
//! sides could read the same batch and the later write would undo the earlier
//! one (a saver page's step undoing the worker's "the page is gone", or the
//! reverse). The browser releases a lock whose holder is gone (a closed page,
//! a stopped worker), so a crash never leaves it held.

use super::{js, Error};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The lock over every batch in `chrome.storage.session`.
pub const BATCHES: &str = "alisave-batches";

/// A held lock; dropping it releases it.
pub struct Held {
    release: js_sys::Function,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

/// Waits until this context holds the lock `name`.
pub async fn acquire(name: &str) -> Result<Held, Error> {
    let global = js_sys::global();
    let navigator = js_sys::Reflect::get(&global, &"navigator".into()).map_err(js)?;
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).map_err(js)?;
    let request: js_sys::Function = js_sys::Reflect::get(&locks, &"request".into())
        .map_err(js)?
        .dyn_into()
        .map_err(|_| Error::Serde("navigator.locks is not available here".into()))?;
    let name = JsValue::from_str(name);
    let mut failed: Option<JsValue> = None;
    // Resolves, once the lock is granted, with the function that releases it:
    // the lock is held until the promise its callback returned settles.
    let granted = js_sys::Promise::new(&mut |hand_over, reject| {
        let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let mut release: Option<js_sys::Function> = None;
            let held = js_sys::Promise::new(&mut |resolve, _| release = Some(resolve));
            if let Some(r) = release {
                let _ = hand_over.call1(&JsValue::NULL, &r);
            }
            held.into()
        });
        if let Err(e) = request.call2(&locks, &name, &callback) {
            let _ = reject.call1(&JsValue::NULL, &e);
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(js(e));
    }
    let release = JsFuture::from(granted)
        .await
        .map_err(js)?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| Error::Serde("the lock was granted without a release".into()))?;
    Ok(Held { release })
}
