//! The GAN page: an 8×8 grid of a DCGAN's samples from a visible seed, a watch mode where every cell walks
//! through latent space, the truncation trade-off, pinned samples with their neighbours and an interpolation,
//! and a timeline over the generator's training snapshots. Samples are labelled by the data set's classifier
//! and scored by the discriminator.

use std::rc::Rc;

use genscope_core::card::ModelConfig;
use genscope_core::gan::GanConfig;
use genscope_core::latent::{gaussian_latents, slerp, truncate};
use genscope_core::query::Query;
use genscope_core::weights::read_safetensors;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{Load, SiteContext};
use crate::engine::{Model, Op, Spec};
use crate::models::{self, ModelCard};
use crate::url;
use crate::widgets::{draw_gray, failure_panel, save_png, ErrorPanel, ModelCardPanel};

/// Cells per side of the grid.
const SIDE: usize = 8;
/// Samples in the grid.
const CELLS: usize = SIDE * SIDE;
/// Image side in pixels.
const PX: usize = GanConfig::SIDE;
/// The model shown when the URL names none.
const DEFAULT_MODEL: &str = "dcgan-mnist";
/// Neighbours shown around a pinned sample, and how far they are perturbed.
const NEIGHBOURS: usize = 8;
const NEIGHBOUR_SIGMA: f32 = 0.35;

/// A DCGAN on the current backend with its discriminator, the data set's classifier and its card.
pub struct LoadedGan {
    /// The card (with the timeline of generator snapshots).
    pub card: Rc<ModelCard>,
    /// Architecture.
    pub config: GanConfig,
    /// What it runs on, as the status line names it.
    pub backend: String,
    generator: Model,
    /// The discriminator and the data set's classifier, together.
    critics: Model,
    /// Class names of the data set.
    pub classes: [&'static str; 10],
}

impl PartialEq for LoadedGan {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Generates `z` (`n × latent`) with `generator`: images in [0, 1], `n × 784`.
async fn generate(generator: &Model, z: &[f32]) -> Result<Vec<f32>, String> {
    let images = generator.run_one(Op::Generate, z).await?;
    Ok(images.into_iter().map(|v| (v + 1.0) * 0.5).collect())
}

impl LoadedGan {
    /// Labels (class, probability) and discriminator scores (sigmoid) of `images` in [0, 1].
    async fn judge(&self, images: &[f32]) -> Result<Vec<(usize, f32, f32)>, String> {
        let Ok([logits, scores]) =
            <[Vec<f32>; 2]>::try_from(self.critics.run(Op::Judge, images).await?)
        else {
            return Err("the critics returned the wrong number of results".into());
        };
        Ok(logits
            .chunks(10)
            .zip(scores)
            .map(|(l, s)| {
                let p = genscope_core::sampling::softmax(l).unwrap_or_else(|_| vec![0.1; 10]);
                let best = genscope_core::sampling::ranking(&p)[0];
                (best, p[best], 1.0 / (1.0 + (-s).exp()))
            })
            .collect())
    }
}

fn classes_of(name: &str) -> [&'static str; 10] {
    if name.contains("fashion") {
        [
            "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
            "Boot",
        ]
    } else {
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    }
}

async fn load_gan(site: &SiteContext, name: &str) -> Result<LoadedGan, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err("the asset list is not loaded".into());
    };
    let card = models::fetch_card(manifest, name).await?;
    let ModelConfig::Gan(config) = card.model_config().map_err(|e| e.to_string())? else {
        return Err(format!(
            "assets/models/{name}.json: a {} card, not a GAN",
            card.kind
        ));
    };
    let mut weights = models::fetch_weights(manifest, name).await?;
    genscope_core::gan::fold_generator_batch_norms(&mut weights)
        .map_err(|e| format!("{name}: {e}"))?;
    let generator = Model::load(
        site.gpu.as_ref(),
        Spec::Generator(config.clone()),
        only(&weights, "generator."),
    )
    .await
    .map_err(|e| format!("assets/models/{name}.safetensors: {e}"))?;
    let dataset = if name.contains("fashion") {
        "fashion"
    } else {
        "mnist"
    };
    let classifier_name = format!("classifier-{dataset}");
    let classifier_card = models::fetch_card(manifest, &classifier_name).await?;
    let ModelConfig::Classifier(classifier_config) =
        classifier_card.model_config().map_err(|e| e.to_string())?
    else {
        return Err(format!(
            "{classifier_name}: a {} card, not a classifier",
            classifier_card.kind
        ));
    };
    let mut both = only(&weights, "discriminator.");
    let classifier_weights = models::fetch_weights(manifest, &classifier_name).await?;
    for n in classifier_weights.names() {
        let (shape, data) = classifier_weights.get(n).expect("listed");
        both.insert(n.to_string(), shape.to_vec(), data.to_vec())
            .map_err(|e| e.to_string())?;
    }
    let critics = Model::load(
        site.gpu.as_ref(),
        Spec::Critics(config.clone(), classifier_config),
        both,
    )
    .await
    .map_err(|e| {
        // Both models load together; the tensor named in the error says whose file is at fault.
        let e = e.to_string();
        let file = if e.contains("`classifier.") {
            &classifier_name
        } else {
            name
        };
        format!("assets/models/{file}.safetensors: {e}")
    })?;
    let backend = generator.backend_label(|| site.backend.label());
    Ok(LoadedGan {
        classes: classes_of(name),
        card: Rc::new(card),
        config,
        backend,
        generator,
        critics,
    })
}

/// The tensors whose names start with `prefix`.
fn only(weights: &genscope_core::nn::HostWeights, prefix: &str) -> genscope_core::nn::HostWeights {
    let mut out = genscope_core::nn::HostWeights::new();
    for n in weights.names().filter(|n| n.starts_with(prefix)) {
        let (shape, data) = weights.get(n).expect("listed");
        out.insert(n.to_string(), shape.to_vec(), data.to_vec())
            .expect("shapes were checked when read");
    }
    out
}

/// Draws 784-pixel images into `canvas` as a grid `columns` wide.
fn draw_grid(canvas: &HtmlCanvasElement, images: &[f32], columns: usize) {
    for (i, image) in images.chunks(PX * PX).enumerate() {
        draw_gray(
            canvas,
            image,
            PX,
            PX,
            ((i % columns) * PX) as f64,
            ((i / columns) * PX) as f64,
        );
    }
}

/// Page settings that live in the URL.
#[derive(Clone, Debug, PartialEq)]
struct GanState {
    seed: u64,
    truncation: f32,
    pinned: Vec<usize>,
}

impl GanState {
    fn from_query(q: &mut Query) -> Self {
        let pinned = q
            .get("pin")
            .map(|p| {
                p.split(',')
                    .filter_map(|c| c.trim().parse::<usize>().ok())
                    .filter(|&c| c < CELLS)
                    .take(2)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            seed: q.number("seed", 0.0, 1e9).map_or(1, |s| s as u64),
            truncation: q.number("trunc", 0.0, 2.0).unwrap_or(1.0),
            pinned,
        }
    }

    /// The grid's latents: the seed's samples scaled by the truncation.
    fn latents(&self, latent: usize) -> Vec<f32> {
        truncate(&gaussian_latents(self.seed, CELLS, latent), self.truncation)
    }
}

/// The GAN page.
#[component]
pub fn GanPage() -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let url_version = url::use_url_version("gan");
    let initial = use_memo(url_version, |_| url::current_query());
    let shipped: Vec<String> = match &site.manifest {
        Load::Ready(m) => m
            .files
            .iter()
            .filter_map(|f| f.path.strip_prefix("assets/models/dcgan-"))
            .filter_map(|p| p.strip_suffix(".json"))
            .map(|p| format!("dcgan-{p}"))
            .collect(),
        _ => Vec::new(),
    };
    let model = use_state(|| None::<String>);
    let state = use_state(|| GanState {
        seed: 1,
        truncation: 1.0,
        pinned: Vec::new(),
    });
    let loaded = use_state(|| Load::<Rc<LoadedGan>>::Loading);
    let notes = use_state(Vec::<String>::new);
    let error = use_state(|| None::<String>);
    // The last grid's time and the backend that drew it (a switch shows the old one until the new grid is drawn).
    let grid_ms = use_state(|| None::<(f64, String)>);
    let judged = use_state(Vec::<(usize, f32, f32)>::new);
    let watching = use_state(|| false);
    let speed = use_state(|| 0.02f32);
    let fps = use_state(|| None::<f64>);
    let reload = use_state(|| 0u32);
    let grid_ref = use_node_ref();

    // Model and state from the link.
    {
        let (model, state, notes, initial, reload) = (
            model.clone(),
            state.clone(),
            notes.clone(),
            initial.clone(),
            reload.clone(),
        );
        let applied = use_mut_ref(|| None::<u32>);
        let shipped = shipped.clone();
        use_effect_with((shipped.len(), url_version), move |&(_, version)| {
            if !shipped.is_empty() && *applied.borrow() != Some(version) {
                *applied.borrow_mut() = Some(version);
                let mut q = (*initial).clone();
                let names: Vec<&str> = shipped.iter().map(String::as_str).collect();
                let chosen =
                    q.choice("model", &names)
                        .unwrap_or(if names.contains(&DEFAULT_MODEL) {
                            DEFAULT_MODEL
                        } else {
                            names[0]
                        });
                state.set(GanState::from_query(&mut q));
                notes.set(q.notes);
                model.set(Some(chosen.to_string()));
                reload.set(*reload + 1);
            }
        });
    }

    let gpu_key = site.gpu.as_ref().map(|g| Rc::as_ptr(g) as usize);
    {
        let (loaded, site) = (loaded.clone(), site.clone());
        let generation = use_mut_ref(|| 0u64);
        use_effect_with(((*model).clone(), gpu_key, *reload), move |(name, _, _)| {
            if let Some(name) = name.clone() {
                *generation.borrow_mut() += 1;
                let mine = *generation.borrow();
                loaded.set(Load::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = load_gan(&site, &name).await;
                    if *generation.borrow() == mine {
                        loaded.set(match result {
                            Ok(gan) => Load::Ready(Rc::new(gan)),
                            Err(e) => Load::Failed(e),
                        });
                    }
                });
            }
        });
    }

    // Render the grid for the current state (not while watching: the walk draws its own frames).
    {
        let (grid_ref, grid_ms, judged, error) = (
            grid_ref.clone(),
            grid_ms.clone(),
            judged.clone(),
            error.clone(),
        );
        use_effect_with(
            ((*loaded).clone(), (*state).clone(), *watching),
            move |(loaded, state, watching)| {
                if let (Load::Ready(gan), false) = (loaded.clone(), *watching) {
                    let z = state.latents(gan.config.latent);
                    wasm_bindgen_futures::spawn_local(async move {
                        let started = models::now_ms();
                        match generate(&gan.generator, &z).await {
                            Ok(images) => {
                                let ms = models::now_ms() - started;
                                if let Some(c) = grid_ref.cast::<HtmlCanvasElement>() {
                                    draw_grid(&c, &images, SIDE);
                                }
                                grid_ms.set(Some((ms, gan.backend.clone())));
                                match gan.judge(&images).await {
                                    Ok(j) => judged.set(j),
                                    Err(e) => error.set(Some(format!("labelling failed: {e}"))),
                                }
                            }
                            Err(e) => error.set(Some(format!("generating failed: {e}"))),
                        }
                    });
                }
            },
        );
    }

    // Watch: every cell walks (slerp) from one random point to the next; frames are skipped while one renders.
    {
        let (grid_ref, loaded, state, fps, error) = (
            grid_ref.clone(),
            loaded.clone(),
            state.clone(),
            fps.clone(),
            error.clone(),
        );
        use_effect_with(
            (*watching, *speed, (*loaded).clone()),
            move |&(on, speed, _)| {
                let timer = match (on, (*loaded).clone()) {
                    (true, Load::Ready(gan)) => {
                        let latent = gan.config.latent;
                        let walk = Rc::new(std::cell::RefCell::new((
                            state.latents(latent),
                            truncate(
                                &gaussian_latents(state.seed ^ 0xABCD, CELLS, latent),
                                state.truncation,
                            ),
                            0.0f32,
                            state.seed,
                            false,
                            (models::now_ms(), 0u32),
                        )));
                        let truncation = state.truncation;
                        Some(gloo::timers::callback::Interval::new(16, move || {
                            let mut w = walk.borrow_mut();
                            if w.4 {
                                return; // the previous frame is still rendering
                            }
                            w.2 += speed;
                            if w.2 >= 1.0 {
                                w.2 = 0.0;
                                w.3 = w.3.wrapping_add(1);
                                w.0 = std::mem::take(&mut w.1);
                                w.1 = truncate(
                                    &gaussian_latents(w.3 ^ 0xABCD, CELLS, latent),
                                    truncation,
                                );
                            }
                            let z: Vec<f32> =
                                w.0.chunks(latent)
                                    .zip(w.1.chunks(latent))
                                    .flat_map(|(a, b)| slerp(a, b, w.2))
                                    .collect();
                            w.4 = true;
                            let (walk, gan, grid_ref, fps, error) = (
                                walk.clone(),
                                gan.clone(),
                                grid_ref.clone(),
                                fps.clone(),
                                error.clone(),
                            );
                            wasm_bindgen_futures::spawn_local(async move {
                                match generate(&gan.generator, &z).await {
                                    Ok(images) => {
                                        if let Some(c) = grid_ref.cast::<HtmlCanvasElement>() {
                                            draw_grid(&c, &images, SIDE);
                                        }
                                    }
                                    Err(e) => error.set(Some(format!("generating failed: {e}"))),
                                }
                                let mut w = walk.borrow_mut();
                                w.4 = false;
                                let (since, frames) = &mut w.5;
                                *frames += 1;
                                let elapsed = models::now_ms() - *since;
                                if elapsed > 1000.0 {
                                    fps.set(Some(f64::from(*frames) * 1000.0 / elapsed));
                                    *since = models::now_ms();
                                    *frames = 0;
                                }
                            });
                        }))
                    }
                    _ => None,
                };
                move || drop(timer)
            },
        );
    }

    // Keep the URL in step.
    {
        use_effect_with(((*model).clone(), (*state).clone()), move |(model, s)| {
            let timer = model.clone().map(|model| {
                let pairs = vec![
                    ("model", model),
                    ("seed", s.seed.to_string()),
                    (
                        "trunc",
                        format!("{}", (s.truncation * 100.0).round() / 100.0),
                    ),
                    (
                        "pin",
                        s.pinned
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                ];
                gloo::timers::callback::Timeout::new(250, move || url::replace("gan", &pairs))
            });
            move || drop(timer)
        });
    }

    let set_state = {
        let state = state.clone();
        Callback::from(move |s: GanState| state.set(s))
    };
    let s = (*state).clone();
    let on_seed = {
        let (set_state, s) = (set_state.clone(), s.clone());
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                let seed = i.value().parse::<u64>().unwrap_or(1).min(1_000_000_000);
                set_state.emit(GanState {
                    seed,
                    pinned: Vec::new(),
                    ..s.clone()
                });
            }
        })
    };
    let new_seed = {
        let (set_state, s) = (set_state.clone(), s.clone());
        Callback::from(move |_| {
            let seed = (js_sys::Math::random() * 1e9) as u64;
            set_state.emit(GanState {
                seed,
                pinned: Vec::new(),
                ..s.clone()
            });
        })
    };
    let on_truncation = {
        let (set_state, s) = (set_state.clone(), s.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                if let Ok(t) = i.value().parse::<f32>() {
                    set_state.emit(GanState {
                        truncation: t.clamp(0.0, 2.0),
                        ..s.clone()
                    });
                }
            }
        })
    };
    let on_model = {
        let model = model.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                model.set(Some(select.value()));
            }
        })
    };
    let pin = {
        let (set_state, s) = (set_state.clone(), s.clone());
        Callback::from(move |cell: usize| {
            let mut pinned = s.pinned.clone();
            if let Some(at) = pinned.iter().position(|&c| c == cell) {
                pinned.remove(at);
            } else {
                pinned.push(cell);
                if pinned.len() > 2 {
                    pinned.remove(0);
                }
            }
            set_state.emit(GanState {
                pinned,
                ..s.clone()
            });
        })
    };

    let body = match &*loaded {
        Load::Loading => html! { <p class="muted" id="gan-loading">{ "Loading the GAN…" }</p> },
        Load::Failed(e) => {
            let retry = {
                let reload = reload.clone();
                Callback::from(move |()| reload.set(*reload + 1))
            };
            html! { <ErrorPanel title="Could not load this GAN" message={e.clone()} on_retry={retry} /> }
        }
        Load::Ready(gan) => {
            let overlay = (0..CELLS).map(|cell| {
                let info = judged.get(cell).map(|&(class, p, score)| {
                    format!("{} ({:.0}%), D {:.2}", gan.classes[class], p * 100.0, score)
                });
                let pin = pin.clone();
                let pinned = s.pinned.contains(&cell);
                html! {
                    <button class={classes!("cell", pinned.then_some("pinned"))} data-cell={cell.to_string()}
                        title={info.clone().unwrap_or_default()} onclick={move |_| pin.emit(cell)}>
                        <span class="cell-label">{ info.map(|i| i.split(' ').next().unwrap_or("").to_string()).unwrap_or_default() }</span>
                    </button>
                }
            });
            let save = {
                let (grid_ref, name, seed) = (grid_ref.clone(), gan.card.name.clone(), s.seed);
                Callback::from(move |_| {
                    if let Some(c) = grid_ref.cast::<HtmlCanvasElement>() {
                        save_png(&c, &format!("{name}-seed-{seed}.png"));
                    }
                })
            };
            let toggle = {
                let watching = watching.clone();
                Callback::from(move |_| watching.set(!*watching))
            };
            let on_speed = {
                let speed = speed.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                        speed.set(i.value().parse::<f32>().unwrap_or(0.02).clamp(0.002, 0.2));
                    }
                })
            };
            html! {
                <>
                <div class="toolbar">
                    <label>{ "Seed " }<input id="gan-seed" type="number" min="0" value={s.seed.to_string()} onchange={on_seed} /></label>
                    <button id="new-seed" onclick={new_seed}>{ "New seed" }</button>
                    <label>{ "Truncation " }
                        <input id="truncation" type="range" min="0" max="2" step="0.05" value={format!("{}", s.truncation)} oninput={on_truncation} />
                        <span class="mono" id="truncation-value">{ format!("{:.2}", s.truncation) }</span>
                    </label>
                    <button id="watch" onclick={toggle}>{ if *watching { "Pause" } else { "Watch" } }</button>
                    <label>{ "Speed " }<input id="watch-speed" type="range" min="0.002" max="0.2" step="0.002" value={format!("{}", *speed)} oninput={on_speed} /></label>
                    <button id="save-grid" onclick={save}>{ "Save PNG" }</button>
                </div>
                <p class="muted small" id="grid-time">{
                    match (&*grid_ms, *fps, *watching) {
                        (_, Some(f), true) => format!("watching: {f:.1} frames/s · {}", gan.backend),
                        (Some((ms, backend)), _, _) => format!("grid of 64 in {ms:.1} ms · {backend}"),
                        _ => "generating…".into(),
                    }
                }</p>
                <div class="gan-main">
                    <div class="grid-wrap">
                        <canvas id="gan-grid" ref={grid_ref.clone()} width={(SIDE * PX).to_string()} height={(SIDE * PX).to_string()} class="pixelated"></canvas>
                        <div class="cells">{ for overlay }</div>
                    </div>
                    <Explore gan={Rc::clone(gan)} state={s.clone()} />
                </div>
                <Timeline gan={Rc::clone(gan)} seed={s.seed} truncation={s.truncation} />
                <ModelCardPanel card={Rc::clone(&gan.card)} />
                </>
            }
        }
    };
    html! {
        <section class="page" id="page-gan">
            <h1>{ "Samples from a GAN" }</h1>
            <p class="lead">{ "A generator turns random points into images; a discriminator learned to tell them from real ones. Hover a sample for the classifier's label and the discriminator's score; click to pin it." }</p>
            <div class="toolbar">
                <label>{ "Model " }
                    <select id="gan-model" onchange={on_model}>
                        { for shipped.iter().map(|m| html! { <option value={m.clone()} selected={Some(m) == (*model).as_ref()}>{ m }</option> }) }
                    </select>
                </label>
            </div>
            { for (!notes.is_empty()).then(|| html! {
                <div class="notice" id="url-notes" role="status">{ "The link's state could not all be used: " }{ notes.join("; ") }</div>
            }) }
            { failure_panel("Something failed on this page", &error, &reload) }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ExploreProps {
    gan: Rc<LoadedGan>,
    state: GanState,
}

/// Pinned samples: the first one's neighbours (small perturbations of its z) and, with two pinned, the
/// interpolation between them.
#[component]
fn Explore(props: &ExploreProps) -> Html {
    let neighbours_ref = use_node_ref();
    let strip_ref = use_node_ref();
    {
        let (gan, state) = (props.gan.clone(), props.state.clone());
        let (neighbours_ref, strip_ref) = (neighbours_ref.clone(), strip_ref.clone());
        use_effect_with((gan.clone(), state.clone()), move |_| {
            let latent = gan.config.latent;
            let z = state.latents(latent);
            let at = |cell: usize| z[cell * latent..(cell + 1) * latent].to_vec();
            if let Some(&first) = state.pinned.first() {
                let base = at(first);
                let noise =
                    gaussian_latents(state.seed ^ 0x5151 ^ first as u64, NEIGHBOURS, latent);
                let mut batch = base.clone();
                for n in noise.chunks(latent) {
                    batch.extend(base.iter().zip(n).map(|(b, e)| b + NEIGHBOUR_SIGMA * e));
                }
                let strip: Option<Vec<f32>> = state.pinned.get(1).map(|&second| {
                    let (a, b) = (at(first), at(second));
                    (0..8).flat_map(|i| slerp(&a, &b, i as f32 / 7.0)).collect()
                });
                wasm_bindgen_futures::spawn_local(async move {
                    if let (Ok(images), Some(c)) = (
                        generate(&gan.generator, &batch).await,
                        neighbours_ref.cast::<HtmlCanvasElement>(),
                    ) {
                        draw_grid(&c, &images, 3);
                    }
                    if let Some(strip) = strip {
                        if let (Ok(images), Some(c)) = (
                            generate(&gan.generator, &strip).await,
                            strip_ref.cast::<HtmlCanvasElement>(),
                        ) {
                            draw_grid(&c, &images, 8);
                        }
                    }
                });
            }
        });
    }
    let pinned = &props.state.pinned;
    html! {
        <div class="explore">
            <h2>{ "Explore" }</h2>
            if pinned.is_empty() {
                <p class="muted">{ "Click a sample to pin it: its neighbours appear here. Pin a second one for an interpolation." }</p>
            }
            <div hidden={pinned.is_empty()}>
                <p class="small muted">{ format!("Sample {} (centre) and {NEIGHBOURS} neighbours (z + {NEIGHBOUR_SIGMA}·noise)", pinned.first().map_or(0, |c| c + 1)) }</p>
                <canvas id="neighbours" ref={neighbours_ref} width={(3 * PX).to_string()} height={(3 * PX).to_string()} class="pixelated mid-grid"></canvas>
            </div>
            <div hidden={pinned.len() < 2}>
                <p class="small muted">{ "Interpolation (slerp) between the two pinned samples" }</p>
                <canvas id="gan-strip" ref={strip_ref} width={(8 * PX).to_string()} height={PX.to_string()} class="pixelated strip"></canvas>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TimelineProps {
    gan: Rc<LoadedGan>,
    seed: u64,
    truncation: f32,
}

/// The same seeds rendered by each shipped generator snapshot, from the first training step to the last.
#[component]
fn Timeline(props: &TimelineProps) -> Html {
    let snapshots: Vec<(u64, String)> = props
        .gan
        .card
        .timeline
        .iter()
        .filter_map(|t| {
            Some((
                t.get("step")?.as_u64()?,
                t.get("file")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let index = use_state(|| usize::MAX);
    let playing = use_state(|| false);
    let canvas_ref = use_node_ref();
    let status = use_state(String::new);
    // Snapshot generators by file, for the GAN they were loaded with (another backend or a reload starts afresh).
    let cache = use_mut_ref(|| {
        (
            0usize,
            std::collections::HashMap::<String, Rc<Model>>::new(),
        )
    });
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let last = snapshots.len().saturating_sub(1);
    let current = (*index).min(last);
    {
        let (canvas_ref, status, cache, gan) = (
            canvas_ref.clone(),
            status.clone(),
            cache.clone(),
            props.gan.clone(),
        );
        let (seed, truncation) = (props.seed, props.truncation);
        let snapshot = snapshots.get(current).cloned();
        use_effect_with(
            (current, seed, (truncation * 1000.0) as i64, gan.clone()),
            move |_| {
                if let (Some((step, file)), Load::Ready(manifest)) =
                    (snapshot, site.manifest.clone())
                {
                    wasm_bindgen_futures::spawn_local(async move {
                        let owner = Rc::as_ptr(&gan) as usize;
                        if cache.borrow().0 != owner {
                            *cache.borrow_mut() = (owner, std::collections::HashMap::new());
                        }
                        let cached = cache.borrow().1.get(&file).cloned();
                        let generator = match cached {
                            Some(g) => g,
                            None => {
                                let path = format!("assets/models/{file}");
                                let loaded = async {
                                    let bytes = models::fetch_asset(&manifest, &path).await?;
                                    let (weights, _) = read_safetensors(&bytes)
                                        .map_err(|e| format!("{path}: {e}"))?;
                                    // The last entry is the shipped model, which holds the discriminator too.
                                    let weights = only(&weights, "generator.");
                                    Model::load(
                                        site.gpu.as_ref(),
                                        Spec::Generator(gan.config.clone()),
                                        weights,
                                    )
                                    .await
                                    .map_err(|e| format!("{path}: {e}"))
                                };
                                match loaded.await {
                                    Ok(g) => {
                                        let g = Rc::new(g);
                                        cache.borrow_mut().1.insert(file.clone(), Rc::clone(&g));
                                        g
                                    }
                                    Err(e) => {
                                        status.set(e);
                                        return;
                                    }
                                }
                            }
                        };
                        let z =
                            truncate(&gaussian_latents(seed, 16, gan.config.latent), truncation);
                        match generate(&generator, &z).await {
                            Ok(images) => {
                                if let Some(c) = canvas_ref.cast::<HtmlCanvasElement>() {
                                    draw_grid(&c, &images, 8);
                                }
                                status.set(format!("step {step}"));
                            }
                            Err(e) => {
                                // Load it afresh next time (its worker may have stopped).
                                cache.borrow_mut().1.remove(&file);
                                status.set(e);
                            }
                        }
                    });
                }
            },
        );
    }
    {
        let (index, playing) = (index.clone(), playing.clone());
        use_effect_with((*playing, current), move |&(on, current)| {
            let timer = on.then(|| {
                gloo::timers::callback::Timeout::new(700, move || {
                    if current >= last {
                        playing.set(false);
                    } else {
                        index.set(current + 1);
                    }
                })
            });
            move || drop(timer)
        });
    }
    if snapshots.is_empty() {
        return html! {};
    }
    let on_scrub = {
        let index = index.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                index.set(i.value().parse().unwrap_or(0));
            }
        })
    };
    let play = {
        let (playing, index) = (playing.clone(), index.clone());
        Callback::from(move |_| {
            if !*playing && current >= last {
                index.set(0);
            }
            playing.set(!*playing);
        })
    };
    html! {
        <section class="timeline">
            <h2>{ "Watch it learn" }</h2>
            <p class="muted small">{ "The first 16 samples of this seed, drawn by the generator as it was at each saved training step." }</p>
            <div class="toolbar">
                <input id="timeline" type="range" min="0" max={last.to_string()} step="1" value={current.to_string()} oninput={on_scrub} aria-label="training step" />
                <button id="timeline-play" onclick={play}>{ if *playing { "Pause" } else { "Play" } }</button>
                <span id="timeline-step" class="mono">{ (*status).clone() }</span>
            </div>
            <canvas id="timeline-canvas" ref={canvas_ref} width={(8 * PX).to_string()} height={(2 * PX).to_string()} class="pixelated strip"></canvas>
        </section>
    }
}
