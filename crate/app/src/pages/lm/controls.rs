//! Step / Play / Back / Reset and Play's speed.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::state::{DEFAULT_SPEED_MS, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub playing: bool,
    pub speed_ms: u32,
    pub on_step: Callback<()>,
    pub on_play: Callback<()>,
    pub on_speed: Callback<u32>,
    pub on_back: Callback<()>,
    pub on_reset: Callback<()>,
}

/// The toolbar that moves through the text.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
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
            { button("lm-step", "Step", &props.on_step) }
            <button id="lm-play" onclick={{ let cb = props.on_play.clone(); move |_| cb.emit(()) }}>
                { if props.playing { "Pause" } else { "Play" } }</button>
            <select id="lm-speed" onchange={on_speed} aria-label="play speed">
                { for SPEEDS.map(|(ms, name)| html! {
                    <option value={ms.to_string()} selected={props.speed_ms == ms}>{ name }</option>
                }) }
            </select>
            { button("lm-back", "Back", &props.on_back) }
            { button("lm-reset", "Reset", &props.on_reset) }
        </div>
    }
}
