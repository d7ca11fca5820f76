//! The landing page: what there is to see.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

/// The landing page with one card per model page.
#[component]
pub fn HomePage() -> Html {
    let card = |route: Route, title: &'static str, text: &'static str| {
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
                { card(Route::Vae, "VAE", "Drag through a variational autoencoder's latent space and watch the decoded image change under your cursor.") }
                { card(Route::Gan, "GAN", "Watch a GAN's samples: seeded grids, smooth latent walks, and its training history.") }
                { card(Route::Lm, "LM", "Step a small transformer one token at a time and see how temperature, top-k and top-p reshape its next-token distribution.") }
            </div>
        </section>
    }
}
