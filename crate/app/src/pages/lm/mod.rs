//! The LM page: step a character-level transformer one token at a time and watch the next-token distribution.
//!
//! Each step costs one token's forward pass (a KV cache on the backend). The page keeps the logits of every step,
//! so the sampling controls redraw the distribution without a forward pass and "Back" restores a step exactly.
//! A visitor can also open their own llama2.c checkpoint (with its tokenizer) or safetensors LM.
//!
//! The parts: [`prompt`] (model picker, prompt box), [`controls`] (Step / Play / Back / Reset), [`sampling`]
//! (temperature, top-k, top-p, seed, greedy), [`chart`] (the next-token bars), [`text_view`] (the coloured text
//! and its perplexity), [`attention`] (the heatmap), [`own_model`] (the visitor's files). The state and its
//! changes are in [`state`] and [`doc`] (its notes in [`note`]), the link in [`link`], the model in [`loader`], the
//! words in [`texts`].

mod attention;
mod chart;
mod controls;
mod doc;
mod explainer;
mod link;
mod loader;
mod note;
mod own_model;
mod prompt;
mod sampling;
mod state;
mod text_view;
mod texts;

use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use genscope_core::registry::{Family, Page};
use genscope_core::sampling::distribution;
use yew::prelude::*;

use self::attention::AttentionView;
use self::chart::Chart;
use self::controls::Controls;
use self::doc::{next_revision, Doc};
use self::explainer::LmExplainer;
use self::link::{default_prompt, link_pairs, LmLink};
use self::loader::{load_shipped, open_own_model, LoadedLm};
use self::own_model::{OpenOwnModel, OwnFiles};
use self::prompt::{ModelPicker, PromptRow};
use self::sampling::SamplingControls;
use self::state::{Action, Failure, State};
use self::text_view::GeneratedText;
use self::texts::LmTexts;
use crate::hooks::{use_latest_load, use_link, use_on_link, use_shipped_models};
use crate::i18n::{self, fill, use_lang};
use crate::models;
use crate::site::{Load, PlacementKey, SiteContext};
use crate::tour::{self, Tour};
use crate::url;
use crate::widgets::{ErrorPanel, ModelCardPanel};

/// Milliseconds between the last change and writing the link.
const URL_DEBOUNCE_MS: u32 = 250;

/// A change to the text, running on the model.
type Job = Pin<Box<dyn Future<Output = Result<Doc, String>>>>;

/// Makes a [`Job`] from the loaded model, the current doc, the state and a clicked candidate (if any); `None` when
/// there is nothing to do.
type MakeJob = fn(Rc<LoadedLm>, Rc<Doc>, &State, Option<u32>) -> Option<Job>;

/// The LM page.
#[component]
pub fn LmPage() -> Html {
    let lang = use_lang();
    let t = texts::of(lang);
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let family = Family::of_page(Page::Lm);
    let shipped = use_shipped_models(family);
    let link = use_link::<LmLink>("lm", family, Rc::clone(&shipped));
    let state = use_reducer(State::default);
    // The visitor's own model, once opened (a loaded model, so not part of the state).
    let own = use_mut_ref(|| None::<Rc<LoadedLm>>);
    // A change to the text is running (a click meanwhile is dropped).
    let busy = use_mut_ref(|| false);
    // When the last change was asked for: turned into click-to-chart time once drawn.
    let asked_at = use_mut_ref(|| None::<f64>);

    // Model, prompt and settings from the link (again when a new link is opened).
    let dispatch = state.dispatcher();
    use_on_link(link, move |l| {
        dispatch.dispatch(Action::Link {
            model: l.model,
            link: l.state,
            notes: l.notes,
        })
    });

    // Load the chosen model (again on another backend, or to try again).
    let placement = site.placement_key();
    let key = state.model.clone().map(|m| (m, placement, state.reload));
    let loaded = {
        let (site, own) = (site.clone(), own.clone());
        use_latest_load(key, move |(name, _, _): (String, PlacementKey, u32)| {
            let site = site.clone();
            let own = own.borrow().clone().filter(|o| o.name == name);
            async move {
                match own {
                    Some(own) => Ok(own),
                    None => load_shipped(&site, &name).await.map(Rc::new),
                }
            }
        })
    };
    let lm: Option<Rc<LoadedLm>> = match &loaded {
        Load::Ready(l) => Some(Rc::clone(&**l)),
        _ => None,
    };

    // Once a model lands, run the prompt into it, or carry the text over when it is the same model (another
    // backend, a lost device, "Try again" after a crashed worker).
    {
        let started = use_mut_ref(Weak::<Rc<LoadedLm>>::new);
        let state = state.clone();
        let landed = match &loaded {
            Load::Ready(l) => Some(Rc::clone(l)),
            _ => None,
        };
        use_effect(move || {
            let Some(landed) = landed else { return };
            if started.borrow().as_ptr() == Rc::as_ptr(&landed) {
                return;
            }
            *started.borrow_mut() = Rc::downgrade(&landed);
            let lm = Rc::clone(&*landed);
            let default = default_prompt(lm.card.as_ref().map(|c| c.dataset));
            let prompt = state.prompt.clone().unwrap_or_else(|| default.to_string());
            state.dispatch(Action::DefaultPrompt(default.to_string()));
            let kept = state.doc.clone().filter(|d| d.model == lm.name);
            wasm_bindgen_futures::spawn_local(async move {
                let result = match kept {
                    Some(kept) => lm.apply(kept.resume()).await,
                    None => lm.start(&prompt).await,
                };
                state.dispatch(match result {
                    Ok(d) => Action::Loaded(Rc::new(d)),
                    Err(e) => {
                        Action::Failed(Failure::Stopped(fill(t.prompt_failed, &[("error", &e)])))
                    }
                });
            });
        });
    }

    // Keep the link in step.
    {
        let key = (state.model.clone(), state.link());
        use_effect_with(key, move |(model, link)| {
            let timer = model.clone().map(|model| {
                let pairs = link_pairs(&model, link);
                gloo::timers::callback::Timeout::new(URL_DEBOUNCE_MS, move || {
                    url::replace("lm", &pairs)
                })
            });
            move || drop(timer)
        });
    }

    // Click-to-chart time, for the speed figures.
    {
        let asked_at = asked_at.clone();
        let revision = state.doc.as_ref().map(|d| d.revision);
        use_effect_with(revision, move |_| {
            if let Some(since) = asked_at.borrow_mut().take() {
                let ms = models::now_ms() - since;
                if let Some(body) = gloo::utils::document().body() {
                    let _ = body.dataset().set("lmClickToChartMs", &format!("{ms:.2}"));
                }
            }
        });
    }

    // Runs one change to the text (step, take, back, restart) unless another is running.
    let run = {
        let (busy, state) = (busy.clone(), state.clone());
        Callback::from(move |job: Job| {
            if *busy.borrow() {
                return;
            }
            *busy.borrow_mut() = true;
            *asked_at.borrow_mut() = Some(models::now_ms());
            let (busy, state) = (busy.clone(), state.clone());
            wasm_bindgen_futures::spawn_local(async move {
                state.dispatch(match job.await {
                    Ok(d) => Action::Ran(Rc::new(d)),
                    Err(e) => Action::Failed(Failure::Stopped(e)),
                });
                *busy.borrow_mut() = false;
            });
        })
    };
    // A change made from the current doc on the loaded model.
    let change = |make: MakeJob| {
        let (lm, state, run) = (lm.clone(), state.clone(), run.clone());
        Callback::from(move |id: Option<u32>| {
            let (Some(lm), Some(d)) = (lm.clone(), state.doc.clone()) else {
                return;
            };
            if let Some(job) = make(lm, d, &state, id) {
                run.emit(job);
            }
        })
    };
    let step = change(|lm, d, state, _| {
        let dist = distribution(&d.logits, &state.settings.sampling()).ok()?;
        let id = d.draw(state.settings.seed, &dist.processed);
        Some(Box::pin(async move {
            let change = d
                .append(id, false, lm.config.seq_len)
                .map_err(|e| e.text(texts::of(crate::i18n::current())))?;
            lm.apply(change).await
        }))
    });
    let take = change(|lm, d, _, id| {
        let id = id?;
        Some(Box::pin(async move {
            let change = d
                .append(id, true, lm.config.seq_len)
                .map_err(|e| e.text(texts::of(crate::i18n::current())))?;
            lm.apply(change).await
        }))
    });
    let go_back = change(|lm, d, _, _| {
        Some(Box::pin(async move {
            match d.back(next_revision()) {
                Some(change) => lm.apply(change).await,
                None => Ok((*d).clone()),
            }
        }))
    });
    let restart = {
        let (lm, state, run) = (lm.clone(), state.clone(), run.clone());
        Callback::from(move |()| {
            let Some(lm) = lm.clone() else { return };
            state.dispatch(Action::Reset);
            let prompt = state
                .prompt
                .clone()
                .unwrap_or_else(|| default_prompt(lm.card.as_ref().map(|c| c.dataset)).to_string());
            run.emit(Box::pin(async move { lm.start(&prompt).await }));
        })
    };

    // Play: step on a timer while playing.
    {
        let step = step.clone();
        use_effect_with((state.playing, state.speed_ms), move |&(on, ms)| {
            let timer =
                on.then(|| gloo::timers::callback::Interval::new(ms, move || step.emit(None)));
            move || drop(timer)
        });
    }

    let on_open = {
        let (site, own, state) = (site.clone(), own.clone(), state.clone());
        Callback::from(move |(file_name, bytes, tokenizer): OwnFiles| {
            let (site, own, state) = (site.clone(), own.clone(), state.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let tokenizer = tokenizer.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()));
                match open_own_model(&site, &file_name, &bytes, tokenizer).await {
                    Ok((lm, notes)) => {
                        let name = lm.name.clone();
                        *own.borrow_mut() = Some(Rc::new(lm));
                        state.dispatch(Action::OwnOpened { name, notes });
                    }
                    Err(e) => state.dispatch(Action::Failed(Failure::own_file(&file_name, e))),
                }
            });
        })
    };
    let dispatch = |make: fn(()) -> Action| {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(make(())))
    };

    let body = match (&loaded, &lm) {
        (Load::Failed(e), _) => html! {
            <ErrorPanel title={t.load_failed} message={e.clone()}
                on_retry={dispatch(|()| Action::Reload)} />
        },
        // Without the asset list there is no model to wait for (the shell's panel says why).
        (_, None) if matches!(site.manifest, Load::Failed(_)) => Html::default(),
        (_, None) => html! { <p class="muted" id="lm-loading">{ t.loading_model }</p> },
        (_, Some(lm)) => main_view(t, lm, &state, take.reform(Some)),
    };

    let failure = state.failure.as_ref().map(|f| {
        html! {
            <ErrorPanel title={f.title(t)} message={f.message().to_string()}
                on_retry={dispatch(|()| Action::Retry)} />
        }
    });
    let on_settings = {
        let state = state.clone();
        Callback::from(move |s| state.dispatch(Action::Settings(s)))
    };
    let on_speed = {
        let state = state.clone();
        Callback::from(move |ms| state.dispatch(Action::Speed(ms)))
    };
    let on_pick = {
        let state = state.clone();
        Callback::from(move |name| state.dispatch(Action::Pick(name)))
    };
    let on_prompt = {
        let state = state.clone();
        Callback::from(move |p| state.dispatch(Action::Prompt(p)))
    };
    html! {
        <section class="page" id="page-lm">
            <h1>{ t.title }</h1>
            <Tour page="lm" steps={tour::steps("lm", lang)} />
            <p class="lead">{ t.lead }</p>
            <div class="toolbar">
                <ModelPicker options={state.options(&shipped)} model={state.model.clone()} {on_pick} />
                <OpenOwnModel {on_open} />
            </div>
            { for (!state.own_notes.is_empty()).then(|| html! {
                <div class="notice" id="own-notes" role="status">{ i18n::errors::say(&state.own_notes.join(t.notes_separator), lang) }</div>
            }) }
            { for (!state.url_notes.is_empty()).then(|| html! {
                <div class="notice" id="url-notes" role="status">{ t.url_notes }{ state.url_notes.join(t.notes_separator) }</div>
            }) }
            <PromptRow prompt={state.prompt.clone().unwrap_or_default()} {on_prompt} on_run={restart.clone()} />
            <div class="controls">
                <Controls playing={state.playing} speed_ms={state.speed_ms}
                    on_step={step.reform(|()| None)} on_play={dispatch(|()| Action::TogglePlay)} {on_speed}
                    on_back={go_back.reform(|()| None)} on_reset={restart} />
                <SamplingControls settings={state.settings.clone()} {on_settings} />
            </div>
            { for failure }
            { body }
        </section>
    }
}

/// The text, the chart, the attention and the model card, once a model is loaded.
fn main_view(
    t: &'static LmTexts,
    lm: &Rc<LoadedLm>,
    state: &UseReducerHandle<State>,
    on_take: Callback<u32>,
) -> Html {
    let doc = state.doc.clone();
    let dist = doc
        .as_ref()
        .map(|d| distribution(&d.logits, &state.settings.sampling()).map_err(|e| e.to_string()));
    let chart = match (&dist, &doc) {
        (Some(Ok(dist)), Some(d)) => html! {
            <Chart dist={Rc::new(dist.clone())} tokenizer={lm.tokenizer.clone()}
                {on_take} entropy={dist.entropy()} position={d.tokens.len()}
                revision={d.revision} model={d.model.clone()} settings={state.settings.sampling()} />
        },
        (Some(Err(e)), _) => {
            html! { <ErrorPanel title={t.cannot_sample} message={e.clone()} /> }
        }
        _ => html! { <p class="muted">{ t.running_prompt }</p> },
    };
    let explainer = match (&dist, &doc) {
        (Some(Ok(dist)), Some(d)) => html! {
            <LmExplainer dist={Rc::new(dist.clone())} logits={Rc::clone(&d.logits)} tokenizer={lm.tokenizer.clone()}
                settings={state.settings.sampling()} seed={state.settings.seed} position={d.tokens.len()}
                generated={d.generated()} />
        },
        _ => Html::default(),
    };
    let text = doc
        .as_ref()
        .map(|d| html! { <GeneratedText doc={Rc::clone(d)} tokenizer={lm.tokenizer.clone()} script={lm.script.clone()} /> });
    let attention = doc.as_ref().and_then(|d| {
        let a = d.attention.clone()?;
        let (on_layer, on_head) = {
            let (l, h) = (state.clone(), state.clone());
            (
                Callback::from(move |v| l.dispatch(Action::Layer(v))),
                Callback::from(move |v| h.dispatch(Action::Head(v))),
            )
        };
        Some(html! {
            <AttentionView attention={a} window={d.window.clone()} tokenizer={lm.tokenizer.clone()}
                layer={state.layer} head={state.head} {on_layer} {on_head} />
        })
    });
    // The backend's name (an adapter's, say) is not the page's words.
    let rate = doc.as_ref().and_then(|d| d.step_ms).map(|ms| {
        let words = fill(
            t.token_rate,
            &[
                ("ms", &format!("{ms:.1}")),
                ("rate", &format!("{:.0}", 1000.0 / ms.max(1e-3))),
            ],
        );
        html! { <>{ words }<span data-i18n-skip="true">{ &lm.backend }</span></> }
    });
    html! {
        <>
        <div class="lm-main">
            <div class="lm-left">
                { for text }
                <p id="token-rate" class="muted small">{ for rate }</p>
                { for doc.as_ref().map(|d| html! {
                    <div id="context-note" class="notes">{ for d.notes.iter().map(|n| html! { <p class="notice small">{ n.text(t) }</p> }) }</div>
                }) }
            </div>
            <div class="lm-right">{ chart }</div>
        </div>
        { for attention }
        { explainer }
        { for lm.card.clone().map(|card| html! { <ModelCardPanel {card} /> }) }
        </>
    }
}
