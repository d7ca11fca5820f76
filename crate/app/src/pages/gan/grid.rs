//! The grid: 64 samples drawn on one canvas, each under a button that shows the classifier's label and the
//! discriminator's score on hover and pins the sample on a click; and the line that says how long the grid took.

use std::rc::Rc;

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::engine::{Model, Op, PixelRange, TileLayout};
use crate::i18n::{fill, use_lang};
use crate::models;
use crate::site::Load;
use crate::widgets::draw_gray;

use super::link::{GanSettings, CELLS, SIDE};
use super::loader::{generate, LoadedGan};
use super::state::{Action, Failure, Judgement, State};
use super::texts::{self, GanTexts};

/// Image side in pixels.
pub const PX: usize = genscope_core::gan::GanConfig::SIDE;

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

/// How `z`'s samples (`latent` numbers each) are laid out as tiles `columns` wide, from the generator's [-1, 1].
fn layout(z: &[f32], latent: usize, columns: usize) -> TileLayout {
    TileLayout {
        width: PX as u32,
        height: PX as u32,
        columns: columns as u32,
        count: (z.len() / latent.max(1)) as u32,
        range: PixelRange::Signed,
    }
}

/// Generates `z` with `generator` and draws the samples onto `canvas`, `columns` a row: on WebGPU straight from the
/// GPU's buffer with nothing read back, on the CPU read back and drawn with a 2-D context.
pub async fn draw_samples(
    generator: &Model,
    latent: usize,
    z: &[f32],
    canvas: &HtmlCanvasElement,
    columns: usize,
) -> Result<(), String> {
    let drawn = generator
        .present(Op::Generate, z, canvas, layout(z, latent, columns))
        .await;
    match drawn {
        Some(drawn) => drawn,
        None => {
            draw_grid(canvas, &generate(generator, z).await?, columns);
            Ok(())
        }
    }
}

/// [`draw_samples`], returning the images in [0, 1] as well, for the classifier and the discriminator (on WebGPU
/// they are read back after the picture is drawn).
pub async fn draw_and_keep_samples(
    generator: &Model,
    latent: usize,
    z: &[f32],
    canvas: &HtmlCanvasElement,
    columns: usize,
) -> Result<Vec<f32>, String> {
    let drawn = generator
        .present_and_read(Op::Generate, z, canvas, layout(z, latent, columns))
        .await;
    match drawn {
        Some(values) => Ok(values?.into_iter().map(|v| (v + 1.0) * 0.5).collect()),
        None => {
            let images = generate(generator, z).await?;
            draw_grid(canvas, &images, columns);
            Ok(images)
        }
    }
}

/// A sample's hover text in the words of `t`: "7 (98%), D 0.43" (`classes` already in `t`'s language).
pub fn label(t: &GanTexts, classes: &[&'static str; 10], (class, p, score): Judgement) -> String {
    fill(
        t.cell_label,
        &[
            ("percent", &format!("{:.0}", p * 100.0)),
            ("score", &format!("{score:.2}")),
            ("class", classes[class]),
        ],
    )
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
    let t = texts::of(use_lang());
    use_effect_with(
        (loaded, settings, watching),
        move |(loaded, settings, watching)| {
            if let (Load::Ready(gan), false) = (loaded.clone(), *watching) {
                let z = settings.latents(gan.config.latent);
                wasm_bindgen_futures::spawn_local(async move {
                    let Some(c) = grid_ref.cast::<HtmlCanvasElement>() else {
                        return;
                    };
                    let started = models::now_ms();
                    let latent = gan.config.latent;
                    match draw_and_keep_samples(&gan.generator, latent, &z, &c, SIDE).await {
                        Ok(images) => {
                            let ms = models::now_ms() - started;
                            dispatch.dispatch(Action::GridDrawn {
                                ms,
                                backend: gan.backend.clone(),
                            });
                            match gan.judge(&images, t).await {
                                Ok(j) => dispatch.dispatch(Action::Judged(j)),
                                Err(e) => dispatch.dispatch(Action::Fail(Failure::Labelling(e))),
                            }
                        }
                        Err(e) => dispatch.dispatch(Action::Fail(Failure::Generating(e))),
                    }
                });
            }
        },
    );
}

/// The "grid of 64 in 3.1 ms · wasm CPU" line in the words of `t` (the frame rate while watching). The backend's
/// name is the adapter's, not the page's words.
pub fn grid_time(t: &GanTexts, state: &State, backend: &str) -> Html {
    let (text, backend) = match (&state.grid_ms, state.fps, state.watching) {
        (_, Some(f), true) => (
            fill(t.watching_fps, &[("fps", &format!("{f:.1}"))]),
            backend,
        ),
        (Some((ms, backend)), _, _) => (
            fill(
                t.grid_time,
                &[("cells", &CELLS.to_string()), ("ms", &format!("{ms:.1}"))],
            ),
            backend.as_str(),
        ),
        _ => (t.generating.to_string(), ""),
    };
    let line = match text.split_once("{backend}") {
        Some((before, after)) => html! {
            <>{ before.to_string() }<span data-i18n-skip="">{ backend.to_string() }</span>{ after.to_string() }</>
        },
        None => Html::from(text),
    };
    html! { <p class="muted small" id="grid-time">{ line }</p> }
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
    let lang = use_lang();
    let t = texts::of(lang);
    let classes = props
        .gan
        .card
        .dataset
        .class_names_in(lang)
        .unwrap_or(props.gan.classes);
    let overlay = (0..CELLS).map(|cell| {
        let judged = props.judged.get(cell).copied();
        let info = judged.map(|j| label(t, classes, j));
        // The class alone on the cell (its first word).
        let class = judged
            .and_then(|(class, _, _)| classes[class].split(' ').next())
            .unwrap_or_default();
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
                <span class="cell-label">{ class }</span>
            </button>
        }
    });
    html! {
        <div class="grid-wrap">
            <canvas key={props.gan.canvas_kind()} data-context={props.gan.canvas_kind()} id="gan-grid" ref={props.canvas.clone()} width={(SIDE * PX).to_string()} height={(SIDE * PX).to_string()} class="pixelated"></canvas>
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
        assert_eq!(
            label(&texts::EN, digits, (7, 0.981, 0.4321)),
            "7 (98%), D 0.43"
        );
        let fashion = genscope_core::registry::DatasetId::FashionMnist
            .class_names()
            .unwrap();
        assert_eq!(
            label(&texts::EN, fashion, (9, 0.5, 0.25)),
            "Boot (50%), D 0.25"
        );
        let fashion_zh = genscope_core::registry::DatasetId::FashionMnist
            .class_names_in(crate::i18n::Lang::Zh)
            .unwrap();
        assert_eq!(
            label(&texts::ZH, fashion_zh, (9, 0.5, 0.25)),
            "短靴（50%），D 0.25"
        );
    }
}
