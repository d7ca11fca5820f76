//! About genscope: what it is, what runs it, what the build ships.

use yew::prelude::*;

use crate::backend::{BackendStatus, CpuReason};
use crate::i18n::{self, fill, use_lang, Lang};
use crate::site::{Load, SiteContext, BUILD};

/// The about panel.
#[component]
pub fn AboutPage() -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let lang = use_lang();
    let t = i18n::shell::of(lang);
    let assets = match &site.manifest {
        Load::Loading => t.assets_loading.to_owned(),
        Load::Ready(m) => fill(
            t.assets_summary,
            &[
                ("files", &m.files.len().to_string()),
                ("mb", &i18n::number(m.total_bytes() as f64 / 1e6, 1)),
            ],
        ),
        Load::Failed(_) => t.assets_unavailable.to_owned(),
    };
    html! {
        <section class="page about" id="page-about">
            <h1>{ t.about_title }</h1>
            <p>{ t.about_text }</p>
            <dl>
                <dt>{ t.about_backend }</dt><dd>{ site.backend.label_in(lang) }{ " — " }{ backend_detail(&site.backend, lang) }</dd>
                <dt>{ t.about_build }</dt><dd>{ BUILD }</dd>
                <dt>{ t.about_assets }</dt><dd id="asset-summary">{ assets }</dd>
                <dt>{ t.about_models }</dt><dd><ShippedModels kind="" /></dd>
            </dl>
        </section>
    }
}

/// The backend's explanation, with the browser's own reason (in its words, usually English) quoted as code.
fn backend_detail(backend: &BackendStatus, lang: Lang) -> Html {
    match backend {
        BackendStatus::Cpu(reason) => {
            let template = i18n::shell::of(lang).backend_cpu_detail;
            let (before, after) = template.split_once("{reason}").unwrap_or((template, ""));
            html! { <>{ before }{ reason_words(reason, lang) }{ after }</> }
        }
        other => html! { { other.detail(lang) } },
    }
}

/// A reason in `lang`, with the browser's own words (usually English) quoted as code.
fn reason_words(reason: &CpuReason, lang: Lang) -> Html {
    let t = i18n::shell::of(lang);
    let quoted = |template: &str, why: &str| {
        let (before, after) = template.split_once("{why}").unwrap_or((template, ""));
        html! { <>{ before.to_string() }<code>{ why.to_string() }</code>{ after.to_string() }</> }
    };
    match reason {
        CpuReason::NoDevice(why) => quoted(t.reason_no_device, why),
        CpuReason::Lost(why) => quoted(t.reason_lost, why),
        other => Html::from(other.words(lang)),
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
    let t = i18n::shell::of(use_lang());
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
        html! { <p class="muted">{ t.no_models }</p> }
    } else {
        html! { <ul class="models">{ for models }</ul> }
    }
}
