//! The grid: 64 samples drawn on one canvas, each under a button that shows the classifier's label and the
//! discriminator's score on hover and pins the sample on a click; and the line that says how long the grid took.

use std::rc::Rc;

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::models;
use crate::site::Load;
use crate::widgets::draw_gray;

use super::link::{GanSettings, CELLS, SIDE};
use super::loader::{generate, LoadedGan};
use super::state::{Action, Judgement, State};

/// Image side in pixels.
pub const PX: usize = genscope_core::gan::GanConfig::SIDE;

/// Draws 784-pixel images into `canvas` as a grid `columns` wide.
pub fn draw_grid(canvas: &HtmlCanvasElement, images: &[f32], columns: usize) {
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

/// A sample's hover text: "7 (98%), D 0.43".
pub fn label(classes: &[&str; 10], (class, p, score): Judgement) -> String {
    format!("{} ({:.0}%), D {:.2}", classes[class], p * 100.0, score)
}

/// Draws the grid for `settings` whenever they (or the model) change, and labels it; not while watching (the walk
/// draws its own frames).
#[hook]
pub fn use_grid(
    loaded: Load<Rc<LoadedGan>>,
    settings: GanSettings,
    watching: bool,
    grid_ref: NodeRef,
    dispatch: UseReducerDispatcher<State>,
) {
    use_effect_with(
        (loaded, settings, watching),
        move |(loaded, settings, watching)| {
            if let (Load::Ready(gan), false) = (loaded.clone(), *watching) {
                let z = settings.latents(gan.config.latent);
                wasm_bindgen_futures::spawn_local(async move {
                    let started = models::now_ms();
                    match generate(&gan.generator, &z).await {
                        Ok(images) => {
                            let ms = models::now_ms() - started;
                            if let Some(c) = grid_ref.cast::<HtmlCanvasElement>() {
                                draw_grid(&c, &images, SIDE);
                            }
                            dispatch.dispatch(Action::GridDrawn {
                                ms,
                                backend: gan.backend.clone(),
                            });
                            match gan.judge(&images).await {
                                Ok(j) => dispatch.dispatch(Action::Judged(j)),
                                Err(e) => dispatch
                                    .dispatch(Action::Fail(format!("labelling failed: {e}"))),
                            }
                        }
                        Err(e) => {
                            dispatch.dispatch(Action::Fail(format!("generating failed: {e}")))
                        }
                    }
                });
            }
        },
    );
}

/// The "grid of 64 in 3.1 ms · wasm CPU" line (the frame rate while watching).
pub fn grid_time(state: &State, backend: &str) -> Html {
    let text = match (&state.grid_ms, state.fps, state.watching) {
        (_, Some(f), true) => format!("watching: {f:.1} frames/s · {backend}"),
        (Some((ms, backend)), _, _) => format!("grid of 64 in {ms:.1} ms · {backend}"),
        _ => "generating…".into(),
    };
    html! { <p class="muted small" id="grid-time">{ text }</p> }
}

/// Properties of [`Grid`].
#[derive(Properties, PartialEq)]
pub struct GridProps {
    /// The GAN (for the class names).
    pub gan: Rc<LoadedGan>,
    /// The canvas the grid is drawn on.
    pub canvas: NodeRef,
    /// Labels by cell.
    pub judged: Vec<Judgement>,
    /// Pinned cells.
    pub pinned: Vec<usize>,
    /// Where clicks go.
    pub dispatch: UseReducerDispatcher<State>,
}

/// The grid's canvas and the buttons over its cells.
#[component]
pub fn Grid(props: &GridProps) -> Html {
    let overlay = (0..CELLS).map(|cell| {
        let info = props
            .judged
            .get(cell)
            .map(|&j| label(props.gan.classes, j));
        // The classifier's top-class probability and D's score, exact, for the tests and the explainers.
        let (confidence, score) = props
            .judged
            .get(cell)
            .map(|&(_, p, d)| (format!("{p:.4}"), format!("{d:.4}")))
            .unwrap_or_default();
        let dispatch = props.dispatch.clone();
        let pinned = props.pinned.contains(&cell);
        html! {
            <button class={classes!("cell", pinned.then_some("pinned"))} data-cell={cell.to_string()}
                data-confidence={confidence} data-d={score}
                title={info.clone().unwrap_or_default()} onclick={move |_| dispatch.dispatch(Action::Pin(cell))}>
                <span class="cell-label">{ info.map(|i| i.split(' ').next().unwrap_or("").to_string()).unwrap_or_default() }</span>
            </button>
        }
    });
    html! {
        <div class="grid-wrap">
            <canvas id="gan-grid" ref={props.canvas.clone()} width={(SIDE * PX).to_string()} height={(SIDE * PX).to_string()} class="pixelated"></canvas>
            <div class="cells">{ for overlay }</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_class_its_probability_and_the_score() {
        let digits = genscope_core::registry::DatasetId::Mnist
            .class_names()
            .unwrap();
        assert_eq!(label(digits, (7, 0.981, 0.4321)), "7 (98%), D 0.43");
    }
}
