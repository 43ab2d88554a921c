//! Translated sentences for what the pure crate reports by code: folder and
//! template errors, unreadable stored settings, refused settings files.

use crate::i18n::{t, tf};
use alisave_core::filename::TemplateError;
use alisave_core::settings::{FieldProblem, FolderError, ImportError, LoadReport, Problem};

/// Why a folder is refused.
pub fn folder_error(e: FolderError) -> String {
    match e {
        FolderError::Empty => t("err_folder_empty"),
        FolderError::TooLong => tf(
            "err_folder_too_long",
            &[&alisave_core::settings::MAX_FOLDER_CHARS.to_string()],
        ),
        FolderError::Absolute => t("err_folder_absolute"),
        FolderError::DotFolder => t("err_folder_dot"),
    }
}

/// Why a template is refused.
pub fn template_error(e: &TemplateError) -> String {
    let subject = e.subject().unwrap_or_default();
    let s = subject.as_str();
    use alisave_core::filename::{MAX_TEMPLATE_CHARS, MAX_TEMPLATE_FOLDERS};
    match e {
        TemplateError::Empty => t("err_tpl_empty"),
        TemplateError::TooLong => tf("err_tpl_too_long", &[&MAX_TEMPLATE_CHARS.to_string()]),
        TemplateError::UnknownPlaceholder(_) => tf("err_tpl_unknown_placeholder", &[s]),
        TemplateError::UnclosedBrace => t("err_tpl_unclosed_brace"),
        TemplateError::StrayBrace => t("err_tpl_stray_brace"),
        TemplateError::UnclosedBracket => t("err_tpl_unclosed_bracket"),
        TemplateError::StrayBracket => t("err_tpl_stray_bracket"),
        TemplateError::NestedBracket => t("err_tpl_nested_bracket"),
        TemplateError::BracketWithoutPlaceholder => t("err_tpl_bracket_without_placeholder"),
        TemplateError::NotInFolder(_) => tf("err_tpl_not_in_folder", &[s]),
        TemplateError::ForbiddenChar(_) => tf("err_tpl_forbidden_char", &[s]),
        TemplateError::Separator => t("err_tpl_separator"),
        TemplateError::DotFolder => t("err_tpl_dot_folder"),
        TemplateError::LeadingDot => t("err_tpl_leading_dot"),
        TemplateError::TrailingDotOrSpace => t("err_tpl_trailing_dot_or_space"),
        TemplateError::Reserved(_) => tf("err_tpl_reserved", &[s]),
        TemplateError::TooManyFolders => tf(
            "err_tpl_too_many_folders",
            &[&MAX_TEMPLATE_FOLDERS.to_string()],
        ),
        TemplateError::MissingExt => t("err_tpl_missing_ext"),
        TemplateError::ExtNotAtEnd => t("err_tpl_ext_not_at_end"),
        TemplateError::MissingNumber => t("err_tpl_missing_number"),
        TemplateError::MissingKind => t("err_tpl_missing_kind"),
        TemplateError::MissingId => t("err_tpl_missing_id"),
    }
}

/// The name of a stored field, as the options page labels it.
pub fn field_label(field: &str) -> String {
    match field {
        "folder" => t("folder_label"),
        "folder_template" => t("folder_template_label"),
        "file_template" => t("file_template_label"),
        "kinds" => t("section_kinds"),
        "kinds.gallery" => t("kinds_gallery_label"),
        "kinds.variant" => t("kinds_variant_label"),
        "kinds.description" => t("kinds_description_label"),
        "kinds.video" => t("kinds_video_label"),
        "image_size" => t("size_label"),
        "ask_where_to_save" => t("save_as_label"),
        "show_button" => t("show_button_label"),
        "button_position" => t("position_label"),
        "format" => t("format_label"),
        "quality" => t("quality_label"),
        "zip" => t("zip_label"),
        "product_manifest" => t("manifest_label"),
        "schema_version" => t("field_schema_version"),
        other => other.to_string(),
    }
}

/// What is wrong with a field's value.
pub fn problem(p: &Problem) -> String {
    match p {
        Problem::NotText => t("err_not_text"),
        Problem::NotBool => t("err_not_bool"),
        Problem::NotObject => t("err_not_object"),
        Problem::OutOfRange { min, max } => {
            tf("err_out_of_range", &[&min.to_string(), &max.to_string()])
        }
        Problem::UnknownChoice(v) => tf("err_unknown_choice", &[v]),
        Problem::Folder(e) => folder_error(*e),
        Problem::Template(e) => template_error(e),
    }
}

/// `Label: reason` for one field.
pub fn field_problem(p: &FieldProblem) -> String {
    tf(
        "field_problem",
        &[&field_label(&p.field), &problem(&p.problem)],
    )
}

/// What the user should know after loading the stored settings, if anything.
pub fn load_notice(r: &LoadReport) -> Option<String> {
    let mut parts = Vec::new();
    if r.corrupt {
        parts.push(t("notice_settings_corrupt"));
    }
    if let Some(n) = r.newer_schema {
        parts.push(tf("notice_settings_newer", &[&n.to_string()]));
    }
    if !r.problems.is_empty() {
        let fields: Vec<String> = r.problems.iter().map(field_problem).collect();
        parts.push(tf("notice_settings_reset", &[&fields.join(" ")]));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Why a settings file was refused (and that nothing changed).
pub fn import_error(e: &ImportError) -> String {
    tf("import_refused", &[&import_reason(e)])
}

fn import_reason(e: &ImportError) -> String {
    match e {
        ImportError::TooLarge => tf(
            "err_import_too_large",
            &[&(alisave_core::settings::MAX_IMPORT_BYTES / 1024).to_string()],
        ),
        ImportError::NotJson(detail) => tf("err_import_not_json", &[detail]),
        ImportError::NotObject => t("err_import_not_object"),
        ImportError::NotSettings => t("err_import_not_settings"),
        ImportError::Invalid(problems) => {
            let fields: Vec<String> = problems.iter().map(field_problem).collect();
            tf("err_import_invalid", &[&fields.join(" ")])
        }
    }
}
