//! Editors of the settings that need the media bytes (image format, quality,
//! ZIP) and of the product manifest, shared by the options page and the popup's
//! quick settings.
//!
//! Turning on ZIP or a conversion needs access to the shops' image servers (the
//! manifest's `optional_host_permissions`): it is requested right then, inside the
//! user's click, with the reason on screen. When the user says no, the setting is
//! left as it was and the page says why. Separate files need no access.

use crate::{t, tf, SettingsHandle};
use alisave_chrome::saving;
use alisave_core::media::CDN_ORIGINS;
use alisave_core::settings::{ImageFormat, Settings, MIN_QUALITY};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the extension may do with the image servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Not checked yet.
    Unknown,
    Granted,
    /// Not granted (never asked, or taken back in Chrome's settings).
    Missing,
    /// Chrome's prompt is open.
    Asking,
    /// The user said no to the last prompt.
    Denied,
}

/// The access state of this page (checked once at start, updated by requests).
#[derive(Clone, Copy)]
pub struct AccessHandle(pub RwSignal<Access>);

/// Creates the page's access state and checks it.
pub fn use_access() -> AccessHandle {
    let state = RwSignal::new(Access::Unknown);
    spawn_local(async move {
        let granted = saving::has_origins(&CDN_ORIGINS).await.unwrap_or(false);
        state.set(if granted {
            Access::Granted
        } else {
            Access::Missing
        });
    });
    AccessHandle(state)
}

/// Applies `change`; when the result needs the image servers and access is not
/// granted, asks Chrome first (this must run inside the user's event handler) and
/// applies the change only on a yes.
pub fn change_needing_access(
    handle: SettingsHandle,
    access: AccessHandle,
    change: impl FnOnce(&mut Settings) + 'static,
) {
    let Some(mut next) = handle.value.get_untracked() else {
        return;
    };
    change(&mut next);
    if !next.needs_bytes() || access.0.get_untracked() == Access::Granted {
        handle.save(next);
        return;
    }
    access.0.set(Access::Asking);
    spawn_local(async move {
        // The request is the first await: it still runs within the user's gesture.
        let granted = match saving::request_origins(&CDN_ORIGINS).await {
            Ok(g) => g,
            Err(_) => saving::has_origins(&CDN_ORIGINS).await.unwrap_or(false),
        };
        if granted {
            access.0.set(Access::Granted);
            handle.save(next);
        } else {
            access.0.set(Access::Denied);
        }
    });
}

/// Translated name of an image format.
pub fn format_label(f: ImageFormat) -> String {
    match f {
        ImageFormat::Original => t("format_original"),
        ImageFormat::Jpeg => t("format_jpeg"),
        ImageFormat::Png => t("format_png"),
        ImageFormat::Webp => t("format_webp"),
    }
}

/// The image format (and, for JPEG/WebP, the quality).
#[component]
pub fn FormatField(handle: SettingsHandle, access: AccessHandle) -> impl IntoView {
    let current = move || handle.value.get().map(|s| s.format).unwrap_or_default();
    let quality = move || {
        handle
            .value
            .get()
            .map(|s| s.quality)
            .unwrap_or(alisave_core::settings::DEFAULT_QUALITY)
    };
    view! {
        <div class="field">
            <label class="label" for="setting-format">{t("format_label")}</label>
            <select id="setting-format" data-setting="format"
                aria-describedby="setting-format-help"
                prop:value=move || current().as_str()
                on:change=move |ev| {
                    let chosen = ImageFormat::parse(&event_target_value(&ev));
                    // The list shows the saved value until the change is applied.
                    if let Some(el) = ev.target() {
                        let el: web_sys::HtmlSelectElement = wasm_bindgen::JsCast::unchecked_into(el);
                        el.set_value(current().as_str());
                    }
                    if let Some(f) = chosen {
                        change_needing_access(handle, access, move |s| s.format = f);
                    }
                }>
                {ImageFormat::ALL.into_iter().map(|f| view! {
                    <option value=f.as_str() selected=move || current() == f>{format_label(f)}</option>
                }).collect_view()}
            </select>
            <span class="help" id="setting-format-help">{t("format_help")}</span>
        </div>
        <Show when=move || current().has_quality()>
            <div class="field">
                <label class="label" for="setting-quality">{t("quality_label")}</label>
                <input type="range" id="setting-quality" data-setting="quality"
                    min=MIN_QUALITY.to_string() max="100" step="1"
                    aria-describedby="setting-quality-help"
                    prop:value=move || quality().to_string()
                    on:change=move |ev| {
                        if let Ok(q) = event_target_value(&ev).parse::<u8>() {
                            let q = q.clamp(MIN_QUALITY, 100);
                            handle.update(|s| s.quality = q);
                        }
                    } />
                <output for="setting-quality" data-testid="quality-value">{move || format!("{}%", quality())}</output>
                <span class="help" id="setting-quality-help">{t("quality_help")}</span>
            </div>
        </Show>
    }
}

/// One ZIP per product instead of separate files.
#[component]
pub fn ZipField(handle: SettingsHandle, access: AccessHandle) -> impl IntoView {
    view! {
        <div class="check">
            <input type="checkbox" id="setting-zip" data-setting="zip"
                aria-describedby="setting-zip-help"
                prop:checked=move || handle.value.get().map(|s| s.zip).unwrap_or(false)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    // The box shows the saved value until the change is applied.
                    if let Some(el) = ev.target() {
                        let el: web_sys::HtmlInputElement = wasm_bindgen::JsCast::unchecked_into(el);
                        el.set_checked(handle.value.get_untracked().map(|s| s.zip).unwrap_or(false));
                    }
                    change_needing_access(handle, access, move |s| s.zip = on);
                } />
            <label for="setting-zip">{t("zip_label")}</label>
            <span class="help" id="setting-zip-help">{t("zip_help")}</span>
        </div>
    }
}

/// What the page says about access to the image servers, with a way to grant it
/// when a setting needs it and it is missing.
#[component]
pub fn AccessNotice(handle: SettingsHandle, access: AccessHandle) -> impl IntoView {
    let needs = move || handle.value.get().is_some_and(|s| s.needs_bytes());
    let grant = move |_| {
        access.0.set(Access::Asking);
        spawn_local(async move {
            let granted = saving::request_origins(&CDN_ORIGINS).await.unwrap_or(false);
            access.0.set(if granted {
                Access::Granted
            } else {
                Access::Denied
            });
        });
    };
    view! {
        <div aria-live="polite" data-testid="access">
            {move || match access.0.get() {
                Access::Asking => Some(view! {
                    <p class="notice" data-access="asking">{t("access_asking")}</p>
                }.into_any()),
                Access::Denied => Some(view! {
                    <p class="notice" data-access="denied">{t("access_denied")}</p>
                }.into_any()),
                Access::Missing if needs() => Some(view! {
                    <p class="notice" data-access="missing">
                        {t("access_missing")} " "
                        <button type="button" data-action="grant-access" on:click=grant>{t("access_grant_button")}</button>
                    </p>
                }.into_any()),
                _ => None,
            }}
            <p class="help">{tf("access_why", &["alicdn.com, aliexpress-media.com"])}</p>
        </div>
    }
}
