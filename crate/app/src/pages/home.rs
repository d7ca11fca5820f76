//! The landing page: what there is to see.

use yew::prelude::*;
use yew_router::prelude::*;

use genscope_core::registry::FAMILIES;

use crate::site::{route_of, Route};

/// The landing page with one card per model page.
#[component]
pub fn HomePage() -> Html {
    let card = |route: Route, title: &'static str, text: &'static str| -> Html {
        html! {
            <Link<Route> to={route} classes="card">
                <h2>{ title }</h2>
                <p>{ text }</p>
            </Link<Route>>
        }
    };
    html! {
        <section class="page home">
            <h1>{ "See how generative models work" }</h1>
            <p class="lead">
                { "Small generative models, trained by this project, running in your browser on WebGPU or on the CPU. " }
                { "Nothing is sent to a server: every number you see is computed on this page." }
            </p>
            <div class="cards">
                { for FAMILIES.iter().filter_map(|f| f.page).map(|p| card(route_of(p.page), p.title, p.summary)) }
            </div>
        </section>
    }
}
