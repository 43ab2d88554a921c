//! Shared Leptos pieces of the popup and options pages.
//!
//! [`use_settings`] binds the settings to `chrome.storage.local` reactively:
//! one load, writes only after the load completed, and `chrome.storage.onChanged`
//! applied live (so a change in the options page shows in an open popup). A write
//! whose value equals what is already shown is skipped, which stops echo loops.
//!
//! The setting editors ([`FolderField`], [`TemplateField`], [`KindsField`],
//! [`ImageSizeField`], …) are shared, so the popup's quick settings and the
//! options page edit the same settings in the same way. All text is translated
//! ([`i18n`]).

pub mod i18n;
pub mod saving;
pub mod text;

use alisave_chrome::{self as chrome, Area};
use alisave_core::filename::{self, Date};
use alisave_core::settings::{self, ButtonPosition, ImageSize, Settings};
use alisave_core::MediaKind;
pub use i18n::{say, t, tf, tn};
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
                Err(e) => notice.set(Some(tf("notice_save_failed", &[&e.to_string()]))),
            }
        });
    }

    /// Applies `change` to the current settings and saves them.
    pub fn update(&self, change: impl FnOnce(&mut Settings)) {
        if let Some(mut s) = self.value.get_untracked() {
            change(&mut s);
            self.save(s);
        }
    }
}

/// Loads the settings and keeps them in sync with `chrome.storage`.
pub fn use_settings() -> SettingsHandle {
    let (value, set_value) = signal(None::<Settings>);
    let notice = RwSignal::new(None::<String>);
    // A change reported while the first read is under way is newer than what
    // that read may return.
    let early = StoredValue::new(None::<Settings>);
    spawn_local(async move {
        match chrome::storage_get(Area::Local, settings::STORAGE_KEY).await {
            Ok(stored) => {
                let report = settings::load_report(stored.as_ref());
                notice.set(text::load_notice(&report));
                let s = early.get_value().unwrap_or(report.settings);
                set_value.set(Some(s));
            }
            Err(e) => {
                notice.set(Some(tf("notice_read_failed", &[&e.to_string()])));
                set_value.set(Some(early.get_value().unwrap_or_default()));
            }
        }
    });
    let listener = chrome::on_storage_changed(move |change| {
        if change.area != "local" || change.key != settings::STORAGE_KEY {
            return;
        }
        let s = settings::load(change.new_value.as_ref()).0;
        if value.get_untracked().is_none() {
            early.set_value(Some(s));
            return;
        }
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

/// How a text setting is read from and written to the settings.
#[derive(Clone, Copy)]
pub struct TextSetting {
    /// `data-setting` name (and element id prefix).
    pub name: &'static str,
    /// The current value in the settings.
    pub get: fn(&Settings) -> String,
    /// The settings with the typed text applied, or the (translated) reason not.
    pub set: fn(&Settings, &str) -> Result<Settings, String>,
}

impl TextSetting {
    /// The download folder.
    pub const FOLDER: TextSetting = TextSetting {
        name: "folder",
        get: |s| s.folder.clone(),
        set: |s, raw| {
            let folder = settings::check_folder(raw).map_err(text::folder_error)?;
            Ok(Settings {
                folder,
                ..s.clone()
            })
        },
    };
    /// The product-folder template.
    pub const FOLDER_TEMPLATE: TextSetting = TextSetting {
        name: "folder_template",
        get: |s| s.folder_template.clone(),
        set: |s, raw| {
            let t =
                filename::validate_folder_template(raw).map_err(|e| text::template_error(&e))?;
            filename::validate_templates(&t, &s.file_template)
                .map_err(|e| text::template_error(&e))?;
            Ok(Settings {
                folder_template: t,
                ..s.clone()
            })
        },
    };
    /// The file-name template.
    pub const FILE_TEMPLATE: TextSetting = TextSetting {
        name: "file_template",
        get: |s| s.file_template.clone(),
        set: |s, raw| {
            let t = filename::validate_file_template(raw).map_err(|e| text::template_error(&e))?;
            filename::validate_templates(&s.folder_template, &t)
                .map_err(|e| text::template_error(&e))?;
            Ok(Settings {
                file_template: t,
                ..s.clone()
            })
        },
    };
    /// The buyer review photos' file-name template (issue #15).
    pub const REVIEW_TEMPLATE: TextSetting = TextSetting {
        name: "review_template",
        get: |s| s.review_template.clone(),
        set: |s, raw| {
            let t =
                filename::validate_review_template(raw).map_err(|e| text::template_error(&e))?;
            Ok(Settings {
                review_template: t,
                ..s.clone()
            })
        },
    };
}

/// The text being typed into a text setting, and its error, shared with
/// whatever previews it.
#[derive(Clone, Copy)]
pub struct Draft {
    pub text: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
}

impl Draft {
    /// A draft that follows the setting's stored value: when the value changes
    /// (here or in another page), the draft shows it.
    pub fn follow(handle: SettingsHandle, setting: TextSetting) -> Draft {
        let draft = Draft {
            text: RwSignal::new(String::new()),
            error: RwSignal::new(None),
        };
        let stored = Memo::new(move |_| handle.value.get().map(|s| (setting.get)(&s)));
        Effect::new(move |_| {
            if let Some(v) = stored.get() {
                draft.text.set(v);
                draft.error.set(None);
            }
        });
        draft
    }
}

/// Editor of one text setting: a label, a one-line explanation, validation on
/// Enter/leaving the field (the error clears as soon as the text is fixed), save
/// when valid.
#[component]
pub fn TextField(
    handle: SettingsHandle,
    setting: TextSetting,
    draft: Draft,
    label: String,
    help: String,
    #[prop(optional)] monospace: bool,
) -> impl IntoView {
    let id = format!("setting-{}", setting.name);
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let check = move |s: &Settings| (setting.set)(s, &draft.text.get_untracked());
    let commit = move || {
        let Some(current) = handle.value.get_untracked() else {
            return;
        };
        match check(&current) {
            Ok(next) => {
                draft.error.set(None);
                draft.text.set((setting.get)(&next));
                handle.save(next);
            }
            Err(e) => draft.error.set(Some(e)),
        }
    };
    let described = {
        let (h, e) = (help_id.clone(), error_id.clone());
        move || {
            if draft.error.get().is_some() {
                format!("{e} {h}")
            } else {
                h.clone()
            }
        }
    };
    view! {
        <div class="field">
            <label class="label" for=id.clone()>{label}</label>
            <input
                type="text"
                id=id.clone()
                class:mono=monospace
                spellcheck="false"
                autocomplete="off"
                data-setting=setting.name
                prop:value=move || draft.text.get()
                aria-invalid=move || draft.error.get().is_some().to_string()
                aria-describedby=described
                on:input=move |ev| {
                    draft.text.set(event_target_value(&ev));
                    // Reward early: a fixed value clears its error while typing.
                    if draft.error.get_untracked().is_some() {
                        if let Some(current) = handle.value.get_untracked() {
                            if check(&current).is_ok() {
                                draft.error.set(None);
                            }
                        }
                    }
                }
                on:change=move |_| commit()
            />
            <span class="help" id=help_id>{help}</span>
            {move || draft.error.get().map(|e| view! { <span class="error" role="alert" id=error_id.clone()>{e}</span> })}
        </div>
    }
}

/// Editor of the download folder.
#[component]
pub fn FolderField(handle: SettingsHandle) -> impl IntoView {
    let draft = Draft::follow(handle, TextSetting::FOLDER);
    view! {
        <TextField handle setting=TextSetting::FOLDER draft
            label=t("folder_label") help=t("folder_help") />
    }
}

/// Editor of a template (folder or file name), with a caller-owned draft.
#[component]
pub fn TemplateField(
    handle: SettingsHandle,
    setting: TextSetting,
    draft: Draft,
    label: String,
    help: String,
) -> impl IntoView {
    view! { <TextField handle setting draft label help monospace=true /> }
}

/// A checkbox bound to a boolean setting, with its explanation.
#[component]
pub fn CheckField(
    handle: SettingsHandle,
    name: &'static str,
    get: GetBool,
    set: SetBool,
    label: String,
    help: String,
) -> impl IntoView {
    let id = format!("setting-{}", name.replace('.', "-"));
    let help_id = format!("{id}-help");
    view! {
        <div class="check">
            <input
                type="checkbox"
                id=id.clone()
                data-setting=name
                aria-describedby=help_id.clone()
                prop:checked=move || handle.value.get().map(|s| get(&s)).unwrap_or(false)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    handle.update(|s| set(s, on));
                }
            />
            <label for=id>{label}</label>
            <span class="help" id=help_id>{help}</span>
        </div>
    }
}

/// Translated name of a media kind, plural, as a heading (`Gallery`, `Variants`).
pub fn kind_label(kind: MediaKind) -> String {
    match kind {
        MediaKind::Gallery => t("kind_gallery"),
        MediaKind::Variant => t("kind_variant"),
        MediaKind::Description => t("kind_description"),
        MediaKind::Video => t("kind_video"),
        MediaKind::Review => t("kind_review"),
    }
}

/// Reads a boolean setting.
type GetBool = fn(&Settings) -> bool;
/// Writes a boolean setting.
type SetBool = fn(&mut Settings, bool);

/// The four "save this kind" checkboxes.
#[component]
pub fn KindsField(handle: SettingsHandle) -> impl IntoView {
    let row = move |kind: MediaKind, label: String, help: String| {
        let name = match kind {
            MediaKind::Gallery => "kinds.gallery",
            MediaKind::Variant => "kinds.variant",
            MediaKind::Description => "kinds.description",
            MediaKind::Video => "kinds.video",
            // Not a kind the settings choose (not in MediaKind::ALL).
            MediaKind::Review => return None,
        };
        let (get, set): (GetBool, SetBool) = match kind {
            MediaKind::Gallery => (|s| s.kinds.gallery, |s, on| s.kinds.gallery = on),
            MediaKind::Variant => (|s| s.kinds.variant, |s, on| s.kinds.variant = on),
            MediaKind::Description => (|s| s.kinds.description, |s, on| s.kinds.description = on),
            MediaKind::Video => (|s| s.kinds.video, |s, on| s.kinds.video = on),
            MediaKind::Review => return None,
        };
        Some(view! { <CheckField handle name get set label help /> })
    };
    view! {
        {row(MediaKind::Gallery, t("kinds_gallery_label"), t("kinds_gallery_help"))}
        {row(MediaKind::Variant, t("kinds_variant_label"), t("kinds_variant_help"))}
        {row(MediaKind::Description, t("kinds_description_label"), t("kinds_description_help"))}
        {row(MediaKind::Video, t("kinds_video_label"), t("kinds_video_help"))}
    }
}

/// Translated name of an image size choice.
pub fn size_label(size: ImageSize) -> String {
    match size {
        ImageSize::Original => t("size_original"),
        ImageSize::Cdn(px) => tf("size_px", &[&px.to_string()]),
    }
}

/// The preferred image size (a list box).
#[component]
pub fn ImageSizeField(handle: SettingsHandle) -> impl IntoView {
    let current = move || {
        handle
            .value
            .get()
            .map(|s| s.image_size.as_key())
            .unwrap_or_default()
    };
    view! {
        <div class="field">
            <label class="label" for="setting-image_size">{t("size_label")}</label>
            <select id="setting-image_size" data-setting="image_size"
                aria-describedby="setting-image_size-help"
                prop:value=current
                on:change=move |ev| {
                    if let Some(size) = ImageSize::from_key(&event_target_value(&ev)) {
                        handle.update(|s| s.image_size = size);
                    }
                }>
                {ImageSize::choices().map(|c| {
                    let key = c.as_key();
                    view! { <option value=key.clone() selected=move || current() == key>{size_label(c)}</option> }
                }).collect_view()}
            </select>
            <span class="help" id="setting-image_size-help">{t("size_help")}</span>
        </div>
    }
}

/// Translated name of a button position.
pub fn position_label(p: ButtonPosition) -> String {
    match p {
        ButtonPosition::BottomRight => t("position_bottom_right"),
        ButtonPosition::BottomLeft => t("position_bottom_left"),
        ButtonPosition::TopRight => t("position_top_right"),
        ButtonPosition::TopLeft => t("position_top_left"),
    }
}

/// Whether the in-page button is shown.
#[component]
pub fn ShowButtonField(handle: SettingsHandle) -> impl IntoView {
    view! {
        <CheckField handle name="show_button"
            get=|s| s.show_button set=|s, on| s.show_button = on
            label=t("show_button_label") help=t("show_button_help") />
    }
}

/// Where the in-page button is shown (a list box).
#[component]
pub fn ButtonPositionField(handle: SettingsHandle) -> impl IntoView {
    let current = move || {
        handle
            .value
            .get()
            .map(|s| s.button_position.as_str())
            .unwrap_or_default()
    };
    view! {
        <div class="field">
            <label class="label" for="setting-button_position">{t("position_label")}</label>
            <select id="setting-button_position" data-setting="button_position"
                aria-describedby="setting-button_position-help"
                prop:value=current
                on:change=move |ev| {
                    if let Some(p) = ButtonPosition::parse(&event_target_value(&ev)) {
                        handle.update(|s| s.button_position = p);
                    }
                }>
                {ButtonPosition::ALL.into_iter().map(|p| view! {
                    <option value=p.as_str() selected=move || current() == p.as_str()>{position_label(p)}</option>
                }).collect_view()}
            </select>
            <span class="help" id="setting-button_position-help">{t("position_help")}</span>
        </div>
    }
}

/// The stylesheet both pages share (a file, never inline: MV3 CSP).
pub const STYLESHEET: &str = "alisave.css";

/// Today's date in the browser's time zone, for `{date}`.
pub fn today() -> Option<Date> {
    let d = js_sys::Date::new_0();
    Date::new(
        u16::try_from(d.get_full_year()).ok()?,
        u8::try_from(d.get_month() + 1).ok()?,
        u8::try_from(d.get_date()).ok()?,
    )
}

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
