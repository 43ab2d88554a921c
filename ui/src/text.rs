//! Sentences the pure crate builds (`alisave_core::say`), rendered in the
//! browser's language: folder and template errors, unreadable stored settings,
//! refused settings files, failure reasons and reports.

use crate::i18n::say;
use alisave_core::filename::TemplateError;
use alisave_core::settings::say as words;
use alisave_core::settings::{FolderError, ImportError, LoadReport};

/// Why a folder is refused.
pub fn folder_error(e: FolderError) -> String {
    say(&words::folder_error(e))
}

/// Why a template is refused.
pub fn template_error(e: &TemplateError) -> String {
    say(&words::template_error(e))
}

/// What the user should know after loading the stored settings, if anything.
pub fn load_notice(r: &LoadReport) -> Option<String> {
    words::load_notice(r).map(|s| say(&s))
}

/// Why a settings file was refused (and that nothing changed).
pub fn import_error(e: &ImportError) -> String {
    say(&words::import_error(e))
}
