//! The content script's side of the message protocol, without serde.
//!
//! The content script is compiled to plain JS (wasm2js) and parsed on every
//! product page, so it carries no serde: it builds and reads its messages as
//! plain JS objects. The wire format keeps one definition, the serde types of
//! [`crate::protocol`], [`crate::engine::Progress`] and [`crate::popup_view`]
//! that the worker and the popup use. This module writes and reads exactly that
//! format through the small [`Wire`] trait: the content script implements it over
//! JS values, [`Json`] over `serde_json::Value`, and the tests run the same
//! functions over [`Json`] and check every shape against the serde types (each
//! message the content script sends deserializes into the type the worker reads;
//! each reply the worker or popup sends reads back equal).
//!
//! Nothing here trusts what it reads more than the serde types would: the worker
//! validates every message of a content script as before (`protocol`), and what
//! the content script reads comes from its own extension (sender checked).

use crate::engine::Progress;
use crate::extract::Document;
use crate::protocol::{FailedFile, SaveReport, Unavailable};
use crate::say::{Arg, Say};

/// A JSON-like value model: JS values in the content script, `serde_json` in tests.
pub trait Wire {
    /// A value (JSON's: null, bool, number, string, array, object).
    type V: Clone;
    fn string(s: &str) -> Self::V;
    fn bool(b: bool) -> Self::V;
    fn array(items: Vec<Self::V>) -> Self::V;
    /// A plain object with these fields, in this order.
    fn object(fields: Vec<(&str, Self::V)>) -> Self::V;
    /// Sets a field of an object (nothing when `obj` is not one).
    fn set(obj: &mut Self::V, key: &str, value: Self::V);
    /// A field of an object: `None` when absent, `undefined` or `null`, or when
    /// `v` is not an object.
    fn get(v: &Self::V, key: &str) -> Option<Self::V>;
    fn as_string(v: &Self::V) -> Option<String>;
    fn as_bool(v: &Self::V) -> Option<bool>;
    fn as_f64(v: &Self::V) -> Option<f64>;
    /// The items of an array (`None` when `v` is not an array).
    fn items(v: &Self::V) -> Option<Vec<Self::V>>;
    /// The own keys of a plain object (`None` when `v` is not an object or is an array).
    fn keys(v: &Self::V) -> Option<Vec<String>>;
}

/// Why a message could not be read (which part had the wrong shape; for logs).
pub type Bad = &'static str;

// ----- Field names of the serde types (checked by the tests below) -----

const TYPE: &str = "type";

/// What the content script asks the worker about the page ([`crate::protocol::ContentToBg`]).
#[derive(Debug, Clone, Copy)]
pub enum Ask<'a> {
    /// `save_all`: the popup's selection (or everything), and the click's request id.
    Save {
        only: Option<&'a [String]>,
        request_id: &'a str,
    },
    /// `inspect`: the inventory without saving.
    Inspect,
}

fn strings<W: Wire>(list: &[String]) -> W::V {
    W::array(list.iter().map(|s| W::string(s)).collect())
}

/// `ContentToBg::SaveAll` or `ContentToBg::Inspect` for the page at `url`, whose
/// serialised DOM is `html` (a value of its own, so that the content script
/// hands the page's text over without copying it).
pub fn page_request<W: Wire>(
    ask: Ask<'_>,
    url: &str,
    html: W::V,
    documents: &[Document],
    unavailable: &[Unavailable],
    fetched_needs: bool,
    loaded: &[String],
) -> W::V {
    let page = W::object(vec![("url", W::string(url)), ("html", html)]);
    let documents = W::array(
        documents
            .iter()
            .map(|d| {
                W::object(vec![
                    ("url", W::string(&d.url)),
                    ("body", W::string(&d.body)),
                ])
            })
            .collect(),
    );
    let unavailable = W::array(
        unavailable
            .iter()
            .map(|u| {
                W::object(vec![
                    ("url", W::string(&u.url)),
                    ("reason", W::string(&u.reason)),
                ])
            })
            .collect(),
    );
    let kind = match ask {
        Ask::Save { .. } => "save_all",
        Ask::Inspect => "inspect",
    };
    let mut fields = vec![
        (TYPE, W::string(kind)),
        ("page", page),
        ("documents", documents),
        ("unavailable", unavailable),
        ("fetched_needs", W::bool(fetched_needs)),
        ("loaded", strings::<W>(loaded)),
    ];
    if let Ask::Save { only, request_id } = ask {
        if let Some(only) = only {
            fields.push(("only", strings::<W>(only)));
        }
        fields.push(("request_id", W::string(request_id)));
    }
    W::object(fields)
}

/// `ContentToBg::Retry`.
pub fn retry<W: Wire>(batch_id: &str) -> W::V {
    W::object(vec![
        (TYPE, W::string("retry")),
        ("batch_id", W::string(batch_id)),
    ])
}

/// `ContentToBg::Poke`.
pub fn poke<W: Wire>(batch_id: &str) -> W::V {
    W::object(vec![
        (TYPE, W::string("poke")),
        ("batch_id", W::string(batch_id)),
    ])
}

/// `ContentToBg::PageView`.
pub fn page_view<W: Wire>(url: &str) -> W::V {
    W::object(vec![
        (TYPE, W::string("page_view")),
        ("url", W::string(url)),
    ])
}

/// `ContentToPopup::MediaChanged`.
pub fn media_changed<W: Wire>() -> W::V {
    W::object(vec![(TYPE, W::string("media_changed"))])
}

/// A [`Say`] as serde writes it.
pub fn say<W: Wire>(s: &Say) -> W::V {
    let mut fields = vec![("key", W::string(&s.key))];
    if !s.args.is_empty() {
        let args = s
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(t) => W::string(t),
                Arg::Say(s) => say::<W>(s),
            })
            .collect();
        fields.push(("args", W::array(args)));
    }
    W::object(fields)
}

/// `SaveReport::refused(message)` as serde writes it (the content script's own
/// refusals, for its popup).
pub fn refused_report<W: Wire>(message: &Say) -> W::V {
    let none = || W::array(Vec::new());
    W::object(vec![
        ("ok", W::bool(false)),
        ("message", say::<W>(message)),
        ("folder", W::string("")),
        ("started", none()),
        ("failed", none()),
        ("warnings", none()),
        ("need_documents", none()),
        ("read", none()),
    ])
}

/// An `InspectReply` with no inventory, saying why (the content script could
/// not ask the worker).
pub fn inspect_refused<W: Wire>(message: &Say) -> W::V {
    let none = || W::array(Vec::new());
    W::object(vec![
        ("read", none()),
        ("need_documents", none()),
        ("message", say::<W>(message)),
    ])
}

// ----- Reading -----

/// Deepest sentence nesting read (a sentence inside a sentence …).
const MAX_SAY_DEPTH: usize = 16;

/// A [`Say`] as serde reads it: `{key, args?}` or plain text (older batches).
pub fn read_say<W: Wire>(v: &W::V) -> Result<Say, Bad> {
    read_say_at::<W>(v, 0)
}

fn read_say_at<W: Wire>(v: &W::V, depth: usize) -> Result<Say, Bad> {
    if depth > MAX_SAY_DEPTH {
        return Err("sentence nested too deep");
    }
    if let Some(text) = W::as_string(v) {
        return Ok(Say::plain(text));
    }
    let key = W::get(v, "key")
        .and_then(|k| W::as_string(&k))
        .ok_or("sentence without a key")?;
    let mut args = Vec::new();
    if let Some(list) = W::get(v, "args") {
        for a in W::items(&list).ok_or("sentence arguments not a list")? {
            args.push(match W::as_string(&a) {
                Some(t) => Arg::Text(t),
                None => Arg::Say(read_say_at::<W>(&a, depth + 1)?),
            });
        }
    }
    Ok(Say { key, args })
}

fn field<W: Wire>(v: &W::V, key: &str) -> Result<W::V, Bad> {
    W::get(v, key).ok_or("a field is missing")
}

fn text<W: Wire>(v: &W::V, key: &str) -> Result<String, Bad> {
    W::as_string(&field::<W>(v, key)?).ok_or("a field is not text")
}

fn flag<W: Wire>(v: &W::V, key: &str) -> Result<bool, Bad> {
    W::as_bool(&field::<W>(v, key)?).ok_or("a field is not true or false")
}

fn count<W: Wire>(v: &W::V, key: &str) -> Result<usize, Bad> {
    W::as_f64(&field::<W>(v, key)?)
        .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= usize::MAX as f64)
        .map(|n| n as usize)
        .ok_or("a field is not a count")
}

fn list<W: Wire, T>(
    v: &W::V,
    key: &str,
    required: bool,
    item: impl Fn(&W::V) -> Result<T, Bad>,
) -> Result<Vec<T>, Bad> {
    match W::get(v, key) {
        None if required => Err("a list is missing"),
        None => Ok(Vec::new()),
        Some(l) => W::items(&l)
            .ok_or("a field is not a list")?
            .iter()
            .map(item)
            .collect(),
    }
}

fn string_item<W: Wire>(v: &W::V) -> Result<String, Bad> {
    W::as_string(v).ok_or("a list item is not text")
}

fn document<W: Wire>(v: &W::V) -> Result<Document, Bad> {
    Ok(Document {
        url: text::<W>(v, "url")?,
        body: text::<W>(v, "body")?,
    })
}

fn failed_file<W: Wire>(v: &W::V) -> Result<FailedFile, Bad> {
    Ok(FailedFile {
        url: text::<W>(v, "url")?,
        path: text::<W>(v, "path")?,
        reason: read_say::<W>(&field::<W>(v, "reason")?)?,
    })
}

/// A [`SaveReport`] (the worker's answer to a save, retry or poke), but for its
/// `warnings`, which the content script does not read (the report's message
/// already says what the user should know of them).
pub fn read_save_report<W: Wire>(v: &W::V) -> Result<SaveReport, Bad> {
    Ok(SaveReport {
        ok: flag::<W>(v, "ok")?,
        message: read_say::<W>(&field::<W>(v, "message")?)?,
        folder: text::<W>(v, "folder")?,
        started: list::<W, _>(v, "started", true, string_item::<W>)?,
        failed: list::<W, _>(v, "failed", true, failed_file::<W>)?,
        warnings: Vec::new(),
        need_documents: list::<W, _>(v, "need_documents", false, string_item::<W>)?,
        batch_id: W::get(v, "batch_id")
            .map(|b| W::as_string(&b).ok_or("a field is not text"))
            .transpose()?,
        read: list::<W, _>(v, "read", false, document::<W>)?,
    })
}

/// The documents a reply (`SaveReport` or `InspectReply`) asks for and those
/// the worker read (the rest of an `InspectReply` goes to the popup as it came).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyDocuments {
    pub need_documents: Vec<String>,
    pub read: Vec<Document>,
}

/// [`ReplyDocuments`] of a `SaveReport` or an `InspectReply`.
pub fn read_documents<W: Wire>(v: &W::V) -> Result<ReplyDocuments, Bad> {
    if W::keys(v).is_none() {
        return Err("not an object");
    }
    Ok(ReplyDocuments {
        need_documents: list::<W, _>(v, "need_documents", false, string_item::<W>)?,
        read: list::<W, _>(v, "read", false, document::<W>)?,
    })
}

/// A batch's [`Progress`].
pub fn read_progress<W: Wire>(v: &W::V) -> Result<Progress, Bad> {
    Ok(Progress {
        batch_id: text::<W>(v, "batch_id")?,
        total: count::<W>(v, "total")?,
        done: count::<W>(v, "done")?,
        failed: count::<W>(v, "failed")?,
        finished: flag::<W>(v, "finished")?,
        folder: text::<W>(v, "folder")?,
        message: read_say::<W>(&field::<W>(v, "message")?)?,
        failures: list::<W, _>(v, "failures", true, failed_file::<W>)?,
    })
}

/// A message of the extension's own contexts to the content script:
/// `PopupToContent` and `PopupRequest`.
#[derive(Debug, Clone, PartialEq)]
pub enum ToContent {
    /// `PopupToContent::Inspect`.
    Inspect,
    /// `PopupToContent::Save`.
    Save { only: Vec<String> },
    /// `PopupToContent::SavePage`.
    SavePage { request_id: String },
    /// `PopupToContent::Progress`.
    Progress(Progress),
    /// `PopupRequest::Retry`.
    Retry { batch_id: String },
}

/// Reads a [`ToContent`], as strictly as serde reads those enums (a known
/// `type`, its fields and no others; serde lets a variant without fields
/// through with any).
pub fn read_to_content<W: Wire>(v: &W::V) -> Result<ToContent, Bad> {
    let keys = W::keys(v).ok_or("not an object")?;
    let kind = text::<W>(v, TYPE)?;
    let allowed: &[&str] = match kind.as_str() {
        "inspect" => return Ok(ToContent::Inspect),
        "save" => &[TYPE, "only"],
        "save_page" => &[TYPE, "request_id"],
        "progress" => &[TYPE, "progress"],
        "retry" => &[TYPE, "batch_id"],
        _ => return Err("unknown message"),
    };
    if keys.iter().any(|k| !allowed.contains(&k.as_str())) {
        return Err("unknown field");
    }
    Ok(match kind.as_str() {
        "save" => ToContent::Save {
            only: list::<W, _>(v, "only", true, string_item::<W>)?,
        },
        "progress" => ToContent::Progress(read_progress::<W>(&field::<W>(v, "progress")?)?),
        "save_page" => ToContent::SavePage {
            request_id: text::<W>(v, "request_id")?,
        },
        _ => ToContent::Retry {
            batch_id: text::<W>(v, "batch_id")?,
        },
    })
}

/// [`Wire`] over `serde_json::Value` (tests and native tools).
pub struct Json;

impl Wire for Json {
    type V = serde_json::Value;
    fn string(s: &str) -> Self::V {
        s.into()
    }
    fn bool(b: bool) -> Self::V {
        b.into()
    }
    fn array(items: Vec<Self::V>) -> Self::V {
        serde_json::Value::Array(items)
    }
    fn object(fields: Vec<(&str, Self::V)>) -> Self::V {
        serde_json::Value::Object(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    fn set(obj: &mut Self::V, key: &str, value: Self::V) {
        if let Some(o) = obj.as_object_mut() {
            o.insert(key.into(), value);
        }
    }
    fn get(v: &Self::V, key: &str) -> Option<Self::V> {
        v.get(key).filter(|f| !f.is_null()).cloned()
    }
    fn as_string(v: &Self::V) -> Option<String> {
        v.as_str().map(str::to_string)
    }
    fn as_bool(v: &Self::V) -> Option<bool> {
        v.as_bool()
    }
    fn as_f64(v: &Self::V) -> Option<f64> {
        v.as_f64()
    }
    fn items(v: &Self::V) -> Option<Vec<Self::V>> {
        v.as_array().cloned()
    }
    fn keys(v: &Self::V) -> Option<Vec<String>> {
        v.as_object().map(|o| o.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    use crate::popup_view::{ContentToPopup, PopupRequest};
    use crate::protocol::{ContentToBg, InspectReply, PageSnapshot, PopupToContent};
    use crate::say::{t, tf, tn};
    use crate::Warning;
    use serde_json::{json, Value};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn to_value<T: serde::Serialize>(v: &T) -> Value {
        serde_json::to_value(v).expect("serialises")
    }

    fn bg(v: Value) -> ContentToBg {
        serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    fn doc(url: &str, body: &str) -> Document {
        Document {
            url: url.into(),
            body: body.into(),
        }
    }

    fn sentences() -> Vec<Say> {
        vec![
            t("content_button"),
            Say::plain("as it is"),
            Say::plain(""),
            tn("why_tried", 3, &[t("why_server_error").into()]),
            tf(
                "refused",
                &[tf("refusal_bad_field", &["a \"quoted\" field\n".into()]).into()],
            ),
            Say::join(vec![t("report_none_found"), Say::plain("…")], "; "),
        ]
    }

    fn report() -> SaveReport {
        SaveReport {
            ok: true,
            message: tn("report_saving", 2, &["AliSavePro/x".into()]),
            folder: "AliSavePro/x".into(),
            started: vec!["AliSavePro/x/gallery-01.jpg".into(), "b".into()],
            failed: vec![FailedFile {
                url: "https://ae01.alicdn.com/kf/a.jpg".into(),
                path: "AliSavePro/x/gallery-02.jpg".into(),
                reason: tf("why_http_status", &["418".into()]),
            }],
            warnings: vec![
                Warning::new("bad_json", "parser note"),
                Warning::for_user("description_missing", t("report_none_found")),
            ],
            need_documents: vec!["https://x/desc.htm".into()],
            batch_id: Some("17-3".into()),
            read: vec![doc("https://acs/x", "{\"a\":1}")],
        }
    }

    fn progress() -> Progress {
        Progress {
            batch_id: "17-3".into(),
            total: 40,
            done: 12,
            failed: 1,
            finished: false,
            folder: "AliSavePro/x".into(),
            message: tn("report_saving", 2, &["AliSavePro/x".into()]),
            failures: report().failed,
        }
    }

    #[test]
    fn page_requests_are_the_workers_content_to_bg() {
        let docs = vec![doc("https://x/desc.htm", "<p>é</p>")];
        let gone = vec![Unavailable {
            url: "https://x/b.htm".into(),
            reason: "HTTP 404".into(),
        }];
        let loaded = vec!["https://acs.aliexpress.com/h5/mtop.x/1.0/?a=1".to_string()];
        let url = "https://www.aliexpress.com/item/1.html";
        let page = PageSnapshot {
            url: url.into(),
            html: "<html>x</html>".into(),
        };
        let only = vec!["https://ae01.alicdn.com/kf/a.jpg".to_string()];
        for selection in [None, Some(only.as_slice()), Some(&[][..])] {
            let ask = Ask::Save {
                only: selection,
                request_id: "1764460800123-42",
            };
            let m = page_request::<Json>(
                ask,
                url,
                Json::string(&page.html),
                &docs,
                &gone,
                true,
                &loaded,
            );
            assert_eq!(
                bg(m),
                ContentToBg::SaveAll {
                    page: page.clone(),
                    documents: docs.clone(),
                    unavailable: gone.clone(),
                    only: selection.map(<[String]>::to_vec),
                    request_id: Some("1764460800123-42".into()),
                    fetched_needs: true,
                    loaded: loaded.clone(),
                }
            );
        }
        let m = page_request::<Json>(
            Ask::Inspect,
            url,
            Json::string(&page.html),
            &[],
            &[],
            false,
            &[],
        );
        assert_eq!(
            bg(m),
            ContentToBg::Inspect {
                page,
                documents: Vec::new(),
                unavailable: Vec::new(),
                fetched_needs: false,
                loaded: Vec::new(),
            }
        );
    }

    #[test]
    fn short_messages_are_the_workers_and_the_popups() {
        assert_eq!(
            bg(retry::<Json>("7-1")),
            ContentToBg::Retry {
                batch_id: "7-1".into()
            }
        );
        assert_eq!(
            bg(poke::<Json>("7-1")),
            ContentToBg::Poke {
                batch_id: "7-1".into()
            }
        );
        assert_eq!(
            bg(page_view::<Json>("https://www.aliexpress.com/item/1.html")),
            ContentToBg::PageView {
                url: "https://www.aliexpress.com/item/1.html".into()
            }
        );
        assert_eq!(
            serde_json::from_value::<ContentToPopup>(media_changed::<Json>()).ok(),
            Some(ContentToPopup::MediaChanged)
        );
    }

    #[test]
    fn sentences_are_written_and_read_as_serde_does() {
        for s in sentences() {
            assert_eq!(say::<Json>(&s), to_value(&s), "{s:?}");
            assert_eq!(read_say::<Json>(&to_value(&s)), Ok(s.clone()));
        }
        // Plain text (batches stored before sentences had keys).
        let old = json!("server error (tried 3 times)");
        assert_eq!(
            read_say::<Json>(&old).ok(),
            serde_json::from_value::<Say>(old).ok()
        );
        for bad in [
            json!(1),
            json!({"args": []}),
            json!({"key": "k", "args": "x"}),
        ] {
            assert!(read_say::<Json>(&bad).is_err(), "{bad}");
            assert!(serde_json::from_value::<Say>(bad).is_err());
        }
        let mut deep = json!("x");
        for _ in 0..=MAX_SAY_DEPTH + 1 {
            deep = json!({"key": "say_then", "args": [deep, "y"]});
        }
        assert!(read_say::<Json>(&deep).is_err());
    }

    #[test]
    fn the_content_scripts_own_replies_are_the_popups() {
        let why = Say::plain("Could not reach the extension: browser error: gone");
        let r: SaveReport =
            serde_json::from_value(refused_report::<Json>(&why)).expect("a SaveReport");
        assert_eq!(r, SaveReport::refused(why.clone()));
        let i: InspectReply =
            serde_json::from_value(inspect_refused::<Json>(&why)).expect("an InspectReply");
        assert_eq!(
            i,
            InspectReply {
                message: Some(why),
                ..InspectReply::default()
            }
        );
    }

    /// `r` as the content script reads it (without its warnings).
    fn read_as_content(r: &SaveReport) -> SaveReport {
        SaveReport {
            warnings: Vec::new(),
            ..r.clone()
        }
    }

    #[test]
    fn save_reports_read_back_equal() {
        let r = report();
        assert_eq!(
            read_save_report::<Json>(&to_value(&r)),
            Ok(read_as_content(&r))
        );
        let minimal = SaveReport::refused(t("content_busy"));
        assert_eq!(
            read_save_report::<Json>(&to_value(&minimal)),
            Ok(minimal.clone())
        );
        // What serde accepts with defaults, and refuses.
        let mut v = to_value(&minimal);
        for key in ["need_documents", "batch_id", "read"] {
            v.as_object_mut().map(|o| o.remove(key));
        }
        assert_eq!(read_save_report::<Json>(&v), Ok(minimal));
        for key in ["ok", "message", "folder", "started", "failed"] {
            let mut v = to_value(&report());
            v.as_object_mut().map(|o| o.remove(key));
            assert!(read_save_report::<Json>(&v).is_err(), "{key}");
            assert!(serde_json::from_value::<SaveReport>(v).is_err(), "{key}");
        }
        let mut v = to_value(&report());
        v["started"] = json!([1]);
        assert!(read_save_report::<Json>(&v).is_err());
    }

    #[test]
    fn replies_give_their_documents() {
        let reply = InspectReply {
            inventory: Some(crate::Inventory::default()),
            read: vec![doc("https://acs/x", "{}")],
            need_documents: vec!["https://x/desc.htm".into()],
            message: None,
        };
        assert_eq!(
            read_documents::<Json>(&to_value(&reply)),
            Ok(ReplyDocuments {
                need_documents: reply.need_documents.clone(),
                read: reply.read.clone(),
            })
        );
        assert_eq!(
            read_documents::<Json>(&to_value(&InspectReply::default())),
            Ok(ReplyDocuments::default())
        );
        assert!(read_documents::<Json>(&json!("x")).is_err());
        let r = report();
        assert_eq!(
            read_documents::<Json>(&to_value(&r)),
            Ok(ReplyDocuments {
                need_documents: r.need_documents,
                read: r.read,
            })
        );
    }

    #[test]
    fn progress_reads_back_equal() {
        let p = progress();
        assert_eq!(read_progress::<Json>(&to_value(&p)), Ok(p.clone()));
        let finished = Progress {
            finished: true,
            done: 39,
            ..p
        };
        assert_eq!(read_progress::<Json>(&to_value(&finished)), Ok(finished));
        for bad in [json!(-1), json!(1.5), json!("3")] {
            let mut v = to_value(&progress());
            v["total"] = bad;
            assert!(read_progress::<Json>(&v).is_err());
        }
    }

    #[test]
    fn messages_to_the_content_script_read_as_strictly_as_serde() {
        let cases = [
            to_value(&PopupToContent::Inspect),
            to_value(&PopupToContent::Save {
                only: vec!["https://ae01.alicdn.com/kf/a.jpg".into()],
            }),
            to_value(&PopupToContent::SavePage {
                request_id: "q1-0-0".into(),
            }),
            to_value(&PopupToContent::Progress {
                progress: progress(),
            }),
            to_value(&PopupRequest::Retry {
                batch_id: "7-1".into(),
            }),
            json!({"type": "inspect", "x": 1}),
            json!({"type": "save"}),
            json!({"type": "save", "only": "x"}),
            json!({"type": "save_page"}),
            json!({"type": "save_page", "request_id": 1}),
            json!({"type": "retry", "batch_id": "1", "x": 1}),
            json!({"type": "retry"}),
            json!({"type": "download", "url": "https://evil.example/x.exe"}),
            json!({"type": "progress", "progress": {}}),
            json!("inspect"),
        ];
        for v in cases {
            let ours = read_to_content::<Json>(&v);
            let serde = match (
                serde_json::from_value::<PopupRequest>(v.clone()),
                serde_json::from_value::<PopupToContent>(v.clone()),
            ) {
                (Ok(PopupRequest::Retry { batch_id }), _) => Some(ToContent::Retry { batch_id }),
                (_, Ok(PopupToContent::Inspect)) => Some(ToContent::Inspect),
                (_, Ok(PopupToContent::Save { only })) => Some(ToContent::Save { only }),
                (_, Ok(PopupToContent::SavePage { request_id })) => {
                    Some(ToContent::SavePage { request_id })
                }
                (_, Ok(PopupToContent::Progress { progress })) => {
                    Some(ToContent::Progress(progress))
                }
                _ => None,
            };
            assert_eq!(ours.ok(), serde, "{v}");
        }
        // serde also reads a tagged enum from a list (`["inspect"]`); nothing
        // sends that form, and the content script does not read it.
        assert!(read_to_content::<Json>(&json!(["inspect"])).is_err());
    }
}
