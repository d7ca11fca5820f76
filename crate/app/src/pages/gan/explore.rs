//! Pinned samples: the first one in the centre of its 8 neighbours (small perturbations of its z) and, with two
//! pinned, the interpolation between them.

use std::rc::Rc;

use genscope_core::latent::{gaussian_latents, slerp};
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::i18n::{fill, use_lang};

use super::grid::{draw_samples, PX};
use super::link::GanSettings;
use super::loader::LoadedGan;
use super::texts;

/// Neighbours shown around a pinned sample, and how far they are perturbed.
pub const NEIGHBOURS: usize = 8;
pub const NEIGHBOUR_SIGMA: f32 = 0.35;
/// The neighbourhood's side (the pinned sample and its neighbours, 3 × 3).
const AROUND: usize = 3;
/// Where the pinned sample sits in the neighbourhood: the centre.
const CENTRE: usize = AROUND * AROUND / 2;
/// Mixed into the seed for a pinned sample's neighbours.
const NEIGHBOUR_SALT: u64 = 0x5151;
/// Samples in the interpolation strip.
const STRIP: usize = 8;

/// The latents of the neighbourhood of `cell`, row by row: its 8 neighbours with the sample itself in the centre.
pub fn neighbourhood(settings: &GanSettings, latent: usize, cell: usize) -> Vec<f32> {
    let z = settings.latents(latent);
    let base = &z[cell * latent..(cell + 1) * latent];
    let noise = gaussian_latents(
        settings.seed ^ NEIGHBOUR_SALT ^ cell as u64,
        NEIGHBOURS,
        latent,
    );
    let mut out = Vec::with_capacity((NEIGHBOURS + 1) * latent);
    for (i, n) in noise.chunks(latent).enumerate() {
        if i == CENTRE {
            out.extend_from_slice(base);
        }
        out.extend(base.iter().zip(n).map(|(b, e)| b + NEIGHBOUR_SIGMA * e));
    }
    out
}

/// The slerp from cell `a` to cell `b` in `STRIP` steps.
pub fn interpolation(settings: &GanSettings, latent: usize, a: usize, b: usize) -> Vec<f32> {
    let z = settings.latents(latent);
    let at = |cell: usize| &z[cell * latent..(cell + 1) * latent];
    (0..STRIP)
        .flat_map(|i| slerp(at(a), at(b), i as f32 / (STRIP - 1) as f32))
        .collect()
}

/// Properties of [`Explore`].
#[derive(Properties, PartialEq)]
pub struct ExploreProps {
    /// The GAN.
    pub gan: Rc<LoadedGan>,
    /// Seed, truncation and the pinned cells.
    pub settings: GanSettings,
}

/// The pinned samples' neighbourhood and interpolation.
#[component]
pub fn Explore(props: &ExploreProps) -> Html {
    let t = texts::of(use_lang());
    let neighbours_ref = use_node_ref();
    let strip_ref = use_node_ref();
    {
        let (neighbours_ref, strip_ref) = (neighbours_ref.clone(), strip_ref.clone());
        use_effect_with(
            (props.gan.clone(), props.settings.clone()),
            move |(gan, settings)| {
                let latent = gan.config.latent;
                if let Some(&first) = settings.pinned.first() {
                    let batch = neighbourhood(settings, latent, first);
                    let strip = settings
                        .pinned
                        .get(1)
                        .map(|&second| interpolation(settings, latent, first, second));
                    let gan = gan.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        // A failure leaves the neighbours as they were (as before): the grid, drawn by the
                        // same generator, reports the generator's faults.
                        if let Some(c) = neighbours_ref.cast::<HtmlCanvasElement>() {
                            let _ = draw_samples(&gan.generator, latent, &batch, &c, AROUND).await;
                        }
                        if let (Some(strip), Some(c)) =
                            (strip, strip_ref.cast::<HtmlCanvasElement>())
                        {
                            let _ = draw_samples(&gan.generator, latent, &strip, &c, STRIP).await;
                        }
                    });
                }
            },
        );
    }
    let pinned = &props.settings.pinned;
    let neighbours_caption = fill(
        t.neighbours_caption,
        &[
            ("sample", &pinned.first().map_or(0, |c| c + 1).to_string()),
            ("count", &NEIGHBOURS.to_string()),
            ("sigma", &NEIGHBOUR_SIGMA.to_string()),
        ],
    );
    html! {
        <div class="explore">
            <h2>{ t.explore_title }</h2>
            if pinned.is_empty() {
                <p class="muted">{ t.explore_hint }</p>
            }
            <div hidden={pinned.is_empty()}>
                <p class="small muted">{ neighbours_caption }</p>
                <canvas key={props.gan.canvas_kind()} data-context={props.gan.canvas_kind()} id="neighbours" ref={neighbours_ref} width={(AROUND * PX).to_string()} height={(AROUND * PX).to_string()} class="pixelated mid-grid"></canvas>
            </div>
            <div hidden={pinned.len() < 2}>
                <p class="small muted">{ t.interpolation_caption }</p>
                <canvas key={props.gan.canvas_kind()} data-context={props.gan.canvas_kind()} id="gan-strip" ref={strip_ref} width={(STRIP * PX).to_string()} height={PX.to_string()} class="pixelated strip"></canvas>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_sample_is_in_the_centre_of_its_neighbours() {
        const _: () = assert!(NEIGHBOURS + 1 == AROUND * AROUND);
        let settings = GanSettings {
            seed: 9,
            truncation: 0.7,
            pinned: vec![5],
        };
        let latent = 4;
        let batch = neighbourhood(&settings, latent, 5);
        assert_eq!(batch.len(), AROUND * AROUND * latent);
        let z = settings.latents(latent);
        let sample = &z[5 * latent..6 * latent];
        let tiles: Vec<&[f32]> = batch.chunks(latent).collect();
        assert_eq!(tiles[CENTRE], sample);
        assert_eq!(
            (CENTRE % AROUND, CENTRE / AROUND),
            (1, 1),
            "drawn in the middle"
        );
        assert_eq!(tiles.iter().filter(|t| **t == sample).count(), 1);
    }

    #[test]
    fn the_interpolation_runs_from_the_first_pinned_sample_to_the_second() {
        let settings = GanSettings {
            seed: 2,
            truncation: 1.0,
            pinned: vec![1, 2],
        };
        let strip = interpolation(&settings, 3, 1, 2);
        let z = settings.latents(3);
        assert_eq!(strip.len(), STRIP * 3);
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-4);
        assert!(close(&strip[..3], &z[3..6]));
        assert!(close(&strip[(STRIP - 1) * 3..], &z[6..9]));
    }
}
