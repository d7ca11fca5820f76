//! One folder (or module) per page; [`page`] is the one place that maps a registry page to its component.

pub mod about;
pub mod gan;
pub mod home;
pub mod lab;
pub mod lm;
pub mod vae;

use genscope_core::registry::Page;
use yew::prelude::*;

/// The component that shows `page`.
pub fn page(page: Page) -> Html {
    match page {
        Page::Vae => html! { <vae::VaePage /> },
        Page::Gan => html! { <gan::GanPage /> },
        Page::Lm => html! { <lm::LmPage /> },
    }
}
