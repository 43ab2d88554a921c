//! AliSavePro popup (composition root): preview the product's media, choose, save.
//!
//! The popup talks to the tab's content script (`PopupToContent`), which forwards
//! through its validated channel to the background, so the popup adds no new way
//! into the background. UI-only state (filter, selection per product) lives in
//! `localStorage` through gloo-storage.
//!
//! Progress of saves comes from the background's own record of them: the
//! batches of this tab in `chrome.storage.session`, read when the popup opens and
//! followed through `chrome.storage.onChanged`, so the bar is live for saves
//! started here or from the in-page button, and right when reopened mid-save.
//! The grid follows the page: the content script tells an open popup (over a
//! port) when the page's media change, and the worker's record of the tab's shop
//! API requests (`observed:<tab>`) changing means it learned more; either way the
//! popup inspects the page again and keeps the user's selection.

use alisave_chrome as chrome;
use alisave_core::engine::Batch;
use alisave_core::popup_view::{self, BatchView, PopupRequest, BATCH_PREFIX, POPUP_PORT};
use alisave_core::protocol::{observed_key, InspectReply, PopupToContent, SaveReport};
use alisave_core::say::Say;
use alisave_core::{Inventory, MediaItem, MediaKind};
use alisave_ui::{
    i18n, kind_label, say, t, tf, tn, use_settings, FolderField, ImageSizeField, Notice,
    SettingsHandle, ShowButtonField,
};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::BTreeSet;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

mod buyer;

thread_local! {
    /// The port to the tab's content script (kept open while the popup is).
    static PORT: RefCell<Option<chrome::Port>> = const { RefCell::new(None) };
}

/// Shows the popup (`popup.html`; called by the pages' entry, `main.rs`).
pub fn start() {
    i18n::localize_document(&t("ext_name"));
    leptos::mount::mount_to_body(Popup);
}

/// What the popup knows about the active tab.
#[derive(Clone, PartialEq)]
enum TabState {
    Loading,
    NotProduct,
    Failed(String),
    Ready {
        tab_id: i64,
        inventory: RwSignal<Inventory>,
    },
}

/// "3 gallery images", "1 video"… for the header's summary.
fn kind_count(kind: MediaKind, n: usize) -> String {
    match kind {
        MediaKind::Gallery => tn("count_gallery", n, &[]),
        MediaKind::Variant => tn("count_variant", n, &[]),
        MediaKind::Description => tn("count_description", n, &[]),
        MediaKind::Video => tn("count_video", n, &[]),
        MediaKind::Review => tn("count_review", n, &[]),
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

/// Asks the tab's content script for the page's inventory.
async fn inspect(tab_id: i64) -> Result<Inventory, String> {
    inventory_of(chrome::send_to_tab::<_, InspectReply>(tab_id, &PopupToContent::Inspect).await)
}

/// The inventory in the content script's answer, or why there is none.
fn inventory_of(reply: Result<InspectReply, chrome::Error>) -> Result<Inventory, String> {
    match reply {
        Ok(InspectReply {
            inventory: Some(inventory),
            ..
        }) => Ok(inventory),
        Ok(reply) => Err(match reply.message {
            Some(why) => say(&why),
            None => t("popup_no_media"),
        }),
        Err(e) => Err(tf("popup_not_ready", &[&e.to_string()])),
    }
}

/// Follows the port on which the tab's content script says when the page's media
/// change; each message moves `epoch` on.
fn follow_page(port: chrome::Port, epoch: RwSignal<u32>) {
    port.on_message(move |_| epoch.update(|n| *n += 1));
    PORT.with(|p| *p.borrow_mut() = Some(port));
}

async fn load_tab(epoch: RwSignal<u32>) -> TabState {
    // Started by the loader while the wasm loaded (same tab, same questions).
    let early = chrome::take_early().await;
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
    // The grid keeps its UI state in `localStorage`, whose first use in a page
    // asks the browser (a synchronous round trip): asked now, while the
    // inventory is on its way, rather than after it came.
    let _ = LocalStorage::raw();
    // Listen first: a change while the first inspection runs is not missed.
    let first = match early.filter(|e| e.tab_id == tab_id) {
        Some(early) => {
            follow_page(early.port.clone(), epoch);
            inventory_of(early.reply::<InspectReply>().await)
        }
        None => {
            if let Ok(port) = chrome::tabs_connect(tab_id, POPUP_PORT) {
                follow_page(port, epoch);
            }
            inspect(tab_id).await
        }
    };
    match first {
        Ok(inventory) => TabState::Ready {
            tab_id,
            inventory: RwSignal::new(inventory),
        },
        Err(message) => TabState::Failed(message),
    }
}

#[component]
fn Popup() -> impl IntoView {
    let settings = use_settings();
    let state = RwSignal::new(TabState::Loading);
    let epoch = RwSignal::new(0u32);
    spawn_local(async move { state.set(load_tab(epoch).await) });
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
                TabState::Ready { tab_id, inventory } => view! {
                    <buyer::ProductTabs tab_id inventory><Product tab_id inventory epoch /></buyer::ProductTabs>
                }.into_any(),
            }}
            <AllTabs />
            <QuickSettings settings state />
            <a href=chrome::runtime_url("queue.html") target="_blank" rel="noopener"
                data-alisave-action="open-queue">{t("open_queue_page")}</a>
            " · "
            <a href=chrome::runtime_url("options.html") target="_blank" rel="noopener">{t("all_settings")}</a>
        </main>
    }
}

/// "Save all N product tabs": offered when more than one product page is open.
/// Each tab saves itself as its own button does (its content script, the same
/// pipeline and settings, its own product folder); the combined progress is
/// read from the batches those saves made, as the single progress is.
#[component]
fn AllTabs() -> impl IntoView {
    let tabs = RwSignal::new(Vec::<popup_view::ProductTab>::new());
    // Started: the batch of each tab that began, how many were refused, and
    // how many products the run has.
    let started = RwSignal::new(None::<(Vec<String>, usize, usize)>);
    let batches = RwSignal::new(Vec::<Batch>::new());
    let notes = RwSignal::new(Vec::<String>::new());
    spawn_local(async move {
        if let Ok(open) = chrome::tabs_matching(&popup_view::PRODUCT_PAGE_PATTERNS).await {
            tabs.set(popup_view::product_tabs(open.into_iter().filter_map(|t| {
                Some((t.id?, t.url?, t.title.unwrap_or_default()))
            })));
        }
        // Reopened during (or after) a run: its progress, from the batches it made.
        if started.get_untracked().is_none() {
            if let Ok(all) = chrome::session_all().await {
                let run = popup_view::last_all_tabs_run(
                    all.iter()
                        .filter(|(k, _)| k.starts_with(BATCH_PREFIX))
                        .filter_map(|(_, v)| popup_view::batch_from_value(Some(v))),
                );
                if !run.is_empty() {
                    let ids: Vec<String> = run.iter().map(|b| b.id.clone()).collect();
                    let n = ids.len();
                    started.set(Some((ids, 0, n)));
                    batches.set(run);
                }
            }
        }
    });
    let listener = chrome::on_storage_changed(move |change| {
        if change.area != "session" || !change.key.starts_with(BATCH_PREFIX) {
            return;
        }
        let Some((ids, _, _)) = started.get_untracked() else {
            return;
        };
        // Only the run's batches are read (their keys name them).
        let id = change.key.strip_prefix(BATCH_PREFIX).unwrap_or_default();
        if !ids.iter().any(|i| i == id) {
            return;
        }
        let Some(b) = popup_view::batch_from_value(change.new_value.as_ref()) else {
            return;
        };
        if ids.contains(&b.id) {
            batches.update(|all| {
                all.retain(|x| x.id != b.id);
                all.push(b);
            });
        }
    });
    std::mem::forget(listener);
    let save_all = move |_| {
        let list = tabs.get_untracked();
        started.set(Some((Vec::new(), 0, list.len())));
        notes.set(Vec::new());
        let now = chrome::now_ms();
        for tab in list {
            spawn_local(async move {
                // One request id per tab and click: a resend finds its batch.
                let request_id = popup_view::all_tabs_request_id(now, tab.tab_id);
                let reply = chrome::send_to_tab::<_, SaveReport>(
                    tab.tab_id,
                    &PopupToContent::SavePage { request_id },
                )
                .await;
                match reply {
                    Ok(r) if r.batch_id.is_some() => {
                        let id = r.batch_id.unwrap_or_default();
                        started.update(|s| {
                            if let Some((ids, _, _)) = s {
                                ids.push(id.clone());
                            }
                        });
                        let key = format!("{BATCH_PREFIX}{id}");
                        if let Ok(v) = chrome::storage_get(chrome::Area::Session, &key).await {
                            if let Some(b) = popup_view::batch_from_value(v.as_ref()) {
                                batches.update(|all| {
                                    if !all.iter().any(|x| x.id == b.id) {
                                        all.push(b);
                                    }
                                });
                            }
                        }
                    }
                    other => {
                        let why = match other {
                            Ok(r) => say(&r.message),
                            Err(e) => tf("popup_no_answer", &[&e.to_string()]),
                        };
                        started.update(|s| {
                            if let Some((_, refused, _)) = s {
                                *refused += 1;
                            }
                        });
                        notes.update(|n| n.push(format!("{}: {why}", tab.title)));
                    }
                }
            });
        }
    };
    let progress = move || {
        started.with(|s| {
            s.as_ref().map(|(_, refused, n)| {
                batches.with(|b| popup_view::all_tabs_progress(*n, *refused, b))
            })
        })
    };

    move || {
        let list = tabs.get();
        (list.len() > 1).then(|| {
            let n = list.len();
            view! {
                <section class="all-tabs" aria-labelledby="h-all-tabs">
                    <h2 id="h-all-tabs">{tf("all_tabs_heading", &[&n.to_string()])}</h2>
                    <ul class="tab-list">
                        {list.into_iter().map(|t| view! { <li data-tab-id=t.tab_id.to_string()>{t.title}</li> }).collect_view()}
                    </ul>
                    <button type="button" class="primary" data-alisave-action="save-all-tabs"
                        disabled=move || progress().is_some_and(|p| !p.finished)
                        on:click=save_all>
                        {tn("all_tabs_save", n, &[])}
                    </button>
                    {move || progress().map(|p| view! {
                        <p role="status" data-alisave-field="all-tabs-progress"
                            data-products-done=p.products_done.to_string()
                            data-products-failed=p.products_failed.to_string()
                            data-files-done=p.files_done.to_string()
                            data-files-failed=p.files_failed.to_string()
                            data-finished=p.finished.to_string()>
                            {tf("all_tabs_progress", &[
                                &p.products_done.to_string(),
                                &p.products_failed.to_string(),
                                &p.products.to_string(),
                                &p.files_done.to_string(),
                                &p.files_total.to_string(),
                            ])}
                        </p>
                    })}
                    {move || notes.get().into_iter().map(|n| view! { <p class="error">{n}</p> }).collect_view()}
                </section>
            }
        })
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
fn Product(tab_id: i64, inventory: RwSignal<Inventory>, epoch: RwSignal<u32>) -> impl IntoView {
    let (key, product_id, urls) = inventory.with_untracked(|first| {
        let urls: Vec<String> = first.items.iter().map(|i| i.url.clone()).collect();
        (selection_key(first), first.product_id.clone(), urls)
    });
    let all: BTreeSet<String> = urls.iter().cloned().collect();
    // The last selection for this product, limited to what the page still has.
    let stored = LocalStorage::get::<Vec<String>>(&key).ok();
    let initial: BTreeSet<String> = match &stored {
        Some(v) => v.iter().filter(|u| all.contains(*u)).cloned().collect(),
        None => all.clone(),
    };
    // Written back at once only when it is not what is stored already.
    let unchanged = stored.is_some_and(|v| v.len() == initial.len());
    let selected = RwSignal::new(initial);
    Effect::new({
        let key = key.clone();
        move |was: Option<()>| {
            selected.track();
            if was.is_some() || !unchanged {
                let v: Vec<String> = selected.with_untracked(|s| s.iter().cloned().collect());
                let _ = LocalStorage::set(&key, v);
            }
            // Remembered for the most recent products only (bounded storage).
            let mut order: Vec<String> =
                LocalStorage::get(popup_view::SELECTION_ORDER_KEY).unwrap_or_default();
            let forget = popup_view::touch_selection(
                &mut order,
                &key,
                popup_view::MAX_REMEMBERED_SELECTIONS,
            );
            for old in forget {
                LocalStorage::delete(&old);
            }
            let _ = LocalStorage::set(popup_view::SELECTION_ORDER_KEY, order);
        }
    });
    let filter =
        RwSignal::new(LocalStorage::get::<String>("ui.filter").unwrap_or_else(|_| "all".into()));
    // Written when they change (not back when just read).
    Effect::new(move |was: Option<()>| {
        let f = filter.get();
        if was.is_some() {
            let _ = LocalStorage::set("ui.filter", f);
        }
    });
    let grid_size = RwSignal::new(popup_view::GridSize::parse(
        &LocalStorage::get::<String>(popup_view::GRID_SIZE_KEY).unwrap_or_default(),
    ));
    Effect::new(move |was: Option<()>| {
        let g = grid_size.get();
        if was.is_some() {
            let _ = LocalStorage::set(popup_view::GRID_SIZE_KEY, g.as_str());
        }
    });
    // The lightbox reopens where it was when the popup closed (UI state only).
    let lightbox = RwSignal::new(popup_view::lightbox_index(
        LocalStorage::get::<popup_view::LightboxSpot>(popup_view::LIGHTBOX_KEY)
            .ok()
            .as_ref(),
        &key,
        &urls,
    ));
    let outcome = RwSignal::new(None::<SaveReport>);
    let busy = RwSignal::new(false);
    // Said to screen readers when the grid changed by itself.
    let announce = RwSignal::new(String::new());
    let items = Memo::new(move |_| inventory.with(|i| i.items.clone()));
    Effect::new({
        let key = key.clone();
        move |_| match lightbox
            .get()
            .and_then(|i| items.with(|v| v.get(i).map(|m| m.url.clone())))
        {
            Some(url) => {
                let spot = popup_view::LightboxSpot {
                    product: key.clone(),
                    url,
                };
                let _ = LocalStorage::set(popup_view::LIGHTBOX_KEY, spot);
            }
            None => LocalStorage::delete(popup_view::LIGHTBOX_KEY),
        }
    });
    let counts = Memo::new(move |_| {
        inventory.with(|inv| {
            MediaKind::ALL
                .into_iter()
                .map(|k| (k, inv.of_kind(k).count()))
                .filter(|(_, n)| *n > 0)
                .collect::<Vec<(MediaKind, usize)>>()
        })
    });
    let thumb = move || {
        inventory.with(|inv| {
            inv.of_kind(MediaKind::Gallery)
                .next()
                .and_then(|i| i.preview.clone().or(Some(i.url.clone())))
        })
    };
    let title = move || {
        inventory.with(|inv| {
            inv.title
                .clone()
                .unwrap_or_else(|| tf("product_fallback_title", &[&inv.product_id]))
        })
    };
    let shop = move || inventory.with(|inv| inv.shop.clone());
    let summary = move || {
        counts
            .get()
            .iter()
            .map(|(k, n)| kind_count(*k, *n))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let visible = move || -> Vec<(usize, MediaItem)> {
        let f = filter.get();
        items.with(|all| {
            all.iter()
                .cloned()
                .enumerate()
                .filter(|(_, i)| f == "all" || i.kind.as_str() == f)
                .collect()
        })
    };

    // Live grid: inspect the page again whenever it or the worker learned more.
    let refresh = StoredValue::new((false, false)); // (running, asked again meanwhile)
    let reinspect = move || {
        if refresh.get_value().0 {
            refresh.update_value(|r| r.1 = true);
            return;
        }
        refresh.set_value((true, false));
        spawn_local(async move {
            loop {
                if let Ok(next) = inspect(tab_id).await {
                    if inventory.with_untracked(|now| *now != next) {
                        let old_all: BTreeSet<String> = inventory
                            .with_untracked(|i| i.items.iter().map(|i| i.url.clone()).collect());
                        let new_all: Vec<String> =
                            next.items.iter().map(|i| i.url.clone()).collect();
                        let merged = selected
                            .with_untracked(|s| popup_view::merge_selection(&old_all, s, &new_all));
                        if lightbox.get_untracked().is_some_and(|i| i >= new_all.len()) {
                            lightbox.set(None);
                        }
                        announce.set(tn("grid_updated", new_all.len(), &[]));
                        inventory.set(next);
                        selected.set(merged);
                    }
                }
                if !refresh.get_value().1 {
                    refresh.set_value((false, false));
                    break;
                }
                refresh.set_value((true, false));
            }
        });
    };
    Effect::new(move |seen: Option<u32>| {
        let now = epoch.get();
        if seen.is_some_and(|s| s != now) {
            reinspect();
        }
        now
    });

    // Progress: the newest batch of this tab and product, from the worker's record.
    let batch = RwSignal::new(None::<Batch>);
    let observed = observed_key(tab_id);
    // The product requests last seen in the tab's list (`None`: none seen yet).
    let mut requests_seen: Option<Vec<String>> = None;
    let listener = chrome::on_storage_changed({
        let product_id = product_id.clone();
        move |change| {
            if change.area != "session" {
                return;
            }
            if change.key == observed {
                let now = popup_view::product_requests(change.new_value.as_ref());
                if requests_seen.as_ref() != Some(&now) {
                    requests_seen = Some(now);
                    epoch.update(|n| *n += 1);
                }
            } else if change.key.starts_with(BATCH_PREFIX) {
                if let Some(b) = popup_view::batch_from_value(change.new_value.as_ref()) {
                    let take = batch.with_untracked(|now| {
                        popup_view::replaces(now.as_ref(), &b, tab_id, &product_id)
                    });
                    if take {
                        batch.set(Some(b));
                    }
                }
            }
        }
    });
    // The listener lives as long as the popup.
    std::mem::forget(listener);
    spawn_local({
        let product_id = product_id.clone();
        async move {
            if let Ok(all) = chrome::session_all().await {
                if let Some(b) = popup_view::latest_batch(&all, tab_id, &product_id) {
                    let take = batch.with_untracked(|now| {
                        popup_view::snapshot_replaces(now.as_ref(), &b, tab_id, &product_id)
                    });
                    if take {
                        batch.set(Some(b));
                    }
                }
            }
        }
    });

    // The tiles' checkboxes follow the selection (one effect for the grid, not
    // one per tile); the first run has nothing to do, the tiles were built with it.
    let grid = NodeRef::<leptos::html::Ul>::new();
    Effect::new(move |first: Option<()>| {
        selected.with(|s| {
            if let (Some(()), Some(grid)) = (first, grid.get_untracked()) {
                sync_checkboxes(&grid, s);
            }
        });
    });
    // The tiles: one piece of HTML, built whenever what the grid shows changes
    // (first render, filter, live update) with the selection of that moment —
    // one parse by the browser instead of some ten DOM calls per tile. The
    // keyboard focus stays on the tile it was on. New tiles are watched for
    // their thumbnail at the next frame (after the first layout).
    let words = TileWords::new();
    let thumbs = StoredValue::new_local(None::<Thumbs>);
    Effect::new(move |_| {
        let Some(grid) = grid.get() else {
            return;
        };
        let markup = filter.with(|f| {
            items.with(|all| selected.with_untracked(|s| tiles_markup(all, f, s, &words)))
        });
        let focus = focused_tile(&grid);
        grid.set_inner_html(&markup);
        if let Some(focus) = focus {
            refocus(&grid, &focus);
        }
        request_animation_frame(move || {
            thumbs.update_value(|t| {
                if t.is_none() {
                    *t = Thumbs::new(&grid);
                }
                match t {
                    Some(t) => t.watch(&grid),
                    // No observer (never in Chrome): every thumbnail now.
                    None => load_all_thumbs(&grid),
                }
            })
        });
    });

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
                        SaveReport::refused(Say::plain(tf("popup_no_answer", &[&e.to_string()])))
                    });
            outcome.set(Some(report));
            busy.set(false);
        });
    };
    view! {
        <section class="product">
            <div class="product-head">
                {move || thumb().map(|t| view! { <img class="thumb" src=t alt="" width="48" height="48" /> })}
                <div>
                    <h2 data-testid="title">{title}</h2>
                    {move || shop().map(|s| view! { <p class="shop">{s}</p> })}
                    <p class="counts" data-testid="counts">{summary}</p>
                </div>
            </div>
            <div class="filters" role="group" aria-label=t("filter_group_label")>
                <FilterButton filter value="all".to_string() label=Signal::derive(move || tf("filter_all", &[&items.with(|i| i.len()).to_string()])) />
                <For each=move || counts.get() key=|c| *c let:c>
                    <FilterButton filter value=c.0.as_str().to_string() label=Signal::derive(move || tf("filter_kind", &[&kind_label(c.0), &c.1.to_string()])) />
                </For>
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
                <div class="sizes" role="group" aria-label=t("grid_size_label")>
                    {popup_view::GridSize::ALL.into_iter().map(|g| view! {
                        <button type="button" data-grid-size=g.as_str()
                            aria-pressed=move || (grid_size.get() == g).to_string()
                            on:click=move |_| grid_size.set(g)>
                            {match g {
                                popup_view::GridSize::Small => t("grid_size_small"),
                                popup_view::GridSize::Medium => t("grid_size_medium"),
                                popup_view::GridSize::Large => t("grid_size_large"),
                            }}
                        </button>
                    }).collect_view()}
                </div>
            </div>
            <ul class="grid" data-testid="grid" node_ref=grid
                data-columns=move || grid_size.get().columns().to_string()
                on:change=move |ev| on_tile_change(&ev, selected)
                on:click=move |ev| on_tile_click(&ev, lightbox)>
            </ul>
            <p class="visually-hidden" role="status" data-testid="grid-status">{move || announce.get()}</p>
            <button type="button" class="primary" data-action="download-selected"
                disabled=move || busy.get() || selected.with(BTreeSet::is_empty)
                on:click=save>
                {move || if busy.get() { t("saving") } else { tn("download_selected", selected.with(BTreeSet::len), &[]) }}
            </button>
            {move || outcome.get().map(|r| view! {
                <p class=if r.ok { "outcome" } else { "outcome error" } role="status" data-testid="outcome">{say(&r.message)}</p>
            })}
            <SaveProgress tab_id batch />
            <Lightbox items lightbox />
        </section>
    }
}

/// The progress of the tab's latest save: a bar (saved and failed of all), the
/// final report, the failed files with their reasons, "Retry failed" and
/// "Open folder".
#[component]
fn SaveProgress(tab_id: i64, batch: RwSignal<Option<Batch>>) -> impl IntoView {
    let current = Memo::new(move |_| batch.with(|b| b.as_ref().map(BatchView::of)));
    let get = move |f: fn(&BatchView) -> usize| current.with(|v| v.as_ref().map(f).unwrap_or(0));
    let finished = move || current.with(|v| v.as_ref().is_some_and(|v| v.finished));
    let can_retry = move || current.with(|v| v.as_ref().is_some_and(BatchView::can_retry));
    let can_open = move || current.with(|v| v.as_ref().is_some_and(BatchView::can_open_folder));
    // The answer to "Retry failed" or "Open folder": (is an error, text).
    let note = RwSignal::new(None::<(bool, String)>);
    let shown_download = RwSignal::new(None::<i64>);
    let retrying = RwSignal::new(false);
    let text = move || {
        current.with(|v| match v {
            None => String::new(),
            Some(v) if !v.finished => {
                let (done, failed, total) = (
                    v.done.to_string(),
                    v.failed.to_string(),
                    v.total.to_string(),
                );
                tf("progress_running", &[&done, &failed, &total])
            }
            Some(v) => tn("report_saved", v.total, &[&v.done.to_string(), &v.folder]),
        })
    };
    let retry = move |_| {
        let Some(batch_id) = current.with_untracked(|v| v.as_ref().map(|v| v.batch_id.clone()))
        else {
            return;
        };
        retrying.set(true);
        note.set(None);
        spawn_local(async move {
            let report =
                chrome::send_to_tab::<_, SaveReport>(tab_id, &PopupRequest::Retry { batch_id })
                    .await
                    .unwrap_or_else(|e| {
                        SaveReport::refused(Say::plain(tf("popup_no_answer", &[&e.to_string()])))
                    });
            if !report.ok {
                note.set(Some((true, say(&report.message))));
            }
            retrying.set(false);
        });
    };
    let open_folder = move |_| {
        let Some(v) = current.get_untracked() else {
            return;
        };
        note.set(None);
        spawn_local(async move {
            // What this save recorded first (the ZIP, files made in the saver page),
            // then a search by URL (saves recorded before the ids were kept).
            let mut found = None;
            for id in &v.saved_downloads {
                if let Ok(Some(d)) = chrome::download_by_id(*id).await {
                    if d.state == "complete" {
                        found = Some(d);
                        break;
                    }
                }
            }
            for url in &v.saved_urls {
                if found.is_some() {
                    break;
                }
                if let Ok(list) = chrome::downloads_of_url(url, v.created_ms - 1000.0).await {
                    found = list
                        .into_iter()
                        .filter(|d| d.state == "complete")
                        .max_by_key(|d| d.id);
                }
            }
            let Some(d) = found else {
                note.set(Some((true, t("folder_gone"))));
                return;
            };
            let file = d
                .filename
                .as_deref()
                .and_then(|f| f.rsplit(['/', '\\']).next())
                .unwrap_or_default()
                .to_string();
            match chrome::downloads_show(d.id) {
                Ok(()) => {
                    shown_download.set(Some(d.id));
                    note.set(Some((false, tf("folder_shown", &[&file]))));
                }
                Err(e) => note.set(Some((true, tf("folder_error", &[&e.to_string()])))),
            }
        });
    };
    view! {
        <Show when=move || current.with(Option::is_some)>
            <section class="progress" data-testid="progress"
                data-batch=move || current.with(|v| v.as_ref().map(|v| v.batch_id.clone()).unwrap_or_default())>
                <progress data-testid="progress-bar" aria-labelledby="progress-text"
                    max=move || get(|v| v.total).max(1).to_string()
                    value=move || get(BatchView::ended).to_string()></progress>
                <p id="progress-text" role="status" aria-live="polite" data-testid="progress-text"
                    data-total=move || get(|v| v.total).to_string()
                    data-done=move || get(|v| v.done).to_string()
                    data-failed=move || get(|v| v.failed).to_string()
                    data-finished=move || finished().to_string()>{text}</p>
                <Show when=can_retry>
                    <h3 id="failures-title">{move || tf("report_failed", &[&get(|v| v.failed).to_string()])}</h3>
                    <ul class="failures" data-testid="failures" aria-labelledby="failures-title">
                        {move || current.with(|v| v.as_ref().map(|v| v.failures.iter().map(|f| view! {
                            <li data-url=f.url.clone()>{tf("failure_item", &[&f.file, &say(&f.reason)])}</li>
                        }).collect_view()))}
                    </ul>
                </Show>
                <div class="progress-actions">
                    <Show when=can_retry>
                        <button type="button" data-action="retry-failed" disabled=move || retrying.get() on:click=retry>
                            {move || tn("retry_failed", get(|v| v.failed), &[])}
                        </button>
                    </Show>
                    <Show when=can_open>
                        <button type="button" data-action="open-folder" on:click=open_folder>{t("open_folder")}</button>
                    </Show>
                </div>
                {move || note.get().map(|(error, text)| view! {
                    <p class=if error { "outcome error" } else { "outcome" } role="status" data-testid="progress-note"
                        data-shown-download=move || shown_download.get().map(|id| id.to_string())>{text}</p>
                })}
            </section>
        </Show>
    }
}

#[component]
fn FilterButton(
    filter: RwSignal<String>,
    value: String,
    #[prop(into)] label: Signal<String>,
) -> impl IntoView {
    let v = value.clone();
    view! {
        <button type="button" class="filter" data-filter=value.clone()
            aria-pressed=move || (filter.get() == v).to_string()
            on:click=move |_| filter.set(value.clone())>
            {label}
        </button>
    }
}

/// The tile texts, looked up once per grid: each message is fetched from
/// `chrome.i18n` with marker arguments and filled in here, instead of three
/// `chrome.i18n` calls per tile.
struct TileWords {
    kinds: Vec<(MediaKind, String)>,
    name: Filler,
    variant_name: Filler,
    pick: Filler,
    preview: Filler,
    badge: String,
}

/// A translated message whose placeholders `$1`, `$2` are the markers U+E000,
/// U+E001 (private-use characters, in no translation), filled by [`Filler::fill`].
struct Filler(String);

impl Filler {
    const MARKS: [char; 2] = ['\u{E000}', '\u{E001}'];

    /// The message with `args` in its placeholders, as `chrome.i18n` puts them
    /// (verbatim).
    fn fill(&self, args: &[&str]) -> String {
        let mut out =
            String::with_capacity(self.0.len() + args.iter().map(|a| a.len()).sum::<usize>());
        for c in self.0.chars() {
            match Self::MARKS
                .iter()
                .position(|m| *m == c)
                .and_then(|i| args.get(i))
            {
                Some(arg) => out.push_str(arg),
                None => out.push(c),
            }
        }
        out
    }
}

impl TileWords {
    fn new() -> Self {
        let [a, b] = Filler::MARKS.map(String::from);
        let (a, b) = (a.as_str(), b.as_str());
        Self {
            kinds: MediaKind::ALL
                .into_iter()
                .map(|k| (k, kind_label(k)))
                .collect(),
            name: Filler(tf("tile_name", &[a, b])),
            variant_name: Filler(tf("tile_variant_name", &[a, b])),
            pick: Filler(tf("tile_pick", &[a])),
            preview: Filler(tf("tile_preview", &[a])),
            badge: t("badge_video"),
        }
    }

    fn kind(&self, kind: MediaKind) -> &str {
        self.kinds
            .iter()
            .find_map(|(k, label)| (*k == kind).then_some(label.as_str()))
            .unwrap_or_default()
    }
}

/// The markup of the grid's tiles: the items of the kind `filter` names (or all),
/// checked when selected.
fn tiles_markup(
    all: &[MediaItem],
    filter: &str,
    selected: &BTreeSet<String>,
    words: &TileWords,
) -> String {
    let mut out = String::with_capacity(all.len() * 512);
    let shown = all
        .iter()
        .enumerate()
        .filter(|(_, i)| filter == "all" || i.kind.as_str() == filter);
    for (index, item) in shown {
        let name = match &item.variant {
            Some(v) => words.variant_name.fill(&[&v.axis, &v.value]),
            None => words
                .name
                .fill(&[words.kind(item.kind), &(index + 1).to_string()]),
        };
        let video = item.kind == MediaKind::Video;
        let poster = if video {
            item.poster
                .as_ref()
                .map(|p| alisave_core::url::preview_url(p).unwrap_or_else(|| p.clone()))
        } else {
            None
        };
        let thumb = match video {
            true => poster.as_deref(),
            false => Some(item.preview.as_deref().unwrap_or(&item.url)),
        };
        popup_view::push_tile(
            &mut out,
            &popup_view::Tile {
                index,
                url: &item.url,
                checked: selected.contains(&item.url),
                pick: &words.pick.fill(&[&name]),
                preview: &words.preview.fill(&[&name]),
                thumb,
                badge: video.then_some(words.badge.as_str()),
            },
        );
    }
    out
}

/// The tile control that has the keyboard focus (its tile's URL, and whether it
/// is the checkbox rather than the preview button), if the focus is in `grid`.
fn focused_tile(grid: &web_sys::Element) -> Option<(String, bool)> {
    let active = document().active_element()?;
    if !grid.contains(Some(&active)) {
        return None;
    }
    let url = active
        .closest("li.tile")
        .ok()??
        .query_selector("input[data-url]")
        .ok()??
        .get_attribute("data-url")?;
    Some((url, active.tag_name().eq_ignore_ascii_case("input")))
}

/// Puts the focus back on the same control of the tile of that URL.
fn refocus(grid: &web_sys::Element, (url, checkbox): &(String, bool)) {
    let Ok(inputs) = grid.query_selector_all("input[data-url]") else {
        return;
    };
    let input = (0..inputs.length())
        .filter_map(|i| inputs.item(i)?.dyn_into::<web_sys::Element>().ok())
        .find(|e| e.get_attribute("data-url").as_deref() == Some(url.as_str()));
    let target = match (input, checkbox) {
        (Some(input), true) => Some(input),
        (Some(input), false) => input
            .closest("li.tile")
            .ok()
            .flatten()
            .and_then(|tile| tile.query_selector("button.zoom").ok().flatten()),
        (None, _) => None,
    };
    if let Some(t) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = t.focus();
    }
}

/// Thumbnails load when their tile comes near the visible part of the grid: a
/// tile's image keeps its address in `data-src` until this observer of the grid
/// sees the tile, then gets its `src`. (With `loading="lazy"` Chrome still does
/// the work of a request for every image when its `src` is set: for 200 tiles
/// about as long as building them.)
pub(crate) struct Thumbs {
    observer: web_sys::IntersectionObserver,
    _on_seen: Closure<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>,
}

impl Thumbs {
    pub(crate) fn new(grid: &web_sys::Element) -> Option<Self> {
        let on_seen = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
            |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
                for entry in entries.iter() {
                    let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
                    if entry.is_intersecting() {
                        let tile = entry.target();
                        observer.unobserve(&tile);
                        load_thumb(&tile);
                    }
                }
            },
        );
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root(Some(grid));
        // About two rows ahead, so scrolling rarely shows an empty tile.
        options.set_root_margin("200px 0px");
        let observer = web_sys::IntersectionObserver::new_with_options(
            on_seen.as_ref().unchecked_ref(),
            &options,
        )
        .ok()?;
        Some(Self {
            observer,
            _on_seen: on_seen,
        })
    }

    /// Watches the tiles whose image has no `src` yet (observing a tile twice is
    /// a no-op).
    pub(crate) fn watch(&self, grid: &web_sys::Element) {
        let Ok(images) = grid.query_selector_all("img[data-src]") else {
            return;
        };
        for i in 0..images.length() {
            let tile = images
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                .and_then(|img| img.closest("li.tile").ok().flatten());
            if let Some(tile) = tile {
                self.observer.observe(&tile);
            }
        }
    }
}

impl Drop for Thumbs {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Gives every tile's image its `src`.
pub(crate) fn load_all_thumbs(grid: &web_sys::Element) {
    if let Ok(tiles) = grid.query_selector_all("li.tile") {
        for i in 0..tiles.length() {
            if let Some(tile) = tiles.item(i).and_then(|n| n.dyn_into().ok()) {
                load_thumb(&tile);
            }
        }
    }
}

/// Gives the tile's image its `src`.
fn load_thumb(tile: &web_sys::Element) {
    if let Ok(Some(img)) = tile.query_selector("img[data-src]") {
        if let Some(src) = img.get_attribute("data-src") {
            let _ = img.set_attribute("src", &src);
            let _ = img.remove_attribute("data-src");
        }
    }
}

/// The grid's one `change` listener: a tile's checkbox was toggled.
fn on_tile_change(ev: &leptos::ev::Event, selected: RwSignal<BTreeSet<String>>) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(url) = input.get_attribute("data-url") else {
        return;
    };
    let on = input.checked();
    selected.update(|s| {
        if on {
            s.insert(url);
        } else {
            s.remove(&url);
        }
    });
}

/// The grid's one `click` listener: a tile's preview button opens the lightbox.
fn on_tile_click(ev: &leptos::ev::MouseEvent, lightbox: RwSignal<Option<usize>>) {
    let index = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("button.zoom[data-index]").ok().flatten())
        .and_then(|b| b.get_attribute("data-index"))
        .and_then(|i| i.parse().ok());
    if let Some(i) = index {
        lightbox.set(Some(i));
    }
}

/// Puts the selection into the grid's checkboxes (after "select all", "select
/// none", a live update); tiles are built with the selection of their time.
fn sync_checkboxes(grid: &web_sys::Element, selected: &BTreeSet<String>) {
    let Ok(inputs) = grid.query_selector_all("input[data-url]") else {
        return;
    };
    for i in 0..inputs.length() {
        let Some(input) = inputs
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            continue;
        };
        let want = input
            .get_attribute("data-url")
            .is_some_and(|u| selected.contains(&u));
        if input.checked() != want {
            input.set_checked(want);
        }
    }
}

#[component]
fn Lightbox(items: Memo<Vec<MediaItem>>, lightbox: RwSignal<Option<usize>>) -> impl IntoView {
    let step = move |d: isize| {
        let len = items.with_untracked(|v| v.len());
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
        {move || lightbox.get().and_then(|i| items.with(|v| v.get(i).cloned())).map(|item| {
            let big = match item.kind {
                MediaKind::Video => item.poster.clone(),
                _ => Some(item.url.clone()),
            };
            let caption = match &item.variant {
                Some(v) => tf("caption_variant", &[&kind_label(item.kind), &v.axis, &v.value]),
                None => kind_label(item.kind),
            };
            // Known once the original has loaded (a video's poster says nothing
            // about the video's own size).
            let size = RwSignal::new(None::<(u32, u32)>);
            let is_image = item.kind != MediaKind::Video;
            let loaded = move |ev: leptos::ev::Event| {
                if let Some(img) = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlImageElement>().ok())
                {
                    if is_image && img.natural_width() > 0 {
                        size.set(Some((img.natural_width(), img.natural_height())));
                    }
                }
            };
            view! {
                <div class="lightbox" role="dialog" aria-modal="true" aria-label=t("lightbox_label")>
                    {big.map(|b| view! { <img src=b alt=caption.clone() on:load=loaded /> })}
                    <p class="caption" data-testid="caption">{caption.clone()}</p>
                    {move || size.get().map(|(w, h)| view! {
                        <p class="help" data-testid="dimensions">{tf("dimensions", &[&w.to_string(), &h.to_string()])}</p>
                    })}
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
    let access = alisave_ui::saving::use_access();
    let sample_name = move || {
        let s = settings.value.get()?;
        // The plan's first file. Numbering does not depend on what is planned,
        // so planning only the first item (in the plan's order, by kind) names it
        // as planning all of them would, without planning 200 names.
        let first = |inventory: &Inventory| {
            let url = MediaKind::ALL
                .into_iter()
                .find_map(|k| inventory.of_kind(k).next())?
                .url
                .clone();
            alisave_core::plan::plan_selected_on(&s, inventory, &[url], today)
                .into_iter()
                .next()
                .map(|f| f.path)
        };
        match state.get() {
            TabState::Ready { inventory, .. } if !inventory.with(|i| i.items.is_empty()) => {
                inventory.with(first)
            }
            _ => first(&alisave_core::plan::sample_inventory()),
        }
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
                <alisave_ui::saving::FormatField handle=settings access />
                <alisave_ui::saving::ZipField handle=settings access />
                <alisave_ui::saving::AccessNotice handle=settings access />
                <ShowButtonField handle=settings />
            </Show>
        </details>
    }
}
