//! Settings schema: defaults, validation, migration, export and import.
//!
//! Stored under [`STORAGE_KEY`] in `chrome.storage.local` as a JSON object.
//! Loading never fails: unknown or corrupted values fall back field by field to
//! their defaults, with a warning, so a user's valid settings are never lost.
//!
//! Schema history (each step has a migration and tests):
//! * 0 — the unversioned prototype: `{"subfolder": "..."}` (the whole download folder);
//! * 1 — `folder`, `kinds`, `show_button`;
//! * 2 — adds `folder_template`, `file_template`, `image_size`,
//!   `ask_where_to_save`, `button_position`;
//! * 3 — adds `format`, `quality`, `zip` and `product_manifest`; later also
//!   `review_template` and `button_reviews` (issue #15: new, nothing older
//!   named or saved review photos otherwise, so their defaults need no
//!   migration and no new version).

/// How settings problems are said to the user.
pub mod say;

use crate::filename::{self, TemplateError};
use crate::{MediaKind, Warning};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Key of the settings object in `chrome.storage.local`.
pub const STORAGE_KEY: &str = "settings";

/// Current schema version.
pub const SCHEMA_VERSION: u32 = 3;

/// Longest accepted download folder, in characters (UTF-16 units: most emoji
/// count as two).
pub const MAX_FOLDER_CHARS: usize = 120;

/// The CDN sizes offered besides the original, in pixels (longest side), largest
/// first. The shops' image CDNs serve `<original>_<N>x<N>.<ext>` copies
/// (page-formats §4.3: 640 seen in real page data, 350 in Alibaba/search cards,
/// 960 used by tools).
pub const CDN_SIZES: [u32; 3] = [960, 640, 350];

/// Default JPEG/WebP quality, in percent.
pub const DEFAULT_QUALITY: u8 = 90;

/// Lowest accepted JPEG/WebP quality, in percent (below it images fall apart).
pub const MIN_QUALITY: u8 = 10;

/// Largest settings file [`import`] reads, in bytes.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024;

/// Which media kinds are saved by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kinds {
    pub gallery: bool,
    pub variant: bool,
    pub description: bool,
    pub video: bool,
}

impl Default for Kinds {
    fn default() -> Self {
        Kinds {
            gallery: true,
            variant: true,
            description: true,
            video: true,
        }
    }
}

impl Kinds {
    /// Whether `kind` is enabled.
    pub fn allows(&self, kind: MediaKind) -> bool {
        match kind {
            MediaKind::Gallery => self.gallery,
            MediaKind::Variant => self.variant,
            MediaKind::Description => self.description,
            MediaKind::Video => self.video,
            // Buyer photos are not the product's media: their own setting.
            MediaKind::Review => false,
        }
    }

    /// Enables or disables `kind`.
    pub fn set(&mut self, kind: MediaKind, on: bool) {
        match kind {
            MediaKind::Gallery => self.gallery = on,
            MediaKind::Variant => self.variant = on,
            MediaKind::Description => self.description = on,
            MediaKind::Video => self.video = on,
            MediaKind::Review => {}
        }
    }
}

/// Preferred image size: the original file, or the CDN's copy at a size.
/// Stored as `"original"` or a number of pixels from [`CDN_SIZES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageSize {
    /// The original upload (default).
    #[default]
    Original,
    /// The CDN's copy whose longest side is at most this many pixels.
    Cdn(u32),
}

impl ImageSize {
    /// Every choice, in the order the pages offer them.
    pub fn choices() -> impl Iterator<Item = ImageSize> {
        std::iter::once(ImageSize::Original).chain(CDN_SIZES.into_iter().map(ImageSize::Cdn))
    }

    /// Reads a stored value; `None` for anything but `"original"` or an offered size.
    pub fn from_value(v: &Value) -> Option<ImageSize> {
        match v {
            Value::String(s) if s == "original" => Some(ImageSize::Original),
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| CDN_SIZES.into_iter().find(|s| u64::from(*s) == n))
                .map(ImageSize::Cdn),
            _ => None,
        }
    }

    /// The stored value.
    pub fn to_value(self) -> Value {
        match self {
            ImageSize::Original => Value::from("original"),
            ImageSize::Cdn(n) => Value::from(n),
        }
    }

    /// Stable text form (`original`, `640`), for form controls.
    pub fn as_key(self) -> String {
        match self {
            ImageSize::Original => "original".into(),
            ImageSize::Cdn(n) => n.to_string(),
        }
    }

    /// Parses [`ImageSize::as_key`].
    pub fn from_key(key: &str) -> Option<ImageSize> {
        ImageSize::choices().find(|c| c.as_key() == key)
    }
}

impl Serialize for ImageSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ImageSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        ImageSize::from_value(&v)
            .ok_or_else(|| serde::de::Error::custom("image_size: \"original\" or an offered size"))
    }
}

/// Format of saved images. Stored as `"original"` (default), `"jpeg"`, `"png"`
/// or `"webp"`. Videos and animated images are always saved as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// The shop's own bytes, unchanged (default).
    #[default]
    Original,
    Jpeg,
    Png,
    Webp,
}

impl ImageFormat {
    /// Every format, in the order the pages offer them.
    pub const ALL: [ImageFormat; 4] = [
        ImageFormat::Original,
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::Webp,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageFormat::Original => "original",
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
            ImageFormat::Webp => "webp",
        }
    }

    /// Parses [`ImageFormat::as_str`].
    pub fn parse(s: &str) -> Option<ImageFormat> {
        ImageFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The converted file's type, `None` for the original.
    pub fn target(self) -> Option<crate::media::Sniffed> {
        match self {
            ImageFormat::Original => None,
            ImageFormat::Jpeg => Some(crate::media::Sniffed::Jpeg),
            ImageFormat::Png => Some(crate::media::Sniffed::Png),
            ImageFormat::Webp => Some(crate::media::Sniffed::Webp),
        }
    }

    /// Whether the format takes a quality (lossy encoders).
    pub fn has_quality(self) -> bool {
        matches!(self, ImageFormat::Jpeg | ImageFormat::Webp)
    }

    /// What [`crate::media::convert_decision`] converts to under this format
    /// and `quality` (percent): the type and its encoder quality (0–1, lossy
    /// types only); `None` for the original.
    pub fn conversion(self, quality: u8) -> Option<(crate::media::Sniffed, Option<f64>)> {
        let target = self.target()?;
        let q = self
            .has_quality()
            .then(|| f64::from(quality.clamp(1, 100)) / 100.0);
        Some((target, q))
    }
}

/// Corner of the page where the in-page button sits. Stored as
/// `"bottom-right"` (default), `"bottom-left"`, `"top-right"` or `"top-left"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ButtonPosition {
    #[default]
    BottomRight,
    BottomLeft,
    TopRight,
    TopLeft,
}

impl ButtonPosition {
    /// Every position, in the order the pages offer them.
    pub const ALL: [ButtonPosition; 4] = [
        ButtonPosition::BottomRight,
        ButtonPosition::BottomLeft,
        ButtonPosition::TopRight,
        ButtonPosition::TopLeft,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            ButtonPosition::BottomRight => "bottom-right",
            ButtonPosition::BottomLeft => "bottom-left",
            ButtonPosition::TopRight => "top-right",
            ButtonPosition::TopLeft => "top-left",
        }
    }

    /// Parses [`ButtonPosition::as_str`].
    pub fn parse(s: &str) -> Option<ButtonPosition> {
        ButtonPosition::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether the button is at the top of the page.
    pub fn is_top(self) -> bool {
        matches!(self, ButtonPosition::TopRight | ButtonPosition::TopLeft)
    }

    /// Whether the button is on the left side of the page.
    pub fn is_left(self) -> bool {
        matches!(self, ButtonPosition::BottomLeft | ButtonPosition::TopLeft)
    }
}

/// All user settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Version of the schema these settings were written with.
    pub schema_version: u32,
    /// Folder inside the browser's download directory (may contain `/`).
    pub folder: String,
    /// Template of each product's folder inside `folder` (see [`crate::filename`]).
    pub folder_template: String,
    /// Template of each file's name (see [`crate::filename`]).
    pub file_template: String,
    /// Media kinds saved by the in-page button.
    pub kinds: Kinds,
    /// Preferred image size.
    pub image_size: ImageSize,
    /// Whether Chrome asks where to save (once per file).
    pub ask_where_to_save: bool,
    /// Whether the in-page button is shown.
    pub show_button: bool,
    /// Where the in-page button is shown.
    pub button_position: ButtonPosition,
    /// Format of saved images (conversion happens in the browser).
    pub format: ImageFormat,
    /// JPEG/WebP quality in percent, [`MIN_QUALITY`]..=100.
    pub quality: u8,
    /// Save one ZIP per product instead of separate files.
    pub zip: bool,
    /// Save `product.json` and `product.csv` next to the media.
    pub product_manifest: bool,
    /// Template of buyer review photos' file names (issue #15; see
    /// [`filename::validate_review_template`]).
    pub review_template: String,
    /// Whether the in-page button's save also saves the product's buyer
    /// review photos (its first review pages; issue #15). Off by default: no
    /// review is asked of the shop unless the user turns it on.
    pub button_reviews: bool,
}

impl Settings {
    /// Whether saving needs the media bytes in an extension page (ZIP or
    /// conversion), and so the optional CDN host access.
    pub fn needs_bytes(&self) -> bool {
        self.zip || self.format != ImageFormat::Original
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            schema_version: SCHEMA_VERSION,
            folder: "AliSavePro".to_string(),
            folder_template: filename::DEFAULT_FOLDER_TEMPLATE.to_string(),
            file_template: filename::DEFAULT_FILE_TEMPLATE.to_string(),
            kinds: Kinds::default(),
            image_size: ImageSize::Original,
            ask_where_to_save: false,
            show_button: true,
            button_position: ButtonPosition::BottomRight,
            format: ImageFormat::Original,
            quality: DEFAULT_QUALITY,
            zip: false,
            product_manifest: true,
            review_template: filename::DEFAULT_REVIEW_TEMPLATE.to_string(),
            button_reviews: false,
        }
    }
}

/// Why a folder value is refused (English sentence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidFolder(pub String);

impl std::fmt::Display for InvalidFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a folder value is refused, as a stable code the pages translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderError {
    /// Nothing but spaces and slashes.
    Empty,
    /// Longer than [`MAX_FOLDER_CHARS`].
    TooLong,
    /// An absolute path or a drive letter.
    Absolute,
    /// `.` or `..` as a folder.
    DotFolder,
}

impl FolderError {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            FolderError::Empty => "empty",
            FolderError::TooLong => "too_long",
            FolderError::Absolute => "absolute",
            FolderError::DotFolder => "dot_folder",
        }
    }
}

impl std::fmt::Display for FolderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderError::Empty => f.write_str("The folder name is empty."),
            FolderError::TooLong => write!(
                f,
                "The folder name is longer than {MAX_FOLDER_CHARS} characters."
            ),
            FolderError::Absolute => f.write_str(
                "Use a folder inside the browser's download directory, not an absolute path.",
            ),
            FolderError::DotFolder => f.write_str("The folder name may not contain '.' or '..'."),
        }
    }
}

/// Validates a download folder as typed by the user and returns its canonical form
/// (components made safe, separators normalised to `/`).
pub fn validate_folder(raw: &str) -> Result<String, InvalidFolder> {
    check_folder(raw).map_err(|e| InvalidFolder(e.to_string()))
}

/// [`validate_folder`] with a stable error code.
pub fn check_folder(raw: &str) -> Result<String, FolderError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(FolderError::Empty);
    }
    if units(trimmed) > MAX_FOLDER_CHARS {
        return Err(FolderError::TooLong);
    }
    if trimmed.starts_with('/') || trimmed.starts_with('\\') || trimmed.contains(':') {
        return Err(FolderError::Absolute);
    }
    let mut parts = Vec::new();
    for part in trimmed.split(['/', '\\']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if part == "." || part == ".." {
            return Err(FolderError::DotFolder);
        }
        parts.push(filename::safe_component(part, 60));
    }
    if parts.is_empty() {
        return Err(FolderError::Empty);
    }
    let folder = parts.join("/");
    // Made safe, the folder may have grown (`CON` → `_CON`): the canonical form
    // must itself be valid, so that validating it again changes nothing.
    if units(&folder) > MAX_FOLDER_CHARS {
        return Err(FolderError::TooLong);
    }
    Ok(folder)
}

/// Length in UTF-16 code units, what Windows' path limits count: a character
/// outside the Basic Multilingual Plane (most emoji) counts twice, so a folder
/// of 120 emoji cannot crowd the product folder and file names out of
/// [`filename::MAX_PATH_UNITS`] (found by the property tests).
fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// What is wrong with one stored or imported field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not text.
    NotText,
    /// Not `true`/`false`.
    NotBool,
    /// A number outside its range (or not a whole number).
    OutOfRange { min: u64, max: u64 },
    /// Not an object.
    NotObject,
    /// Text or number that is not one of the offered choices.
    UnknownChoice(String),
    /// A folder the folder rules refuse.
    Folder(FolderError),
    /// A template the template rules refuse.
    Template(TemplateError),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NotText => f.write_str("not text."),
            Problem::NotBool => f.write_str("not true/false."),
            Problem::OutOfRange { min, max } => {
                write!(f, "not a whole number from {min} to {max}.")
            }
            Problem::NotObject => f.write_str("not an object."),
            Problem::UnknownChoice(v) => write!(f, "{v} is not one of the choices."),
            Problem::Folder(e) => write!(f, "{e}"),
            Problem::Template(e) => write!(f, "{e}"),
        }
    }
}

/// A field that could not be used, and why. `field` is the stored name
/// (`folder`, `kinds.video`, `file_template`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub problem: Problem,
}

/// Everything [`load_report`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// The settings: every readable field, defaults for the rest.
    pub settings: Settings,
    /// The stored value was not an object at all (everything is a default).
    pub corrupt: bool,
    /// The schema version the settings were written with, when newer than ours.
    pub newer_schema: Option<u64>,
    /// The stored `schema_version` was not a number.
    pub bad_version: bool,
    /// Fields that kept (or returned to) their defaults, and why.
    pub problems: Vec<FieldProblem>,
}

impl LoadReport {
    /// The report as warnings (English), as [`load`] returns them.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut w = Vec::new();
        if self.corrupt {
            w.push(Warning::new(
                "settings_corrupt",
                "Stored settings were not an object; defaults are used.",
            ));
        }
        if let Some(n) = self.newer_schema {
            w.push(Warning::new(
                "settings_newer",
                format!(
                    "Settings were written by a newer version (schema {n}); known fields are kept."
                ),
            ));
        }
        if self.bad_version {
            w.push(Warning::new(
                "settings_field",
                "schema_version: not a number.",
            ));
        }
        for p in &self.problems {
            w.push(Warning::new(
                "settings_field",
                format!("{}: {} Default used.", p.field, p.problem),
            ));
        }
        w
    }
}

/// Loads settings from whatever was stored (possibly nothing, an older schema,
/// or garbage). Every field that cannot be read keeps its default and adds a warning.
pub fn load(stored: Option<&Value>) -> (Settings, Vec<Warning>) {
    let report = load_report(stored);
    let warnings = report.warnings();
    (report.settings, warnings)
}

/// [`load`], with the details the pages turn into translated sentences.
pub fn load_report(stored: Option<&Value>) -> LoadReport {
    let mut r = LoadReport {
        settings: Settings::default(),
        corrupt: false,
        newer_schema: None,
        bad_version: false,
        problems: Vec::new(),
    };
    let Some(stored) = stored.filter(|v| !v.is_null()) else {
        return r;
    };
    let Some(obj) = stored.as_object() else {
        r.corrupt = true;
        return r;
    };
    let obj = migrate(obj, &mut r);
    let s = &mut r.settings;
    let mut bad = |field: &str, problem: Problem| {
        r.problems.push(FieldProblem {
            field: field.to_string(),
            problem,
        })
    };

    if let Some(v) = obj.get("folder") {
        match v.as_str().map(check_folder) {
            Some(Ok(f)) => s.folder = f,
            Some(Err(e)) => bad("folder", Problem::Folder(e)),
            None => bad("folder", Problem::NotText),
        }
    }
    if let Some(v) = obj.get("folder_template") {
        match v.as_str().map(filename::validate_folder_template) {
            Some(Ok(t)) => s.folder_template = t,
            Some(Err(e)) => bad("folder_template", Problem::Template(e)),
            None => bad("folder_template", Problem::NotText),
        }
    }
    if let Some(v) = obj.get("file_template") {
        match v.as_str().map(filename::validate_file_template) {
            Some(Ok(t)) => s.file_template = t,
            Some(Err(e)) => bad("file_template", Problem::Template(e)),
            None => bad("file_template", Problem::NotText),
        }
    }
    if let Some(v) = obj.get("review_template") {
        match v.as_str().map(filename::validate_review_template) {
            Some(Ok(t)) => s.review_template = t,
            Some(Err(e)) => bad("review_template", Problem::Template(e)),
            None => bad("review_template", Problem::NotText),
        }
    }
    // Files of different products must not collide: when neither template names
    // the product, the folder template returns to its default (which does).
    if let Err(e) = filename::validate_templates(&s.folder_template, &s.file_template) {
        s.folder_template = filename::DEFAULT_FOLDER_TEMPLATE.to_string();
        bad("folder_template", Problem::Template(e));
    }
    match obj.get("kinds") {
        None => {}
        Some(Value::Object(k)) => {
            for kind in MediaKind::ALL {
                match k.get(kind.as_str()) {
                    None => {}
                    Some(Value::Bool(b)) => s.kinds.set(kind, *b),
                    Some(_) => bad(&format!("kinds.{}", kind.as_str()), Problem::NotBool),
                }
            }
        }
        Some(_) => bad("kinds", Problem::NotObject),
    }
    if let Some(v) = obj.get("image_size") {
        match ImageSize::from_value(v) {
            Some(size) => s.image_size = size,
            None => bad("image_size", Problem::UnknownChoice(short(v))),
        }
    }
    for (field, slot) in [
        ("ask_where_to_save", &mut s.ask_where_to_save),
        ("show_button", &mut s.show_button),
        ("zip", &mut s.zip),
        ("product_manifest", &mut s.product_manifest),
        ("button_reviews", &mut s.button_reviews),
    ] {
        match obj.get(field) {
            None => {}
            Some(Value::Bool(b)) => *slot = *b,
            Some(_) => bad(field, Problem::NotBool),
        }
    }
    if let Some(v) = obj.get("button_position") {
        match v.as_str().and_then(ButtonPosition::parse) {
            Some(p) => s.button_position = p,
            None => bad("button_position", Problem::UnknownChoice(short(v))),
        }
    }
    if let Some(v) = obj.get("format") {
        match v.as_str().and_then(ImageFormat::parse) {
            Some(f) => s.format = f,
            None => bad("format", Problem::UnknownChoice(short(v))),
        }
    }
    if let Some(v) = obj.get("quality") {
        match v
            .as_u64()
            .filter(|q| (u64::from(MIN_QUALITY)..=100).contains(q))
        {
            Some(q) => s.quality = q as u8,
            None => bad(
                "quality",
                Problem::OutOfRange {
                    min: u64::from(MIN_QUALITY),
                    max: 100,
                },
            ),
        }
    }
    r
}

/// A stored value as short text, for messages.
fn short(v: &Value) -> String {
    let mut t = v.to_string();
    if t.chars().count() > 40 {
        t = t.chars().take(39).collect::<String>() + "…";
    }
    t
}

/// Brings an older stored object up to [`SCHEMA_VERSION`], one version at a time.
fn migrate(obj: &Map<String, Value>, r: &mut LoadReport) -> Map<String, Value> {
    let mut obj = obj.clone();
    let mut version = match obj.get("schema_version") {
        None => 0,
        Some(v) => match v.as_u64() {
            Some(n) if n <= u64::from(SCHEMA_VERSION) => n as u32,
            Some(n) => {
                r.newer_schema = Some(n);
                SCHEMA_VERSION
            }
            None => {
                r.bad_version = true;
                0
            }
        },
    };
    if version == 0 {
        migrate_0_to_1(&mut obj);
        version = 1;
    }
    if version == 1 {
        migrate_1_to_2(&mut obj);
        version = 2;
    }
    if version == 2 {
        migrate_2_to_3(&mut obj);
    }
    obj.insert("schema_version".into(), Value::from(SCHEMA_VERSION));
    obj
}

/// Version 0 is the unversioned prototype format (`{"folder": "...", "subfolder": "..."}`
/// where `subfolder` was the whole download folder); it maps onto `folder`.
fn migrate_0_to_1(obj: &mut Map<String, Value>) {
    if let Some(sub) = obj.remove("subfolder") {
        if !obj.contains_key("folder") {
            obj.insert("folder".into(), sub);
        }
    }
}

/// Version 1 named files `<folder>/<shop>-<id>/<kind>-<nn>[-<variant>].<ext>`,
/// saved originals, never asked where to save, and showed the button bottom right.
/// Those are written out here (not left to the defaults), so a later change of the
/// defaults never renames a version-1 user's files.
fn migrate_1_to_2(obj: &mut Map<String, Value>) {
    for (key, value) in [
        ("folder_template", Value::from("{shop}-{id}")),
        ("file_template", Value::from("{kind}-{n}[-{variant}].{ext}")),
        ("image_size", Value::from("original")),
        ("ask_where_to_save", Value::Bool(false)),
        ("button_position", Value::from("bottom-right")),
    ] {
        obj.entry(key).or_insert(value);
    }
}

/// Version 2 saved the shop's original bytes as separate files and wrote no
/// product manifest. Format, quality and ZIP are written out as version 2 behaved;
/// the product manifest is new and on by default for everyone (it adds two small
/// files and renames nothing).
fn migrate_2_to_3(obj: &mut Map<String, Value>) {
    for (key, value) in [
        ("format", Value::from("original")),
        ("quality", Value::from(DEFAULT_QUALITY)),
        ("zip", Value::Bool(false)),
        ("product_manifest", Value::Bool(true)),
    ] {
        obj.entry(key).or_insert(value);
    }
}

/// Serialises settings for storage.
pub fn to_stored(s: &Settings) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// The settings as the text of an export file (pretty JSON, the stored form).
pub fn export(s: &Settings) -> String {
    let mut text = serde_json::to_string_pretty(&to_stored(s)).unwrap_or_default();
    text.push('\n');
    text
}

/// Why a settings file was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Larger than [`MAX_IMPORT_BYTES`].
    TooLarge,
    /// Not JSON (the parser's message).
    NotJson(String),
    /// JSON, but not an object.
    NotObject,
    /// An object without any setting.
    NotSettings,
    /// Settings, with fields that cannot be used.
    Invalid(Vec<FieldProblem>),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::TooLarge => write!(
                f,
                "The file is larger than {} KB; it is not a settings file.",
                MAX_IMPORT_BYTES / 1024
            ),
            ImportError::NotJson(e) => write!(f, "The file is not JSON ({e})."),
            ImportError::NotObject => f.write_str("The file does not hold a settings object."),
            ImportError::NotSettings => f.write_str("The file holds no AliSavePro settings."),
            ImportError::Invalid(problems) => {
                f.write_str("The file has settings that cannot be used:")?;
                for p in problems {
                    write!(f, " {}: {}", p.field, p.problem)?;
                }
                Ok(())
            }
        }
    }
}

/// A successfully read settings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The settings to apply: the file's, with defaults for fields it lacks.
    pub settings: Settings,
    /// The file was written by a newer version; its unknown fields were skipped.
    pub newer_schema: Option<u64>,
}

/// Reads an exported settings file. Strict, unlike [`load`]: any field that
/// cannot be used refuses the whole file, so a bad file changes nothing.
/// Fields the file lacks take their defaults (after migration from its schema).
pub fn import(text: &str) -> Result<Imported, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = text.trim_start_matches('\u{feff}');
    let value: Value =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    let Some(obj) = value.as_object() else {
        return Err(ImportError::NotObject);
    };
    const KNOWN: [&str; 16] = [
        "schema_version",
        "folder",
        "subfolder",
        "folder_template",
        "file_template",
        "kinds",
        "image_size",
        "ask_where_to_save",
        "show_button",
        "button_position",
        "format",
        "quality",
        "zip",
        "product_manifest",
        "review_template",
        "button_reviews",
    ];
    if !obj.keys().any(|k| KNOWN.contains(&k.as_str())) {
        return Err(ImportError::NotSettings);
    }
    let report = load_report(Some(&value));
    let mut problems = report.problems;
    if report.bad_version {
        problems.insert(
            0,
            FieldProblem {
                field: "schema_version".into(),
                problem: Problem::UnknownChoice(short(&obj["schema_version"])),
            },
        );
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    Ok(Imported {
        settings: report.settings,
        newer_schema: report.newer_schema,
    })
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn nothing_stored_gives_defaults_without_warnings() {
        let (s, w) = load(None);
        assert_eq!(s, Settings::default());
        assert!(w.is_empty());
        let (s, w) = load(Some(&Value::Null));
        assert_eq!(s, Settings::default());
        assert!(w.is_empty());
    }

    fn custom() -> Settings {
        Settings {
            schema_version: SCHEMA_VERSION,
            folder: "Shop/Photos".into(),
            folder_template: "{shop}/{title} {id}".into(),
            file_template: "{n}_{kind}[_{variant}].{ext}".into(),
            kinds: Kinds {
                gallery: true,
                variant: false,
                description: true,
                video: false,
            },
            image_size: ImageSize::Cdn(640),
            ask_where_to_save: true,
            show_button: false,
            button_position: ButtonPosition::TopLeft,
            format: ImageFormat::Webp,
            quality: 75,
            zip: true,
            product_manifest: false,
            review_template: "{variant}-{stars}-{n}.{ext}".into(),
            button_reviews: true,
        }
    }

    #[test]
    fn the_review_template_is_validated_like_the_others() {
        let (s, w) = load(Some(&json!({"schema_version": 3})));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.review_template, filename::DEFAULT_REVIEW_TEMPLATE);
        assert!(
            !s.button_reviews,
            "buyer photos with the button: off by default"
        );
        let (s, _) = load(Some(&json!({"schema_version": 3, "button_reviews": true})));
        assert!(s.button_reviews);
        let r = load_report(Some(&json!({"schema_version": 3, "button_reviews": "yes"})));
        assert!(!r.settings.button_reviews);
        assert_eq!(r.problems[0].field, "button_reviews");
        let (s, w) = load(Some(
            &json!({"schema_version": 3, "review_template": " {review}_{n}.{ext} "}),
        ));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.review_template, "{review}_{n}.{ext}");
        // A placeholder of product files, no number, a folder, not text: the
        // default, and the user told which field.
        for bad in [
            json!("{kind}-{n}.{ext}"),
            json!("review-{stars}.{ext}"),
            json!("a/{n}.{ext}"),
            json!(7),
        ] {
            let r = load_report(Some(&json!({"schema_version": 3, "review_template": bad})));
            assert_eq!(
                r.settings.review_template,
                filename::DEFAULT_REVIEW_TEMPLATE
            );
            assert_eq!(r.problems.len(), 1, "{bad}");
            assert_eq!(r.problems[0].field, "review_template");
        }
        assert!(matches!(
            import(r#"{"review_template": "{n}"}"#),
            Err(ImportError::Invalid(p)) if p[0].field == "review_template"
        ));
        assert_eq!(
            import(r#"{"review_template": "{date}-{n}.{ext}"}"#)
                .map(|i| i.settings.review_template)
                .ok()
                .as_deref(),
            Some("{date}-{n}.{ext}")
        );
    }

    #[test]
    fn version_2_migrates_to_3_keeping_its_behaviour() {
        let v2 = json!({
            "schema_version": 2, "folder": "Mine", "folder_template": "{shop}-{id}",
            "file_template": "{kind}-{n}[-{variant}].{ext}", "image_size": 640,
            "ask_where_to_save": false, "show_button": true, "button_position": "top-right",
            "kinds": {"gallery": true, "variant": true, "description": false, "video": true}
        });
        let (s, w) = load(Some(&v2));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.schema_version, 3);
        assert_eq!(s.folder, "Mine");
        assert_eq!(s.image_size, ImageSize::Cdn(640));
        assert!(!s.kinds.description);
        assert_eq!(s.format, ImageFormat::Original);
        assert_eq!(s.quality, DEFAULT_QUALITY);
        assert!(!s.zip);
        assert!(
            s.product_manifest,
            "the manifest is on by default for upgraders too"
        );
        assert!(!s.needs_bytes());
    }

    #[test]
    fn version_3_fields_fall_back_one_by_one() {
        let stored = json!({
            "schema_version": 3, "folder": "Kept", "format": "gif", "quality": 101,
            "zip": "yes", "product_manifest": false
        });
        let (s, w) = load(Some(&stored));
        assert_eq!(s.folder, "Kept");
        assert_eq!(s.format, ImageFormat::Original);
        assert_eq!(s.quality, DEFAULT_QUALITY);
        assert!(!s.zip);
        assert!(
            !s.product_manifest,
            "a valid field next to broken ones is kept"
        );
        let text: Vec<String> = w.iter().map(|w| w.message.clone()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].starts_with("zip: not true/false"), "{text:?}");
        assert!(
            text[1].starts_with("format: \"gif\" is not one of the choices"),
            "{text:?}"
        );
        assert!(
            text[2].starts_with("quality: not a whole number from 10 to 100"),
            "{text:?}"
        );
        for q in [json!(9), json!(-1), json!(50.5), json!("90"), json!(null)] {
            let (s, w) = load(Some(&json!({"schema_version": 3, "quality": q})));
            assert_eq!(s.quality, DEFAULT_QUALITY, "{q}");
            assert_eq!(w.len(), 1, "{q}");
        }
        for q in [10, 55, 100] {
            let (s, w) = load(Some(&json!({"schema_version": 3, "quality": q})));
            assert_eq!(s.quality, q);
            assert!(w.is_empty());
        }
    }

    #[test]
    fn formats_are_a_closed_list_and_know_their_needs() {
        for f in ImageFormat::ALL {
            assert_eq!(ImageFormat::parse(f.as_str()), Some(f));
        }
        assert_eq!(ImageFormat::parse("JPEG"), None);
        assert!(ImageFormat::Jpeg.has_quality() && ImageFormat::Webp.has_quality());
        assert!(!ImageFormat::Png.has_quality() && !ImageFormat::Original.has_quality());
        let mut s = Settings::default();
        assert!(!s.needs_bytes());
        s.format = ImageFormat::Png;
        assert!(s.needs_bytes());
        s.format = ImageFormat::Original;
        s.zip = true;
        assert!(s.needs_bytes());
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let s = custom();
        let stored = to_stored(&s);
        assert_eq!(stored["image_size"], json!(640));
        assert_eq!(stored["button_position"], json!("top-left"));
        let (back, w) = load(Some(&stored));
        assert_eq!(back, s);
        assert!(w.is_empty(), "{w:?}");
        let (back, w) = load(Some(&to_stored(&Settings::default())));
        assert_eq!(back, Settings::default());
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn corrupted_fields_fall_back_one_by_one() {
        let stored = json!({
            "schema_version": 2,
            "folder": 42,
            "show_button": false,
            "kinds": {"gallery": "yes", "video": false},
            "folder_template": "{shop}/{id}",
            "file_template": "{kind}-{n}-{colour}.{ext}",
            "image_size": 123,
            "ask_where_to_save": "no",
            "button_position": "middle"
        });
        let r = load_report(Some(&stored));
        let s = &r.settings;
        assert_eq!(s.folder, "AliSavePro");
        assert!(!s.show_button, "valid field kept");
        assert!(s.kinds.gallery, "corrupt field defaulted");
        assert!(!s.kinds.video, "valid field kept");
        assert_eq!(s.folder_template, "{shop}/{id}", "valid template kept");
        assert_eq!(s.file_template, filename::DEFAULT_FILE_TEMPLATE);
        assert_eq!(s.image_size, ImageSize::Original);
        assert!(!s.ask_where_to_save);
        assert_eq!(s.button_position, ButtonPosition::BottomRight);
        let fields: Vec<&str> = r.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "folder",
                "file_template",
                "kinds.gallery",
                "image_size",
                "ask_where_to_save",
                "button_position"
            ]
        );
        assert_eq!(
            r.problems[1].problem,
            Problem::Template(TemplateError::UnknownPlaceholder("{colour}".into()))
        );
        let (_, w) = load(Some(&stored));
        assert_eq!(w.len(), 6, "{w:?}");
        assert!(w.iter().all(|w| w.code == "settings_field"));
        assert_eq!(
            w[3].message,
            "image_size: 123 is not one of the choices. Default used."
        );
    }

    #[test]
    fn templates_that_would_mix_products_reset_the_folder_template_only() {
        let r = load_report(Some(&json!({
            "schema_version": 2,
            "folder_template": "{shop}",
            "file_template": "{kind}-{n}.{ext}"
        })));
        assert_eq!(
            r.settings.folder_template,
            filename::DEFAULT_FOLDER_TEMPLATE
        );
        assert_eq!(r.settings.file_template, "{kind}-{n}.{ext}");
        assert_eq!(
            r.problems[0].problem,
            Problem::Template(TemplateError::MissingId)
        );
        // The id in the file name is enough.
        let r = load_report(Some(&json!({
            "schema_version": 2,
            "folder_template": "{shop}",
            "file_template": "{id}-{kind}-{n}.{ext}"
        })));
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.settings.folder_template, "{shop}");
    }

    #[test]
    fn non_object_is_replaced_with_a_warning() {
        for bad in [json!("x"), json!(3), json!([1, 2]), json!(true)] {
            let (s, w) = load(Some(&bad));
            assert_eq!(s, Settings::default());
            assert_eq!(w[0].code, "settings_corrupt");
        }
    }

    #[test]
    fn version_0_subfolder_migrates_to_folder() {
        let (s, w) = load(Some(&json!({"subfolder": "aliexpress"})));
        assert_eq!(s.folder, "aliexpress");
        assert!(w.is_empty());
        // An explicit folder wins over the prototype's subfolder.
        let (s, _) = load(Some(&json!({"subfolder": "old", "folder": "new"})));
        assert_eq!(s.folder, "new");
        // A version-0 object goes through every step: the schema-1 names.
        let (s, _) = load(Some(&json!({"subfolder": "x", "show_button": false})));
        assert_eq!(
            s,
            Settings {
                folder: "x".into(),
                show_button: false,
                ..Settings::default()
            }
        );
    }

    #[test]
    fn version_1_migrates_to_2_with_the_version_1_names() {
        let v1 = json!({
            "schema_version": 1,
            "folder": "My Shop",
            "kinds": {"gallery": true, "variant": true, "description": false, "video": true},
            "show_button": false
        });
        let r = load_report(Some(&v1));
        assert!(r.problems.is_empty() && r.newer_schema.is_none(), "{r:?}");
        let s = r.settings;
        assert_eq!(s.schema_version, SCHEMA_VERSION);
        assert_eq!(s.folder, "My Shop");
        assert!(!s.kinds.description && !s.show_button);
        assert_eq!(s.folder_template, "{shop}-{id}");
        assert_eq!(s.file_template, "{kind}-{n}[-{variant}].{ext}");
        assert_eq!(s.image_size, ImageSize::Original);
        assert!(!s.ask_where_to_save);
        assert_eq!(s.button_position, ButtonPosition::BottomRight);
        // Stored again, it is a current-version object that loads to the same.
        let stored = to_stored(&s);
        assert_eq!(stored["schema_version"], json!(SCHEMA_VERSION));
        assert_eq!(load(Some(&stored)), (s, vec![]));
    }

    #[test]
    fn version_1_files_keep_their_names() {
        let inv = crate::plan::sample_inventory();
        let (s, _) = load(Some(&json!({"schema_version": 1, "folder": "Ali"})));
        let paths: Vec<String> = crate::plan::plan(&s, &inv)
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(
            paths,
            [
                "Ali/aliexpress-1005004787627817/gallery-01.jpg",
                "Ali/aliexpress-1005004787627817/gallery-02.png",
                "Ali/aliexpress-1005004787627817/variant-01-Black.jpg",
                "Ali/aliexpress-1005004787627817/variant-02-Rose Gold.jpg",
                "Ali/aliexpress-1005004787627817/description-01.jpg",
                "Ali/aliexpress-1005004787627817/video-01.mp4",
            ]
        );
    }

    #[test]
    fn newer_schema_keeps_known_fields_and_warns() {
        let (s, w) = load(Some(
            &json!({"schema_version": 99, "folder": "X", "future": 1, "button_position": "top-right"}),
        ));
        assert_eq!(s.folder, "X");
        assert_eq!(s.button_position, ButtonPosition::TopRight);
        assert_eq!(w[0].code, "settings_newer");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn unreadable_version_is_treated_as_the_oldest_and_keeps_fields() {
        for v in [json!("two"), json!(-1), json!(1.5), json!(null)] {
            let r = load_report(Some(
                &json!({"schema_version": v, "folder": "Kept", "subfolder": "x"}),
            ));
            assert!(r.bad_version, "{v}");
            assert_eq!(r.settings.folder, "Kept");
            assert_eq!(r.settings.folder_template, "{shop}-{id}");
        }
    }

    #[test]
    fn folder_validation() {
        assert_eq!(
            validate_folder(" Ali / Photos ").as_deref(),
            Ok("Ali/Photos")
        );
        assert_eq!(validate_folder("a\\b").as_deref(), Ok("a/b"));
        assert!(validate_folder("").is_err());
        assert!(validate_folder("   ").is_err());
        assert!(validate_folder("../etc").is_err());
        assert!(validate_folder("/abs").is_err());
        assert!(validate_folder("C:\\x").is_err());
        assert!(validate_folder(&"a".repeat(121)).is_err());
        assert_eq!(validate_folder("CON").as_deref(), Ok("_CON"));
        assert_eq!(check_folder("../x"), Err(FolderError::DotFolder));
        assert_eq!(check_folder("/x"), Err(FolderError::Absolute));
        assert_eq!(check_folder(" a/ "), Ok("a".into()));
        assert_eq!(check_folder(" \t"), Err(FolderError::Empty));
        assert_eq!(
            validate_folder("").map_err(|e| e.0),
            Err("The folder name is empty.".to_string())
        );
        let (s, w) = load(Some(&json!({"folder": "../../x"})));
        assert_eq!(s.folder, "AliSavePro");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn canonical_folders_are_a_fixed_point() {
        // Found by the fuzzer (fuzz/regressions/settings/reserved-*).
        let at_limit = format!("con.{}", "a".repeat(56));
        let once = check_folder(&at_limit).expect("valid");
        assert_eq!(check_folder(&once).as_ref(), Ok(&once));
        let grows = ["con"; 25].join("/");
        assert_eq!(grows.chars().count(), 99);
        assert_eq!(check_folder(&grows), Err(FolderError::TooLong));
        for raw in [" a / b ", "CON", "x\\y", "Фото/Товары", "a.b/c d"] {
            let once = check_folder(raw).expect("valid");
            assert_eq!(check_folder(&once).as_ref(), Ok(&once), "{raw:?}");
        }
    }

    #[test]
    fn image_sizes_and_positions_are_closed_lists() {
        let keys: Vec<String> = ImageSize::choices().map(ImageSize::as_key).collect();
        assert_eq!(keys, ["original", "960", "640", "350"]);
        for k in &keys {
            let size = ImageSize::from_key(k).expect("key");
            assert_eq!(ImageSize::from_value(&size.to_value()), Some(size));
        }
        assert_eq!(ImageSize::from_key("123"), None);
        assert_eq!(ImageSize::from_value(&json!("640")), None);
        assert_eq!(ImageSize::from_value(&json!(640.5)), None);
        for p in ButtonPosition::ALL {
            assert_eq!(ButtonPosition::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).ok(), Some(json!(p.as_str())));
        }
        assert!(ButtonPosition::TopLeft.is_top() && ButtonPosition::TopLeft.is_left());
        assert!(!ButtonPosition::BottomRight.is_top() && !ButtonPosition::BottomRight.is_left());
    }

    #[test]
    fn export_then_import_is_identity() {
        let s = custom();
        let text = export(&s);
        assert!(text.contains("\n  \"file_template\""), "{text}");
        assert_eq!(
            import(&text),
            Ok(Imported {
                settings: s,
                newer_schema: None
            })
        );
        // A byte-order mark (some editors add one) is fine.
        assert!(import(&format!("\u{feff}{}", export(&Settings::default()))).is_ok());
    }

    #[test]
    fn import_refuses_malformed_files_with_reasons() {
        assert!(matches!(import("{not json"), Err(ImportError::NotJson(_))));
        assert!(matches!(import(""), Err(ImportError::NotJson(_))));
        assert_eq!(import("[1,2]"), Err(ImportError::NotObject));
        assert_eq!(import("\"x\""), Err(ImportError::NotObject));
        assert_eq!(
            import(r#"{"name": "something else"}"#),
            Err(ImportError::NotSettings)
        );
        assert_eq!(
            import(&" ".repeat(MAX_IMPORT_BYTES + 1)),
            Err(ImportError::TooLarge)
        );
        let bad = import(
            r#"{"schema_version": 2, "folder": "../x", "file_template": "{kind}.{ext}", "show_button": "yes"}"#,
        );
        assert_eq!(
            bad,
            Err(ImportError::Invalid(vec![
                FieldProblem {
                    field: "folder".into(),
                    problem: Problem::Folder(FolderError::DotFolder)
                },
                FieldProblem {
                    field: "file_template".into(),
                    problem: Problem::Template(TemplateError::MissingNumber)
                },
                FieldProblem {
                    field: "show_button".into(),
                    problem: Problem::NotBool
                },
            ]))
        );
        assert!(bad
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .starts_with(
            "The file has settings that cannot be used: folder: The folder name may not contain"
        ));
        assert!(matches!(
            import(r#"{"schema_version": "x", "folder": "A"}"#),
            Err(ImportError::Invalid(p)) if p[0].field == "schema_version"
        ));
    }

    #[test]
    fn import_of_older_and_newer_files() {
        // A version-1 file migrates like stored settings.
        let got = import(r#"{"schema_version": 1, "folder": "Old"}"#).map(|i| i.settings);
        assert_eq!(
            got,
            Ok(Settings {
                folder: "Old".into(),
                ..Settings::default()
            })
        );
        // A newer file: known fields taken, the caller is told.
        let got = import(r#"{"schema_version": 4, "folder": "New", "stitch": true}"#);
        assert_eq!(
            got.map(|i| (i.settings.folder, i.newer_schema)),
            Ok(("New".into(), Some(4)))
        );
    }
}
