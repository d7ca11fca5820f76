//! Step / Play / Back / Reset and Play's speed.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::state::{DEFAULT_SPEED_MS, SPEEDS};
use super::texts;
use crate::i18n::use_lang;

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Play is on.
    pub playing: bool,
    /// Play's interval.
    pub speed_ms: u32,
    /// "Step".
    pub on_step: Callback<()>,
    /// "Play" / "Pause".
    pub on_play: Callback<()>,
    /// Another speed.
    pub on_speed: Callback<u32>,
    /// "Back".
    pub on_back: Callback<()>,
    /// "Reset".
    pub on_reset: Callback<()>,
}

/// The toolbar that moves through the text.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let t = texts::of(use_lang());
    let button = |id: &'static str, label: &'static str, cb: &Callback<()>| {
        let cb = cb.clone();
        html! { <button {id} onclick={move |_| cb.emit(())}>{ label }</button> }
    };
    let on_speed = {
        let on = props.on_speed.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on.emit(select.value().parse().unwrap_or(DEFAULT_SPEED_MS));
            }
        })
    };
    html! {
        <div class="toolbar">
            { button("lm-step", t.step, &props.on_step) }
            <button id="lm-play" onclick={{ let cb = props.on_play.clone(); move |_| cb.emit(()) }}>
                { if props.playing { t.pause } else { t.play } }</button>
            <select id="lm-speed" onchange={on_speed} aria-label={t.speed_label}>
                { for SPEEDS.map(|(ms, pace)| html! {
                    <option value={ms.to_string()} selected={props.speed_ms == ms}>{ pace.name(t) }</option>
                }) }
            </select>
            { button("lm-back", t.back, &props.on_back) }
            { button("lm-reset", t.reset, &props.on_reset) }
        </div>
    }
}
