//! The 2-D lab (`#/lab`): density models trained live on points in the plane — seeded data sets or points the
//! visitor draws — with the density as a heat map and the training and held-out NLL beside the true density's.
//! A Gaussian mixture trains by EM on the page's thread, one half-step at a time or a step a frame (its components
//! drawn as ellipses); a RealNVP flow, an autoregressive model `p(x₁)·p(x₂ | x₁)` and a VAE train by AdamW in the
//! inference worker, their samples drawn over the data. The table compares every family trained on the same points.
//!
//! [`state`] holds the points, the split and the trainers' results (the reducer), [`draw`] paints the plane,
//! [`worker_training`] runs the worker's families, [`link`] reads and writes
//! `#/lab?family=…&data=…&k=…&seed=…&lr=…&batch=…`, [`texts`] the words. EM's few thousand evaluations a step
//! take well under a millisecond, so it stays on the page's thread; the heat map (40,000 cells) is the frame's
//! larger cost, which the mixture keeps to one `exp` per cell and component by preparing its components once a
//! frame (the e2e test sees no task over 50 ms).

mod draw;
mod link;
mod state;
mod texts;
mod worker_training;

use genscope_core::lab::autoregressive::ArConfig;
use genscope_core::lab::data::DataSet;
use genscope_core::lab::flow::FlowConfig;
use genscope_core::lab::vae::IW_SAMPLES;
use genscope_core::query::UrlState;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement, PointerEvent};
use yew::prelude::*;

use self::link::{LabFamily, LabSettings, BATCHES, LEARNING_RATES, MAX_K, MAX_SEED};
use self::state::{CurvePoint, LabAction, LabState};
use crate::i18n::{self, fill, use_lang, Lang};
use crate::url;

/// The page's route, as links and `url::replace` name it.
const ROUTE: &str = "lab";
/// Milliseconds between the frames of play: one full EM step each.
const FRAME_MS: u32 = 16;
/// How far (plane units) a drag moves before it adds another point.
const DRAW_SPACING: f64 = 0.12;
/// The eraser's radius (plane units).
const ERASER: f64 = 0.3;

/// The lab page.
#[component]
pub fn LabPage() -> Html {
    let lang = use_lang();
    let t = texts::of(lang);
    // The link's settings, read as the page opens and whenever the visitor opens another link to it.
    let read_link = move || {
        let mut q = url::current_query();
        let settings = LabSettings::from_query(&mut q);
        (settings, i18n::link::all(&q.notes, lang))
    };
    let opened = use_memo((), move |_| read_link());
    let state = use_reducer(|| LabState::new(opened.0));
    let notes = use_state(|| opened.1.clone());
    let canvas = use_node_ref();
    let version = url::use_url_version(ROUTE);
    {
        let (dispatch, notes) = (state.dispatcher(), notes.clone());
        use_effect_with(version, move |&version| {
            if version > 0 {
                let (settings, read) = read_link();
                notes.set(read);
                dispatch.dispatch(LabAction::Reset(settings));
            }
        });
    }
    use_effect_with(state.settings, |settings| {
        url::replace(ROUTE, &settings.to_pairs())
    });

    worker_training::use_worker_training(&state);
    // Play, for the mixture: a full step a frame until paused or converged.
    {
        let dispatch = state.dispatcher();
        let gmm = state.settings.family == LabFamily::Gmm;
        use_effect_with(state.playing && gmm, move |&on| {
            let timer = on.then(|| {
                gloo::timers::callback::Interval::new(FRAME_MS, move || {
                    dispatch.dispatch(LabAction::Step)
                })
            });
            move || drop(timer)
        });
    }
    {
        let (canvas, state) = (canvas.clone(), state.clone());
        use_effect_with(state.revision, move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                draw::draw(&c, &state);
            }
        });
    }

    // Each picker and box starts the lab again with its new value changed into the settings.
    let reset_with = |change: fn(LabSettings, &str) -> LabSettings| {
        let (dispatch, settings) = (state.dispatcher(), state.settings);
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|select| select.value())
                .or_else(|| {
                    e.target_dyn_into::<HtmlInputElement>()
                        .map(|input| input.value())
                });
            if let Some(value) = value {
                dispatch.dispatch(LabAction::Reset(change(settings, &value)));
            }
        })
    };
    let on_family = reset_with(|s, v| LabSettings {
        family: LabFamily::from_slug(v).unwrap_or(s.family),
        ..s
    });
    let on_data = reset_with(|s, v| LabSettings {
        data: DataSet::from_slug(v).unwrap_or(s.data),
        ..s
    });
    let on_k = reset_with(|s, v| LabSettings {
        k: v.parse().unwrap_or(s.k).clamp(1, MAX_K),
        ..s
    });
    let on_seed = reset_with(|s, v| LabSettings {
        seed: v
            .trim()
            .parse()
            .map_or(s.seed, |seed: u64| seed.min(MAX_SEED)),
        ..s
    });
    let on_learning_rate = reset_with(|s, v| LabSettings {
        learning_rate: v
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|lr| lr.is_finite())
            .map(|lr| lr.clamp(LEARNING_RATES.0, LEARNING_RATES.1))
            .or(s.learning_rate),
        ..s
    });
    let on_batch = reset_with(|s, v| LabSettings {
        batch: v.parse().ok().filter(|b| BATCHES.contains(b)).or(s.batch),
        ..s
    });
    let action = |a: LabAction| {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(a.clone()))
    };
    let data_names = [
        (DataSet::Ring, t.set_ring),
        (DataSet::Moons, t.set_moons),
        (DataSet::Spiral, t.set_spiral),
        (DataSet::Checkerboard, t.set_checkerboard),
        (DataSet::Pinwheel, t.set_pinwheel),
    ];
    let s = &*state;
    let gmm = s.settings.family == LabFamily::Gmm;
    let families = LabFamily::ALL.map(|f| (f, family_name(t, f)));
    let lead = match s.settings.family {
        LabFamily::Gmm => t.lead,
        LabFamily::Flow => t.lead_flow,
        LabFamily::Autoregressive => t.lead_ar,
        LabFamily::Vae => t.lead_vae,
    };
    html! {
        <section class="page lab" id="page-lab">
            <h1>{ t.title }</h1>
            <p class="lead">{ lead }</p>
            { for (!notes.is_empty()).then(|| html! {
                <div class="notice" id="url-notes" role="status">
                    { fill(t.link_notes, &[("notes", &notes.join(t.note_separator))]) }
                </div>
            }) }
            <div class="toolbar">
                <label>{ t.family_label }
                    <select id="lab-family" onchange={on_family}>
                        { for families.iter().map(|(f, name)| html! {
                            <option value={f.slug()} selected={*f == s.settings.family}>{ *name }</option>
                        }) }
                    </select>
                </label>
                <label>{ t.data_label }
                    <select id="lab-data" onchange={on_data}>
                        { for data_names.iter().map(|(d, name)| html! {
                            <option value={d.slug()} selected={*d == s.settings.data}>{ *name }</option>
                        }) }
                    </select>
                </label>
                { for gmm.then(|| html! { <label>{ t.k_label }
                    <select id="lab-k" onchange={on_k}>
                        { for (1..=MAX_K).map(|k| html! {
                            <option value={k.to_string()} selected={k == s.settings.k}>{ k.to_string() }</option>
                        }) }
                    </select>
                </label> }) }
                <label>{ t.seed_label }
                    <input id="lab-seed" type="number" min="0" max={MAX_SEED.to_string()} step="1"
                        value={s.settings.seed.to_string()} onchange={on_seed} />
                </label>
                { for s.settings.family.in_worker().map(|family| {
                    let defaults = family.defaults();
                    let lr = s.settings.learning_rate.map_or(defaults.learning_rate, f64::from);
                    let batch = s.settings.batch.unwrap_or(defaults.batch);
                    html! { <>
                        <label>{ t.lr_label }
                            <input id="lab-lr" type="number" min={LEARNING_RATES.0.to_string()}
                                max={LEARNING_RATES.1.to_string()} step="any" value={(lr as f32).to_string()}
                                onchange={on_learning_rate.clone()} />
                        </label>
                        <label>{ t.batch_label }
                            <select id="lab-batch" onchange={on_batch.clone()}>
                                { for BATCHES.iter().map(|b| html! {
                                    <option value={b.to_string()} selected={*b == batch}>{ b.to_string() }</option>
                                }) }
                            </select>
                        </label>
                    </> }
                }) }
            </div>
            <div class="toolbar">
                <button id="lab-play" onclick={action(LabAction::TogglePlay)}>
                    { if s.playing { t.pause } else { t.play } }</button>
                { for gmm.then(|| html! {
                    <button id="lab-half-step" onclick={action(LabAction::HalfStep)}>
                        { match s.trainer.next_half() {
                            genscope_core::lab::gmm::Half::Expectation => t.e_step,
                            genscope_core::lab::gmm::Half::Maximisation => t.m_step,
                        } }</button>
                }) }
                <button id="lab-reset" onclick={action(LabAction::Reset(s.settings))}>{ t.reset }</button>
            </div>
            <div class="lab-body">
                <div>
                    <Plane canvas={canvas.clone()} label={t.canvas_label} dispatch={state.dispatcher()} />
                    <p class="muted small">{ t.draw_hint }</p>
                    { status_line(t, lang, s) }
                </div>
                <div>
                    { nll_table(t, s) }
                    { curve(t, &s.curve) }
                </div>
            </div>
        </section>
    }
}

/// Properties of [`Plane`].
#[derive(Properties, PartialEq)]
struct PlaneProps {
    canvas: NodeRef,
    label: &'static str,
    dispatch: UseReducerDispatcher<LabState>,
}

/// The canvas, with pointer drawing: a click or a drag adds points, Shift erases.
#[component]
fn Plane(props: &PlaneProps) -> Html {
    // The last point a drag added, while the button is down.
    let drag = use_mut_ref(|| None::<[f64; 2]>);
    let at = {
        let canvas = props.canvas.clone();
        move |e: &PointerEvent| {
            let canvas = canvas.cast::<HtmlCanvasElement>()?;
            // The page may show the canvas smaller than its pixels.
            let rect = canvas.get_bounding_client_rect();
            let scale = draw::SIDE as f64 / rect.width().max(1.0);
            Some(draw::from_canvas(
                (f64::from(e.client_x()) - rect.left()) * scale,
                (f64::from(e.client_y()) - rect.top()) * scale,
            ))
        }
    };
    let paint = {
        let (dispatch, drag) = (props.dispatch.clone(), drag.clone());
        move |e: &PointerEvent, first: bool| {
            let Some(p) = at(e) else { return };
            if e.shift_key() {
                dispatch.dispatch(LabAction::Erase(p, ERASER));
                return;
            }
            let far = drag
                .borrow()
                .is_none_or(|[x, y]| (p[0] - x).hypot(p[1] - y) >= DRAW_SPACING);
            if first || far {
                *drag.borrow_mut() = Some(p);
                dispatch.dispatch(LabAction::Add(p));
            }
        }
    };
    let on_down = {
        let paint = paint.clone();
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            paint(&e, true)
        })
    };
    let on_move = {
        let drag = drag.clone();
        Callback::from(move |e: PointerEvent| {
            if e.buttons() & 1 == 1 && drag.borrow().is_some() {
                paint(&e, false);
            }
        })
    };
    let on_up = Callback::from(move |_: PointerEvent| *drag.borrow_mut() = None);
    html! {
        <canvas id="lab-canvas" ref={props.canvas.clone()} width={draw::SIDE.to_string()}
            height={draw::SIDE.to_string()} aria-label={props.label} role="img" class="lab-plane"
            onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()}
            onpointerleave={on_up}></canvas>
    }
}

/// "40 EM steps · 800 training points, 200 held out · next: E-step" (or the worker's steps and rate), with the
/// numbers in data attributes.
fn status_line(t: &texts::LabTexts, lang: Lang, s: &LabState) -> Html {
    let (train, held) = (s.train.len().to_string(), s.held_out.len().to_string());
    let (words, steps) = if s.settings.family == LabFamily::Gmm {
        let next = match s.trainer.next_half() {
            genscope_core::lab::gmm::Half::Expectation => t.next_e,
            genscope_core::lab::gmm::Half::Maximisation => t.next_m,
        };
        let steps = s.trainer.steps.to_string();
        let mut words = fill(
            t.status,
            &[
                ("steps", &steps),
                ("train", &train),
                ("held", &held),
                ("next", next),
            ],
        );
        if let Some(steps) = s.converged {
            words.push_str(&fill(t.converged, &[("steps", &steps.to_string())]));
        }
        (words, Some(s.trainer.steps))
    } else if let Some(why) = &s.failed {
        (
            fill(t.worker_failed, &[("error", &i18n::errors::say(why, lang))]),
            None,
        )
    } else if let Some(p) = &s.picture {
        let rate = s.rate.map_or("–".to_string(), |r| i18n::number(r, 0));
        let words = fill(
            t.worker_status,
            &[
                ("steps", &p.steps.to_string()),
                ("train", &train),
                ("held", &held),
                ("rate", &rate),
            ],
        );
        (words, Some(p.steps))
    } else {
        (t.worker_starting.to_string(), None)
    };
    html! {
        <p id="lab-status" data-steps={steps.map(|n| n.to_string())} data-points={s.points.len().to_string()}
            data-converged={s.converged.map(|c| c.to_string())} data-rate={s.rate.map(|r| r.to_string())}
            data-failed={s.failed.is_some().then_some("true")}>{ words }</p>
    }
}

/// The table of NLLs: the mixture's on both halves, and the true density's where the data has one.
fn nll_table(t: &texts::LabTexts, s: &LabState) -> Html {
    let nats = |v: f64| i18n::number(v, 3);
    let last = s.curve.last().copied();
    let truth = s.true_held_out();
    html! {
        <table class="lab-nll">
            <caption>{ t.table_caption }</caption>
            <thead><tr><th>{ t.col_model }</th><th>{ t.col_train }</th><th>{ t.col_held }</th></tr></thead>
            <tbody>
                <tr id="nll-model" data-train={last.map(|c| c.train.to_string())}
                    data-held={last.map(|c| c.held_out.to_string())}>
                    <td>{ match s.settings.family {
                        LabFamily::Gmm => fill(t.row_gmm, &[("k", &s.settings.k.to_string())]),
                        LabFamily::Flow => {
                            fill(t.row_flow, &[("layers", &FlowConfig::default().layers.to_string())])
                        }
                        LabFamily::Autoregressive => {
                            fill(t.row_ar, &[("components", &ArConfig::default().components.to_string())])
                        }
                        LabFamily::Vae => fill(t.row_vae, &[("k", &IW_SAMPLES.to_string())]),
                    } }</td>
                    <td class="mono">{ last.map(|c| nats(c.train)).unwrap_or_default() }</td>
                    <td class="mono">{ last.map(|c| nats(c.held_out)).unwrap_or_default() }</td>
                </tr>
                { for s.compared.iter().filter(|(f, _)| *f != s.settings.family).map(|(f, c)| html! {
                    <tr class="nll-compared" id={format!("nll-{}", f.slug())} data-train={c.train.to_string()}
                        data-held={c.held_out.to_string()}>
                        <td>{ fill(t.row_compared, &[("family", family_name(t, *f))]) }</td>
                        <td class="mono">{ nats(c.train) }</td>
                        <td class="mono">{ nats(c.held_out) }</td>
                    </tr>
                }) }
                { for truth.map(|v| html! {
                    <tr id="nll-true" data-held={v.to_string()}>
                        <td>{ t.row_true }</td><td></td><td class="mono">{ nats(v) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// The family's name, as its picker says it.
fn family_name(t: &texts::LabTexts, family: LabFamily) -> &'static str {
    match family {
        LabFamily::Gmm => t.family_gmm,
        LabFamily::Flow => t.family_flow,
        LabFamily::Autoregressive => t.family_ar,
        LabFamily::Vae => t.family_vae,
    }
}

/// Width and height of the curve's drawing, in SVG units.
const CURVE_W: f64 = 360.0;
const CURVE_H: f64 = 140.0;

/// The NLL curves, training and held out, against the step.
fn curve(t: &texts::LabTexts, curve: &[CurvePoint]) -> Html {
    let values = curve
        .iter()
        .flat_map(|c| [c.train, c.held_out])
        .filter(|v| v.is_finite());
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let span = (high - low).max(1e-9);
    let steps = curve.last().map_or(1, |c| c.step.max(1)) as f64;
    let line = |pick: fn(&CurvePoint) -> f64| {
        curve
            .iter()
            .filter(|c| pick(c).is_finite())
            .map(|c| {
                let x = c.step as f64 / steps * CURVE_W;
                let y = (high - pick(c)) / span * CURVE_H;
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    html! {
        <figure class="lab-curve">
            <svg viewBox={format!("-4 -4 {} {}", CURVE_W + 8.0, CURVE_H + 8.0)} width="100%" role="img"
                aria-label={t.curve_caption}>
                <polyline id="curve-train" points={line(|c| c.train)} fill="none" stroke="#0072b2" stroke-width="2" />
                <polyline id="curve-held" points={line(|c| c.held_out)} fill="none" stroke="#c81e1e" stroke-width="2"
                    stroke-dasharray="5 3" />
            </svg>
            <figcaption>{ t.curve_caption }{ " — " }
                <span class="legend-train">{ t.legend_train }</span>{ " · " }
                <span class="legend-held">{ t.legend_held }</span></figcaption>
        </figure>
    }
}
