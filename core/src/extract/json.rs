//! Reading only the members of a big JSON object that the extractor uses.
//!
//! `window.runParams.data` and `window._d_c_.DCData` are 100–400 KB objects of
//! which a handful of top-level members (gallery, SKU, video, description,
//! title…) matter. [`select`] parses the named members into
//! [`serde_json::Value`] and only validates the others, in one of two ways:
//! * fast path: a scanner for a strict subset of JSON that serde_json
//!   certainly accepts (simple escapes, plain numbers, bounded nesting) skips
//!   the other members; serde_json reads the kept ones in place;
//! * otherwise (anything outside the subset, or an error): every other member
//!   goes through [`Sink`], which takes the very same `serde_json` code paths
//!   as `Value` (the same `deserialize_any`, string, number and
//!   recursion-limit checks) but builds nothing.
//!
//! So the outcome is exactly that of `serde_json::from_str::<Value>` followed
//! by dropping the unused members: the same errors (same messages), the same
//! values for the members read.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;
use std::marker::PhantomData;

/// Any JSON value, validated exactly like [`Value`] and dropped.
struct Sink;

impl<'de> Deserialize<'de> for Sink {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SinkVisitor)
    }
}

struct SinkVisitor;

impl<'de> Visitor<'de> for SinkVisitor {
    type Value = Sink;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Sink, E> {
        Ok(Sink)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Sink, E> {
        Ok(Sink)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Sink, E> {
        Ok(Sink)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Sink, E> {
        Ok(Sink)
    }
    fn visit_str<E>(self, _: &str) -> Result<Sink, E> {
        Ok(Sink)
    }
    fn visit_unit<E>(self) -> Result<Sink, E> {
        Ok(Sink)
    }
    fn visit_none<E>(self) -> Result<Sink, E> {
        Ok(Sink)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Sink, D::Error> {
        Sink::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Sink, A::Error> {
        while seq.next_element::<Sink>()?.is_some() {}
        Ok(Sink)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sink, A::Error> {
        while map.next_entry::<Sink, Sink>()?.is_some() {}
        Ok(Sink)
    }
}

/// A member name: kept (owned) only when it is one of `keys`.
struct Key<'k>(&'k [&'k str]);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(self.0.contains(&s).then(|| s.to_string()))
    }
}

/// The members [`select`] keeps: `names` at the top level and, for those
/// listed in `narrow`, when their value is an object, only the named members
/// of that object (the others validated, not kept). The extractor reads a
/// few members of some big modules (`skuModule` is mostly a price list it
/// never reads); narrowing saves building those parts as [`Value`]s.
#[derive(Debug, Clone, Copy)]
pub struct Keys<'k> {
    /// Top-level member names kept.
    pub names: &'k [&'k str],
    /// Kept members read only in part: member name, names kept inside it.
    pub narrow: &'k [(&'k str, &'k [&'k str])],
}

impl<'k> Keys<'k> {
    /// The names kept inside member `name`, when it is narrowed.
    fn inner(&self, name: &str) -> Option<Keys<'k>> {
        self.narrow
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, names)| Keys { names, narrow: &[] })
    }
}

/// What [`select`] read.
#[derive(Debug)]
pub enum Selected {
    /// An object: the members named in `keys` (a [`Value::Object`]), and how
    /// many members the object has in all (duplicates counted once per
    /// occurrence, so zero exactly when the object is empty).
    Object(Value, usize),
    /// Valid JSON that is not an object.
    Other,
}

/// The top-level visitor of [`select`].
struct Top<'k>(Keys<'k>);

impl<'de> Visitor<'de> for Top<'_> {
    type Value = Selected;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Selected, E> {
        Ok(Selected::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Selected, E> {
        Ok(Selected::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Selected, E> {
        Ok(Selected::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Selected, E> {
        Ok(Selected::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Selected, E> {
        Ok(Selected::Other)
    }
    fn visit_unit<E>(self) -> Result<Selected, E> {
        Ok(Selected::Other)
    }
    fn visit_none<E>(self) -> Result<Selected, E> {
        Ok(Selected::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Selected, A::Error> {
        while seq.next_element::<Sink>()?.is_some() {}
        Ok(Selected::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Selected, A::Error> {
        let mut kept = Map::new();
        let mut members = 0usize;
        while let Some(key) = map.next_key_seed(Key(self.0.names))? {
            members += 1;
            match key {
                Some(k) => {
                    let v = match self.0.inner(&k) {
                        Some(inner) => map.next_value_seed(Narrowed(inner))?,
                        None => map.next_value::<Value>()?,
                    };
                    kept.insert(k, v);
                }
                None => {
                    map.next_value::<Sink>()?;
                }
            }
        }
        Ok(Selected::Object(Value::Object(kept), members))
    }
}

/// A narrowed member (see [`Keys::narrow`]): an object keeps only the
/// members named, anything else is read as [`Value`] reads it.
struct Narrowed<'k>(Keys<'k>);

impl<'de> DeserializeSeed<'de> for Narrowed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// The same values as serde_json's own `Value` visitor for everything but
/// objects.
impl<'de> Visitor<'de> for Narrowed<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        match Top(self.0).visit_map(map)? {
            Selected::Object(v, _) => Ok(v),
            Selected::Other => Ok(Value::Null),
        }
    }
}

struct TopSeed<'k>(Keys<'k>);

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Selected;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Selected, D::Error> {
        d.deserialize_any(Top(self.0))
    }
}

/// Parses `text` as one JSON value (trailing whitespace only, as
/// `serde_json::from_str`) keeping only the top-level members named in `keys`.
pub fn select(text: &str, keys: &Keys<'_>) -> Result<Selected, serde_json::Error> {
    if let Some((v, end)) = fast_object(text, keys, 0) {
        if text
            .as_bytes()
            .get(end..)
            .is_some_and(|t| t.iter().all(|c| is_ws(*c)))
        {
            return Ok(v);
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let out = TopSeed(*keys).deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// A fixed set of member names, as a type (a [`serde_json::StreamDeserializer`],
/// the only reader that tells where a value ends, takes no seed).
pub trait KeySet {
    /// The members kept.
    const KEYS: Keys<'static>;
}

/// [`Selected`] with its key set as a type parameter.
struct SelectedWith<K>(Selected, PhantomData<K>);

impl<'de, K: KeySet> Deserialize<'de> for SelectedWith<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        TopSeed(K::KEYS)
            .deserialize(d)
            .map(|s| SelectedWith(s, PhantomData))
    }
}

/// The JSON object or array at the start of `text` (a member value inside a
/// larger JS literal), read as [`select`] reads it once cut out, and where it
/// ends; `None` unless it is valid JSON followed, after JSON whitespace only,
/// by the end of `text` or one of `,` `}` `]` `)` (where
/// [`super::js::object_members`] ends a member value, so that cutting it out
/// gives exactly this value). Saves cutting the value out first, a second
/// pass over it. Callers fall back to cutting it out and [`select`] on
/// `None`, which also gives them the error.
pub fn select_prefix<K: KeySet>(text: &str) -> Option<(Selected, usize)> {
    if !matches!(text.as_bytes().first(), Some(b'{' | b'[')) {
        return None;
    }
    let (v, end) = match fast_object(text, &K::KEYS, 0) {
        Some(found) => found,
        None => {
            let mut stream =
                serde_json::Deserializer::from_str(text).into_iter::<SelectedWith<K>>();
            let SelectedWith(v, _) = stream.next()?.ok()?;
            (v, stream.byte_offset())
        }
    };
    let tail = text.as_bytes().get(end..)?;
    let next = tail
        .iter()
        .find(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        .copied();
    matches!(next, None | Some(b',' | b'}' | b']' | b')')).then_some((v, end))
}

// ---------------------------------------------------------------------------
// Fast path: a scanner for a strict subset of JSON (simple escapes only, no
// control characters in strings, plain numbers, nesting at most
// `FAST_MAX_DEPTH`) that serde_json certainly reads without error. Within the
// subset it only finds where values end; the kept members are then parsed by
// serde_json from their own text (same values). Anything outside the subset
// makes it give up (`None`) and the callers use serde_json for everything,
// so results and error messages never depend on the fast path.

/// Deepest nesting the fast path follows (serde_json's limit is 128).
const FAST_MAX_DEPTH: usize = 100;

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_ws(c)) {
        i += 1;
    }
    i
}

/// No byte of `x` is `"`, `\\` or below 0x20 (exact "any byte" SWAR tests).
fn plain8(x: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let quote = zero_byte(x ^ (LO * u64::from(b'"')));
    let backslash = zero_byte(x ^ (LO * u64::from(b'\\')));
    let control = x.wrapping_sub(LO * 0x20) & !x & HI;
    quote | backslash | control == 0
}

/// End of the string whose opening quote is at `i`, if in the subset; and
/// whether it has escapes.
fn fast_string(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        // Eight plain bytes at a time (no quote, backslash or control byte).
        while let Some(chunk) = b.get(j..j + 8) {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            if !plain8(u64::from_le_bytes(word)) {
                break;
            }
            j += 8;
        }
        let c = *b.get(j)?;
        match c {
            b'"' => return Some((j + 1, escaped)),
            b'\\' => {
                if !matches!(
                    b.get(j + 1)?,
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't'
                ) {
                    return None;
                }
                escaped = true;
                j += 2;
            }
            0..=0x1f => return None,
            _ => j += 1,
        }
    }
}

/// End of the number starting at `i`, if in the subset (`-?(0|[1-9]\d{0,17})(\.\d{1,30})?`).
fn fast_number(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let digits = |b: &[u8], i: usize| {
        b.get(i..)
            .map_or(0, |t| t.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let n = digits(b, i);
    if n == 0 || n > 18 || (n > 1 && b.get(i) == Some(&b'0')) {
        return None;
    }
    i += n;
    if b.get(i) == Some(&b'.') {
        let f = digits(b, i + 1);
        if f == 0 || f > 30 {
            return None;
        }
        i += 1 + f;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        return None;
    }
    Some(i)
}

/// End of the value starting at `i` (no leading whitespace), if in the subset.
fn fast_value(b: &[u8], i: usize, depth: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => fast_string(b, i).map(|(e, _)| e),
        b'{' | b'[' => {
            if depth >= FAST_MAX_DEPTH {
                return None;
            }
            let object = b.get(i) == Some(&b'{');
            let close = if object { b'}' } else { b']' };
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if object {
                    if b.get(j) != Some(&b'"') {
                        return None;
                    }
                    j = skip_ws(b, fast_string(b, j)?.0);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = skip_ws(b, j + 1);
                }
                j = skip_ws(b, fast_value(b, j, depth + 1)?);
                match b.get(j) {
                    Some(b',') => j = skip_ws(b, j + 1),
                    Some(&c) if c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b't' => (b.get(i..i + 4) == Some(b"true")).then_some(i + 4),
        b'f' => (b.get(i..i + 5) == Some(b"false")).then_some(i + 5),
        b'n' => (b.get(i..i + 4) == Some(b"null")).then_some(i + 4),
        b'-' | b'0'..=b'9' => fast_number(b, i),
        _ => None,
    }
}

/// Levels of arrays/objects in `v` (0 for a scalar).
fn nesting(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(nesting).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

/// The object at the start of `text` read as [`select`] reads it, and where
/// it ends, when it is in the fast path's subset; `depth` is its nesting
/// level in the text [`select`] reads (0: the top-level object).
fn fast_object(text: &str, keys: &Keys<'_>, depth: usize) -> Option<(Selected, usize)> {
    let b = text.as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut kept = Map::new();
    let mut members = 0usize;
    let mut j = skip_ws(b, 1);
    if b.get(j) == Some(&b'}') {
        return Some((Selected::Object(Value::Object(kept), 0), j + 1));
    }
    loop {
        if b.get(j) != Some(&b'"') {
            return None;
        }
        let (key_end, escaped) = fast_string(b, j)?;
        if escaped {
            return None;
        }
        let key = text.get(j + 1..key_end - 1)?;
        j = skip_ws(b, key_end);
        if b.get(j) != Some(&b':') {
            return None;
        }
        j = skip_ws(b, j + 1);
        let vs = j;
        members += 1;
        let ve = if !keys.names.contains(&key) {
            fast_value(b, j, depth + 1)?
        } else if let Some(inner) = keys.inner(key).filter(|_| b.get(vs) == Some(&b'{')) {
            // A narrowed object: the same scan one level down.
            let (Selected::Object(v, _), len) = fast_object(text.get(vs..)?, &inner, depth + 1)?
            else {
                return None;
            };
            kept.insert(key.to_string(), v);
            vs + len
        } else {
            // A kept member: serde_json reads it in place (any JSON it
            // accepts, one pass), then says where it ended. Standalone it has
            // the whole nesting budget; in the object `depth + 1` levels less.
            let mut stream =
                serde_json::Deserializer::from_str(text.get(vs..)?).into_iter::<Value>();
            let v = stream.next()?.ok()?;
            if depth + nesting(&v) >= FAST_MAX_DEPTH {
                return None;
            }
            let ve = vs + stream.byte_offset();
            kept.insert(key.to_string(), v);
            ve
        };
        j = skip_ws(b, ve);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            Some(b'}') => return Some((Selected::Object(Value::Object(kept), members), j + 1)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// `select` fails exactly when `from_str::<Value>` does, with the same
    /// message, and keeps the same values (of a narrowed member that is an
    /// object, the same values of the members named).
    fn same_as_value(text: &str, keys: &Keys<'_>) {
        let full = serde_json::from_str::<Value>(text);
        let sel = select(text, keys);
        match (full, sel) {
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text:?}"),
            (Ok(Value::Object(m)), Ok(Selected::Object(Value::Object(kept), n))) => {
                assert_eq!(n == 0, m.is_empty(), "{text:?}");
                for k in keys.names {
                    match (keys.inner(k), m.get(*k), kept.get(*k)) {
                        (Some(inner), Some(Value::Object(whole)), Some(Value::Object(part))) => {
                            for i in inner.names {
                                assert_eq!(whole.get(*i), part.get(*i), "{text:?} {k}.{i}");
                            }
                            assert!(part.keys().all(|i| inner.names.contains(&i.as_str())));
                        }
                        (_, whole, part) => assert_eq!(whole, part, "{text:?} {k}"),
                    }
                }
                assert!(kept.keys().all(|k| keys.names.contains(&k.as_str())));
            }
            (Ok(v), Ok(Selected::Other)) => assert!(!v.is_object(), "{text:?}"),
            (a, b) => panic!("{text:?}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn select_matches_value_parsing() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        let mid = format!("{{\"a\":{}1{}}}", "[".repeat(99), "]".repeat(99));
        let deep_kept = format!("{{\"k\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        for text in [
            r#"{"k":{"x":[1,2,{"y":"z"}]},"a":{"b":[true,false,null,1.5e3,-2]},"k":3}"#,
            r#"{}"#,
            r#"[1,2]"#,
            r#""s""#,
            r#"null"#,
            r#"{"a":1e400}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\uDC00x","k":"\u00e9\n"}"#,
            r#"{"a":"bad \q escape"}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a":1}  "#,
            r#"{1:2}"#,
            r#"{"a":[1,2"#,
            r#"{"k\u0041":1,"kA":2}"#,
            "{\"a\":\"\u{1}\"}",
            "{\"a\":\"\u{7f}é\\\\\\/\\t\",\"k\":[\"\\\"\"]}",
            &deep,
            &deep_kept,
            &mid,
            r#"{"a":01}"#,
            r#"{"a":-}"#,
            r#"{"a":1.}"#,
            r#"{"a":1.5.3}"#,
            r#"{"a":1e5,"k":2E-3}"#,
            r#"{"a":-0,"k":-12.50}"#,
            r#"{"a":123456789012345678901234567890}"#,
            r#"{"k":999999999999999999,"a":-999999999999999999}"#,
            r#"{"a":[1,],"k":1}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a" 1}"#,
            r#"{"a":tru}"#,
            r#"{"a":true,"b":false,"c":null,"k":[]}"#,
            r#" { "k" : { } , "a" : [ ] } "#,
            r#"{"k":1}{"#,
            r#"{"k":{"x":1,"y":[2],"z":{"x":3},"x":4},"a":1}"#,
            r#"{"k":{"z":"\u00e9","x":"\ud800"}}"#,
            r#"{"k":{"z":1e400,"x":1}}"#,
            r#"{"k":{"z":1,,"x":1}}"#,
            r#"{"k":{"z":1,"x":1}"#,
            r#"{"k":{"x\u0041":1,"xA":2}}"#,
            r#"{"k":[{"x":1}],"kA":{"x":{"y":2}}}"#,
            r#"{"k":{}}"#,
            r#"{"k":"s","kA":null}"#,
            &format!("{{\"k\":{{\"x\":{}1{}}}}}", "[".repeat(98), "]".repeat(98)),
            &format!("{{\"k\":{{\"z\":{}1{}}}}}", "[".repeat(98), "]".repeat(98)),
            &format!(
                "{{\"k\":{{\"x\":{}1{}}}}}",
                "[".repeat(200),
                "]".repeat(200)
            ),
        ] {
            same_as_value(
                text,
                &Keys {
                    names: &["k", "kA"],
                    narrow: &[],
                },
            );
            same_as_value(
                text,
                &Keys {
                    names: &["k", "kA"],
                    narrow: &[("k", &["x", "xA"])],
                },
            );
        }
    }

    struct K;
    impl KeySet for K {
        const KEYS: Keys<'static> = Keys {
            names: &["k"],
            narrow: &[],
        };
    }

    #[test]
    fn plain8_is_exact() {
        for bad in [b'"', b'\\', 0u8, 0x1f, b'\n'] {
            for pos in 0..8 {
                let mut w = *b"abcdefgh";
                w[pos] = bad;
                assert!(!plain8(u64::from_le_bytes(w)), "{bad} at {pos}");
            }
        }
        for ok in [
            *b"abcdefgh",
            *b"  \x7f\xff\x80 !#",
            *b"\xc3\xa9\xc3\xa9 ]}[",
            [0x21u8; 8],
            [0x5du8; 8],
        ] {
            assert!(plain8(u64::from_le_bytes(ok)), "{ok:?}");
        }
    }

    #[test]
    fn select_prefix_only_when_cutting_out_gives_the_same_value() {
        for (text, end) in [
            (r#"{"k":1} , x:2}"#, Some(7)),
            (r#"{"k":1}}"#, Some(7)),
            ("[1]\n)", Some(3)),
            (r#"{"k":1}"#, Some(7)),
        ] {
            let got = select_prefix::<K>(text);
            assert_eq!(got.as_ref().map(|(_, e)| *e), end, "{text:?}");
            if let Some((Selected::Object(v, _), _)) = got {
                assert_eq!(v.get("k"), Some(&Value::from(1)));
            }
        }
        for text in [
            r#"{"k":1} + 2, x:1}"#,
            r#"{"k":1}/*c*/,"#,
            "{\"k\":1}\u{a0},",
            r#"{"k":1"#,
            r#"null,"#,
            r#" {"k":1},"#,
            r#"{"k":'a'},"#,
        ] {
            assert!(select_prefix::<K>(text).is_none(), "{text:?}");
        }
    }
}
