//! Sentences about settings: folder and template errors, unreadable stored
//! settings, refused settings files (the options page, the popup and the worker's
//! report say the same).

use super::{FieldProblem, FolderError, ImportError, LoadReport, Problem};
use crate::filename::TemplateError;
use crate::say::{t, tf, tn, Say};

/// Why a folder is refused.
pub fn folder_error(e: FolderError) -> Say {
    match e {
        FolderError::Empty => t("err_folder_empty"),
        FolderError::TooLong => tn(
            "err_folder_too_long",
            crate::settings::MAX_FOLDER_CHARS,
            &[],
        ),
        FolderError::Absolute => t("err_folder_absolute"),
        FolderError::DotFolder => t("err_folder_dot"),
    }
}

/// Why a template is refused.
pub fn template_error(e: &TemplateError) -> Say {
    let subject = e.subject().unwrap_or_default();
    let s = subject.as_str();
    use crate::filename::{MAX_TEMPLATE_CHARS, MAX_TEMPLATE_FOLDERS};
    match e {
        TemplateError::Empty => t("err_tpl_empty"),
        TemplateError::TooLong => tn("err_tpl_too_long", MAX_TEMPLATE_CHARS, &[]),
        TemplateError::UnknownPlaceholder(_) => tf("err_tpl_unknown_placeholder", &[s.into()]),
        TemplateError::UnclosedBrace => t("err_tpl_unclosed_brace"),
        TemplateError::StrayBrace => t("err_tpl_stray_brace"),
        TemplateError::UnclosedBracket => t("err_tpl_unclosed_bracket"),
        TemplateError::StrayBracket => t("err_tpl_stray_bracket"),
        TemplateError::NestedBracket => t("err_tpl_nested_bracket"),
        TemplateError::BracketWithoutPlaceholder => t("err_tpl_bracket_without_placeholder"),
        TemplateError::NotInFolder(_) => tf("err_tpl_not_in_folder", &[s.into()]),
        TemplateError::ForbiddenChar(_) => tf("err_tpl_forbidden_char", &[s.into()]),
        TemplateError::Separator => t("err_tpl_separator"),
        TemplateError::DotFolder => t("err_tpl_dot_folder"),
        TemplateError::LeadingDot => t("err_tpl_leading_dot"),
        TemplateError::TrailingDotOrSpace => t("err_tpl_trailing_dot_or_space"),
        TemplateError::Reserved(_) => tf("err_tpl_reserved", &[s.into()]),
        TemplateError::TooManyFolders => tn("err_tpl_too_many_folders", MAX_TEMPLATE_FOLDERS, &[]),
        TemplateError::MissingExt => t("err_tpl_missing_ext"),
        TemplateError::ExtNotAtEnd => t("err_tpl_ext_not_at_end"),
        TemplateError::MissingNumber => t("err_tpl_missing_number"),
        TemplateError::MissingKind => t("err_tpl_missing_kind"),
        TemplateError::MissingId => t("err_tpl_missing_id"),
    }
}

/// The name of a stored field, as the options page labels it.
pub fn field_label(field: &str) -> Say {
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
        "review_template" => t("review_template_label"),
        "button_reviews" => t("button_reviews_label"),
        "schema_version" => t("field_schema_version"),
        other => Say::plain(other),
    }
}

/// What is wrong with a field's value.
pub fn problem(p: &Problem) -> Say {
    match p {
        Problem::NotText => t("err_not_text"),
        Problem::NotBool => t("err_not_bool"),
        Problem::NotObject => t("err_not_object"),
        Problem::OutOfRange { min, max } => tf(
            "err_out_of_range",
            &[min.to_string().into(), max.to_string().into()],
        ),
        Problem::UnknownChoice(v) => tf("err_unknown_choice", &[v.into()]),
        Problem::Folder(e) => folder_error(*e),
        Problem::Template(e) => template_error(e),
    }
}

/// `Label: reason` for one field.
pub fn field_problem(p: &FieldProblem) -> Say {
    tf(
        "field_problem",
        &[field_label(&p.field).into(), problem(&p.problem).into()],
    )
}

/// What the user should know after loading the stored settings, if anything.
pub fn load_notice(r: &LoadReport) -> Option<Say> {
    let mut parts = Vec::new();
    if r.corrupt {
        parts.push(t("notice_settings_corrupt"));
    }
    if let Some(n) = r.newer_schema {
        parts.push(tf("notice_settings_newer", &[n.to_string().into()]));
    }
    if !r.problems.is_empty() {
        let fields: Vec<Say> = r.problems.iter().map(field_problem).collect();
        parts.push(tf(
            "notice_settings_reset",
            &[Say::join(fields, " ").into()],
        ));
    }
    (!parts.is_empty()).then(|| Say::join(parts, " "))
}

/// Why a settings file was refused (and that nothing changed).
pub fn import_error(e: &ImportError) -> Say {
    tf("import_refused", &[import_reason(e).into()])
}

fn import_reason(e: &ImportError) -> Say {
    match e {
        ImportError::TooLarge => tf(
            "err_import_too_large",
            &[(crate::settings::MAX_IMPORT_BYTES / 1024).into()],
        ),
        ImportError::NotJson(detail) => tf("err_import_not_json", &[detail.into()]),
        ImportError::NotObject => t("err_import_not_object"),
        ImportError::NotSettings => t("err_import_not_settings"),
        ImportError::Invalid(problems) => {
            let fields: Vec<Say> = problems.iter().map(field_problem).collect();
            tf("err_import_invalid", &[Say::join(fields, " ").into()])
        }
    }
}
