//! AliSavePro options page (composition root).

use alisave_core::settings::Settings;
use alisave_core::MediaKind;
use alisave_ui::{use_settings, FolderField, Notice, SettingsHandle};
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Options);
}

#[component]
fn Options() -> impl IntoView {
    let settings = use_settings();
    view! {
        <main class="options">
            <header>
                <img src="icons/icon48.png" alt="" width="32" height="32" />
                <h1>"AliSavePro settings"</h1>
            </header>
            <Notice notice=settings.notice />
            <Show when=move || settings.value.get().is_some() fallback=|| view! { <p>"Loading…"</p> }>
                <section>
                    <h2>"Where files go"</h2>
                    <FolderField handle=settings />
                </section>
                <section>
                    <h2>"What the page button saves"</h2>
                    {MediaKind::ALL.into_iter().map(|kind| view! { <KindBox handle=settings kind=kind /> }).collect_view()}
                </section>
                <section>
                    <h2>"In-page button"</h2>
                    <label class="check">
                        <input
                            type="checkbox"
                            data-setting="show_button"
                            prop:checked=move || settings.value.get().map(|s| s.show_button).unwrap_or(true)
                            on:change=move |ev| {
                                if let Some(s) = settings.value.get_untracked() {
                                    settings.save(Settings { show_button: event_target_checked(&ev), ..s });
                                }
                            }
                        />
                        " Show the save button on product pages"
                    </label>
                </section>
            </Show>
        </main>
    }
}

#[component]
fn KindBox(handle: SettingsHandle, kind: MediaKind) -> impl IntoView {
    let label = match kind {
        MediaKind::Gallery => "Gallery images",
        MediaKind::Variant => "Variant (colour, style) images, named by variant",
        MediaKind::Description => "Description images",
        MediaKind::Video => "Videos",
    };
    view! {
        <label class="check">
            <input
                type="checkbox"
                data-setting=format!("kinds.{}", kind.as_str())
                prop:checked=move || handle.value.get().map(|s| s.kinds.allows(kind)).unwrap_or(true)
                on:change=move |ev| {
                    if let Some(mut s) = handle.value.get_untracked() {
                        let on = event_target_checked(&ev);
                        match kind {
                            MediaKind::Gallery => s.kinds.gallery = on,
                            MediaKind::Variant => s.kinds.variant = on,
                            MediaKind::Description => s.kinds.description = on,
                            MediaKind::Video => s.kinds.video = on,
                        }
                        handle.save(s);
                    }
                }
            />
            " "
            {label}
        </label>
    }
}
