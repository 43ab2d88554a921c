//! AliSavePro popup (composition root): status of the current tab and quick settings.

use alisave_ui::{use_settings, FolderField, Notice};
use leptos::prelude::*;
use leptos::task::spawn_local;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Popup);
}

#[component]
fn Popup() -> impl IntoView {
    let settings = use_settings();
    let tab_state = RwSignal::new(None::<String>);
    spawn_local(async move {
        let text = match alisave_ui::active_tab_product().await {
            Ok(Some(p)) => format!(
                "Product {} on {}: use the button on the page to save its media.",
                p.product_id, p.host
            ),
            Ok(None) => "Open an AliExpress or Alibaba product page to save its media.".to_string(),
            Err(e) => format!("Could not read the current tab: {e}"),
        };
        tab_state.set(Some(text));
    });
    let options_url = alisave_ui::options_url();
    view! {
        <main class="popup">
            <header>
                <img src="icons/icon32.png" alt="" width="24" height="24" />
                <h1>"AliSavePro"</h1>
            </header>
            <p data-testid="tab-state">{move || tab_state.get().unwrap_or_default()}</p>
            <Notice notice=settings.notice />
            <Show when=move || settings.value.get().is_some() fallback=|| view! { <p>"Loading…"</p> }>
                <FolderField handle=settings />
                <p class="help">
                    "Files go to "
                    <code data-testid="folder">{move || settings.value.get().map(|s| s.folder).unwrap_or_default()}</code>
                </p>
            </Show>
            <a href=options_url.clone() target="_blank" rel="noopener">"All settings"</a>
        </main>
    }
}
