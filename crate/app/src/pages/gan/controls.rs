//! The grid's controls: the seed (typed or drawn), the truncation, watch mode and its speed, and saving the grid.

use web_sys::{HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::{fill, use_lang};
use crate::widgets::save_png;

use super::link::{parse_seed, SeedNote, MAX_SEED, MAX_TRUNCATION, MIN_TRUNCATION};
use super::state::{Action, State, DEFAULT_SPEED, MAX_SPEED, MIN_SPEED};
use super::texts;

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The model's name (for the PNG's file name).
    pub model: AttrValue,
    /// Seed, truncation, watching, speed.
    pub seed: u64,
    pub truncation: f32,
    pub watching: bool,
    pub speed: f32,
    /// Why a typed seed was changed, if it was.
    pub seed_note: Option<SeedNote>,
    /// The grid's canvas (for "Save PNG").
    pub canvas: NodeRef,
    /// Where changes go.
    pub dispatch: UseReducerDispatcher<State>,
}

/// The toolbar above the grid.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let t = texts::of(use_lang());
    let on_seed = {
        let (dispatch, seed) = (props.dispatch.clone(), props.seed);
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                let text = i.value();
                // The box shows the seed used (the same check the reducer makes).
                let (used, _) = parse_seed(&text, seed);
                i.set_value(&used.to_string());
                dispatch.dispatch(Action::TypeSeed(text));
            }
        })
    };
    let new_seed = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| {
            dispatch.dispatch(Action::NewSeed(
                (js_sys::Math::random() * MAX_SEED as f64) as u64,
            ))
        })
    };
    let on_truncation = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                if let Ok(t) = i.value().parse::<f32>() {
                    dispatch.dispatch(Action::SetTruncation(t));
                }
            }
        })
    };
    let toggle = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| dispatch.dispatch(Action::ToggleWatch))
    };
    let on_speed = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                dispatch.dispatch(Action::SetSpeed(
                    i.value().parse::<f32>().unwrap_or(DEFAULT_SPEED),
                ));
            }
        })
    };
    let save = {
        let (canvas, name, seed) = (props.canvas.clone(), props.model.clone(), props.seed);
        Callback::from(move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                save_png(&c, &format!("{name}-seed-{seed}.png"));
            }
        })
    };
    html! {
        <div class="toolbar">
            <label>{ t.seed_label }<input id="gan-seed" type="number" min="0" value={props.seed.to_string()} onchange={on_seed} /></label>
            <button id="new-seed" onclick={new_seed}>{ t.new_seed }</button>
            if let Some(note) = &props.seed_note {
                <span class="muted small" id="seed-note" role="status">{ fill(t.seed_changed, &[("note", &note.words(t))]) }</span>
            }
            <label>{ t.truncation_label }
                <input id="truncation" type="range" min={MIN_TRUNCATION.to_string()} max={MAX_TRUNCATION.to_string()} step="0.05" value={format!("{}", props.truncation)} oninput={on_truncation} />
                <span class="mono" id="truncation-value">{ format!("{:.2}", props.truncation) }</span>
            </label>
            <button id="watch" onclick={toggle}>{ if props.watching { t.pause } else { t.watch } }</button>
            <label>{ t.speed_label }<input id="watch-speed" type="range" min={MIN_SPEED.to_string()} max={MAX_SPEED.to_string()} step="0.002" value={format!("{}", props.speed)} oninput={on_speed} /></label>
            <button id="save-grid" onclick={save}>{ t.save_png }</button>
        </div>
    }
}
