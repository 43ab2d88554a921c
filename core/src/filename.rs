//! File names that are valid on Windows, macOS and Linux, name templates, and the
//! download plan.
//!
//! A saved file's path is `<folder>/<product folder>/<file name>`, relative to the
//! browser's download directory:
//!
//! * `folder` is the user's download folder ([`crate::settings::validate_folder`]);
//! * the product folder is [`Settings::folder_template`] rendered for the product
//!   (default `{shop}-{id}`: `aliexpress-1005004787627817`); it may contain `/`
//!   to nest folders;
//! * the file name is [`Settings::file_template`] rendered for one item (default
//!   `{kind}-{n}[-{variant}].{ext}`: `gallery-01.jpg`, `variant-03-Black.jpg`).
//!
//! Template syntax: placeholders in braces ([`Placeholder`]); a part in square
//! brackets is kept only when every placeholder inside it has a value
//! (`[-{variant}]` disappears for images that are not variant images). Every path
//! component is made safe by [`safe_component`] after rendering, so a product
//! title can never add a folder, climb out of the download folder or produce a
//! name one of the three systems refuses. [`validate_folder_template`] and
//! [`validate_file_template`] refuse templates whose *own* text would make bad
//! names, with a reason the user can act on.
//!
//! Buyer review photos (issue #15) have their own template, with the same
//! syntax and rules and their own placeholders ([`ReviewPlaceholder`]:
//! `{stars}`, `{review}`, `{date}` — the review's —, `{variant}`, `{n}`,
//! `{ext}`; [`validate_review_template`], default
//! [`DEFAULT_REVIEW_TEMPLATE`]), and go into `<product folder>/reviews/`, one
//! sub-folder per variant ([`ReviewNamer`]).

use crate::{Inventory, MediaKind};

/// Names Windows reserves (case-insensitive, with or without an extension).
/// COM0 and LPT0 are on Microsoft's list too (found by the property tests).
const RESERVED: [&str; 24] = [
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Longest file name stem (before `.ext`), in UTF-8 bytes.
pub const MAX_STEM_BYTES: usize = 100;
/// Longest product-folder component, in UTF-8 bytes.
pub const MAX_FOLDER_COMPONENT_BYTES: usize = 80;
/// Longest whole relative path (`folder/product/name.ext`), in UTF-16 code units:
/// Windows' 260-unit `MAX_PATH` less room for the download directory itself and
/// for Chrome's `.crdownload` and ` (1)` suffixes.
pub const MAX_PATH_UNITS: usize = 200;
/// Longest template, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 100;
/// Most folders a folder template may nest.
pub const MAX_TEMPLATE_FOLDERS: usize = 5;
/// Default product-folder template (the names of schema 1).
pub const DEFAULT_FOLDER_TEMPLATE: &str = "{shop}-{id}";
/// Default file-name template (the names of schema 1).
pub const DEFAULT_FILE_TEMPLATE: &str = "{kind}-{n}[-{variant}].{ext}";

/// Makes one path component safe on every OS: forbidden and control characters
/// become `_`, leading/trailing dots and spaces go, reserved device names get a
/// `_` prefix, and the result is cut to `max_bytes` UTF-8 bytes on a character
/// boundary. Unicode letters are kept. Never returns an empty string.
pub fn safe_component(raw: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max_bytes));
    let mut last_was_sep = false;
    for ch in raw.chars() {
        let bad = ch.is_control()
            || matches!(ch, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*')
            // Bidirectional overrides can disguise an extension.
            || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        let c = if bad || ch.is_whitespace() { ' ' } else { ch };
        if c == ' ' {
            if last_was_sep {
                continue;
            }
            last_was_sep = true;
        } else {
            last_was_sep = false;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches(|c: char| c == '.' || c == ' ');
    let mut s = String::new();
    for ch in trimmed.chars() {
        if s.len() + ch.len_utf8() > max_bytes.max(1) {
            break;
        }
        s.push(ch);
    }
    let s = s.trim_end_matches(['.', ' ']).to_string();
    if s.is_empty() {
        return "_".to_string();
    }
    if is_reserved(&s) {
        // The prefix counts against the limit too (`CON` in 3 bytes is `_CO`);
        // a name starting with `_` is never reserved.
        let mut prefixed = String::from("_");
        for ch in s.chars() {
            if prefixed.len() + ch.len_utf8() > max_bytes.max(1) {
                break;
            }
            prefixed.push(ch);
        }
        return prefixed.trim_end_matches(['.', ' ']).to_string();
    }
    s
}

/// `CON`, `nul.txt`…: a Windows device name whatever the extension.
/// Spaces before the extension do not count (`nul .txt`), and Windows reads the
/// superscript digits of `COM¹`…`LPT³` as digits.
fn is_reserved(name: &str) -> bool {
    let stem: String = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end_matches(' ')
        .chars()
        .map(|c| match c {
            '¹' => '1',
            '²' => '2',
            '³' => '3',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    RESERVED.contains(&stem.as_str())
}

/// A calendar date, for the `{date}` placeholder (`2025-11-30`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, when it exists in the Gregorian calendar (years 1000–9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        // Divisible by 4 but not by 100, or by 400.
        let leap = matches!((year % 4, year % 100, year % 400), (0, 1.., _) | (_, _, 0));
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1000..=9999).contains(&year) && (1..=days).contains(&day)).then_some(Date {
            year,
            month,
            day,
        })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A template placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The shop site: `aliexpress`, `aliexpress-ru` or `alibaba`.
    Shop,
    /// The product id (digits).
    Id,
    /// The product title (empty when the page has none).
    Title,
    /// The seller's store name (empty when unknown).
    Store,
    /// The save date, `YYYY-MM-DD`.
    Date,
    /// `gallery`, `variant`, `description` or `video`.
    Kind,
    /// The variant name of a variant image (`Black`), empty for other items.
    Variant,
    /// The item's number within its kind, from `01`.
    N,
    /// The file extension (`jpg`, `png`, `mp4`…).
    Ext,
}

impl Placeholder {
    /// Every placeholder, in the order the options page lists them.
    pub const ALL: [Placeholder; 9] = [
        Placeholder::Shop,
        Placeholder::Id,
        Placeholder::Title,
        Placeholder::Store,
        Placeholder::Date,
        Placeholder::Kind,
        Placeholder::Variant,
        Placeholder::N,
        Placeholder::Ext,
    ];

    /// The name between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Shop => "shop",
            Placeholder::Id => "id",
            Placeholder::Title => "title",
            Placeholder::Store => "store",
            Placeholder::Date => "date",
            Placeholder::Kind => "kind",
            Placeholder::Variant => "variant",
            Placeholder::N => "n",
            Placeholder::Ext => "ext",
        }
    }

    fn from_name(name: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether the placeholder describes the product (usable in the folder
    /// template) rather than one file.
    pub fn is_product_level(self) -> bool {
        matches!(
            self,
            Placeholder::Shop
                | Placeholder::Id
                | Placeholder::Title
                | Placeholder::Store
                | Placeholder::Date
        )
    }
}

/// Why a template is refused. [`TemplateError::code`] is stable (the pages map
/// it to a translated sentence); `Display` is the English sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// Nothing but spaces.
    Empty,
    /// Longer than [`MAX_TEMPLATE_CHARS`].
    TooLong,
    /// `{name}` is not a placeholder.
    UnknownPlaceholder(String),
    /// `{` without its `}`, or braces inside braces.
    UnclosedBrace,
    /// `}` without a `{`.
    StrayBrace,
    /// `[` without its `]`.
    UnclosedBracket,
    /// `]` without a `[`.
    StrayBracket,
    /// `[` inside `[…]`.
    NestedBracket,
    /// `[…]` without a placeholder inside, which would always be shown.
    BracketWithoutPlaceholder,
    /// A placeholder of one file (`{n}`…) in the folder template.
    NotInFolder(Placeholder),
    /// A character no file name may contain on Windows (`<>:"|?*`, control characters).
    ForbiddenChar(char),
    /// `/` or `\` in the file-name template.
    Separator,
    /// `.` or `..` as a folder.
    DotFolder,
    /// A name that starts with a dot (hidden on macOS and Linux).
    LeadingDot,
    /// A name that starts or ends with a space, or ends with a dot (Windows drops them).
    TrailingDotOrSpace,
    /// A Windows device name (`CON`, `NUL`, `COM1`…).
    Reserved(String),
    /// More than [`MAX_TEMPLATE_FOLDERS`] folders.
    TooManyFolders,
    /// The file-name template does not end with `.{ext}`.
    MissingExt,
    /// `{ext}` anywhere but at the end.
    ExtNotAtEnd,
    /// No `{n}`: files of one kind would get the same name.
    MissingNumber,
    /// No `{kind}`: a gallery image and a description image would get the same name.
    MissingKind,
    /// Neither template has `{id}`: files of different products would collide.
    MissingId,
}

impl TemplateError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TemplateError::Empty => "empty",
            TemplateError::TooLong => "too_long",
            TemplateError::UnknownPlaceholder(_) => "unknown_placeholder",
            TemplateError::UnclosedBrace => "unclosed_brace",
            TemplateError::StrayBrace => "stray_brace",
            TemplateError::UnclosedBracket => "unclosed_bracket",
            TemplateError::StrayBracket => "stray_bracket",
            TemplateError::NestedBracket => "nested_bracket",
            TemplateError::BracketWithoutPlaceholder => "bracket_without_placeholder",
            TemplateError::NotInFolder(_) => "not_in_folder",
            TemplateError::ForbiddenChar(_) => "forbidden_char",
            TemplateError::Separator => "separator",
            TemplateError::DotFolder => "dot_folder",
            TemplateError::LeadingDot => "leading_dot",
            TemplateError::TrailingDotOrSpace => "trailing_dot_or_space",
            TemplateError::Reserved(_) => "reserved",
            TemplateError::TooManyFolders => "too_many_folders",
            TemplateError::MissingExt => "missing_ext",
            TemplateError::ExtNotAtEnd => "ext_not_at_end",
            TemplateError::MissingNumber => "missing_number",
            TemplateError::MissingKind => "missing_kind",
            TemplateError::MissingId => "missing_id",
        }
    }

    /// The text the sentence names (a placeholder, a character, a name), if any.
    pub fn subject(&self) -> Option<String> {
        match self {
            TemplateError::UnknownPlaceholder(s) | TemplateError::Reserved(s) => Some(s.clone()),
            TemplateError::NotInFolder(p) => Some(format!("{{{}}}", p.name())),
            TemplateError::ForbiddenChar(c) if c.is_control() => {
                Some(format!("U+{:04X}", u32::from(*c)))
            }
            TemplateError::ForbiddenChar(c) => Some(c.to_string()),
            _ => None,
        }
    }
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.subject().unwrap_or_default();
        match self {
            TemplateError::Empty => write!(f, "The template is empty."),
            TemplateError::TooLong => write!(
                f,
                "The template is longer than {MAX_TEMPLATE_CHARS} characters."
            ),
            TemplateError::UnknownPlaceholder(_) => write!(
                f,
                "{s} is not a placeholder. Use {{shop}}, {{id}}, {{title}}, {{store}}, {{date}}, {{kind}}, {{variant}}, {{n}} or {{ext}}."
            ),
            TemplateError::UnclosedBrace => write!(f, "A {{ is not closed by }}."),
            TemplateError::StrayBrace => write!(f, "A }} has no matching {{."),
            TemplateError::UnclosedBracket => write!(f, "A [ is not closed by ]."),
            TemplateError::StrayBracket => write!(f, "A ] has no matching [."),
            TemplateError::NestedBracket => {
                write!(f, "Optional parts in [ ] cannot contain other [ ].")
            }
            TemplateError::BracketWithoutPlaceholder => write!(
                f,
                "An optional part in [ ] needs a placeholder, e.g. [-{{variant}}]."
            ),
            TemplateError::NotInFolder(_) => write!(
                f,
                "{s} describes one file; use it in the file name, not in the folder."
            ),
            TemplateError::ForbiddenChar(_) => write!(
                f,
                "\"{s}\" is not allowed in file names on Windows."
            ),
            TemplateError::Separator => write!(
                f,
                "A file name cannot contain / or \\; use the folder template for folders."
            ),
            TemplateError::DotFolder => write!(f, "\".\" and \"..\" cannot be folder names."),
            TemplateError::LeadingDot => write!(
                f,
                "A name may not start with a dot: macOS and Linux would hide it."
            ),
            TemplateError::TrailingDotOrSpace => write!(
                f,
                "A name may not start or end with a space, nor end with a dot: Windows removes them."
            ),
            TemplateError::Reserved(_) => write!(f, "{s} is a reserved name on Windows."),
            TemplateError::TooManyFolders => write!(
                f,
                "At most {MAX_TEMPLATE_FOLDERS} nested folders are allowed."
            ),
            TemplateError::MissingExt => write!(
                f,
                "The file name must end with .{{ext}}, so each file keeps its type."
            ),
            TemplateError::ExtNotAtEnd => {
                write!(f, "{{ext}} can only be used once, at the very end.")
            }
            TemplateError::MissingNumber => write!(
                f,
                "The file name needs {{n}}, or files of one kind would get the same name."
            ),
            TemplateError::MissingKind => write!(
                f,
                "The file name needs {{kind}}, or gallery and description images would get the same names."
            ),
            TemplateError::MissingId => write!(
                f,
                "The folder or the file name needs {{id}}, or different products would get the same names."
            ),
        }
    }
}

/// One piece of a parsed template component.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<P = Placeholder> {
    Lit(String),
    Ph(P),
    /// `[…]`: literals and placeholders, shown only when every placeholder has a value.
    Optional(Vec<Piece<P>>),
}

/// Parses one path component of a template (no `/` inside).
fn parse_component(text: &str) -> Result<Vec<Piece>, TemplateError> {
    parse_pieces(text, Placeholder::from_name)
}

/// Parses one path component of a template whose placeholders `from_name`
/// knows (the product templates' [`Placeholder`]s, the review template's
/// [`ReviewPlaceholder`]s).
fn parse_pieces<P>(
    text: &str,
    from_name: fn(&str) -> Option<P>,
) -> Result<Vec<Piece<P>>, TemplateError> {
    let mut top: Vec<Piece<P>> = Vec::new();
    let mut group: Option<Vec<Piece<P>>> = None;
    let mut lit = String::new();
    let mut chars = text.chars();
    fn flush<P>(lit: &mut String, into: &mut Vec<Piece<P>>) {
        if !lit.is_empty() {
            into.push(Piece::Lit(std::mem::take(lit)));
        }
    }
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                let target = group.as_mut().unwrap_or(&mut top);
                flush(&mut lit, target);
                let mut name = String::new();
                loop {
                    match chars.next() {
                        None | Some('{') => return Err(TemplateError::UnclosedBrace),
                        Some('}') => break,
                        Some(n) => name.push(n),
                    }
                }
                let p = from_name(name.trim())
                    .ok_or_else(|| TemplateError::UnknownPlaceholder(format!("{{{name}}}")))?;
                target.push(Piece::Ph(p));
            }
            '}' => return Err(TemplateError::StrayBrace),
            '[' => {
                if group.is_some() {
                    return Err(TemplateError::NestedBracket);
                }
                flush(&mut lit, &mut top);
                group = Some(Vec::new());
            }
            ']' => {
                let Some(mut g) = group.take() else {
                    return Err(TemplateError::StrayBracket);
                };
                flush(&mut lit, &mut g);
                if !g.iter().any(|p| matches!(p, Piece::Ph(_))) {
                    return Err(TemplateError::BracketWithoutPlaceholder);
                }
                top.push(Piece::Optional(g));
            }
            c if c.is_control()
                || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                return Err(TemplateError::ForbiddenChar(c));
            }
            c => lit.push(c),
        }
    }
    if group.is_some() {
        return Err(TemplateError::UnclosedBracket);
    }
    flush(&mut lit, &mut top);
    Ok(top)
}

fn placeholders<P: Copy>(pieces: &[Piece<P>]) -> Vec<P> {
    let mut out = Vec::new();
    for p in pieces {
        match p {
            Piece::Ph(x) => out.push(*x),
            Piece::Optional(g) => out.extend(placeholders(g)),
            Piece::Lit(_) => {}
        }
    }
    out
}

/// Edge rules of one component: the literal text at its start and end.
fn check_edges<P>(pieces: &[Piece<P>]) -> Result<(), TemplateError> {
    let first = match pieces.first() {
        Some(Piece::Lit(s)) => s.chars().next(),
        _ => None,
    };
    let last = match pieces.last() {
        Some(Piece::Lit(s)) => s.chars().next_back(),
        _ => None,
    };
    if first == Some('.') {
        return Err(TemplateError::LeadingDot);
    }
    if matches!(last, Some('.' | ' ')) || first == Some(' ') {
        return Err(TemplateError::TrailingDotOrSpace);
    }
    if let [Piece::Lit(s)] = pieces {
        if is_reserved(s) {
            return Err(TemplateError::Reserved(s.clone()));
        }
    }
    Ok(())
}

fn check_length(t: &str) -> Result<&str, TemplateError> {
    let t = t.trim();
    if t.is_empty() {
        return Err(TemplateError::Empty);
    }
    if t.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(TemplateError::TooLong);
    }
    Ok(t)
}

/// Checks a product-folder template and returns its canonical form (trimmed,
/// `\` as `/`, empty folders and spaces around `/` removed).
pub fn validate_folder_template(raw: &str) -> Result<String, TemplateError> {
    let t = check_length(raw)?;
    let mut parts = Vec::new();
    for part in t.split(['/', '\\']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if part == "." || part == ".." {
            return Err(TemplateError::DotFolder);
        }
        let pieces = parse_component(part)?;
        if let Some(p) = placeholders(&pieces)
            .into_iter()
            .find(|p| !p.is_product_level())
        {
            return Err(TemplateError::NotInFolder(p));
        }
        check_edges(&pieces)?;
        parts.push(part);
    }
    if parts.is_empty() {
        return Err(TemplateError::Empty);
    }
    if parts.len() > MAX_TEMPLATE_FOLDERS {
        return Err(TemplateError::TooManyFolders);
    }
    Ok(parts.join("/"))
}

/// Checks a file-name template and returns its canonical form (trimmed).
pub fn validate_file_template(raw: &str) -> Result<String, TemplateError> {
    let t = check_length(raw)?;
    if t.contains(['/', '\\']) {
        return Err(TemplateError::Separator);
    }
    let pieces = parse_component(t)?;
    let stem = checked_stem(pieces, Placeholder::Ext)?;
    // {n} and {kind} must be outside optional parts: always present.
    let always: Vec<Placeholder> = stem
        .iter()
        .filter_map(|p| match p {
            Piece::Ph(x) => Some(*x),
            _ => None,
        })
        .collect();
    if !always.contains(&Placeholder::N) {
        return Err(TemplateError::MissingNumber);
    }
    if !always.contains(&Placeholder::Kind) {
        return Err(TemplateError::MissingKind);
    }
    Ok(t.to_string())
}

/// The stem of a file-name template (the pieces before its final `.{ext}`),
/// checked: `{ext}` only at the end, a stem at all, safe edges.
fn checked_stem<P: Copy + PartialEq>(
    pieces: Vec<Piece<P>>,
    ext: P,
) -> Result<Vec<Piece<P>>, TemplateError> {
    let stem = match pieces.split_last() {
        Some((Piece::Ph(e), rest)) if *e == ext => match rest.split_last() {
            Some((Piece::Lit(l), before)) if l.ends_with('.') => {
                let mut stem = before.to_vec();
                let l = &l[..l.len() - 1];
                if !l.is_empty() {
                    stem.push(Piece::Lit(l.to_string()));
                }
                stem
            }
            _ => return Err(TemplateError::MissingExt),
        },
        _ => {
            return Err(if placeholders(&pieces).contains(&ext) {
                TemplateError::ExtNotAtEnd
            } else {
                TemplateError::MissingExt
            })
        }
    };
    if placeholders(&stem).contains(&ext) {
        return Err(TemplateError::ExtNotAtEnd);
    }
    if stem.is_empty() {
        return Err(TemplateError::MissingNumber);
    }
    check_edges(&stem)?;
    Ok(stem)
}

/// Checks the two templates together: files of different products must not
/// collide, so `{id}` must appear (outside `[…]`) in one of them. Both must be
/// valid on their own.
pub fn validate_templates(folder_template: &str, file_template: &str) -> Result<(), TemplateError> {
    let has_id = |t: &str| {
        t.split(['/', '\\']).any(|c| {
            parse_component(c.trim()).is_ok_and(|pieces| {
                pieces
                    .iter()
                    .any(|p| matches!(p, Piece::Ph(Placeholder::Id)))
            })
        })
    };
    if has_id(folder_template) || has_id(file_template) {
        Ok(())
    } else {
        Err(TemplateError::MissingId)
    }
}

/// The values placeholders stand for, for one file.
#[derive(Debug, Clone, Default)]
struct Values {
    shop: String,
    id: String,
    title: String,
    store: String,
    date: String,
    kind: String,
    variant: String,
    n: String,
    ext: String,
}

impl Values {
    fn product(inv: &Inventory, date: Option<Date>) -> Values {
        Values {
            shop: inv.platform.map(|p| p.slug()).unwrap_or("shop").to_string(),
            id: safe_component(&inv.product_id, 40),
            title: inv.title.clone().unwrap_or_default(),
            store: inv.shop.clone().unwrap_or_default(),
            date: date.map(|d| d.to_string()).unwrap_or_default(),
            ..Values::default()
        }
    }

    fn get(&self, p: Placeholder) -> &str {
        match p {
            Placeholder::Shop => &self.shop,
            Placeholder::Id => &self.id,
            Placeholder::Title => &self.title,
            Placeholder::Store => &self.store,
            Placeholder::Date => &self.date,
            Placeholder::Kind => &self.kind,
            Placeholder::Variant => &self.variant,
            Placeholder::N => &self.n,
            Placeholder::Ext => &self.ext,
        }
    }

    /// The free-text values, which may be shortened to make a path fit.
    fn free_mut(&mut self) -> [&mut String; 3] {
        [&mut self.title, &mut self.store, &mut self.variant]
    }
}

fn render_pieces(pieces: &[Piece], v: &Values, out: &mut String) {
    render_with(pieces, v, Values::get, out);
}

/// Renders pieces with `get` giving each placeholder's value in `v`; an
/// optional part only when every placeholder in it has a value.
fn render_with<P: Copy, V>(pieces: &[Piece<P>], v: &V, get: fn(&V, P) -> &str, out: &mut String) {
    for p in pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Ph(x) => out.push_str(get(v, *x)),
            Piece::Optional(g) => {
                let complete = placeholders(g)
                    .into_iter()
                    .all(|x| !get(v, x).trim().is_empty());
                if complete {
                    render_with(g, v, get, out);
                }
            }
        }
    }
}

/// A template split into components and parsed. Invalid text (possible only
/// when a caller bypasses validation) renders literally.
fn parse_template(t: &str) -> Vec<Vec<Piece>> {
    t.split(['/', '\\'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| parse_component(c).unwrap_or_else(|_| vec![Piece::Lit(c.to_string())]))
        .collect()
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Cuts `s` to at most `max` characters.
fn cut_chars(s: &mut String, max: usize) {
    if let Some((i, _)) = s.char_indices().nth(max) {
        s.truncate(i);
    }
}

/// [`safe_component`] within `max_bytes` UTF-8 bytes and `max_units` UTF-16 units.
fn fit(raw: &str, max_bytes: usize, max_units: usize) -> String {
    let mut s = safe_component(raw, max_bytes);
    while utf16_len(&s) > max_units.max(1) {
        s.pop();
        s = safe_component(&s, max_bytes);
    }
    s
}

/// Room always left for the file name when the product folder is rendered.
const MIN_NAME_UNITS: usize = 40;

/// Shortens the free-text values (title, store, variant), longest first, until
/// `excess` (how much too long the rendering is) is zero or nothing is left to
/// shorten. Numbers, kinds, ids and dates are never touched here.
fn shrink(v: &mut Values, excess: impl Fn(&Values) -> usize) {
    // Each round removes at least one character.
    for _ in 0..2000 {
        let over = excess(v);
        if over == 0 {
            return;
        }
        let Some(longest) = v
            .free_mut()
            .into_iter()
            .filter(|s| !s.is_empty())
            .max_by_key(|s| s.chars().count())
        else {
            return;
        };
        let len = longest.chars().count();
        // One character is 1–4 bytes (1–2 UTF-16 units): cutting over/4 never removes too much.
        cut_chars(longest, len.saturating_sub((over / 4).max(1)));
        let kept = longest.trim_end().len();
        longest.truncate(kept);
    }
}

fn render_folders(folder_t: &[Vec<Piece>], v: &Values) -> Vec<String> {
    folder_t
        .iter()
        .map(|c| {
            let mut s = String::new();
            render_pieces(c, v, &mut s);
            safe_component(&s, usize::MAX)
        })
        .collect()
}

/// `folder/<product folder>`: each product-folder component at most
/// [`MAX_FOLDER_COMPONENT_BYTES`], the whole leaving [`MIN_NAME_UNITS`] of
/// [`MAX_PATH_UNITS`] for the file name. Free-text values are shortened first;
/// only templates with long literal text are cut further.
fn render_folder(base: &str, folder_t: &[Vec<Piece>], values: &Values) -> String {
    let budget = MAX_PATH_UNITS - MIN_NAME_UNITS;
    let excess = |folders: &[String]| {
        let mut worst = 0;
        for f in folders {
            worst = worst.max(f.len().saturating_sub(MAX_FOLDER_COMPONENT_BYTES));
        }
        let units = utf16_len(base) + folders.iter().map(|f| utf16_len(f) + 1).sum::<usize>();
        worst.max(units.saturating_sub(budget))
    };
    let mut v = values.clone();
    shrink(&mut v, |v| excess(&render_folders(folder_t, v)));
    let mut left = budget.saturating_sub(utf16_len(base));
    let mut out = String::from(base);
    for f in render_folders(folder_t, &v) {
        // At least one character per folder, even past the budget (a base folder
        // of 120 wide characters): the user chose it, and it is still a valid path.
        let c = fit(
            &f,
            MAX_FOLDER_COMPONENT_BYTES,
            left.saturating_sub(1).max(4),
        );
        left = left.saturating_sub(utf16_len(&c) + 1);
        out.push('/');
        out.push_str(&c);
    }
    out
}

/// `<stem>.<ext>` for a file in `folder`: the stem at most [`MAX_STEM_BYTES`] and
/// the whole path at most [`MAX_PATH_UNITS`], free-text values shortened first so
/// that `{n}` and `{kind}` survive.
fn render_file(folder: &str, stem_t: &[Piece], values: &Values) -> String {
    let ext = safe_component(&values.ext, 10);
    let room = MAX_PATH_UNITS.saturating_sub(utf16_len(folder) + 2 + utf16_len(&ext));
    let render = |v: &Values| {
        let mut s = String::new();
        render_pieces(stem_t, v, &mut s);
        safe_component(&s, usize::MAX)
    };
    let mut v = values.clone();
    shrink(&mut v, |v| {
        let stem = render(v);
        stem.len()
            .saturating_sub(MAX_STEM_BYTES)
            .max(utf16_len(&stem).saturating_sub(room))
    });
    let full = render(&v);
    let room = room.max(8);
    let stem = fit(&full, MAX_STEM_BYTES, room);
    if stem == full {
        return format!("{stem}.{ext}");
    }
    // Literal template text alone is too long, and the cut at the end would take
    // `{n}` with it (every file the same name): keep kind and number at the end.
    let tail = format!("-{}-{}", values.kind, values.n);
    let head = fit(
        &full,
        MAX_STEM_BYTES.saturating_sub(tail.len()),
        room.saturating_sub(utf16_len(&tail)).max(1),
    );
    let stem = safe_component(&format!("{head}{tail}"), MAX_STEM_BYTES);
    format!("{stem}.{ext}")
}

/// Names one product's files: its folder (the download folder and the folder
/// template, rendered) and each file's name in it (the file template).
#[derive(Debug, Clone)]
pub struct Namer {
    folder: String,
    stem: Vec<Piece>,
    product: Values,
}

impl Namer {
    /// `folder`: the user's download folder; `date` fills `{date}` (empty when
    /// `None`).
    pub fn new(
        folder: &str,
        folder_template: &str,
        file_template: &str,
        inv: &Inventory,
        date: Option<Date>,
    ) -> Namer {
        let product = Values::product(inv, date);
        Namer {
            folder: render_folder(folder, &parse_template(folder_template), &product),
            stem: file_stem_template(file_template),
            product,
        }
    }

    /// The product's folder, relative to the download directory.
    pub fn folder(&self) -> &str {
        &self.folder
    }

    /// The name of the `n`th (already padded) file of `kind`, in the folder.
    pub fn file(&self, kind: MediaKind, variant: &str, n: &str, ext: &str) -> String {
        let values = Values {
            kind: kind.as_str().to_string(),
            variant: variant.to_string(),
            n: n.to_string(),
            ext: ext.to_string(),
            ..self.product.clone()
        };
        render_file(&self.folder, &self.stem, &values)
    }
}

/// The stem part (before `.{ext}`) of a file template.
fn file_stem_template(t: &str) -> Vec<Piece> {
    let t = t.trim();
    let stem = t.strip_suffix(".{ext}").unwrap_or(t);
    parse_component(stem).unwrap_or_else(|_| vec![Piece::Lit(stem.to_string())])
}

/// The folder, inside the product folder, that holds buyer review photos
/// (issue #15): `reviews/`, then one sub-folder per variant.
pub const REVIEWS_FOLDER: &str = "reviews";
/// Default file-name template of review photos: `review-007-5star-2025-11-22.jpg`.
pub const DEFAULT_REVIEW_TEMPLATE: &str = "review-{n}[-{stars}star][-{date}].{ext}";

/// A placeholder of the review photos' file-name template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewPlaceholder {
    /// The review's rating, `1`–`5` (empty when the review has none).
    Stars,
    /// The review's id (digits on AliExpress; the shop's id string on aliexpress.ru).
    Review,
    /// The review's date, `YYYY-MM-DD` (empty when the shop's date could not be read).
    Date,
    /// The variant the buyer bought (`Black, M`), empty when the review names none.
    Variant,
    /// The photo's number among the product's review photos, from `01`.
    N,
    /// The file extension (`jpg`, `mp4`…).
    Ext,
}

impl ReviewPlaceholder {
    /// Every review placeholder, in the order the options page lists them.
    pub const ALL: [ReviewPlaceholder; 6] = [
        ReviewPlaceholder::Stars,
        ReviewPlaceholder::Review,
        ReviewPlaceholder::Date,
        ReviewPlaceholder::Variant,
        ReviewPlaceholder::N,
        ReviewPlaceholder::Ext,
    ];

    /// The name between the braces.
    pub fn name(self) -> &'static str {
        match self {
            ReviewPlaceholder::Stars => "stars",
            ReviewPlaceholder::Review => "review",
            ReviewPlaceholder::Date => "date",
            ReviewPlaceholder::Variant => "variant",
            ReviewPlaceholder::N => "n",
            ReviewPlaceholder::Ext => "ext",
        }
    }

    fn from_name(name: &str) -> Option<ReviewPlaceholder> {
        ReviewPlaceholder::ALL
            .into_iter()
            .find(|p| p.name() == name)
    }
}

/// Checks a review photos' file-name template and returns its canonical form
/// (trimmed): the same syntax and OS rules as [`validate_file_template`], with
/// the [`ReviewPlaceholder`]s; `{n}` is required (outside `[…]`), so no two
/// review photos of a product get one name, and it ends with `.{ext}`.
pub fn validate_review_template(raw: &str) -> Result<String, TemplateError> {
    let t = check_length(raw)?;
    if t.contains(['/', '\\']) {
        return Err(TemplateError::Separator);
    }
    let pieces = parse_pieces(t, ReviewPlaceholder::from_name)?;
    let stem = checked_stem(pieces, ReviewPlaceholder::Ext)?;
    if !stem
        .iter()
        .any(|p| matches!(p, Piece::Ph(ReviewPlaceholder::N)))
    {
        return Err(TemplateError::MissingNumber);
    }
    Ok(t.to_string())
}

/// The values of one review photo's placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewValues {
    pub stars: String,
    pub review: String,
    pub date: String,
    pub variant: String,
    /// Already padded (`007`).
    pub n: String,
    pub ext: String,
}

impl ReviewValues {
    fn get(&self, p: ReviewPlaceholder) -> &str {
        match p {
            ReviewPlaceholder::Stars => &self.stars,
            ReviewPlaceholder::Review => &self.review,
            ReviewPlaceholder::Date => &self.date,
            ReviewPlaceholder::Variant => &self.variant,
            ReviewPlaceholder::N => &self.n,
            ReviewPlaceholder::Ext => &self.ext,
        }
    }
}

/// Names a product's review photos: `<product folder>/reviews[/<variant>]/<name>`,
/// every component made safe for every OS and the whole path within
/// [`MAX_PATH_UNITS`] (the variant, the only free text, is shortened first).
#[derive(Debug, Clone)]
pub struct ReviewNamer {
    base: String,
    stem: Vec<Piece<ReviewPlaceholder>>,
}

impl ReviewNamer {
    /// `product_folder`: the product's folder as [`Namer::folder`] gives it;
    /// `template`: a review template (an invalid one renders literally, with
    /// `-{n}` kept at the end).
    pub fn new(product_folder: &str, template: &str) -> ReviewNamer {
        let t = template.trim();
        let stem = t.strip_suffix(".{ext}").unwrap_or(t);
        let stem = parse_pieces(stem, ReviewPlaceholder::from_name)
            .unwrap_or_else(|_| vec![Piece::Lit(safe_component(stem, MAX_STEM_BYTES))]);
        ReviewNamer {
            base: format!("{product_folder}/{REVIEWS_FOLDER}"),
            stem,
        }
    }

    /// `<product folder>/reviews`, or its sub-folder for `variant`.
    pub fn folder(&self, variant: &str) -> String {
        if variant.trim().is_empty() {
            return self.base.clone();
        }
        let left = (MAX_PATH_UNITS - MIN_NAME_UNITS).saturating_sub(utf16_len(&self.base) + 1);
        let c = fit(variant, MAX_FOLDER_COMPONENT_BYTES, left.max(4));
        format!("{}/{c}", self.base)
    }

    /// The path of one review photo, relative to the download directory.
    pub fn path(&self, values: &ReviewValues) -> String {
        let folder = self.folder(&values.variant);
        let name = self.file(&folder, values);
        format!("{folder}/{name}")
    }

    fn file(&self, folder: &str, values: &ReviewValues) -> String {
        let ext = safe_component(&values.ext, 10);
        let room = MAX_PATH_UNITS.saturating_sub(utf16_len(folder) + 2 + utf16_len(&ext));
        let render = |v: &ReviewValues| {
            let mut s = String::new();
            render_with(&self.stem, v, ReviewValues::get, &mut s);
            safe_component(&s, usize::MAX)
        };
        let mut v = values.clone();
        // Each round removes at least one character of the variant.
        for _ in 0..2000 {
            let stem = render(&v);
            let over = stem
                .len()
                .saturating_sub(MAX_STEM_BYTES)
                .max(utf16_len(&stem).saturating_sub(room));
            if over == 0 || v.variant.is_empty() {
                break;
            }
            let len = v.variant.chars().count();
            cut_chars(&mut v.variant, len.saturating_sub((over / 4).max(1)));
            let kept = v.variant.trim_end().len();
            v.variant.truncate(kept);
        }
        let full = render(&v);
        let room = room.max(8);
        let stem = fit(&full, MAX_STEM_BYTES, room);
        if stem == full && full.contains(values.n.as_str()) {
            return format!("{stem}.{ext}");
        }
        // Too long even so (a long review id or literal text): keep the number.
        let tail = format!("-{}", values.n);
        let head = fit(
            &full,
            MAX_STEM_BYTES.saturating_sub(tail.len()),
            room.saturating_sub(utf16_len(&tail)).max(1),
        );
        let stem = safe_component(&format!("{head}{tail}"), MAX_STEM_BYTES);
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    use crate::plan::*;
    use crate::settings::{ImageSize, Settings};
    use crate::MediaItem;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn review_templates_are_checked_like_file_templates() {
        assert_eq!(
            validate_review_template(DEFAULT_REVIEW_TEMPLATE).as_deref(),
            Ok(DEFAULT_REVIEW_TEMPLATE)
        );
        assert_eq!(
            validate_review_template(" {review}-{n}[-{variant}].{ext} ").as_deref(),
            Ok("{review}-{n}[-{variant}].{ext}")
        );
        let err = |t: &str| validate_review_template(t).err().map(|e| e.code());
        assert_eq!(err("{review}.{ext}"), Some("missing_number"));
        assert_eq!(err("[{n}]-{stars}.{ext}"), Some("missing_number"));
        assert_eq!(err("{n}"), Some("missing_ext"));
        assert_eq!(err("{n}.{ext}-x"), Some("ext_not_at_end"));
        assert_eq!(err("{kind}-{n}.{ext}"), Some("unknown_placeholder"));
        assert_eq!(err("{title}-{n}.{ext}"), Some("unknown_placeholder"));
        assert_eq!(err("a/{n}.{ext}"), Some("separator"));
        assert_eq!(err("{n}?.{ext}"), Some("forbidden_char"));
        assert_eq!(err(".{n}.{ext}"), Some("leading_dot"));
        assert_eq!(err("[x].{ext}"), Some("bracket_without_placeholder"));
        // The product templates are unchanged: review placeholders are not theirs.
        assert_eq!(
            validate_file_template("{kind}-{n}-{stars}.{ext}").map_err(|e| e.code()),
            Err("unknown_placeholder")
        );
    }

    #[test]
    fn review_names_fit_and_keep_their_number() {
        let long = "Ж".repeat(300);
        let namer = ReviewNamer::new(
            &format!("AliSavePro/{}", "x".repeat(150)),
            "{variant}-{review}-{n}.{ext}",
        );
        let v = ReviewValues {
            stars: "5".into(),
            review: "1".repeat(60),
            date: "2025-11-22".into(),
            variant: long.clone(),
            n: "117".into(),
            ext: "jpg".into(),
        };
        let p = namer.path(&v);
        assert!(utf16_len(&p) <= MAX_PATH_UNITS, "{p}");
        let name = p.rsplit('/').next().unwrap_or_default();
        assert!(name.ends_with("-117.jpg"), "{name}");
        // No variant: straight into reviews/.
        let v = ReviewValues {
            variant: " ".into(),
            ..v
        };
        let namer = ReviewNamer::new("F/p", DEFAULT_REVIEW_TEMPLATE);
        assert_eq!(
            namer.path(&v),
            "F/p/reviews/review-117-5star-2025-11-22.jpg"
        );
        // An invalid template renders literally, the number kept.
        let namer = ReviewNamer::new("F/p", "{nope}.{ext}");
        assert_eq!(namer.path(&v), "F/p/reviews/{nope}-117.jpg");
        let namer = ReviewNamer::new("F/p", "CON-{n}[{stars}].{ext}");
        assert_eq!(
            namer.path(&ReviewValues {
                stars: String::new(),
                n: "01".into(),
                ext: "jpg".into(),
                ..ReviewValues::default()
            }),
            "F/p/reviews/CON-01.jpg"
        );
    }

    #[test]
    fn components_are_safe() {
        let cases = [
            ("plain", "plain"),
            ("a/b\\c", "a b c"),
            ("what?*<>|\"", "what"),
            ("..", "_"),
            ("...hidden", "hidden"),
            ("trailing. . ", "trailing"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("LPT9", "_LPT9"),
            ("COM10", "COM10"),
            ("tab\there\nnew", "tab here new"),
            ("Красный цвет", "Красный цвет"),
            ("", "_"),
            ("evil\u{202E}gpj.exe", "evil gpj.exe"),
        ];
        for (raw, want) in cases {
            assert_eq!(safe_component(raw, 100), want, "{raw:?}");
        }
    }

    fn item(kind: MediaKind, url: &str, variant: Option<&str>) -> MediaItem {
        MediaItem {
            kind,
            url: url.into(),
            preview: None,
            variant: variant.map(|v| crate::Variant {
                axis: "Color".into(),
                value: v.into(),
            }),
            poster: None,
            key: url.into(),
        }
    }

    fn inventory() -> Inventory {
        Inventory {
            platform: Some(crate::Platform::AliExpress),
            product_id: "1005".into(),
            title: Some("Gamepad: Pro/Max".into()),
            shop: Some("Best Store".into()),
            items: vec![
                item(MediaKind::Gallery, "https://ae01.alicdn.com/kf/A.jpg", None),
                item(MediaKind::Gallery, "https://ae01.alicdn.com/kf/B.png", None),
                item(
                    MediaKind::Variant,
                    "https://ae01.alicdn.com/kf/C.jpg",
                    Some("Red/Blue: CON"),
                ),
                item(
                    MediaKind::Video,
                    "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/2.mp4",
                    None,
                ),
            ],
            ..Inventory::default()
        }
    }

    fn paths(s: &Settings, inv: &Inventory) -> Vec<String> {
        plan(s, inv).into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn plan_names_numbers_and_filters_by_kind() {
        let mut s = Settings::default();
        assert_eq!(
            paths(&s, &inventory()),
            [
                "AliSavePro/aliexpress-1005/gallery-01.jpg",
                "AliSavePro/aliexpress-1005/gallery-02.png",
                "AliSavePro/aliexpress-1005/variant-01-Red Blue CON.jpg",
                "AliSavePro/aliexpress-1005/video-01.mp4",
            ]
        );
        s.kinds.gallery = false;
        s.kinds.video = false;
        assert_eq!(plan(&s, &inventory()).len(), 1);
    }

    /// The schema-1 naming, written out as it was, for comparison.
    fn schema1_path(
        s: &Settings,
        inv: &Inventory,
        item: &MediaItem,
        n: usize,
        width: usize,
    ) -> String {
        let platform = inv.platform.map(|p| p.slug()).unwrap_or("shop");
        let folder = format!(
            "{}/{}-{}",
            s.folder,
            platform,
            safe_component(&inv.product_id, 40)
        );
        let ext = crate::url::media_extension(&item.url).unwrap_or("jpg");
        let mut stem = format!("{}-{:0width$}", item.kind.as_str(), n);
        if let Some(v) = &item.variant {
            stem.push('-');
            stem.push_str(&v.value);
        }
        format!("{folder}/{}.{ext}", safe_component(&stem, 100))
    }

    #[test]
    fn default_templates_reproduce_schema_1_names() {
        let s = Settings::default();
        let mut inv = inventory();
        inv.platform = Some(crate::Platform::AliExpressRu);
        let long = ["x".repeat(150), "é".repeat(80)];
        let names = [
            "Black",
            "Rose Gold",
            "Красный",
            "a.b. ",
            "..",
            &long[0],
            &long[1],
        ];
        for (i, v) in names.into_iter().enumerate() {
            inv.items.push(item(
                MediaKind::Variant,
                &format!("https://ae01.alicdn.com/kf/V{i}.jpg"),
                Some(v),
            ));
        }
        for i in 0..12 {
            inv.items.push(item(
                MediaKind::Description,
                &format!("https://ae01.alicdn.com/kf/D{i}.jpg"),
                None,
            ));
        }
        let planned = plan(&s, &inv);
        for kind in MediaKind::ALL {
            let items: Vec<&MediaItem> = inv.of_kind(kind).collect();
            let width = items.len().to_string().len().max(2);
            for (i, it) in items.iter().enumerate() {
                let got = planned
                    .iter()
                    .find(|p| p.url == it.url)
                    .map(|p| p.path.clone());
                assert_eq!(
                    got,
                    Some(schema1_path(&s, &inv, it, i + 1, width)),
                    "{:?}",
                    it.variant
                );
            }
        }
        assert_eq!(product_folder(&s, &inv), "AliSavePro/aliexpress-ru-1005");
    }

    #[test]
    fn selection_keeps_names_and_ignores_unknown_urls() {
        let s = Settings::default();
        let picked = plan_selected(
            &s,
            &inventory(),
            &[
                "https://ae01.alicdn.com/kf/B.png".into(),
                "https://evil.example/x.exe".into(),
            ],
        );
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0].path, "AliSavePro/aliexpress-1005/gallery-02.png");
    }

    #[test]
    fn length_is_cut_on_a_char_boundary() {
        let s = safe_component(&"é".repeat(100), 11);
        assert_eq!(s, "ééééé");
        assert!(s.len() <= 11);
        let emoji = safe_component(&"😀".repeat(1000), 100);
        assert!(emoji.len() <= 100 && !emoji.is_empty());
    }

    #[test]
    fn reserved_prefix_stays_within_the_limit_and_is_stable() {
        // Found by the fuzzer (fuzz/regressions/filename/reserved-len-*).
        assert_eq!(safe_component("CON", 3), "_CO");
        assert_eq!(
            safe_component("CON", 1),
            "C",
            "cut first: no longer reserved"
        );
        let long = format!("con.{}", "a".repeat(56));
        let once = safe_component(&long, 60);
        assert_eq!(once.len(), 60);
        assert!(once.starts_with("_con."));
        assert_eq!(
            safe_component(&once, 60),
            once,
            "a second pass changes nothing"
        );
        assert_eq!(safe_component("nul .txt", 100), "_nul .txt");
        assert_eq!(safe_component("COM\u{b9}.jpg", 100), "_COM\u{b9}.jpg");
    }

    fn custom(folder_t: &str, file_t: &str) -> Settings {
        Settings {
            folder_template: validate_folder_template(folder_t).expect("folder template"),
            file_template: validate_file_template(file_t).expect("file template"),
            ..Settings::default()
        }
    }

    #[test]
    fn every_placeholder_renders_and_values_cannot_add_folders() {
        let s = custom(
            "{shop}/{store}/{title} ({id})",
            "{date}_{kind}_{n}[_{variant}].{ext}",
        );
        let files = plan_on(&s, &inventory(), Date::new(2025, 11, 30));
        let got: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            got,
            [
                "AliSavePro/aliexpress/Best Store/Gamepad Pro Max (1005)/2025-11-30_gallery_01.jpg",
                "AliSavePro/aliexpress/Best Store/Gamepad Pro Max (1005)/2025-11-30_gallery_02.png",
                "AliSavePro/aliexpress/Best Store/Gamepad Pro Max (1005)/2025-11-30_variant_01_Red Blue CON.jpg",
                "AliSavePro/aliexpress/Best Store/Gamepad Pro Max (1005)/2025-11-30_video_01.mp4",
            ]
        );
        assert_eq!(
            product_folder_on(&s, &inventory(), None),
            "AliSavePro/aliexpress/Best Store/Gamepad Pro Max (1005)"
        );
    }

    #[test]
    fn missing_values_drop_optional_parts_and_never_leave_empty_names() {
        let s = custom(
            "{shop}-{id}[ {title}]/[{store}]x",
            "{kind}-{n}[ ({variant})].{ext}",
        );
        let mut inv = inventory();
        inv.title = None;
        inv.shop = None;
        let files = paths(&s, &inv);
        assert_eq!(files[0], "AliSavePro/aliexpress-1005/x/gallery-01.jpg");
        assert_eq!(
            files[2],
            "AliSavePro/aliexpress-1005/x/variant-01 (Red Blue CON).jpg"
        );
        // A value that sanitises to nothing becomes "_", never an empty name.
        inv.title = Some("...".into());
        let s = custom("{title}", "{kind}-{n}-{id}.{ext}");
        assert_eq!(paths(&s, &inv)[0], "AliSavePro/_/gallery-01-1005.jpg");
    }

    #[test]
    fn hostile_values_stay_inside_the_folder() {
        let mut inv = inventory();
        inv.title = Some("../../etc/passwd".into());
        inv.shop = Some("CON".into());
        inv.items[2].variant = Some(crate::Variant {
            axis: "c".into(),
            value: "..\\..\\x\u{202E}gpj.exe".into(),
        });
        let s = custom("{title}/{store}", "{variant}{kind}-{n}-{id}.{ext}");
        for p in paths(&s, &inv) {
            assert!(p.starts_with("AliSavePro/"), "{p}");
            let parts: Vec<&str> = p.split('/').collect();
            assert_eq!(parts.len(), 4, "{p}");
            for c in &parts {
                assert!(!c.is_empty() && *c != "." && *c != "..", "{p}");
                assert_eq!(safe_component(c, 255), *c, "{p}");
            }
        }
        assert_eq!(
            paths(&s, &inv)[0],
            "AliSavePro/etc passwd/_CON/gallery-01-1005.jpg"
        );
    }

    #[test]
    fn long_values_are_shortened_but_numbers_survive() {
        let mut inv = inventory();
        inv.title = Some("Очень длинное название товара ".repeat(20));
        let s = custom("{title}-{id}", "{title} {kind}-{n}.{ext}");
        let files = paths(&s, &inv);
        let mut names = std::collections::BTreeSet::new();
        for p in &files {
            assert!(utf16_len(p) <= MAX_PATH_UNITS, "{p}");
            let parts: Vec<&str> = p.split('/').collect();
            assert!(parts[1].len() <= MAX_FOLDER_COMPONENT_BYTES, "{p}");
            assert!(parts[1].ends_with("-1005"), "{p}");
            let (stem, _) = parts[2].rsplit_once('.').unwrap_or_default();
            assert!(stem.len() <= MAX_STEM_BYTES, "{p}");
            assert!(names.insert(parts[2].to_string()), "duplicate {p}");
        }
        assert!(files[0].ends_with(" gallery-01.jpg"), "{}", files[0]);
        // A long download folder leaves less room; names stay within the limit.
        let s = Settings {
            folder: "a".repeat(120),
            ..s
        };
        for p in paths(&s, &inv) {
            assert!(utf16_len(&p) <= MAX_PATH_UNITS, "{p}");
            assert!(
                p.contains("gallery-0") || p.contains("variant-01") || p.contains("video-01"),
                "{p}"
            );
        }
    }

    #[test]
    fn template_validation_explains_what_is_wrong() {
        use TemplateError as E;
        let file_cases: [(&str, E); 16] = [
            ("", E::Empty),
            ("   ", E::Empty),
            (
                "{kind}-{n}-{colour}.{ext}",
                E::UnknownPlaceholder("{colour}".into()),
            ),
            ("{kind}-{n.{ext}", E::UnclosedBrace),
            ("{kind}-n}.{ext}", E::StrayBrace),
            ("{kind}-{n}[-{variant}.{ext}", E::UnclosedBracket),
            ("{kind}-{n}-{variant}].{ext}", E::StrayBracket),
            ("{kind}-{n}[-[{variant}]].{ext}", E::NestedBracket),
            ("{kind}-{n}[-x].{ext}", E::BracketWithoutPlaceholder),
            ("{kind}-{n}?.{ext}", E::ForbiddenChar('?')),
            ("{kind}/{n}.{ext}", E::Separator),
            ("{kind}-{n}", E::MissingExt),
            ("{kind}-{n}.jpg", E::MissingExt),
            ("{ext}-{kind}-{n}.{ext}", E::ExtNotAtEnd),
            ("{kind}[-{n}].{ext}", E::MissingNumber),
            ("photo-{n}.{ext}", E::MissingKind),
        ];
        for (t, want) in file_cases {
            assert_eq!(validate_file_template(t), Err(want), "{t:?}");
        }
        for (t, want) in [
            (".{kind}-{n}.{ext}", E::LeadingDot),
            ("{kind}-{n} .{ext}", E::TrailingDotOrSpace),
            ("{kind}-{n}..{ext}", E::TrailingDotOrSpace),
            (&"x".repeat(101), E::TooLong),
            ("{kind}-{n}-a\u{7}.{ext}", E::ForbiddenChar('\u{7}')),
        ] {
            assert_eq!(validate_file_template(t), Err(want), "{t:?}");
        }
        for (t, want) in [
            ("{shop}/../{id}", E::DotFolder),
            ("{shop}-{id}-{n}", E::NotInFolder(Placeholder::N)),
            ("{kind}/{id}", E::NotInFolder(Placeholder::Kind)),
            ("CON/{id}", E::Reserved("CON".into())),
            ("{id}/aux.txt", E::Reserved("aux.txt".into())),
            ("a/b/c/d/e/{id}", E::TooManyFolders),
            ("{id}:x", E::ForbiddenChar(':')),
            ("{id}.", E::TrailingDotOrSpace),
            (".cache/{id}", E::LeadingDot),
            ("//", E::Empty),
        ] {
            assert_eq!(validate_folder_template(t), Err(want), "{t:?}");
        }
        assert_eq!(
            validate_templates("{shop}", "{kind}-{n}.{ext}"),
            Err(E::MissingId)
        );
        assert_eq!(
            validate_templates("{shop}", "{kind}-{n}[-{id}].{ext}"),
            Err(E::MissingId)
        );
        assert_eq!(
            validate_templates("{shop}", "{id}-{kind}-{n}.{ext}"),
            Ok(())
        );
        assert_eq!(
            validate_templates("{shop}-{id}", DEFAULT_FILE_TEMPLATE),
            Ok(())
        );
        // Every error has an English sentence and a stable code.
        let e = E::UnknownPlaceholder("{colour}".into());
        assert!(
            e.to_string().starts_with("{colour} is not a placeholder"),
            "{e}"
        );
        assert_eq!(e.code(), "unknown_placeholder");
    }

    #[test]
    fn templates_are_canonicalised_to_a_fixed_point() {
        for (raw, want) in [
            (" {shop} / {id} ", "{shop}/{id}"),
            ("\\{shop}\\\\{id}/", "{shop}/{id}"),
            ("Фото/{title}", "Фото/{title}"),
        ] {
            let got = validate_folder_template(raw);
            assert_eq!(got.as_deref(), Ok(want), "{raw:?}");
            assert_eq!(validate_folder_template(want).as_deref(), Ok(want));
        }
        assert_eq!(
            validate_file_template("  {kind}-{n}[-{variant}].{ext} ").as_deref(),
            Ok(DEFAULT_FILE_TEMPLATE)
        );
        assert_eq!(
            validate_folder_template(DEFAULT_FOLDER_TEMPLATE).as_deref(),
            Ok(DEFAULT_FOLDER_TEMPLATE)
        );
    }

    #[test]
    fn preferred_size_uses_the_cdn_suffix_form_for_images_only() {
        let s = Settings {
            image_size: ImageSize::Cdn(640),
            ..Settings::default()
        };
        let mut inv = inventory();
        inv.items.push(item(
            MediaKind::Gallery,
            "https://sc04.alicdn.com/kf/H1.jpeg",
            None,
        ));
        inv.items.push(item(
            MediaKind::Gallery,
            "https://img.alicdn.com/imgextra/i1/X.jpg",
            None,
        ));
        inv.items.push(item(
            MediaKind::Gallery,
            "https://ae01.alicdn.com/kf/G.gif",
            None,
        ));
        let files = plan(&s, &inv);
        let urls: Vec<&str> = files.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://ae01.alicdn.com/kf/A.jpg_640x640.jpg",
                "https://ae01.alicdn.com/kf/B.png_640x640.png",
                "https://sc04.alicdn.com/kf/H1.jpeg_640x640.jpeg",
                "https://img.alicdn.com/imgextra/i1/X.jpg",
                "https://ae01.alicdn.com/kf/G.gif",
                "https://ae01.alicdn.com/kf/C.jpg_640x640.jpg",
                "https://video.aliexpress-media.com/play/u/1/p/1/e/6/t/10301/2.mp4",
            ]
        );
        // Names do not change with the size; every URL is still one the worker accepts.
        assert_eq!(files[0].path, "AliSavePro/aliexpress-1005/gallery-01.jpg");
        assert!(files.iter().all(|f| crate::url::is_cdn_media_url(&f.url)));
        // The sized copy normalises back to the original.
        assert_eq!(
            crate::url::original_url(&files[0].url).as_deref(),
            Some("https://ae01.alicdn.com/kf/A.jpg")
        );
        assert_eq!(
            sized_url("https://ae01.alicdn.com/kf/A.jpg", ImageSize::Original),
            None
        );
        // The selection gets the sized URL too, matched by its original.
        let picked = plan_selected(&s, &inv, &["https://ae01.alicdn.com/kf/B.png".into()]);
        assert_eq!(
            picked[0].url,
            "https://ae01.alicdn.com/kf/B.png_640x640.png"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            Date::new(2024, 2, 29).map(|d| d.to_string()).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(Date::new(2023, 2, 29), None);
        assert_eq!(Date::new(1900, 2, 29), None);
        assert_eq!(
            Date::new(2000, 2, 29).map(|d| d.to_string()).as_deref(),
            Some("2000-02-29")
        );
        assert_eq!(Date::new(2025, 13, 1), None);
        assert_eq!(Date::new(2025, 4, 31), None);
        assert_eq!(Date::new(99, 1, 1), None);
    }

    #[test]
    fn sample_inventory_previews_every_kind() {
        let files = plan_on(
            &Settings::default(),
            &sample_inventory(),
            Date::new(2025, 1, 2),
        );
        let names: Vec<&str> = files
            .iter()
            .map(|f| f.path.rsplit('/').next().unwrap_or(""))
            .collect();
        assert_eq!(
            names,
            [
                "gallery-01.jpg",
                "gallery-02.png",
                "variant-01-Black.jpg",
                "variant-02-Rose Gold.jpg",
                "description-01.jpg",
                "video-01.mp4"
            ]
        );
    }
}
