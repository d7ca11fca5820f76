//! The sampling settings: temperature, top-k, top-p, seed, greedy. They only redraw the current distribution.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::link::{
    Settings, DEFAULT_SEED, MAX_SEED, MAX_TEMPERATURE, MAX_TOP_K, MIN_TEMPERATURE, MIN_TOP_P,
};
use super::texts;
use crate::i18n::use_lang;

/// The temperature slider's value (log₁₀ of the temperature) as a temperature.
pub fn temperature_from_slider(value: &str) -> Option<f32> {
    value
        .parse::<f32>()
        .ok()
        .map(|x| 10f32.powf(x).clamp(MIN_TEMPERATURE, MAX_TEMPERATURE))
}

/// The top-k box's text as a top-k (unreadable: off).
pub fn top_k_from_box(value: &str) -> usize {
    value.parse::<usize>().unwrap_or(0).min(MAX_TOP_K)
}

/// The top-p slider's value as a top-p.
pub fn top_p_from_slider(value: &str) -> Option<f32> {
    value.parse::<f32>().ok().map(|p| p.clamp(MIN_TOP_P, 1.0))
}

/// The seed box's text as a seed (unreadable: the default).
pub fn seed_from_box(value: &str) -> u64 {
    value.parse::<u64>().unwrap_or(DEFAULT_SEED).min(MAX_SEED)
}

/// Properties of [`SamplingControls`].
#[derive(Properties, PartialEq)]
pub struct SamplingProps {
    /// The settings shown.
    pub settings: Settings,
    /// Changed settings.
    pub on_settings: Callback<Settings>,
}

/// The settings toolbar.
#[component]
pub fn SamplingControls(props: &SamplingProps) -> Html {
    let t = texts::of(use_lang());
    let s = props.settings.clone();
    let update = |f: fn(&mut Settings, &str)| {
        let (on, s) = (props.on_settings.clone(), s.clone());
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let mut next = s.clone();
                let value = if input.type_() == "checkbox" {
                    input.checked().to_string()
                } else {
                    input.value()
                };
                f(&mut next, &value);
                on.emit(next);
            }
        })
    };
    let live = |f: fn(&mut Settings, &str)| {
        let (on, s) = (props.on_settings.clone(), s.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let mut next = s.clone();
                f(&mut next, &input.value());
                on.emit(next);
            }
        })
    };
    html! {
        <div class="toolbar small">
            <label>{ t.temperature }
                <input id="temperature" type="range" min="-1.3" max="1.3" step="0.01"
                    value={format!("{:.3}", s.temperature.log10())}
                    oninput={live(|s, v| if let Some(t) = temperature_from_slider(v) { s.temperature = t })} />
                <span class="mono" id="temperature-value">{ format!("{:.2}", s.temperature) }</span>
            </label>
            <label>{ t.top_k }
                <input id="top-k" type="number" min="0" max={MAX_TOP_K.to_string()} value={s.top_k.to_string()}
                    onchange={update(|s, v| s.top_k = top_k_from_box(v))} />
            </label>
            <label>{ t.top_p }
                <input id="top-p" type="range" min="0.01" max="1" step="0.01" value={format!("{}", s.top_p)}
                    oninput={live(|s, v| if let Some(p) = top_p_from_slider(v) { s.top_p = p })} />
                <span class="mono" id="top-p-value">{ format!("{:.2}", s.top_p) }</span>
            </label>
            <label>{ t.seed }
                <input id="seed" type="number" min="0" value={s.seed.to_string()}
                    onchange={update(|s, v| s.seed = seed_from_box(v))} />
            </label>
            <label><input id="greedy" type="checkbox" checked={s.greedy}
                onchange={update(|s, v| s.greedy = v == "true")} />{ t.greedy }</label>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inputs_read_within_their_bounds() {
        assert_eq!(temperature_from_slider("0"), Some(1.0));
        assert_eq!(temperature_from_slider("-5"), Some(MIN_TEMPERATURE));
        assert_eq!(temperature_from_slider("x"), None);
        assert_eq!(top_k_from_box("40"), 40);
        assert_eq!(top_k_from_box("-1"), 0);
        assert_eq!(top_k_from_box("999999999"), MAX_TOP_K);
        assert_eq!(top_p_from_slider("0"), Some(MIN_TOP_P));
        assert_eq!(seed_from_box("7"), 7);
        assert_eq!(seed_from_box(""), DEFAULT_SEED);
        assert_eq!(seed_from_box("99999999999"), MAX_SEED);
    }
}
