//! The page state in the URL hash: `#/page?key=value&…`, read with genscope-core's defensive parser and written
//! with `history.replaceState` (no history entry per drag, and no hashchange event).

use genscope_core::query::{self, Query};

/// The query part of the current hash.
pub fn current_query() -> Query {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Query::parse(hash.split_once('?').map_or("", |(_, q)| q))
}

/// Replaces the URL with `#/<page>?<pairs>` without adding a history entry.
pub fn replace(page: &str, pairs: &[(&str, String)]) {
    let url = format!("#/{page}?{}", query::encode(pairs));
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// True when the current hash is on `page` (`#/page` or `#/page?…`).
pub fn on_page(page: &str) -> bool {
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    let path = hash.trim_start_matches('#').split('?').next().unwrap_or("");
    path.trim_start_matches('/') == page
}

/// A counter that goes up whenever the visitor pastes or edits a link to `page` in this tab (a `hashchange`;
/// the page's own `replace` fires none), so the page can re-read its state from the URL.
#[yew::hook]
pub fn use_url_version(page: &'static str) -> u32 {
    let version = yew::use_state(|| 0u32);
    {
        let version = version.clone();
        yew::use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                    if on_page(page) {
                        version.set(*version + 1);
                    }
                });
            move || drop(listener)
        });
    }
    *version
}
