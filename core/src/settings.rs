//! Settings schema: defaults, validation and migration.
//!
//! Stored under [`STORAGE_KEY`] in `chrome.storage.local` as a JSON object.
//! Loading never fails: unknown or corrupted values fall back field by field to
//! their defaults, with a warning, so a user's valid settings are never lost.

use crate::{MediaKind, Warning};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Key of the settings object in `chrome.storage.local`.
pub const STORAGE_KEY: &str = "settings";

/// Current schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// Longest accepted download folder, in characters.
pub const MAX_FOLDER_CHARS: usize = 120;

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
        }
    }
}

/// All user settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Version of the schema these settings were written with.
    pub schema_version: u32,
    /// Folder inside the browser's download directory (may contain `/`).
    pub folder: String,
    /// Media kinds saved by the in-page button.
    pub kinds: Kinds,
    /// Whether the in-page button is shown.
    pub show_button: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            schema_version: SCHEMA_VERSION,
            folder: "AliSavePro".to_string(),
            kinds: Kinds::default(),
            show_button: true,
        }
    }
}

/// Why a folder value is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidFolder(pub String);

impl std::fmt::Display for InvalidFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Validates a download folder as typed by the user and returns its canonical form
/// (components made safe, separators normalised to `/`).
pub fn validate_folder(raw: &str) -> Result<String, InvalidFolder> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(InvalidFolder("The folder name is empty.".into()));
    }
    if trimmed.chars().count() > MAX_FOLDER_CHARS {
        return Err(InvalidFolder(format!(
            "The folder name is longer than {MAX_FOLDER_CHARS} characters."
        )));
    }
    if trimmed.starts_with('/') || trimmed.starts_with('\\') || trimmed.contains(':') {
        return Err(InvalidFolder(
            "Use a folder inside the browser's download directory, not an absolute path.".into(),
        ));
    }
    let mut parts = Vec::new();
    for part in trimmed.split(['/', '\\']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if part == "." || part == ".." {
            return Err(InvalidFolder(
                "The folder name may not contain '.' or '..'.".into(),
            ));
        }
        parts.push(crate::filename::safe_component(part, 60));
    }
    if parts.is_empty() {
        return Err(InvalidFolder("The folder name is empty.".into()));
    }
    Ok(parts.join("/"))
}

/// Loads settings from whatever was stored (possibly nothing, an older schema,
/// or garbage). Every field that cannot be read keeps its default and adds a warning.
pub fn load(stored: Option<&Value>) -> (Settings, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut s = Settings::default();
    let Some(stored) = stored else {
        return (s, warnings);
    };
    if stored.is_null() {
        return (s, warnings);
    }
    let Some(obj) = stored.as_object() else {
        warnings.push(Warning::new(
            "settings_corrupt",
            "Stored settings were not an object; defaults are used.",
        ));
        return (s, warnings);
    };
    let obj = migrate(obj, &mut warnings);

    match obj.get("folder") {
        None => {}
        Some(Value::String(f)) => match validate_folder(f) {
            Ok(f) => s.folder = f,
            Err(e) => warnings.push(Warning::new(
                "settings_field",
                format!("folder: {e} Using \"{}\".", s.folder),
            )),
        },
        Some(_) => warnings.push(Warning::new(
            "settings_field",
            "folder: not text; default used.",
        )),
    }
    match obj.get("show_button") {
        None => {}
        Some(Value::Bool(b)) => s.show_button = *b,
        Some(_) => warnings.push(Warning::new(
            "settings_field",
            "show_button: not true/false; default used.",
        )),
    }
    match obj.get("kinds") {
        None => {}
        Some(Value::Object(k)) => {
            for kind in MediaKind::ALL {
                let slot = match kind {
                    MediaKind::Gallery => &mut s.kinds.gallery,
                    MediaKind::Variant => &mut s.kinds.variant,
                    MediaKind::Description => &mut s.kinds.description,
                    MediaKind::Video => &mut s.kinds.video,
                };
                match k.get(kind.as_str()) {
                    None => {}
                    Some(Value::Bool(b)) => *slot = *b,
                    Some(_) => warnings.push(Warning::new(
                        "settings_field",
                        format!("kinds.{}: not true/false; default used.", kind.as_str()),
                    )),
                }
            }
        }
        Some(_) => warnings.push(Warning::new(
            "settings_field",
            "kinds: not an object; defaults used.",
        )),
    }
    (s, warnings)
}

/// Brings an older stored object up to [`SCHEMA_VERSION`].
///
/// Version 0 is the unversioned prototype format (`{"folder": "...", "subfolder": "..."}`
/// where `subfolder` was the whole download folder); it maps onto `folder`.
fn migrate(obj: &Map<String, Value>, warnings: &mut Vec<Warning>) -> Map<String, Value> {
    let mut obj = obj.clone();
    let version = match obj.get("schema_version") {
        None => 0,
        Some(v) => match v.as_u64() {
            Some(n) if n <= u64::from(SCHEMA_VERSION) => n as u32,
            Some(n) => {
                warnings.push(Warning::new(
                    "settings_newer",
                    format!("Settings were written by a newer version (schema {n}); known fields are kept."),
                ));
                SCHEMA_VERSION
            }
            None => {
                warnings.push(Warning::new(
                    "settings_field",
                    "schema_version: not a number.",
                ));
                0
            }
        },
    };
    if version == 0 && !obj.contains_key("folder") {
        if let Some(sub) = obj.remove("subfolder") {
            obj.insert("folder".into(), sub);
        }
    }
    obj.insert("schema_version".into(), Value::from(SCHEMA_VERSION));
    obj
}

/// Serialises settings for storage.
pub fn to_stored(s: &Settings) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nothing_stored_gives_defaults_without_warnings() {
        let (s, w) = load(None);
        assert_eq!(s, Settings::default());
        assert!(w.is_empty());
        let (s, w) = load(Some(&Value::Null));
        assert_eq!(s, Settings::default());
        assert!(w.is_empty());
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let s = Settings {
            schema_version: SCHEMA_VERSION,
            folder: "Shop/Photos".into(),
            kinds: Kinds {
                gallery: true,
                variant: false,
                description: true,
                video: false,
            },
            show_button: false,
        };
        let (back, w) = load(Some(&to_stored(&s)));
        assert_eq!(back, s);
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn corrupted_fields_fall_back_one_by_one() {
        let stored = json!({
            "schema_version": 1,
            "folder": 42,
            "show_button": false,
            "kinds": {"gallery": "yes", "video": false}
        });
        let (s, w) = load(Some(&stored));
        assert_eq!(s.folder, "AliSavePro");
        assert!(!s.show_button, "valid field kept");
        assert!(s.kinds.gallery, "corrupt field defaulted");
        assert!(!s.kinds.video, "valid field kept");
        assert_eq!(w.len(), 2, "{w:?}");
    }

    #[test]
    fn non_object_is_replaced_with_a_warning() {
        for bad in [json!("x"), json!(3), json!([1, 2])] {
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
    }

    #[test]
    fn newer_schema_keeps_known_fields_and_warns() {
        let (s, w) = load(Some(
            &json!({"schema_version": 99, "folder": "X", "future": 1}),
        ));
        assert_eq!(s.folder, "X");
        assert_eq!(w[0].code, "settings_newer");
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
        let (s, w) = load(Some(&json!({"folder": "../../x"})));
        assert_eq!(s.folder, "AliSavePro");
        assert_eq!(w.len(), 1);
    }
}
