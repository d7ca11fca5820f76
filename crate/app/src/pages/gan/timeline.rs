//! The training timeline: the same seeds rendered by each shipped generator snapshot, from the first training step
//! to the last. Snapshots are fetched when first shown and kept for the GAN they were loaded with.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use genscope_core::latent::{gaussian_latents, truncate};
use genscope_core::weights::read_safetensors;
use web_sys::{HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use crate::engine::{Model, Spec};
use crate::i18n::{fill, use_lang};
use crate::models::{self, ModelCard};
use crate::site::{Load, SiteContext};

use super::grid::{draw_and_keep_samples, PX};
use super::loader::{generate, LoadedGan};
use super::state::{StepStatus, TimelineAction, TimelineState};
use super::texts::{self, GanTexts};

/// Samples each snapshot draws (the seed's first ones), and the strip's width in samples.
const SAMPLES: usize = 16;
const COLUMNS: usize = 8;
/// Milliseconds per snapshot while playing.
const PLAY_MS: u32 = 700;

/// The card's generator snapshots: (training step, file under `assets/models/`).
pub fn snapshots(card: &ModelCard) -> Vec<(u64, String)> {
    card.timeline
        .iter()
        .filter_map(|t| {
            Some((
                t.get("step")?.as_u64()?,
                t.get("file")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// Snapshot generators by file, for the GAN (by address) they were loaded with.
type Cache = (usize, HashMap<String, Rc<Model>>);

/// Properties of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The GAN (its card lists the snapshots).
    pub gan: Rc<LoadedGan>,
    /// The grid's seed.
    pub seed: u64,
    /// The grid's truncation.
    pub truncation: f32,
    /// Whether the page's grid has been drawn by this GAN: the timeline waits for it, so that the grid a visitor
    /// came for is not queued behind sixteen snapshot samples and their judgements.
    pub ready: bool,
}

/// Fetches the snapshot generator in `file` (the shipped model's file holds the discriminator too); errors in the
/// words of `t`.
async fn load_snapshot(
    site: &SiteContext,
    gan: &LoadedGan,
    file: &str,
    t: &GanTexts,
) -> Result<Model, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err(t.assets_not_loaded.into());
    };
    let path = format!("assets/models/{file}");
    let bytes = models::fetch_asset(manifest, &path).await?;
    let (weights, _) = read_safetensors(&bytes).map_err(|e| format!("{path}: {e}"))?;
    // A snapshot is the same network as the shipped generator: it runs where that one was placed.
    Model::load(
        site.gpu.as_ref().filter(|_| gan.generator.on_gpu()),
        Spec::Generator(gan.config.clone()),
        weights.with_prefix("generator."),
    )
    .await
    .map_err(|e| format!("{path}: {e}"))
}

/// Draws the snapshot `(step, file)` for `seed` and `truncation`, loading it unless cached.
async fn show(
    (site, t): (SiteContext, &GanTexts),
    gan: Rc<LoadedGan>,
    cache: Rc<RefCell<Cache>>,
    (step, file): (u64, String),
    (seed, truncation): (u64, f32),
    canvas: NodeRef,
) -> StepStatus {
    let owner = Rc::as_ptr(&gan) as usize;
    if cache.borrow().0 != owner {
        *cache.borrow_mut() = (owner, HashMap::new());
    }
    let cached = cache.borrow().1.get(&file).cloned();
    let generator = match cached {
        Some(g) => g,
        None => match load_snapshot(&site, &gan, &file, t).await {
            Ok(g) => {
                let g = Rc::new(g);
                cache.borrow_mut().1.insert(file.clone(), Rc::clone(&g));
                g
            }
            Err(e) => return StepStatus::Failed(e),
        },
    };
    let z = truncate(
        &gaussian_latents(seed, SAMPLES, gan.config.latent),
        truncation,
    );
    // On WebGPU the strip is drawn from the GPU's buffer; the images are read back after it, for the judge.
    let drawn = match canvas.cast::<HtmlCanvasElement>() {
        Some(c) => draw_and_keep_samples(&generator, gan.config.latent, &z, &c, COLUMNS).await,
        None => generate(&generator, &z).await,
    };
    match drawn {
        Ok(images) => {
            // Judged by the shipped (final) discriminator: it shows how a trained critic rates each stage of G.
            let judged = gan.judge(&images, t).await.ok();
            StepStatus::Drawn { step, judged }
        }
        Err(e) => {
            // Load it afresh next time (its worker may have stopped).
            cache.borrow_mut().1.remove(&file);
            StepStatus::Failed(e)
        }
    }
}

/// The timeline's slider, play button and strip.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let t = texts::of(use_lang());
    let snapshots = snapshots(&props.gan.card);
    let state = use_reducer(TimelineState::default);
    let canvas_ref = use_node_ref();
    let cache = use_mut_ref(|| (0usize, HashMap::new()));
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let last = snapshots.len().saturating_sub(1);
    let current = state.current(last);
    {
        let (canvas_ref, dispatch, gan) =
            (canvas_ref.clone(), state.dispatcher(), props.gan.clone());
        let (seed, truncation, ready) = (props.seed, props.truncation, props.ready);
        let snapshot = snapshots.get(current).cloned();
        use_effect_with(
            (
                current,
                seed,
                (truncation * 1000.0) as i64,
                gan.clone(),
                ready,
            ),
            move |_| {
                if let (true, Some(snapshot), Load::Ready(_)) = (ready, snapshot, &site.manifest) {
                    let site = site.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let status = show(
                            (site, t),
                            gan,
                            cache,
                            snapshot,
                            (seed, truncation),
                            canvas_ref,
                        )
                        .await;
                        dispatch.dispatch(TimelineAction::Status(status));
                    });
                }
            },
        );
    }
    {
        let dispatch = state.dispatcher();
        use_effect_with((state.playing, current), move |&(on, _)| {
            let timer = on.then(|| {
                gloo::timers::callback::Timeout::new(PLAY_MS, move || {
                    dispatch.dispatch(TimelineAction::Advance { last })
                })
            });
            move || drop(timer)
        });
    }
    if snapshots.is_empty() {
        return html! {};
    }
    let on_scrub = {
        let dispatch = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                dispatch.dispatch(TimelineAction::Scrub(i.value().parse().unwrap_or(0)));
            }
        })
    };
    let play = {
        let dispatch = state.dispatcher();
        Callback::from(move |_| dispatch.dispatch(TimelineAction::TogglePlay { last }))
    };
    let scores = state.status.as_ref().and_then(StepStatus::scores);
    html! {
        <section class="timeline">
            <h2>{ t.timeline_title }</h2>
            <p class="muted small">{ fill(t.timeline_hint, &[("samples", &SAMPLES.to_string())]) }</p>
            <div class="toolbar">
                <input id="timeline" type="range" min="0" max={last.to_string()} step="1" value={current.to_string()} oninput={on_scrub} aria-label={t.timeline_aria} />
                <button id="timeline-play" onclick={play}>{ if state.playing { t.pause } else { t.play } }</button>
                <span id="timeline-step" class="mono" data-d-fake={scores.map(|s| s.0.to_string())}
                    data-classes={scores.map(|s| s.1.to_string())}>
                    { state.status.as_ref().map(|s| s.words(t)).unwrap_or_default() }</span>
            </div>
            <canvas key={props.gan.canvas_kind()} data-context={props.gan.canvas_kind()} id="timeline-canvas" ref={canvas_ref} width={(COLUMNS * PX).to_string()} height={(SAMPLES / COLUMNS * PX).to_string()} class="pixelated strip"></canvas>
        </section>
    }
}
