//! Why a fetch of a shop document or a media file brought no usable body, and
//! how that is said: the bindings' fetch wrappers return a [`FetchFailure`],
//! the part that shows it says it with [`FetchFailure::say`].

use crate::say::{megabytes, t, tf, Say};

/// Why a `fetch` brought no usable body (the bindings' fetch wrappers return it;
/// the part that shows it says it with [`FetchFailure::say`]).
#[derive(Debug, Clone, PartialEq)]
pub enum FetchFailure {
    /// `fetch()` rejected: the server could not be reached, or it did not let
    /// this page read the response (CORS, no host access). The browser's words.
    Unreachable(String),
    /// The server answered with this HTTP status (not 2xx).
    Status(u16),
    /// Larger than `max_bytes`.
    TooLarge { max_bytes: f64 },
    /// The body ended early.
    CutShort,
    /// The browser API failed otherwise (its message).
    Other(String),
}

impl FetchFailure {
    /// Worth another attempt: server errors (5xx), and a body that broke off.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchFailure::Status(500..=599) | FetchFailure::CutShort
        )
    }

    /// Why, for the user.
    pub fn say(&self) -> Say {
        match self {
            FetchFailure::Unreachable(_) => t("why_unreachable_or_refused"),
            FetchFailure::Status(status) => http_problem(*status),
            FetchFailure::TooLarge { max_bytes } => {
                tf("why_larger_than", &[megabytes(*max_bytes).into()])
            }
            FetchFailure::CutShort => t("why_cut_short"),
            FetchFailure::Other(m) => tf("why_download_failed", &[m.into()]),
        }
    }
}

/// For logs (English).
impl std::fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchFailure::Unreachable(m) => write!(f, "unreachable or refused: {m}"),
            FetchFailure::Status(s) => write!(f, "HTTP {s}"),
            FetchFailure::TooLarge { max_bytes } => {
                write!(f, "larger than {} bytes", *max_bytes as u64)
            }
            FetchFailure::CutShort => f.write_str("cut short"),
            FetchFailure::Other(m) => f.write_str(m),
        }
    }
}

/// Why a file could not be fetched, from the HTTP status the server answered.
pub fn http_problem(status: u16) -> Say {
    match status {
        404 => t("why_not_found"),
        401 | 403 => tf("why_refused_access", &[status.into()]),
        500..=599 => tf("why_server_error_status", &[status.into()]),
        _ => tf("why_http_status", &[status.into()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn fetch_failures_say_why() {
        assert_eq!(
            FetchFailure::Status(404).say().english(),
            "not found on the server (HTTP 404)"
        );
        assert_eq!(
            FetchFailure::Status(503).say().english(),
            "server error (HTTP 503)"
        );
        assert!(FetchFailure::Status(503).is_transient());
        assert!(!FetchFailure::Status(404).is_transient());
        // A body that broke off mid-way is fetched again (the saver streams it).
        assert!(FetchFailure::CutShort.is_transient());
        assert!(!FetchFailure::TooLarge { max_bytes: 1.0 }.is_transient());
        assert_eq!(
            FetchFailure::TooLarge { max_bytes: 2e8 }.say().english(),
            "larger than 200 MB"
        );
        assert_eq!(
            FetchFailure::Unreachable("Failed to fetch".into())
                .say()
                .english(),
            "the server could not be reached or did not allow access"
        );
    }
}
