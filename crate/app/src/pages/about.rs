//! About genscope: what it is, what runs it, what the build ships.

use yew::prelude::*;

use crate::site::{Load, SiteContext, BUILD};

/// The about panel.
#[component]
pub fn AboutPage() -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let assets = match &site.manifest {
        Load::Loading => "loading the asset list…".to_owned(),
        Load::Ready(m) => format!(
            "{} files, {:.1} MB",
            m.files.len(),
            m.total_bytes() as f64 / 1e6
        ),
        Load::Failed(_) => "unavailable (see the error above)".to_owned(),
    };
    html! {
        <section class="page about" id="page-about">
            <h1>{ "About genscope" }</h1>
            <p>
                { "genscope is a static site, written in Rust and compiled to WebAssembly, where you can play with small " }
                { "generative models. The models are trained by the project's own trainer from public data sets, with the " }
                { "same model code that runs here, and run on WebGPU compute shaders when your browser offers an adapter, " }
                { "or on the CPU in WebAssembly otherwise." }
            </p>
            <dl>
                <dt>{ "Backend" }</dt><dd>{ site.backend.label() }{ " — " }{ site.backend.detail() }</dd>
                <dt>{ "Build" }</dt><dd>{ BUILD }</dd>
                <dt>{ "Assets" }</dt><dd id="asset-summary">{ assets }</dd>
                <dt>{ "Models" }</dt><dd><ShippedModels kind="" /></dd>
            </dl>
        </section>
    }
}

/// Properties of [`ShippedModels`].
#[derive(Properties, PartialEq)]
pub struct ShippedModelsProps {
    /// Which models: `vae`, `dcgan`, `lm`, `classifier` (model files are named `assets/models/<kind>-*`), or empty
    /// for all.
    pub kind: AttrValue,
}

/// The model files of one kind that this build ships, from the asset manifest.
#[component]
pub fn ShippedModels(props: &ShippedModelsProps) -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let Load::Ready(manifest) = &site.manifest else {
        return html! {};
    };
    let prefix = format!("assets/models/{}", props.kind);
    let models: Vec<_> = manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with(&prefix) && f.path.ends_with(".json"))
        .map(|f| html! { <li>{ f.path.trim_start_matches("assets/models/").trim_end_matches(".json") }</li> })
        .collect();
    if models.is_empty() {
        html! { <p class="muted">{ "This build ships no models for this page yet." }</p> }
    } else {
        html! { <ul class="models">{ for models }</ul> }
    }
}
