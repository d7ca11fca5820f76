//! Panics never leave a blank page: the hook fills index.html's static `#fatal` panel.

/// Installs a panic hook that logs the panic to the console and shows it in the `#fatal` panel.
///
/// The panel is plain HTML outside Yew's tree because after a panic the wasm instance cannot render anymore.
/// Installed through Yew, which otherwise replaces any hook with its own console-only one when it renders.
pub fn install_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.as_str().into());
        show_fatal(&message);
    }));
}

/// Shows `message` in the `#fatal` panel of index.html.
pub fn show_fatal(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(text) = document.get_element_by_id("fatal-message") {
        text.set_text_content(Some(message));
    }
    if let Some(panel) = document.get_element_by_id("fatal") {
        let _ = panel.remove_attribute("hidden");
    }
}
