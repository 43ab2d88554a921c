//! The queue page (`queue.html`, served by the extension pages' shared module,
//! `popup/src/main.rs`): paste product
//! links or drop a text/CSV file, see which lines are products and why the
//! others are left out (`core::queue::parse_links`, the same rules the worker
//! applies), start the queue, and follow it. The queue itself runs in the
//! worker (`background/src/queue.rs`) and lives in `chrome.storage.local`
//! (key `queue`): this page only shows it and sends commands
//! (`core::protocol::PageToBg`), so closing it stops nothing.

use alisave_chrome::{self as chrome, Area};
use alisave_core::protocol::{PageToBg, SaveReport};
use alisave_core::queue::{parse_links, ItemState, Queue, QueueItem, DEFAULT_PAUSE_MS};
use alisave_ui::{say, t, tf, Notice};
use gloo_storage::Storage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Where the page remembers the last pause the user chose (seconds).
const PAUSE_KEY: &str = "queue.pause_s";

/// After this long without a change while the queue runs, the page pokes the
/// worker (a stopped worker then starts and goes on).
const POKE_AFTER_MS: f64 = 10_000.0;

/// Largest file read from a drop or the file field (bytes).
const MAX_FILE_BYTES: f64 = 2_000_000.0;

#[component]
pub fn QueuePage() -> impl IntoView {
    // None: not read yet; Some(None): no queue.
    let queue = RwSignal::new(None::<Option<Queue>>);
    let notice = RwSignal::new(None::<String>);
    let text = RwSignal::new(String::new());
    let last_change = StoredValue::new(chrome::now_ms());
    let pause_s = RwSignal::new(
        <gloo_storage::LocalStorage as Storage>::get::<f64>(PAUSE_KEY)
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(DEFAULT_PAUSE_MS / 1000.0),
    );
    spawn_local(async move {
        match chrome::storage_get(Area::Local, "queue").await {
            Ok(v) => queue.set(Some(v.and_then(|v| serde_json::from_value(v).ok()))),
            Err(e) => {
                notice.set(Some(tf("notice_read_failed", &[&e.to_string()])));
                queue.set(Some(None));
            }
        }
    });
    let listener = chrome::on_storage_changed(move |c| {
        if c.area == "local" && c.key == "queue" {
            last_change.set_value(chrome::now_ms());
            queue.set(Some(
                c.new_value.and_then(|v| serde_json::from_value(v).ok()),
            ));
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(listener);
    // A worker stopped mid-queue (or during the pause) goes on when poked.
    spawn_local(async move {
        loop {
            chrome::sleep_ms(POKE_AFTER_MS / 2.0).await;
            let running = queue
                .get_untracked()
                .flatten()
                .is_some_and(|q| q.running() && !q.paused);
            if running && chrome::now_ms() - last_change.get_value() >= POKE_AFTER_MS {
                last_change.set_value(chrome::now_ms());
                let _ = chrome::send_message::<_, SaveReport>(&PageToBg::QueuePoke).await;
            }
        }
    });

    let send = move |msg: PageToBg| {
        spawn_local(async move {
            match chrome::send_message::<_, SaveReport>(&msg).await {
                Ok(r) if r.ok => notice.set(None),
                Ok(r) => notice.set(Some(say(&r.message))),
                Err(e) => notice.set(Some(tf("queue_worker_unreachable", &[&e.to_string()]))),
            }
        });
    };
    let running = move || queue.get().flatten().is_some_and(|q: Queue| q.running());
    view! {
        <main class="options queue">
            <header>
                <img src="icons/icon48.png" alt="" width="32" height="32" />
                <h1>{t("queue_title")}</h1>
            </header>
            <Notice notice />
            <LinksForm text pause_s running=Signal::derive(running) send />
            {move || match queue.get() {
                None => view! { <p role="status">{t("loading")}</p> }.into_any(),
                Some(None) => ().into_any(),
                Some(Some(q)) => view! { <QueueView q send /> }.into_any(),
            }}
        </main>
    }
}

/// The list to start: the text area, the file field, what the list holds and
/// the pause.
#[component]
fn LinksForm(
    text: RwSignal<String>,
    pause_s: RwSignal<f64>,
    running: Signal<bool>,
    send: impl Fn(PageToBg) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let file_note = RwSignal::new(None::<String>);
    let links = Memo::new(move |_| parse_links(&text.get()));
    let read_file = move |file: web_sys::File| {
        if file.size() > MAX_FILE_BYTES {
            file_note.set(Some(t("queue_file_too_large")));
            return;
        }
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => {
                    file_note.set(None);
                    let got = v.as_string().unwrap_or_default();
                    text.update(|t| {
                        if !t.is_empty() && !t.ends_with('\n') {
                            t.push('\n');
                        }
                        t.push_str(&got);
                    });
                }
                Err(_) => file_note.set(Some(t("queue_file_unreadable"))),
            }
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            read_file(file);
        }
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        else {
            return; // dropped text is inserted by the browser itself
        };
        ev.prevent_default();
        read_file(file);
    };
    let start = move |_| {
        let pause = pause_s.get_untracked();
        let _ = <gloo_storage::LocalStorage as Storage>::set(PAUSE_KEY, pause);
        send(PageToBg::QueueStart {
            text: text.get_untracked(),
            pause_ms: pause * 1000.0,
        });
    };
    view! {
        <section aria-labelledby="h-links">
            <h2 id="h-links">{t("queue_links_heading")}</h2>
            <p class="help" id="links-help">{t("queue_links_help")}</p>
            <label for="queue-links">{t("queue_links_label")}</label>
            <textarea id="queue-links" data-alisave-field="links" rows="8"
                aria-describedby="links-help"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop></textarea>
            <div class="field">
                <label for="queue-file">{t("queue_file_label")}</label>
                <input id="queue-file" type="file" data-alisave-field="links-file"
                    accept=".txt,.csv,.tsv,text/plain,text/csv" on:change=on_file />
            </div>
            {move || file_note.get().map(|n| view! { <p class="notice" role="alert">{n}</p> })}
            <p role="status" data-alisave-field="links-summary">{move || {
                let l = links.get();
                tf("queue_links_summary", &[&l.products.len().to_string(), &l.left_out.len().to_string()])
            }}</p>
            {move || {
                let l = links.get();
                (!l.left_out.is_empty()).then(|| view! {
                    <ul class="left-out" aria-label=t("queue_left_out_label")>
                        {l.left_out.into_iter().map(|o| view! {
                            <li data-alisave-left-out=o.line.to_string()>
                                {tf("queue_left_out_line", &[&o.line.to_string(), &o.text, &say(&o.reason)])}
                            </li>
                        }).collect_view()}
                    </ul>
                })
            }}
            <div class="field">
                <label for="queue-pause">{t("queue_pause_label")}</label>
                <input id="queue-pause" type="number" min="0" max="600" step="1"
                    data-alisave-field="pause" aria-describedby="pause-help"
                    prop:value=move || pause_s.get().to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            if v.is_finite() {
                                pause_s.set(v.clamp(0.0, 600.0));
                            }
                        }
                    } />
                <p class="help" id="pause-help">{t("queue_pause_help")}</p>
            </div>
            <button type="button" class="primary" data-alisave-action="start-queue"
                disabled=move || running.get() || links.get().products.is_empty()
                on:click=start>
                {move || tf("queue_start", &[&links.get().products.len().to_string()])}
            </button>
        </section>
    }
}

/// The running or ended queue: its controls, its counts and one row per
/// product.
#[component]
fn QueueView(q: Queue, send: impl Fn(PageToBg) + Copy + Send + Sync + 'static) -> impl IntoView {
    let count = |f: fn(&ItemState) -> bool| q.items.iter().filter(|i| f(&i.state)).count();
    let done = count(|s| matches!(s, ItemState::Done { .. }));
    let failed = count(|s| matches!(s, ItemState::Failed { .. }));
    let total = q.items.len();
    let running = q.running();
    let stopped_at_challenge = q
        .items
        .iter()
        .any(|i| matches!(i.state, ItemState::Paused { .. }));
    let status = if !running {
        tf(
            "queue_status_ended",
            &[&done.to_string(), &total.to_string(), &failed.to_string()],
        )
    } else if stopped_at_challenge {
        t("queue_status_challenge")
    } else if q.paused {
        tf(
            "queue_status_paused",
            &[&(done + failed).to_string(), &total.to_string()],
        )
    } else {
        tf(
            "queue_status_running",
            &[&(done + failed).to_string(), &total.to_string()],
        )
    };
    let paused = q.paused;
    view! {
        <section aria-labelledby="h-queue" data-alisave-queue=if running { "running" } else { "ended" }
            data-alisave-paused=paused.to_string()>
            <h2 id="h-queue">{t("queue_heading")}</h2>
            <p role="status" data-alisave-field="queue-status"
                class=if stopped_at_challenge { "notice" } else { "" }>{status}</p>
            <div class="actions">
                {running.then(|| if paused {
                    view! { <button type="button" class="primary" data-alisave-action="resume-queue"
                        on:click=move |_| send(PageToBg::QueueResume)>{t("queue_resume")}</button> }.into_any()
                } else {
                    view! { <button type="button" data-alisave-action="pause-queue"
                        on:click=move |_| send(PageToBg::QueuePause)>{t("queue_pause")}</button> }.into_any()
                })}
                {running.then(|| view! { <button type="button" data-alisave-action="cancel-queue"
                    on:click=move |_| send(PageToBg::QueueCancel)>{t("queue_cancel")}</button> })}
                {(failed > 0).then(|| view! { <button type="button" data-alisave-action="retry-queue"
                    on:click=move |_| send(PageToBg::QueueRetry)>{t("queue_retry_failed")}</button> })}
                {(!running).then(|| view! { <button type="button" data-alisave-action="clear-queue"
                    on:click=move |_| send(PageToBg::QueueClear)>{t("queue_clear")}</button> })}
            </div>
            <ol class="queue-items">
                {q.items.into_iter().map(|i| view! { <Row i /> }).collect_view()}
            </ol>
        </section>
    }
}

fn state_name(s: &ItemState) -> &'static str {
    match s {
        ItemState::Waiting => "waiting",
        ItemState::Opening { .. } => "opening",
        ItemState::Saving { .. } => "saving",
        ItemState::Done { .. } => "done",
        ItemState::Failed { .. } => "failed",
        ItemState::Paused { .. } => "paused",
    }
}

#[component]
fn Row(i: QueueItem) -> impl IntoView {
    let state = state_name(&i.state);
    let label = match state {
        "waiting" => t("queue_state_waiting"),
        "opening" => t("queue_state_opening"),
        "saving" => t("queue_state_saving"),
        "done" => t("queue_state_done"),
        "failed" => t("queue_state_failed"),
        _ => t("queue_state_paused"),
    };
    let detail = match &i.state {
        ItemState::Done { saved, failed } => Some(tf(
            "queue_item_counts",
            &[&saved.to_string(), &failed.to_string()],
        )),
        ItemState::Failed { reason } => Some(say(reason)),
        ItemState::Paused { .. } => Some(t("queue_item_challenge")),
        _ => None,
    };
    let title = i
        .saved
        .as_ref()
        .and_then(|s| s.title.clone())
        .unwrap_or_else(|| i.product_id.clone());
    let folder = i.saved.as_ref().map(|s| s.folder.clone());
    let download = i.saved.as_ref().and_then(|s| s.download);
    view! {
        <li data-alisave-queue-item=i.product_id.clone() data-state=state>
            <span class="state">{label}</span>
            " "
            <a href=i.url.clone() target="_blank" rel="noopener noreferrer">{title}</a>
            {detail.map(|d| view! { <span class="detail">" — "{d}</span> })}
            {folder.map(|f| view! { <span class="folder" data-alisave-field="folder">" "{f}</span> })}
            {download.map(|id| view! {
                " "
                <button type="button" class="link" data-alisave-action="open-folder"
                    on:click=move |_| { let _ = chrome::downloads_show(id); }>
                    {t("queue_open_folder")}
                </button>
            })}
        </li>
    }
}
