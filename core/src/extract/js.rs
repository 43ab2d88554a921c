//! Reading data out of inline script TEXT (content scripts cannot read page
//! globals): find `window.x = {…}` assignments, bracket-match the literal
//! (string- and comment-aware, iterative, so nesting depth costs nothing), split
//! a JS object literal into members, strip JSONP wrappers.

/// Outcome of looking for an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<'a> {
    /// The bracketed literal (`{…}` or `[…]`).
    Literal(&'a str),
    /// The assignment exists but its literal never closes.
    Truncated,
    /// No such assignment.
    Missing,
}

/// Bytes the bracket matcher must look at: quotes, `/`, brackets.
const BRACKET_STOP: u8 = 1;
/// Bytes the member splitter must look at: those, parentheses and `,`.
const MEMBER_STOP: u8 = 2;

/// Per byte: which scanners stop at it.
static STOPS: [u8; 256] = {
    let mut t = [0u8; 256];
    let both = BRACKET_STOP | MEMBER_STOP;
    t[b'"' as usize] = both;
    t[b'\'' as usize] = both;
    t[b'`' as usize] = both;
    t[b'/' as usize] = both;
    t[b'{' as usize] = both;
    t[b'[' as usize] = both;
    t[b'}' as usize] = both;
    t[b']' as usize] = both;
    t[b'(' as usize] = MEMBER_STOP;
    t[b')' as usize] = MEMBER_STOP;
    t[b',' as usize] = MEMBER_STOP;
    t
};

/// The first index from `i` whose byte is in the `stop` class (or `b.len()`):
/// a tight loop over the bytes a scanner would only step over.
fn next_stop(b: &[u8], mut i: usize, stop: u8) -> usize {
    while let Some(&c) = b.get(i) {
        if STOPS[usize::from(c)] & stop != 0 {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// Skips a quoted string starting at `i` (which holds the quote); returns the
/// index just after the closing quote, or `b.len()` when unterminated.
fn skip_string(b: &[u8], i: usize) -> usize {
    let Some(&q) = b.get(i) else {
        return b.len();
    };
    let mut j = i + 1;
    // Most strings (keys) are short: look at a few bytes one by one first.
    while let Some(&c) = b.get(j) {
        if j >= i + 24 {
            break;
        }
        if c == b'\\' {
            j += 2;
            continue;
        }
        if c == q {
            return j + 1;
        }
        // A newline ends an unterminated '…' or "…" string in JS.
        if c == b'\n' && q != b'`' {
            return j;
        }
        j += 1;
    }
    loop {
        // Jump to the next byte that can end the string or escape one.
        let Some(tail) = b.get(j..) else {
            return b.len();
        };
        let hit = if q == b'`' {
            memchr::memchr2(q, b'\\', tail)
        } else {
            memchr::memchr3(q, b'\\', b'\n', tail)
        };
        let Some(p) = hit else {
            return b.len();
        };
        j += p;
        match b.get(j) {
            Some(b'\\') => j += 2,
            // A newline ends an unterminated '…' or "…" string in JS.
            Some(b'\n') => return j,
            _ => return j + 1,
        }
    }
}

/// Skips a comment starting at `i` if there is one; returns the new index.
fn skip_comment(b: &[u8], i: usize) -> Option<usize> {
    match (b.get(i), b.get(i + 1)) {
        (Some(b'/'), Some(b'/')) => Some(
            b.get(i..)
                .and_then(|t| t.iter().position(|&c| c == b'\n'))
                .map_or(b.len(), |p| i + p + 1),
        ),
        (Some(b'/'), Some(b'*')) => Some(
            b.get(i + 2..)
                .and_then(|t| t.windows(2).position(|w| w == b"*/"))
                .map_or(b.len(), |p| i + 2 + p + 2),
        ),
        _ => None,
    }
}

/// Given `src[start]` is `{` or `[`, returns the end (exclusive) of the
/// balanced literal, or `None` when it never closes.
pub fn match_brackets(src: &str, start: usize) -> Option<usize> {
    match_brackets_skipping(src, start, None)
}

/// [`match_brackets`], jumping from `skip.0` to `skip.1` when the scan
/// reaches `skip.0` outside any string or comment. For a span holding one
/// JSON value (as serde_json accepts it: balanced brackets, strings with no
/// raw newline, no `/` outside strings) the scan would walk it and come out
/// at its end at the same depth, never reaching depth 0 inside it (it starts
/// inside the literal, at depth 1 or more), so the end found is the same; a
/// span the scan does not reach in that state is not skipped.
fn match_brackets_skipping(src: &str, start: usize, skip: Option<(usize, usize)>) -> Option<usize> {
    let b = src.as_bytes();
    if !matches!(b.get(start), Some(b'{') | Some(b'[')) {
        return None;
    }
    let mut depth: usize = 0;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        if let Some((from, to)) = skip {
            if i == from && depth > 0 && to > from {
                i = to;
                continue;
            }
        }
        match c {
            b'"' | b'\'' | b'`' => {
                i = skip_string(b, i);
                continue;
            }
            b'/' => {
                if let Some(j) = skip_comment(b, i) {
                    i = j;
                    continue;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i = next_stop(b, i + 1, BRACKET_STOP);
    }
    None
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

/// Finds `target = {…}` (or `[…]`) in `src`, e.g. `window.runParams`.
/// `target` also matches without its `window.` prefix.
pub fn find_assignment<'a>(src: &'a str, target: &str) -> Found<'a> {
    find_assignment_skipping(src, target, |_| None).0
}

/// [`find_assignment`], and where the literal found starts in `src`. For
/// each literal start `j` it considers, `json_span(j)` may name a span of
/// `src` (from, to) holding one JSON value that the caller reads anyway
/// (e.g. `data` in `window.runParams = {data: {…}, …}`); the bracket
/// matcher then steps over it instead of scanning it a second time (see
/// [`match_brackets_skipping`]), with the same outcome.
pub fn find_assignment_skipping<'a>(
    src: &'a str,
    target: &str,
    mut json_span: impl FnMut(usize) -> Option<(usize, usize)>,
) -> (Found<'a>, usize) {
    let b = src.as_bytes();
    let mut at = 0usize;
    let mut result = Found::Missing;
    // Search for the short form only; the `window.` prefix is checked after.
    let needle = target.strip_prefix("window.").unwrap_or(target);
    if needle.is_empty() {
        return (Found::Missing, 0);
    }
    // One searcher for every occurrence (`str::find` builds one per call).
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut from = 0usize;
    while let Some(rel) = b.get(from..).and_then(|t| finder.find(t)) {
        let pos = from + rel;
        from = pos + 1;
        // Must not be the tail of a longer name (`xrunParams`, `foo.runParams`)
        // unless it is the `window.` form.
        let start = if pos >= 7 && b.get(pos - 7..pos) == Some(b"window.") {
            pos - 7
        } else {
            pos
        };
        if start > 0 {
            let prev = b.get(start - 1).copied().unwrap_or(b' ');
            if is_ident_byte(prev) || prev == b'.' {
                continue;
            }
        }
        let mut j = pos + needle.len();
        if b.get(j).is_some_and(|&c| is_ident_byte(c)) {
            continue;
        }
        while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
        if b.get(j) != Some(&b'=') || b.get(j + 1) == Some(&b'=') {
            continue;
        }
        j += 1;
        while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
        if !matches!(b.get(j), Some(b'{') | Some(b'[')) {
            continue;
        }
        match match_brackets_skipping(src, j, json_span(j)) {
            Some(end) => {
                // Prefer a non-empty literal: pages may assign twice.
                let lit = src.get(j..end).unwrap_or("");
                if lit.len() > 2
                    && !lit
                        .trim_matches(|c: char| "{}[] \n\r\t".contains(c))
                        .is_empty()
                {
                    return (Found::Literal(lit), j);
                }
                if result == Found::Missing {
                    result = Found::Literal(lit);
                    at = j;
                }
                from = end;
            }
            None => {
                if result == Found::Missing {
                    result = Found::Truncated;
                }
            }
        }
    }
    (result, at)
}

/// Members of a JS object literal `{ key: value, "k2": value, … }` at its top
/// level, as `(key, value source)`. Stops quietly at anything it cannot read.
pub fn object_members(obj: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    members(obj, None, &mut out);
    out
}

/// Where the value of the first member named `key` starts in `obj`, as
/// [`object_members`] would read it (the members before it read the same
/// way), without reading that value; `None` when [`object_members`] would
/// not list such a member.
pub fn member_value_start(obj: &str, key: &str) -> Option<usize> {
    members(obj, Some(key), &mut Vec::new())
}

/// The member reader of [`object_members`]; with `stop_at`, returns the
/// value start of the first member of that name instead of reading it.
fn members<'a>(
    obj: &'a str,
    stop_at: Option<&str>,
    out: &mut Vec<(String, &'a str)>,
) -> Option<usize> {
    let b = obj.as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut i = 1usize;
    loop {
        // Skip whitespace, commas and comments.
        loop {
            match b.get(i) {
                Some(c) if c.is_ascii_whitespace() || *c == b',' => i += 1,
                Some(b'/') => match skip_comment(b, i) {
                    Some(j) => i = j,
                    None => return None,
                },
                _ => break,
            }
        }
        let key = match b.get(i) {
            Some(b'"') | Some(b'\'') => {
                let end = skip_string(b, i);
                let k = obj.get(i + 1..end.saturating_sub(1)).unwrap_or("");
                i = end;
                k.to_string()
            }
            Some(c) if is_ident_byte(*c) => {
                let s = i;
                while b.get(i).is_some_and(|&c| is_ident_byte(c)) {
                    i += 1;
                }
                obj.get(s..i).unwrap_or("").to_string()
            }
            _ => return None,
        };
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let vs = i;
        if stop_at == Some(key.as_str()) {
            return Some(vs);
        }
        // Value runs to the next top-level `,` or the closing `}`.
        let mut depth = 0usize;
        while let Some(&c) = b.get(i) {
            match c {
                b'"' | b'\'' | b'`' => {
                    i = skip_string(b, i);
                    continue;
                }
                b'/' => {
                    if let Some(j) = skip_comment(b, i) {
                        i = j;
                        continue;
                    }
                }
                b'{' | b'[' | b'(' => depth += 1,
                b'}' | b']' | b')' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                b',' if depth == 0 => break,
                _ => {}
            }
            i = next_stop(b, i + 1, MEMBER_STOP);
        }
        out.push((key, obj.get(vs..i).unwrap_or("").trim_end()));
        if b.get(i).is_none_or(|&c| c == b'}') {
            return None;
        }
    }
}

/// Strips a JSONP wrapper `cb( … )` / `cb(…);`; returns the input otherwise.
pub fn strip_jsonp(body: &str) -> &str {
    let t = body.trim().trim_start_matches('\u{feff}');
    let b = t.as_bytes();
    let mut i = 0;
    while b.get(i).is_some_and(|&c| is_ident_byte(c) || c == b'.') {
        i += 1;
    }
    if i == 0 {
        return t;
    }
    let mut j = i;
    while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
        j += 1;
    }
    if b.get(j) != Some(&b'(') {
        return t;
    }
    let inner = t.get(j + 1..).unwrap_or("");
    let inner = inner.trim_end();
    let inner = inner.strip_suffix(';').unwrap_or(inner).trim_end();
    inner.strip_suffix(')').unwrap_or(inner).trim()
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn finds_runparams() {
        let s = "window.runParams = {\n data: {\"a\":\"}\"},\n csrfToken: 'x}',\n abtestMap: {}\n};\nwindow.runParams.is23 = true;";
        let Found::Literal(lit) = find_assignment(s, "window.runParams") else {
            panic!("not found");
        };
        let m = object_members(lit);
        let keys: Vec<_> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["data", "csrfToken", "abtestMap"]);
        assert_eq!(m[0].1, "{\"a\":\"}\"}");
        assert_eq!(m[1].1, "'x}'");
    }

    #[test]
    fn prefers_non_empty_and_reports_truncation() {
        let s = "window.runParams = {\n};\nwindow.runParams = {data: {\"x\":1}};";
        assert_eq!(
            find_assignment(s, "window.runParams"),
            Found::Literal("{data: {\"x\":1}}")
        );
        assert_eq!(
            find_assignment("window.runParams = {}", "window.runParams"),
            Found::Literal("{}")
        );
        assert_eq!(
            find_assignment("window.runParams = {a:[", "window.runParams"),
            Found::Truncated
        );
        assert_eq!(
            find_assignment("window.runParams == {}", "window.runParams"),
            Found::Missing
        );
        assert_eq!(
            find_assignment("xwindow.runParams = {a:1}", "window.runParams"),
            Found::Missing
        );
        assert_eq!(
            find_assignment("runParams = {a:1}", "window.runParams"),
            Found::Literal("{a:1}")
        );
    }

    #[test]
    fn skipping_a_json_span_finds_the_same_literal() {
        let s = "x = 1; window.runParams = {\n data: {\"a\":\"}\\\"]\",\"b\":[{}]},\n c: '}'\n};";
        let plain = find_assignment(s, "window.runParams");
        let j = s.find("= {").map(|p| p + 2);
        let from = s.find("{\"a\"");
        let to = s.find(",\n c:");
        let (Some(j), Some(from), Some(to)) = (j, from, to) else {
            panic!("test text");
        };
        // The span is the `data` value: stepped over, same literal.
        let mut asked = Vec::new();
        let (found, at) = find_assignment_skipping(s, "window.runParams", |start| {
            asked.push(start);
            Some((from, to))
        });
        assert_eq!((found, at), (plain, j));
        assert_eq!(asked, [j]);
        // A span starting where the scan is inside a string is not stepped
        // over (here it would skip the closing quote).
        let quote = s.find("'}'").unwrap_or(0);
        let (found, _) =
            find_assignment_skipping(s, "window.runParams", |_| Some((quote + 1, quote + 3)));
        assert_eq!(found, plain);
        assert_eq!(
            match_brackets_skipping(s, j, Some((from, to))),
            match_brackets(s, j)
        );
    }

    #[test]
    fn jsonp() {
        assert_eq!(strip_jsonp(" mtopjsonp1({\"a\":1});\n"), "{\"a\":1}");
        assert_eq!(strip_jsonp("{\"a\":1}"), "{\"a\":1}");
        assert_eq!(strip_jsonp("cb("), "");
    }

    #[test]
    fn hostile() {
        let deep = "[".repeat(100_000);
        assert_eq!(match_brackets(&deep, 0), None);
        let s = format!("window.x = {deep}");
        assert_eq!(find_assignment(&s, "window.x"), Found::Truncated);
        assert!(object_members("{a:").len() <= 1);
        assert!(object_members("{'a").is_empty() || object_members("{'a").len() == 1);
    }
}
