//! The VAE page: move through a VAE's latent space and watch the decoder follow.
//!
//! z=2 models get the latent map (a grid of decodes over ±3σ with a draggable cursor and the test set's encodings
//! on top); z=16 models get one slider per dimension. Both can encode a drawing or a test image (posterior mean,
//! 1σ ellipse, reconstruction, ELBO terms) and interpolate between two points. The model and the latent point live
//! in the URL.

use std::cell::RefCell;
use std::rc::Rc;

use genscope_core::card::ModelConfig;
use genscope_core::cpu::CpuBackend;
use genscope_core::dataset::LabelledImages;
use genscope_core::latent::{grid_2d, lerp, slerp};
use genscope_core::query;
use genscope_core::vae::VaeConfig;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{Load, SiteContext};
use crate::engine::{read_all, Built, Model, Op, Spec};
use crate::models::{self, ModelCard, Shared};
use crate::url;
use crate::widgets::{draw_gray, failure_panel, save_png, ErrorPanel, ModelCardPanel};

/// The latent map covers ±`EXTENT` in both directions.
const EXTENT: f32 = 3.0;
/// Tiles per side of the latent map.
const MAP_TILES: usize = 20;
/// Frames in the interpolation strip.
const STRIP_FRAMES: usize = 10;
/// Test images shown per page of the picker.
const PICKER_PAGE: usize = 12;
/// The model shown when the URL names none.
const DEFAULT_MODEL: &str = "vae-mnist-z2";

/// Class names of the two image data sets, for the legend.
fn class_names(dataset: &str) -> [&'static str; 10] {
    if dataset.starts_with("fashion") {
        [
            "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
            "Boot",
        ]
    } else {
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    }
}

/// Ten distinguishable colours for the classes.
const CLASS_COLOURS: [&str; 10] = [
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#bfef45", "#fabed4",
];

/// A VAE built on the current backend, with its card.
pub struct LoadedVae {
    /// The model card.
    pub card: Rc<ModelCard>,
    /// The architecture.
    pub config: VaeConfig,
    /// What it runs on, as the status line names it.
    pub backend: String,
    model: Model,
    /// On wasm CPU, a copy on the page's thread for the cursor alone: its 0.1 ms decode is drawn in the frame of the
    /// move, where the worker's reply, while input streams in, is handled after the next frame (measured: 18 ms
    /// input to pixels against 2 ms). Everything heavier (the map, the strip, encodes) runs in the worker.
    cursor: Option<RefCell<Built<CpuBackend>>>,
}

/// Two loaded models are the same only if they are the same load (a reload on another backend is a change).
impl PartialEq for LoadedVae {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl LoadedVae {
    /// Latents (`n × latent`, row-major) → `n` images of intensities in [0, 1].
    pub async fn decode(&self, z: &[f32]) -> Result<Vec<f32>, String> {
        self.model.run_one(Op::Decode, z).await
    }

    /// The cursor's point → its image, on the page's thread where there is a copy for it (see `cursor`).
    pub async fn decode_cursor(&self, z: &[f32]) -> Result<Vec<f32>, String> {
        let Some(local) = &self.cursor else {
            return self.decode(z).await;
        };
        let tensors = local.borrow_mut().record(&CpuBackend, &Op::Decode, z)?;
        let mut parts = read_all(&CpuBackend, &tensors).await?;
        parts
            .pop()
            .ok_or_else(|| "the model returned nothing".to_string())
    }

    /// Latents → Bernoulli logits.
    async fn decode_logits(&self, z: &[f32]) -> Result<Vec<f32>, String> {
        self.model.run_one(Op::DecodeLogits, z).await
    }

    /// Images → posterior means and log-variances.
    pub async fn encode(&self, images: &[f32]) -> Result<(Vec<f32>, Vec<f32>), String> {
        match <[Vec<f32>; 2]>::try_from(self.model.run(Op::Encode, images).await?) {
            Ok([mean, log_var]) => Ok((mean, log_var)),
            Err(_) => Err("the encoder returned the wrong number of results".into()),
        }
    }
}

async fn load_vae(site: &SiteContext, name: &str) -> Result<LoadedVae, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err("the asset list is not loaded".into());
    };
    let card = models::fetch_card(manifest, name).await?;
    let ModelConfig::Vae(config) = card.model_config().map_err(|e| e.to_string())? else {
        return Err(format!(
            "assets/models/{name}.json: a {} card, not a VAE",
            card.kind
        ));
    };
    let weights = models::fetch_weights(manifest, name).await?;
    let spec = Spec::Vae(config.clone());
    let cursor = if site.gpu.is_none() && crate::worker::cursor_on_page() {
        let built = Built::new(&CpuBackend, &spec, weights.clone())
            .map_err(|e| format!("assets/models/{name}.safetensors: {e}"))?;
        Some(RefCell::new(built))
    } else {
        None
    };
    let model = Model::load(site.gpu.as_ref(), spec, weights)
        .await
        .map_err(|e| format!("assets/models/{name}.safetensors: {e}"))?;
    let backend = model.backend_label(|| site.backend.label());
    Ok(LoadedVae {
        card: Rc::new(card),
        config,
        backend,
        model,
        cursor,
    })
}

async fn load_subset(site: &SiteContext, dataset: &str) -> Result<LabelledImages, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err("the asset list is not loaded".into());
    };
    let images =
        models::fetch_asset(manifest, &format!("assets/eval/{dataset}-test-images.idx")).await?;
    let labels =
        models::fetch_asset(manifest, &format!("assets/eval/{dataset}-test-labels.idx")).await?;
    LabelledImages::from_idx(&images, &labels).map_err(|e| format!("{dataset} test subset: {e}"))
}

/// `fashion` or `mnist`, from a model name.
fn dataset_of(model: &str) -> &'static str {
    if model.contains("fashion") {
        "fashion"
    } else {
        "mnist"
    }
}

/// The encoded input: what the posterior says and how well the decoder reconstructs it.
#[derive(Clone, PartialEq)]
struct Encoded {
    source: String,
    input: Vec<f32>,
    mean: Vec<f32>,
    log_var: Vec<f32>,
    reconstruction: Vec<f32>,
    /// −log p(x | z = mean) under the Bernoulli likelihood with the input intensities as targets, in nats.
    reconstruction_nats: f64,
    /// KL(q(z|x) ‖ N(0, I)) in nats.
    kl_nats: f64,
}

async fn encode_input(vae: &LoadedVae, source: String, input: Vec<f32>) -> Result<Encoded, String> {
    let (mean, log_var) = vae.encode(&input).await?;
    let logits = vae.decode_logits(&mean).await?;
    let reconstruction_nats = input
        .iter()
        .zip(&logits)
        .map(|(&x, &l)| {
            let (x, l) = (f64::from(x), f64::from(l));
            // softplus(l) − x·l, stable for large |l|.
            l.max(0.0) + (-l.abs()).exp().ln_1p() - x * l
        })
        .sum();
    let kl_nats = 0.5
        * mean
            .iter()
            .zip(&log_var)
            .map(|(&m, &lv)| f64::from(lv.exp() + m * m - lv - 1.0))
            .sum::<f64>();
    let reconstruction = logits.iter().map(|&l| 1.0 / (1.0 + (-l).exp())).collect();
    Ok(Encoded {
        source,
        input,
        mean,
        log_var,
        reconstruction,
        reconstruction_nats,
        kl_nats,
    })
}

/// Decodes the latest requested point, dropping points that were overtaken while a decode ran (so a slow
/// backend never falls behind the cursor).
#[derive(Default)]
struct DecodeQueue {
    busy: bool,
    pending: Option<(Rc<LoadedVae>, Vec<f32>, f64)>,
}

/// Appends one input-to-pixels latency to `window.genscopeVaeLatencies` (read by the e2e benchmark).
fn record_latency(ms: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = wasm_bindgen::JsValue::from_str("genscopeVaeLatencies");
    let list = js_sys::Reflect::get(&window, &key)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let list = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&window, &key, &list);
            list
        });
    // The newest 20,000 are plenty for percentiles and keep a long session from growing the list forever.
    if list.length() >= 20_000 {
        list.shift();
    }
    list.push(&ms.into());
}

fn canvas(node: &NodeRef) -> Option<HtmlCanvasElement> {
    node.cast::<HtmlCanvasElement>()
}

/// The VAE page.
#[component]
pub fn VaePage() -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let url_version = url::use_url_version("vae");
    let initial = use_memo(url_version, |_| url::current_query());
    let models_available: Vec<String> = match &site.manifest {
        Load::Ready(m) => m
            .files
            .iter()
            .filter_map(|f| f.path.strip_prefix("assets/models/vae-"))
            .filter_map(|p| p.strip_suffix(".json"))
            .map(|p| format!("vae-{p}"))
            .collect(),
        _ => Vec::new(),
    };
    let notes = use_state(Vec::<String>::new);
    let model = use_state(|| None::<String>);
    let z = use_state(Vec::<f32>::new);
    let loaded = use_state(|| Load::<Rc<LoadedVae>>::Loading);
    let subset = use_state(|| None::<(String, Rc<LabelledImages>)>);
    let scatter = use_state(|| None::<Rc<Vec<[f32; 2]>>>);
    let show_scatter = use_state(|| true);
    let encoded = use_state(|| None::<Rc<Encoded>>);
    // The last decode's time and the backend that drew it (a switch shows the old one until the new picture is drawn).
    let decode_ms = use_state(|| None::<(f64, String)>);
    let ends = use_state(|| (None::<Vec<f32>>, None::<Vec<f32>>));
    let slerp_mode = use_state(|| true);
    let picker_page = use_state(|| 0usize);
    let error = use_state(|| None::<String>);
    let queue = use_mut_ref(DecodeQueue::default);

    let decoded_ref = use_node_ref();
    let map_ref = use_node_ref();
    let map_canvas_ref = use_node_ref();
    let strip_ref = use_node_ref();
    let recon_ref = use_node_ref();
    let input_ref = use_node_ref();

    // Pick the model once the manifest says what ships, and again for each new link: the URL's if valid, else
    // the default. The latent point is then taken from the URL when the model loads.
    let reload = use_state(|| 0u32);
    {
        let (model, notes, initial, z, reload) = (
            model.clone(),
            notes.clone(),
            initial.clone(),
            z.clone(),
            reload.clone(),
        );
        let applied = use_mut_ref(|| None::<u32>);
        let available = models_available.clone();
        use_effect_with((available.len(), url_version), move |&(_, version)| {
            if !available.is_empty() && *applied.borrow() != Some(version) {
                *applied.borrow_mut() = Some(version);
                let mut q = (*initial).clone();
                let names: Vec<&str> = available.iter().map(String::as_str).collect();
                let chosen =
                    q.choice("model", &names)
                        .unwrap_or(if names.contains(&DEFAULT_MODEL) {
                            DEFAULT_MODEL
                        } else {
                            names[0]
                        });
                notes.set(q.notes.clone());
                model.set(Some(chosen.to_string()));
                z.set(Vec::new());
                reload.set(*reload + 1);
            }
        });
    }

    // Load the model (again when the backend changes, keeping the latent point).
    let gpu_key = site.gpu.as_ref().map(|g| Rc::as_ptr(g) as usize);
    {
        let (loaded, z, notes, initial, site, error) = (
            loaded.clone(),
            z.clone(),
            notes.clone(),
            initial.clone(),
            site.clone(),
            error.clone(),
        );
        let generation = use_mut_ref(|| 0u64);
        use_effect_with(((*model).clone(), gpu_key, *reload), move |(name, _, _)| {
            if let Some(name) = name.clone() {
                loaded.set(Load::Loading);
                // Only the latest load may land: a slow CPU load must not replace a newer WebGPU one.
                *generation.borrow_mut() += 1;
                let mine = *generation.borrow();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = load_vae(&site, &name).await;
                    if *generation.borrow() != mine {
                        return;
                    }
                    match result {
                        Ok(vae) => {
                            let latent = vae.config.latent;
                            if z.len() != latent {
                                // First load (take the URL's point) or a new model (start at the origin).
                                let mut q = (*initial).clone();
                                let from_url = (q.get("model") == Some(name.as_str()))
                                    .then(|| q.numbers("z", latent, EXTENT))
                                    .flatten();
                                if q.get("model") == Some(name.as_str()) {
                                    let mut all = (*notes).clone();
                                    all.extend(q.notes);
                                    notes.set(all);
                                }
                                z.set(from_url.unwrap_or_else(|| vec![0.0; latent]));
                            }
                            error.set(None);
                            loaded.set(Load::Ready(Rc::new(vae)));
                        }
                        Err(e) => loaded.set(Load::Failed(e)),
                    }
                });
            }
        });
    }

    // Decode a point: the queue keeps only the newest request while a decode runs.
    let request_decode = {
        let (queue, decoded_ref, decode_ms, error) = (
            queue.clone(),
            decoded_ref.clone(),
            decode_ms.clone(),
            error.clone(),
        );
        Callback::from(move |(vae, point, since): (Rc<LoadedVae>, Vec<f32>, f64)| {
            let mut q = queue.borrow_mut();
            q.pending = Some((vae, point, since));
            if q.busy {
                return;
            }
            q.busy = true;
            drop(q);
            let (queue, decoded_ref, decode_ms, error) = (
                queue.clone(),
                decoded_ref.clone(),
                decode_ms.clone(),
                error.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                loop {
                    let Some((vae, point, since)) = queue.borrow_mut().pending.take() else {
                        queue.borrow_mut().busy = false;
                        return;
                    };
                    let started = models::now_ms();
                    match vae.decode_cursor(&point).await {
                        Ok(pixels) => {
                            if let Some(c) = canvas(&decoded_ref) {
                                draw_gray(
                                    &c,
                                    &pixels,
                                    vae.config.width,
                                    vae.config.height,
                                    0.0,
                                    0.0,
                                );
                                // Decodes drawn so far, for the long-use test (set directly: no re-render).
                                let n = c
                                    .get_attribute("data-decodes")
                                    .and_then(|n| n.parse::<u64>().ok())
                                    .unwrap_or(0);
                                let _ = c.set_attribute("data-decodes", &(n + 1).to_string());
                                // The point this picture shows (decodes finish after the move that asked for them).
                                let _ = c.set_attribute("data-z", &query::format_numbers(&point));
                            }
                            let done = models::now_ms();
                            decode_ms.set(Some((done - started, vae.backend.clone())));
                            if since > 0.0 {
                                record_latency(done - since);
                            }
                        }
                        Err(e) => error.set(Some(format!("decoding failed: {e}"))),
                    }
                }
            });
        })
    };
    {
        let request_decode = request_decode.clone();
        // Moves decode straight from their handler (see `move_to`); this covers a new model or backend.
        let z = (*z).clone();
        use_effect_with((*loaded).clone(), move |loaded| {
            if let Load::Ready(vae) = loaded {
                if z.len() == vae.config.latent {
                    request_decode.emit((Rc::clone(vae), z, 0.0));
                }
            }
        });
    }
    // Keep the URL in step (replaceState, so dragging adds no history entries).
    {
        use_effect_with(((*model).clone(), (*z).clone()), move |(model, z)| {
            let timer = model.clone().filter(|_| !z.is_empty()).map(|model| {
                let z = z.clone();
                gloo::timers::callback::Timeout::new(200, move || {
                    url::replace("vae", &[("model", model), ("z", query::format_numbers(&z))])
                })
            });
            move || drop(timer)
        });
    }

    // The latent map (z = 2): decode the whole grid once per model and backend.
    {
        let map_canvas_ref = map_canvas_ref.clone();
        let error = error.clone();
        use_effect_with((*loaded).clone(), move |loaded| {
            if let Load::Ready(vae) = loaded.clone() {
                if vae.config.latent == 2 {
                    wasm_bindgen_futures::spawn_local(async move {
                        let grid: Vec<f32> =
                            grid_2d(MAP_TILES, EXTENT).into_iter().flatten().collect();
                        match vae.decode(&grid).await {
                            Ok(pixels) => {
                                if let Some(c) = canvas(&map_canvas_ref) {
                                    let (w, h) = (vae.config.width, vae.config.height);
                                    for (i, tile) in pixels.chunks(w * h).enumerate() {
                                        let (row, col) = (i / MAP_TILES, i % MAP_TILES);
                                        draw_gray(
                                            &c,
                                            tile,
                                            w,
                                            h,
                                            (col * w) as f64,
                                            (row * h) as f64,
                                        );
                                    }
                                }
                            }
                            Err(e) => error.set(Some(format!("decoding the map failed: {e}"))),
                        }
                    });
                }
            }
        });
    }

    // The evaluation subset of the model's data set, and (z = 2) its encodings for the scatter.
    {
        let (subset, scatter, site, error) =
            (subset.clone(), scatter.clone(), site.clone(), error.clone());
        use_effect_with((*loaded).clone(), move |loaded| {
            if let Load::Ready(vae) = loaded.clone() {
                let dataset = dataset_of(&vae.card.name);
                let current = (*subset).clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let images = match current.filter(|(d, _)| d == dataset) {
                        Some((_, images)) => images,
                        None => match load_subset(&site, dataset).await {
                            Ok(images) => {
                                let images = Rc::new(images);
                                subset.set(Some((dataset.to_string(), Rc::clone(&images))));
                                images
                            }
                            Err(e) => {
                                error.set(Some(e));
                                return;
                            }
                        },
                    };
                    scatter.set(None);
                    if vae.config.latent == 2 {
                        match vae.encode(&images.pixels).await {
                            Ok((mean, _)) => scatter.set(Some(Rc::new(
                                mean.chunks(2).map(|m| [m[0], m[1]]).collect(),
                            ))),
                            Err(e) => {
                                error.set(Some(format!("encoding the test images failed: {e}")))
                            }
                        }
                    }
                });
            }
        });
    }

    // Draw the encoded input and its reconstruction.
    {
        let (recon_ref, input_ref) = (recon_ref.clone(), input_ref.clone());
        let size = match &*loaded {
            Load::Ready(v) => (v.config.width, v.config.height),
            _ => (28, 28),
        };
        use_effect_with((*encoded).clone(), move |encoded| {
            if let Some(e) = encoded {
                if let Some(c) = canvas(&input_ref) {
                    draw_gray(&c, &e.input, size.0, size.1, 0.0, 0.0);
                }
                if let Some(c) = canvas(&recon_ref) {
                    draw_gray(&c, &e.reconstruction, size.0, size.1, 0.0, 0.0);
                }
            }
        });
    }

    // The interpolation strip between A and B.
    {
        let (strip_ref, error) = (strip_ref.clone(), error.clone());
        use_effect_with(
            ((*loaded).clone(), (*ends).clone(), *slerp_mode),
            move |(loaded, ends, spherical)| {
                if let (Load::Ready(vae), (Some(a), Some(b))) = (loaded.clone(), ends.clone()) {
                    if a.len() == vae.config.latent && b.len() == a.len() {
                        let spherical = *spherical;
                        wasm_bindgen_futures::spawn_local(async move {
                            let frames: Vec<f32> = (0..STRIP_FRAMES)
                                .flat_map(|i| {
                                    let t = i as f32 / (STRIP_FRAMES - 1) as f32;
                                    if spherical {
                                        slerp(&a, &b, t)
                                    } else {
                                        lerp(&a, &b, t)
                                    }
                                })
                                .collect();
                            match vae.decode(&frames).await {
                                Ok(pixels) => {
                                    if let Some(c) = canvas(&strip_ref) {
                                        let (w, h) = (vae.config.width, vae.config.height);
                                        for (i, frame) in pixels.chunks(w * h).enumerate() {
                                            draw_gray(&c, frame, w, h, (i * w) as f64, 0.0);
                                        }
                                    }
                                }
                                Err(e) => error.set(Some(format!("interpolation failed: {e}"))),
                            }
                        });
                    }
                }
            },
        );
    }

    let vae = match &*loaded {
        Load::Ready(vae) => Some(Rc::clone(vae)),
        _ => None,
    };
    let latent = vae.as_ref().map_or(0, |v| v.config.latent);

    // Moving the point: from the map, the keyboard, the sliders, the buttons.
    let move_to = {
        let (z, vae, request_decode) = (z.clone(), vae.clone(), request_decode.clone());
        Callback::from(move |(point, since): (Vec<f32>, f64)| {
            let point: Vec<f32> = point.iter().map(|v| v.clamp(-EXTENT, EXTENT)).collect();
            if let Some(vae) = &vae {
                if point.len() == vae.config.latent {
                    // Decode right away (not after the re-render) so the pixels follow the pointer.
                    request_decode.emit((Rc::clone(vae), point.clone(), since));
                    z.set(point);
                }
            }
        })
    };

    let on_model = {
        let (model, encoded, ends) = (model.clone(), encoded.clone(), ends.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                encoded.set(None);
                ends.set((None, None));
                model.set(Some(select.value()));
            }
        })
    };

    let pick_image = {
        let (vae, subset, encoded, error) =
            (vae.clone(), subset.clone(), encoded.clone(), error.clone());
        Callback::from(move |index: usize| {
            let (Some(vae), Some((_, images))) = (vae.clone(), (*subset).clone()) else {
                return;
            };
            let (encoded, error) = (encoded.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let label =
                    class_names(dataset_of(&vae.card.name))[images.labels[index] as usize];
                let source = format!("test image #{index} ({label})");
                match encode_input(&vae, source, images.image(index).to_vec()).await {
                    Ok(e) => encoded.set(Some(Rc::new(e))),
                    Err(e) => error.set(Some(format!("encoding failed: {e}"))),
                }
            });
        })
    };
    let encode_drawing = {
        let (vae, encoded, error) = (vae.clone(), encoded.clone(), error.clone());
        Callback::from(move |pixels: Vec<f32>| {
            let Some(vae) = vae.clone() else { return };
            let (encoded, error) = (encoded.clone(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match encode_input(&vae, "your drawing".into(), pixels).await {
                    Ok(e) => encoded.set(Some(Rc::new(e))),
                    Err(e) => error.set(Some(format!("encoding failed: {e}"))),
                }
            });
        })
    };

    let retry = {
        let reload = reload.clone();
        Callback::from(move |()| reload.set(*reload + 1))
    };
    let body = match &*loaded {
        Load::Loading => html! { <p class="muted" id="vae-loading">{ "Loading the model…" }</p> },
        Load::Failed(e) => html! {
            <ErrorPanel title="Could not load this VAE" message={e.clone()} on_retry={retry} />
        },
        Load::Ready(vae) => {
            let dataset = dataset_of(&vae.card.name);
            let names = class_names(dataset);
            let explorer = if latent == 2 {
                html! {
                    <LatentMap
                        map_ref={map_ref.clone()}
                        canvas_ref={map_canvas_ref.clone()}
                        z={(*z).clone()}
                        scatter={(*show_scatter).then(|| (*scatter).clone()).flatten()}
                        images={(*subset).as_ref().map(|(_, s)| Shared(Rc::clone(s)))}
                        encoded={(*encoded).clone()}
                        on_move={move_to.clone()}
                        tile={vae.config.width}
                    />
                }
            } else {
                html! { <Sliders z={(*z).clone()} on_move={move_to.clone()} /> }
            };
            let legend = (latent == 2).then(|| {
                let toggle = {
                    let show_scatter = show_scatter.clone();
                    Callback::from(move |_| show_scatter.set(!*show_scatter))
                };
                html! {
                    <div class="legend">
                        <label><input id="scatter-toggle" type="checkbox" checked={*show_scatter} onchange={toggle} />
                            { " test-set encodings (1,000 images)" }</label>
                        { for names.iter().zip(CLASS_COLOURS).map(|(n, c)| html! {
                            <span class="swatch"><i style={format!("background:{c}")}></i>{ *n }</span>
                        }) }
                    </div>
                }
            });
            let save = {
                let decoded_ref = decoded_ref.clone();
                let name = vae.card.name.clone();
                Callback::from(move |_| {
                    if let Some(c) = canvas(&decoded_ref) {
                        save_png(&c, &format!("{name}-decoded.png"));
                    }
                })
            };
            let save_map = (latent == 2).then(|| {
                let map_canvas_ref = map_canvas_ref.clone();
                let name = vae.card.name.clone();
                let onclick = Callback::from(move |_| {
                    if let Some(c) = canvas(&map_canvas_ref) {
                        save_png(&c, &format!("{name}-map.png"));
                    }
                });
                html! { <button id="save-map" {onclick}>{ "Save map PNG" }</button> }
            });
            let readout = (*z)
                .iter()
                .map(|v| format!("{v:.2}"))
                .collect::<Vec<_>>()
                .join(", ");
            html! {
                <>
                <div class="vae-explore">
                    { explorer }
                    <div class="decoded-panel">
                        <canvas id="decoded" ref={decoded_ref.clone()} width={vae.config.width.to_string()}
                            height={vae.config.height.to_string()} class="pixelated big"></canvas>
                        <p id="z-readout" class="mono">{ format!("z = ({readout})") }</p>
                        <p class="muted small" id="decode-time">{
                            match &*decode_ms {
                                Some((ms, backend)) => format!("decode {ms:.2} ms · {backend}"),
                                None => "decoding…".into(),
                            }
                        }</p>
                        <button id="save-png" onclick={save}>{ "Save PNG" }</button>
                        { for save_map }
                    </div>
                </div>
                { for legend }
                <Interpolation
                    ends={(*ends).clone()} slerp={*slerp_mode} z={(*z).clone()}
                    strip_ref={strip_ref.clone()} on_move={move_to.clone()}
                    on_ends={{ let ends = ends.clone(); Callback::from(move |e| ends.set(e)) }}
                    on_mode={{ let m = slerp_mode.clone(); Callback::from(move |s| m.set(s)) }}
                    encoded={(*encoded).as_ref().map(|e| e.mean.clone())}
                    width={vae.config.width}
                />
                <section class="encode">
                    <h2>{ "Encode an image" }</h2>
                    <div class="encode-row">
                        <DrawPad size={vae.config.width} on_done={encode_drawing} />
                        <TestPicker images={(*subset).as_ref().map(|(_, s)| Shared(Rc::clone(s)))}
                            page={*picker_page} names={names.map(String::from).to_vec()}
                            on_page={{ let p = picker_page.clone(); Callback::from(move |n| p.set(n)) }}
                            on_pick={pick_image} />
                        <EncodedPanel encoded={(*encoded).clone()} input_ref={input_ref.clone()}
                            recon_ref={recon_ref.clone()} size={vae.config.width}
                            on_move={move_to.clone()} />
                    </div>
                </section>
                <ModelCardPanel card={Rc::clone(&vae.card)} />
                </>
            }
        }
    };

    let picker = html! {
        <label>{ "Model " }
            <select id="vae-model" onchange={on_model}>
                { for models_available.iter().map(|m| html! {
                    <option value={m.clone()} selected={Some(m) == (*model).as_ref()}>{ m }</option>
                }) }
            </select>
        </label>
    };
    html! {
        <section class="page" id="page-vae">
            <h1>{ "Latent space of a VAE" }</h1>
            <p class="lead">{ "Drag the cursor over the map (or use the sliders): each point of the latent space decodes to an image, live, on your machine." }</p>
            <div class="toolbar">{ picker }</div>
            { for (!notes.is_empty()).then(|| html! {
                <div class="notice" id="url-notes" role="status">
                    { "The link's state could not all be used: " }{ notes.join("; ") }
                </div>
            }) }
            { failure_panel("Something failed on this page", &error, &reload) }
            { body }
        </section>
    }
}

/// Properties of [`LatentMap`].
#[derive(Properties, PartialEq)]
struct LatentMapProps {
    map_ref: NodeRef,
    canvas_ref: NodeRef,
    z: Vec<f32>,
    scatter: Option<Rc<Vec<[f32; 2]>>>,
    images: Option<Shared<LabelledImages>>,
    encoded: Option<Rc<Encoded>>,
    on_move: Callback<(Vec<f32>, f64)>,
    tile: usize,
}

/// Map coordinates: latent units → percent of the map's width/height.
fn to_percent(z: [f32; 2]) -> (f32, f32) {
    (
        (z[0] + EXTENT) / (2.0 * EXTENT) * 100.0,
        (EXTENT - z[1]) / (2.0 * EXTENT) * 100.0,
    )
}

/// The 2-D latent map: decoded tiles, the test set's encodings, the encoded input with its 1σ ellipse, and the
/// cursor. Drag it, click it, or focus it and use the arrow keys.
#[component]
fn LatentMap(props: &LatentMapProps) -> Html {
    let dragging = use_mut_ref(|| false);
    let point_at = {
        let map_ref = props.map_ref.clone();
        move |x: i32, y: i32| -> Option<Vec<f32>> {
            let element = map_ref.cast::<web_sys::Element>()?;
            let rect = element.get_bounding_client_rect();
            let fx = (f64::from(x) - rect.left()) / rect.width();
            let fy = (f64::from(y) - rect.top()) / rect.height();
            Some(vec![
                (-EXTENT + fx as f32 * 2.0 * EXTENT).clamp(-EXTENT, EXTENT),
                (EXTENT - fy as f32 * 2.0 * EXTENT).clamp(-EXTENT, EXTENT),
            ])
        }
    };
    let on_down = {
        let (dragging, on_move, point_at) =
            (dragging.clone(), props.on_move.clone(), point_at.clone());
        Callback::from(move |e: PointerEvent| {
            *dragging.borrow_mut() = true;
            if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            if let Some(p) = point_at(e.client_x(), e.client_y()) {
                on_move.emit((p, e.time_stamp()));
            }
        })
    };
    let on_pointer_move = {
        let (dragging, on_move, point_at) =
            (dragging.clone(), props.on_move.clone(), point_at.clone());
        Callback::from(move |e: PointerEvent| {
            if *dragging.borrow() {
                if let Some(p) = point_at(e.client_x(), e.client_y()) {
                    on_move.emit((p, e.time_stamp()));
                }
            }
        })
    };
    let on_up = {
        let dragging = dragging.clone();
        Callback::from(move |_: PointerEvent| *dragging.borrow_mut() = false)
    };
    let on_key = {
        let (on_move, z) = (props.on_move.clone(), props.z.clone());
        Callback::from(move |e: KeyboardEvent| {
            let step = if e.shift_key() { 0.5 } else { 0.1 };
            let (dx, dy) = match e.key().as_str() {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, step),
                "ArrowDown" => (0.0, -step),
                _ => return,
            };
            e.prevent_default();
            if z.len() == 2 {
                on_move.emit((vec![z[0] + dx, z[1] + dy], e.time_stamp()));
            }
        })
    };
    let size = MAP_TILES * props.tile;
    let (cx, cy) = if props.z.len() == 2 {
        to_percent([props.z[0], props.z[1]])
    } else {
        (50.0, 50.0)
    };
    let ticks = [-3, -2, -1, 0, 1, 2, 3];
    html! {
        <div class="map-wrap">
            <div id="latent-map" class="latent-map" ref={props.map_ref.clone()} tabindex="0"
                role="slider" aria-label="latent point (arrow keys move it)"
                aria-valuetext={format!("z = ({:.2}, {:.2})", props.z.first().unwrap_or(&0.0), props.z.get(1).unwrap_or(&0.0))}
                onpointerdown={on_down} onpointermove={on_pointer_move} onpointerup={on_up.clone()}
                onpointercancel={on_up} onkeydown={on_key}>
                <canvas id="map-canvas" ref={props.canvas_ref.clone()} width={size.to_string()}
                    height={size.to_string()} class="pixelated"></canvas>
                <Scatter points={props.scatter.clone()} images={props.images.clone()} />
                { for props.encoded.as_ref().map(|e| {
                    let (x, y) = to_percent([e.mean[0], e.mean[1]]);
                    let (sx, sy) = (
                        (e.log_var[0] * 0.5).exp() / (2.0 * EXTENT) * 100.0,
                        (e.log_var[1] * 0.5).exp() / (2.0 * EXTENT) * 100.0,
                    );
                    html! {
                        <svg class="overlay" viewBox="0 0 100 100" preserveAspectRatio="none">
                            <ellipse id="posterior-ellipse" cx={x.to_string()} cy={y.to_string()}
                                rx={sx.to_string()} ry={sy.to_string()} />
                            <circle class="posterior-mean" cx={x.to_string()} cy={y.to_string()} r="0.9" />
                        </svg>
                    }
                }) }
                <div id="map-cursor" class="cursor" style={format!("left:{cx}%;top:{cy}%")}></div>
            </div>
            <div class="axis x">{ for ticks.iter().map(|t| html! { <span>{ t }</span> }) }</div>
            <p class="muted small">{ "z₁ → (right), z₂ ↑ (up), in units of the prior's σ" }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ScatterProps {
    points: Option<Rc<Vec<[f32; 2]>>>,
    images: Option<Shared<LabelledImages>>,
}

/// The test set's posterior means over the map, one colour per class; `data-centroids` carries each class's
/// mean position (latent units) for the tests and the curious.
#[component]
fn Scatter(props: &ScatterProps) -> Html {
    let (Some(points), Some(images)) = (&props.points, &props.images) else {
        return html! {};
    };
    let labels = &images.labels;
    let mut sums = [[0.0f64; 3]; 10];
    for (p, &l) in points.iter().zip(labels.iter()) {
        let s = &mut sums[l as usize % 10];
        s[0] += f64::from(p[0]);
        s[1] += f64::from(p[1]);
        s[2] += 1.0;
    }
    let centroids = sums
        .iter()
        .map(|s| format!("{:.4},{:.4}", s[0] / s[2].max(1.0), s[1] / s[2].max(1.0)))
        .collect::<Vec<_>>()
        .join(";");
    let dots = points.iter().zip(labels.iter()).filter_map(|(p, &l)| {
        if p[0].abs() > EXTENT || p[1].abs() > EXTENT {
            return None;
        }
        let (x, y) = to_percent(*p);
        Some(html! {
            <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="0.45"
                fill={CLASS_COLOURS[l as usize % 10]} />
        })
    });
    html! {
        <svg id="scatter" class="overlay" viewBox="0 0 100 100" preserveAspectRatio="none"
            data-centroids={centroids} data-count={points.len().to_string()}>
            { for dots }
        </svg>
    }
}

#[derive(Properties, PartialEq)]
struct SlidersProps {
    z: Vec<f32>,
    on_move: Callback<(Vec<f32>, f64)>,
}

/// One slider per latent dimension (Tab moves between them), plus prior samples, reset and one random dimension.
#[component]
fn Sliders(props: &SlidersProps) -> Html {
    let seed = use_mut_ref(|| 0x853c_49e6_748f_ea9bu64);
    let gaussian = {
        let seed = seed.clone();
        move || {
            // Box–Muller on a xorshift stream: the page needs variety, not cryptography.
            let next = || {
                let mut s = seed.borrow_mut();
                *s ^= *s << 13;
                *s ^= *s >> 7;
                *s ^= *s << 17;
                ((*s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
            };
            let (u, v) = (next(), next());
            ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
        }
    };
    let z = &props.z;
    let sliders = z.iter().enumerate().map(|(i, v)| {
        let (on_move, z) = (props.on_move.clone(), z.clone());
        let oninput = Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Ok(value) = input.value().parse::<f32>() {
                    let mut next = z.clone();
                    next[i] = value;
                    on_move.emit((next, e.time_stamp()));
                }
            }
        });
        html! {
            <label class="slider">
                <span class="mono">{ format!("z{:<2}", i + 1) }</span>
                <input type="range" class="latent-slider" data-dim={i.to_string()} min="-3" max="3" step="0.01"
                    value={format!("{v}")} {oninput} aria-label={format!("latent dimension {}", i + 1)} />
                <span class="mono value">{ format!("{v:+.2}") }</span>
            </label>
        }
    });
    let prior = {
        let (on_move, n, gaussian) = (props.on_move.clone(), z.len(), gaussian.clone());
        Callback::from(move |_| on_move.emit(((0..n).map(|_| gaussian()).collect(), 0.0)))
    };
    let zero = {
        let (on_move, n) = (props.on_move.clone(), z.len());
        Callback::from(move |_| on_move.emit((vec![0.0; n], 0.0)))
    };
    let one = {
        let (on_move, z, seed) = (props.on_move.clone(), z.clone(), seed.clone());
        Callback::from(move |_| {
            let mut next = z.clone();
            if next.is_empty() {
                return;
            }
            let i = (*seed.borrow() % next.len() as u64) as usize;
            next[i] = gaussian();
            on_move.emit((next, 0.0));
        })
    };
    html! {
        <div class="sliders">
            <div class="buttons">
                <button id="sample-prior" onclick={prior}>{ "Sample from prior" }</button>
                <button id="reset-zero" onclick={zero}>{ "Reset to zero" }</button>
                <button id="randomise-one" onclick={one}>{ "Randomise one" }</button>
            </div>
            { for sliders }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct InterpolationProps {
    ends: Ends,
    slerp: bool,
    z: Vec<f32>,
    encoded: Option<Vec<f32>>,
    strip_ref: NodeRef,
    on_move: Callback<(Vec<f32>, f64)>,
    on_ends: Callback<Ends>,
    on_mode: Callback<bool>,
    width: usize,
}

/// The interpolation's two end points (A, B), each set or not.
type Ends = (Option<Vec<f32>>, Option<Vec<f32>>);

/// Two end points (the current point or the encoded input), lerp or slerp, a strip of decoded frames (click a frame
/// to go there) and an animation along the path.
#[component]
fn Interpolation(props: &InterpolationProps) -> Html {
    let playing = use_mut_ref(|| None::<gloo::timers::callback::Interval>);
    let set = |which: usize, point: Option<Vec<f32>>| {
        let (on_ends, ends) = (props.on_ends.clone(), props.ends.clone());
        Callback::from(move |_| {
            let mut next = ends.clone();
            if which == 0 {
                next.0 = point.clone()
            } else {
                next.1 = point.clone()
            }
            on_ends.emit(next);
        })
    };
    let ready = matches!(&props.ends, (Some(_), Some(_)));
    let path = {
        let (ends, spherical) = (props.ends.clone(), props.slerp);
        move |t: f32| match &ends {
            (Some(a), Some(b)) => Some(if spherical {
                slerp(a, b, t)
            } else {
                lerp(a, b, t)
            }),
            _ => None,
        }
    };
    let play = {
        let (playing, on_move, path) = (playing.clone(), props.on_move.clone(), path.clone());
        Callback::from(move |_| {
            let mut slot = playing.borrow_mut();
            if slot.take().is_some() {
                return;
            }
            let (on_move, path, playing) = (on_move.clone(), path.clone(), playing.clone());
            let mut frame = 0u32;
            *slot = Some(gloo::timers::callback::Interval::new(33, move || {
                // Two seconds out and two back, then stop.
                let t = frame as f32 / 60.0;
                let t = if t <= 1.0 { t } else { 2.0 - t };
                if let Some(p) = path(t.clamp(0.0, 1.0)) {
                    on_move.emit((p, 0.0));
                }
                frame += 1;
                if frame > 120 {
                    if let Ok(mut slot) = playing.try_borrow_mut() {
                        slot.take();
                    }
                }
            }));
        })
    };
    let on_strip = {
        let (on_move, path) = (props.on_move.clone(), path.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e.target_dyn_into::<web_sys::Element>() else {
                return;
            };
            let rect = el.get_bounding_client_rect();
            let f = ((f64::from(e.client_x()) - rect.left()) / rect.width()).clamp(0.0, 0.999);
            let i = (f * STRIP_FRAMES as f64) as usize;
            if let Some(p) = path(i as f32 / (STRIP_FRAMES - 1) as f32) {
                on_move.emit((p, e.time_stamp()));
            }
        })
    };
    let mode = {
        let on_mode = props.on_mode.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on_mode.emit(select.value() == "slerp");
            }
        })
    };
    let describe = |p: &Option<Vec<f32>>| match p {
        Some(v) => {
            v.iter()
                .take(4)
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
                + if v.len() > 4 { ", …" } else { "" }
        }
        None => "not set".into(),
    };
    html! {
        <section class="interpolation">
            <h2>{ "Interpolate" }</h2>
            <div class="toolbar">
                <button id="set-a" onclick={set(0, Some(props.z.clone()))}>{ "A = current point" }</button>
                <button id="set-b" onclick={set(1, Some(props.z.clone()))}>{ "B = current point" }</button>
                { for props.encoded.clone().map(|m| html! {
                    <button id="set-b-encoded" onclick={set(1, Some(m))}>{ "B = encoded input" }</button>
                }) }
                <select id="interp-mode" onchange={mode}>
                    <option value="slerp" selected={props.slerp}>{ "slerp" }</option>
                    <option value="lerp" selected={!props.slerp}>{ "lerp" }</option>
                </select>
                <button id="interp-play" onclick={play} disabled={!ready}>{ "Play / stop" }</button>
            </div>
            <p class="muted small mono">{ format!("A = ({})   B = ({})", describe(&props.ends.0), describe(&props.ends.1)) }</p>
            <canvas id="interp-strip" ref={props.strip_ref.clone()} class="pixelated strip"
                width={(props.width * STRIP_FRAMES).to_string()} height={props.width.to_string()}
                onclick={on_strip} hidden={!ready}></canvas>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DrawPadProps {
    size: usize,
    on_done: Callback<Vec<f32>>,
}

/// A drawing canvas (mouse, pen or touch) whose picture is averaged down to the model's image size and encoded
/// when a stroke ends.
#[component]
fn DrawPad(props: &DrawPadProps) -> Html {
    const SCALE: usize = 10;
    let canvas_ref = use_node_ref();
    let drawing = use_mut_ref(|| None::<(f64, f64)>);
    let brush = use_state(|| 18.0f64);
    let context = {
        let canvas_ref = canvas_ref.clone();
        move || {
            canvas(&canvas_ref)?
                .get_context("2d")
                .ok()
                .flatten()?
                .dyn_into::<web_sys::CanvasRenderingContext2d>()
                .ok()
        }
    };
    let clear = {
        let context = context.clone();
        move || {
            if let Some(c) = context() {
                c.set_fill_style_str("#000");
                c.fill_rect(0.0, 0.0, 1e4, 1e4);
            }
        }
    };
    {
        let clear = clear.clone();
        use_effect_with((), move |_| clear());
    }
    let position = {
        let canvas_ref = canvas_ref.clone();
        move |e: &PointerEvent| -> Option<(f64, f64)> {
            let c = canvas(&canvas_ref)?;
            let rect = c.get_bounding_client_rect();
            Some((
                (f64::from(e.client_x()) - rect.left()) / rect.width() * f64::from(c.width()),
                (f64::from(e.client_y()) - rect.top()) / rect.height() * f64::from(c.height()),
            ))
        }
    };
    let stroke = {
        let (context, brush) = (context.clone(), brush.clone());
        move |from: (f64, f64), to: (f64, f64)| {
            if let Some(c) = context() {
                c.set_stroke_style_str("#fff");
                c.set_line_width(*brush);
                c.set_line_cap("round");
                c.begin_path();
                c.move_to(from.0, from.1);
                c.line_to(to.0, to.1);
                c.stroke();
            }
        }
    };
    let on_down = {
        let (drawing, position, stroke) = (drawing.clone(), position.clone(), stroke.clone());
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            if let Some(p) = position(&e) {
                stroke(p, p);
                *drawing.borrow_mut() = Some(p);
            }
        })
    };
    let on_move = {
        let (drawing, position, stroke) = (drawing.clone(), position.clone(), stroke.clone());
        Callback::from(move |e: PointerEvent| {
            let last = *drawing.borrow();
            if let (Some(from), Some(to)) = (last, position(&e)) {
                stroke(from, to);
                *drawing.borrow_mut() = Some(to);
            }
        })
    };
    let on_up = {
        let (drawing, context, on_done, size) = (
            drawing.clone(),
            context.clone(),
            props.on_done.clone(),
            props.size,
        );
        Callback::from(move |_: PointerEvent| {
            if drawing.borrow_mut().take().is_none() {
                return;
            }
            let side = (size * SCALE) as f64;
            let Some(data) = context().and_then(|c| c.get_image_data(0.0, 0.0, side, side).ok())
            else {
                return;
            };
            let rgba = data.data();
            // Average each SCALE×SCALE block of the red channel into one pixel.
            let pixels = (0..size * size)
                .map(|i| {
                    let (row, col) = (i / size, i % size);
                    let mut sum = 0u32;
                    for dy in 0..SCALE {
                        for dx in 0..SCALE {
                            let at = ((row * SCALE + dy) * size * SCALE + col * SCALE + dx) * 4;
                            sum += u32::from(rgba[at]);
                        }
                    }
                    sum as f32 / (255.0 * (SCALE * SCALE) as f32)
                })
                .collect();
            on_done.emit(pixels);
        })
    };
    let on_brush = {
        let brush = brush.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                brush.set(input.value().parse().unwrap_or(18.0));
            }
        })
    };
    let side = (props.size * SCALE).to_string();
    html! {
        <div class="draw-pad">
            <canvas id="draw-canvas" ref={canvas_ref} width={side.clone()} height={side}
                onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()} onpointerleave={on_up}></canvas>
            <div class="toolbar small">
                <button id="draw-clear" onclick={move |_| clear()}>{ "Clear" }</button>
                <label>{ "Brush " }<input id="brush-size" type="range" min="6" max="40" value={brush.to_string()} oninput={on_brush} /></label>
            </div>
            <p class="muted small">{ "Draw large and centred, like the training images." }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TestPickerProps {
    images: Option<Shared<LabelledImages>>,
    page: usize,
    names: Vec<String>,
    on_page: Callback<usize>,
    on_pick: Callback<usize>,
}

/// Thumbnails of the committed test images with their labels; click one to encode it.
#[component]
fn TestPicker(props: &TestPickerProps) -> Html {
    let refs = use_memo((), |_| {
        (0..PICKER_PAGE)
            .map(|_| NodeRef::default())
            .collect::<Vec<_>>()
    });
    let Some(images) = props.images.clone() else {
        return html! { <p class="muted">{ "Loading test images…" }</p> };
    };
    let pages = images.len().div_ceil(PICKER_PAGE).max(1);
    let first = (props.page % pages) * PICKER_PAGE;
    {
        let (refs, images) = (refs.clone(), images.clone());
        use_effect_with(first, move |&first| {
            for (slot, node) in refs.iter().enumerate() {
                let i = first + slot;
                if let (Some(c), true) = (canvas(node), i < images.len()) {
                    draw_gray(&c, images.image(i), images.width, images.height, 0.0, 0.0);
                }
            }
        });
    }
    let thumbs = (0..PICKER_PAGE).filter(|s| first + s < images.len()).map(|slot| {
        let i = first + slot;
        let label = images.labels[i] as usize;
        let on_pick = props.on_pick.clone();
        html! {
            <button class="test-image" data-index={i.to_string()} data-label={label.to_string()}
                title={format!("test image #{i}: {}", props.names[label % 10])} onclick={move |_| on_pick.emit(i)}>
                <canvas ref={refs[slot].clone()} width={images.width.to_string()} height={images.height.to_string()}
                    class="pixelated thumb"></canvas>
            </button>
        }
    });
    let next = {
        let (on_page, page) = (props.on_page.clone(), props.page);
        Callback::from(move |_| on_page.emit((page + 1) % pages))
    };
    html! {
        <div class="test-picker">
            <div class="thumbs">{ for thumbs }</div>
            <button id="picker-next" onclick={next}>{ format!("More test images ({}/{pages})", props.page % pages + 1) }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct EncodedPanelProps {
    encoded: Option<Rc<Encoded>>,
    input_ref: NodeRef,
    recon_ref: NodeRef,
    size: usize,
    on_move: Callback<(Vec<f32>, f64)>,
}

/// The encoded input beside its reconstruction, the posterior mean and the two ELBO terms.
#[component]
fn EncodedPanel(props: &EncodedPanelProps) -> Html {
    let size = props.size.to_string();
    let Some(e) = props.encoded.clone() else {
        return html! {
            <div class="encoded-panel">
                <p class="muted">{ "Draw a digit or pick a test image to encode it." }</p>
                <canvas ref={props.input_ref.clone()} width={size.clone()} height={size.clone()} hidden=true></canvas>
                <canvas ref={props.recon_ref.clone()} width={size.clone()} height={size} hidden=true></canvas>
            </div>
        };
    };
    let mean = e.mean.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>();
    let sigma = e
        .log_var
        .iter()
        .map(|v| format!("{:.3}", (v * 0.5).exp()))
        .collect::<Vec<_>>();
    let go = {
        let (on_move, mean) = (props.on_move.clone(), e.mean.clone());
        Callback::from(move |_| on_move.emit((mean.clone(), 0.0)))
    };
    html! {
        <div class="encoded-panel">
            <div class="pair">
                <figure><canvas id="encode-input" ref={props.input_ref.clone()} width={size.clone()} height={size.clone()}
                    class="pixelated mid"></canvas><figcaption>{ "input" }</figcaption></figure>
                <figure><canvas id="reconstruction" ref={props.recon_ref.clone()} width={size.clone()} height={size}
                    class="pixelated mid"></canvas><figcaption>{ "reconstruction" }</figcaption></figure>
            </div>
            <p id="posterior" class="mono small" data-mean={mean.join(",")} data-source={e.source.clone()}>
                { format!("{}: posterior mean ({}), σ ({})", e.source, mean.join(", "), sigma.join(", ")) }
            </p>
            <button id="go-to-posterior" onclick={go}>{ "Move the cursor there" }</button>
            <dl id="elbo" class="elbo">
                <dt>{ "Reconstruction −log p(x|z)" }</dt><dd id="elbo-recon">{ format!("{:.2} nats", e.reconstruction_nats) }</dd>
                <dt>{ "KL(q(z|x) ‖ p(z))" }</dt><dd id="elbo-kl">{ format!("{:.2} nats", e.kl_nats) }</dd>
                <dt>{ "−ELBO (sum)" }</dt><dd id="elbo-total">{ format!("{:.2} nats", e.reconstruction_nats + e.kl_nats) }</dd>
            </dl>
            <p class="muted small">{ "Reconstruction term at z = posterior mean, Bernoulli likelihood with the input's intensities as targets; KL in closed form." }</p>
        </div>
    }
}
