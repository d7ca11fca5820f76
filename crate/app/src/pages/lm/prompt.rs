//! The model picker and the prompt box with "Run prompt".

use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::texts;
use crate::i18n::use_lang;

/// Properties of [`ModelPicker`].
#[derive(Properties, PartialEq)]
pub struct ModelPickerProps {
    /// The models offered (shipped, then the visitor's own).
    pub options: Vec<String>,
    /// The one shown.
    pub model: Option<String>,
    /// Another model picked.
    pub on_pick: Callback<String>,
}

/// The `<select>` of models.
#[component]
pub fn ModelPicker(props: &ModelPickerProps) -> Html {
    let t = texts::of(use_lang());
    let onchange = {
        let on = props.on_pick.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on.emit(select.value());
            }
        })
    };
    html! {
        <label>{ t.model_label }
            <select id="lm-model" {onchange}>
                { for props.options.iter().map(|m| html! {
                    <option value={m.clone()} selected={Some(m) == props.model.as_ref()}>{ m }</option>
                }) }
            </select>
        </label>
    }
}

/// Properties of [`PromptRow`].
#[derive(Properties, PartialEq)]
pub struct PromptRowProps {
    /// The prompt shown.
    pub prompt: String,
    /// The prompt edited.
    pub on_prompt: Callback<String>,
    /// "Run prompt".
    pub on_run: Callback<()>,
}

/// The prompt (any text) and the button that runs it from the start.
#[component]
pub fn PromptRow(props: &PromptRowProps) -> Html {
    let t = texts::of(use_lang());
    let oninput = {
        let on = props.on_prompt.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
                on.emit(area.value());
            }
        })
    };
    let run = props.on_run.clone();
    html! {
        <div class="prompt-row">
            <textarea id="prompt" rows="3" maxlength="100000" value={props.prompt.clone()} {oninput}
                aria-label={t.prompt_label} placeholder={t.prompt_placeholder} />
            <button id="lm-start" onclick={move |_| run.emit(())}>{ t.run_prompt }</button>
        </div>
    }
}
