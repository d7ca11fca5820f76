//! The LM page.

use yew::prelude::*;

use crate::pages::about::ShippedModels;

/// The LM page. Until its models ship it says what will be here and which models the build has.
#[component]
pub fn LmPage() -> Html {
    html! {
        <section class="page" id="page-lm">
            <h1>{ "Token by token through a language model" }</h1>
            <p>{ "Prompting, stepping, the next-token chart and the attention heatmap arrive with the LM page issue, on top of the engine and trained models." }</p>
            <ShippedModels kind="lm" />
        </section>
    }
}
