//! The GAN page: an 8×8 grid of a DCGAN's samples from a visible seed, a watch mode where every cell walks
//! through latent space, the truncation trade-off, pinned samples with their neighbours and an interpolation,
//! and a timeline over the generator's training snapshots. Samples are labelled by the data set's classifier
//! and scored by the discriminator.
//!
//! Parts: [`link`] (the settings a link carries), [`state`] (the page's reducer), [`loader`], [`grid`],
//! [`controls`], [`watch`], [`explore`] (pinning) and [`timeline`].

mod controls;
mod explainer;
mod explore;
mod grid;
mod link;
mod loader;
mod state;
mod texts;
mod timeline;
mod watch;

use std::rc::Rc;

use genscope_core::query::UrlState;
use genscope_core::registry::{Family, Page};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::hooks::{use_latest_load, use_link, use_on_link, use_shipped_models};
use crate::i18n::{fill, use_lang};
use crate::site::{Load, PlacementKey, SiteContext};
use crate::tour::{self, Tour};
use crate::url;
use crate::widgets::{failure_panel, ErrorPanel, ModelCardPanel};

use controls::Controls;
use explainer::GanExplainer;
use explore::Explore;
use grid::{grid_time, use_grid, Grid};
use link::GanSettings;
use loader::load_gan;
use state::{Action, State};
use texts::GanTexts;
use timeline::Timeline;
use watch::use_watch;

/// The page's route, as links and `url::replace` name it.
const ROUTE: &str = "gan";
/// Milliseconds the URL waits for the settings to settle before it is rewritten.
const URL_DEBOUNCE_MS: u32 = 250;

/// The GAN page.
#[component]
pub fn GanPage() -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let lang = use_lang();
    let t = texts::of(lang);
    let family = Family::of_page(Page::Gan);
    let shipped = use_shipped_models(family);
    let link = use_link::<GanSettings>(ROUTE, family, Rc::clone(&shipped));
    let state = use_reducer(State::default);
    let grid_ref = use_node_ref();

    // Model and settings from the link, when it is read.
    let dispatch = state.dispatcher();
    use_on_link(link, move |link| {
        dispatch.dispatch(Action::ApplyLink {
            model: link.model,
            settings: link.state,
            notes: link.notes,
        })
    });

    let placement = site.placement_key();
    let loaded = {
        let site = site.clone();
        use_latest_load(
            state.model.clone().map(|m| (m, placement, state.reload)),
            move |(name, _, _): (String, PlacementKey, u32)| {
                let site = site.clone();
                async move { load_gan(&site, &name, t).await }
            },
        )
    };

    use_grid(
        loaded.clone(),
        state.settings.clone(),
        state.watching,
        grid_ref.clone(),
        state.dispatcher(),
    );
    use_watch(
        state.watching,
        state.speed,
        loaded.clone(),
        state.settings.clone(),
        grid_ref.clone(),
        state.dispatcher(),
    );

    // Keep the URL in step.
    use_effect_with(
        (state.model.clone(), state.settings.clone()),
        move |(model, settings)| {
            let timer = model.clone().map(|model| {
                let mut pairs = vec![("model", model)];
                pairs.extend(settings.to_pairs());
                gloo::timers::callback::Timeout::new(URL_DEBOUNCE_MS, move || {
                    url::replace(ROUTE, &pairs)
                })
            });
            move || drop(timer)
        },
    );

    let on_model = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                dispatch.dispatch(Action::PickModel(select.value()));
            }
        })
    };

    let body = match &loaded {
        // Without the asset list there is no model to wait for (the shell's panel says why).
        Load::Loading if matches!(site.manifest, Load::Failed(_)) => Html::default(),
        Load::Loading => html! { <p class="muted" id="gan-loading">{ t.loading }</p> },
        Load::Failed(e) => {
            let dispatch = state.dispatcher();
            let retry = Callback::from(move |()| dispatch.dispatch(Action::Reload));
            html! { <ErrorPanel title={t.load_failed} message={e.clone()} on_retry={retry} /> }
        }
        Load::Ready(gan) => {
            let s = &state.settings;
            html! {
                <>
                <Controls model={gan.card.name.clone()} seed={s.seed} truncation={s.truncation}
                    watching={state.watching} speed={state.speed} seed_note={state.seed_note.clone()}
                    canvas={grid_ref.clone()} dispatch={state.dispatcher()} />
                { grid_time(t, &state, &gan.backend) }
                <div class="gan-main">
                    <Grid gan={Rc::clone(gan)} canvas={grid_ref.clone()} judged={state.judged.clone()}
                        pinned={s.pinned.clone()} dispatch={state.dispatcher()} />
                    <Explore gan={Rc::clone(gan)} settings={s.clone()} />
                </div>
                <Timeline gan={Rc::clone(gan)} seed={s.seed} truncation={s.truncation}
                    ready={state.grid_ms.as_ref().is_some_and(|(_, backend)| *backend == gan.backend)} />
                <GanExplainer gan={Rc::clone(gan)} judged={state.judged.clone()} />
                <ModelCardPanel card={Rc::clone(&gan.card)} />
                </>
            }
        }
    };
    html! {
        <section class="page" id="page-gan">
            <h1>{ t.title }</h1>
            <Tour page="gan" steps={tour::steps("gan", lang)} />
            <p class="lead">{ t.lead }</p>
            <div class="toolbar">
                <label>{ t.model_label }
                    <select id="gan-model" onchange={on_model}>
                        { for shipped.iter().map(|m| html! { <option value={m.clone()} selected={Some(m) == state.model.as_ref()}>{ m }</option> }) }
                    </select>
                </label>
            </div>
            { for (!state.notes.is_empty()).then(|| html! {
                <div class="notice" id="url-notes" role="status">
                    { fill(t.link_notes, &[("notes", &state.notes.join(t.note_separator))]) }
                </div>
            }) }
            { failure(&state, t) }
            { body }
        </section>
    }
}

/// The panel for a failure after the model loaded, in the words of `t`: "Try again" clears it and reloads the
/// model.
fn failure(state: &UseReducerHandle<State>, t: &GanTexts) -> Html {
    let dispatch = state.dispatcher();
    failure_panel(
        state.error.as_ref().map(|f| f.words(t)),
        Callback::from(move |()| dispatch.dispatch(Action::Retry)),
    )
}
