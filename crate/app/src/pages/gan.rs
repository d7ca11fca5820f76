//! The GAN page.

use yew::prelude::*;

use crate::pages::about::ShippedModels;

/// The GAN page. Until its models ship it says what will be here and which models the build has.
#[component]
pub fn GanPage() -> Html {
    html! {
        <section class="page" id="page-gan">
            <h1>{ "Samples from a GAN" }</h1>
            <p>{ "The sample grid, watch mode, truncation and the training timeline arrive with the GAN page issue, on top of the engine and trained models." }</p>
            <ShippedModels kind="gan" />
        </section>
    }
}
