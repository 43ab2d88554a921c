//! Which extension page a document is. The popup, options, queue and saver
//! pages share one wasm module (`pages_bg.wasm`: one copy of std, serde, Leptos
//! and this crate instead of three; BENCHMARKS.md), and its entry shows the
//! page its document's path names.

/// An extension page served by the shared module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionPage {
    /// `popup.html`: the toolbar popup (also opened in a tab by tests).
    Popup,
    /// `options.html`: the settings.
    Options,
    /// `queue.html`: many products saved one after another.
    Queue,
    /// `saver.html#<batch id>`: fetches, checks, converts and packs one save.
    Saver,
}

impl ExtensionPage {
    /// The page at this URL path (`location.pathname`, e.g. `/popup.html`), or
    /// `None` for a document that is none of them.
    pub fn of_path(path: &str) -> Option<Self> {
        let file = path.rsplit('/').next().unwrap_or(path);
        match file {
            "popup.html" => Some(Self::Popup),
            "options.html" => Some(Self::Options),
            "queue.html" => Some(Self::Queue),
            "saver.html" => Some(Self::Saver),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn each_page_by_its_path() {
        assert_eq!(
            ExtensionPage::of_path("/popup.html"),
            Some(ExtensionPage::Popup)
        );
        assert_eq!(
            ExtensionPage::of_path("/options.html"),
            Some(ExtensionPage::Options)
        );
        assert_eq!(
            ExtensionPage::of_path("/queue.html"),
            Some(ExtensionPage::Queue)
        );
        assert_eq!(
            ExtensionPage::of_path("/saver.html"),
            Some(ExtensionPage::Saver)
        );
        // Only the file name counts, not a directory that happens to match.
        assert_eq!(ExtensionPage::of_path("/popup.html/x.html"), None);
        assert_eq!(
            ExtensionPage::of_path("/x/options.html"),
            Some(ExtensionPage::Options)
        );
        for other in [
            "",
            "/",
            "/popup.htm",
            "/popup.html.bak",
            "/index.html",
            "popup",
        ] {
            assert_eq!(ExtensionPage::of_path(other), None, "{other:?}");
        }
    }
}
