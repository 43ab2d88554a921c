//! A small, forgiving HTML scanner that builds a flat element tree.
//!
//! Why hand-written: the input is `document.documentElement.outerHTML` (or a
//! description fragment), i.e. markup a browser already serialised, so tags are
//! balanced and we only need elements, attributes, parent links and the raw
//! text of `<script>`/`<style>` bodies. The available full HTML5 parsers pull in
//! large dependency trees (string interning, code-generated tables) that would
//! bloat the wasm service worker; the WHATWG tokenizer crates still leave tree
//! building to us. This scanner is linear, never panics (all slicing goes
//! through `get`), caps nesting depth and element count, and tolerates
//! unbalanced or truncated markup.

use std::borrow::Cow;
use std::cell::OnceCell;

/// Deepest nesting we track; deeper elements hang off the deepest tracked one.
const MAX_DEPTH: usize = 512;
/// Most elements we record; the rest of the document is ignored.
const MAX_ELEMENTS: usize = 400_000;

/// Attribute list: names lowercase, values entity-decoded.
pub type Attrs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// One element. Names and values borrow the source when it already has them
/// as they are kept (lowercase names, values without entities): most do, and
/// a page has tens of thousands of them. Attributes are read lazily, on the
/// first [`Element::attrs`] call: the scan only finds where the start tag
/// ends, and most elements' attributes are never asked for.
#[derive(Debug, Clone)]
pub struct Element<'a> {
    /// Lowercase tag name (`img`, `kse:widget`).
    pub name: Cow<'a, str>,
    /// The document source (attributes are read from it on demand).
    src: &'a str,
    /// Byte offset just after the tag name (where the attributes start).
    attrs_start: usize,
    /// Attributes, once read.
    attrs: OnceCell<Attrs<'a>>,
    /// Index of the parent element.
    pub parent: Option<usize>,
    /// Byte offset just after the start tag.
    pub content_start: usize,
    /// Byte offset of the end tag (or end of input when unclosed).
    pub content_end: usize,
}

impl<'a> Element<'a> {
    /// Attributes, names lowercase, values entity-decoded (at most 64).
    pub fn attrs(&self) -> &Attrs<'a> {
        self.attrs.get_or_init(|| {
            let mut out = Vec::new();
            scan_attrs(self.src, self.attrs_start, Some(&mut out));
            out
        })
    }

    /// Attribute value by lowercase name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| &**v)
    }

    /// Has the whitespace-separated class `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|x| x == class))
    }

    /// Some class contains `fragment` (for CSS-module hashed names).
    pub fn class_contains(&self, fragment: &str) -> bool {
        self.attr("class").is_some_and(|c| c.contains(fragment))
    }

    /// `id` attribute equals `id`.
    pub fn id_is(&self, id: &str) -> bool {
        self.attr("id") == Some(id)
    }
}

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Dom<'a> {
    /// The source text.
    pub src: &'a str,
    /// Elements in document order.
    pub elements: Vec<Element<'a>>,
    /// True when the element cap was hit.
    pub truncated: bool,
}

fn is_void(name: &str) -> bool {
    // Byte patterns: compiled to a few integer compares, not `memcmp` calls
    // (this runs once per element).
    matches!(
        name.as_bytes(),
        [b'a', b'r', b'e', b'a']
            | [b'b', b'a', b's', b'e']
            | [b'b', b'r']
            | [b'c', b'o', b'l']
            | [b'e', b'm', b'b', b'e', b'd']
            | [b'h', b'r']
            | [b'i', b'm', b'g']
            | [b'i', b'n', b'p', b'u', b't']
            | [b'l', b'i', b'n', b'k']
            | [b'm', b'e', b't', b'a']
            | [b'p', b'a', b'r', b'a', b'm']
            | [b's', b'o', b'u', b'r', b'c', b'e']
            | [b't', b'r', b'a', b'c', b'k']
            | [b'w', b'b', b'r']
    )
}

/// Whether two tag names are equal, compared byte by byte: tag names are a
/// few bytes long, and `==` on them is a `memcmp` call per end tag (3 % of the
/// parse of a large real page, measured).
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

fn is_raw_text(name: &str) -> bool {
    matches!(
        name.as_bytes(),
        [b's', b'c', b'r', b'i', b'p', b't']
            | [b's', b't', b'y', b'l', b'e']
            | [b't', b'e', b'x', b't', b'a', b'r', b'e', b'a']
            | [b't', b'i', b't', b'l', b'e']
            | [b'x', b'm', b'p']
            | [b'i', b'f', b'r', b'a', b'm', b'e']
            | [b'n', b'o', b'e', b'm', b'b', b'e', b'd']
            | [b'n', b'o', b'f', b'r', b'a', b'm', b'e', b's']
    )
}

/// Finds the end tag `</name` (`name` ASCII lowercase) case-insensitively in
/// `hay` from `from`, without building the tag's text.
fn find_close_tag(hay: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    loop {
        i += memchr::memchr(b'<', hay.get(i..)?)?;
        if hay.get(i + 1) == Some(&b'/')
            && hay
                .get(i + 2..i + 2 + name.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(name))
        {
            return Some(i);
        }
        i += 1;
    }
}

fn find_bytes(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let tail = hay.get(from..)?;
    if needle.is_empty() || tail.len() < needle.len() {
        return None;
    }
    memchr::memmem::find(tail, needle).map(|p| p + from)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Decodes the common character references in an attribute value or text.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 1..).unwrap_or("");
        let end = after
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(j, _)| j);
        let decoded = end.and_then(|j| {
            let name = after.get(..j)?;
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = if let Some(hex) =
                        num.strip_prefix('x').or_else(|| num.strip_prefix('X'))
                    {
                        u32::from_str_radix(hex, 16).ok()?
                    } else {
                        num.parse::<u32>().ok()?
                    };
                    Some(char::from_u32(code).unwrap_or('\u{fffd}'))
                }
            }?;
            Some((ch, j))
        });
        match decoded {
            Some((ch, j)) => {
                out.push(ch);
                rest = after.get(j + 1..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` in ASCII lowercase, borrowed when it already is.
fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` with its entities decoded, borrowed when it has none.
fn decoded(s: &str) -> Cow<'_, str> {
    if s.contains('&') {
        Cow::Owned(decode_entities(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// Scans a start tag's attributes from `j` (just after the tag name) to just
/// after its `>` (or the end of input); returns that offset and whether the
/// tag ends in `/>`. With `out`, also records the attributes (at most 64),
/// names lowercased and values entity-decoded. The scan is the same with or
/// without `out`, so the lazy read finds what the first scan passed over.
fn scan_attrs<'a>(src: &'a str, mut j: usize, mut out: Option<&mut Attrs<'a>>) -> (usize, bool) {
    let b = src.as_bytes();
    let n = b.len();
    let mut self_closing = false;
    // Attributes.
    loop {
        while j < n && (is_space(b[j])) {
            j += 1;
        }
        if j >= n {
            break;
        }
        if b[j] == b'>' {
            j += 1;
            break;
        }
        if b[j] == b'/' {
            j += 1;
            if b.get(j) == Some(&b'>') {
                self_closing = true;
                j += 1;
                break;
            }
            continue;
        }
        let an_start = j;
        while j < n && !is_space(b[j]) && b[j] != b'>' && b[j] != b'=' && b[j] != b'/' {
            j += 1;
        }
        if j == an_start {
            // A lone `=`: skip it.
            j += 1;
            continue;
        }
        let an = src.get(an_start..j).unwrap_or("");
        let mut k = j;
        while k < n && is_space(b[k]) {
            k += 1;
        }
        let mut value = "";
        if b.get(k) == Some(&b'=') {
            k += 1;
            while k < n && is_space(b[k]) {
                k += 1;
            }
            match b.get(k) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let vs = k + 1;
                    let ve = b
                        .get(vs..)
                        .and_then(|t| memchr::memchr(q, t))
                        .map_or(n, |p| vs + p);
                    value = src.get(vs..ve).unwrap_or("");
                    j = (ve + 1).min(n);
                }
                _ => {
                    let vs = k;
                    while k < n && !is_space(b[k]) && b[k] != b'>' {
                        k += 1;
                    }
                    value = src.get(vs..k).unwrap_or("");
                    j = k;
                }
            }
        }
        if let Some(out) = out.as_deref_mut() {
            if out.len() < 64 {
                out.push((lowercase(an), decoded(value)));
            }
        }
    }
    (j, self_closing)
}

impl<'a> Dom<'a> {
    /// Parses `src`.
    pub fn parse(src: &'a str) -> Dom<'a> {
        let b = src.as_bytes();
        let mut elements: Vec<Element> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        let mut truncated = false;
        let mut i = 0usize;
        let n = b.len();
        while i < n {
            let Some(lt) = b.get(i..).and_then(|t| memchr::memchr(b'<', t)) else {
                break;
            };
            i += lt;
            let next = b.get(i + 1).copied().unwrap_or(0);
            if b.get(i..i + 4) == Some(b"<!--") {
                i = find_bytes(b, i + 4, b"-->").map_or(n, |p| p + 3);
                continue;
            }
            if next == b'!' || next == b'?' {
                i = b
                    .get(i..)
                    .and_then(|t| memchr::memchr(b'>', t))
                    .map_or(n, |p| i + p + 1);
                continue;
            }
            if next == b'/' {
                // End tag.
                let start = i + 2;
                let mut j = start;
                while j < n && !is_space(b[j]) && b[j] != b'>' && b[j] != b'/' {
                    j += 1;
                }
                let name = lowercase(src.get(start..j).unwrap_or(""));
                let close = b
                    .get(j..)
                    .and_then(|t| memchr::memchr(b'>', t))
                    .map_or(n, |p| j + p + 1);
                if !name.is_empty() {
                    if let Some(pos) = stack.iter().rposition(|&e| {
                        elements.get(e).is_some_and(|el| same_name(&el.name, &name))
                    }) {
                        for &e in stack.get(pos..).unwrap_or(&[]) {
                            if let Some(el) = elements.get_mut(e) {
                                el.content_end = i;
                            }
                        }
                        stack.truncate(pos);
                    }
                }
                i = close;
                continue;
            }
            if !next.is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            // Start tag.
            let start = i + 1;
            let mut j = start;
            while j < n && !is_space(b[j]) && b[j] != b'>' && b[j] != b'/' {
                j += 1;
            }
            let name = lowercase(src.get(start..j).unwrap_or(""));
            let attrs_start = j;
            let (j, self_closing) = scan_attrs(src, j, None);
            let content_start = j.min(n);
            if elements.len() >= MAX_ELEMENTS {
                truncated = true;
                break;
            }
            let idx = elements.len();
            let raw = is_raw_text(&name);
            let void = is_void(&name) || self_closing && !raw;
            let close_tag = raw.then(|| name.clone());
            elements.push(Element {
                name,
                src,
                attrs_start,
                attrs: OnceCell::new(),
                parent: stack.last().copied(),
                content_start,
                content_end: content_start,
            });
            i = content_start;
            if let Some(close_tag) = close_tag {
                let end = find_close_tag(b, i, close_tag.as_bytes()).unwrap_or(n);
                if let Some(el) = elements.get_mut(idx) {
                    el.content_end = end;
                }
                i = b
                    .get(end..)
                    .and_then(|t| memchr::memchr(b'>', t))
                    .map_or(n, |p| end + p + 1);
            } else if !void && stack.len() < MAX_DEPTH {
                stack.push(idx);
            }
        }
        for &e in &stack {
            if let Some(el) = elements.get_mut(e) {
                el.content_end = n;
            }
        }
        Dom {
            src,
            elements,
            truncated,
        }
    }

    /// Indices (in document order) of the elements whose attributes may
    /// contain one of `needles`: their raw start-tag attribute text holds a
    /// needle or a character reference (`&`, which decoding could turn into
    /// one). Every other element's attribute values certainly contain none,
    /// so a search for an attribute value containing a needle need only look
    /// at these.
    pub fn attr_candidates(&self, needles: &[&str]) -> Vec<usize> {
        let finders: Vec<memchr::memmem::Finder<'_>> = needles
            .iter()
            .filter(|nd| !nd.is_empty())
            .map(|nd| memchr::memmem::Finder::new(nd.as_bytes()))
            .collect();
        let b = self.src.as_bytes();
        let mut out = Vec::new();
        for (i, el) in self.elements.iter().enumerate() {
            let raw = b.get(el.attrs_start..el.content_start).unwrap_or(&[]);
            if memchr::memchr(b'&', raw).is_some() || finders.iter().any(|f| f.find(raw).is_some())
            {
                out.push(i);
            }
        }
        out
    }

    /// Element by index.
    pub fn get(&self, i: usize) -> Option<&Element<'a>> {
        self.elements.get(i)
    }

    /// Raw inner text of an element (for `<script>` bodies: the script).
    pub fn raw_inner(&self, i: usize) -> &'a str {
        self.elements
            .get(i)
            .and_then(|e| self.src.get(e.content_start..e.content_end))
            .unwrap_or("")
    }

    /// Text content of an element with tags removed and whitespace collapsed.
    pub fn text(&self, i: usize) -> String {
        let raw = self.raw_inner(i);
        let mut out = String::new();
        let mut in_tag = false;
        for c in raw.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    out.push(' ');
                }
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        let decoded = decode_entities(&out);
        decoded.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Ancestors of element `i`, nearest first.
    pub fn ancestors(&self, i: usize) -> Ancestors<'_, 'a> {
        Ancestors {
            dom: self,
            next: self.elements.get(i).and_then(|e| e.parent),
            steps: 0,
        }
    }

    /// True when `a` is a (strict) ancestor of `d`.
    pub fn is_ancestor(&self, a: usize, d: usize) -> bool {
        self.ancestors(d).any(|(i, _)| i == a)
    }

    /// Indices of the descendants of `root` in document order.
    ///
    /// Elements are stored in document order and a subtree is contiguous, so
    /// the descendants are the run of following elements whose ancestor chain
    /// reaches `root`.
    pub fn descendants(&self, root: usize) -> Vec<usize> {
        self.descendants_upto(root, usize::MAX)
    }

    /// The first `limit` descendants of `root` (see [`Dom::descendants`]).
    pub fn descendants_upto(&self, root: usize, limit: usize) -> Vec<usize> {
        let mut out = Vec::new();
        // Depth of each element relative to root, computed incrementally.
        let mut inside: Vec<usize> = vec![root];
        for j in root + 1..self.elements.len() {
            let parent = self.elements.get(j).and_then(|e| e.parent);
            match parent {
                Some(p) => {
                    while inside.last().is_some_and(|&top| top != p) {
                        inside.pop();
                    }
                    if inside.is_empty() {
                        break;
                    }
                    if out.len() >= limit {
                        break;
                    }
                    inside.push(j);
                    out.push(j);
                }
                None => break,
            }
        }
        out
    }

    /// Indices of all elements named `name`.
    pub fn by_name<'s>(&'s self, name: &'s str) -> impl Iterator<Item = usize> + use<'s, 'a> {
        self.elements
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.name == name)
            .map(|(i, _)| i)
    }
}

/// Iterator over ancestors.
pub struct Ancestors<'d, 'a> {
    dom: &'d Dom<'a>,
    next: Option<usize>,
    steps: usize,
}

impl<'d, 'a> Iterator for Ancestors<'d, 'a> {
    type Item = (usize, &'d Element<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        let i = self.next?;
        self.steps += 1;
        if self.steps > MAX_DEPTH + 1 {
            return None;
        }
        let el = self.dom.elements.get(i)?;
        self.next = el.parent;
        Some((i, el))
    }
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn parses_nested_and_void() {
        let d = Dom::parse(
            r#"<div id=a class="x y"><p><img src="//h/a.jpg"><br/><a href='/item/1.html'><img src=b.jpg></a></p></div><script>var s = "</div>";</script>"#,
        );
        let names: Vec<_> = d.elements.iter().map(|e| &*e.name).collect();
        assert_eq!(names, ["div", "p", "img", "br", "a", "img", "script"]);
        assert_eq!(d.elements[5].attr("src"), Some("b.jpg"));
        assert!(d.is_ancestor(4, 5));
        assert!(!d.is_ancestor(4, 2));
        assert_eq!(d.descendants(0), vec![1, 2, 3, 4, 5]);
        assert_eq!(d.raw_inner(6), r#"var s = "</div>";"#);
        assert!(d.elements[0].has_class("y"));
    }

    #[test]
    fn attr_candidates_cover_every_match() {
        let src = r#"<div id="x-ab"><p title='&#97;b'>ab</p><i class=abab data-x="a"></i><b ab></b><a href="z">ab</a></div>"#;
        let d = Dom::parse(src);
        // div (in a value), p (character reference), i (overlapping), b (a name);
        // never a (only its text has "ab").
        assert_eq!(d.attr_candidates(&["ab"]), vec![0, 1, 2, 3]);
        assert_eq!(d.attr_candidates(&["abab"]), vec![1, 2]);
        assert_eq!(d.attr_candidates(&["zz", "x-a"]), vec![0, 1]);
        assert_eq!(d.elements[1].attr("title"), Some("ab"));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&amp;b&#39;&#x41;&bogus;&"),
            "a&b'A&bogus;&"
        );
    }

    #[test]
    fn hostile_markup_does_not_panic() {
        for s in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href='",
            "</",
            "<!--",
            "<script>",
            "<img src=\"x\" / >",
            "<<<>>>",
            "<é>ü</é>",
            "<a =x>",
        ] {
            let d = Dom::parse(s);
            for i in 0..d.elements.len() {
                let _ = d.text(i);
                let _ = d.descendants(i);
            }
        }
        let deep = "<div>".repeat(100_000);
        let d = Dom::parse(&deep);
        assert_eq!(d.elements.len(), 100_000);
        assert!(d.ancestors(99_999).count() <= MAX_DEPTH + 1);
    }
}
