//! AliSavePro popup (composition root): preview the product's media, choose, save.
//!
//! The popup talks to the tab's content script (`PopupToContent`), which forwards
//! through its validated channel to the background, so the popup adds no new way
//! into the background. UI-only state (filter, selection per product) lives in
//! `localStorage` through gloo-storage.

use alisave_chrome as chrome;
use alisave_core::protocol::{InspectReply, PopupToContent, SaveReport};
use alisave_core::{Inventory, MediaItem, MediaKind};
use alisave_ui::{
    i18n, kind_label, t, tf, use_settings, FolderField, ImageSizeField, Notice, SettingsHandle,
    ShowButtonField,
};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    i18n::localize_document(&t("ext_name"));
    leptos::mount::mount_to_body(Popup);
}

/// What the popup knows about the active tab.
#[derive(Clone, PartialEq)]
enum TabState {
    Loading,
    NotProduct,
    Failed(String),
    Ready { tab_id: i64, inventory: Inventory },
}

/// "3 gallery", "2 variants"… for the header's summary.
fn kind_count(kind: MediaKind, n: usize) -> String {
    let n = n.to_string();
    match kind {
        MediaKind::Gallery => tf("count_gallery", &[&n]),
        MediaKind::Variant => tf("count_variant", &[&n]),
        MediaKind::Description => tf("count_description", &[&n]),
        MediaKind::Video => tf("count_video", &[&n]),
    }
}

fn selection_key(inv: &Inventory) -> String {
    format!(
        "selection:{}:{}",
        inv.platform.map(|p| p.slug()).unwrap_or("shop"),
        inv.product_id
    )
}

/// `popup.html?tab=<id>` targets that tab (the popup opened in a tab of its own,
/// e.g. from tests or a pinned window); otherwise the active tab.
fn requested_tab() -> Option<i64> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("tab="))
        .and_then(|v| v.parse().ok())
}

async fn load_tab() -> TabState {
    let tab = match requested_tab() {
        Some(id) => chrome::tab(id).await.map(Some),
        None => chrome::active_tab().await,
    };
    let tab = match tab {
        Ok(Some(t)) => t,
        Ok(None) => return TabState::NotProduct,
        Err(e) => return TabState::Failed(tf("popup_tab_error", &[&e.to_string()])),
    };
    let (Some(tab_id), Some(url)) = (tab.id, tab.url) else {
        return TabState::NotProduct;
    };
    if alisave_core::url::product_page(&url).is_none() {
        return TabState::NotProduct;
    }
    match chrome::send_to_tab::<_, InspectReply>(tab_id, &PopupToContent::Inspect).await {
        Ok(InspectReply {
            inventory: Some(inventory),
            ..
        }) => TabState::Ready { tab_id, inventory },
        Ok(reply) => TabState::Failed(if reply.message.is_empty() {
            t("popup_no_media")
        } else {
            reply.message
        }),
        Err(e) => TabState::Failed(tf("popup_not_ready", &[&e.to_string()])),
    }
}

#[component]
fn Popup() -> impl IntoView {
    let settings = use_settings();
    let state = RwSignal::new(TabState::Loading);
    spawn_local(async move { state.set(load_tab().await) });
    view! {
        <main class="popup">
            <header>
                <img src="icons/icon32.png" alt="" width="24" height="24" />
                <h1>{t("ext_name")}</h1>
            </header>
            <Notice notice=settings.notice />
            {move || match state.get() {
                TabState::Loading => view! { <p data-testid="tab-state" role="status">{t("popup_reading")}</p> }.into_any(),
                TabState::NotProduct => view! { <EmptyState /> }.into_any(),
                TabState::Failed(m) => view! { <p class="error" role="alert" data-testid="tab-state">{m}</p> }.into_any(),
                TabState::Ready { tab_id, inventory } => view! { <Product tab_id inventory /> }.into_any(),
            }}
            <QuickSettings settings state />
            <a href=chrome::runtime_url("options.html") target="_blank" rel="noopener">{t("all_settings")}</a>
        </main>
    }
}

#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <section class="empty" data-testid="tab-state">
            <p>{t("empty_intro")}</p>
            <ul>
                <li>{t("empty_aliexpress")}</li>
                <li>{t("empty_alibaba")}</li>
            </ul>
        </section>
    }
}

#[component]
fn Product(tab_id: i64, inventory: Inventory) -> impl IntoView {
    let key = selection_key(&inventory);
    let all: BTreeSet<String> = inventory.items.iter().map(|i| i.url.clone()).collect();
    // The last selection for this product, limited to what the page still has.
    let initial: BTreeSet<String> = LocalStorage::get::<Vec<String>>(&key)
        .map(|v| v.into_iter().filter(|u| all.contains(u)).collect())
        .unwrap_or_else(|_| all.clone());
    let selected = RwSignal::new(initial);
    Effect::new({
        let key = key.clone();
        move |_| {
            let v: Vec<String> = selected.get().into_iter().collect();
            let _ = LocalStorage::set(&key, v);
        }
    });
    let filter =
        RwSignal::new(LocalStorage::get::<String>("ui.filter").unwrap_or_else(|_| "all".into()));
    Effect::new(move |_| {
        let _ = LocalStorage::set("ui.filter", filter.get());
    });
    let lightbox = RwSignal::new(None::<usize>);
    let outcome = RwSignal::new(None::<SaveReport>);
    let busy = RwSignal::new(false);
    let items = StoredValue::new(inventory.items.clone());
    let counts: Vec<(MediaKind, usize)> = MediaKind::ALL
        .into_iter()
        .map(|k| (k, inventory.of_kind(k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let thumb = inventory
        .of_kind(MediaKind::Gallery)
        .next()
        .and_then(|i| i.preview.clone().or(Some(i.url.clone())));
    let title = inventory
        .title
        .clone()
        .unwrap_or_else(|| tf("product_fallback_title", &[&inventory.product_id]));
    let shop = inventory.shop.clone();
    let summary = counts
        .iter()
        .map(|(k, n)| kind_count(*k, *n))
        .collect::<Vec<_>>()
        .join(" · ");
    let visible = move || -> Vec<(usize, MediaItem)> {
        let f = filter.get();
        items.with_value(|all| {
            all.iter()
                .cloned()
                .enumerate()
                .filter(|(_, i)| f == "all" || i.kind.as_str() == f)
                .collect()
        })
    };
    let save = move |_| {
        let only: Vec<String> = selected.get_untracked().into_iter().collect();
        if only.is_empty() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let report =
                chrome::send_to_tab::<_, SaveReport>(tab_id, &PopupToContent::Save { only })
                    .await
                    .unwrap_or_else(|e| {
                        SaveReport::refused(tf("popup_no_answer", &[&e.to_string()]))
                    });
            outcome.set(Some(report));
            busy.set(false);
        });
    };
    view! {
        <section class="product">
            <div class="product-head">
                {thumb.map(|t| view! { <img class="thumb" src=t alt="" width="48" height="48" /> })}
                <div>
                    <h2 data-testid="title">{title}</h2>
                    {shop.map(|s| view! { <p class="shop">{s}</p> })}
                    <p class="counts" data-testid="counts">{summary}</p>
                </div>
            </div>
            <div class="filters" role="group" aria-label=t("filter_group_label")>
                <FilterButton filter value="all".to_string() label=tf("filter_all", &[&inventory.items.len().to_string()]) />
                {counts.iter().map(|(k, n)| view! {
                    <FilterButton filter value=k.as_str().to_string() label=tf("filter_kind", &[&kind_label(*k), &n.to_string()]) />
                }).collect_view()}
            </div>
            <div class="bulk">
                <button type="button" data-action="select-all" on:click=move |_| {
                    let shown: Vec<String> = visible().into_iter().map(|(_, i)| i.url).collect();
                    selected.update(|s| s.extend(shown));
                }>{t("select_all")}</button>
                <button type="button" data-action="select-none" on:click=move |_| {
                    let shown: Vec<String> = visible().into_iter().map(|(_, i)| i.url).collect();
                    selected.update(|s| s.retain(|u| !shown.contains(u)));
                }>{t("select_none")}</button>
            </div>
            <ul class="grid" data-testid="grid">
                <For each=visible key=|(i, _)| *i let:entry>
                    <Tile index=entry.0 item=entry.1 selected lightbox />
                </For>
            </ul>
            <button type="button" class="primary" data-action="download-selected"
                disabled=move || busy.get() || selected.get().is_empty()
                on:click=save>
                {move || if busy.get() { t("saving") } else { tf("download_selected", &[&selected.get().len().to_string()]) }}
            </button>
            {move || outcome.get().map(|r| view! {
                <p class=if r.ok { "outcome" } else { "outcome error" } role="status" data-testid="outcome">{r.message}</p>
            })}
            <Lightbox items lightbox />
        </section>
    }
}

#[component]
fn FilterButton(filter: RwSignal<String>, value: String, label: String) -> impl IntoView {
    let v = value.clone();
    view! {
        <button type="button" class="filter" data-filter=value.clone()
            aria-pressed=move || (filter.get() == v).to_string()
            on:click=move |_| filter.set(value.clone())>
            {label}
        </button>
    }
}

#[component]
fn Tile(
    index: usize,
    item: MediaItem,
    selected: RwSignal<BTreeSet<String>>,
    lightbox: RwSignal<Option<usize>>,
) -> impl IntoView {
    let url = item.url.clone();
    let u1 = url.clone();
    let u2 = url.clone();
    let src = match item.kind {
        MediaKind::Video => item
            .poster
            .clone()
            .and_then(|p| alisave_core::url::preview_url(&p).or(Some(p))),
        _ => item.preview.clone().or(Some(item.url.clone())),
    };
    let name = match (&item.variant, item.kind) {
        (Some(v), _) => tf("tile_variant_name", &[&v.axis, &v.value]),
        (None, k) => tf("tile_name", &[&kind_label(k), &(index + 1).to_string()]),
    };
    let name2 = name.clone();
    view! {
        <li class="tile" data-kind=item.kind.as_str()>
            <label class="pick">
                <input type="checkbox" data-url=url.clone()
                    prop:checked=move || selected.get().contains(&u1)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let u = u2.clone();
                        selected.update(|s| { if on { s.insert(u); } else { s.remove(&u); } });
                    } />
                <span class="visually-hidden">{tf("tile_pick", &[&name])}</span>
            </label>
            <button type="button" class="zoom" data-index=index aria-label=tf("tile_preview", &[&name2]) on:click=move |_| lightbox.set(Some(index))>
                {match src {
                    Some(s) => view! { <img src=s alt="" loading="lazy" width="96" height="96" /> }.into_any(),
                    None => view! { <span class="video-mark">"▶"</span> }.into_any(),
                }}
                {(item.kind == MediaKind::Video).then(|| view! { <span class="badge">{t("badge_video")}</span> })}
            </button>
        </li>
    }
}

#[component]
fn Lightbox(
    items: StoredValue<Vec<MediaItem>>,
    lightbox: RwSignal<Option<usize>>,
) -> impl IntoView {
    let len = items.with_value(|v| v.len());
    let step = move |d: isize| {
        lightbox.update(|i| {
            if let Some(x) = i {
                *x = ((*x as isize + d).rem_euclid(len.max(1) as isize)) as usize;
            }
        })
    };
    // Keyboard use: the preview takes the focus when it opens (on Close) and gives
    // it back to the tile of the image it showed when it closes.
    let close_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |was: Option<Option<usize>>| {
        let now = lightbox.get();
        match (was.flatten(), now) {
            (None, Some(_)) => {
                if let Some(b) = close_ref.get() {
                    let _ = b.focus();
                }
            }
            (Some(i), None) => {
                let tile = document()
                    .query_selector(&format!("button.zoom[data-index=\"{i}\"]"))
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(t) = tile {
                    let _ = t.focus();
                }
            }
            _ => {}
        }
        now
    });
    // Keyboard navigation while the preview is open, wherever the focus is.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if lightbox.get_untracked().is_none() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => lightbox.set(None),
            "ArrowRight" => step(1),
            "ArrowLeft" => step(-1),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        {move || lightbox.get().and_then(|i| items.with_value(|v| v.get(i).cloned())).map(|item| {
            let big = match item.kind {
                MediaKind::Video => item.poster.clone(),
                _ => Some(item.url.clone()),
            };
            let caption = match &item.variant {
                Some(v) => tf("caption_variant", &[&kind_label(item.kind), &v.axis, &v.value]),
                None => kind_label(item.kind),
            };
            view! {
                <div class="lightbox" role="dialog" aria-modal="true" aria-label=t("lightbox_label")>
                    {big.map(|b| view! { <img src=b alt=caption.clone() /> })}
                    <p class="caption" data-testid="caption">{caption.clone()}</p>
                    <p class="help">{item.url.clone()}</p>
                    <div class="nav">
                        <button type="button" on:click=move |_| step(-1) aria-label=t("previous")>"‹"</button>
                        <button type="button" node_ref=close_ref on:click=move |_| lightbox.set(None)>{t("close")}</button>
                        <button type="button" on:click=move |_| step(1) aria-label=t("next")>"›"</button>
                    </div>
                </div>
            }
        })}
    }
}

/// Quick settings: the same settings the options page edits, and how the files
/// will be named (for this product, or a sample one).
#[component]
fn QuickSettings(settings: SettingsHandle, state: RwSignal<TabState>) -> impl IntoView {
    let today = alisave_ui::today();
    let sample_name = move || {
        let s = settings.value.get()?;
        let inventory = match state.get() {
            TabState::Ready { inventory, .. } if !inventory.items.is_empty() => inventory,
            _ => alisave_core::filename::sample_inventory(),
        };
        let all: Vec<String> = inventory.items.iter().map(|i| i.url.clone()).collect();
        alisave_core::filename::plan_selected_on(&s, &inventory, &all, today)
            .into_iter()
            .next()
            .map(|f| f.path)
    };
    view! {
        <details class="quick">
            <summary>{t("quick_settings")}</summary>
            <Show when=move || settings.value.get().is_some()>
                <FolderField handle=settings />
                <p class="help">
                    {t("files_go_to")} " "
                    <code data-testid="folder">{move || settings.value.get().map(|s| s.folder).unwrap_or_default()}</code>
                </p>
                <p class="help">
                    {t("files_named_like")} " "
                    <code data-testid="name-sample">{sample_name}</code>
                </p>
                <ImageSizeField handle=settings />
                <ShowButtonField handle=settings />
            </Show>
        </details>
    }
}
