//! The settings the in-page button reads: whether it is shown, and its corner.
//!
//! A projection of [`crate::settings`] for the content script, which reads the
//! stored settings object itself (no serde, no settings schema in it): the two
//! fields it needs, read as [`crate::settings::load`] reads them (a field that
//! is missing or of the wrong kind keeps its default; no migration changes them).
//! The tests check it against `load` on stored objects of every schema version
//! and on garbage.

use crate::content_wire::Wire;
use crate::settings::ButtonPosition;

/// `show_button` and `button_position` of the stored settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ButtonSettings {
    pub show: bool,
    pub position: ButtonPosition,
}

impl Default for ButtonSettings {
    fn default() -> Self {
        ButtonSettings {
            show: true,
            position: ButtonPosition::BottomRight,
        }
    }
}

impl ButtonSettings {
    /// Reads them from what is stored under [`crate::settings::STORAGE_KEY`]
    /// (`None` when nothing is).
    pub fn from_stored<W: Wire>(stored: Option<&W::V>) -> Self {
        let mut s = ButtonSettings::default();
        let Some(obj) = stored.filter(|v| W::keys(v).is_some()) else {
            return s;
        };
        if let Some(show) = W::get(obj, "show_button").and_then(|v| W::as_bool(&v)) {
            s.show = show;
        }
        if let Some(p) = W::get(obj, "button_position")
            .and_then(|v| W::as_string(&v))
            .and_then(|v| ButtonPosition::parse(&v))
        {
            s.position = p;
        }
        s
    }

    /// The classes of the button's wrapper for its corner.
    pub fn wrap_class(self) -> &'static str {
        match (self.position.is_top(), self.position.is_left()) {
            (false, false) => "wrap",
            (false, true) => "wrap left",
            (true, false) => "wrap top",
            (true, true) => "wrap top left",
        }
    }
}

#[cfg(test)]
mod tests {
    // On wasm32 (`cargo xtask test` runs these there too) the test attribute is
    // wasm-bindgen-test's, so the same tests run with a 32-bit `usize`.
    use super::*;
    use crate::content_wire::Json;
    use crate::settings::{self, Settings};
    use serde_json::{json, Value};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_projection_reads_what_the_settings_loader_reads() {
        let mut stored: Vec<Option<Value>> = vec![
            None,
            Some(Value::Null),
            Some(json!("garbage")),
            Some(json!([1, 2])),
            Some(json!(3)),
            Some(json!({})),
            Some(json!({"subfolder": "Old"})),
            Some(json!({"schema_version": 1, "folder": "A", "show_button": false})),
            Some(json!({"schema_version": 2, "show_button": true, "button_position": "top-left"})),
            Some(json!({"schema_version": 3, "button_position": "middle", "show_button": "no"})),
            Some(json!({"schema_version": "x", "button_position": "bottom-left"})),
            Some(
                json!({"schema_version": 99, "show_button": false, "button_position": "top-right"}),
            ),
            Some(json!({"button_position": 1, "show_button": null})),
            Some(
                json!({"schema_version": 3, "folder": "", "quality": 5, "button_position": "top-right"}),
            ),
        ];
        for show in [json!(true), json!(false), json!(0), Value::Null] {
            for corner in ButtonPosition::ALL {
                stored.push(Some(
                    json!({"schema_version": 3, "show_button": show, "button_position": corner.as_str()}),
                ));
            }
        }
        let hidden = Settings {
            show_button: false,
            button_position: ButtonPosition::TopLeft,
            ..Settings::default()
        };
        for s in [Settings::default(), hidden] {
            stored.push(Some(serde_json::to_value(&s).expect("serialises")));
        }
        for v in stored {
            let (full, _) = settings::load(v.as_ref());
            assert_eq!(
                ButtonSettings::from_stored::<Json>(v.as_ref()),
                ButtonSettings {
                    show: full.show_button,
                    position: full.button_position
                },
                "{v:?}"
            );
        }
    }

    #[test]
    fn the_wrapper_classes_name_the_corner() {
        let class = |position| {
            ButtonSettings {
                show: true,
                position,
            }
            .wrap_class()
        };
        assert_eq!(class(ButtonPosition::BottomRight), "wrap");
        assert_eq!(class(ButtonPosition::BottomLeft), "wrap left");
        assert_eq!(class(ButtonPosition::TopRight), "wrap top");
        assert_eq!(class(ButtonPosition::TopLeft), "wrap top left");
    }
}
