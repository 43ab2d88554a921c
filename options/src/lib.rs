//! AliSavePro options page (composition root): every setting with a one-line
//! explanation, a live preview of real file names, export/import/reset.

use alisave_core::filename::{self, Placeholder};
use alisave_core::plan;
use alisave_core::settings::{self, Settings};
use alisave_ui::saving::{use_access, AccessNotice, FormatField, ZipField};
use alisave_ui::{
    i18n, t, text, tf, use_settings, ButtonPositionField, CheckField, Draft, ImageSizeField,
    KindsField, Notice, SettingsHandle, ShowButtonField, TemplateField, TextField, TextSetting,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

mod queue;

/// Shows the options page (`options.html`; called by the pages' entry,
/// `popup/src/main.rs`).
pub fn start_options() {
    i18n::localize_document(&t("options_title"));
    leptos::mount::mount_to_body(Options);
}

/// Shows the queue page (`queue.html`), the list of products to save.
pub fn start_queue() {
    i18n::localize_document(&t("queue_title"));
    leptos::mount::mount_to_body(queue::QueuePage);
}

#[component]
fn Options() -> impl IntoView {
    let settings = use_settings();
    let access = use_access();
    view! {
        <main class="options">
            <header>
                <img src="icons/icon48.png" alt="" width="32" height="32" />
                <h1>{t("options_title")}</h1>
                <a href="queue.html" target="_blank" data-alisave-action="open-queue">{t("open_queue_page")}</a>
            </header>
            <Notice notice=settings.notice />
            <Show when=move || settings.value.get().is_some()
                fallback=|| view! { <p role="status">{t("loading")}</p> }>
                <Names handle=settings />
                <section aria-labelledby="h-kinds">
                    <h2 id="h-kinds">{t("section_kinds")}</h2>
                    <p class="help">{t("section_kinds_help")}</p>
                    <KindsField handle=settings />
                </section>
                <section aria-labelledby="h-saving">
                    <h2 id="h-saving">{t("section_saving")}</h2>
                    <ImageSizeField handle=settings />
                    <CheckField handle=settings name="ask_where_to_save"
                        get=|s| s.ask_where_to_save set=|s, on| s.ask_where_to_save = on
                        label=t("save_as_label") help=t("save_as_help") />
                </section>
                <section aria-labelledby="h-output">
                    <h2 id="h-output">{t("section_output")}</h2>
                    <FormatField handle=settings access />
                    <ZipField handle=settings access />
                    <CheckField handle=settings name="product_manifest"
                        get=|s| s.product_manifest set=|s, on| s.product_manifest = on
                        label=t("manifest_label") help=t("manifest_help") />
                    <AccessNotice handle=settings access />
                </section>
                <section aria-labelledby="h-button">
                    <h2 id="h-button">{t("section_button")}</h2>
                    <ShowButtonField handle=settings />
                    <ButtonPositionField handle=settings />
                    <CheckField handle=settings name="button_reviews"
                        get=|s| s.button_reviews set=|s, on| s.button_reviews = on
                        label=t("button_reviews_label") help=t("button_reviews_help") />
                </section>
                <Backup handle=settings />
            </Show>
        </main>
    }
}

/// Folder, templates, the placeholder list and the live preview.
#[component]
fn Names(handle: SettingsHandle) -> impl IntoView {
    let folder = Draft::follow(handle, TextSetting::FOLDER);
    let folder_t = Draft::follow(handle, TextSetting::FOLDER_TEMPLATE);
    let file_t = Draft::follow(handle, TextSetting::FILE_TEMPLATE);
    let review_t = Draft::follow(handle, TextSetting::REVIEW_TEMPLATE);
    view! {
        <section aria-labelledby="h-names">
            <h2 id="h-names">{t("section_names")}</h2>
            <TextField handle setting=TextSetting::FOLDER draft=folder
                label=t("folder_label") help=t("folder_help") />
            <TemplateField handle setting=TextSetting::FOLDER_TEMPLATE draft=folder_t
                label=t("folder_template_label") help=t("folder_template_help") />
            <TemplateField handle setting=TextSetting::FILE_TEMPLATE draft=file_t
                label=t("file_template_label") help=t("file_template_help") />
            <Preview handle folder folder_t file_t />
            <details class="placeholders">
                <summary>{t("placeholders_title")}</summary>
                <p class="help">{t("placeholders_optional")}</p>
                <dl>
                    {Placeholder::ALL.into_iter().map(|p| view! {
                        <dt><code>{format!("{{{}}}", p.name())}</code></dt>
                        <dd>{placeholder_help(p)}</dd>
                    }).collect_view()}
                </dl>
            </details>
            <TemplateField handle setting=TextSetting::REVIEW_TEMPLATE draft=review_t
                label=t("review_template_label") help=t("review_template_help") />
        </section>
    }
}

fn placeholder_help(p: Placeholder) -> String {
    match p {
        Placeholder::Shop => t("ph_shop"),
        Placeholder::Id => t("ph_id"),
        Placeholder::Title => t("ph_title"),
        Placeholder::Store => t("ph_store"),
        Placeholder::Date => t("ph_date"),
        Placeholder::Kind => t("ph_kind"),
        Placeholder::Variant => t("ph_variant"),
        Placeholder::N => t("ph_n"),
        Placeholder::Ext => t("ph_ext"),
    }
}

/// The settings as typed (not yet saved), or why they cannot be previewed.
fn drafted(
    base: &Settings,
    folder: &str,
    folder_t: &str,
    file_t: &str,
) -> Result<Settings, String> {
    let s = (TextSetting::FOLDER.set)(base, folder)?;
    let folder_template =
        filename::validate_folder_template(folder_t).map_err(|e| text::template_error(&e))?;
    let file_template =
        filename::validate_file_template(file_t).map_err(|e| text::template_error(&e))?;
    filename::validate_templates(&folder_template, &file_template)
        .map_err(|e| text::template_error(&e))?;
    Ok(Settings {
        folder_template,
        file_template,
        ..s
    })
}

/// Real file names for a sample product, following the fields as they are typed.
#[component]
fn Preview(handle: SettingsHandle, folder: Draft, folder_t: Draft, file_t: Draft) -> impl IntoView {
    let sample = StoredValue::new(plan::sample_inventory());
    let today = alisave_ui::today();
    let names = move || -> Result<Vec<String>, String> {
        let base = handle.value.get().unwrap_or_default();
        let s = drafted(
            &base,
            &folder.text.get(),
            &folder_t.text.get(),
            &file_t.text.get(),
        )?;
        Ok(sample.with_value(|inv| {
            let all: Vec<String> = inv.items.iter().map(|i| i.url.clone()).collect();
            plan::plan_selected_on(&s, inv, &all, today)
                .into_iter()
                .map(|f| f.path)
                .collect()
        }))
    };
    view! {
        <div class="preview" aria-labelledby="h-preview">
            <h3 id="h-preview">{t("preview_title")}</h3>
            <p class="help">{t("preview_help")}</p>
            {move || match names() {
                Ok(list) => view! {
                    <ul data-testid="preview">
                        {list.into_iter().map(|p| view! { <li><code>{p}</code></li> }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! {
                    <p class="help" data-testid="preview-invalid">{tf("preview_invalid", &[&e])}</p>
                }.into_any(),
            }}
        </div>
    }
}

/// Export to a file, import from a file, reset to defaults.
#[component]
fn Backup(handle: SettingsHandle) -> impl IntoView {
    // (ok, message) of the last import/export/reset.
    let result = RwSignal::new(None::<(bool, String)>);
    let confirming = RwSignal::new(false);
    // The confirmation takes the focus (on Cancel, the safe choice) and gives it
    // back to the reset button when it closes.
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    let reset_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |was_open: Option<bool>| {
        let open = confirming.get();
        if open {
            if let Some(b) = cancel_ref.get() {
                let _ = b.focus();
            }
        } else if was_open == Some(true) {
            if let Some(b) = reset_ref.get_untracked() {
                let _ = b.focus();
            }
        }
        open
    });
    let export = move |_| {
        let Some(s) = handle.value.get_untracked() else {
            return;
        };
        match download_text("alisavepro-settings.json", &settings::export(&s)) {
            Ok(()) => result.set(Some((true, t("export_done")))),
            Err(e) => result.set(Some((false, tf("export_failed", &[&e])))),
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same file may be chosen again after a fix.
        input.set_value("");
        if file.size() > settings::MAX_IMPORT_BYTES as f64 {
            result.set(Some((
                false,
                text::import_error(&settings::ImportError::TooLarge),
            )));
            return;
        }
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => v.as_string().unwrap_or_default(),
                Err(_) => {
                    result.set(Some((false, t("import_unreadable"))));
                    return;
                }
            };
            match settings::import(&text) {
                Ok(imported) => {
                    handle.save(imported.settings);
                    let msg = match imported.newer_schema {
                        Some(n) => tf("import_done_newer", &[&n.to_string()]),
                        None => t("import_done"),
                    };
                    result.set(Some((true, msg)));
                }
                Err(e) => result.set(Some((false, text::import_error(&e)))),
            }
        });
    };
    view! {
        <section aria-labelledby="h-backup">
            <h2 id="h-backup">{t("section_backup")}</h2>
            <p class="help">{t("section_backup_help")}</p>
            <div class="actions">
                <button type="button" data-action="export" on:click=export>{t("export_button")}</button>
                <label class="file-button">
                    <input type="file" accept=".json,application/json" data-action="import" on:change=import />
                    <span>{t("import_button")}</span>
                </label>
                <button type="button" data-action="reset" node_ref=reset_ref aria-expanded=move || confirming.get().to_string()
                    on:click=move |_| confirming.set(true)>{t("reset_button")}</button>
            </div>
            <Show when=move || confirming.get()>
                <div class="confirm" role="group" aria-labelledby="reset-question">
                    <p id="reset-question">{t("reset_question")}</p>
                    <button type="button" class="danger" data-action="reset-confirm" on:click=move |_| {
                        handle.save(Settings::default());
                        confirming.set(false);
                        result.set(Some((true, t("reset_done"))));
                    }>{t("reset_confirm")}</button>
                    <button type="button" data-action="reset-cancel" node_ref=cancel_ref on:click=move |_| confirming.set(false)>
                        {t("cancel")}
                    </button>
                </div>
            </Show>
            <div aria-live="polite">
                {move || result.get().map(|(ok, m)| view! {
                    <p class=if ok { "outcome" } else { "outcome error" } data-testid="backup-result">{m}</p>
                })}
            </div>
        </section>
    }
}

/// Saves `text` as a file through the browser's download of a blob URL.
fn download_text(name: &str, text: &str) -> Result<(), String> {
    let err = |e: wasm_bindgen::JsValue| alisave_chrome::js_error_text(&e);
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(err)?
        .dyn_into()
        .map_err(|_| "not an anchor".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoked at the next export, not now: the download starts asynchronously
    // and needs the URL until then (one small blob stays alive meanwhile).
    thread_local! {
        static LAST_URL: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }
    if let Some(previous) = LAST_URL.with(|l| l.borrow_mut().replace(url)) {
        let _ = web_sys::Url::revoke_object_url(&previous);
    }
    Ok(())
}
