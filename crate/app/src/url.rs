//! The page state in the URL hash: `#/page?key=value&…`, read with genscope-core's defensive parser and written
//! with `history.replaceState` (no history entry per drag, and no hashchange event).

use genscope_core::query::{self, Query};

thread_local! {
    /// Site-wide parameters every link keeps (`lang=zh`), whatever page writes it.
    static SITE_PARAMS: std::cell::RefCell<Vec<(&'static str, String)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The hash the page last read or wrote. A different one in the address bar is a link the visitor opened whose
    /// `hashchange` has not been handled yet.
    static SEEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The query part of the current hash.
pub fn current_query() -> Query {
    let hash = current_hash();
    let query = Query::parse(hash.split_once('?').map_or("", |(_, q)| q));
    SEEN.with(|seen| *seen.borrow_mut() = Some(hash));
    query
}

/// Replaces the URL with `#/<page>?<pairs>` without adding a history entry. Skipped when the visitor has just
/// opened another link (the page's debounced write must not overwrite it; the page re-reads it instead).
pub fn replace(page: &str, pairs: &[(&str, String)]) {
    let now = current_hash();
    if SEEN.with(|seen| seen.borrow().as_ref().is_some_and(|seen| *seen != now)) {
        return;
    }
    let mut pairs = pairs.to_vec();
    SITE_PARAMS.with(|site| {
        for (key, value) in site.borrow().iter() {
            pairs.retain(|(k, _)| k != key);
            pairs.push((key, value.clone()));
        }
    });
    let url = format!("#/{page}?{}", query::encode(&pairs));
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    SEEN.with(|seen| *seen.borrow_mut() = Some(current_hash()));
}

/// Sets a site-wide parameter that every link written from now on carries, and writes it into the current link
/// too (keeping the rest of it).
pub fn set_site_param(key: &'static str, value: &str) {
    SITE_PARAMS.with(|site| {
        let mut site = site.borrow_mut();
        site.retain(|(k, _)| *k != key);
        site.push((key, value.to_string()));
    });
    let hash = current_hash();
    let (path, old) = hash
        .trim_start_matches('#')
        .split_once('?')
        .unwrap_or((hash.trim_start_matches('#'), ""));
    let path = if path.is_empty() { "/" } else { path };
    let query = Query::parse(old);
    let mut pairs: Vec<(&str, String)> = query
        .pairs()
        .iter()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    pairs.push((key, value.to_string()));
    let url = format!("#{path}?{}", query::encode(&pairs));
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    SEEN.with(|seen| *seen.borrow_mut() = Some(current_hash()));
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
