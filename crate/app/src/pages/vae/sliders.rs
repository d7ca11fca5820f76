//! z=16 models: one slider per latent dimension (Tab moves between them), plus prior samples, reset and one
//! random dimension.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::texts;
use crate::i18n::{fill, use_lang};

/// Box–Muller on a xorshift stream: the page needs variety, not cryptography.
pub fn gaussian(seed: &mut u64) -> f32 {
    let mut next = || {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        ((*seed >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let (u, v) = (next(), next());
    ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
}

#[derive(Properties, PartialEq)]
pub struct SlidersProps {
    pub z: Vec<f32>,
    pub on_move: Callback<(Vec<f32>, f64)>,
}

/// The sliders and their three buttons.
#[component]
pub fn Sliders(props: &SlidersProps) -> Html {
    let t = texts::of(use_lang());
    let seed = use_mut_ref(|| 0x853c_49e6_748f_ea9bu64);
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
                    value={format!("{v}")} {oninput} aria-label={fill(t.slider_label, &[("n", &(i + 1).to_string())])} />
                <span class="mono value">{ format!("{v:+.2}") }</span>
            </label>
        }
    });
    let prior = {
        let (on_move, n, seed) = (props.on_move.clone(), z.len(), seed.clone());
        Callback::from(move |_| {
            let point = (0..n).map(|_| gaussian(&mut seed.borrow_mut())).collect();
            on_move.emit((point, 0.0))
        })
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
            next[i] = gaussian(&mut seed.borrow_mut());
            on_move.emit((next, 0.0));
        })
    };
    html! {
        <div class="sliders">
            <div class="buttons">
                <button id="sample-prior" onclick={prior}>{ t.sample_prior }</button>
                <button id="reset-zero" onclick={zero}>{ t.reset_zero }</button>
                <button id="randomise-one" onclick={one}>{ t.randomise_one }</button>
            </div>
            { for sliders }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_samples_look_standard_normal_and_repeat_from_a_seed() {
        let mut seed = 0x853c_49e6_748f_ea9bu64;
        let draws: Vec<f32> = (0..20_000).map(|_| gaussian(&mut seed)).collect();
        let mean = draws.iter().map(|&x| f64::from(x)).sum::<f64>() / draws.len() as f64;
        let var = draws
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / draws.len() as f64;
        assert!(
            mean.abs() < 0.05 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
        assert!(draws.iter().all(|x| x.is_finite()));
        let mut again = 0x853c_49e6_748f_ea9bu64;
        assert_eq!(gaussian(&mut again), draws[0]);
    }
}
