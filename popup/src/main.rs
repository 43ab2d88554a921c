//! AliSavePro popup (composition root): preview the product's media, choose, save.
//!
//! The popup talks to the tab's content script (`PopupToContent`), which forwards
//! through its validated channel to the background, so the popup adds no new way
//! into the background. UI-only state (filter, selection per product) lives in
//! `localStorage` through gloo-storage.

use alisave_chrome as chrome;
use alisave_core::protocol::{InspectReply, PopupToContent, SaveReport};
use alisave_core::{Inventory, MediaItem, MediaKind};
use alisave_ui::{use_settings, FolderField, Notice};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;

fn main() {
    console_error_panic_hook::set_once();
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

fn kind_label(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Gallery => "Gallery",
        MediaKind::Variant => "Variants",
        MediaKind::Description => "Description",
        MediaKind::Video => "Videos",
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
        Err(e) => return TabState::Failed(format!("Could not read the current tab: {e}")),
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
            "The page did not return its media.".into()
        } else {
            reply.message
        }),
        Err(e) => TabState::Failed(format!(
            "The page is not ready ({e}). Reload the product page and open this popup again."
        )),
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
                <h1>"AliSavePro"</h1>
            </header>
            <Notice notice=settings.notice />
            {move || match state.get() {
                TabState::Loading => view! { <p data-testid="tab-state">"Reading the page…"</p> }.into_any(),
                TabState::NotProduct => view! { <EmptyState /> }.into_any(),
                TabState::Failed(m) => view! { <p class="error" role="alert" data-testid="tab-state">{m}</p> }.into_any(),
                TabState::Ready { tab_id, inventory } => view! { <Product tab_id inventory /> }.into_any(),
            }}
            <details class="quick">
                <summary>"Quick settings"</summary>
                <Show when=move || settings.value.get().is_some()>
                    <FolderField handle=settings />
                    <p class="help">
                        "Files go to "
                        <code data-testid="folder">{move || settings.value.get().map(|s| s.folder).unwrap_or_default()}</code>
                    </p>
                </Show>
            </details>
            <a href=chrome::runtime_url("options.html") target="_blank" rel="noopener">"All settings"</a>
        </main>
    }
}

#[component]
fn EmptyState() -> impl IntoView {
    view! {
        <section class="empty" data-testid="tab-state">
            <p>"Open a product page to save its photos, variant images, description images and videos."</p>
            <ul>
                <li>"AliExpress: aliexpress.com, aliexpress.us, aliexpress.ru and language sites — /item/… pages"</li>
                <li>"Alibaba: alibaba.com — /product-detail/… pages"</li>
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
        .unwrap_or_else(|| format!("Product {}", inventory.product_id));
    let shop = inventory.shop.clone();
    let summary = counts
        .iter()
        .map(|(k, n)| format!("{n} {}", kind_label(*k).to_lowercase()))
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
                        SaveReport::refused(format!("The page did not answer ({e})."))
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
            <div class="filters" role="group" aria-label="Show">
                <FilterButton filter value="all".to_string() label=format!("All {}", inventory.items.len()) />
                {counts.iter().map(|(k, n)| view! {
                    <FilterButton filter value=k.as_str().to_string() label=format!("{} {n}", kind_label(*k)) />
                }).collect_view()}
            </div>
            <div class="bulk">
                <button type="button" data-action="select-all" on:click=move |_| {
                    let shown: Vec<String> = visible().into_iter().map(|(_, i)| i.url).collect();
                    selected.update(|s| s.extend(shown));
                }>"Select all"</button>
                <button type="button" data-action="select-none" on:click=move |_| {
                    let shown: Vec<String> = visible().into_iter().map(|(_, i)| i.url).collect();
                    selected.update(|s| s.retain(|u| !shown.contains(u)));
                }>"Select none"</button>
            </div>
            <ul class="grid" data-testid="grid">
                <For each=visible key=|(i, _)| *i let:entry>
                    <Tile index=entry.0 item=entry.1 selected lightbox />
                </For>
            </ul>
            <button type="button" class="primary" data-action="download-selected"
                disabled=move || busy.get() || selected.get().is_empty()
                on:click=save>
                {move || if busy.get() { "Saving…".to_string() } else { format!("Download {} selected", selected.get().len()) }}
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
        (Some(v), _) => format!("{}: {}", v.axis, v.value),
        (None, k) => format!("{} {}", kind_label(k), index + 1),
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
                <span class="visually-hidden">{format!("Save {name}")}</span>
            </label>
            <button type="button" class="zoom" aria-label=format!("Preview {name2}") on:click=move |_| lightbox.set(Some(index))>
                {match src {
                    Some(s) => view! { <img src=s alt="" loading="lazy" width="96" height="96" /> }.into_any(),
                    None => view! { <span class="video-mark">"▶"</span> }.into_any(),
                }}
                {(item.kind == MediaKind::Video).then(|| view! { <span class="badge">"video"</span> })}
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
                Some(v) => format!("{} — {}: {}", kind_label(item.kind), v.axis, v.value),
                None => kind_label(item.kind).to_string(),
            };
            view! {
                <div class="lightbox" role="dialog" aria-modal="true" aria-label="Preview">
                    {big.map(|b| view! { <img src=b alt=caption.clone() /> })}
                    <p class="caption" data-testid="caption">{caption.clone()}</p>
                    <p class="help">{item.url.clone()}</p>
                    <div class="nav">
                        <button type="button" on:click=move |_| step(-1) aria-label="Previous">"‹"</button>
                        <button type="button" autofocus on:click=move |_| lightbox.set(None)>"Close"</button>
                        <button type="button" on:click=move |_| step(1) aria-label="Next">"›"</button>
                    </div>
                </div>
            }
        })}
    }
}
