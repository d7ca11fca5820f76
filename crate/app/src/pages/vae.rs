//! The VAE page.

use yew::prelude::*;

use crate::pages::about::ShippedModels;

/// The VAE page. Until its models ship it says what will be here and which models the build has.
#[component]
pub fn VaePage() -> Html {
    html! {
        <section class="page" id="page-vae">
            <h1>{ "Latent space of a VAE" }</h1>
            <p>{ "The latent map, sliders, encoding of your drawings and interpolation arrive with the VAE page issue, on top of the engine and trained models." }</p>
            <ShippedModels kind="vae" />
        </section>
    }
}
