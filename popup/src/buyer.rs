//! The popup's "Buyer photos" tab (issue #15): the product's review photos,
//! read by the worker only when the user asks (`PopupToBg::ReviewsLoad`), the
//! counts per variant and per star rating, the filters, and "Save N buyer
//! photos" (`PopupToBg::ReviewsSave`). The run is the worker's record in
//! `chrome.storage.session` (`reviews:<tab>`), read when the tab opens and
//! followed through `storage.onChanged`, like the save progress. Nothing of it
//! runs until the user opens the tab.

use alisave_chrome as chrome;
use alisave_core::engine::Batch;
use alisave_core::popup_view::{self, BatchView, BATCH_PREFIX};
use alisave_core::protocol::{PopupToBg, SaveReport};
use alisave_core::reviews::{
    counts, reviews_key, select, thumbnails, ReviewFilter, ReviewOrder, ReviewThumb, RunState,
    StoredReviews, DEFAULT_MAX_PHOTOS, MAX_MAX_PHOTOS,
};
use alisave_core::say::Say;
use alisave_core::{Inventory, Platform};
use alisave_ui::{say, t, tf, tn};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The product media / buyer photos tab list and its two panels. The buyer
/// panel's content is made the first time it is opened.
#[component]
pub fn ProductTabs(
    tab_id: i64,
    inventory: RwSignal<Inventory>,
    children: Children,
) -> impl IntoView {
    let buyer = RwSignal::new(false);
    let opened = RwSignal::new(false);
    let choose = move |b: bool| {
        buyer.set(b);
        if b {
            opened.set(true);
        }
    };
    let focus = |id: &str| {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
        {
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    };
    // Arrow keys, Home and End move between the tabs (and open the one reached).
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let to = match ev.key().as_str() {
            "ArrowLeft" | "ArrowRight" => !buyer.get_untracked(),
            "Home" => false,
            "End" => true,
            _ => return,
        };
        ev.prevent_default();
        choose(to);
        focus(if to { "tab-buyer" } else { "tab-media" });
    };
    view! {
        <div class="tabs" role="tablist" aria-label=t("buyer_tabs_label") on:keydown=keys>
            <button type="button" role="tab" id="tab-media" aria-controls="panel-media"
                aria-selected=move || (!buyer.get()).to_string()
                tabindex=move || if buyer.get() { "-1" } else { "0" }
                on:click=move |_| choose(false)>{t("buyer_tab_media")}</button>
            <button type="button" role="tab" id="tab-buyer" aria-controls="panel-buyer"
                data-alisave-tab="buyer"
                aria-selected=move || buyer.get().to_string()
                tabindex=move || if buyer.get() { "0" } else { "-1" }
                on:click=move |_| choose(true)>{t("buyer_tab_photos")}</button>
        </div>
        <div role="tabpanel" id="panel-media" aria-labelledby="tab-media" hidden=move || buyer.get()>
            {children()}
        </div>
        <div role="tabpanel" id="panel-buyer" aria-labelledby="tab-buyer" data-testid="buyer-panel"
            hidden=move || !buyer.get()>
            <Show when=move || opened.get()>
                <BuyerPhotos tab_id inventory />
            </Show>
        </div>
    }
}

/// "5 stars", "No rating".
fn stars_label(s: u8) -> String {
    if s == 0 {
        t("buyer_no_rating")
    } else {
        tn("buyer_stars", s as usize, &[])
    }
}

fn variant_label(v: &str) -> String {
    if v.is_empty() {
        t("buyer_no_variant")
    } else {
        v.to_string()
    }
}

/// One tile of the grid: the CDN's thumbnail, loaded when seen (`data-src`),
/// its alt text the photo's variant and stars; a video or a photo without a
/// small copy shows a mark with the same name (never the full-size file).
fn thumb_tile(p: ReviewThumb) -> impl IntoView {
    let what = [variant_label(&p.variant), stars_label(p.stars)];
    let alt = if p.video {
        tf("buyer_thumb_video", &[&what[0], &what[1]])
    } else {
        tf("buyer_thumb_photo", &[&what[0], &what[1]])
    };
    let mark = if p.video { "▶" } else { "▣" };
    view! {
        <li class="tile" data-url=p.url>
            {match p.thumb {
                Some(src) => view! { <img decoding="async" alt=alt width="72" height="72" data-src=src /> }.into_any(),
                None => view! { <span class="video-mark" role="img" aria-label=alt>{mark}</span> }.into_any(),
            }}
        </li>
    }
}

#[component]
fn BuyerPhotos(tab_id: i64, inventory: RwSignal<Inventory>) -> impl IntoView {
    let inv = inventory.get_untracked();
    if inv.platform == Some(Platform::Alibaba) {
        return view! { <p class="help" data-testid="buyer-unsupported">{t("buyer_alibaba_sign_in")}</p> }
            .into_any();
    }
    // aliexpress.ru: only the first reviews the page itself carries, and why.
    let ru = inv.platform == Some(Platform::AliExpressRu);
    let product_id = inv.product_id.clone();
    let run = RwSignal::new(None::<StoredReviews>);
    let take = {
        let product_id = product_id.clone();
        move |v: Option<&serde_json::Value>| {
            let s = v
                .and_then(|v| serde_json::from_value::<StoredReviews>(v.clone()).ok())
                .filter(|s| s.product_id == product_id);
            run.set(s);
        }
    };
    // The save this tab started, followed by its batch.
    let batch = RwSignal::new(None::<Batch>);
    let batch_id = RwSignal::new(None::<String>);
    let key = reviews_key(tab_id);
    let listener = chrome::on_storage_changed({
        let key = key.clone();
        let take = take.clone();
        move |change| {
            if change.area != "session" {
                return;
            }
            if change.key == key {
                take(change.new_value.as_ref());
            } else if let Some(id) = change.key.strip_prefix(BATCH_PREFIX) {
                // Only this save's batch is read (its key names it).
                if batch_id.with_untracked(|b| b.as_deref() == Some(id)) {
                    if let Some(b) = popup_view::batch_from_value(change.new_value.as_ref()) {
                        batch.set(Some(b));
                    }
                }
            }
        }
    });
    // The listener lives as long as the popup.
    std::mem::forget(listener);
    spawn_local(async move {
        if let Ok(v) = chrome::storage_get(chrome::Area::Session, &key).await {
            take(v.as_ref());
        }
    });

    let min_stars = RwSignal::new(0u8);
    let variant = RwSignal::new(String::new());
    let max_photos = RwSignal::new(DEFAULT_MAX_PHOTOS);
    let order = RwSignal::new(ReviewOrder::Newest);
    let filter = Memo::new(move |_| ReviewFilter {
        min_stars: min_stars.get(),
        variant: variant.with(|v| (!v.is_empty()).then(|| v.clone())),
        max_photos: max_photos.get(),
        order: order.get(),
        videos: true,
    });
    let reading =
        move || run.with(|r| r.as_ref().is_some_and(|r| r.run.state == RunState::Reading));
    let the_counts = Memo::new(move |_| run.with(|r| r.as_ref().map(|r| counts(&r.run.reviews))));
    // The shown photos (what "Save" saves), as the grid draws them.
    let grid = Memo::new(move |_| {
        run.with(|r| {
            r.as_ref()
                .map(|r| thumbnails(&r.run.reviews, &select(&r.run.reviews, &filter.get())))
                .unwrap_or_default()
        })
    });
    let shown = Memo::new(move |_| grid.with(Vec::len));
    // Thumbnails load when they come near the visible part of the grid, as in
    // the product grid (`Thumbs`): new tiles are watched at the next frame.
    let grid_ref = NodeRef::<leptos::html::Ul>::new();
    let thumbs = StoredValue::new_local(None::<crate::Thumbs>);
    Effect::new(move |_| {
        grid.track();
        let Some(el) = grid_ref.get() else {
            return;
        };
        let el: web_sys::Element = el.into();
        request_animation_frame(move || {
            thumbs.update_value(|t| {
                if t.is_none() {
                    *t = crate::Thumbs::new(&el);
                }
                match t {
                    Some(t) => t.watch(&el),
                    None => crate::load_all_thumbs(&el),
                }
            })
        });
    });
    let note = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);

    let send = move |msg: PopupToBg, after: fn(&SaveReport, RwSignal<Option<String>>)| {
        busy.set(true);
        note.set(None);
        spawn_local(async move {
            let report = chrome::send_message::<_, SaveReport>(&msg)
                .await
                .unwrap_or_else(|e| {
                    SaveReport::refused(Say::plain(tf("popup_no_answer", &[&e.to_string()])))
                });
            if !report.ok {
                note.set(Some((true, say(&report.message))));
            } else if report.batch_id.is_some() {
                note.set(Some((false, say(&report.message))));
            }
            after(&report, batch_id);
            busy.set(false);
        });
    };
    let load = move |_| {
        batch.set(None);
        send(
            PopupToBg::ReviewsLoad {
                tab_id,
                filter: filter.get_untracked(),
            },
            |_, _| {},
        );
    };
    let stop = move |_| send(PopupToBg::ReviewsCancel { tab_id }, |_, _| {});
    let save = move |_| {
        let inv = inventory.get_untracked();
        send(
            PopupToBg::ReviewsSave {
                tab_id,
                filter: filter.get_untracked(),
                title: inv.title,
                shop: inv.shop,
            },
            |r, id| id.set(r.batch_id.clone()),
        );
    };
    let progress = move || {
        batch.with(|b| {
            b.as_ref().map(|b| {
                let v = BatchView::of(b);
                let text = if v.finished {
                    tn("report_saved", v.total, &[&v.done.to_string(), &v.folder])
                } else {
                    tf(
                        "progress_running",
                        &[&v.done.to_string(), &v.failed.to_string(), &v.total.to_string()],
                    )
                };
                view! {
                    <p class="outcome" role="status" data-testid="buyer-progress"
                        data-done=v.done.to_string() data-failed=v.failed.to_string()
                        data-total=v.total.to_string() data-finished=v.finished.to_string()>{text}</p>
                }
            })
        })
    };
    let status = move || {
        run.with(|r| {
            r.as_ref().map(|r| {
                let photos = counts(&r.run.reviews)
                    .variants
                    .iter()
                    .map(|v| v.photos)
                    .sum::<usize>();
                let mut parts = vec![
                    tn("buyer_pages_read", r.run.pages_read as usize, &[]),
                    tn("buyer_photos_found", photos, &[]),
                ];
                match &r.run.state {
                    RunState::Reading => parts.push(t("buyer_reading")),
                    RunState::Done => {}
                    RunState::Stopped { reason } => parts.push(say(reason)),
                }
                parts.extend(r.run.warnings.iter().map(say));
                parts.join(" ")
            })
        })
    };
    let stopped = move || {
        run.with(|r| {
            r.as_ref()
                .is_some_and(|r| matches!(r.run.state, RunState::Stopped { .. }))
        })
    };
    let star_choices: Vec<(u8, String)> = (0..=5u8)
        .filter(|s| *s != 1)
        .map(|s| {
            (
                s,
                if s == 0 {
                    t("buyer_any_stars")
                } else {
                    tn("buyer_at_least_stars", s as usize, &[])
                },
            )
        })
        .collect();
    view! {
        <section class="buyer" data-testid="buyer">
            <p class="help">{t("buyer_intro")}</p>
            {ru.then(|| view! { <p class="help" data-testid="buyer-ru-note">{t("buyer_ru_intro")}</p> })}
            <div class="buyer-filters">
                <label class="field">
                    <span class="label">{t("buyer_filter_stars")}</span>
                    <select data-testid="buyer-min-stars" on:change=move |ev| {
                        min_stars.set(event_target_value(&ev).parse().unwrap_or(0))
                    }>
                        {star_choices.into_iter().map(|(s, label)| view! {
                            <option value=s.to_string() selected=move || min_stars.get() == s>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="label">{t("buyer_filter_variant")}</span>
                    <select data-testid="buyer-variant" on:change=move |ev| variant.set(event_target_value(&ev))>
                        <option value="" selected=move || variant.with(String::is_empty)>{t("buyer_all_variants")}</option>
                        {move || the_counts.get().map(|c| c.variants.into_iter().filter(|v| !v.variant.is_empty()).map(|v| {
                            let value = v.variant.clone();
                            let is = value.clone();
                            view! { <option value=value selected=move || variant.with(|x| *x == is)>{v.variant}</option> }
                        }).collect_view())}
                    </select>
                </label>
                <label class="field">
                    <span class="label">{t("buyer_filter_max")}</span>
                    <input type="number" data-testid="buyer-max" min="1" max=MAX_MAX_PHOTOS.to_string()
                        prop:value=move || max_photos.get().to_string()
                        on:change=move |ev| {
                            let n = event_target_value(&ev).trim().parse::<u32>().unwrap_or(DEFAULT_MAX_PHOTOS);
                            max_photos.set(n.clamp(1, MAX_MAX_PHOTOS));
                        } />
                </label>
                <label class="field">
                    <span class="label">{t("buyer_filter_order")}</span>
                    <select data-testid="buyer-order" on:change=move |ev| {
                        order.set(if event_target_value(&ev) == "helpful" { ReviewOrder::Helpful } else { ReviewOrder::Newest })
                    }>
                        <option value="newest">{t("buyer_order_newest")}</option>
                        <option value="helpful">{t("buyer_order_helpful")}</option>
                    </select>
                </label>
            </div>
            <div class="actions">
                <button type="button" data-alisave-action="load-reviews"
                    disabled=move || busy.get() || reading() on:click=load>
                    {move || if run.with(Option::is_some) { t("buyer_load_again") } else { t("buyer_load") }}
                </button>
                <Show when=reading>
                    <button type="button" data-alisave-action="stop-reviews" on:click=stop>{t("buyer_stop")}</button>
                </Show>
                <button type="button" class="primary" data-alisave-action="save-reviews"
                    disabled=move || busy.get() || reading() || shown.get() == 0 on:click=save>
                    {move || tn("buyer_save", shown.get(), &[])}
                </button>
            </div>
            <p role="status" data-testid="buyer-status" class=move || if stopped() { "error" } else { "" }
                data-state=move || run.with(|r| r.as_ref().map(|r| match r.run.state {
                    RunState::Reading => "reading",
                    RunState::Done => "done",
                    RunState::Stopped { .. } => "stopped",
                }).unwrap_or("none"))
                data-pages=move || run.with(|r| r.as_ref().map(|r| r.run.pages_read).unwrap_or(0).to_string())
                data-shown=move || shown.get().to_string()>{status}</p>
            {move || the_counts.get().filter(|c| !c.variants.is_empty()).map(|c| view! {
                <table class="buyer-counts" data-testid="buyer-variants">
                    <caption>{t("buyer_by_variant")}</caption>
                    <thead><tr><th scope="col">{t("buyer_col_variant")}</th><th scope="col">{t("buyer_col_reviews")}</th><th scope="col">{t("buyer_col_photos")}</th></tr></thead>
                    <tbody>
                        {c.variants.into_iter().map(|v| view! {
                            <tr data-variant=v.variant.clone()><th scope="row">{variant_label(&v.variant)}</th><td>{v.reviews}</td><td>{v.photos}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <table class="buyer-counts" data-testid="buyer-stars">
                    <caption>{t("buyer_by_stars")}</caption>
                    <thead><tr><th scope="col">{t("buyer_col_stars")}</th><th scope="col">{t("buyer_col_reviews")}</th><th scope="col">{t("buyer_col_photos")}</th></tr></thead>
                    <tbody>
                        {c.stars.into_iter().map(|s| view! {
                            <tr data-stars=s.stars.to_string()><th scope="row">{stars_label(s.stars)}</th><td>{s.reviews}</td><td>{s.photos}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <Show when=move || shown.get() != 0>
                <ul class="grid buyer-grid" data-testid="buyer-thumbs" node_ref=grid_ref
                    tabindex="0" aria-label=t("buyer_thumbs_label")>
                    {move || grid.get().into_iter().map(thumb_tile).collect_view()}
                </ul>
            </Show>
            {move || note.get().map(|(error, text)| view! {
                <p class=if error { "outcome error" } else { "outcome" } role="status" data-testid="buyer-note">{text}</p>
            })}
            {progress}
        </section>
    }
    .into_any()
}
