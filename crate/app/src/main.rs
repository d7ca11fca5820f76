//! genscope's web app: the Yew front end that runs in the visitor's browser.
//!
//! The shell (header, routes, status line, error panels) lives in [`app`]; each model gets one module under
//! [`pages`]; reusable pieces live in [`widgets`].

mod app;
mod backend;
mod calibration;
mod engine;
mod hooks;
mod i18n;
mod math;
mod models;
mod pages;
mod panic;
mod placement;
mod site;
mod tour;
mod url;
mod widgets;
pub mod worker;

fn main() {
    // The inference worker starts this same wasm without a window; `worker::genscope_worker_start` takes over there.
    if web_sys::window().is_none() {
        return;
    }
    panic::install_hook();
    let root = gloo::utils::document()
        .get_element_by_id("app")
        .expect("index.html has an element with id `app`");
    // Remove the "Loading genscope…" placeholder that index.html shows until the wasm runs.
    root.set_inner_html("");
    yew::Renderer::<app::App>::with_root(root).render();
}
