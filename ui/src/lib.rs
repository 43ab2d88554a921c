//! Shared Leptos pieces of the popup and options pages.
//!
//! [`use_settings`] binds the settings to `chrome.storage.local` reactively:
//! one load, writes only after the load completed, and `chrome.storage.onChanged`
//! applied live (so a change in the options page shows in an open popup). A write
//! whose value equals what is already shown is skipped, which stops echo loops.

use alisave_chrome::{self as chrome, Area};
use alisave_core::settings::{self, Settings};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Reactive settings bound to `chrome.storage.local`.
#[derive(Clone, Copy)]
pub struct SettingsHandle {
    /// `None` until the first load completed.
    pub value: ReadSignal<Option<Settings>>,
    set_value: WriteSignal<Option<Settings>>,
    /// Problems met while loading or saving, for the user.
    pub notice: RwSignal<Option<String>>,
}

impl SettingsHandle {
    /// Saves `next` (ignored until the first load completed, so stored settings are
    /// never overwritten with defaults).
    pub fn save(&self, next: Settings) {
        if self.value.get_untracked().is_none() {
            return;
        }
        if self.value.get_untracked().as_ref() == Some(&next) {
            return;
        }
        self.set_value.set(Some(next.clone()));
        let notice = self.notice;
        spawn_local(async move {
            let stored = settings::to_stored(&next);
            match chrome::storage_set(Area::Local, settings::STORAGE_KEY, &stored).await {
                Ok(()) => notice.set(None),
                Err(e) => notice.set(Some(format!("Could not save settings: {e}"))),
            }
        });
    }
}

/// Loads the settings and keeps them in sync with `chrome.storage`.
pub fn use_settings() -> SettingsHandle {
    let (value, set_value) = signal(None::<Settings>);
    let notice = RwSignal::new(None::<String>);
    spawn_local(async move {
        match chrome::storage_get(Area::Local, settings::STORAGE_KEY).await {
            Ok(stored) => {
                let (s, warnings) = settings::load(stored.as_ref());
                if !warnings.is_empty() {
                    let text: Vec<String> = warnings.into_iter().map(|w| w.message).collect();
                    notice.set(Some(format!(
                        "Some stored settings were unreadable and were reset: {}",
                        text.join(" ")
                    )));
                }
                set_value.set(Some(s));
            }
            Err(e) => {
                notice.set(Some(format!(
                    "Settings could not be read ({e}); showing defaults, which will be saved on your first change."
                )));
                set_value.set(Some(Settings::default()));
            }
        }
    });
    let listener = chrome::on_storage_changed(move |change| {
        if change.area != "local" || change.key != settings::STORAGE_KEY {
            return;
        }
        let (s, _) = settings::load(change.new_value.as_ref());
        if value.get_untracked().as_ref() != Some(&s) {
            set_value.set(Some(s));
        }
    });
    // The listener lives as long as the page (these pages own one reactive root).
    std::mem::forget(listener);
    SettingsHandle {
        value,
        set_value,
        notice,
    }
}

/// A notice line, shown when there is something to say.
#[component]
pub fn Notice(notice: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        notice
            .get()
            .map(|text| view! { <p class="notice" role="alert">{text}</p> })
    }
}

/// Editor of the download folder: validates as you type, saves on Enter/blur.
#[component]
pub fn FolderField(handle: SettingsHandle) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(s) = handle.value.get() {
            draft.set(s.folder.clone());
        }
    });
    let commit = move || {
        let Some(current) = handle.value.get_untracked() else {
            return;
        };
        match settings::validate_folder(&draft.get_untracked()) {
            Ok(folder) => {
                error.set(None);
                draft.set(folder.clone());
                handle.save(Settings { folder, ..current });
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <label class="field">
            <span class="label">"Download folder"</span>
            <input
                type="text"
                data-setting="folder"
                prop:value=move || draft.get()
                aria-invalid=move || error.get().is_some().to_string()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:change=move |_| commit()
            />
            <span class="help">
                "Inside your browser's download directory. Each product gets its own sub-folder."
            </span>
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </label>
    }
}

/// The stylesheet both pages share (a file, never inline: MV3 CSP).
pub const STYLESHEET: &str = "alisave.css";

/// The product page shown in the active tab, if any.
pub async fn active_tab_product() -> Result<Option<alisave_core::url::ProductPage>, chrome::Error> {
    let tab = chrome::active_tab().await?;
    Ok(tab
        .and_then(|t| t.url)
        .and_then(|u| alisave_core::url::product_page(&u)))
}

/// URL of the options page.
pub fn options_url() -> String {
    chrome::runtime_url("options.html")
}
