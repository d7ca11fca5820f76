//! The VAE page: move through a VAE's latent space and watch the decoder follow.
//!
//! z=2 models get the latent map (a grid of decodes over ±3σ with a draggable cursor and the test set's encodings
//! on top); z=16 models get one slider per dimension. Both can encode a drawing or a test image (posterior mean,
//! 1σ ellipse, reconstruction, ELBO terms) and interpolate between two points. The model and the latent point live
//! in the URL.
//!
//! This file wires the hooks to the parts: the state and its changes are in `state`, the link in `link`, the model
//! in `model`, and each part of the page in its own file.

mod decode;
mod decoded;
mod draw_pad;
mod elbo;
mod encoded;
mod explainer;
mod interpolation;
mod link;
mod map;
mod model;
mod picker;
mod sliders;
mod state;
mod subset;
pub mod texts;

use std::rc::Rc;

use genscope_core::query::UrlState;
use genscope_core::registry::{Family, Page};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use self::decode::DecodeQueue;
use self::decoded::decoded_panel;
use self::draw_pad::DrawPad;
use self::elbo::Source;
use self::encoded::{draw_encoded, EncodedPanel};
use self::explainer::VaeExplainer;
use self::interpolation::{strip_frames, Interpolation, STRIP_FRAMES};
use self::link::{settle, VaeUrl};
use self::map::{legend, LatentMap};
use self::model::{load_vae, LoadedVae};
use self::picker::TestPicker;
use self::sliders::Sliders;
use self::state::{Action, State};
use crate::hooks::{use_latest_load, use_link, use_on_link, use_shipped_models};
use crate::i18n::{fill, use_lang};
use crate::site::{Load, SiteContext};
use crate::tour::{self, Tour};
use crate::url;
use crate::widgets::{failure_panel, ErrorPanel, ModelCardPanel};

/// The page's route, as the link hook and the URL writer name it.
const ROUTE: &str = "vae";
/// How long the URL waits for the point to settle before it is written, ms.
const URL_DEBOUNCE_MS: u32 = 200;

/// The VAE page.
#[component]
pub fn VaePage() -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let lang = use_lang();
    let t = texts::of(lang);
    let family = Family::of_page(Page::Vae);
    let shipped = use_shipped_models(family);
    let link = use_link::<VaeUrl>(ROUTE, family, shipped.clone());
    let state = use_reducer(State::default);
    let queue = use_mut_ref(DecodeQueue::default);

    let decoded_ref = use_node_ref();
    let map_ref = use_node_ref();
    let map_canvas_ref = use_node_ref();
    let strip_ref = use_node_ref();
    let recon_ref = use_node_ref();
    let input_ref = use_node_ref();

    // Each link read (the first, and every one the visitor opens) picks the model and waits with its point.
    // The point is meant for the model the link names; with none or an unknown one it is not used.
    let dispatcher = state.dispatcher();
    use_on_link(link, move |link| {
        dispatcher.dispatch(Action::ApplyLink {
            model: link.model,
            z: link.state.z,
            named: link.named,
            notes: link.notes,
        })
    });

    // Load the model (again when the backend changes or on "Try again", keeping the point); only the newest lands.
    let placement = site.placement_key();
    let loaded = {
        let site = site.clone();
        let key = state.model.clone().map(|m| (m, placement, state.reload));
        use_latest_load(key, move |(name, _, _)| {
            let site = site.clone();
            async move { load_vae(&site, &name, t).await }
        })
    };
    let vae = match &loaded {
        Load::Ready(vae) => Some(Rc::clone(vae)),
        _ => None,
    };
    {
        let dispatcher = state.dispatcher();
        use_effect_with(loaded.clone(), move |loaded| {
            if let Load::Ready(vae) = loaded {
                dispatcher.dispatch(Action::ModelReady {
                    latent: vae.config.latent,
                });
            }
        });
    }

    // Decode a point: the queue keeps only the newest request while a decode runs.
    let request_decode = {
        let (queue, decoded_ref, dispatcher) =
            (queue.clone(), decoded_ref.clone(), state.dispatcher());
        Callback::from(move |job: (Rc<LoadedVae>, Vec<f32>, f64)| {
            decode::request(&queue, &decoded_ref, &dispatcher, job, t)
        })
    };
    {
        // Moves decode straight from their handler (see `move_to`); this covers a new model, backend or link.
        let (request_decode, z) = (request_decode.clone(), state.z.clone());
        let fits = vae.as_ref().is_some_and(|v| v.config.latent == z.len());
        use_effect_with((loaded.clone(), fits), move |(loaded, fits)| {
            if let (Load::Ready(vae), true) = (loaded, fits) {
                request_decode.emit((Rc::clone(vae), z, 0.0));
            }
        });
    }
    // Keep the URL in step (replaceState, so dragging adds no history entries).
    use_effect_with((state.model.clone(), state.z.clone()), move |(model, z)| {
        let timer = model.clone().filter(|_| !z.is_empty()).map(|model| {
            let mut pairs = vec![("model", model)];
            pairs.extend(VaeUrl { z: Some(z.clone()) }.to_pairs());
            gloo::timers::callback::Timeout::new(URL_DEBOUNCE_MS, move || {
                url::replace(ROUTE, &pairs)
            })
        });
        move || drop(timer)
    });

    // The latent map (z = 2): decode the whole grid once per model and backend.
    {
        let (map_canvas_ref, dispatcher) = (map_canvas_ref.clone(), state.dispatcher());
        use_effect_with(loaded.clone(), move |loaded| {
            if let Load::Ready(vae) = loaded.clone() {
                if vae.config.latent == 2 {
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Err(e) = decode::draw_map(&vae, &map_canvas_ref, t).await {
                            dispatcher.dispatch(Action::Failed(e));
                        }
                    });
                }
            }
        });
    }

    // The evaluation subset of the model's data set, checked against the model, and (z = 2) its encodings.
    {
        let (site, dispatcher) = (site.clone(), state.dispatcher());
        let (cache, model) = (state.cache.clone(), state.model.clone());
        use_effect_with(loaded.clone(), move |loaded| {
            if let (Load::Ready(vae), Some(model)) = (loaded.clone(), model) {
                wasm_bindgen_futures::spawn_local(subset::load_for(
                    site, vae, model, cache, dispatcher, t,
                ));
            }
        });
    }

    // Draw the encoded input and its reconstruction.
    {
        let (recon_ref, input_ref) = (recon_ref.clone(), input_ref.clone());
        let size = vae
            .as_ref()
            .map_or((28, 28), |v| (v.config.width, v.config.height));
        use_effect_with(state.encoded.clone(), move |encoded| {
            if let Some(e) = encoded {
                draw_encoded(e, &input_ref, &recon_ref, size);
            }
        });
    }

    // The interpolation strip between A and B.
    {
        let (strip_ref, dispatcher) = (strip_ref.clone(), state.dispatcher());
        use_effect_with(
            (loaded.clone(), state.ends.clone(), state.slerp),
            move |(loaded, ends, spherical)| {
                if let (Load::Ready(vae), (Some(a), Some(b))) = (loaded.clone(), ends.clone()) {
                    if a.len() == vae.config.latent && b.len() == a.len() {
                        let frames = strip_frames(&a, &b, *spherical);
                        wasm_bindgen_futures::spawn_local(async move {
                            let drawn = decode::draw_tiles(
                                &vae,
                                &frames,
                                STRIP_FRAMES,
                                &strip_ref,
                                t.interpolation_failed,
                            );
                            if let Err(e) = drawn.await {
                                dispatcher.dispatch(Action::Failed(e));
                            }
                        });
                    }
                }
            },
        );
    }

    // Moving the point: from the map, the keyboard, the sliders, the buttons, the strip.
    let move_to = {
        let (vae, request_decode, dispatcher) =
            (vae.clone(), request_decode.clone(), state.dispatcher());
        Callback::from(move |(point, since): (Vec<f32>, f64)| {
            // Clamped and rounded as the link writes it, so a copied link shows exactly these pixels.
            let point = settle(&point);
            if let Some(vae) = &vae {
                if point.len() == vae.config.latent {
                    // Decode right away (not after the re-render) so the pixels follow the pointer.
                    request_decode.emit((Rc::clone(vae), point.clone(), since));
                    dispatcher.dispatch(Action::MoveTo(point));
                }
            }
        })
    };

    let on_model = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                dispatcher.dispatch(Action::PickModel(select.value()));
            }
        })
    };

    let images = state.usable_images();
    let encode = {
        let (vae, model, dispatcher) = (vae.clone(), state.model.clone(), state.dispatcher());
        move |source: Source, input: Vec<f32>| {
            let (Some(vae), Some(model)) = (vae.clone(), model.clone()) else {
                return;
            };
            let dispatcher = dispatcher.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match vae.encode_input(source, input, t).await {
                    Ok(e) => dispatcher.dispatch(Action::Encoded(model, Rc::new(e))),
                    Err(e) => {
                        dispatcher.dispatch(Action::Failed(fill(t.encode_failed, &[("error", &e)])))
                    }
                }
            });
        }
    };
    let names: Vec<&'static str> = vae
        .as_ref()
        .and_then(|v| v.card.dataset.class_names_in(lang))
        .map_or_else(Vec::new, |names| names.to_vec());
    let pick_image = {
        let (images, encode) = (images.clone(), encode.clone());
        Callback::from(move |index: usize| {
            let Some(images) = &images else { return };
            let Some(&label) = images.labels.get(index) else {
                return;
            };
            let label = usize::from(label);
            encode(
                Source::TestImage { index, label },
                images.image(index).to_vec(),
            );
        })
    };
    let encode_drawing = Callback::from(move |pixels: Vec<f32>| encode(Source::Drawing, pixels));

    let retry = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::Retry))
    };
    let body = match &loaded {
        // Without the asset list there is no model to wait for (the shell's panel says why).
        Load::Loading if matches!(site.manifest, Load::Failed(_)) => Html::default(),
        Load::Loading => html! { <p class="muted" id="vae-loading">{ t.loading_model }</p> },
        Load::Failed(e) => html! {
            <ErrorPanel title={t.load_failed} message={e.clone()} on_retry={retry.clone()} />
        },
        Load::Ready(vae) => {
            let z = state.z.clone();
            let latent = vae.config.latent;
            let explorer = if latent == 2 {
                html! {
                    <LatentMap
                        map_ref={map_ref.clone()}
                        canvas_ref={map_canvas_ref.clone()}
                        canvas_kind={vae.canvas_kind()}
                        z={z.clone()}
                        scatter={state.visible_scatter()}
                        images={images.clone()}
                        encoded={state.encoded.clone()}
                        on_move={move_to.clone()}
                        tile={vae.config.width}
                    />
                }
            } else {
                html! { <Sliders z={z.clone()} on_move={move_to.clone()} /> }
            };
            let legend = (latent == 2).then(|| {
                let dispatcher = state.dispatcher();
                legend(
                    &names,
                    state.show_scatter,
                    Callback::from(move |()| dispatcher.dispatch(Action::ToggleScatter)),
                    t,
                )
            });
            let on_end = {
                let dispatcher = state.dispatcher();
                Callback::from(move |(which, point)| {
                    dispatcher.dispatch(Action::SetEnd(which, point))
                })
            };
            let on_mode = {
                let dispatcher = state.dispatcher();
                Callback::from(move |on| dispatcher.dispatch(Action::SetSlerp(on)))
            };
            let on_page = {
                let dispatcher = state.dispatcher();
                Callback::from(move |n| dispatcher.dispatch(Action::PickerPage(n)))
            };
            html! {
                <>
                <div class="vae-explore">
                    { explorer }
                    { decoded_panel(vae, &z, &state.decode_ms, &decoded_ref, (latent == 2).then_some(&map_canvas_ref), t) }
                </div>
                { for legend }
                <Interpolation
                    ends={state.ends.clone()} slerp={state.slerp} z={z}
                    strip_ref={strip_ref.clone()} on_move={move_to.clone()}
                    {on_end} {on_mode}
                    encoded={state.encoded.as_ref().map(|e| e.mean.clone())}
                    width={vae.config.width}
                    canvas_kind={vae.canvas_kind()}
                />
                <section class="encode">
                    <h2>{ t.encode_title }</h2>
                    <div class="encode-row">
                        <DrawPad size={vae.config.width} on_done={encode_drawing} />
                        <TestPicker images={images.clone()}
                            problem={state.images_problem().map(|p| AttrValue::from(p.to_string()))}
                            page={state.picker_page} names={names.clone()}
                            {on_page} on_pick={pick_image} />
                        <EncodedPanel encoded={state.encoded.clone()} names={names.clone()} input_ref={input_ref.clone()}
                            recon_ref={recon_ref.clone()} size={vae.config.width}
                            on_move={move_to.clone()} />
                    </div>
                </section>
                <VaeExplainer encoded={state.encoded.clone()} />
                <ModelCardPanel card={Rc::clone(&vae.card)} />
                </>
            }
        }
    };

    let picker = html! {
        <label>{ t.model_label }
            <select id="vae-model" onchange={on_model}>
                { for shipped.iter().map(|m| html! {
                    <option value={m.clone()} selected={Some(m) == state.model.as_ref()}>{ m }</option>
                }) }
            </select>
        </label>
    };
    let failure = failure_panel(state.error.clone(), retry);
    let notes: Vec<String> = state.notes.iter().map(|n| n.text(t)).collect();
    let notes = notes.join(t.note_separator);
    html! {
        <section class="page" id="page-vae">
            <h1>{ t.title }</h1>
            <Tour page="vae" steps={tour::steps("vae", lang)} />
            <p class="lead">{ t.lead }</p>
            <div class="toolbar">{ picker }</div>
            { for (!state.notes.is_empty()).then(|| html! {
                <div class="notice" id="url-notes" role="status">
                    { t.link_notes }{ notes }
                </div>
            }) }
            { failure }
            { body }
        </section>
    }
}
